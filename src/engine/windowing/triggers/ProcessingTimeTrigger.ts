/** Flink's ProcessingTimeTrigger: fires when the processing time reaches the window's end. */
import type { Window } from '../windows/Window';
import { Trigger, TriggerResult, type OnMergeContext, type TriggerContext } from './Trigger';

export class ProcessingTimeTrigger extends Trigger<unknown, Window> {
  private constructor() {
    super();
  }
  static create(): ProcessingTimeTrigger {
    return new ProcessingTimeTrigger();
  }
  onElement(_e: unknown, _ts: number | null, window: Window, ctx: TriggerContext): TriggerResult {
    ctx.registerProcessingTimeTimer(window.maxTimestamp());
    return TriggerResult.CONTINUE;
  }
  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.FIRE;
  }
  clear(window: Window, ctx: TriggerContext): void {
    ctx.deleteProcessingTimeTimer(window.maxTimestamp());
  }
  override canMerge(): boolean {
    return true;
  }
  override onMerge(window: Window, ctx: OnMergeContext): void {
    const max = window.maxTimestamp();
    if (max > ctx.getCurrentProcessingTime()) ctx.registerProcessingTimeTimer(max);
  }
  toString(): string {
    return 'ProcessingTimeTrigger()';
  }
}
