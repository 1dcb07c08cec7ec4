/**
 * Flink's ComparableAggregator with its Comparators (`keyed.min/max/minBy/maxBy(field)`):
 *
 * - `min` / `max` (not by aggregate): the result is always value1 with the field replaced by
 *   value2's when value1's is not strictly smaller (min) / larger (max) — the other fields stay the
 *   first record's;
 * - `minBy` / `maxBy`: the whole record holding the extreme; on a tie the first one (`first`, the
 *   default of `minBy(field)`) or the latest (`minBy(field, false)`).
 */
import type { ReduceFunction } from '../../state/StateDescriptor';
import { compareFieldValues, fieldAccessor, type FieldAccessor, type FieldExpression } from './FieldAccessor';

export type AggregationType = 'MIN' | 'MAX' | 'MINBY' | 'MAXBY';

/** Flink's Comparator.isExtremal: 1 = o1 is the extreme; 0 = not (min/max) or a tie (…By); -1 = o2 is (…By). */
function isExtremal(type: AggregationType, o1: unknown, o2: unknown): number {
  const c = compareFieldValues(o1, o2);
  switch (type) {
    case 'MAX':
      return c > 0 ? 1 : 0;
    case 'MIN':
      return c < 0 ? 1 : 0;
    case 'MAXBY':
      return c > 0 ? 1 : c === 0 ? 0 : -1;
    case 'MINBY':
      return c < 0 ? 1 : c === 0 ? 0 : -1;
  }
}

export class ComparableAggregator<T> implements Exclude<ReduceFunction<T>, (a: T, b: T) => T> {
  private readonly accessor: FieldAccessor;
  private readonly byAggregate: boolean;
  constructor(
    readonly field: FieldExpression,
    readonly aggregationType: AggregationType,
    readonly first = false,
  ) {
    this.accessor = fieldAccessor(field);
    this.byAggregate = aggregationType === 'MINBY' || aggregationType === 'MAXBY';
  }
  reduce(value1: T, value2: T): T {
    const o1 = this.accessor.get(value1);
    const o2 = this.accessor.get(value2);
    const c = isExtremal(this.aggregationType, o1, o2);
    if (this.byAggregate) {
      if (c === 0) return this.first ? value1 : value2;
      return c === 1 ? value1 : value2;
    }
    return c === 0 ? (this.accessor.set(value1, o2) as T) : value1;
  }
}
