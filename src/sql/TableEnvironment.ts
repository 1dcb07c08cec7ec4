/**
 * Flink's TableEnvironment for the lab: `executeSql` runs one statement against a session (its
 * catalog of tables and its configuration), as Flink's SQL Client does. A query or an INSERT becomes
 * a job of the engine (`SqlJob`: its JobGraph, the plan, the result schema); SET, SHOW TABLES,
 * DESCRIBE, CREATE TABLE and EXPLAIN answer at once.
 *
 *   const tEnv = TableEnvironment.create();
 *   tEnv.executeSql("SET 'table.exec.state.ttl' = '10 s'");
 *   const result = tEnv.executeSql('SELECT word, COUNT(*) FROM words GROUP BY word');
 *   if (result.kind === 'job') new Simulation(result.job.jobGraph, { ... });
 */
import { StreamExecutionEnvironment } from '../engine/api/StreamExecutionEnvironment';
import { FsStateBackend } from '../engine/api/StateBackends';
import type { JobGraph } from '../engine/api/JobGraph';
import type { ColumnDef, Pos, Select, SqlType, Statement } from './ast';
import { BUILTIN_TABLES, tableDdl, type TableDefinition } from './catalog/BuiltinTables';
import { parseStatements } from './parser/AstBuilder';
import { explainTree, type PlanNode } from './planner/PlanNode';
import { Planner } from './planner/Planner';
import { SQL_SINK_UID, translateToJob } from './planner/translate';
import { invalid, unsupported } from './SqlError';
import { parseDurationMs, typeToString } from './types';

/** A sink table declared with CREATE TABLE (written by INSERT INTO). */
export interface SinkTableDefinition {
  name: string;
  columns: ColumnDef[];
  primaryKey: string[];
  options: Record<string, string>;
}

export interface ResultColumn {
  name: string;
  type: SqlType;
}

/** A query or INSERT compiled onto the engine. */
export interface SqlJob {
  jobGraph: JobGraph;
  /** The sink operator's uid: its committed rows are the changelog. */
  sinkUid: string;
  columns: ResultColumn[];
  /** Column indexes of the primary key of an upsert sink; null: a retract (changelog) result. */
  primaryKey: number[] | null;
  /** Flink's EXPLAIN of it. */
  plan: string;
  /** Insert-only result (no -U/+U/-D possible). */
  insertOnly: boolean;
}

export type TableResult =
  | { kind: 'ok'; message: string }
  | { kind: 'rows'; columns: string[]; rows: string[][] }
  | { kind: 'explain'; text: string }
  | { kind: 'job'; job: SqlJob };

export const CONFIG_KEYS = {
  stateTtl: 'table.exec.state.ttl',
  checkpointInterval: 'execution.checkpointing.interval',
  parallelism: 'parallelism.default',
  checkpointMode: 'execution.checkpointing.mode',
  unaligned: 'execution.checkpointing.unaligned.enabled',
} as const;

/** Flink's SQL Client default is no checkpointing; the lab checkpoints every second unless SET. */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 1000;

export class TableEnvironment {
  private readonly tables = new Map<string, TableDefinition>();
  private readonly sinks = new Map<string, SinkTableDefinition>();
  private readonly config = new Map<string, string>();
  private sinkCounter = 0;
  /**
   * Called on the environment of every job compiled here, after the session's SET options and before
   * the plan becomes operators: the engine worker applies the page's configuration (mode, parallelism,
   * restart strategy…) here, as it does to a scenario.
   */
  configureEnvironment: ((env: StreamExecutionEnvironment) => void) | null = null;

  static create(extraTables: readonly TableDefinition[] = []): TableEnvironment {
    return new TableEnvironment(extraTables);
  }

  private constructor(extraTables: readonly TableDefinition[]) {
    for (const t of [...BUILTIN_TABLES, ...extraTables]) this.tables.set(t.name.toLowerCase(), t);
  }

  listTables(): TableDefinition[] {
    return [...this.tables.values()];
  }

  getConfig(key: string): string | undefined {
    return this.config.get(key);
  }

  /** Parses a script into statements (a SqlError with line:column if the grammar rejects it). */
  parse(sql: string): Statement[] {
    return parseStatements(sql);
  }

  /** Runs every statement of a script; the results in order. */
  executeScript(sql: string): TableResult[] {
    return this.parse(sql).map((s) => this.execute(s));
  }

  /** One statement (a script of exactly one). */
  executeSql(sql: string): TableResult {
    const statements = this.parse(sql);
    if (statements.length !== 1)
      throw unsupported(`${statements.length} statements in executeSql (use executeScript)`, {
        line: 1,
        col: 1,
      });
    return this.execute(statements[0]);
  }

  execute(s: Statement): TableResult {
    switch (s.kind) {
      case 'set':
        return this.set(s.key, s.value, s.pos);
      case 'reset':
        if (s.key === null) this.config.clear();
        else this.config.delete(s.key);
        return { kind: 'ok', message: '[INFO] Execute statement succeeded.' };
      case 'show-tables':
        return {
          kind: 'rows',
          columns: ['table name'],
          rows: [...this.tables.keys(), ...this.sinks.keys()].sort().map((n) => [n]),
        };
      case 'describe':
        return this.describe(s.table, s.pos);
      case 'create-table': {
        const name = s.name.toLowerCase();
        if (this.tables.has(name) || this.sinks.has(name))
          throw invalid(`Table 'default_catalog.default_database.${s.name}' already exists`, s.pos);
        for (const k of s.primaryKey)
          if (!s.columns.some((c) => c.name.toLowerCase() === k.toLowerCase()))
            throw invalid(`Primary key column '${k}' is not a column of the table`, s.pos);
        this.sinks.set(name, {
          name: s.name,
          columns: s.columns,
          primaryKey: s.primaryKey,
          options: s.options,
        });
        return { kind: 'ok', message: '[INFO] Execute statement succeeded.' };
      }
      case 'explain': {
        const inner = s.statement;
        if (inner.kind !== 'query' && inner.kind !== 'insert')
          throw unsupported('EXPLAIN of this statement', s.pos);
        const job = this.compile(inner);
        return { kind: 'explain', text: `== Optimized Execution Plan ==\n${job.plan}\n` };
      }
      case 'query':
      case 'insert':
        return { kind: 'job', job: this.compile(s) };
    }
  }

  private set(key: string | null, value: string | null, pos: Pos): TableResult {
    if (key === null) {
      const rows = [...this.config.entries()].sort().map(([k, v]) => [k, v]);
      return { kind: 'rows', columns: ['key', 'value'], rows };
    }
    if (value === null) throw invalid(`SET '${key}' needs a value`, pos);
    if (key === CONFIG_KEYS.stateTtl || key === CONFIG_KEYS.checkpointInterval) {
      const ms = parseDurationMs(value);
      if (ms === null)
        throw invalid(
          `Could not parse value '${value}' for key '${key}' (a duration: '10 s', '1 min', '500 ms')`,
          pos,
        );
      if (key === CONFIG_KEYS.checkpointInterval && ms <= 0)
        throw invalid(`'${key}' must be positive here`, pos);
    } else if (key === CONFIG_KEYS.checkpointMode) {
      if (value !== 'EXACTLY_ONCE' && value !== 'AT_LEAST_ONCE')
        throw invalid(`'${key}' is EXACTLY_ONCE or AT_LEAST_ONCE, got '${value}'`, pos);
    } else if (key === CONFIG_KEYS.unaligned) {
      if (value !== 'true' && value !== 'false')
        throw invalid(`'${key}' is true or false, got '${value}'`, pos);
    } else if (key === CONFIG_KEYS.parallelism) {
      if (!/^\d+$/.test(value) || Number(value) < 1)
        throw invalid(`'${key}' must be a positive integer, got '${value}'`, pos);
    } else if (!key.startsWith('sql-client.')) {
      throw unsupported(`the option '${key}' (the lab knows ${Object.values(CONFIG_KEYS).join(', ')})`, pos);
    }
    this.config.set(key, value);
    return { kind: 'ok', message: '[INFO] Execute statement succeeded.' };
  }

  private describe(name: string, pos: Pos): TableResult {
    const t = this.tables.get(name.toLowerCase());
    const columns = ['name', 'type', 'null', 'key', 'extras', 'watermark'];
    if (t) {
      return {
        kind: 'rows',
        columns,
        rows: t.columns.map((c) => [
          c.name,
          typeToString(c.type),
          'TRUE',
          '',
          '',
          t.rowtime === c.name && t.watermarkText
            ? `\`${t.rowtime}\` - ${t.watermarkText.replace(/^\w+ - /, '')}`
            : '',
        ]),
      };
    }
    const s = this.sinks.get(name.toLowerCase());
    if (s)
      return {
        kind: 'rows',
        columns,
        rows: s.columns.map((c) => {
          const pk = s.primaryKey.some((k) => k.toLowerCase() === c.name.toLowerCase());
          return [
            c.name,
            typeToString(c.type),
            pk ? 'FALSE' : 'TRUE',
            pk ? `PRI(${s.primaryKey.join(', ')})` : '',
            '',
            '',
          ];
        }),
      };
    throw invalid(`Table with identifier 'default_catalog.default_database.${name}' does not exist`, pos);
  }

  /** The DDL of a built-in table, as shown in the app and exported for Flink. */
  ddl(name: string): string | null {
    const t = this.tables.get(name.toLowerCase());
    return t ? tableDdl(t) : null;
  }

  private stateTtlMs(): number {
    const v = this.config.get(CONFIG_KEYS.stateTtl);
    return v === undefined ? 0 : (parseDurationMs(v) ?? 0);
  }

  private compile(s: Statement & { kind: 'query' | 'insert' }): SqlJob {
    const planner = new Planner(
      {
        table: (name, pos) => {
          const t = this.tables.get(name.toLowerCase());
          if (t) return t;
          if (this.sinks.has(name.toLowerCase()))
            throw unsupported(
              `reading the table '${name}' created here (only the built-in tables are sources)`,
              pos,
            );
          throw invalid(`Object '${name}' not found`, pos);
        },
      },
      this.stateTtlMs(),
    );
    const query: Select = s.query;
    let node = planner.plan(query);
    let table: string;
    let primaryKey: number[] | null = null;
    let columns: ResultColumn[] = node.fields.map((f) => ({ name: f.name, type: f.type }));
    if (s.kind === 'insert') {
      const sink = this.sinks.get(s.table.toLowerCase());
      if (!sink) {
        if (this.tables.has(s.table.toLowerCase()))
          throw unsupported(`INSERT INTO the built-in table '${s.table}' (create a sink table)`, s.pos);
        throw invalid(`Object '${s.table}' not found`, s.pos);
      }
      if (sink.columns.length !== node.fields.length)
        throw invalid(
          `Column types of query result and sink for 'default_catalog.default_database.${sink.name}' do not match: the query has ${node.fields.length} columns, the sink ${sink.columns.length}`,
          s.pos,
        );
      sink.columns.forEach((c, i) => {
        const q = node.fields[i].type;
        const compatible =
          c.type.name === q.name ||
          (['INT', 'BIGINT', 'DOUBLE', 'DECIMAL'].includes(c.type.name) &&
            ['INT', 'BIGINT', 'DOUBLE', 'DECIMAL'].includes(q.name)) ||
          q.name === 'NULL';
        if (!compatible)
          throw invalid(
            `Column '${c.name}' of the sink is ${typeToString(c.type)}, the query gives ${typeToString(q)}`,
            s.pos,
          );
      });
      columns = sink.columns.map((c) => ({ name: c.name, type: c.type }));
      table = sink.name;
      if (sink.primaryKey.length > 0) {
        primaryKey = sink.primaryKey.map((k) =>
          sink.columns.findIndex((c) => c.name.toLowerCase() === k.toLowerCase()),
        );
        omitUpdateBefore(node, primaryKey);
      } else if (!node.insertOnly)
        throw invalid(
          `Table sink 'default_catalog.default_database.${sink.name}' doesn't support consuming update changes which is produced by node ${updatingNodeName(node)}`,
          s.pos,
        );
    } else {
      this.sinkCounter++;
      table = `Unregistered_Collect_Sink_${this.sinkCounter}`;
    }
    node = { ...node, fields: node.fields.map((f, i) => ({ ...f, name: columns[i].name })) } as PlanNode;
    const root: PlanNode & { op: 'Sink' } = {
      op: 'Sink',
      input: node,
      table,
      primaryKey,
      fields: node.fields,
      insertOnly: node.insertOnly,
    };
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(Number(this.config.get(CONFIG_KEYS.parallelism) ?? 1));
    env.setStateBackend(new FsStateBackend('file:///tmp/checkpoints'));
    const interval = this.config.get(CONFIG_KEYS.checkpointInterval);
    const mode =
      this.config.get(CONFIG_KEYS.checkpointMode) === 'AT_LEAST_ONCE'
        ? 'at-least-once'
        : this.config.get(CONFIG_KEYS.unaligned) === 'true'
          ? 'unaligned'
          : 'exactly-once';
    env.enableCheckpointing(
      interval === undefined ? DEFAULT_CHECKPOINT_INTERVAL_MS : (parseDurationMs(interval) as number),
      mode,
    );
    this.configureEnvironment?.(env);
    translateToJob(root, env, { stateTtlMs: this.stateTtlMs() });
    return {
      jobGraph: env.getJobGraph(
        s.kind === 'insert' ? `insert-into_default_catalog.default_database.${table}` : 'collect',
      ),
      sinkUid: SQL_SINK_UID,
      columns,
      primaryKey,
      plan: explainTree(root),
      insertOnly: node.insertOnly,
    };
  }
}

/**
 * An upsert sink keyed by the GROUP BY key needs no update-before: Flink's planner then has the
 * GroupAggregate emit only +I/+U/-D (generateUpdateBefore = false).
 */
function omitUpdateBefore(node: PlanNode, primaryKey: readonly number[]): void {
  let n = node;
  let columns: Array<string | null> = node.fields.map((f) => f.name);
  if (n.op === 'Calc') {
    columns = n.projections.map((p) => p.digest);
    n = n.input;
  }
  if (n.op !== 'GroupAggregate' && n.op !== 'Deduplicate') return;
  const keyNames = n.keys.map((k) => n.fields[k].name);
  const pkNames = primaryKey.map((i) => columns[i]);
  if (keyNames.length === pkNames.length && keyNames.every((k) => pkNames.includes(k)))
    n.generateUpdateBefore = false;
}

function updatingNodeName(n: PlanNode): string {
  if (n.op === 'GroupAggregate' || n.op === 'Rank' || n.op === 'Join' || n.op === 'Deduplicate') return n.op;
  if (n.op === 'Calc' || n.op === 'Exchange' || n.op === 'Sink') return updatingNodeName(n.input);
  return n.op;
}
