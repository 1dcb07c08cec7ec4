/**
 * `npm run sim -- --sql 'SELECT …'` / `--sql-file F.sql` / `--dump-table NAME`: the SQL side of the
 * command line. The statements run in a TableEnvironment; SET, SHOW TABLES, DESCRIBE and EXPLAIN print
 * their answer, the (single) query or INSERT becomes the job `sql` that the usual options (--fail,
 * --mode, --json, --until …) run. A SQL error exits 2 with line:column and the parser's message.
 */
import type { Simulation } from '../engine/index';
import { registerScenario } from '../engine/index';
import type { SqlValue } from '../sql/ast';
import { SqlError } from '../sql/SqlError';
import { TableEnvironment, type SqlJob, type TableResult } from '../sql/TableEnvironment';
import { ChangelogError, materialize } from '../sql/runtime/materialize';
import type { RowData } from '../sql/runtime/RowData';
import { formatValue } from '../sql/types';
import { exportForFlink, tableCsv } from '../sql/FlinkExport';
import { UsageError } from './args';
import type { CliIO } from './run';

export const SQL_SCENARIO = 'sql';

export interface SqlCli {
  /** argv without the SQL options (the scenario `sql` put first when a job runs). */
  argv: string[];
  /** Set when the SQL options already did everything (dump, statements without a job, an error). */
  exitCode?: number;
  job?: SqlJob;
}

function take(argv: string[], name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === name || a.startsWith(`${name}=`)) {
      if (value !== undefined) throw new UsageError(`${name} given more than once`);
      if (a.includes('=')) {
        value = a.slice(name.length + 1);
        argv.splice(i, 1);
      } else {
        value = argv[i + 1];
        if (value === undefined) throw new UsageError(`${name} needs a value`);
        argv.splice(i, 2);
      }
      i--;
    }
  }
  return value;
}

/** Pulls the SQL options out of argv and runs the statements that need no job. */
export function prepareSql(argvIn: readonly string[], io: CliIO): SqlCli {
  const argv = [...argvIn];
  const inline = take(argv, '--sql');
  const file = take(argv, '--sql-file');
  const dump = take(argv, '--dump-table');
  const exportFlink = take(argv, '--export-flink');
  const csvAt = argv.indexOf('--csv');
  const csv = csvAt >= 0;
  if (csv) argv.splice(csvAt, 1);
  if (inline === undefined && file === undefined && dump === undefined) {
    if (csv || exportFlink !== undefined)
      throw new UsageError('--csv goes with --dump-table, --export-flink with --sql or --sql-file');
    return { argv };
  }
  if (csv && dump === undefined) throw new UsageError('--csv goes with --dump-table');
  if (exportFlink !== undefined && dump !== undefined)
    throw new UsageError('--export-flink goes with --sql or --sql-file');
  if ([inline, file, dump].filter((x) => x !== undefined).length > 1)
    throw new UsageError('give one of --sql, --sql-file and --dump-table');
  const json = argv.includes('--json');
  const tEnv = TableEnvironment.create();
  if (dump !== undefined) {
    const t = tEnv.listTables().find((x) => x.name.toLowerCase() === dump.toLowerCase());
    if (!t)
      throw new UsageError(
        `--dump-table: no table '${dump}' (tables: ${tEnv
          .listTables()
          .map((x) => x.name)
          .join(', ')})`,
      );
    const rows = t
      .log()
      .partitions.flatMap((p, partition) => p.map((r, offset) => ({ partition, offset, row: r.value })));
    const names = t.columns.map((c) => c.name);
    if (csv) {
      io.out(tableCsv(t));
    } else if (json) {
      const objects = rows.map((r) => ({
        partition: r.partition,
        offset: r.offset,
        ...rowObject(
          names,
          r.row,
          t.columns.map((c) => c.type),
        ),
      }));
      io.out(JSON.stringify({ table: t.name, ddl: tEnv.ddl(t.name), rows: objects }, null, 2) + '\n');
    } else {
      io.out(`${tEnv.ddl(t.name)}\n\n`);
      io.out(
        tableau(
          ['partition', 'offset', ...names],
          rows.map((r) => [
            String(r.partition),
            String(r.offset),
            ...r.row.map((v, i) => formatValue(v, t.columns[i].type)),
          ]),
        ),
      );
    }
    return { argv, exitCode: 0 };
  }
  let sql: string;
  if (file !== undefined) {
    if (!io.readFile) throw new UsageError('--sql-file is not available here (no file access)');
    try {
      sql = io.readFile(file);
    } catch (e) {
      io.err(`sim: cannot read ${file}: ${(e as Error).message}\n`);
      return { argv, exitCode: 1 };
    }
  } else sql = inline as string;
  const where = file ?? '--sql';
  let job: SqlJob | undefined;
  try {
    if (exportFlink !== undefined) {
      if (!io.writeFile) throw new UsageError('--export-flink is not available here (no file access)');
      io.writeFile(exportFlink, exportForFlink(sql));
      io.err(`Flink SQL Client script written to ${exportFlink} (sql-client.sh -f ${exportFlink})\n`);
    }
    const statements = tEnv.parse(sql);
    const jobs = statements.filter((s) => s.kind === 'query' || s.kind === 'insert');
    if (jobs.length > 1)
      throw new SqlError(
        'unsupported',
        'more than one query or INSERT in one run (one job per run)',
        jobs[1].pos,
      );
    for (const s of statements) {
      const r = tEnv.execute(s);
      if (r.kind === 'job') job = r.job;
      else (json ? io.err : io.out)(formatResult(r));
    }
  } catch (e) {
    if (!(e instanceof SqlError)) throw e;
    io.err(`sim: SQL error in ${where} at ${e.message}\n`);
    return { argv, exitCode: 2 };
  }
  if (!job) return { argv, exitCode: 0 };
  const theJob = job;
  registerScenario({
    name: SQL_SCENARIO,
    description: 'the SQL statements given with --sql / --sql-file',
    build: () => theJob.jobGraph,
  });
  return { argv: [SQL_SCENARIO, ...argv], job };
}

function formatResult(r: TableResult): string {
  switch (r.kind) {
    case 'ok':
      return `${r.message}\n`;
    case 'explain':
      return r.text;
    case 'rows':
      return tableau(r.columns, r.rows);
    case 'job':
      return '';
  }
}

/** Flink's SQL Client tableau mode: a boxed table. */
export function tableau(columns: readonly string[], rows: readonly string[][]): string {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+';
  const fmt = (cells: readonly string[]) =>
    '|' + cells.map((c, i) => ` ${c.padStart(widths[i])} `).join('|') + '|';
  return (
    [
      line,
      fmt(columns),
      line,
      ...rows.map(fmt),
      line,
      `${rows.length} row${rows.length === 1 ? '' : 's'} in set`,
      '',
    ].join('\n') + '\n'
  );
}

function rowObject(
  names: readonly string[],
  row: readonly SqlValue[],
  types: readonly SqlJob['columns'][number]['type'][],
): Record<string, SqlValue> {
  const o: Record<string, SqlValue> = {};
  names.forEach((n, i) => {
    const v = row[i];
    o[n] = types[i].name === 'TIMESTAMP' && typeof v === 'number' ? formatValue(v, types[i]) : v;
  });
  return o;
}

/** The committed changelog and the table it materializes, as `--json`'s `sql` field. */
export function sqlJson(sim: Simulation, job: SqlJob): unknown {
  const changelog = sim.external.committedValues(job.sinkUid) as RowData[];
  const names = job.columns.map((c) => c.name);
  const types = job.columns.map((c) => c.type);
  return {
    columns: job.columns.map((c) => ({ name: c.name, type: formatType(c.type) })),
    primaryKey: job.primaryKey?.map((i) => names[i]) ?? null,
    plan: job.plan,
    changelog: changelog.map((c) => ({ kind: c.kind, row: rowObject(names, c.row, types) })),
    result: safeMaterialize(changelog, job).map((r) => rowObject(names, r, types)),
  };
}

/**
 * The materialized result. A job restored from a snapshot file can retract rows committed by the run
 * that wrote the snapshot (this run's sink never saw them): those retractions are left out here.
 */
function safeMaterialize(changelog: readonly RowData[], job: SqlJob): SqlValue[][] {
  try {
    return materialize(changelog, job.primaryKey);
  } catch (e) {
    if (!(e instanceof ChangelogError)) throw e;
    return materialize(changelog, job.primaryKey, { ignoreMissing: true });
  }
}

function formatType(t: SqlJob['columns'][number]['type']): string {
  return t.name === 'TIMESTAMP' ? `TIMESTAMP(${t.precision ?? 3})` : t.name;
}

/** The summary's SQL part: the plan, the result table and how many changes made it. */
export function sqlSummary(sim: Simulation, job: SqlJob, maxRows = 40): string {
  const changelog = sim.external.committedValues(job.sinkUid) as RowData[];
  const rows = safeMaterialize(changelog, job);
  const counts: Record<string, number> = { '+I': 0, '-U': 0, '+U': 0, '-D': 0 };
  for (const c of changelog) counts[c.kind]++;
  const shown = rows.slice(0, maxRows).map((r) => r.map((v, i) => formatValue(v, job.columns[i].type)));
  return (
    `\nSQL plan:\n${job.plan}\n\n` +
    `Committed changelog: ${changelog.length} rows (${Object.entries(counts)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')})\n` +
    `Result (${job.primaryKey ? 'upsert by primary key' : 'retract'}): ${rows.length} row${rows.length === 1 ? '' : 's'}${rows.length > maxRows ? `, the first ${maxRows}` : ''}\n` +
    tableau(
      job.columns.map((c) => c.name),
      shown,
    )
  );
}
