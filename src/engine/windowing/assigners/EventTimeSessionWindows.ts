/**
 * Flink's EventTimeSessionWindows (and DynamicEventTimeSessionWindows, via `withDynamicGap`): each
 * record opens the window [timestamp, timestamp + gap); windows that overlap or touch merge
 * (`TimeWindow.mergeWindows`, state merged by the WindowOperator through `MergingWindowSet`).
 */
import { toMillis, type DurationLike } from '../../api/Duration';
import { EventTimeTrigger } from '../triggers/EventTimeTrigger';
import type { Trigger } from '../triggers/Trigger';
import { TimeWindow } from '../windows/TimeWindow';
import { MergingWindowAssigner, noTimestamp } from './WindowAssigner';

/** Flink's SessionWindowTimeGapExtractor: the gap (ms) after this element. */
export type SessionWindowTimeGapExtractor<T> = ((element: T) => number) | { extract(element: T): number };

export function extractGap<T>(extractor: SessionWindowTimeGapExtractor<T>, element: T): number {
  const gap = typeof extractor === 'function' ? extractor(element) : extractor.extract(element);
  if (!(gap > 0)) throw new Error('Dynamic session time gap must satisfy 0 < gap');
  return gap;
}

export class EventTimeSessionWindows<T = unknown> extends MergingWindowAssigner<T> {
  private constructor(
    private readonly gap: number | null,
    private readonly extractor: SessionWindowTimeGapExtractor<T> | null,
  ) {
    super();
  }
  static withGap(gap: DurationLike): EventTimeSessionWindows {
    const ms = toMillis(gap);
    if (!(ms > 0)) throw new Error('EventTimeSessionWindows parameters must satisfy 0 < size');
    return new EventTimeSessionWindows(ms, null);
  }
  static withDynamicGap<T>(extractor: SessionWindowTimeGapExtractor<T>): EventTimeSessionWindows<T> {
    return new EventTimeSessionWindows<T>(null, extractor);
  }
  assignWindows(element: T, timestamp: number | null): TimeWindow[] {
    if (timestamp === null) throw noTimestamp();
    const gap = this.extractor !== null ? extractGap(this.extractor, element) : (this.gap as number);
    return [new TimeWindow(timestamp, timestamp + gap)];
  }
  mergeWindows(
    windows: readonly TimeWindow[],
    callback: (toBeMerged: TimeWindow[], mergeResult: TimeWindow) => void,
  ): void {
    TimeWindow.mergeWindows(windows, callback);
  }
  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return EventTimeTrigger.create() as Trigger<T, TimeWindow>;
  }
  isEventTime(): boolean {
    return true;
  }
  toString(): string {
    return this.gap !== null ? `EventTimeSessionWindows(${this.gap})` : 'DynamicEventTimeSessionWindows()';
  }
}
