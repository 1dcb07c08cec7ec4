/**
 * Flink's Calc: a projection and a filter in one stateless operator. It keeps the row kind: a `-U`
 * whose row fails the condition is dropped like any other row (as in Flink).
 */
import type { Collector, FlatMapFunctionObject } from '../../engine/api/functions';
import type { SqlValue } from '../ast';
import type { Row } from '../planner/expressions';
import type { RowData } from './RowData';

export class CalcFunction implements FlatMapFunctionObject<RowData, RowData> {
  constructor(
    private readonly projections: ReadonlyArray<(row: Row) => SqlValue>,
    private readonly condition: ((row: Row) => SqlValue) | null,
  ) {}

  flatMap(input: RowData, out: Collector<RowData>): void {
    if (this.condition && this.condition(input.row) !== true) return;
    const row = this.projections.map((p) => p(input.row));
    out.collect({ kind: input.kind, row });
  }
}
