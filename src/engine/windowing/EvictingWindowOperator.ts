/**
 * Flink's EvictingWindowOperator: with an evictor the window keeps every element with its timestamp
 * (a ListState of TimestampedValues), and at firing the evictor may remove some before the function
 * runs (`evictBefore`) and after (`evictAfter`); what is left is written back as the window's state.
 * `reduce` / `aggregate` are then applied to the remaining elements at firing time.
 */
import type { OperatorContext } from '../runtime/operators';
import type { ListState } from '../state/State';
import type { Evictor, EvictorContext, TimestampedValue } from './evictors/Evictor';
import { WindowOperator, type WindowOperatorSpec } from './WindowOperator';
import type { Window } from './windows/Window';

export class EvictingWindowOperator extends WindowOperator {
  private readonly evictor: Evictor;
  private readonly evictorContext: EvictorContext = {
    getCurrentProcessingTime: () => this.ctx.now(),
    getCurrentWatermark: () => this.ctx.currentWatermark(),
  };

  constructor(ctx: OperatorContext, spec: WindowOperatorSpec) {
    super(ctx, spec);
    if (spec.evictor === null) throw new Error('EvictingWindowOperator needs an evictor');
    this.evictor = spec.evictor;
  }

  private list(namespace: string): ListState<TimestampedValue<unknown>> {
    return this.windowState(namespace) as ListState<TimestampedValue<unknown>>;
  }

  protected override addToWindowState(namespace: string, value: unknown, timestamp: number | null): void {
    this.list(namespace).add({ value, timestamp });
  }

  protected override contents(namespace: string): unknown {
    const list = [...this.list(namespace).get()];
    return list.length === 0 ? null : list;
  }

  protected override emitWindowContents(window: Window, contents: unknown, stateNs: string): void {
    const records = (contents as Array<TimestampedValue<unknown>>).map((r) => ({ ...r }));
    this.evictor.evictBefore(records, records.length, window, this.evictorContext);
    const values = records.map((r) => r.value);
    const fn = this.fn;
    let result: unknown[] | null = null;
    if (fn.kind === 'reduce') {
      if (values.length > 0) {
        const reduce = fn.reduce;
        result = [
          values.reduce((a, b) => (typeof reduce === 'function' ? reduce(a, b) : reduce.reduce(a, b))),
        ];
      }
    } else if (fn.kind === 'aggregate') {
      let acc = fn.aggregate.createAccumulator();
      for (const v of values) acc = fn.aggregate.add(v, acc);
      result = [fn.aggregate.getResult(acc)];
    } else result = values;
    // The plain operator's emission: `process` gets all elements, the others their one aggregate.
    if (result !== null)
      super.emitWindowContents(window, fn.kind === 'process' ? result : result[0], stateNs);
    this.evictor.evictAfter(records, records.length, window, this.evictorContext);
    // Flink (FLINK-4369): the state becomes what is left after eviction.
    const state = this.list(stateNs);
    state.clear();
    if (records.length > 0) state.addAll(records);
  }
}
