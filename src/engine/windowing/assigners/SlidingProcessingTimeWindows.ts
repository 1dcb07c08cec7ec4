/** Flink's SlidingProcessingTimeWindows: the sliding windows that hold the current processing time. */
import { toMillis, type DurationLike } from '../../api/Duration';
import { ProcessingTimeTrigger } from '../triggers/ProcessingTimeTrigger';
import type { Trigger } from '../triggers/Trigger';
import type { TimeWindow } from '../windows/TimeWindow';
import { checkSliding, slidingWindows } from './SlidingEventTimeWindows';
import { WindowAssigner, type WindowAssignerContext } from './WindowAssigner';

export class SlidingProcessingTimeWindows extends WindowAssigner<unknown, TimeWindow> {
  private constructor(
    readonly size: number,
    readonly slide: number,
    readonly offset: number,
  ) {
    super();
    checkSliding('SlidingProcessingTimeWindows', size, slide, offset);
  }
  static of(size: DurationLike, slide: DurationLike, offset: DurationLike = 0): SlidingProcessingTimeWindows {
    return new SlidingProcessingTimeWindows(toMillis(size), toMillis(slide), toMillis(offset));
  }
  assignWindows(_e: unknown, _ts: number | null, context: WindowAssignerContext): TimeWindow[] {
    return slidingWindows(context.getCurrentProcessingTime(), this.size, this.slide, this.offset);
  }
  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }
  isEventTime(): boolean {
    return false;
  }
  toString(): string {
    return `SlidingProcessingTimeWindows(${this.size}, ${this.slide})`;
  }
}
