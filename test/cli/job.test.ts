/**
 * `--job` in-process (runCliAsync with an in-memory file system): a job file is the same job as the
 * scenario it mirrors, so a checkpoint exported from one restores into the other (operators matched by
 * uid), with --parallelism (a rescale), and the two runs print the same result.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCliAsync, type CliIO } from '../../src/cli/run';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function memoryIO(files: Map<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    readFile: (path) => files.get(path) ?? readFileSync(ROOT + path, 'utf8'),
    writeFile: (path, text) => void files.set(path, text),
  };
  return { io, out, err };
}

describe('runCliAsync --job', () => {
  it('a checkpoint exported from examples/jobs/visits.ts restores into the visits scenario, and back, rescaled', async () => {
    const files = new Map<string, string>();
    const a = memoryIO(files);
    expect(
      await runCliAsync(['--job', 'examples/jobs/visits.ts', '--until', '1800', '--export', 'cp.json'], a.io),
      a.err.join(''),
    ).toBe(0);
    expect(files.has('cp.json')).toBe(true);

    const fromFile = memoryIO(files);
    const fromScenario = memoryIO(files);
    const args = ['--restore', 'cp.json', '--parallelism', '2', '--json'];
    expect(await runCliAsync(['visits', ...args], fromScenario.io), fromScenario.err.join('')).toBe(0);
    expect(
      await runCliAsync(['--job', 'examples/jobs/visits.ts', ...args], fromFile.io),
      fromFile.err.join(''),
    ).toBe(0);
    expect(fromFile.out.join('')).toBe(fromScenario.out.join(''));
    const result = JSON.parse(fromFile.out.join('')) as {
      jobStatus: string;
      state: { count: { visits: Record<string, number> } };
    };
    expect(result.jobStatus).toBe('FINISHED');
    expect(Object.values(result.state.count.visits).reduce((x, y) => x + y, 0)).toBe(10_000);
  }, 120_000);
});
