/**
 * SQL jobs in the engine worker (the `#/sql` page's Run, a lesson's SQL job): statement text run in a
 * TableEnvironment (src/sql), its query kept as a Scenario so that everything that builds a job — a
 * load, a replay, a restore, an import, the exactly-once checker's reference run — builds it the same
 * way; and, frame by frame, the job's committed changelog and the table it materializes.
 *
 * src/sql (Flink's grammar is ~870 KB) is loaded with `import()` the first time it is needed: it is a
 * chunk of its own, not in the worker's first download.
 */
import { applyScenarioOptions, type MiniCluster, type Scenario, type ScenarioOptions } from '../engine/index';
import type { SqlType, SqlValue } from '../sql/ast';
import type { RowData } from '../sql/runtime/RowData';
import { formatValue } from '../sql/types';
import {
  SQL_CHANGELOG_PER_FRAME,
  SQL_TABLE_ROWS,
  type SqlDiagnostic,
  type SqlFrame,
  type SqlJobInfo,
  type SqlRowKind,
  type SqlStatementOutput,
  type SqlTableInfo,
} from './protocol';

type SqlRuntime = typeof import('./sqlRuntime');

let runtime: Promise<SqlRuntime> | null = null;

/** src/sql, loaded once (a separate chunk). */
export function loadSqlRuntime(): Promise<SqlRuntime> {
  runtime ??= import('./sqlRuntime');
  return runtime;
}

/** A script that does not run: its first error at line:col. Nothing was loaded. */
export class SqlScriptError extends Error {
  constructor(readonly diagnostic: SqlDiagnostic) {
    super(`${diagnostic.line}:${diagnostic.col}: ${diagnostic.message}`);
    this.name = 'SqlScriptError';
  }
}

/** A script prepared: what its statements answered, and its query as a job (if it has one). */
export interface PreparedSql {
  script: string;
  outputs: SqlStatementOutput[];
  job: SqlJobInfo | null;
  /** Builds the query's job (statements run again in a fresh session, the options applied); null: no query. */
  scenario: Scenario | null;
  /** For the result frames: where the changelog is committed and how to print it. */
  sinkUid: string;
  types: SqlType[];
}

function diagnosticOf(rt: SqlRuntime, e: unknown): SqlDiagnostic {
  if (e instanceof rt.SqlError)
    return {
      line: e.pos.line,
      col: e.pos.col,
      kind: e.kind,
      message: e.kind === 'unsupported' ? `not supported here: ${e.detail}` : e.detail,
    };
  // Not the learner's mistake: a limit of the lab the planner did not name. Still no wrong answer.
  return { line: 1, col: 1, kind: 'internal', message: e instanceof Error ? e.message : String(e) };
}

function outputOf(statement: string, r: import('./sqlRuntime').TableResult): SqlStatementOutput {
  switch (r.kind) {
    case 'ok':
      return { statement, kind: 'ok', message: r.message };
    case 'rows':
      return { statement, kind: 'rows', columns: r.columns, rows: r.rows };
    case 'explain':
      return { statement, kind: 'explain', text: r.text };
    case 'job':
      return { statement, kind: 'job' };
  }
}

/**
 * Runs the statements of `script` in a new session: SET, CREATE TABLE, SHOW TABLES, DESCRIBE and
 * EXPLAIN answer; the one query (or INSERT) becomes the scenario `name`. Throws SqlScriptError (with
 * line:col) for what Flink's grammar rejects, what the lab does not run, and what Flink would refuse.
 * Reusable by anything that runs SQL in the worker (lesson jobs register the scenario by name).
 */
export async function prepareSqlScript(script: string, name = 'sql'): Promise<PreparedSql> {
  const rt = await loadSqlRuntime();
  try {
    const tEnv = rt.TableEnvironment.create();
    const statements = tEnv.parse(script);
    const jobs = statements.filter((s) => s.kind === 'query' || s.kind === 'insert');
    if (jobs.length > 1)
      throw new rt.SqlError(
        'unsupported',
        'more than one query or INSERT in one run (one job per run)',
        jobs[1].pos,
      );
    const outputs: SqlStatementOutput[] = [];
    let job: import('./sqlRuntime').SqlJob | null = null;
    for (const s of statements) {
      const r = tEnv.execute(s);
      if (r.kind === 'job') job = r.job;
      outputs.push(outputOf(s.text.trim(), r));
    }
    if (!job) return { script, outputs, job: null, scenario: null, sinkUid: '', types: [] };
    const statefulOperators = job.jobGraph.vertices
      .filter((v) => v.keySelector !== null && v.spec.kind !== 'sink')
      .map((v) => ({ uid: v.uid, name: v.name }));
    const scenario: Scenario = {
      name,
      description: 'Flink SQL statements run on the engine',
      // The same statements in a new session every time: a job graph is never shared between two engines.
      build: (options: ScenarioOptions = {}) => {
        const session = rt.TableEnvironment.create();
        session.configureEnvironment = (env) => applyScenarioOptions(env, options);
        let built: import('./sqlRuntime').SqlJob | null = null;
        for (const s of session.parse(script)) {
          const r = session.execute(s);
          if (r.kind === 'job') built = r.job;
        }
        if (!built) throw new Error('the SQL script has no query');
        return built.jobGraph;
      },
    };
    return {
      script,
      outputs,
      job: {
        columns: job.columns.map((c) => ({ name: c.name, type: rt.typeToString(c.type) })),
        primaryKey: job.primaryKey,
        plan: job.plan,
        insertOnly: job.insertOnly,
        statefulOperators,
      },
      scenario,
      sinkUid: job.sinkUid,
      types: job.columns.map((c) => c.type),
    };
  } catch (e) {
    throw new SqlScriptError(diagnosticOf(rt, e));
  }
}

/** Flink's EXPLAIN of the script's query, after its SET and CREATE statements. */
export async function explainSqlScript(script: string): Promise<string> {
  const rt = await loadSqlRuntime();
  try {
    const tEnv = rt.TableEnvironment.create();
    const statements = tEnv.parse(script);
    const target = statements.find((s) => s.kind === 'query' || s.kind === 'insert' || s.kind === 'explain');
    if (!target)
      throw new rt.SqlError('validation', 'no query to explain', statements[0]?.pos ?? { line: 1, col: 1 });
    for (const s of statements) {
      if (s === target) break;
      if (s.kind === 'set' || s.kind === 'reset' || s.kind === 'create-table') tEnv.execute(s);
    }
    const r = tEnv.execute(
      target.kind === 'explain'
        ? target
        : { kind: 'explain', statement: target, text: target.text, pos: target.pos },
    );
    return r.kind === 'explain' ? r.text : '';
  } catch (e) {
    throw new SqlScriptError(diagnosticOf(rt, e));
  }
}

/** The script for Flink's SQL Client (FlinkExport.ts); a script that does not parse is an error at line:col. */
export async function exportSqlScript(script: string): Promise<string> {
  const rt = await loadSqlRuntime();
  try {
    return rt.exportForFlink(script);
  } catch (e) {
    throw new SqlScriptError(diagnosticOf(rt, e));
  }
}

/** A built-in table's rows as the CSV file the exported script reads (`data/NAME.csv`); null: no such table. */
export async function sqlTableCsv(name: string): Promise<string | null> {
  const rt = await loadSqlRuntime();
  const t = rt.BUILTIN_TABLES.find((x) => x.name.toLowerCase() === name.toLowerCase());
  return t ? rt.tableCsv(t) : null;
}

export async function sqlTables(): Promise<SqlTableInfo[]> {
  const rt = await loadSqlRuntime();
  return rt.BUILTIN_TABLES.map((t) => ({
    name: t.name,
    columns: t.columns.map((c) => ({ name: c.name, type: rt.typeToString(c.type) })),
    ddl: rt.tableDdl(t),
    origin: t.origin,
  }));
}

/**
 * The SQL jobs prepared in this worker, by script: the latest few, so that the job still loaded keeps
 * its entry while a new script is prepared (and perhaps fails to load).
 */
export class SqlJobs {
  private readonly jobs = new Map<string, PreparedSql>();

  async prepare(script: string): Promise<PreparedSql> {
    const known = this.jobs.get(script);
    if (known) return known;
    const prepared = await prepareSqlScript(script);
    if (prepared.scenario) {
      this.jobs.set(script, prepared);
      if (this.jobs.size > 4) this.jobs.delete(this.jobs.keys().next().value as string);
    }
    return prepared;
  }

  /** The prepared job of this script (prepare() must have run for it). */
  prepared(script: string): PreparedSql & { scenario: Scenario } {
    const p = this.jobs.get(script);
    if (!p?.scenario) throw new Error('the SQL script was not prepared in this worker');
    return p as PreparedSql & { scenario: Scenario };
  }
}

/**
 * The SQL Client's table mode over a changelog, rows updated in place: a retract result is a multiset
 * (`+I`/`+U` add a row, `-U`/`-D` remove an equal one; the `+U` that follows a `-U` takes its place), an
 * upsert result (primary key) keeps the last row per key. `src/sql/runtime/materialize.ts` is the
 * reference (tests compare the two); this one is incremental, for a frame at a time.
 */
export class MaterializedTable {
  private slots: Array<SqlValue[] | null> = [];
  /** Row (retract) or primary key (upsert) as JSON → the slots holding it. */
  private readonly at = new Map<string, number[]>();
  private freed = -1;
  private live = 0;
  /** Retractions of rows that were not there (a run restored from a file made by another run). */
  missing = 0;
  version = 0;

  constructor(private readonly primaryKey: readonly number[] | null) {}

  get size(): number {
    return this.live;
  }

  apply(kind: SqlRowKind, row: SqlValue[]): void {
    this.version++;
    const pk = this.primaryKey && this.primaryKey.length > 0 ? this.primaryKey : null;
    const id = JSON.stringify(pk ? pk.map((i) => row[i]) : row);
    if (kind === '+I' || kind === '+U') {
      const existing = pk ? this.at.get(id) : undefined;
      if (existing?.length) {
        this.slots[existing[0]] = row;
        return;
      }
      let slot: number;
      if (!pk && kind === '+U' && this.freed >= 0 && this.slots[this.freed] === null) {
        slot = this.freed;
        this.slots[slot] = row;
      } else slot = this.slots.push(row) - 1;
      this.freed = -1;
      this.live++;
      const list = this.at.get(id);
      if (list) list.push(slot);
      else this.at.set(id, [slot]);
      return;
    }
    // An upsert result needs no update-before: the +U that follows replaces the row by its key.
    if (pk && kind === '-U') return;
    const list = this.at.get(id);
    const slot = list?.pop();
    if (slot === undefined) {
      this.missing++;
      return;
    }
    if (list!.length === 0) this.at.delete(id);
    this.slots[slot] = null;
    this.live--;
    this.freed = kind === '-U' ? slot : -1;
    if (this.slots.length > 64 && this.live < this.slots.length / 2) this.compact();
  }

  rows(limit = Infinity): SqlValue[][] {
    const out: SqlValue[][] = [];
    for (const r of this.slots) {
      if (out.length >= limit) break;
      if (r) out.push(r);
    }
    return out;
  }

  private compact(): void {
    const keepFreed = this.freed >= 0 ? this.freed : -1;
    const next: Array<SqlValue[] | null> = [];
    const remap = new Map<number, number>();
    this.slots.forEach((r, i) => {
      if (r || i === keepFreed) {
        remap.set(i, next.length);
        next.push(r);
      }
    });
    for (const [id, list] of this.at)
      this.at.set(
        id,
        list.map((i) => remap.get(i) as number),
      );
    this.freed = keepFreed >= 0 ? (remap.get(keepFreed) as number) : -1;
    this.slots = next;
  }
}

/**
 * Keyed state entries of one operator now: per key one for a value state (GroupAggregate's `accState`),
 * one per element of a map or list state (the join's rows, the window accumulators, the rank buffers).
 */
function stateEntries(cluster: MiniCluster, uid: string): number {
  let n = 0;
  for (const task of cluster.tasks)
    for (const op of task.chain?.operators ?? []) {
      if (op.vertex.uid !== uid || !op.keyedBackend) continue;
      for (const name of op.keyedBackend.stateNames())
        for (const [, value] of op.keyedBackend.entries(name))
          n += Array.isArray(value) && name !== 'accState' ? value.length : 1;
    }
  return n;
}

/** The SQL job's result, frame by frame (SqlFrame): what was committed since the previous frame. */
export class SqlResults {
  private cluster: MiniCluster | null = null;
  private sent = 0;
  private table: MaterializedTable | null = null;
  private tableSent = -1;
  private counts: Record<SqlRowKind, number> = { '+I': 0, '-U': 0, '+U': 0, '-D': 0 };

  frame(cluster: MiniCluster, job: PreparedSql): SqlFrame {
    const reset = cluster !== this.cluster || this.table === null;
    if (reset) {
      this.cluster = cluster;
      this.sent = 0;
      this.table = new MaterializedTable(job.job?.primaryKey ?? null);
      this.tableSent = -1;
      this.counts = { '+I': 0, '-U': 0, '+U': 0, '-D': 0 };
    }
    const table = this.table as MaterializedTable;
    const committed = cluster.external.tables.get(job.sinkUid)?.committed ?? [];
    const fresh = committed.slice(this.sent);
    this.sent = committed.length;
    const format = (row: readonly SqlValue[]) => row.map((v, i) => formatValue(v, job.types[i]));
    const changelog: SqlFrame['changelog'] = [];
    fresh.forEach((r, i) => {
      const change = r.value as RowData;
      this.counts[change.kind]++;
      table.apply(change.kind, change.row);
      if (i >= fresh.length - SQL_CHANGELOG_PER_FRAME)
        changelog.push({ kind: change.kind, row: format(change.row), time: r.time });
    });
    const tableChanged = table.version !== this.tableSent;
    this.tableSent = table.version;
    const state: Record<string, number> = {};
    for (const op of job.job?.statefulOperators ?? []) state[op.uid] = stateEntries(cluster, op.uid);
    return {
      reset,
      changelog,
      total: this.sent,
      counts: { ...this.counts },
      table:
        tableChanged || reset ? { rows: table.rows(SQL_TABLE_ROWS).map(format), size: table.size } : null,
      state,
    };
  }
}
