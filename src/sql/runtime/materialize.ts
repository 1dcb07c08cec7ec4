/**
 * The result of a changelog, as Flink's SQL Client's table mode materializes it: a retract result
 * (no primary key) is a multiset — `+I`/`+U` add a row, `-U`/`-D` remove one equal row; an upsert
 * result (a primary key) keeps the last row per key — `+I`/`+U` put, `-D` deletes, `-U` is not needed.
 */
import type { SqlValue } from '../ast';
import type { RowData } from './RowData';

export class ChangelogError extends Error {}

export function materialize(
  changelog: readonly RowData[],
  primaryKey: readonly number[] | null,
  options: { ignoreMissing?: boolean } = {},
): SqlValue[][] {
  if (primaryKey && primaryKey.length > 0) {
    const byKey = new Map<string, SqlValue[]>();
    for (const c of changelog) {
      const k = JSON.stringify(primaryKey.map((i) => c.row[i]));
      if (c.kind === '+I' || c.kind === '+U') byKey.set(k, c.row);
      else if (c.kind === '-D') byKey.delete(k);
    }
    return [...byKey.values()];
  }
  const rows: SqlValue[][] = [];
  for (const c of changelog) {
    if (c.kind === '+I' || c.kind === '+U') rows.push(c.row);
    else {
      const text = JSON.stringify(c.row);
      const at = rows.findIndex((r) => JSON.stringify(r) === text);
      // A retraction of a row that is not there: the changelog is not consistent.
      if (at < 0) {
        if (options.ignoreMissing) continue;
        throw new ChangelogError(`${c.kind} ${text}: no such row to retract`);
      }
      rows.splice(at, 1);
    }
  }
  return rows;
}
