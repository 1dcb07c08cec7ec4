/** Flink's SlidingEventTimeWindows: size / slide overlapping windows per timestamp. */
import { toMillis, type DurationLike } from '../../api/Duration';
import { EventTimeTrigger } from '../triggers/EventTimeTrigger';
import type { Trigger } from '../triggers/Trigger';
import { TimeWindow } from '../windows/TimeWindow';
import { noTimestamp, WindowAssigner } from './WindowAssigner';

/** The windows of `size` every `slide` (shifted by `offset`) that hold `timestamp`, latest first. */
export function slidingWindows(timestamp: number, size: number, slide: number, offset: number): TimeWindow[] {
  const windows: TimeWindow[] = [];
  const lastStart = TimeWindow.getWindowStartWithOffset(timestamp, offset, slide);
  for (let start = lastStart; start > timestamp - size; start -= slide)
    windows.push(new TimeWindow(start, start + size));
  return windows;
}

export function checkSliding(what: string, size: number, slide: number, offset: number): void {
  if (Math.abs(offset) >= slide || size <= 0 || slide <= 0)
    throw new Error(`${what} parameters must satisfy abs(offset) < slide and size > 0`);
}

export class SlidingEventTimeWindows extends WindowAssigner<unknown, TimeWindow> {
  private constructor(
    readonly size: number,
    readonly slide: number,
    readonly offset: number,
  ) {
    super();
    checkSliding('SlidingEventTimeWindows', size, slide, offset);
  }
  static of(size: DurationLike, slide: DurationLike, offset: DurationLike = 0): SlidingEventTimeWindows {
    return new SlidingEventTimeWindows(toMillis(size), toMillis(slide), toMillis(offset));
  }
  assignWindows(_e: unknown, timestamp: number | null): TimeWindow[] {
    if (timestamp === null) throw noTimestamp();
    return slidingWindows(timestamp, this.size, this.slide, this.offset);
  }
  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return EventTimeTrigger.create();
  }
  isEventTime(): boolean {
    return true;
  }
  toString(): string {
    return `SlidingEventTimeWindows(${this.size}, ${this.slide})`;
  }
}
