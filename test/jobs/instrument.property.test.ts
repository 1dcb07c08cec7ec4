/**
 * The watchdog's guards change nothing a program computes: random programs built from the
 * constructs the instrumentation rewrites (loops with and without braces, labelled `continue`,
 * function declarations, expression-bodied and object-returning arrows, nested arrows, classes,
 * generators, try/catch) give the same output with and without the guards, and keep their lines.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { instrument } from '../../src/jobs/instrument';
import { Watchdog } from '../../src/jobs/watchdog';

const FC_SEED = Number(process.env.FC_SEED ?? 20261206);

let names = 0;
const fresh = (p: string) => `${p}${names++}`;

type Gen = (depth: number) => fc.Arbitrary<string>;

const small = fc.integer({ min: 0, max: 3 });

/** One statement (a block where it needs several), so it can be the body of a loop without braces. */
const statement: Gen = (depth) => {
  const leaf = small.map((k) => `o.push(${k});`);
  if (depth <= 0) return leaf;
  const inner = statement(depth - 1);
  return fc.oneof(
    leaf,
    fc.tuple(small, inner, fc.boolean()).map(([k, s, braces]) => {
      const i = fresh('i');
      return `for (let ${i} = 0; ${i} < ${k}; ${i}++) ${braces ? `{ ${s} }` : s}`;
    }),
    fc.tuple(small, inner).map(([k, s]) => {
      const w = fresh('w');
      return `{ let ${w} = 0; while (${w} < ${k}) { ${w}++; ${s} } }`;
    }),
    inner.map((s) => `do ${s} while (false);`),
    fc.tuple(small, inner).map(([k, s]) => {
      const l = fresh('l');
      const i = fresh('i');
      return `${l}: for (let ${i} = 0; ${i} < ${k + 1}; ${i}++) { if (${i} % 2 === 1) continue ${l}; ${s} }`;
    }),
    fc.tuple(small, inner).map(([k, s]) => {
      const f = fresh('f');
      return `{ function ${f}(a) { ${s} return a + ${k}; } o.push(${f}(${k})); }`;
    }),
    small.map((k) => `o.push(((x) => x * ${k + 1})(${k}));`),
    small.map((k) => `o.push((() => ({ v: ${k} }))().v);`),
    small.map((k) => `o.push(((a) => (b) => a + b)(${k})(1));`),
    fc.tuple(small, inner).map(([k, s]) => {
      const c = fresh('C');
      return `{ class ${c} { get g() { return ${k}; } m(x) { ${s} return x + this.g; } } o.push(new ${c}().m(1)); }`;
    }),
    small.map((k) => {
      const g = fresh('g');
      return `{ function* ${g}() { for (let j = 0; j < ${k}; j++) yield j; } o.push(...${g}()); }`;
    }),
    inner.map((s) => `try { ${s} throw 7; } catch (e) { o.push(e); } finally { o.push(8); }`),
  );
};

const program = fc
  .array(statement(3), { minLength: 1, maxLength: 6 })
  .map((statements) => statements.join('\n'));

function run(code: string, wd?: Watchdog): unknown[] {
  const out: unknown[] = [];
  new Function('o', '__wd', code)(out, wd);
  return out;
}

describe('instrument', () => {
  it('random programs compute the same with the guards, on the same lines', () => {
    fc.assert(
      fc.property(program, (code) => {
        const r = instrument(code, (line, col0) => ({ line, col: col0 + 1 }));
        if (!r.ok) throw new Error(`${r.message} at ${r.line}:${r.col0}\n${code}`);
        expect(r.code.split('\n').length).toBe(code.split('\n').length);
        expect(run(r.code, new Watchdog(60_000))).toEqual(run(code));
      }),
      { numRuns: 300, seed: FC_SEED },
    );
  });
});
