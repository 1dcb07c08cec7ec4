/**
 * Flink's ContinuousEventTimeTrigger: fires every `interval` of event time while the window is open
 * (aligned to multiples of the interval) and at the window's end. The next firing time is a
 * ReducingState ("fire-time", a min) in the window's namespace.
 */
import { toMillis, type DurationLike } from '../../api/Duration';
import { Types } from '../../api/typeinfo/Types';
import type { ReducingState } from '../../state/State';
import { ReducingStateDescriptor, type StateDescriptor } from '../../state/StateDescriptor';
import type { Window } from '../windows/Window';
import { Trigger, TriggerResult, type OnMergeContext, type TriggerContext } from './Trigger';

export class ContinuousEventTimeTrigger extends Trigger<unknown, Window> {
  private readonly stateDesc = new ReducingStateDescriptor<number>(
    'fire-time',
    (a, b) => Math.min(a, b),
    Types.LONG,
  );
  private constructor(private readonly interval: number) {
    super();
  }
  static of(interval: DurationLike): ContinuousEventTimeTrigger {
    const ms = toMillis(interval);
    if (!(ms > 0)) throw new Error(`ContinuousEventTimeTrigger needs a positive interval, got ${ms} ms`);
    return new ContinuousEventTimeTrigger(ms);
  }
  onElement(_e: unknown, timestamp: number | null, window: Window, ctx: TriggerContext): TriggerResult {
    if (window.maxTimestamp() <= ctx.getCurrentWatermark()) return TriggerResult.FIRE;
    ctx.registerEventTimeTimer(window.maxTimestamp());
    const fireTimestamp = ctx.getPartitionedState<ReducingState<number>>(this.stateDesc);
    if (fireTimestamp.get() === null) {
      const ts = timestamp ?? 0;
      this.registerNextFireTimestamp(ts - (ts % this.interval), window, ctx, fireTimestamp);
    }
    return TriggerResult.CONTINUE;
  }
  onEventTime(time: number, window: Window, ctx: TriggerContext): TriggerResult {
    if (time === window.maxTimestamp()) return TriggerResult.FIRE;
    const fireTimestamp = ctx.getPartitionedState<ReducingState<number>>(this.stateDesc);
    if (fireTimestamp.get() === time) {
      fireTimestamp.clear();
      this.registerNextFireTimestamp(time, window, ctx, fireTimestamp);
      return TriggerResult.FIRE;
    }
    return TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  clear(_w: Window, ctx: TriggerContext): void {
    const fireTimestamp = ctx.getPartitionedState<ReducingState<number>>(this.stateDesc);
    const t = fireTimestamp.get();
    if (t !== null) {
      ctx.deleteEventTimeTimer(t);
      fireTimestamp.clear();
    }
  }
  override declaredStates(): StateDescriptor[] {
    return [this.stateDesc];
  }
  override canMerge(): boolean {
    return true;
  }
  override onMerge(_w: Window, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(this.stateDesc);
    const next = ctx.getPartitionedState<ReducingState<number>>(this.stateDesc).get();
    if (next !== null) ctx.registerEventTimeTimer(next);
  }
  private registerNextFireTimestamp(
    time: number,
    window: Window,
    ctx: TriggerContext,
    state: ReducingState<number>,
  ): void {
    const next = Math.min(time + this.interval, window.maxTimestamp());
    state.add(next);
    ctx.registerEventTimeTimer(next);
  }
  toString(): string {
    return `ContinuousEventTimeTrigger(${this.interval})`;
  }
}
