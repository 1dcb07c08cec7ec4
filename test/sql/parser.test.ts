import { describe, expect, it } from 'vitest';
import { parseStatements, syntaxErrors } from '../../src/sql/parser/AstBuilder';
import { BUILTIN_TABLES, tableDdl } from '../../src/sql/catalog/BuiltinTables';
import { SqlError } from '../../src/sql/SqlError';
import { TableEnvironment } from '../../src/sql/TableEnvironment';

function errorOf(f: () => unknown): SqlError {
  try {
    f();
  } catch (e) {
    if (e instanceof SqlError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe("Flink SQL parsing (dt-sql-parser's FlinkSQL grammar)", () => {
  it('a statement the grammar rejects: a parse error with its line and column', () => {
    // `FORM` is read as an alias of word (SELECT word AS FORM): the grammar stops at `words`.
    const e = errorOf(() => parseStatements('SELECT word\nFORM words'));
    expect(e.kind).toBe('parse');
    expect(e.pos).toEqual({ line: 2, col: 6 });
    expect(e.message).toMatch(/^2:6: 'words' is not valid at this position/);
  });

  it('a statement Flink accepts but the lab does not run: "not supported here" at its position', () => {
    const e = errorOf(() => parseStatements('SELECT word FROM words\nUNION ALL SELECT word FROM words'));
    expect(e.kind).toBe('unsupported');
    expect(e.message).toMatch(/not supported here: UNION/);
    const lim = errorOf(() => parseStatements('SELECT word FROM words LIMIT 3'));
    expect(lim.message).toBe('1:24: not supported here: LIMIT');
  });

  it("reads `a + 1` as one expression (the grammar's column-then-expression alternative is re-read)", () => {
    const [s] = parseStatements(
      'SELECT CHAR_LENGTH_X + 1 AS n, word FROM words'.replace('CHAR_LENGTH_X', 'word'),
    );
    expect(s.kind).toBe('query');
    const q = s.kind === 'query' ? s.query : null;
    expect(q?.items?.[0].alias).toBe('n');
    expect(q?.items?.[0].expr).toMatchObject({
      kind: 'call',
      op: '+',
      args: [
        { kind: 'column', name: 'word' },
        { kind: 'literal', value: 1 },
      ],
    });
  });

  it('an unknown column is a validation error at the column', () => {
    const tEnv = TableEnvironment.create();
    const e = errorOf(() => tEnv.executeSql('SELECT word,\n  cnt FROM words'));
    expect(e.kind).toBe('validation');
    expect(e.message).toBe("2:3: Column 'cnt' not found in any table (columns: word)");
  });

  it('a column neither grouped nor aggregated is rejected, as in Flink', () => {
    const e = errorOf(() => TableEnvironment.create().executeSql('SELECT word, COUNT(*) FROM words'));
    expect(e.message).toBe("1:8: Expression 'word' is not being grouped");
  });

  it('SHOW TABLES, DESCRIBE and SET answer without a job', () => {
    const tEnv = TableEnvironment.create();
    expect(tEnv.executeSql('SHOW TABLES')).toEqual({
      kind: 'rows',
      columns: ['table name'],
      rows: [['clicks'], ['logins'], ['visits'], ['words']],
    });
    const d = tEnv.executeSql('DESCRIBE clicks');
    expect(d.kind === 'rows' && d.rows).toEqual([
      ['page', 'STRING', 'TRUE', '', '', ''],
      ['ts', 'TIMESTAMP(3) *ROWTIME*', 'TRUE', '', '', "`ts` - INTERVAL '0.2' SECOND"],
    ]);
    expect(tEnv.executeSql("SET 'table.exec.state.ttl' = '10 s'").kind).toBe('ok');
    expect(tEnv.getConfig('table.exec.state.ttl')).toBe('10 s');
    expect(errorOf(() => tEnv.executeSql("SET 'table.exec.state.ttl' = 'soon'")).message).toMatch(
      /Could not parse value 'soon'/,
    );
  });

  it("the built-in tables' DDL is Flink SQL the grammar accepts", () => {
    for (const t of BUILTIN_TABLES) expect(syntaxErrors(tableDdl(t)), t.name).toEqual([]);
  });

  it('time bounds on both sides of a join, in ON or WHERE, are an interval join (as Flink moves them)', () => {
    const tEnv = TableEnvironment.create();
    const r = tEnv.executeSql(
      "SELECT * FROM visits v JOIN logins l ON v.user_id = l.user_id WHERE l.ts BETWEEN v.ts - INTERVAL '1' MINUTE AND v.ts",
    );
    if (r.kind !== 'job') throw new Error('not a job');
    // l.ts in [v.ts - 60 s, v.ts]  ⇔  v.ts - l.ts in [0, 60000]
    expect(r.job.plan).toContain(
      'IntervalJoin(joinType=[InnerJoin], windowBounds=[isRowTime=true, leftLowerBound=0, leftUpperBound=60000, leftTimeIndex=1, rightTimeIndex=2]',
    );
    // One bound alone is a regular join in Flink too.
    expect(
      tEnv.executeSql('SELECT * FROM visits v JOIN logins l ON v.user_id = l.user_id AND l.ts > v.ts').kind,
    ).toBe('job');
  });
});
