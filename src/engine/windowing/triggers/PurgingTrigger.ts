/** Flink's PurgingTrigger: turns every FIRE of the nested trigger into FIRE_AND_PURGE. */
import type { StateDescriptor } from '../../state/StateDescriptor';
import type { Window } from '../windows/Window';
import { Trigger, TriggerResult, type OnMergeContext, type TriggerContext } from './Trigger';

export class PurgingTrigger<T, W extends Window> extends Trigger<T, W> {
  private constructor(private readonly nested: Trigger<T, W>) {
    super();
  }
  static of<T, W extends Window>(nested: Trigger<T, W>): PurgingTrigger<T, W> {
    return new PurgingTrigger(nested);
  }
  private static purging(r: TriggerResult): TriggerResult {
    return r.isFire() ? TriggerResult.FIRE_AND_PURGE : r;
  }
  onElement(e: T, ts: number | null, w: W, ctx: TriggerContext): TriggerResult {
    return PurgingTrigger.purging(this.nested.onElement(e, ts, w, ctx));
  }
  onEventTime(time: number, w: W, ctx: TriggerContext): TriggerResult {
    return PurgingTrigger.purging(this.nested.onEventTime(time, w, ctx));
  }
  onProcessingTime(time: number, w: W, ctx: TriggerContext): TriggerResult {
    return PurgingTrigger.purging(this.nested.onProcessingTime(time, w, ctx));
  }
  clear(w: W, ctx: TriggerContext): void {
    this.nested.clear(w, ctx);
  }
  override declaredStates(): StateDescriptor[] {
    return this.nested.declaredStates();
  }
  override canMerge(): boolean {
    return this.nested.canMerge();
  }
  override onMerge(w: W, ctx: OnMergeContext): void {
    this.nested.onMerge(w, ctx);
  }
  toString(): string {
    return `PurgingTrigger(${this.nested.toString()})`;
  }
}
