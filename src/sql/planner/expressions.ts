/**
 * Scalar expressions: resolved against an input schema, typed, and compiled into a function over a
 * row (an array of values, positional as Flink's RowData). The digest is how EXPLAIN prints the
 * expression, in Calcite's style: calls as `op(arg, …)`, fields by name, `CASE(c, a, b)`.
 *
 * NULL follows SQL: an operator with a NULL operand gives NULL; AND/OR are three-valued; WHERE keeps
 * a row only when its condition is TRUE.
 */
import type { Expr, Pos, SqlType, SqlValue } from '../ast';
import { invalid, unsupported } from '../SqlError';
import { formatTimestamp, isNumeric, typeToString, widerNumeric } from '../types';

export interface Field {
  name: string;
  type: SqlType;
  /** The table (or alias) the column comes from, for `t.col` in joins. */
  qualifier: string | null;
  /** How EXPLAIN names it when the name is not unique (a join's second `ts` is `ts0`). */
  display?: string;
}

export type Row = readonly SqlValue[];

export interface Compiled {
  type: SqlType;
  eval: (row: Row) => SqlValue;
  digest: string;
}

export const AGGREGATES = new Set(['COUNT', 'SUM', 'MIN', 'MAX', 'AVG']);

/** Index of a column in the schema; a validation error if unknown or ambiguous. */
export function resolveColumn(
  fields: readonly Field[],
  qualifier: string | null,
  name: string,
  pos: Pos,
): number {
  const lower = name.toLowerCase();
  const matches: number[] = [];
  fields.forEach((f, i) => {
    if (f.name.toLowerCase() !== lower) return;
    if (qualifier !== null && (f.qualifier ?? '').toLowerCase() !== qualifier.toLowerCase()) return;
    matches.push(i);
  });
  const shown = qualifier ? `${qualifier}.${name}` : name;
  if (matches.length === 0)
    throw invalid(
      `Column '${shown}' not found in any table${fields.length ? ` (columns: ${fields.map((f) => f.name).join(', ')})` : ''}`,
      pos,
    );
  if (matches.length > 1) throw invalid(`Column '${shown}' is ambiguous`, pos);
  return matches[0];
}

const fieldDigest = (f: Field) => f.display ?? f.name;

function literalDigest(v: SqlValue, t: SqlType): string {
  if (v === null) return 'null:' + typeToString(t);
  if (typeof v === 'string') return `'${v.replace(/'/g, "''")}'`;
  if (t.name === 'TIMESTAMP' && typeof v === 'number') return formatTimestamp(v);
  return String(v);
}

const BOOL: SqlType = { name: 'BOOLEAN' };
const STRING: SqlType = { name: 'STRING' };
const INT: SqlType = { name: 'INT' };
const BIGINT: SqlType = { name: 'BIGINT' };
const DOUBLE: SqlType = { name: 'DOUBLE' };

function needNumeric(c: Compiled, what: string, pos: Pos): void {
  if (!isNumeric(c.type) && c.type.name !== 'NULL')
    throw invalid(`${what} needs a numeric operand, got ${typeToString(c.type)} (${c.digest})`, pos);
}

function compare(a: SqlValue, b: SqlValue): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return (a as number) - (b as number);
}

function comparable(a: SqlType, b: SqlType): boolean {
  if (a.name === 'NULL' || b.name === 'NULL') return true;
  if (isNumeric(a) && isNumeric(b)) return true;
  return a.name === b.name;
}

/** SQL LIKE with % and _ (no escape). */
function likeRegex(pattern: string): RegExp {
  let re = '^';
  for (const ch of pattern) {
    if (ch === '%') re += '[\\s\\S]*';
    else if (ch === '_') re += '[\\s\\S]';
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(re + '$');
}

/** Java SimpleDateFormat's common letters, over a UTC wall-clock timestamp. */
function dateFormat(ms: number, fmt: string): string {
  const d = new Date(ms);
  const p = (n: number, w: number) => String(n).padStart(w, '0');
  return fmt.replace(/yyyy|MM|dd|HH|mm|ss|SSS|'[^']*'/g, (tok) => {
    switch (tok) {
      case 'yyyy':
        return p(d.getUTCFullYear(), 4);
      case 'MM':
        return p(d.getUTCMonth() + 1, 2);
      case 'dd':
        return p(d.getUTCDate(), 2);
      case 'HH':
        return p(d.getUTCHours(), 2);
      case 'mm':
        return p(d.getUTCMinutes(), 2);
      case 'ss':
        return p(d.getUTCSeconds(), 2);
      case 'SSS':
        return p(d.getUTCMilliseconds(), 3);
      default:
        return tok.slice(1, -1);
    }
  });
}

const isIntegral = (t: SqlType) => t.name === 'INT' || t.name === 'BIGINT';

/** Integer division by zero fails the task in Flink (Java's ArithmeticException): so it does here. */
function intDivisor(b: number): number {
  if (b === 0) throw new Error('java.lang.ArithmeticException: / by zero');
  return b;
}

/** A failed CAST fails the task, as in Flink (TRY_CAST would give NULL). */
function castError(v: SqlValue, to: SqlType): Error {
  return new Error(
    `java.lang.NumberFormatException: CAST(${JSON.stringify(v)} AS ${typeToString(to)}) failed`,
  );
}

function castValue(v: SqlValue, to: SqlType, pos: Pos): SqlValue {
  if (v === null) return null;
  switch (to.name) {
    case 'STRING':
      return typeof v === 'boolean' ? (v ? 'TRUE' : 'FALSE') : String(v);
    case 'INT':
    case 'BIGINT': {
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (typeof v === 'string' && !/^\s*[+-]?\d+\s*$/.test(v)) throw castError(v, to);
      return Math.trunc(Number(typeof v === 'string' ? v.trim() : v));
    }
    case 'DOUBLE':
    case 'DECIMAL': {
      const n = typeof v === 'string' ? Number(v.trim()) : Number(v);
      if (typeof v === 'string' && (v.trim() === '' || Number.isNaN(n))) throw castError(v, to);
      return n;
    }
    case 'BOOLEAN':
      if (typeof v === 'string') {
        const s = v.trim().toUpperCase();
        if (['TRUE', 'T', 'YES', 'Y', '1'].includes(s)) return true;
        if (['FALSE', 'F', 'NO', 'N', '0'].includes(s)) return false;
        throw castError(v, to);
      }
      return typeof v === 'number' ? v !== 0 : v;
    default:
      throw unsupported(`CAST to ${typeToString(to)}`, pos);
  }
}

/**
 * Compiles an expression over `fields`. Aggregate calls are not allowed here: the planner replaces
 * them by references to the aggregate's output first.
 */
export function compileExpr(e: Expr, fields: readonly Field[]): Compiled {
  switch (e.kind) {
    case 'column': {
      const i = resolveColumn(fields, e.qualifier, e.name, e.pos);
      return { type: fields[i].type, eval: (r) => r[i], digest: fieldDigest(fields[i]) };
    }
    case 'literal': {
      const v = e.value;
      return {
        type: e.type.name === 'DECIMAL' ? DOUBLE : e.type,
        eval: () => v,
        digest: literalDigest(v, e.type),
      };
    }
    case 'interval':
      throw unsupported(`an INTERVAL outside a window or watermark (${e.text})`, e.pos);
    case 'over':
      throw unsupported(`${e.fn}() OVER here: only in a subquery filtered on its rank (Top-N)`, e.pos);
    case 'cast': {
      const inner = compileExpr(e.expr, fields);
      const to = e.type;
      const pos = e.pos;
      return {
        type: to,
        eval: (r) => castValue(inner.eval(r), to, pos),
        digest: `CAST(${inner.digest} AS ${typeToString(to)})`,
      };
    }
    case 'case':
      return compileCase(e, fields);
    case 'call':
      return compileCall(e, fields);
  }
}

function compileCase(e: Expr & { kind: 'case' }, fields: readonly Field[]): Compiled {
  const operand = e.operand ? compileExpr(e.operand, fields) : null;
  const whens = e.whens.map(([w, t]) => [compileExpr(w, fields), compileExpr(t, fields)] as const);
  const otherwise = e.otherwise ? compileExpr(e.otherwise, fields) : null;
  let type: SqlType = { name: 'NULL' };
  for (const r of [...whens.map(([, t]) => t), ...(otherwise ? [otherwise] : [])]) {
    if (type.name === 'NULL') type = r.type;
    else if (isNumeric(type) && isNumeric(r.type)) type = widerNumeric(type, r.type);
    else if (r.type.name !== 'NULL' && r.type.name !== type.name)
      throw invalid(
        `CASE branches have incompatible types ${typeToString(type)} and ${typeToString(r.type)}`,
        e.pos,
      );
  }
  const digestParts: string[] = [];
  for (const [w, t] of whens)
    digestParts.push(operand ? `=(${operand.digest}, ${w.digest})` : w.digest, t.digest);
  digestParts.push(otherwise ? otherwise.digest : 'null:' + typeToString(type));
  return {
    type,
    eval: (r) => {
      const v = operand ? operand.eval(r) : null;
      for (const [w, t] of whens) {
        const c = w.eval(r);
        if (operand ? v !== null && c !== null && compare(v, c) === 0 : c === true) return t.eval(r);
      }
      return otherwise ? otherwise.eval(r) : null;
    },
    digest: `CASE(${digestParts.join(', ')})`,
  };
}

function compileCall(e: Expr & { kind: 'call' }, fields: readonly Field[]): Compiled {
  const { op, pos } = e;
  if (AGGREGATES.has(op)) throw invalid(`Aggregate ${op} is not allowed here`, pos);
  if (op === 'ROW_NUMBER') throw unsupported('ROW_NUMBER() without OVER', pos);
  const iv = e.args[1];
  if ((op === '+' || op === '-') && e.args.length === 2 && iv.kind === 'interval') {
    // TIMESTAMP ± INTERVAL (interval-join bounds, conditions): Flink prints -(ts, 2000:INTERVAL SECOND)
    const t = compileExpr(e.args[0], fields);
    if (t.type.name !== 'TIMESTAMP')
      throw invalid(`Cannot apply '${op}' to ${typeToString(t.type)} and an INTERVAL`, pos);
    const ms = op === '+' ? iv.ms : -iv.ms;
    const unit = /\b(DAY|HOUR|MINUTE|SECOND)\b/i.exec(iv.text)?.[1]?.toUpperCase() ?? 'SECOND';
    return {
      type: { name: 'TIMESTAMP', precision: t.type.precision ?? 3 },
      eval: (r) => {
        const v = t.eval(r);
        return typeof v === 'number' ? v + ms : null;
      },
      digest: `${op}(${t.digest}, ${iv.ms}:INTERVAL ${unit})`,
    };
  }
  const args = e.args.map((a) => compileExpr(a, fields));
  const digest = (name = op) => `${name}(${args.map((a) => a.digest).join(', ')})`;
  const arity = (n: number | [number, number]) => {
    const [lo, hi] = typeof n === 'number' ? [n, n] : n;
    if (args.length < lo || args.length > hi)
      throw invalid(
        `${op} takes ${lo === hi ? lo : `${lo} to ${hi}`} argument${hi === 1 ? '' : 's'}, got ${args.length}`,
        pos,
      );
  };
  const strict = (type: SqlType, f: (...v: Exclude<SqlValue, null>[]) => SqlValue, name = op): Compiled => ({
    type,
    eval: (r) => {
      const vs = args.map((a) => a.eval(r));
      if (vs.some((v) => v === null)) return null;
      return f(...(vs as Exclude<SqlValue, null>[]));
    },
    digest: digest(name),
  });
  switch (op) {
    case 'AND':
    case 'OR': {
      const [a, b] = args;
      const isAnd = op === 'AND';
      return {
        type: BOOL,
        eval: (r) => {
          const x = a.eval(r);
          if (x === !isAnd) return !isAnd;
          const y = b.eval(r);
          if (y === !isAnd) return !isAnd;
          return x === null || y === null ? null : isAnd;
        },
        digest: digest(),
      };
    }
    case 'NOT':
      return strict(BOOL, (v) => !v);
    case '=':
    case '<>':
    case '<':
    case '<=':
    case '>':
    case '>=': {
      arity(2);
      if (!comparable(args[0].type, args[1].type))
        throw invalid(
          `Cannot apply '${op}' to arguments of type '${typeToString(args[0].type)}' and '${typeToString(args[1].type)}'`,
          pos,
        );
      const test: Record<string, (c: number) => boolean> = {
        '=': (c) => c === 0,
        '<>': (c) => c !== 0,
        '<': (c) => c < 0,
        '<=': (c) => c <= 0,
        '>': (c) => c > 0,
        '>=': (c) => c >= 0,
      };
      const t = test[op];
      return strict(BOOL, (a, b) => t(compare(a, b)));
    }
    case 'IS NULL':
    case 'IS NOT NULL': {
      const want = op === 'IS NULL';
      return { type: BOOL, eval: (r) => (args[0].eval(r) === null) === want, digest: digest() };
    }
    case 'IS TRUE':
    case 'IS NOT TRUE':
    case 'IS FALSE':
    case 'IS NOT FALSE': {
      const target = op.endsWith('TRUE');
      const neg = op.includes('NOT');
      return { type: BOOL, eval: (r) => (args[0].eval(r) === target) !== neg, digest: digest() };
    }
    case 'IS DISTINCT FROM':
      return {
        type: BOOL,
        eval: (r) => {
          const a = args[0].eval(r);
          const b = args[1].eval(r);
          if (a === null || b === null) return (a === null) !== (b === null);
          return compare(a, b) !== 0;
        },
        digest: digest(),
      };
    case 'BETWEEN':
      return strict(BOOL, (v, lo, hi) => compare(v, lo) >= 0 && compare(v, hi) <= 0, 'SEARCH');
    case 'IN':
      return {
        type: BOOL,
        eval: (r) => {
          const v = args[0].eval(r);
          if (v === null) return null;
          let sawNull = false;
          for (let i = 1; i < args.length; i++) {
            const x = args[i].eval(r);
            if (x === null) sawNull = true;
            else if (compare(v, x) === 0) return true;
          }
          return sawNull ? null : false;
        },
        digest: `SEARCH(${args[0].digest}, Sarg[${args
          .slice(1)
          .map((a) => a.digest)
          .join(', ')}])`,
      };
    case 'LIKE': {
      arity(2);
      const pattern = e.args[1];
      const fixed =
        pattern.kind === 'literal' && typeof pattern.value === 'string' ? likeRegex(pattern.value) : null;
      return strict(BOOL, (s, p) => (fixed ?? likeRegex(String(p))).test(String(s)));
    }
    case '+':
    case '-':
    case '*':
    case '/':
    case '%': {
      arity(2);
      if (op === '+' || op === '-') {
        // TIMESTAMP ± INTERVAL
        if (args[0].type.name === 'TIMESTAMP' && e.args[1].kind === 'interval') {
          const ms = (e.args[1] as Expr & { kind: 'interval' }).ms * (op === '-' ? -1 : 1);
          const a = args[0];
          return {
            type: a.type,
            eval: (r) => (a.eval(r) === null ? null : (a.eval(r) as number) + ms),
            digest: `${op}(${a.digest}, ${e.args[1].kind === 'interval' ? (e.args[1] as { text: string }).text : ''})`,
          };
        }
      }
      needNumeric(args[0], op, pos);
      needNumeric(args[1], op, pos);
      const type = widerNumeric(args[0].type, args[1].type);
      const integral = type.name === 'INT' || type.name === 'BIGINT';
      const f: Record<string, (a: number, b: number) => SqlValue> = {
        '+': (a, b) => a + b,
        '-': (a, b) => a - b,
        '*': (a, b) => a * b,
        // Integer division truncates, as in Flink (Calcite) for INT / INT.
        '/': (a, b) => (integral ? Math.trunc(a / intDivisor(b)) : a / b),
        '%': (a, b) => (integral ? a % intDivisor(b) : a % b),
      };
      const g = f[op];
      return strict(type, (a, b) => g(a as number, b as number), op === '%' ? 'MOD' : op);
    }
    case 'MOD':
      arity(2);
      return strict(widerNumeric(args[0].type, args[1].type), (a, b) =>
        isIntegral(args[0].type) && isIntegral(args[1].type)
          ? (a as number) % intDivisor(b as number)
          : (a as number) % (b as number),
      );
    case '||':
    case 'CONCAT':
      return strict(STRING, (...vs) => vs.map((v) => String(v)).join(''), op === '||' ? '||' : 'CONCAT');
    case 'UPPER':
      arity(1);
      return strict(STRING, (s) => String(s).toUpperCase());
    case 'LOWER':
      arity(1);
      return strict(STRING, (s) => String(s).toLowerCase());
    case 'CHAR_LENGTH':
    case 'CHARACTER_LENGTH':
      arity(1);
      return strict(INT, (s) => String(s).length, 'CHAR_LENGTH');
    case 'TRIM':
      arity(1);
      return strict(STRING, (s) => String(s).trim());
    case 'SUBSTRING':
    case 'SUBSTR':
      arity([2, 3]);
      return strict(STRING, (s, start, len) => {
        const str = String(s);
        const from = Math.max((start as number) - 1, 0);
        return len === undefined ? str.slice(from) : str.slice(from, from + (len as number));
      });
    case 'ABS':
      arity(1);
      needNumeric(args[0], op, pos);
      return strict(args[0].type, (v) => Math.abs(v as number));
    case 'FLOOR':
    case 'CEIL':
    case 'ROUND': {
      arity(op === 'ROUND' ? [1, 2] : 1);
      needNumeric(args[0], op, pos);
      const fn = op === 'FLOOR' ? Math.floor : op === 'CEIL' ? Math.ceil : Math.round;
      return strict(args[0].type, (v, d) => {
        const f = Math.pow(10, (d as number | undefined) ?? 0);
        return fn((v as number) * f) / f;
      });
    }
    case 'COALESCE':
      return {
        type: args.find((a) => a.type.name !== 'NULL')?.type ?? { name: 'NULL' },
        eval: (r) => {
          for (const a of args) {
            const v = a.eval(r);
            if (v !== null) return v;
          }
          return null;
        },
        digest: digest(),
      };
    case 'IF':
      arity(3);
      return {
        type: args[1].type.name === 'NULL' ? args[2].type : args[1].type,
        eval: (r) => (args[0].eval(r) === true ? args[1].eval(r) : args[2].eval(r)),
        digest: digest(),
      };
    case 'DATE_FORMAT':
      arity(2);
      if (args[0].type.name !== 'TIMESTAMP')
        throw unsupported('DATE_FORMAT of a string (give it a TIMESTAMP)', pos);
      return strict(STRING, (ts, fmt) => dateFormat(ts as number, String(fmt)));
    case 'HOUR':
    case 'MINUTE':
    case 'SECOND': {
      arity(1);
      const get = {
        HOUR: (d: Date) => d.getUTCHours(),
        MINUTE: (d: Date) => d.getUTCMinutes(),
        SECOND: (d: Date) => d.getUTCSeconds(),
      }[op];
      return strict(BIGINT, (ts) => get(new Date(ts as number)));
    }
    default:
      throw unsupported(`the function ${op}`, pos);
  }
}

/** A literal INT of the given value, for generated expressions. */
export const INT_TYPE = INT;
