/**
 * Flink's AppendOnlyTopNFunction (flink-table-runtime, operators/rank): `ROW_NUMBER() OVER (PARTITION
 * BY … ORDER BY …)` filtered on `rn <= N` over an insert-only input. Per partition key it keeps the
 * rows that can still be in the top N in a MapState from sort key to the rows with that sort key
 * (`data-state-with-append`, rows in arrival order), and emits what changed:
 *
 * - without the rank number in the output: `+I` for a row entering the top N and `-D` for the row
 *   it pushes out;
 * - with the rank number: for each rank from the new row's down, `-U` (old row at that rank) and `+U`
 *   (the row now there), and `+I` for a rank that was empty.
 *
 * A row whose sort key is not better than the worst of a full top N is dropped without a trace
 * (Flink's `checkSortKeyInBufferRange`); equal sort keys keep arrival order.
 */
import type {
  Collector,
  KeyedProcessContext,
  KeyedProcessFunction,
  RuntimeContext,
} from '../../engine/api/functions';
import { Types } from '../../engine/api/typeinfo/Types';
import type { MapState } from '../../engine/state/State';
import { MapStateDescriptor } from '../../engine/state/StateDescriptor';
import { StateTtlConfig } from '../../engine/state/ttl/StateTtlConfig';
import type { SqlValue } from '../ast';
import type { RowData } from './RowData';

export interface SortKey {
  index: number;
  desc: boolean;
}

type Bucket = [SqlValue[], SqlValue[][]];

function cmpValue(a: SqlValue, b: SqlValue): number {
  // NULLS FIRST for ascending order, as Flink's default for ASC.
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return Number(a) - Number(b);
}

export class AppendOnlyTopNFunction implements KeyedProcessFunction<
  string | number | boolean,
  RowData,
  RowData
> {
  private dataState!: MapState<string, SqlValue[][]>;

  constructor(
    private readonly sortKeys: readonly SortKey[],
    private readonly rankEnd: number,
    private readonly outputRankNumber: boolean,
    private readonly stateRetentionTimeMs: number,
  ) {}

  open(ctx: RuntimeContext): void {
    const desc = new MapStateDescriptor<string, SqlValue[][]>(
      'data-state-with-append',
      Types.STRING,
      Types.GENERIC<SqlValue[][]>(),
    );
    if (this.stateRetentionTimeMs > 0)
      desc.enableTimeToLive(StateTtlConfig.newBuilder(this.stateRetentionTimeMs).build());
    this.dataState = ctx.getMapState(desc);
  }

  private compare(a: SqlValue[], b: SqlValue[]): number {
    for (let i = 0; i < this.sortKeys.length; i++) {
      const c = cmpValue(a[i], b[i]);
      if (c !== 0) return this.sortKeys[i].desc ? -c : c;
    }
    return 0;
  }

  /** The buffer (Flink's TopNBuffer) read from state: sort keys in order, rows in arrival order. */
  private buffer(): Bucket[] {
    const out: Bucket[] = [];
    for (const [k, rows] of this.dataState.entries()) out.push([JSON.parse(k) as SqlValue[], rows]);
    return out.sort((a, b) => this.compare(a[0], b[0]));
  }

  processElement(
    input: RowData,
    _ctx: KeyedProcessContext<string | number | boolean>,
    out: Collector<RowData>,
  ): void {
    if (input.kind !== '+I') throw new Error('AppendOnlyTopNFunction needs an insert-only input');
    const sortKey = this.sortKeys.map((s) => input.row[s.index]);
    const buffer = this.buffer();
    const size = buffer.reduce((n, [, rows]) => n + rows.length, 0);
    const worst = buffer[buffer.length - 1];
    if (worst && this.compare(sortKey, worst[0]) >= 0 && size >= this.rankEnd) return;
    const keyText = JSON.stringify(sortKey);
    let bucket = buffer.find(([k]) => this.compare(k, sortKey) === 0);
    if (!bucket) {
      bucket = [sortKey, []];
      buffer.push(bucket);
      buffer.sort((a, b) => this.compare(a[0], b[0]));
    }
    bucket[1] = [...bucket[1], input.row];
    this.dataState.put(keyText, bucket[1]);
    if (this.outputRankNumber) this.withRowNumber(buffer, sortKey, input.row, out);
    else this.withoutRowNumber(buffer, input.row, out);
  }

  private withRowNumber(
    buffer: Bucket[],
    sortKey: SqlValue[],
    input: SqlValue[],
    out: Collector<RowData>,
  ): void {
    let rank = 0;
    let found = false;
    let current: SqlValue[] = input;
    let i = 0;
    for (; i < buffer.length && rank <= this.rankEnd; i++) {
      const [k, rows] = buffer[i];
      if (!found && this.compare(k, sortKey) === 0) {
        rank += rows.length;
        current = input;
        found = true;
      } else if (found) {
        let j = 0;
        for (; j < rows.length && rank <= this.rankEnd; j++) {
          const prev = rows[j];
          out.collect({ kind: '-U', row: [...prev, rank] });
          out.collect({ kind: '+U', row: [...current, rank] });
          current = prev;
          rank++;
        }
      } else {
        rank += rows.length;
      }
    }
    if (rank <= this.rankEnd) out.collect({ kind: '+I', row: [...current, rank] });
    // Sort keys beyond the top N can never come back: drop them from state.
    for (; i < buffer.length; i++) this.dataState.remove(JSON.stringify(buffer[i][0]));
  }

  private withoutRowNumber(buffer: Bucket[], input: SqlValue[], out: Collector<RowData>): void {
    const size = buffer.reduce((n, [, rows]) => n + rows.length, 0);
    if (size > this.rankEnd) {
      const last = buffer[buffer.length - 1];
      const [lastKey, lastRows] = last;
      const lastElement = lastRows[lastRows.length - 1];
      if (lastRows.length <= 1) this.dataState.remove(JSON.stringify(lastKey));
      else this.dataState.put(JSON.stringify(lastKey), lastRows.slice(0, -1));
      if (lastElement === input) return;
      out.collect({ kind: '-D', row: lastElement });
    }
    out.collect({ kind: '+I', row: input });
  }
}
