/** Flink's TumblingProcessingTimeWindows: the window of `size` that holds the current processing time. */
import { toMillis, type DurationLike } from '../../api/Duration';
import { ProcessingTimeTrigger } from '../triggers/ProcessingTimeTrigger';
import type { Trigger } from '../triggers/Trigger';
import { TimeWindow } from '../windows/TimeWindow';
import { WindowAssigner, type WindowAssignerContext } from './WindowAssigner';

export class TumblingProcessingTimeWindows extends WindowAssigner<unknown, TimeWindow> {
  private constructor(
    readonly size: number,
    readonly offset: number,
  ) {
    super();
    if (Math.abs(offset) >= size)
      throw new Error('TumblingProcessingTimeWindows parameters must satisfy abs(offset) < size');
  }
  static of(size: DurationLike, offset: DurationLike = 0): TumblingProcessingTimeWindows {
    return new TumblingProcessingTimeWindows(toMillis(size), toMillis(offset));
  }
  assignWindows(_e: unknown, _ts: number | null, context: WindowAssignerContext): TimeWindow[] {
    const now = context.getCurrentProcessingTime();
    const start = TimeWindow.getWindowStartWithOffset(now, this.offset % this.size, this.size);
    return [new TimeWindow(start, start + this.size)];
  }
  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }
  isEventTime(): boolean {
    return false;
  }
  toString(): string {
    return `TumblingProcessingTimeWindows(${this.size})`;
  }
}
