/**
 * The aggregate functions of a GroupAggregate / WindowAggregate (Flink's generated AggsHandleFunction):
 * create the accumulators, accumulate or retract a row, read the current values. The accumulators of
 * one key are one state value, as Flink keeps one accumulator row per key (`accState`).
 */
import type { SqlType, SqlValue } from '../ast';
import type { Row } from '../planner/expressions';

export type AggKind = 'COUNT' | 'SUM' | 'MIN' | 'MAX' | 'AVG';

export interface AggCall {
  fn: AggKind;
  /** Index of the argument in the input row; null for COUNT(*). */
  arg: number | null;
  distinct: boolean;
  /** The result type (COUNT: BIGINT; SUM/MIN/MAX/AVG: the argument's type, as in Flink). */
  type: SqlType;
  /** How EXPLAIN prints it: COUNT(*), SUM(amount), COUNT(DISTINCT user_id). */
  digest: string;
}

/** One aggregate's accumulator: a count, a sum with its count, an extreme, or a distinct-value map. */
export type Acc =
  number | { sum: number; n: number } | { v: SqlValue } | { seen: Record<string, number>; n: number };

/** All accumulators of a key, plus how many rows it holds (Flink's RecordCounter, COUNT(*)). */
export interface Accumulators {
  count: number;
  accs: Acc[];
}

export class AggsHandler {
  constructor(readonly calls: readonly AggCall[]) {}

  createAccumulators(): Accumulators {
    return {
      count: 0,
      accs: this.calls.map((c): Acc => {
        if (c.distinct) return { seen: {}, n: 0 };
        if (c.fn === 'COUNT') return 0;
        if (c.fn === 'SUM' || c.fn === 'AVG') return { sum: 0, n: 0 };
        return { v: null };
      }),
    };
  }

  /** A new accumulator object (state values are never mutated in place). */
  accumulate(acc: Accumulators, row: Row): Accumulators {
    return this.apply(acc, row, 1);
  }

  retract(acc: Accumulators, row: Row): Accumulators {
    return this.apply(acc, row, -1);
  }

  private apply(acc: Accumulators, row: Row, sign: 1 | -1): Accumulators {
    return {
      count: acc.count + sign,
      accs: this.calls.map((c, i) => {
        const a = acc.accs[i];
        const v = c.arg === null ? 1 : row[c.arg];
        if (v === null) return a; // aggregates skip NULL (COUNT(x) counts non-null x)
        if (c.distinct) {
          const d = a as { seen: Record<string, number>; n: number };
          const k = JSON.stringify(v);
          const before = d.seen[k] ?? 0;
          const after = before + sign;
          const seen = { ...d.seen };
          if (after <= 0) delete seen[k];
          else seen[k] = after;
          const n = d.n + (before === 0 && after > 0 ? 1 : before > 0 && after <= 0 ? -1 : 0);
          return { seen, n };
        }
        switch (c.fn) {
          case 'COUNT':
            return (a as number) + sign;
          case 'SUM':
          case 'AVG': {
            const s = a as { sum: number; n: number };
            return { sum: s.sum + sign * (v as number), n: s.n + sign };
          }
          case 'MIN':
          case 'MAX': {
            // Insert-only input (the planner checks): no retraction of an extreme.
            const cur = (a as { v: SqlValue }).v;
            if (cur === null) return { v };
            const less = (v as number | string) < (cur as number | string);
            return { v: (c.fn === 'MIN' ? less : !less && v !== cur) ? v : cur };
          }
        }
      }),
    };
  }

  /** The accumulators of two merged session windows (Flink's AggsHandleFunction.merge). */
  merge(x: Accumulators, y: Accumulators): Accumulators {
    return {
      count: x.count + y.count,
      accs: this.calls.map((c, i) => {
        const a = x.accs[i];
        const b = y.accs[i];
        if (c.distinct) {
          const seen = { ...(a as { seen: Record<string, number> }).seen };
          for (const [k, n] of Object.entries((b as { seen: Record<string, number> }).seen))
            seen[k] = (seen[k] ?? 0) + n;
          return { seen, n: Object.keys(seen).length };
        }
        switch (c.fn) {
          case 'COUNT':
            return (a as number) + (b as number);
          case 'SUM':
          case 'AVG': {
            const [p, q] = [a as { sum: number; n: number }, b as { sum: number; n: number }];
            return { sum: p.sum + q.sum, n: p.n + q.n };
          }
          case 'MIN':
          case 'MAX': {
            const [p, q] = [(a as { v: SqlValue }).v, (b as { v: SqlValue }).v];
            if (p === null) return { v: q };
            if (q === null) return { v: p };
            const less = (q as number | string) < (p as number | string);
            return { v: (c.fn === 'MIN' ? less : !less && q !== p) ? q : p };
          }
        }
      }),
    };
  }

  getValue(acc: Accumulators): SqlValue[] {
    return this.calls.map((c, i) => {
      const a = acc.accs[i];
      if (c.distinct) {
        const d = a as { seen: Record<string, number>; n: number };
        if (c.fn === 'COUNT') return d.n;
        const values = Object.keys(d.seen).map((k) => JSON.parse(k) as number);
        if (values.length === 0) return null;
        const sum = values.reduce((x, y) => x + y, 0);
        if (c.fn === 'SUM') return sum;
        if (c.fn === 'AVG') return integral(c.type) ? Math.trunc(sum / values.length) : sum / values.length;
        return c.fn === 'MIN' ? Math.min(...values) : Math.max(...values);
      }
      switch (c.fn) {
        case 'COUNT':
          return a as number;
        case 'SUM': {
          const s = a as { sum: number; n: number };
          return s.n === 0 ? null : s.sum;
        }
        case 'AVG': {
          const s = a as { sum: number; n: number };
          if (s.n === 0) return null;
          // AVG of an integer column is an integer in Flink (the division truncates).
          return integral(c.type) ? Math.trunc(s.sum / s.n) : s.sum / s.n;
        }
        default:
          return (a as { v: SqlValue }).v;
      }
    });
  }
}

function integral(t: SqlType): boolean {
  return t.name === 'INT' || t.name === 'BIGINT';
}
