/**
 * An error in a SQL statement, with where it is. Three kinds, so that a learner can tell them apart:
 * - `parse`: Flink's grammar (dt-sql-parser's FlinkSQL) rejects the text;
 * - `unsupported`: Flink accepts it, the lab cannot run it ("not supported here: …"), never a wrong answer;
 * - `validation`: Flink's validator would reject it too (an unknown table or column, a type mismatch).
 */
import type { Pos } from './ast';

export type SqlErrorKind = 'parse' | 'unsupported' | 'validation';

export class SqlError extends Error {
  constructor(
    readonly kind: SqlErrorKind,
    readonly detail: string,
    readonly pos: Pos,
  ) {
    super(`${pos.line}:${pos.col}: ${kind === 'unsupported' ? `not supported here: ${detail}` : detail}`);
    this.name = 'SqlError';
  }
}

export function unsupported(what: string, pos: Pos): SqlError {
  return new SqlError('unsupported', what, pos);
}

export function invalid(what: string, pos: Pos): SqlError {
  return new SqlError('validation', what, pos);
}
