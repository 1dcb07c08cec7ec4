/**
 * "Export for Flink": the statements of a lab session as a script for Flink's SQL Client
 * (`sql-client.sh -f lab.sql`), with the built-in tables declared over the `filesystem` connector
 * reading CSV files of their rows (`npm run sim -- --dump-table NAME --csv > data/NAME.csv`), and a
 * note of what differs from the lab's run.
 */
import type { SqlValue } from './ast';
import { BUILTIN_TABLES, type TableDefinition } from './catalog/BuiltinTables';
import { parseStatements } from './parser/AstBuilder';
import { CONFIG_KEYS, DEFAULT_CHECKPOINT_INTERVAL_MS } from './TableEnvironment';
import { formatTimestamp } from './types';

/**
 * A table's rows as CSV for Flink's `csv` format: TIMESTAMP(3) as `yyyy-MM-dd HH:mm:ss.SSS`, BOOLEAN
 * as true/false. One file is one split read in order, so the rows are sorted by event time (stable:
 * partition, then offset) — the lab reads its partitions in parallel, each in order.
 */
export function tableCsv(t: TableDefinition): string {
  const rows = t.log().partitions.flatMap((p, partition) => p.map((r, offset) => ({ r, partition, offset })));
  const tsAt = t.rowtime === null ? -1 : t.columns.findIndex((c) => c.name === t.rowtime);
  if (tsAt >= 0)
    rows.sort(
      (a, b) =>
        (a.r.value[tsAt] as number) - (b.r.value[tsAt] as number) ||
        a.partition - b.partition ||
        a.offset - b.offset,
    );
  const cell = (v: SqlValue, i: number): string => {
    if (v === null) return '';
    if (t.columns[i].type.name === 'TIMESTAMP' && typeof v === 'number') return formatTimestamp(v, 3);
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return rows.map(({ r }) => r.value.map(cell).join(',')).join('\n') + '\n';
}

function flinkDdl(t: TableDefinition, dataDir: string): string {
  const cols = t.columns.map(
    (c) =>
      `  \`${c.name}\` ${c.type.name === 'TIMESTAMP' ? `TIMESTAMP(${c.type.precision ?? 3})` : c.type.name}`,
  );
  if (t.rowtime && t.watermarkText) cols.push(`  WATERMARK FOR \`${t.rowtime}\` AS ${t.watermarkText}`);
  return (
    `-- ${t.origin}\n` +
    `CREATE TABLE ${t.name} (\n${cols.join(',\n')}\n) WITH (\n` +
    `  'connector' = 'filesystem',\n  'path' = '${dataDir}/${t.name}.csv',\n  'format' = 'csv'\n);`
  );
}

/** The Flink SQL Client script for a lab script (throws the lab's SqlError if it does not parse). */
export function exportForFlink(script: string, dataDir = 'data'): string {
  const statements = parseStatements(script);
  const sets = new Set(statements.flatMap((s) => (s.kind === 'set' && s.key ? [s.key] : [])));
  const used = BUILTIN_TABLES.filter((t) => new RegExp(`\\b${t.name}\\b`, 'i').test(script));
  const lines: string[] = [
    "-- Exported from Stream State Lab for Flink's SQL Client: sql-client.sh -f <this file>",
    '-- The built-in tables read CSV files of their rows (relative to where the SQL Client runs;',
    '-- give absolute paths otherwise); write them first:',
    ...used.map((t) => `--   npm run -s sim -- --dump-table ${t.name} --csv > ${dataDir}/${t.name}.csv`),
    '-- What differs from the lab:',
    "--   * the files are read by one split each, rows in event-time order; the lab reads the tables'",
    '--     partitions in parallel, so the order of intermediate changes (-U/+U) can differ; final',
    '--     results, window results and Top-N results are the same;',
    "--   * the lab checkpoints every second unless SET (Flink's SQL Client: no checkpointing);",
    '--   * a composite GROUP BY / PARTITION BY key is spread over subtasks by a different hash.',
    '',
    "SET 'sql-client.execution.result-mode' = 'changelog';",
  ];
  if (!sets.has(CONFIG_KEYS.checkpointInterval))
    lines.push(`SET '${CONFIG_KEYS.checkpointInterval}' = '${DEFAULT_CHECKPOINT_INTERVAL_MS / 1000} s';`);
  if (!sets.has(CONFIG_KEYS.parallelism)) lines.push(`SET '${CONFIG_KEYS.parallelism}' = '1';`);
  lines.push('');
  for (const t of used) lines.push(flinkDdl(t, dataDir), '');
  for (const s of statements) lines.push(`${s.text.trim().replace(/;$/, '')};`);
  return lines.join('\n') + '\n';
}
