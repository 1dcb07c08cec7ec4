/** Flink's ProcessingTimeSessionWindows (and the dynamic variant): sessions in processing time. */
import { toMillis, type DurationLike } from '../../api/Duration';
import { ProcessingTimeTrigger } from '../triggers/ProcessingTimeTrigger';
import type { Trigger } from '../triggers/Trigger';
import { TimeWindow } from '../windows/TimeWindow';
import { extractGap, type SessionWindowTimeGapExtractor } from './EventTimeSessionWindows';
import { MergingWindowAssigner, type WindowAssignerContext } from './WindowAssigner';

export class ProcessingTimeSessionWindows<T = unknown> extends MergingWindowAssigner<T> {
  private constructor(
    private readonly gap: number | null,
    private readonly extractor: SessionWindowTimeGapExtractor<T> | null,
  ) {
    super();
  }
  static withGap(gap: DurationLike): ProcessingTimeSessionWindows {
    const ms = toMillis(gap);
    if (!(ms > 0)) throw new Error('ProcessingTimeSessionWindows parameters must satisfy 0 < size');
    return new ProcessingTimeSessionWindows(ms, null);
  }
  static withDynamicGap<T>(extractor: SessionWindowTimeGapExtractor<T>): ProcessingTimeSessionWindows<T> {
    return new ProcessingTimeSessionWindows<T>(null, extractor);
  }
  assignWindows(element: T, _ts: number | null, context: WindowAssignerContext): TimeWindow[] {
    const now = context.getCurrentProcessingTime();
    const gap = this.extractor !== null ? extractGap(this.extractor, element) : (this.gap as number);
    return [new TimeWindow(now, now + gap)];
  }
  mergeWindows(
    windows: readonly TimeWindow[],
    callback: (toBeMerged: TimeWindow[], mergeResult: TimeWindow) => void,
  ): void {
    TimeWindow.mergeWindows(windows, callback);
  }
  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return ProcessingTimeTrigger.create() as Trigger<T, TimeWindow>;
  }
  isEventTime(): boolean {
    return false;
  }
  toString(): string {
    return this.gap !== null
      ? `ProcessingTimeSessionWindows(${this.gap})`
      : 'DynamicProcessingTimeSessionWindows()';
  }
}
