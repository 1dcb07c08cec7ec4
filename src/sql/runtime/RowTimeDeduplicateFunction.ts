/**
 * Flink's RowTimeDeduplicateFunction (flink-table-runtime, operators/deduplicate): deduplication
 * ordered by a rowtime attribute, `ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts ASC|DESC) = 1`
 * without the row number in the output. One row per key in keyed state (`deduplicate-state`), and
 * `DeduplicateFunctionHelper.deduplicateOnRowTime`:
 *
 * - keep first (ASC): a row replaces the kept one only if its rowtime is strictly earlier;
 * - keep last (DESC): a row replaces the kept one if its rowtime is at or after the kept one's;
 * - the first row of a key: `+I`; a replacement: `-U` (the kept row, when update-before is needed)
 *   then `+U` (the new one). So both keep first and keep last are updating on rowtime (Flink's
 *   changelog inference: only proctime keep-first is insert-only): an out-of-order earlier row
 *   retracts the first row emitted.
 *
 * The lab plans keep last with it; keep first with RowTimeDeduplicateKeepFirstRowFunction, which
 * Flink 2.1+ uses for an insert-only keep first (FLINK-37005).
 *
 * With `table.exec.state.ttl` the kept row expires that long after its last write, and the key
 * starts again at `+I`.
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
import type { RowData } from './RowData';

export class RowTimeDeduplicateFunction implements KeyedProcessFunction<
  string | number | boolean,
  RowData,
  RowData
> {
  private state!: ValueState<SqlValue[]>;

  constructor(
    private readonly rowtimeIndex: number,
    private readonly keepLastRow: boolean,
    private readonly generateUpdateBefore: boolean,
    private readonly stateRetentionTimeMs: number,
  ) {}

  open(ctx: RuntimeContext): void {
    const desc = new ValueStateDescriptor<SqlValue[]>('deduplicate-state', Types.GENERIC<SqlValue[]>());
    if (this.stateRetentionTimeMs > 0)
      desc.enableTimeToLive(StateTtlConfig.newBuilder(this.stateRetentionTimeMs).build());
    this.state = ctx.getState(desc);
  }

  processElement(
    input: RowData,
    _ctx: KeyedProcessContext<string | number | boolean>,
    out: Collector<RowData>,
  ): void {
    if (input.kind !== '+I') throw new Error('Deduplicate needs an insert-only input');
    const pre = this.state.value();
    const ts = input.row[this.rowtimeIndex] as number;
    const isDuplicate =
      pre === null ||
      (this.keepLastRow ? (pre[this.rowtimeIndex] as number) <= ts : ts < (pre[this.rowtimeIndex] as number));
    if (!isDuplicate) return;
    if (pre === null) out.collect({ kind: '+I', row: input.row });
    else {
      if (this.generateUpdateBefore) out.collect({ kind: '-U', row: pre });
      out.collect({ kind: '+U', row: input.row });
    }
    this.state.update(input.row);
  }
}
