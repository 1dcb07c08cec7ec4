/**
 * The command line's type check (the TypeScript compiler, 'stream-state-lab' resolved to the engine's
 * own types): the example and a job from the Flink docs pass as written; a wrong argument is
 * reported at its position. (A few seconds each: every check loads the engine's sources.)
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { typecheckJob } from '../../src/jobs/typecheck';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const check = (file: string) => typecheckJob(file, readFileSync(ROOT + file, 'utf8'));

describe('typecheckJob', () => {
  it("the issue's example and examples/jobs/fraud-detection.ts type-check", () => {
    expect(check('test/jobs/fixtures/issue-example.ts')).toEqual([]);
    expect(check('examples/jobs/fraud-detection.ts')).toEqual([]);
  }, 120_000);

  it('a type error: where, what, and the phase', () => {
    const source = [
      "import { StreamExecutionEnvironment, ValueStateDescriptor, Types } from 'stream-state-lab';",
      'const env = StreamExecutionEnvironment.getExecutionEnvironment();',
      "const d = new ValueStateDescriptor<string>('n', Types.INT);",
      "await env.execute('x');",
    ].join('\n');
    const [d, ...rest] = typecheckJob('job.ts', source);
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ file: 'job.ts', line: 3, col: 49, phase: 'type' });
    expect(d.message).toMatch(/^No overload matches this call\.\n/);
    expect(d.message).toContain(
      "Argument of type 'BasicTypeInfo<number>' is not assignable to parameter of type 'TypeInformation<string>'",
    );
  }, 120_000);
});
