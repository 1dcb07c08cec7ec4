/**
 * Exactly-once under TaskManager failures, as a property: a random job runs on a cluster of 1–3
 * TaskManagers (slots: enough for the job between them); fast-check kills random TaskManagers (every
 * subtask in their slots fails at once, the job waits SCHEDULED until the TaskManager is back after a
 * random delay), fails random subtasks and crashes the engine, at random points of the run. The run
 * must end with the failure-free run's keyed state and committed two-phase-commit output — Flink's
 * Operations Playground checks the same by hand: every window count is exactly 1000 after the
 * TaskManager comes back.
 *
 * Reproduce a failure: FC_SEED=<seed> FC_PATH=<path> (PROPERTY_RUNS=<n> for more runs); pin the
 * counterexample in REGRESSIONS below.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CheckpointingMode, ClusterOptions } from '../../../src/engine/index';
import {
  EXACTLY_ONCE_MODES,
  buildJob,
  describeCase,
  exactlyOnceDiffs,
  failuresArb,
  jobSpecArb,
  runPair,
  simSeedArb,
  type JobCase,
} from './generators';

const NUM_RUNS = Number(process.env.PROPERTY_RUNS ?? 60);
/** Fixed by default, so that CI is reproducible; FC_SEED=<n> explores others. */
const FC_SEED = Number(process.env.FC_SEED ?? 20261206);
const FC_PATH = process.env.FC_PATH;

interface TmCase {
  c: JobCase;
  taskManagers: number;
  restartDelayMs: number;
}

const tmCaseArb: fc.Arbitrary<TmCase> = fc
  .record({ spec: jobSpecArb(), taskManagers: fc.integer({ min: 1, max: 3 }) })
  .chain(({ spec, taskManagers }) =>
    fc.record({
      c: fc.record({
        spec: fc.constant(spec),
        seed: simSeedArb,
        // At least one TaskManager kill, plus up to two more failures of any kind.
        failures: fc
          .tuple(
            fc.record({
              target: fc.integer({ min: 1, max: taskManagers }).map((n) => `taskmanager-${n}`),
              frac: fc.integer({ min: 0, max: 999 }).map((n) => n / 1000),
            }),
            failuresArb(spec, { taskManagers, maxFailures: 2 }),
          )
          .map(([tm, rest]) => [tm, ...rest]),
      }),
      taskManagers: fc.constant(taskManagers),
      // From an instant restart to longer than a checkpoint interval and the restart backoff.
      restartDelayMs: fc.integer({ min: 0, max: 2500 }),
    }),
  );

/**
 * Counterexamples found so far; they run first in every mode. Both: a TaskManager lost at once, then
 * an injected failure of a subtask waiting SCHEDULED for its slot — the stale slot request hid the new
 * one from the TaskManager's registration and the job waited forever (found with fast-check seeds
 * -895012593 in exactly-once, -1131345843 in stop-the-world, 1854710353 in chandy-lamport, with the
 * generator before it always killed a TaskManager).
 */
const REGRESSIONS: TmCase[] = [
  JSON.parse(
    '{"c": {"spec": {"partitions": [[{"key": "c", "v": 1}, {"key": "e", "v": 47}, {"key": "b", "v": 46}, {"key": "e", "v": 0}, {"key": "c", "v": 27}, {"key": "d", "v": 34}, {"key": "e", "v": 0}, {"key": "b", "v": 24}, {"key": "b", "v": 46}, {"key": "d", "v": 3}, {"key": "d", "v": 35}, {"key": "e", "v": 45}, {"key": "a", "v": 27}, {"key": "c", "v": 46}, {"key": "c", "v": 4}, {"key": "a", "v": 5}, {"key": "e", "v": 23}, {"key": "g", "v": 44}, {"key": "c", "v": 21}, {"key": "e", "v": 2}, {"key": "a", "v": 13}, {"key": "c", "v": 5}, {"key": "c", "v": 44}, {"key": "e", "v": 15}, {"key": "e", "v": 43}, {"key": "c", "v": 0}, {"key": "d", "v": 44}, {"key": "a", "v": 34}, {"key": "b", "v": 23}, {"key": "b", "v": 31}, {"key": "a", "v": 3}, {"key": "e", "v": 4}, {"key": "c", "v": 1}, {"key": "c", "v": 18}, {"key": "d", "v": 5}, {"key": "c", "v": 2}, {"key": "f", "v": 38}, {"key": "b", "v": 4}, {"key": "c", "v": 3}, {"key": "g", "v": 25}, {"key": "b", "v": 28}, {"key": "f", "v": 0}, {"key": "e", "v": 47}, {"key": "a", "v": 47}, {"key": "b", "v": 3}, {"key": "e", "v": 23}, {"key": "d", "v": 8}, {"key": "c", "v": 0}, {"key": "b", "v": 45}, {"key": "e", "v": 35}, {"key": "c", "v": 12}, {"key": "d", "v": 0}, {"key": "a", "v": 15}, {"key": "e", "v": 1}, {"key": "d", "v": 48}, {"key": "d", "v": 41}, {"key": "b", "v": 46}]], "sourceParallelism": 1, "emitIntervalMs": 0.24069410311339676, "pre": "filter", "preParallelism": 4, "preProcessingMs": 0.4740704508216965, "variant": "aggregating", "statefulParallelism": 1, "statefulProcessingMs": 0.013523186372931642, "sinkParallelism": 1, "sinkProcessingMs": 0.4999999999999991, "checkpointIntervalMs": 221, "costs": {"channelLatencyMinMs": 0.5000000000000011, "channelLatencyMaxMs": 8.499999999999991, "channelCapacity": 59, "rpcLatencyMs": 1.6953987513874682}}, "seed": 0, "failures": [{"target": "taskmanager-1", "frac": 0}, {"target": "source#0", "frac": 0.215}]}, "taskManagers": 2, "restartDelayMs": 102}',
  ) as TmCase,
  JSON.parse(
    '{"c": {"spec": {"partitions": [[{"key": "a", "v": 4}, {"key": "a", "v": 20}, {"key": "b", "v": 1}, {"key": "a", "v": 35}, {"key": "a", "v": 46}, {"key": "a", "v": 1}, {"key": "a", "v": 45}, {"key": "b", "v": 8}, {"key": "a", "v": 2}, {"key": "b", "v": 30}, {"key": "a", "v": 45}, {"key": "b", "v": 44}, {"key": "a", "v": 42}, {"key": "a", "v": 9}, {"key": "b", "v": 45}, {"key": "a", "v": 46}, {"key": "b", "v": 32}, {"key": "b", "v": 40}, {"key": "b", "v": 25}, {"key": "b", "v": 41}, {"key": "a", "v": 44}, {"key": "a", "v": 36}, {"key": "a", "v": 41}, {"key": "b", "v": 45}, {"key": "b", "v": 49}]], "sourceParallelism": 2, "emitIntervalMs": 2.999999999999993, "pre": "map-filter", "preParallelism": 4, "preProcessingMs": 0.072948004685629, "variant": "map", "statefulParallelism": 3, "statefulProcessingMs": 0.01, "sinkParallelism": 1, "sinkProcessingMs": 0.014281436260765806, "checkpointIntervalMs": 229, "costs": {"channelLatencyMinMs": 0.8884262160215772, "channelLatencyMaxMs": 0.8884262160215772, "channelCapacity": 18, "rpcLatencyMs": 1.9999999999999996}}, "seed": 0, "failures": [{"target": "taskmanager-1", "frac": 0}, {"target": "source#0", "frac": 0.227}]}, "taskManagers": 1, "restartDelayMs": 102}',
  ) as TmCase,
];

function checkCase(t: TmCase, mode: CheckpointingMode) {
  const job = buildJob(t.c.spec, mode);
  const cluster: ClusterOptions = {
    taskManagers: t.taskManagers,
    taskManagerRestartDelayMs: t.restartDelayMs,
  };
  const { reference, faulty, failures } = runPair(job, t.c, { cluster, maxTime: 60_000 });
  const diffs = exactlyOnceDiffs(reference, faulty);
  if (diffs.length > 0)
    throw new Error(
      `${describeCase(t.c, mode, failures)} taskManagers=${t.taskManagers} restartDelayMs=${t.restartDelayMs}\n${diffs.join('\n')}`,
    );
  return faulty;
}

describe.each(EXACTLY_ONCE_MODES)('exactly-once under TaskManager failures: %s', (mode) => {
  it(`killing TaskManagers never changes the final keyed state or the committed 2PC output (${NUM_RUNS} runs)`, () => {
    fc.assert(
      fc.property(tmCaseArb, (t) => {
        checkCase(t, mode);
      }),
      { numRuns: NUM_RUNS, seed: FC_SEED, path: FC_PATH, examples: REGRESSIONS.map((r) => [r] as [TmCase]) },
    );
  });

  it.each(REGRESSIONS.map((r, i) => [i, r] as const))('regression %i', (_i, r) => {
    checkCase(r, mode);
  });

  it('the generator is not vacuous: TaskManagers are killed, their subtasks fail and restore checkpoints', () => {
    const sample = fc.sample(tmCaseArb, { numRuns: 20, seed: 42 });
    let tmFailures = 0;
    let restored = 0;
    let waited = 0;
    for (const t of sample) {
      const faulty = checkCase(t, mode);
      const fromTm = faulty.failures.filter((f) => f.task.startsWith('taskmanager-'));
      tmFailures += fromTm.length;
      if (fromTm.some((f) => f.restoredFrom !== null)) restored++;
      if (fromTm.some((f) => f.restartDelayMs !== null && f.restartDelayMs < t.restartDelayMs)) waited++;
      expect(faulty.result().jobStatus).toBe('RUNNING');
    }
    expect(tmFailures).toBeGreaterThanOrEqual(8);
    expect(restored).toBeGreaterThanOrEqual(3);
    expect(waited).toBeGreaterThanOrEqual(3);
  });
});
