/**
 * SQL types and values as the lab keeps them, and how Flink's SQL Client prints them:
 * TIMESTAMP(3) `2024-06-01 08:00:00.000` (`yyyy-MM-dd HH:mm:ss.SSS`, no zone), BOOLEAN `TRUE`/`FALSE`,
 * NULL `<NULL>`. A TIMESTAMP value is its epoch milliseconds, read as UTC wall-clock time.
 */
import type { SqlType, SqlValue } from './ast';

export function typeToString(t: SqlType): string {
  switch (t.name) {
    case 'TIMESTAMP': {
      const base = `TIMESTAMP(${t.precision ?? 6})`;
      return t.rowtime ? `${base} *ROWTIME*` : base;
    }
    case 'DECIMAL':
      return `DECIMAL(${t.precision ?? 10}, ${t.scale ?? 0})`;
    default:
      return t.name;
  }
}

/** Flink's SQL Client cell text. */
export function formatValue(v: SqlValue, t: SqlType): string {
  if (v === null) return '<NULL>';
  if (t.name === 'TIMESTAMP' && typeof v === 'number') return formatTimestamp(v, t.precision ?? 3);
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'number' && t.name === 'DOUBLE' && Number.isInteger(v)) return `${v}.0`;
  return String(v);
}

/** `yyyy-MM-dd HH:mm:ss.SSS` (precision 3), as the SQL Client prints TIMESTAMP(3). */
export function formatTimestamp(ms: number, precision = 3): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const base = `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
  if (precision <= 0) return base;
  return `${base}.${p(d.getUTCMilliseconds(), 3).padEnd(precision, '0').slice(0, precision)}`;
}

const UNIT_MS: Record<string, number> = {
  MILLISECOND: 1,
  SECOND: 1000,
  MINUTE: 60_000,
  HOUR: 3_600_000,
  DAY: 86_400_000,
};

/** INTERVAL 'value' UNIT in ms; null for a unit or value the lab does not take (months, years). */
export function parseIntervalMs(value: string, unit: string): number | null {
  const u = unit.replace(/S$/, '');
  const f = UNIT_MS[u];
  if (f === undefined || !/^\s*-?\d+(\.\d+)?\s*$/.test(value)) return null;
  return Math.round(Number(value) * f);
}

/**
 * A Flink duration option value ('10 s', '1 min', '500 ms', '1h', '0'): Flink's TimeUtils.parseDuration
 * units. Null when it cannot be read.
 */
export function parseDurationMs(text: string): number | null {
  const m = /^\s*(\d+)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2].toLowerCase();
  const units: Record<string, number> = {
    '': 1,
    ms: 1,
    milli: 1,
    millis: 1,
    millisecond: 1,
    milliseconds: 1,
    s: 1000,
    sec: 1000,
    secs: 1000,
    second: 1000,
    seconds: 1000,
    min: 60_000,
    m: 60_000,
    mins: 60_000,
    minute: 60_000,
    minutes: 60_000,
    h: 3_600_000,
    hour: 3_600_000,
    hours: 3_600_000,
    d: 86_400_000,
    day: 86_400_000,
    days: 86_400_000,
  };
  const f = units[unit];
  return f === undefined ? null : n * f;
}

export function isNumeric(t: SqlType): boolean {
  return t.name === 'INT' || t.name === 'BIGINT' || t.name === 'DOUBLE' || t.name === 'DECIMAL';
}

/** The wider of two numeric types (Flink's type coercion, simplified: INT < BIGINT < DECIMAL < DOUBLE). */
export function widerNumeric(a: SqlType, b: SqlType): SqlType {
  const rank = (t: SqlType) => ['INT', 'BIGINT', 'DECIMAL', 'DOUBLE'].indexOf(t.name);
  return rank(a) >= rank(b) ? { name: a.name } : { name: b.name };
}
