/**
 * The SQL page's Run in the engine worker (EngineHost.loadSql): statements run in a TableEnvironment
 * in the worker, the query is loaded as the job and runs like any job; every frame carries its
 * committed changelog and the table it materializes. Checked against a direct computation over the
 * built-in table's rows; a SQL error comes back at line:col and leaves the running job and its
 * stored checkpoints as they were.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { BUILTIN_TABLES } from '../../src/sql/catalog/BuiltinTables';
import { materialize } from '../../src/sql/runtime/materialize';
import type { RowData } from '../../src/sql/runtime/RowData';
import type { EngineHost } from '../../src/worker/EngineHost';
import type { FrameUpdate, LoadOptions, SqlFrame, SqlJobSource } from '../../src/worker/protocol';
import { MaterializedTable } from '../../src/worker/sqlJob';
import { freshDbName } from '../storage/helpers';
import { newHost, playUntil } from './host-helpers';

const COUNT = 'SELECT word, COUNT(*) AS cnt FROM words GROUP BY word';
const asLoad = (script: string): LoadOptions & { sql: SqlJobSource } => ({
  scenario: 'sql',
  seed: 1,
  sql: { script },
});

/** What the page keeps of the frames' SQL part: the whole changelog (reset on a new engine) and the table. */
function collect(updates: FrameUpdate[]) {
  let changelog: SqlFrame['changelog'] = [];
  let table: string[][] = [];
  let last: SqlFrame | null = null;
  for (const u of updates) {
    const sql = u.sql;
    if (!sql) continue;
    if (sql.reset) changelog = [];
    changelog = [...changelog, ...sql.changelog];
    if (sql.table) table = sql.table.rows;
    last = sql;
  }
  return { changelog, table, last };
}

/** COUNT(*) per word computed directly from the rows of the built-in table. */
function directCounts(): Map<string, number> {
  const words = BUILTIN_TABLES.find((t) => t.name === 'words')!;
  const counts = new Map<string, number>();
  for (const p of words.log().partitions)
    for (const r of p) counts.set(r.value[0] as string, (counts.get(r.value[0] as string) ?? 0) + 1);
  return counts;
}

async function runToEnd(host: EngineHost) {
  return playUntil(host, (u) => u.finished, 250, 4000);
}

describe('a SQL job run in the engine worker', () => {
  it('GROUP BY count: the changelog retracts and re-emits, the table holds the direct counts', async () => {
    const host = newHost(freshDbName());
    await host.start();
    const result = await host.loadSql(asLoad(COUNT));
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    expect(result.job?.columns).toEqual([
      { name: 'word', type: 'STRING' },
      { name: 'cnt', type: 'BIGINT' },
    ]);
    expect(result.job?.plan).toContain('GroupAggregate(groupBy=[word]');
    expect(result.load?.operators.map((o) => o.name).join(' | ')).toContain('GroupAggregate');
    const updates = await runToEnd(host);
    expect(updates.at(-1)?.jobStatus).toBe('FINISHED');
    const { changelog, table, last } = collect(updates);
    const expected = directCounts();

    // The table view: one row per word with its count, as computed from the rows.
    expect(new Map(table.map(([w, c]) => [w, Number(c)]))).toEqual(expected);
    expect(last?.table === null || last?.table?.size === expected.size).toBe(true);

    // The changelog view: per word +I 1, then -U n / +U n+1 for every further occurrence.
    expect(changelog.length).toBe(last?.total);
    for (const [word, n] of expected) {
      const rows = changelog.filter((c) => c.row[0] === word).map((c) => `${c.kind}${c.row[1]}`);
      const want = ['+I1'];
      for (let i = 1; i < n; i++) want.push(`-U${i}`, `+U${i + 1}`);
      expect(rows, word).toEqual(want);
    }
    expect(last?.counts['+I']).toBe(expected.size);
    expect(last?.counts['-U']).toBeGreaterThan(0);

    // The state readout: GroupAggregate keeps one accumulator per word (no TTL: all of them to the end).
    const agg = result.job!.statefulOperators.find((o) => o.name.startsWith('GroupAggregate'))!;
    expect(last?.state[agg.uid]).toBe(expected.size);
  });

  it('a SQL error comes back at line:col; the running job and its stored checkpoints stay', async () => {
    const host = newHost(freshDbName());
    await host.start();
    const ok = await host.loadSql(asLoad(COUNT));
    if (!ok.ok || !ok.load) throw new Error('the query did not load');
    await playUntil(host, (u) => u.checkpoints.completed >= 1, 16, 400);
    const before = await host.listCheckpoints();
    expect(before.stored.length).toBeGreaterThan(0);
    const frameBefore = await host.frame(0);

    const syntax = await host.loadSql(asLoad('SELECT word,\nCOUNT(*) FROM words GROUP word'));
    expect(syntax).toMatchObject({ ok: false, error: { kind: 'parse', line: 2 } });
    const unknown = await host.loadSql(asLoad('SELECT nope FROM words'));
    expect(unknown).toMatchObject({
      ok: false,
      error: { kind: 'validation', line: 1, col: 8, message: expect.stringContaining('nope') },
    });
    const unsupported = await host.loadSql(asLoad('SELECT word FROM words LIMIT 3'));
    expect(unsupported).toMatchObject({
      ok: false,
      error: { kind: 'unsupported', line: 1, message: expect.stringMatching(/^not supported here: LIMIT/) },
    });

    const after = await host.frame(0);
    expect(after.now).toBe(frameBefore.now);
    expect(after.jobStatus).toBe('RUNNING');
    expect(after.taskStatuses).toEqual(frameBefore.taskStatuses);
    // The result so far is still the job's: no reset, nothing new.
    expect(after.sql?.reset).toBe(false);
    expect((await host.listCheckpoints()).stored).toEqual(before.stored);
    // And it goes on to the right result.
    const { table } = collect(await runToEnd(host));
    expect(new Map(table.map(([w, c]) => [w, Number(c)]))).toEqual(directCounts());
  });

  it('statements without a query answer and load nothing; EXPLAIN names Flink operators', async () => {
    const host = newHost(freshDbName());
    await host.start();
    const first = await host.loadSql(asLoad(COUNT));
    if (!first.ok) throw new Error('the query did not load');
    const r = await host.loadSql(
      asLoad("SHOW TABLES;\nDESCRIBE clicks;\nSET 'table.exec.state.ttl' = '10 s'"),
    );
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(r.load).toBeNull();
    expect(r.outputs[0]).toMatchObject({
      kind: 'rows',
      rows: [['clicks'], ['logins'], ['visits'], ['words']],
    });
    expect(r.outputs[1]).toMatchObject({ kind: 'rows', columns: expect.arrayContaining(['name', 'type']) });
    expect((r.outputs[1] as { rows: string[][] }).rows[1][1]).toBe('TIMESTAMP(3) *ROWTIME*');
    expect(r.outputs[2]).toMatchObject({ kind: 'ok' });
    expect((await host.frame(0)).jobStatus).toBe('RUNNING');

    const plan = await host.explainSql({ script: `SET 'parallelism.default' = '2';\n${COUNT}` });
    expect(plan.ok).toBe(true);
    if (plan.ok) {
      expect(plan.text).toContain('== Optimized Execution Plan ==');
      expect(plan.text).toMatch(/GroupAggregate\(groupBy=\[word\]/);
      expect(plan.text).toMatch(/Exchange\(distribution=\[hash\[word\]\]\)/);
      expect(plan.text).toMatch(/TableSourceScan\(table=\[\[.*words\]\]/);
    }
    expect(await host.explainSql({ script: 'SELECT FROM' })).toMatchObject({ ok: false, error: { line: 1 } });
    const tables = await host.sqlTables();
    expect(tables.map((t) => t.name)).toEqual(['words', 'visits', 'logins', 'clicks']);
    expect(tables.find((t) => t.name === 'clicks')?.columns.map((c) => c.name)).toEqual(['page', 'ts']);
    // The CSV file an exported script reads: every row of the table, one per line.
    const words = [...directCounts().values()].reduce((a, b) => a + b, 0);
    expect((await host.sqlTableCsv('words'))?.trim().split('\n')).toHaveLength(words);
    expect(await host.sqlTableCsv('nope')).toBeNull();
  });

  it('a failure restores exactly-once: the committed changelog still materializes to the direct counts', async () => {
    const host = newHost(freshDbName());
    await host.start();
    const ok = await host.loadSql(asLoad(COUNT));
    if (!ok.ok || !ok.load) throw new Error('the query did not load');
    const agg = ok.load.tasks.find((t) => t.operatorName.startsWith('GroupAggregate'))!;
    const early = await playUntil(host, (u) => u.checkpoints.completed >= 1, 16, 400);
    await host.failTask(agg.id);
    const rest = await runToEnd(host);
    const updates = [...early, ...rest];
    expect(updates.some((u) => u.events.some((e) => e.type === 'task-restored'))).toBe(true);
    const { changelog, table } = collect(updates);
    expect(new Map(table.map(([w, c]) => [w, Number(c)]))).toEqual(directCounts());
    // The page's incremental table and the SQL Client's materialization of the same changelog agree.
    const rows: RowData[] = changelog.map((c) => ({ kind: c.kind, row: [c.row[0], Number(c.row[1])] }));
    const reference = materialize(rows, null).map((r) => `${r[0]}=${r[1]}`);
    expect(table.map((r) => `${r[0]}=${r[1]}`).sort()).toEqual(reference.sort());
    const sink = await host.sinkReport();
    expect(sink.check.verdict).toBe('exactly-once');
  });
});

describe('a SQL job and its snapshot file', () => {
  it('exports its latest checkpoint and imports it back (a new engine restored from it)', async () => {
    const host = newHost(freshDbName());
    await host.start();
    const ok = await host.loadSql(asLoad(COUNT));
    if (!ok.ok || !ok.job) throw new Error('the query did not load');
    await playUntil(host, (u) => u.checkpoints.completed >= 1, 16, 400);
    const exported = await host.exportSnapshot();
    if (!exported.ok) throw new Error(JSON.stringify(exported.error));
    expect(exported.text).toContain('accState');
    const imported = await host.importSnapshot(exported.text);
    if (!imported.ok) throw new Error(JSON.stringify(imported.errors));
    const u = await host.frame(0);
    expect(u.sql?.reset).toBe(true);
    expect(u.sql?.state[ok.job.statefulOperators[0].uid]).toBeGreaterThan(0);
    // Into another query's job the same file is refused, and that job is left as it was.
    const other = await host.loadSql(asLoad('SELECT page, COUNT(*) AS n FROM clicks GROUP BY page'));
    expect(other.ok).toBe(true);
    expect((await host.importSnapshot(exported.text)).ok).toBe(false);
  });
});

describe('a SQL job after the worker died', () => {
  it('a new worker recovers it from its latest checkpoint; the page can ask what it is', async () => {
    const dbName = freshDbName();
    const first = newHost(dbName);
    await first.start();
    const ok = await first.loadSql(asLoad(COUNT));
    if (!ok.ok || !ok.job) throw new Error('the query did not load');
    await playUntil(first, (u) => u.checkpoints.completed >= 1, 16, 400);
    const second = newHost(dbName);
    const start = await second.start();
    expect(start.recovered).toBe(true);
    expect(start.load?.recovery.restoredFrom).not.toBeNull();
    expect(await second.sqlJobInfo()).toEqual(ok.job);
    const u = await second.frame(0);
    expect(u.sql?.reset).toBe(true);
    // The restored GroupAggregate holds the counts of the checkpoint: one accumulator per word seen.
    expect(u.sql?.state[ok.job.statefulOperators[0].uid]).toBeGreaterThan(0);
  });
});

describe('MaterializedTable (the table view, updated in place)', () => {
  it('a +U takes the place of the row its -U retracted; an upsert keeps the last row per key', () => {
    const t = new MaterializedTable(null);
    t.apply('+I', ['a', 1]);
    t.apply('+I', ['b', 1]);
    t.apply('-U', ['a', 1]);
    t.apply('+U', ['a', 2]);
    t.apply('+I', ['c', 1]);
    t.apply('-D', ['b', 1]);
    expect(t.rows()).toEqual([
      ['a', 2],
      ['c', 1],
    ]);
    expect(t.size).toBe(2);
    t.apply('-D', ['x', 9]);
    expect(t.missing).toBe(1);

    const u = new MaterializedTable([0]);
    u.apply('+I', ['a', 1]);
    u.apply('+I', ['b', 1]);
    u.apply('+U', ['a', 2]);
    u.apply('-D', ['b', 1]);
    expect(u.rows()).toEqual([['a', 2]]);
  });

  it('equals materialize() over a long changelog with compactions', () => {
    const t = new MaterializedTable(null);
    const log: RowData[] = [];
    const counts = new Map<string, number>();
    // A deterministic GROUP BY changelog over 7 keys, 500 rows: +I, then -U/+U pairs, some -D.
    for (let i = 0; i < 500; i++) {
      const k = `k${(i * 31) % 7}`;
      const n = counts.get(k) ?? 0;
      if (n > 0) log.push({ kind: '-U', row: [k, n] });
      if (i % 13 === 12 && n > 0) {
        log[log.length - 1] = { kind: '-D', row: [k, n] };
        counts.delete(k);
        continue;
      }
      log.push({ kind: n === 0 ? '+I' : '+U', row: [k, n + 1] });
      counts.set(k, n + 1);
    }
    for (const c of log) t.apply(c.kind, c.row);
    const sorted = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();
    expect(sorted(t.rows())).toEqual(sorted(materialize(log, null)));
    expect(t.missing).toBe(0);
  });
});
