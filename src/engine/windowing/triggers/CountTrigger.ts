/**
 * Flink's CountTrigger: fires when a window's element count reaches `maxCount` and starts counting
 * again; the count is a ReducingState ("count", a sum) in the window's namespace.
 */
import { Types } from '../../api/typeinfo/Types';
import type { ReducingState } from '../../state/State';
import { ReducingStateDescriptor, type StateDescriptor } from '../../state/StateDescriptor';
import type { Window } from '../windows/Window';
import { Trigger, TriggerResult, type OnMergeContext, type TriggerContext } from './Trigger';

export class CountTrigger extends Trigger<unknown, Window> {
  private readonly stateDesc = new ReducingStateDescriptor<number>('count', (a, b) => a + b, Types.LONG);
  private constructor(private readonly maxCount: number) {
    super();
  }
  static of(maxCount: number): CountTrigger {
    if (!Number.isInteger(maxCount) || maxCount < 1)
      throw new Error(`CountTrigger needs a positive count, got ${maxCount}`);
    return new CountTrigger(maxCount);
  }
  onElement(_e: unknown, _ts: number | null, _w: Window, ctx: TriggerContext): TriggerResult {
    const count = ctx.getPartitionedState<ReducingState<number>>(this.stateDesc);
    count.add(1);
    if ((count.get() ?? 0) >= this.maxCount) {
      count.clear();
      return TriggerResult.FIRE;
    }
    return TriggerResult.CONTINUE;
  }
  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  clear(_w: Window, ctx: TriggerContext): void {
    ctx.getPartitionedState<ReducingState<number>>(this.stateDesc).clear();
  }
  override declaredStates(): StateDescriptor[] {
    return [this.stateDesc];
  }
  override canMerge(): boolean {
    return true;
  }
  override onMerge(_w: Window, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(this.stateDesc);
  }
  toString(): string {
    return `CountTrigger(${this.maxCount})`;
  }
}
