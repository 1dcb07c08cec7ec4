/**
 * Exactly-once for bounded jobs (FLIP-147), as a property: a random job reads a bounded Kafka-like log
 * (`setBounded(OffsetsInitializer.latest())`) with event time, sums records per key and per 40 ms
 * tumbling event-time window in state, and emits each window from its event-time timer into a
 * two-phase-commit sink. For any failure schedule (subtasks, the whole engine, before or after some
 * tasks finished), in every exactly-once mode, the run ends FINISHED with the failure-free run's final
 * keyed state and committed output — and that output is every window of the log, computed here by
 * brute force: the end of input fires every timer (MAX_WATERMARK), a timer restored from a checkpoint
 * too, and the final checkpoint commits the last transaction.
 *
 * Reproduce: FC_SEED=<seed> FC_PATH=<path> (PROPERTY_RUNS=<n>); pin counterexamples below.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CheckpointingMode } from '../../../src/engine/index';
import { bruteForceWindows, buildBoundedJob } from './boundedJob';
import { BOUNDED_REGRESSIONS, SOURCE_SPLIT_LAG_LATE_RECORDS } from './regressions';
import {
  EXACTLY_ONCE_MODES,
  describeCase,
  exactlyOnceDiffs,
  failuresArb,
  jobSpecArb,
  resolveFailures,
  runPair,
  runSim,
  simSeedArb,
  sortedRows,
  type JobCase,
} from './generators';

const NUM_RUNS = Number(process.env.PROPERTY_RUNS ?? 40);
/**
 * A fixed seed by default, so that CI is reproducible; set FC_SEED to explore other seeds. Seed
 * 1853032468 found SOURCE_SPLIT_LAG_LATE_RECORDS (regressions.ts), pinned below.
 */
const FC_SEED = Number(process.env.FC_SEED ?? 20261206);
const FC_PATH = process.env.FC_PATH;

const caseArb = (minFailures = 0): fc.Arbitrary<JobCase> =>
  jobSpecArb({ pre: ['none'], variants: ['value-process'] }).chain((spec) =>
    fc.record({
      spec: fc.constant(spec),
      seed: simSeedArb,
      failures: failuresArb(spec, { minFailures }),
    }),
  );

function checkCase(c: JobCase, mode: CheckpointingMode): void {
  const { reference, faulty, failures } = runPair(buildBoundedJob(c.spec, mode), c);
  const message = describeCase(c, mode, failures);
  // exactlyOnceDiffs expects unbounded jobs (RUNNING): its status lines are replaced by FINISHED here.
  const diffs = exactlyOnceDiffs(reference, faulty).filter((d) => !d.includes('job status'));
  for (const [name, sim] of [
    ['failure-free', reference],
    ['with failures', faulty],
  ] as const) {
    if (sim.cluster.jobStatus !== 'FINISHED') {
      const stuck = sim.cluster.tasks
        .filter((t) => t.status !== 'FINISHED')
        .map((t) => `${t.id} ${t.status}${t.endOfInput ? ' (input ended)' : ''}`);
      diffs.push(
        `${name}: job ${sim.cluster.jobStatus} at ${sim.cluster.now.toFixed(1)} ms, not FINISHED; ` +
          `unfinished: ${stuck.join(', ')}; pending checkpoints: ${sim.cluster.coordinator.pendingIds().join(', ')}`,
      );
    }
    const open = Object.keys(sim.result().state['stateful']?.['windows'] ?? {});
    if (open.length > 0) diffs.push(`${name}: windows still open in state for keys ${open.join(', ')}`);
  }
  const expected = bruteForceWindows(c.spec);
  const committed = sortedRows(reference.external.committedValues('sink'));
  if (JSON.stringify(committed) !== JSON.stringify(expected))
    diffs.push(`failure-free committed ${committed.length} windows, the log has ${expected.length}`);
  if (diffs.length > 0) throw new Error(`${message}\n${diffs.join('\n')}`);
}

describe.each(EXACTLY_ONCE_MODES)('bounded exactly-once property: %s', (mode) => {
  it(`a bounded job ends FINISHED with the failure-free state and output, timers included (${NUM_RUNS} runs)`, () => {
    fc.assert(
      fc.property(caseArb(), (c) => checkCase(c, mode)),
      {
        numRuns: NUM_RUNS,
        seed: FC_SEED,
        path: FC_PATH,
        examples: BOUNDED_REGRESSIONS.map((r) => [r.case] as [JobCase]),
      },
    );
  });

  it.each(BOUNDED_REGRESSIONS.map((r) => [r.name, r] as const))('regression: %s', (_name, r) => {
    checkCase(r.case, mode);
  });

  it('the generator is not vacuous: most runs restart, some restore a checkpoint', () => {
    const sample = fc.sample(caseArb(1), { numRuns: 12, seed: 7 });
    let restarted = 0;
    let restored = 0;
    for (const c of sample) {
      const { faulty } = runPair(buildBoundedJob(c.spec, mode), c);
      if (faulty.failures.length > 0) restarted++;
      if (faulty.failures.some((f) => f.restoredFrom !== null)) restored++;
      expect(faulty.cluster.jobStatus).toBe('FINISHED');
    }
    expect(restarted).toBeGreaterThanOrEqual(9);
    expect(restored).toBeGreaterThanOrEqual(3);
  });
});

describe('regression: a source restored with one split behind the others (per-split watermarks)', () => {
  it('the case still sets partition 3 three records behind partition 0 after its last restore, and nothing is late', () => {
    const c = SOURCE_SPLIT_LAG_LATE_RECORDS.case;
    const restored: number[][] = [];
    const faulty = runSim(buildBoundedJob(c.spec, 'stop-the-world'), c.seed, resolveFailures(c.failures, 0), {
      trace: (e) => {
        if (e.type === 'task-restored' && e.task === 'source#0')
          restored.push(e.offsets.map((o) => o.offset));
      },
    });
    expect(faulty.failures.map((f) => f.restoredFrom)).toEqual([1, 3, 5]);
    // What made the bug: the read position is not state, so each restore starts again at partition 0.
    const offsets = restored[restored.length - 1];
    expect(offsets).toEqual([6, 6, 5, 3]);
    checkCase(c, 'stop-the-world');
  });
});
