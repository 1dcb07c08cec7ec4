/** `npm run sim -- --sql …`: SQL statements on the command line, through runCli (no process). */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run';
import { syntaxErrors } from '../../src/sql/parser/AstBuilder';

function cli(argv: string[], files: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const code = runCli(argv, {
    out: (t) => (out += t),
    err: (t) => (err += t),
    readFile: (p) => {
      if (!(p in files)) throw new Error(`ENOENT: no such file '${p}'`);
      return files[p];
    },
  });
  return { code, out, err };
}

describe('npm run sim -- --sql', () => {
  it('a parse error exits 2 with line:column and the parser message', () => {
    const r = cli(['--sql', 'SELECT word\nFROM words WHERE']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^sim: SQL error in --sql at 2:17: /);
    const u = cli(['--sql', 'SELECT word FROM words LIMIT 3']);
    expect(u.code).toBe(2);
    expect(u.err).toBe('sim: SQL error in --sql at 1:24: not supported here: LIMIT\n');
  });

  it('--json has the committed changelog and the materialized result; a failure restores exactly-once', () => {
    const r = cli([
      '--sql',
      'SELECT word, COUNT(*) AS cnt FROM words GROUP BY word',
      '--json',
      '--fail',
      'group-aggregate#0@700',
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as {
      failures: Array<{ task: string; restoredFrom: number | null }>;
      sql: {
        changelog: Array<{ kind: string; row: Record<string, unknown> }>;
        result: Array<Record<string, unknown>>;
      };
    };
    expect(j.failures.map((f) => f.task)).toEqual(['group-aggregate#0']);
    expect(j.failures[0].restoredFrom).not.toBeNull();
    const to = j.sql.changelog
      .filter((c) => c.row.word === 'to')
      .map((c) => `${c.kind} ${String(c.row.cnt)}`);
    expect(to).toEqual(['+I 1', '-U 1', '+U 2']);
    expect(j.sql.result).toContainEqual({ word: 'be', cnt: 2 });
    expect(j.sql.result).toHaveLength(8);
  });

  it('--sql-file runs SET, EXPLAIN and INSERT INTO an upsert sink; timestamps print as the SQL Client', () => {
    const script = `
      SET 'execution.checkpointing.interval' = '500 ms';
      CREATE TABLE latest (page STRING, last_ts TIMESTAMP(3), PRIMARY KEY (page) NOT ENFORCED) WITH ('connector' = 'print');
      EXPLAIN INSERT INTO latest SELECT page, MAX(ts) FROM clicks GROUP BY page;
      INSERT INTO latest SELECT page, MAX(ts) FROM clicks GROUP BY page;`;
    const r = cli(['--sql-file', 'q.sql'], { 'q.sql': script });
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      '== Optimized Execution Plan ==\nSink(table=[default_catalog.default_database.latest], fields=[page, last_ts])',
    );
    expect(r.out).toContain('Result (upsert by primary key): 6 rows');
    expect(r.out).toMatch(/\|\s+\/help \| 1970-01-01 00:00:14\.985 \|/);
    // keyed by the GROUP BY key: no update-before, only +I and +U
    expect(r.out).toMatch(/Committed changelog: 6000 rows \(\+I 6, -U 0, \+U 5994, -D 0\)/);
  });

  it("--export-flink writes a SQL Client script Flink's grammar accepts, the tables over CSV files", () => {
    const written: Record<string, string> = {};
    let err = '';
    const code = runCli(
      [
        '--sql',
        "SET 'table.exec.state.ttl' = '10 s'; SELECT word, COUNT(*) AS cnt FROM words GROUP BY word",
        '--export-flink',
        'lab.sql',
      ],
      { out: () => {}, err: (t) => (err += t), writeFile: (p, t) => (written[p] = t) },
    );
    expect(code).toBe(0);
    expect(err).toContain('Flink SQL Client script written to lab.sql');
    const script = written['lab.sql'];
    expect(syntaxErrors(script)).toEqual([]);
    expect(script).toContain("CREATE TABLE words (\n  `word` STRING\n) WITH (\n  'connector' = 'filesystem'");
    expect(script).toContain(
      "SET 'table.exec.state.ttl' = '10 s';\nSELECT word, COUNT(*) AS cnt FROM words GROUP BY word;",
    );
    expect(script).not.toContain('CREATE TABLE clicks');
    const csv = cli(['--dump-table', 'visits', '--csv']).out.split('\n');
    expect(csv.slice(0, 2)).toEqual(['user-021,2024-06-01 08:00:00.000', 'user-004,2024-06-01 08:00:00.010']);
    expect(csv.filter((l) => l !== '')).toHaveLength(10_000);
  });

  it('--dump-table prints a table as the query sees it', () => {
    const r = cli(['--dump-table', 'clicks', '--json']);
    const j = JSON.parse(r.out) as { rows: Array<Record<string, unknown>> };
    expect(j.rows).toHaveLength(6000);
    expect(j.rows.slice(0, 2)).toEqual([
      { partition: 0, offset: 0, page: '/help', ts: '1970-01-01 00:00:00.000' },
      { partition: 0, offset: 1, page: '/shop', ts: '1970-01-01 00:00:00.000' },
    ]);
  });
});
