/**
 * Flink's FieldAccessor (FieldAccessorFactory): reads and writes the field an aggregation works on —
 * by name on an object (a POJO or a row), by index on an array (a tuple), and position 0 of a plain
 * number/string/boolean (Flink's SimpleFieldAccessor on a basic type). `set` returns a copy: the
 * aggregate kept in state must not share an object with a record already sent downstream.
 */
export type FieldExpression = string | number;

export interface FieldAccessor {
  get(value: unknown): unknown;
  set(value: unknown, field: unknown): unknown;
}

export function fieldAccessor(field: FieldExpression): FieldAccessor {
  const describe = typeof field === 'number' ? `position ${field}` : `field '${field}'`;
  const check = (value: unknown): void => {
    if (value === null || value === undefined)
      throw new Error(`cannot aggregate ${describe} of ${String(value)}`);
  };
  return {
    get(value) {
      check(value);
      if (typeof value !== 'object') {
        if (field !== 0)
          throw new Error(
            `Aggregating on ${describe} is not possible: a ${typeof value} value has only position 0 (Flink's 'Invalid field position')`,
          );
        return value;
      }
      const v = (value as Record<string | number, unknown>)[field];
      if (v === undefined)
        throw new Error(
          Array.isArray(value)
            ? `Aggregating on ${describe} is not possible: the tuple has ${value.length} fields`
            : `Aggregating on ${describe} is not possible: the value has no such field (${Object.keys(value as object).join(', ')})`,
        );
      return v;
    },
    set(value, fieldValue) {
      if (typeof value !== 'object' || value === null) return fieldValue;
      if (Array.isArray(value)) {
        const copy = value.slice();
        copy[field as number] = fieldValue;
        return copy;
      }
      return { ...(value as object), [field]: fieldValue };
    },
  };
}

/** Flink's Comparable ordering for the values aggregations compare: numbers, strings, booleans, bigints. */
export function compareFieldValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  throw new Error(`cannot compare ${typeof a} with ${typeof b}: the field must be Comparable`);
}
