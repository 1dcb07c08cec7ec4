/** Flink's TumblingEventTimeWindows: one window of `size` per timestamp, aligned to the epoch + offset. */
import { toMillis, type DurationLike } from '../../api/Duration';
import { EventTimeTrigger } from '../triggers/EventTimeTrigger';
import type { Trigger } from '../triggers/Trigger';
import { TimeWindow } from '../windows/TimeWindow';
import { noTimestamp, WindowAssigner } from './WindowAssigner';

export class TumblingEventTimeWindows extends WindowAssigner<unknown, TimeWindow> {
  protected constructor(
    readonly size: number,
    readonly offset: number,
  ) {
    super();
    if (Math.abs(offset) >= size)
      throw new Error('TumblingEventTimeWindows parameters must satisfy abs(offset) < size');
  }
  static of(size: DurationLike, offset: DurationLike = 0): TumblingEventTimeWindows {
    return new TumblingEventTimeWindows(toMillis(size), toMillis(offset));
  }
  assignWindows(_e: unknown, timestamp: number | null): TimeWindow[] {
    if (timestamp === null) throw noTimestamp();
    const start = TimeWindow.getWindowStartWithOffset(timestamp, this.offset % this.size, this.size);
    return [new TimeWindow(start, start + this.size)];
  }
  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return EventTimeTrigger.create();
  }
  isEventTime(): boolean {
    return true;
  }
  toString(): string {
    return `TumblingEventTimeWindows(${this.size})`;
  }
}
