/**
 * The real entry point, spawned as `npx tsx src/cli/sim.ts` (one to two seconds each, so only a few; not
 * concurrently: CI machines have two cores). Everything else about the command line is tested in-process in run.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { spawnSim } from './spawnSim';
import type { SimulationResult } from '../../src/engine/index';

const sim = (...args: string[]) => spawnSim(args);

async function json(...args: string[]): Promise<SimulationResult> {
  const run = await sim(...args, '--json');
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as SimulationResult;
}

function sumOf(values: Record<string, unknown>): number {
  return Object.values(values).reduce<number>((a, v) => a + (v as number), 0);
}

describe('npx tsx src/cli/sim.ts', () => {
  it('wordcount --json: the counts of the seed text', async () => {
    const r = await json('wordcount');
    expect(r.job).toBe('WordCount');
    expect(r.state.count.count).toEqual({ to: 2, be: 2, or: 1, not: 1, that: 1, is: 1, the: 1, question: 1 });
    expect(r.sinks.print.committed).toHaveLength(10);
  });

  it('visits --json: 10,000 visits counted, 10,000 rows committed by the two-phase-commit sink', async () => {
    const r = await json('visits');
    expect(sumOf(r.state.count.visits)).toBe(10_000);
    expect(r.sinks.sink.committed).toHaveLength(10_000);
    expect(r.failures).toEqual([]);
    expect(r.checkpoints.length).toBeGreaterThan(0);
    expect(r.checkpoints.every((c) => c.status === 'COMPLETED')).toBe(true);
  });

  it('visits --mode at-least-once --fail count#1@2500 --json: one failure, restored', async () => {
    const r = await json('visits', '--mode', 'at-least-once', '--fail', 'count#1@2500');
    expect(r.mode).toBe('at-least-once');
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]).toMatchObject({ time: 2500, task: 'count#1', reason: 'injected failure' });
    expect(r.failures[0].restoredFrom).not.toBeNull();
    // At-least-once may count a replayed visit twice, never lose one.
    expect(sumOf(r.state.count.visits)).toBeGreaterThanOrEqual(10_000);
  });

  it('visits --fail engine@1800 --json: an engine crash, and still exactly 10,000 visits', async () => {
    const r = await json('visits', '--fail', 'engine@1800');
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]).toMatchObject({ time: 1800, task: 'engine', reason: 'engine crash' });
    expect(sumOf(r.state.count.visits)).toBe(10_000);
    expect(r.sinks.sink.committed).toHaveLength(10_000);
  });

  it('bad input: exit 2, the message and the usage on stderr, nothing on stdout', async () => {
    const [unknown, badTask] = await Promise.all([
      sim('nope'),
      sim('wordcount', '--fail', 'count#5@100', '--json'),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toContain("sim: unknown scenario 'nope' (scenarios: wordcount, visits");
    expect(unknown.stderr).toContain('Usage: npm run sim -- <scenario> [options]');
    expect(badTask.code).toBe(2);
    expect(badTask.stdout).toBe('');
    expect(badTask.stderr).toContain(
      "sim: --fail count#5@100: job 'WordCount' has no task 'count#5' (its tasks: source#0, split#0, split#1, count#0, count#1, print#0, print#1; or engine)",
    );
  });
});
