/**
 * Exactly-once, as a property: for a random job, seed and failure schedule, the run with failures
 * ends with the same keyed state and the same committed two-phase-commit output (as multisets) as the
 * failure-free run of the same job and seed. Flink's StateCheckpointedITCase and
 * UnalignedCheckpointTestBase check this for a few hand-picked schedules; here fast-check draws
 * hundreds per mode.
 *
 * Failures land at random points of the failure-free run (before the first checkpoint, between
 * checkpoints, while the finished job waits for its last checkpoint), on random subtasks or the whole
 * engine (restored from durable storage).
 *
 * Reproduce a failure: fast-check prints the seed and path; rerun with FC_SEED=<seed> FC_PATH=<path>
 * (PROPERTY_RUNS=<n> for more runs), and pin the counterexample in ./regressions.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EXACTLY_ONCE_MODES,
  buildJob,
  describeCase,
  exactlyOnceDiffs,
  jobCaseArb,
  runPair,
  type JobCase,
} from './generators';
import { REGRESSIONS } from './regressions';
import type { CheckpointingMode } from '../../../src/engine/index';

const NUM_RUNS = Number(process.env.PROPERTY_RUNS ?? 200);
/** Fixed by default, so that CI is reproducible; FC_SEED=<n> explores others. */
const FC_SEED = Number(process.env.FC_SEED ?? 20261206);
const FC_PATH = process.env.FC_PATH;

function checkCase(c: JobCase, mode: CheckpointingMode): void {
  const job = buildJob(c.spec, mode);
  const { reference, faulty, failures } = runPair(job, c);
  const diffs = exactlyOnceDiffs(reference, faulty);
  if (diffs.length > 0) throw new Error(`${describeCase(c, mode, failures)}\n${diffs.join('\n')}`);
}

describe.each(EXACTLY_ONCE_MODES)('exactly-once property: %s', (mode) => {
  it(`failures never change the final keyed state or the committed 2PC output (${NUM_RUNS} runs)`, () => {
    fc.assert(
      fc.property(jobCaseArb(), (c) => checkCase(c, mode)),
      {
        numRuns: NUM_RUNS,
        seed: FC_SEED,
        path: FC_PATH,
        // Every counterexample ever found runs first, in every mode.
        examples: REGRESSIONS.map((r) => [r.case] as [JobCase]),
      },
    );
  });

  it.each(REGRESSIONS.map((r) => [r.name, r] as const))('regression: %s', (_name, r) => {
    checkCase(r.case, mode);
  });

  it('the generator is not vacuous: most runs restart, many restore a checkpoint', () => {
    const sample = fc.sample(jobCaseArb({}, { minFailures: 1 }), { numRuns: 20, seed: 42 });
    let restarted = 0;
    let restored = 0;
    for (const c of sample) {
      const { faulty } = runPair(buildJob(c.spec, mode), c);
      if (faulty.failures.length > 0) restarted++;
      if (faulty.failures.some((f) => f.restoredFrom !== null)) restored++;
      expect(faulty.result().jobStatus).toBe('RUNNING');
    }
    expect(restarted).toBeGreaterThanOrEqual(15);
    expect(restored).toBeGreaterThanOrEqual(5);
  });
});
