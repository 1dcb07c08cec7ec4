/**
 * Flink's StreamingJoinOperator (flink-table-runtime, operators/join/stream) for a regular join of two
 * insert-only inputs, keyed by the equi-join key. Both inputs are kept in keyed state — each row with
 * how many times it arrived (Flink's JoinRecordStateView without a unique key) and, on the outer side
 * of a LEFT join, how many rows of the other side it joined (`numOfAssociations`):
 *
 * - a row joins every stored row of the other side that satisfies the remaining condition: `+I` each;
 * - LEFT JOIN, a left row without a partner: `+I` with NULLs for the right side;
 * - LEFT JOIN, the first right partner of a left row that was emitted with NULLs: `-D` of the
 *   NULL-padded row, then `+I` of the joined row.
 *
 * Nothing ever leaves this state without `table.exec.state.ttl`: it grows with every input row. With a
 * TTL each side's rows expire that long after they were written, and a later row no longer finds them.
 *
 * A two-input operator (`left.connect(right).keyBy(…, …).process(…)`): each input hash-partitioned by
 * its join key, as Flink's two Exchanges.
 */
import type { Collector, RuntimeContext } from '../../engine/api/functions';
import type { KeyedCoProcessFunction } from '../../engine/api/CoProcessFunction';
import { Types } from '../../engine/api/typeinfo/Types';
import type { MapState } from '../../engine/state/State';
import { MapStateDescriptor } from '../../engine/state/StateDescriptor';
import { StateTtlConfig } from '../../engine/state/ttl/StateTtlConfig';
import type { SqlValue } from '../ast';
import type { Row } from '../planner/expressions';
import type { RowData } from './RowData';

interface StoredRow {
  row: SqlValue[];
  count: number;
  /** Outer side only: rows of the other side it joined. */
  assoc: number;
}

type JoinKey = string | number | boolean;

export class StreamingJoinOperator implements KeyedCoProcessFunction<JoinKey, RowData, RowData, RowData> {
  private leftState!: MapState<string, StoredRow>;
  private rightState!: MapState<string, StoredRow>;

  constructor(
    private readonly joinType: 'INNER' | 'LEFT',
    private readonly rightArity: number,
    /** The non-equi part of ON over the joined row; null when the keys are all of it. */
    private readonly condition: ((row: Row) => SqlValue) | null,
    private readonly stateRetentionTimeMs: number,
  ) {}

  open(ctx: RuntimeContext): void {
    const desc = (name: string) => {
      const d = new MapStateDescriptor<string, StoredRow>(name, Types.STRING, Types.GENERIC<StoredRow>());
      if (this.stateRetentionTimeMs > 0)
        d.enableTimeToLive(StateTtlConfig.newBuilder(this.stateRetentionTimeMs).build());
      return d;
    };
    this.leftState = ctx.getMapState(desc('left-records'));
    this.rightState = ctx.getMapState(desc('right-records'));
  }

  private matches(left: SqlValue[], right: SqlValue[]): boolean {
    return this.condition === null || this.condition([...left, ...right]) === true;
  }

  /** A row of the left input. */
  processElement1(input: RowData, _ctx: unknown, out: Collector<RowData>): void {
    this.process(input, 0, out);
  }

  /** A row of the right input. */
  processElement2(input: RowData, _ctx: unknown, out: Collector<RowData>): void {
    this.process(input, 1, out);
  }

  private process(input: RowData, side: 0 | 1, out: Collector<RowData>): void {
    if (input.kind !== '+I') throw new Error('StreamingJoinOperator needs insert-only inputs');
    const nullRight = new Array<SqlValue>(this.rightArity).fill(null);
    const key = JSON.stringify(input.row);
    if (side === 0) {
      let assoc = 0;
      for (const [, r] of this.rightState.entries()) {
        if (!this.matches(input.row, r.row)) continue;
        for (let i = 0; i < r.count; i++) out.collect({ kind: '+I', row: [...input.row, ...r.row] });
        assoc += r.count;
      }
      if (this.joinType === 'LEFT' && assoc === 0)
        out.collect({ kind: '+I', row: [...input.row, ...nullRight] });
      const stored = this.leftState.get(key);
      this.leftState.put(key, {
        row: input.row,
        count: (stored?.count ?? 0) + 1,
        assoc: Math.max(stored?.assoc ?? 0, assoc),
      });
    } else {
      const stored = this.rightState.get(key);
      this.rightState.put(key, { row: input.row, count: (stored?.count ?? 0) + 1, assoc: 0 });
      for (const [k, l] of this.leftState.entries()) {
        if (!this.matches(l.row, input.row)) continue;
        for (let i = 0; i < l.count; i++) {
          if (this.joinType === 'LEFT' && l.assoc === 0)
            out.collect({ kind: '-D', row: [...l.row, ...nullRight] });
          out.collect({ kind: '+I', row: [...l.row, ...input.row] });
        }
        if (this.joinType === 'LEFT') this.leftState.put(k, { ...l, assoc: l.assoc + 1 });
      }
    }
  }
}
