/**
 * The SQL page's starting queries plan as they are (in the worker's SqlJobs path) with the operators
 * their comments talk about, and the page's column completion offers the columns of the tables a
 * statement names.
 */
import { describe, expect, it } from 'vitest';
import { SQL_EXAMPLES, exampleScript } from '../../src/app/components/sql/examples';
import { prepareSqlScript, sqlTables } from '../../src/worker/sqlJob';

describe('the SQL page examples', () => {
  it('every example plans to a job with the operators it is about', async () => {
    const want: Record<string, RegExp> = {
      count: /GroupAggregate\(groupBy=\[word\]/,
      tumble: /WindowAggregate\(groupBy=\[page\], window=\[TUMBLE\(time_col=\[ts\], size=\[5 s\]\)\]/,
      join: /Join\(joinType=\[InnerJoin\]/,
    };
    for (const ex of SQL_EXAMPLES)
      for (const lang of ['en', 'zh-CN'] as const) {
        const p = await prepareSqlScript(exampleScript(ex, lang));
        expect(p.job, `${ex.id} ${lang}`).not.toBeNull();
        expect(p.job!.plan, ex.id).toMatch(want[ex.id]);
        expect(p.job!.statefulOperators.length, ex.id).toBeGreaterThan(0);
      }
    const join = await prepareSqlScript(
      exampleScript(
        SQL_EXAMPLES.find((e) => e.id === 'join')!,
        'en',
      ),
    );
    expect(join.outputs[0]).toMatchObject({ kind: 'ok', statement: "SET 'table.exec.state.ttl' = '5 s'" });
  });

  it('the catalog the page completes from has every built-in table with its columns and DDL', async () => {
    const tables = await sqlTables();
    expect(
      Object.fromEntries(tables.map((t) => [t.name, t.columns.map((c) => `${c.name} ${c.type}`)])),
    ).toEqual({
      words: ['word STRING'],
      visits: ['user_id STRING', 'ts TIMESTAMP(3) *ROWTIME*'],
      logins: ['user_id STRING', 'success BOOLEAN', 'ts TIMESTAMP(3) *ROWTIME*'],
      clicks: ['page STRING', 'ts TIMESTAMP(3) *ROWTIME*'],
    });
    for (const t of tables) expect(t.ddl).toMatch(new RegExp(`^CREATE TABLE ${t.name} \\(`));
  });
});
