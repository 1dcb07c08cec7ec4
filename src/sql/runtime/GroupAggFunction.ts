/**
 * Flink's GroupAggFunction (flink-table-runtime, operators/aggregate): a non-windowed GROUP BY. One
 * accumulator per key in keyed state (`accState`); for every input row it emits the change of the
 * key's result row, exactly as Flink's processElement:
 *
 * - first row of a key: `+I` (the new result);
 * - later rows: `-U` (previous result; only when update-before is needed) then `+U` (new result) —
 *   nothing at all if the result did not change and no state TTL is set;
 * - the key's last row retracted: `-D` (previous result) and the state is cleared;
 * - a retraction for a key without state (never seen, or expired by TTL) is ignored.
 *
 * With `table.exec.state.ttl` the accumulator expires that long after its last write (processing
 * time, OnCreateAndWrite, NeverReturnExpired: Flink's `createTtlConfig`); the key then starts again
 * with `+I`.
 */
import type {
  Collector,
  KeyedProcessContext,
  KeyedProcessFunction,
  RuntimeContext,
} from '../../engine/api/functions';
import { Types } from '../../engine/api/typeinfo/Types';
import type { ValueState } from '../../engine/state/State';
import { ValueStateDescriptor } from '../../engine/state/StateDescriptor';
import { StateTtlConfig } from '../../engine/state/ttl/StateTtlConfig';
import type { SqlValue } from '../ast';
import { AggsHandler, type AggCall, type Accumulators } from './AggsHandler';
import { isAccumulate, type RowData } from './RowData';

export class GroupAggFunction implements KeyedProcessFunction<string | number | boolean, RowData, RowData> {
  private accState!: ValueState<Accumulators>;
  // Created in open(): each subtask's copy of this function is a structured clone of its data fields.
  private handler!: AggsHandler;

  constructor(
    private readonly keyIndexes: readonly number[],
    private readonly calls: readonly AggCall[],
    private readonly generateUpdateBefore: boolean,
    private readonly stateRetentionTimeMs: number,
  ) {}

  open(ctx: RuntimeContext): void {
    this.handler = new AggsHandler(this.calls);
    // Flink keeps a RowData of the accumulators (InternalTypeInfo); here a JSON object.
    const desc = new ValueStateDescriptor<Accumulators>('accState', Types.GENERIC<Accumulators>());
    if (this.stateRetentionTimeMs > 0)
      desc.enableTimeToLive(StateTtlConfig.newBuilder(this.stateRetentionTimeMs).build());
    this.accState = ctx.getState(desc);
  }

  processElement(
    input: RowData,
    _ctx: KeyedProcessContext<string | number | boolean>,
    out: Collector<RowData>,
  ): void {
    const key: SqlValue[] = this.keyIndexes.map((i) => input.row[i]);
    let acc = this.accState.value();
    let firstRow = false;
    if (acc === null) {
      if (!isAccumulate(input.kind)) return;
      firstRow = true;
      acc = this.handler.createAccumulators();
    }
    const prev = this.handler.getValue(acc);
    acc = isAccumulate(input.kind)
      ? this.handler.accumulate(acc, input.row)
      : this.handler.retract(acc, input.row);
    const next = this.handler.getValue(acc);
    if (acc.count > 0) {
      this.accState.update(acc);
      if (firstRow) {
        out.collect({ kind: '+I', row: [...key, ...next] });
        return;
      }
      if (this.stateRetentionTimeMs <= 0 && JSON.stringify(prev) === JSON.stringify(next)) return;
      if (this.generateUpdateBefore) out.collect({ kind: '-U', row: [...key, ...prev] });
      out.collect({ kind: '+U', row: [...key, ...next] });
    } else {
      if (!firstRow) out.collect({ kind: '-D', row: [...key, ...prev] });
      this.accState.clear();
    }
  }
}
