/**
 * `npm run sim -- --job FILE`, spawned as `npx tsx src/cli/sim.ts` (a few seconds each: the type check
 * loads the TypeScript compiler; one at a time). A job file runs exactly as the built-in scenario it
 * mirrors, with the same JSON; every kind of mistake in a file exits 2 with `FILE:LINE:COL: message`.
 */
import { describe, expect, it } from 'vitest';
import { spawnSim } from './spawnSim';

const sim = (...args: string[]) => spawnSim(args, 120_000);

const F = 'test/jobs/fixtures/';

describe('npm run sim -- --job FILE', () => {
  it('examples/jobs/wordcount.ts --fail count#1@700 --json prints exactly what wordcount prints', async () => {
    const file = await sim('--job', 'examples/jobs/wordcount.ts', '--fail', 'count#1@700', '--json');
    expect(file.code, file.stderr).toBe(0);
    const scenario = await sim('wordcount', '--fail', 'count#1@700', '--json');
    expect(scenario.code, scenario.stderr).toBe(0);
    expect(file.stdout).toBe(scenario.stdout);
    expect(JSON.parse(file.stdout)).toMatchObject({ job: 'WordCount', jobStatus: 'FINISHED' });
  }, 120_000);

  const ERRORS: Array<[string, string, string | RegExp]> = [
    ['a syntax error', 'syntax-error.ts', `${F}syntax-error.ts:4:19: ',' expected. (TS1005)\n`],
    [
      'a type error (against the engine’s real types)',
      'type-error.ts',
      `${F}type-error.ts:4:25: Argument of type 'string' is not assignable to parameter of type 'number'. (TS2345)\n`,
    ],
    [
      'a throw while building',
      'throws.ts',
      `${F}throws.ts:5:60: parallelism must be a positive integer, got 0\n`,
    ],
    [
      'execute never called',
      'no-execute.ts',
      `${F}no-execute.ts:3:40: the program never called env.execute(name): nothing hands the job to the runner\n`,
    ],
    [
      'execute called twice',
      'two-executes.ts',
      `${F}two-executes.ts:7:11: env.execute() called a second time ('Second'; the first, 'First', at line 5): a job file describes one job\n`,
    ],
    [
      'a loop that never ends while building (the watchdog)',
      'loop-in-build.ts',
      new RegExp(
        `^${F}loop-in-build\\.ts:5:1: JobTimeoutError: the watchdog stopped user code at line 5:1 after it ran \\d+ ms in one call \\(budget 3000 ms\\): a loop that never ends\\?\\n$`,
      ),
    ],
    [
      'a user function that never returns (the watchdog; the job fails, naming the operator)',
      'loop-in-map.ts',
      new RegExp(
        `^${F}loop-in-map\\.ts:10:5: JobTimeoutError: the watchdog stopped user code at line 10:5 after it ran \\d+ ms in one call \\(budget 3000 ms\\): a loop that never ends\\? \\(in Map: spin on question, subtask source#0: the job FAILED\\)\\n$`,
      ),
    ],
  ];

  for (const [what, file, expected] of ERRORS) {
    it(`${what}: exit 2, FILE:LINE:COL: message`, async () => {
      const run = await sim('--job', F + file);
      expect(run.code).toBe(2);
      if (typeof expected === 'string') expect(run.stderr).toBe(expected);
      else expect(run.stderr).toMatch(expected);
    }, 120_000);
  }
});
