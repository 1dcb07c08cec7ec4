/**
 * Flink's SumAggregator (`keyed.sum(field)`): `reduce(value1, value2)` returns value1 with the field
 * set to value1.field + value2.field — so every other field stays the first record's.
 */
import type { ReduceFunction } from '../../state/StateDescriptor';
import { fieldAccessor, type FieldAccessor, type FieldExpression } from './FieldAccessor';

export class SumAggregator<T> implements Exclude<ReduceFunction<T>, (a: T, b: T) => T> {
  private readonly accessor: FieldAccessor;
  constructor(readonly field: FieldExpression) {
    this.accessor = fieldAccessor(field);
  }
  reduce(value1: T, value2: T): T {
    const a = this.accessor.get(value1);
    const b = this.accessor.get(value2);
    let sum: unknown;
    if (typeof a === 'number' && typeof b === 'number') sum = a + b;
    else if (typeof a === 'bigint' && typeof b === 'bigint') sum = a + b;
    else throw new Error(`Sum aggregation on field ${String(this.field)}: ${typeof a} is not a numeric type`);
    return this.accessor.set(value1, sum) as T;
  }
}
