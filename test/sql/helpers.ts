/** Runs a SQL query of the lab to the end and returns its committed changelog and materialized result. */
import { Simulation, type ScheduledFailure } from '../../src/engine/index';
import { TableEnvironment, type SqlJob } from '../../src/sql/TableEnvironment';
import type { TableDefinition } from '../../src/sql/catalog/BuiltinTables';
import { materialize } from '../../src/sql/runtime/materialize';
import type { RowData } from '../../src/sql/runtime/RowData';
import type { SqlValue } from '../../src/sql/ast';

export function compile(sql: string, tables: TableDefinition[] = []): SqlJob {
  const tEnv = TableEnvironment.create(tables);
  const results = tEnv.executeScript(sql);
  const last = results[results.length - 1];
  if (last.kind !== 'job') throw new Error(`the script's last statement is not a query: ${last.kind}`);
  return last.job;
}

export interface SqlRun {
  job: SqlJob;
  sim: Simulation;
  changelog: RowData[];
  result: SqlValue[][];
}

export function runSql(
  sql: string,
  opts: { tables?: TableDefinition[]; seed?: number; failures?: ScheduledFailure[]; until?: number } = {},
): SqlRun {
  const job = compile(sql, opts.tables);
  const sim = new Simulation(job.jobGraph, { seed: opts.seed ?? 1, fastForward: true });
  sim.run(opts.failures ?? [], opts.until);
  const changelog = sim.external.committedValues(job.sinkUid) as RowData[];
  return { job, sim, changelog, result: materialize(changelog, job.primaryKey) };
}

/** Rows as sorted JSON lines: a multiset to compare. */
export function sorted(rows: readonly SqlValue[][]): string[] {
  return rows.map((r) => JSON.stringify(r)).sort();
}

/** Per key (the first `keyColumns` columns), the changelog rows of that key in order. */
export function changelogByKey(changelog: readonly RowData[], keyColumns = 1): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const c of changelog) {
    const k = JSON.stringify(c.row.slice(0, keyColumns));
    const list = out.get(k) ?? [];
    list.push(`${c.kind}${JSON.stringify(c.row)}`);
    out.set(k, list);
  }
  return out;
}
