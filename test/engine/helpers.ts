/** Helpers the engine tests share: picking trace events by type, and a small keyed counter. */
import {
  ValueStateDescriptor,
  type RuntimeContext,
  type TraceEvent,
  type ValueState,
} from '../../src/engine/index';

export type Ev<T extends TraceEvent['type']> = Extract<TraceEvent, { type: T }>;

export function ofType<T extends TraceEvent['type']>(events: readonly TraceEvent[], type: T): Ev<T>[] {
  return events.filter((e): e is Ev<T> => e.type === type);
}

/** Counts records per key `k` in a ValueState named `n`; emits [key, count]. */
export class CountByK {
  private n!: ValueState<number>;
  open(ctx: RuntimeContext): void {
    this.n = ctx.getState(new ValueStateDescriptor<number>('n'));
  }
  map(x: { k: string }): [string, number] {
    const n = (this.n.value() ?? 0) + 1;
    this.n.update(n);
    return [x.k, n];
  }
}
