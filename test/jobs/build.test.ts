/**
 * src/jobs in-process: compiling keeps positions, building reports each kind of mistake at its place
 * in the user's file, the guards keep the program's behaviour, and the watchdog stops a loop that
 * never ends — while the job is built, and inside a user function while it runs (the job FAILS with
 * a message naming the operator; no restart loop; stored checkpoints untouched).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  renderEnglish,
  Simulation,
  snapshotToText,
  StreamExecutionEnvironment,
} from '../../src/engine/index';
import {
  buildJob,
  compileJob,
  errorDiagnostic,
  formatDiagnostic,
  JobTimeoutError,
  Watchdog,
  type BuildResult,
  type CompiledJob,
} from '../../src/jobs/index';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

function compiled(source: string, file = 'job.ts'): CompiledJob {
  const c = compileJob(source, file);
  if (!c.ok) throw new Error(c.diagnostics.map(formatDiagnostic).join('\n'));
  return c;
}

function fixture(name: string): CompiledJob {
  return compiled(readFileSync(FIXTURES + name, 'utf8'), name);
}

async function failure(r: Promise<BuildResult>) {
  const result = await r;
  if (result.ok) throw new Error('expected a build error');
  return result.diagnostic;
}

const HEAD = "import { StreamExecutionEnvironment } from 'stream-state-lab';\n";

describe('compileJob', () => {
  it('a syntax error: line and column of the unexpected token, nothing compiled', () => {
    const c = compileJob(readFileSync(FIXTURES + 'syntax-error.ts', 'utf8'), 'syntax-error.ts');
    expect(c).toEqual({
      ok: false,
      diagnostics: [
        {
          file: 'syntax-error.ts',
          line: 4,
          col: 19,
          message: 'Unexpected token, expected ","',
          phase: 'syntax',
        },
      ],
    });
  });

  it('keeps every line where it was (types stripped, guards inserted on the same line)', () => {
    const source = readFileSync(FIXTURES + 'issue-example.ts', 'utf8').split('\n');
    const code = compiled(source.join('\n')).code.split('\n');
    for (const text of ['class CountWords', '.keyBy((w) => ', "await env.execute('WordCount');"])
      expect(code.findIndex((l) => l.includes(text))).toBe(source.findIndex((l) => l.includes(text)));
    // processElement's body is guarded on its own line (12).
    expect(code[11]).toMatch(/processElement\(word, _ctx, out\) \{__wd\.e\(12,17\);try\{$/);
  });
});

describe('buildJob', () => {
  it("runs the issue's example: the job handed to execute('WordCount'), counting every word", async () => {
    const r = await buildJob(fixture('issue-example.ts'));
    if (!r.ok) throw new Error(formatDiagnostic(r.diagnostic));
    expect(r.jobName).toBe('WordCount');
    expect(r.job.vertices.map((v) => v.uid)).toEqual(['source', 'flat-map', 'process', 'print']);
    const sim = new Simulation(r.job, { seed: 3, fastForward: true });
    sim.run();
    const result = sim.result();
    expect(result.jobStatus).toBe('FINISHED');
    expect(result.state.process.count).toEqual({
      to: 2,
      be: 2,
      or: 1,
      not: 1,
      that: 1,
      is: 1,
      the: 1,
      question: 1,
    });
    expect(result.sinks.print.committed).toHaveLength(10);
  });

  it('a throw while building: where it was thrown, with its message (columns mapped through stripped types)', async () => {
    expect(await failure(buildJob(fixture('throws.ts')))).toEqual({
      file: 'throws.ts',
      line: 5,
      col: 60,
      message: 'parallelism must be a positive integer, got 0',
      phase: 'build',
    });
    const d = await failure(
      buildJob(
        compiled(
          `${HEAD}const n: number = 2;\nconst label: string = 'x'; throw new RangeError('bad ' + label + n);\n`,
        ),
      ),
    );
    expect(d).toMatchObject({ line: 3, col: 34, message: 'RangeError: bad x2' });
  });

  it('execute never called: at the getExecutionEnvironment() that made the environment', async () => {
    expect(await failure(buildJob(fixture('no-execute.ts')))).toEqual({
      file: 'no-execute.ts',
      line: 3,
      col: 40,
      message: 'the program never called env.execute(name): nothing hands the job to the runner',
      phase: 'build',
    });
  });

  it('execute called twice (after an await): at the second call', async () => {
    const d = await failure(buildJob(fixture('two-executes.ts')));
    expect(d).toMatchObject({ file: 'two-executes.ts', line: 7, col: 11, phase: 'build' });
    expect(d.message).toBe(
      "env.execute() called a second time ('Second'; the first, 'First', at line 5): a job file describes one job",
    );
  });

  it('execute reached only after another await: at the call', async () => {
    const d = await failure(
      buildJob(
        compiled(
          `${HEAD}const env = StreamExecutionEnvironment.getExecutionEnvironment();\nenv.fromData(1).print();\nawait Promise.resolve();\nawait env.execute('late');\n`,
        ),
      ),
    );
    expect(d).toMatchObject({ line: 5, col: 11 });
    expect(d.message).toMatch(/only after an await/);
  });

  it('a program waiting on a promise that never resolves is reported, not waited for', async () => {
    const d = await failure(
      buildJob(
        compiled(
          `${HEAD}const env = StreamExecutionEnvironment.getExecutionEnvironment();\nawait new Promise(() => {});\nawait env.execute('x');\n`,
        ),
      ),
    );
    expect(d.message).toMatch(/still waiting/);
    expect(d).toMatchObject({ line: 2, col: 40 });
  });

  it('an import of anything but stream-state-lab: at the import', async () => {
    const d = await failure(
      buildJob(compiled(`${HEAD}import { readFileSync } from 'node:fs';\nreadFileSync('x');\n`)),
    );
    expect(d).toMatchObject({
      line: 2,
      message: "a job file can import only 'stream-state-lab' (the lab's API), not 'node:fs'",
    });
  });

  it('the guards keep behaviour: labelled loops, bodies without braces, nested and object-returning arrows, generators, async, getters, super', async () => {
    const source = `${HEAD}
const out: unknown[] = [];
outer: for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) { if (j === 1) continue outer; out.push([i, j]); }
let k = 0; do k++; while (k < 5); out.push(k);
for (const c of 'ab') out.push(c);
const add = (a: number) => (b: number) => a + b; out.push(add(2)(3));
const obj = () => ({ x: 1 }); out.push(obj().x);
function* gen() { for (let i = 0; i < 3; i++) yield i; } out.push([...gen()]);
class A { get v(): number { return 1; } m() { return this.v + 1; } }
class B extends A { constructor() { super(); } override m() { return super.m() * 10; } }
out.push(new B().m());
const asyncSum = async (n: number) => { let s = 0; for (let i = 1; i <= n; i++) s += i; return s; };
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.fromData(JSON.stringify(out)).print();
await env.execute('behaviour');
if ((await asyncSum(4)) !== 10) throw new Error('async');
`;
    const r = await buildJob(compiled(source));
    if (!r.ok) throw new Error(formatDiagnostic(r.diagnostic));
    const sim = new Simulation(r.job, { seed: 1, fastForward: true });
    sim.run();
    expect(JSON.parse(sim.result().sinks.print.committed[0] as string)).toEqual([
      [0, 0],
      [1, 0],
      [2, 0],
      5,
      'a',
      'b',
      5,
      1,
      [0, 1, 2],
      20,
    ]);
  });

  it('a user function that throws while the job runs: errorDiagnostic points at the throw in the file', async () => {
    const source = `${HEAD}const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.fromData(1, 2, 3)
  .map((n: number): number => {
    if (n === 3) throw new RangeError('three is too many');
    return n;
  })
  .print();
await env.execute('throws at runtime');
`;
    const job = compiled(source);
    const r = await buildJob(job);
    if (!r.ok) throw new Error(formatDiagnostic(r.diagnostic));
    const sim = new Simulation(r.job, { seed: 1, fastForward: true });
    sim.run([], 50);
    expect(sim.failures.length).toBeGreaterThan(0);
    expect(errorDiagnostic(job, r.watchdog.lastError)).toEqual({
      file: 'job.ts',
      line: 5,
      col: 24,
      message: 'RangeError: three is too many',
      phase: 'runtime',
    });
  });

  it('a throw in a map chained behind a flatMap: errorDiagnostic points at the throw, not at the collect that called it', async () => {
    // The map runs inside the flatMap's out.collect (one chain: direct calls), and the engine wraps
    // its error (Flink's ExceptionInChainedOperatorException); the learner's mistake is in the map.
    const pipeline =
      "env.fromData('a b', 'c d').flatMap((line: string, out: Collector<string>) => { for (const w of line.split(' ')) out.collect(w); }).map((w: string): string => { if (w === 'c') throw new RangeError('no c here'); return w; }).print();";
    const source = `import { StreamExecutionEnvironment, type Collector } from 'stream-state-lab';
const env = StreamExecutionEnvironment.getExecutionEnvironment();
${pipeline}
await env.execute('throws in a chained map');
`;
    const job = compiled(source);
    const r = await buildJob(job);
    if (!r.ok) throw new Error(formatDiagnostic(r.diagnostic));
    const sim = new Simulation(r.job, { seed: 1, fastForward: true });
    sim.run([], 50);
    expect(sim.failures.length).toBeGreaterThan(0);
    expect(errorDiagnostic(job, r.watchdog.lastError)).toEqual({
      file: 'job.ts',
      line: 3,
      col: pipeline.indexOf("new RangeError('no c here')") + 1,
      message: 'RangeError: no c here',
      phase: 'runtime',
    });
  });

  it('without a runner, execute runs the job here (Flink local environment) and returns its result', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env
      .fromData(1, 2, 3)
      .map((x: number) => x * 2)
      .print();
    const result = await env.execute('local');
    expect(result.getJobName()).toBe('local');
    expect(result.getSimulationResult().sinks.print.committed).toEqual([2, 4, 6]);
  });
});

describe('the watchdog', () => {
  it('stops a loop that never ends while the job is built: at the loop', async () => {
    const d = await failure(
      buildJob(fixture('loop-in-build.ts'), 'loop-in-build.ts', { watchdog: new Watchdog(200) }),
    );
    expect(d).toMatchObject({ file: 'loop-in-build.ts', line: 5, col: 1, phase: 'build' });
    expect(d.message).toMatch(/^JobTimeoutError: the watchdog stopped user code at line 5:1/);
  });

  it('a catch in user code cannot swallow it', async () => {
    const d = await failure(
      buildJob(
        compiled(`${HEAD}for (;;) { try { while (true) {} } catch { /* keep going */ } }\n`),
        'job.ts',
        {
          watchdog: new Watchdog(100),
        },
      ),
    );
    expect(d).toMatchObject({ line: 2, phase: 'build' });
    expect(d.message).toMatch(/JobTimeoutError/);
  });

  it('stops a user function that loops for ever: the job FAILS naming the operator, no restart, stored checkpoints untouched', async () => {
    const watchdog = new Watchdog(200);
    const r = await buildJob(fixture('loop-in-map.ts'), 'loop-in-map.ts', { watchdog });
    if (!r.ok) throw new Error(formatDiagnostic(r.diagnostic));
    // A first run says when the watchdog stops the map; a second one (same seed: the same run)
    // stops just before that moment to see what the durable storage holds then.
    const first = new Simulation(r.job, { seed: 1, fastForward: true });
    first.run();
    const failedAt = first.failures[0].time;
    const sim = new Simulation(r.job, { seed: 1, fastForward: true });
    sim.run([], failedAt - 0.001);
    expect(sim.result().jobStatus).toBe('RUNNING');
    const before = sim.checkpointStorage.list(r.job.name).map((c) => snapshotToText(c));
    expect(before.length).toBeGreaterThan(0);
    sim.run();
    const result = sim.result();
    expect(result.jobStatus).toBe('FAILED');
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0].restartDelayMs).toBeNull();
    const reason = renderEnglish(sim.failures[0].reason);
    expect(reason).toMatch(
      /^Map: spin on question \(source#0\) threw: JobTimeoutError: the watchdog stopped user code at line 10:5/,
    );
    expect(watchdog.timedOut).toBeInstanceOf(JobTimeoutError);
    expect(watchdog.timedOut).toMatchObject({ line: 10, col: 5 });
    expect(sim.checkpointStorage.list(r.job.name).map((c) => snapshotToText(c))).toEqual(before);
  });
});
