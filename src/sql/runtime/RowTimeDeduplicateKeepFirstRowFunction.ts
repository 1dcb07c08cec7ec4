/**
 * Flink's RowTimeDeduplicateKeepFirstRowFunction (flink-table-runtime, operators/deduplicate; Flink
 * 2.1+, FLINK-37005): deduplication keeping the first row by rowtime,
 * `ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts ASC) = 1`, **insert-only**. Instead of emitting the
 * first row at once and retracting it when an earlier one turns up (the older RowTimeDeduplicateFunction,
 * still used for keep last), it waits for the watermark:
 *
 * - a row at or after the watermark that is earlier than the row waiting for its key (or the first)
 *   becomes the waiting row (`waiting-to-emit-on-timer`), with an event-time timer at its rowtime;
 * - when the watermark reaches it, the timer emits it `+I` — final — and marks the key
 *   (`already-emitted-state-boolean`): every later row of the key is dropped;
 * - a row behind the watermark is late and dropped.
 *
 * With `table.exec.state.ttl` only the "already emitted" mark expires (then the key may emit again);
 * the waiting row does not (the watermark clears it), as in Flink.
 */
import type {
  Collector,
  KeyedProcessContext,
  KeyedProcessFunction,
  OnTimerContext,
  RuntimeContext,
} from '../../engine/api/functions';
import { Types } from '../../engine/api/typeinfo/Types';
import type { ValueState } from '../../engine/state/State';
import { ValueStateDescriptor } from '../../engine/state/StateDescriptor';
import { StateTtlConfig } from '../../engine/state/ttl/StateTtlConfig';
import type { SqlValue } from '../ast';
import type { RowData } from './RowData';

type Key = string | number | boolean;

export class RowTimeDeduplicateKeepFirstRowFunction implements KeyedProcessFunction<Key, RowData, RowData> {
  private waiting!: ValueState<SqlValue[]>;
  private emitted!: ValueState<boolean>;

  constructor(
    private readonly rowtimeIndex: number,
    private readonly stateRetentionTimeMs: number,
  ) {}

  open(ctx: RuntimeContext): void {
    this.waiting = ctx.getState(
      new ValueStateDescriptor<SqlValue[]>('waiting-to-emit-on-timer', Types.GENERIC<SqlValue[]>()),
    );
    const desc = new ValueStateDescriptor<boolean>('already-emitted-state-boolean', Types.BOOLEAN);
    if (this.stateRetentionTimeMs > 0)
      desc.enableTimeToLive(StateTtlConfig.newBuilder(this.stateRetentionTimeMs).build());
    this.emitted = ctx.getState(desc);
  }

  processElement(input: RowData, ctx: KeyedProcessContext<Key>, _out: Collector<RowData>): void {
    if (input.kind !== '+I') throw new Error('Deduplicate needs an insert-only input');
    const rowtime = input.row[this.rowtimeIndex] as number;
    if (rowtime < ctx.timerService().currentWatermark()) return; // late
    if (this.emitted.value() === true) return; // the key's result is final
    const pre = this.waiting.value();
    if (pre !== null && !(rowtime < (pre[this.rowtimeIndex] as number))) return;
    if (pre !== null) ctx.timerService().deleteEventTimeTimer(pre[this.rowtimeIndex] as number);
    ctx.timerService().registerEventTimeTimer(rowtime);
    this.waiting.update(input.row);
  }

  onTimer(_timestamp: number, _ctx: OnTimerContext<Key>, out: Collector<RowData>): void {
    const row = this.waiting.value();
    if (row === null) return;
    out.collect({ kind: '+I', row });
    this.waiting.clear();
    this.emitted.update(true);
  }
}
