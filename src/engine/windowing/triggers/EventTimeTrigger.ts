/** Flink's EventTimeTrigger: fires once the watermark passes the window's end (its max timestamp). */
import type { Window } from '../windows/Window';
import { Trigger, TriggerResult, type OnMergeContext, type TriggerContext } from './Trigger';

export class EventTimeTrigger extends Trigger<unknown, Window> {
  private constructor() {
    super();
  }
  static create(): EventTimeTrigger {
    return new EventTimeTrigger();
  }
  onElement(_e: unknown, _ts: number | null, window: Window, ctx: TriggerContext): TriggerResult {
    // The watermark is already past the window (a late record within allowed lateness): fire at once.
    if (window.maxTimestamp() <= ctx.getCurrentWatermark()) return TriggerResult.FIRE;
    ctx.registerEventTimeTimer(window.maxTimestamp());
    return TriggerResult.CONTINUE;
  }
  onEventTime(time: number, window: Window): TriggerResult {
    return time === window.maxTimestamp() ? TriggerResult.FIRE : TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  clear(window: Window, ctx: TriggerContext): void {
    ctx.deleteEventTimeTimer(window.maxTimestamp());
  }
  override canMerge(): boolean {
    return true;
  }
  override onMerge(window: Window, ctx: OnMergeContext): void {
    // Only a timer for a window end the watermark has not passed: a passed one would fire at once.
    const max = window.maxTimestamp();
    if (max > ctx.getCurrentWatermark()) ctx.registerEventTimeTimer(max);
  }
  toString(): string {
    return 'EventTimeTrigger()';
  }
}
