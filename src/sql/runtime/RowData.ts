/**
 * A row of a dynamic table as it travels through the job: Flink's RowData with its RowKind. The kinds
 * print as Flink's SQL Client prints them in changelog mode: `+I` insert, `-U` update-before (the
 * old row, retracted), `+U` update-after (the new row), `-D` delete.
 */
import type { SqlValue } from '../ast';

export type RowKind = '+I' | '-U' | '+U' | '-D';

export interface RowData {
  kind: RowKind;
  row: SqlValue[];
}

export function isAccumulate(kind: RowKind): boolean {
  return kind === '+I' || kind === '+U';
}

/** The key of a row for keyBy: the value itself for one column, a JSON array for several. */
export function keyOf(row: readonly SqlValue[], indexes: readonly number[]): string | number | boolean {
  if (indexes.length === 1) {
    const v = row[indexes[0]];
    // NULL keys group together (SQL's GROUP BY); keyBy needs a non-null key.
    return v === null ? '\u0000NULL' : v;
  }
  return JSON.stringify(indexes.map((i) => row[i]));
}
