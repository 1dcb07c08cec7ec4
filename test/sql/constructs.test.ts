/**
 * Deduplication, interval joins and the SESSION window TVF: against results computed directly from
 * the tables' rows, with Flink's changelogs (RowTimeDeduplicateFunction, TimeIntervalJoin) and plans.
 */
import { describe, expect, it } from 'vitest';
import { ReplayableLog } from '../../src/engine/index';
import type { SqlValue } from '../../src/sql/ast';
import type { TableDefinition } from '../../src/sql/catalog/BuiltinTables';
import { SqlError } from '../../src/sql/SqlError';
import { TableEnvironment } from '../../src/sql/TableEnvironment';
import { runSql, sorted } from './helpers';

type Rec = [string, number, number]; // k, v, ts (ms)

/** A table t(k STRING, v INT, ts TIMESTAMP(3) rowtime) over the given partitions, watermark ts - 10 ms. */
function table(name: string, partitions: Rec[][], delayMs = 10): TableDefinition {
  return {
    name,
    columns: [
      { name: 'k', type: { name: 'STRING' } },
      { name: 'v', type: { name: 'INT' } },
      { name: 'ts', type: { name: 'TIMESTAMP', precision: 3, rowtime: true } },
    ],
    rowtime: 'ts',
    watermarkDelayMs: delayMs,
    watermarkText: `ts - INTERVAL '${delayMs / 1000}' SECOND`,
    emitIntervalMs: 5,
    origin: 'written by the test',
    log: () =>
      new ReplayableLog(
        name,
        partitions.map((p) => p.map((r) => ({ value: [...r] as SqlValue[], timestamp: r[2] }))),
      ),
  };
}

const changes = (c: Array<{ kind: string; row: SqlValue[] }>) =>
  c.map((x) => `${x.kind}${JSON.stringify(x.row)}`);

/** Deterministic pseudo-random rows: keys a..e, values 0..9, ts increasing with small disorder. */
function rows(n: number, seed: number, step = 7, disorder = 5): Rec[] {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: n }, (_, i): Rec => [
    'abcde'[Math.floor(rnd() * 5)],
    Math.floor(rnd() * 10),
    100 + i * step + Math.floor(rnd() * disorder),
  ]);
}

describe('Deduplicate (ROW_NUMBER ordered by a rowtime, rn = 1)', () => {
  const dedup = (dir: 'ASC' | 'DESC') =>
    `SELECT k, v, ts FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts ${dir}) AS rn FROM t) WHERE rn = 1`;

  it("keep first: Flink's plan, insert-only: the earliest row per key once the watermark passes it", () => {
    // One partition, out of order within the watermark's 10 ms: b@105 comes after b@108 and wins;
    // a@120 and b@130 come after their key's row was emitted: dropped.
    const t = table('t', [
      [
        ['a', 1, 100],
        ['b', 2, 108],
        ['b', 3, 105],
        ['a', 4, 120],
        ['b', 5, 130],
      ],
    ]);
    const r = runSql(dedup('ASC'), { tables: [t] });
    expect(r.sim.cluster.jobStatus).toBe('FINISHED');
    expect(r.job.plan).toContain('Deduplicate(keep=[FirstRow], key=[k], order=[ROWTIME])');
    expect(r.job.plan).not.toContain('Rank(');
    expect(changes(r.changelog)).toEqual(['+I["a",1,100]', '+I["b",3,105]']);
    expect(r.job.insertOnly).toBe(true);
  });

  it('keep last: every later row of a key retracts the kept one (-U/+U); the result is the latest row per key', () => {
    const t = table('t', [
      [
        ['a', 1, 100],
        ['a', 2, 110],
        ['b', 3, 115],
        ['a', 4, 120],
      ],
    ]);
    const r = runSql(dedup('DESC'), { tables: [t] });
    expect(r.job.plan).toContain('Deduplicate(keep=[LastRow], key=[k], order=[ROWTIME])');
    expect(changes(r.changelog)).toEqual([
      '+I["a",1,100]',
      '-U["a",1,100]',
      '+U["a",2,110]',
      '+I["b",3,115]',
      '-U["a",2,110]',
      '+U["a",4,120]',
    ]);
  });

  it.each(['ASC', 'DESC'] as const)(
    'ORDER BY ts %s over 3 partitions at parallelism 2 equals the first/last row per key computed directly',
    (dir) => {
      const parts = [rows(80, 1), rows(80, 2), rows(80, 3)];
      const r = runSql(`SET 'parallelism.default' = '2';\n${dedup(dir)}`, { tables: [table('t', parts)] });
      const best = new Map<string, Rec>();
      // Equal timestamps of one key: keep first keeps the earlier arrival; keep last the later one —
      // avoid the ambiguity across partitions by making timestamps unique per key.
      const seen = new Set<string>();
      for (const rec of parts.flat()) {
        const id = `${rec[0]}@${rec[2]}`;
        if (seen.has(id)) continue;
        seen.add(id);
        const b = best.get(rec[0]);
        if (!b || (dir === 'ASC' ? rec[2] < b[2] : rec[2] > b[2])) best.set(rec[0], rec);
      }
      const dupTs = parts.flat().length !== seen.size;
      if (dupTs) {
        // With equal (k, ts) rows in several partitions only k and ts are determined.
        expect(sorted(r.result.map((x) => [x[0], x[2]]))).toEqual(
          sorted([...best.values()].map((x) => [x[0], x[2]])),
        );
      } else expect(sorted(r.result)).toEqual(sorted([...best.values()]));
      expect(r.sim.cluster.jobStatus).toBe('FINISHED');
    },
  );

  it('into an upsert sink keyed by the partition key: no -U (generateUpdateBefore = false), the latest row per key', () => {
    const t = table('t', [
      [
        ['a', 1, 100],
        ['a', 2, 110],
        ['b', 3, 115],
      ],
    ]);
    const r = runSql(
      `CREATE TABLE latest (k STRING, v INT, ts TIMESTAMP(3), PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'print');
       INSERT INTO latest ${dedup('DESC')}`,
      { tables: [t] },
    );
    expect(changes(r.changelog)).toEqual(['+I["a",1,100]', '+U["a",2,110]', '+I["b",3,115]']);
    expect(sorted(r.result)).toEqual(
      sorted([
        ['a', 2, 110],
        ['b', 3, 115],
      ]),
    );
  });

  it('with the row number in the output it stays a Top-N (Rank), as in Flink', () => {
    const r = runSql(
      'SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts) AS rn FROM t) WHERE rn = 1',
      { tables: [table('t', [[['a', 1, 100]]])] },
    );
    expect(r.job.plan).toContain('Rank(');
    expect(r.job.plan).not.toContain('Deduplicate');
  });
});

describe('IntervalJoin (time bounds on both sides between the inputs’ rowtimes)', () => {
  const direct = (A: Rec[], B: Rec[], lo: number, hi: number, left: boolean) => {
    const out: SqlValue[][] = [];
    for (const a of A) {
      const partners = B.filter((b) => b[0] === a[0] && b[2] >= a[2] + lo && b[2] <= a[2] + hi);
      for (const b of partners) out.push([a[0], a[1], a[2], b[1], b[2]]);
      if (left && partners.length === 0) out.push([a[0], a[1], a[2], null, null]);
    }
    return out;
  };
  const sql = (join: string) =>
    `SELECT a.k, a.v, a.ts, b.v AS bv, b.ts AS bts FROM a ${join} b ON a.k = b.k AND b.ts BETWEEN a.ts - INTERVAL '0.008' SECOND AND a.ts + INTERVAL '0.004' SECOND`;

  it("Flink's plan: IntervalJoin with windowBounds, each input hashed by the key", () => {
    const r = runSql(sql('JOIN'), { tables: [table('a', [rows(5, 1)]), table('b', [rows(5, 2)])] });
    // l.ts - r.ts in [-4, 8] ms
    expect(r.job.plan).toContain(
      'IntervalJoin(joinType=[InnerJoin], windowBounds=[isRowTime=true, leftLowerBound=-4, leftUpperBound=8, leftTimeIndex=2, rightTimeIndex=2]',
    );
    expect(r.job.plan).toContain('Exchange(distribution=[hash[k]])');
    expect(r.job.plan).not.toMatch(/\n\S*\+- Join\(/);
  });

  it.each([
    ['JOIN', false, 1],
    ['JOIN', false, 2],
    ['LEFT JOIN', true, 1],
    ['LEFT JOIN', true, 3],
  ] as const)(
    'a %s b (outer: %s, parallelism %s): every pair within the bounds, computed directly',
    (join, left, p) => {
      const A = [rows(60, 11), rows(60, 12)];
      const B = [rows(60, 13, 7, 3)];
      const r = runSql(`SET 'parallelism.default' = '${p}';\n${sql(join)}`, {
        tables: [table('a', A), table('b', B)],
      });
      expect(r.sim.cluster.jobStatus).toBe('FINISHED');
      expect(r.job.insertOnly).toBe(true);
      expect(r.changelog.every((c) => c.kind === '+I')).toBe(true);
      expect(sorted(r.result)).toEqual(sorted(direct(A.flat(), B[0], -8, 4, left)));
    },
  );

  it('state is cleaned by the watermark: it stays small while a regular join keeps every row', () => {
    const A = [rows(400, 21)];
    const B = [rows(400, 22)];
    const tables = [table('a', A), table('b', B)];
    // Rows held by the join's state of both sides (each cache entry a list of rows).
    const held = (uid: string, names: string[], until: number, q: string) => {
      const state = runSql(q, { tables, until }).sim.result().state[uid] ?? {};
      let n = 0;
      for (const name of names)
        for (const entries of Object.values(state[name] ?? {}))
          for (const [, v] of entries as Array<[unknown, unknown]>) n += Array.isArray(v) ? v.length : 1;
      return n;
    };
    const cachesOf = ['IntervalJoinLeftCache', 'IntervalJoinRightCache'];
    const sidesOf = ['left-records', 'right-records'];
    const regular = 'SELECT a.k, a.v, b.v FROM a JOIN b ON a.k = b.k';
    const [iv1, iv2] = [800, 1600].map((t) => held('interval-join', cachesOf, t, sql('JOIN')));
    const [rg1, rg2] = [800, 1600].map((t) => held('join', sidesOf, t, regular));
    // A regular join holds every row read so far: it grows with the input.
    expect(rg1).toBeGreaterThan(200);
    expect(rg2).toBeGreaterThan(rg1 + 150);
    // The interval join holds only the rows the watermark has not passed yet: no growth.
    expect(iv1).toBeGreaterThan(0);
    expect(iv2).toBeLessThan(rg1 / 2);
    expect(iv2).toBeLessThan(iv1 * 1.5);
  });

  it('one bound alone stays a regular join, as in Flink', () => {
    const r = runSql('SELECT a.k FROM a JOIN b ON a.k = b.k AND b.ts >= a.ts', {
      tables: [table('a', [rows(5, 1)]), table('b', [rows(5, 2)])],
    });
    expect(r.job.plan).toContain('+- Join(joinType=[InnerJoin]');
  });
});

describe('SESSION window TVF', () => {
  const sessions = (recs: Rec[], gap: number) => {
    const byKey = new Map<string, Rec[]>();
    for (const r of recs) byKey.set(r[0], [...(byKey.get(r[0]) ?? []), r]);
    const out: SqlValue[][] = [];
    for (const [k, rs] of byKey) {
      rs.sort((x, y) => x[2] - y[2]);
      let cur: { start: number; last: number; n: number; sum: number } | null = null;
      const flush = () => cur && out.push([k, cur.start, cur.last + gap, cur.n, cur.sum]);
      for (const r of rs) {
        // windows [ts, ts + gap) merge when they intersect or touch (TimeWindow.intersects)
        if (cur && r[2] <= cur.last + gap) {
          cur.last = r[2];
          cur.n++;
          cur.sum += r[1];
        } else {
          flush();
          cur = { start: r[2], last: r[2], n: 1, sum: r[1] };
        }
      }
      flush();
    }
    return out;
  };
  const sql = (partition: string) => `SELECT k, window_start, window_end, COUNT(*) AS n, SUM(v) AS s
    FROM TABLE(SESSION(TABLE t ${partition}, DESCRIPTOR(ts), INTERVAL '0.02' SECOND))
    GROUP BY k, window_start, window_end`;

  it.each(['PARTITION BY k', 'PARTITION BY (k)'])(
    '%s: sessions per key (gap 20 ms) equal the ones computed directly, insert-only',
    (partition) => {
      // Sparse rows: gaps between 0 and ~60 ms, so that sessions both merge and split.
      const parts = [rows(70, 5, 25, 30), rows(70, 6, 25, 30)];
      const r = runSql(`SET 'parallelism.default' = '2';\n${sql(partition)}`, {
        tables: [table('t', parts, 40)],
      });
      expect(r.sim.cluster.jobStatus).toBe('FINISHED');
      expect(r.job.plan).toContain(
        'WindowAggregate(groupBy=[k], window=[SESSION(time_col=[ts], gap=[20 ms], partition keys=[k])]',
      );
      expect(r.changelog.every((c) => c.kind === '+I')).toBe(true);
      const expected = sessions(parts.flat(), 20);
      expect(expected.some((s) => (s[3] as number) > 1)).toBe(true); // some sessions merged rows
      expect(sorted(r.result)).toEqual(sorted(expected));
    },
  );

  it('keeps positions: an error after the SESSION call is reported where the learner wrote it', () => {
    const tEnv = TableEnvironment.create([table('t', [[['a', 1, 100]]])]);
    const q = `SELECT k, window_start, window_end, COUNT(*) FROM TABLE(
  SESSION(TABLE t PARTITION BY k, DESCRIPTOR(ts), INTERVAL '1' SECOND))
GROUP BY k, window_start, window_end, nope`;
    expect(() => tEnv.executeSql(q)).toThrowError(/^3:39: .*nope/);
    try {
      tEnv.executeSql(
        "SELECT * FROM TABLE(SESSION(TABLE t PARTITION BY k, DESCRIPTOR(ts), INTERVAL '1' SECOND))",
      );
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SqlError);
      expect(String(e)).toMatch(/1:15: not supported here: the SESSION window TVF without aggregation/);
    }
  });

  it('GROUP BY keys other than the PARTITION BY columns are refused, not run differently', () => {
    const tEnv = TableEnvironment.create([table('t', [[['a', 1, 100]]])]);
    expect(() =>
      tEnv.executeSql(
        "SELECT v, window_start, window_end, COUNT(*) FROM TABLE(SESSION(TABLE t PARTITION BY k, DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY v, window_start, window_end",
      ),
    ).toThrowError(/not supported here: a SESSION aggregation whose GROUP BY keys \(v\)/);
  });
});
