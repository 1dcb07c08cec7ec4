/**
 * SQL queries compiled onto the engine, against results computed directly from the tables' rows, and
 * the changelogs Flink's operators emit (GroupAggFunction, AppendOnlyTopNFunction, StreamingJoinOperator).
 */
import { describe, expect, it } from 'vitest';
import { BUILTIN_TABLES, CLICK_PAGES } from '../../src/sql/catalog/BuiltinTables';
import type { SqlValue } from '../../src/sql/ast';
import { changelogByKey, runSql, sorted } from './helpers';

const rowsOf = (name: string): SqlValue[][] =>
  BUILTIN_TABLES.find((t) => t.name === name)!
    .log()
    .partitions.flat()
    .map((r) => r.value);

describe('GroupAggregate', () => {
  it("SELECT word, COUNT(*) FROM words GROUP BY word: Flink's +I / -U / +U changelog, per key in order", () => {
    const { changelog, result, job, sim } = runSql('SELECT word, COUNT(*) AS cnt FROM words GROUP BY word');
    expect(sim.cluster.jobStatus).toBe('FINISHED');
    // words has one partition and one key per subtask stream: the order is the text's.
    expect(changelog.map((c) => `${c.kind}${JSON.stringify(c.row)}`)).toEqual([
      '+I["to",1]',
      '+I["be",1]',
      '+I["or",1]',
      '+I["not",1]',
      '-U["to",1]',
      '+U["to",2]',
      '-U["be",1]',
      '+U["be",2]',
      '+I["that",1]',
      '+I["is",1]',
      '+I["the",1]',
      '+I["question",1]',
    ]);
    expect(sorted(result)).toEqual(
      sorted([
        ['to', 2],
        ['be', 2],
        ['or', 1],
        ['not', 1],
        ['that', 1],
        ['is', 1],
        ['the', 1],
        ['question', 1],
      ]),
    );
    expect(job.plan).toBe(
      [
        'Sink(table=[default_catalog.default_database.Unregistered_Collect_Sink_1], fields=[word, cnt])',
        '+- GroupAggregate(groupBy=[word], select=[word, COUNT(*) AS cnt])',
        '   +- Exchange(distribution=[hash[word]])',
        '      +- TableSourceScan(table=[[default_catalog, default_database, words]], fields=[word])',
      ].join('\n'),
    );
    // One accumulator per key in keyed state (the count of each word, plus its row counter).
    const acc = sim.result().state['group-aggregate']?.['accState'] ?? {};
    expect(Object.keys(acc).sort()).toEqual(['be', 'is', 'not', 'or', 'question', 'that', 'the', 'to']);
  });

  it('COUNT, COUNT DISTINCT, SUM, MIN, MAX, AVG and HAVING over logins equal the direct computation', () => {
    const { result } = runSql(
      `SELECT user_id, COUNT(*) AS n, COUNT(DISTINCT success) AS kinds,
              SUM(CASE WHEN success THEN 0 ELSE 1 END) AS failures, MIN(ts) AS first_ts, MAX(ts) AS last_ts,
              AVG(CASE WHEN success THEN 100 ELSE 0 END) AS ok_pct
       FROM logins GROUP BY user_id HAVING COUNT(*) >= 40`,
    );
    const byUser = new Map<string, SqlValue[][]>();
    for (const r of rowsOf('logins')) byUser.set(r[0] as string, [...(byUser.get(r[0] as string) ?? []), r]);
    const expected: SqlValue[][] = [];
    for (const [user, rows] of byUser) {
      if (rows.length < 40) continue;
      const ts = rows.map((r) => r[2] as number);
      const fails = rows.filter((r) => r[1] === false).length;
      expected.push([
        user,
        rows.length,
        new Set(rows.map((r) => r[1])).size,
        fails,
        Math.min(...ts),
        Math.max(...ts),
        Math.trunc((100 * (rows.length - fails)) / rows.length), // AVG of INT is an INT in Flink
      ]);
    }
    expect(expected.length).toBeGreaterThan(3);
    expect(sorted(result)).toEqual(sorted(expected));
  });

  it('HAVING drops the rows of a key until it passes: the first row a reader sees is a +U', () => {
    const { changelog } = runSql(
      'SELECT page, COUNT(*) AS cnt FROM clicks GROUP BY page HAVING COUNT(*) > 999',
    );
    expect(changelog.map((c) => c.kind)).toEqual(Array(6).fill('+U'));
    expect(sorted(changelog.map((c) => c.row))).toEqual(sorted(CLICK_PAGES.map((p) => [p, 1000])));
  });

  it('table.exec.state.ttl: an idle key expires and starts again at +I', () => {
    // words emits a word every 150 ms; with a 200 ms TTL the second "to" (600 ms after the first)
    // finds no accumulator.
    const { changelog } = runSql(
      "SET 'table.exec.state.ttl' = '200 ms'; SELECT word, COUNT(*) AS cnt FROM words GROUP BY word",
    );
    const to = changelogByKey(changelog).get('["to"]');
    expect(to).toEqual(['+I["to",1]', '+I["to",1]']);
  });
});

describe('SELECT DISTINCT', () => {
  it('is a GroupAggregate without aggregates: +I for a new value, nothing for a repeated one', () => {
    const { changelog, job } = runSql('SELECT DISTINCT word FROM words');
    expect(job.plan).toContain('GroupAggregate(groupBy=[word], select=[word])');
    expect(changelog.map((c) => `${c.kind}${c.row[0] as string}`)).toEqual(
      ['to', 'be', 'or', 'not', 'that', 'is', 'the', 'question'].map((w) => `+I${w}`),
    );
  });
});

describe('Rank (ROW_NUMBER Top-N)', () => {
  it('the latest two clicks per page, with the row number: ends with the true top 2', () => {
    const { result, job } = runSql(
      'SELECT * FROM (SELECT page, ts, ROW_NUMBER() OVER (PARTITION BY page ORDER BY ts DESC) AS rn FROM clicks) WHERE rn <= 2',
    );
    expect(job.plan).toContain(
      'Rank(strategy=[AppendFastStrategy], rankType=[ROW_NUMBER], rankRange=[rankStart=1, rankEnd=2], partitionBy=[page], orderBy=[ts DESC], select=[page, ts, rn])',
    );
    const expected: SqlValue[][] = [];
    for (const p of CLICK_PAGES) {
      const ts = rowsOf('clicks')
        .filter((r) => r[0] === p)
        .map((r) => r[1] as number)
        .sort((a, b) => b - a);
      expected.push([p, ts[0], 1], [p, ts[1], 2]);
    }
    expect(sorted(result)).toEqual(sorted(expected));
  });

  it('without the row number: +I for a row entering the top N, -D for the row it pushes out', () => {
    const { changelog, result } = runSql(
      'SELECT user_id, ts FROM (SELECT user_id, ts, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY ts DESC) AS rn FROM logins) WHERE rn <= 2',
    );
    // the latest two logins per user: each newer login pushes the oldest of them out
    expect(new Set(changelog.map((c) => c.kind))).toEqual(new Set(['+I', '-D']));
    const byUser = new Map<string, number[]>();
    for (const r of rowsOf('logins'))
      byUser.set(r[0] as string, [...(byUser.get(r[0] as string) ?? []), r[2] as number]);
    const expected = [...byUser].flatMap(([u, ts]) =>
      ts
        .sort((a, b) => b - a)
        .slice(0, 2)
        .map((t) => [u, t]),
    );
    expect(sorted(result)).toEqual(sorted(expected));
  });
});

describe('Join', () => {
  it('an inner join keeps both sides in state and gives every matching pair', () => {
    const { result, sim } = runSql(
      `SELECT v.user_id, v.ts, l.ts FROM (SELECT * FROM visits WHERE user_id = 'user-003') v
       JOIN (SELECT * FROM logins WHERE user_id = 'user-003') l ON v.user_id = l.user_id AND l.ts > v.ts`,
    );
    const visits = rowsOf('visits').filter((r) => r[0] === 'user-003');
    const logins = rowsOf('logins').filter((r) => r[0] === 'user-003');
    const expected = visits.flatMap((v) =>
      logins.filter((l) => (l[2] as number) > (v[1] as number)).map((l) => [v[0], v[1], l[2]]),
    );
    expect(expected.length).toBeGreaterThan(10);
    expect(sorted(result)).toEqual(sorted(expected));
    const state = sim.result().state['join'] ?? {};
    expect(Object.keys(state).sort()).toEqual(['left-records', 'right-records']);
  });

  it('a LEFT JOIN retracts its NULL-padded row when the first partner arrives (-D then +I)', () => {
    const { changelog, result } = runSql(
      'SELECT w.word, c.page FROM words w LEFT JOIN clicks c ON w.word = c.page',
    );
    // no word is a page: every word stays NULL-padded, nothing is retracted
    expect(changelog.every((c) => c.kind === '+I' && c.row[1] === null)).toBe(true);
    expect(result.length).toBe(10);
  });
});

describe('Join filters (Flink FilterJoinRule)', () => {
  it('WHERE conditions on one input run below the join; below a LEFT JOIN only the left one', () => {
    const inner = runSql(
      `SELECT v.ts, l.ts FROM visits v JOIN logins l ON v.user_id = l.user_id
       WHERE v.user_id = 'user-003' AND l.success AND l.ts > v.ts`,
    );
    expect(inner.job.plan).toContain(":  +- Calc(select=[user_id, ts], where=[=(user_id, 'user-003')])");
    expect(inner.job.plan).toContain('+- Calc(select=[user_id, success, ts], where=[success])');
    expect(inner.job.plan).toContain('+- Calc(select=[ts, ts0], where=[>(ts0, ts)])');
    const visits = rowsOf('visits').filter((r) => r[0] === 'user-003');
    const logins = rowsOf('logins').filter((r) => r[0] === 'user-003' && r[1] === true);
    const expected = visits.flatMap((v) =>
      logins.filter((l) => (l[2] as number) > (v[1] as number)).map((l) => [v[1], l[2]]),
    );
    expect(sorted(inner.result)).toEqual(sorted(expected));
    const left = runSql(
      "SELECT w.word FROM words w LEFT JOIN clicks c ON w.word = c.page WHERE c.page IS NULL AND w.word <> 'to'",
    );
    expect(left.job.plan).toContain("Calc(select=[word], where=[<>(word, 'to')])");
    expect(left.job.plan).toContain('Calc(select=[word], where=[IS NULL(page)])');
    expect(left.result).toHaveLength(8);
  });
});

describe('WindowAggregate (window TVFs)', () => {
  const clicks = () => rowsOf('clicks') as Array<[string, number]>;

  it('TUMBLE: one insert-only row per page and window once the watermark passes its end; the state is freed', () => {
    const { changelog, result, job, sim } = runSql(
      `SELECT page, window_start, window_end, COUNT(*) AS cnt
       FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '5' SECOND)) GROUP BY page, window_start, window_end`,
    );
    expect(job.plan).toContain(
      "WindowAggregate(groupBy=[page], window=[TUMBLE(time_col=[ts], size=[5 s])], select=[page, COUNT(*) AS cnt, start('w$) AS window_start, end('w$) AS window_end, rowtime('w$) AS window_time])",
    );
    expect(changelog.every((c) => c.kind === '+I')).toBe(true);
    const expected = new Map<string, number>();
    for (const [page, ts] of clicks()) {
      const start = ts - (ts % 5000);
      const k = JSON.stringify([page, start, start + 5000]);
      expected.set(k, (expected.get(k) ?? 0) + 1);
    }
    expect(sorted(result)).toEqual(
      sorted([...expected].map(([k, n]) => [...(JSON.parse(k) as SqlValue[]), n])),
    );
    expect(Object.keys(sim.result().state['window-aggregate']?.['window-accs'] ?? {})).toEqual([]);
  });

  it('HOP and CUMULATE give every window a click belongs to', () => {
    const hop = runSql(
      `SELECT window_start, window_end, COUNT(*) AS cnt
       FROM TABLE(HOP(TABLE clicks, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND)) GROUP BY window_start, window_end`,
    );
    const count = (lo: number, hi: number) => clicks().filter(([, ts]) => ts >= lo && ts < hi).length;
    expect(sorted(hop.result)).toEqual(
      sorted([-5000, 0, 5000, 10000].map((s) => [s, s + 10000, count(s, s + 10000)])),
    );
    const cum = runSql(
      `SELECT window_start, window_end, COUNT(*) AS cnt
       FROM TABLE(CUMULATE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '15' SECOND)) GROUP BY window_start, window_end`,
    );
    expect(sorted(cum.result)).toEqual(sorted([5000, 10000, 15000].map((e) => [0, e, count(0, e)])));
  });

  it('a window TVF without GROUP BY adds window_start, window_end, window_time to every row', () => {
    const { result } = runSql(
      "SELECT page, ts, window_start, window_end FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' SECOND)) WHERE page = '/news'",
    );
    expect(result).toHaveLength(1000);
    for (const [, ts, start, end] of result as number[][]) {
      expect(start).toBe(ts - (ts % 1000));
      expect(end).toBe(start + 1000);
    }
  });
});

describe('Calc at run time, as Flink', () => {
  it('integer division by zero fails the task (ArithmeticException) and the restart strategy takes over', () => {
    const { sim } = runSql("SELECT CASE WHEN word = 'not' THEN 1 / 0 ELSE 1 END AS x FROM words", {
      until: 20_000,
    });
    expect(sim.failures.length).toBeGreaterThan(0);
    expect(JSON.stringify(sim.failures[0].reason)).toContain('java.lang.ArithmeticException: / by zero');
    expect(sim.cluster.jobStatus).not.toBe('FINISHED');
  });

  it('integer division truncates; CAST of a string that is no number fails like Flink, of a number works', () => {
    const { result } = runSql(
      "SELECT 7 / 2 AS q, 7 % 3 AS r, CAST('42' AS INT) + 1 AS c, 7.0 / 2 AS d FROM words WHERE word = 'or'",
    );
    expect(result).toEqual([[3, 1, 43, 3.5]]);
  });
});
