/**
 * In the style of Flink's StateCheckpointedITCase: a job over a larger log (4 partitions × 500
 * records) in which one stateful subtask fails once, at a random point between 40 % and 70 % of its
 * own input; afterwards every per-key count is exact, checked against counts computed straight from
 * the log (not against another run), and the committed 2PC output holds every per-key result once.
 *
 * Where the failure lands: a failure-free probe run records the processing time of every record per
 * subtask (the probe lives in the user function); the failure is scheduled with
 * `cluster.scheduleTaskFailure` at the time the chosen subtask finished its k-th record, k = 40–70 % of
 * its input. The runs are deterministic, so the faulty run is the probe run up to that time; its own
 * probe confirms how much of the subtask's input had been processed when it failed.
 */
import { text } from '../../../src/engine/messages/Message';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EXACTLY_ONCE_MODES,
  buildJob,
  expectedCounts,
  makeLog,
  recordsAfterPre,
  sortedRows,
  stateCounts,
  type JobSpec,
  type StatefulVariant,
} from './generators';
import { Simulation, type CheckpointingMode } from '../../../src/engine/index';

const NUM_RUNS = Number(process.env.ITCASE_RUNS ?? 20);
/**
 * A fixed seed by default, so that CI is reproducible; set FC_SEED to explore others
 * (FC_SEED=<n> ITCASE_RUNS=200). A random seed failed once in CI on 2026-12-06 (seed not recorded);
 * seeds 1–27 × 200 runs (every mode) found one counterexample, FC_SEED=14 (path
 * 111:0:13:6:7:7:17), pinned in REGRESSIONS: not the engine but this test's own bound,
 * `before / n <= 0.7 + 1 / n`, which rounding broke at exactly 70 % (0.7017241379310345 >
 * 0.7017241379310344 for 407 of 580 records). The bounds are now compared in records, not fractions.
 */
const FC_SEED = Number(process.env.FC_SEED ?? 20261206);

/** Variants whose function is a KeyedProcessFunction (they see the processing time for the probe). */
const PROBED_VARIANTS: StatefulVariant[] = ['value-process', 'list', 'map', 'reducing', 'aggregating'];

interface ItCase {
  seed: number;
  dataSeed: number;
  variant: StatefulVariant;
  pre: JobSpec['pre'];
  statefulParallelism: number;
  checkpointIntervalMs: number;
  channelCapacity: number;
  /** Which subtask with input fails (index into the subtasks that got records). */
  failingPick: number;
  /** Where in that subtask's input it fails, 0.40–0.70. */
  fraction: number;
}

/** Counterexamples found by exploring seeds, run first every time. */
const REGRESSIONS: ItCase[] = [
  // FC_SEED=14: the failure lands at exactly 70 % of the subtask's input (the rounding of the bound).
  {
    seed: 0,
    dataSeed: 760787,
    variant: 'value-process',
    pre: 'filter',
    statefulParallelism: 2,
    checkpointIntervalMs: 20,
    channelCapacity: 4,
    failingPick: 1,
    fraction: 0.7,
  },
];

const itCaseArb: fc.Arbitrary<ItCase> = fc.record({
  seed: fc.integer({ min: 0, max: 0x7fffffff }),
  dataSeed: fc.integer({ min: 1, max: 1_000_000 }),
  variant: fc.constantFrom(...PROBED_VARIANTS),
  pre: fc.constantFrom<JobSpec['pre']>('none', 'filter', 'map-filter'),
  statefulParallelism: fc.integer({ min: 2, max: 4 }),
  checkpointIntervalMs: fc.integer({ min: 20, max: 120 }),
  channelCapacity: fc.integer({ min: 4, max: 64 }),
  failingPick: fc.nat(3),
  fraction: fc.integer({ min: 400, max: 700 }).map((n) => n / 1000),
});

function specOf(c: ItCase): JobSpec {
  return {
    partitions: makeLog(4, 500, 12, c.dataSeed),
    sourceParallelism: 4,
    emitIntervalMs: 1,
    pre: c.pre,
    preParallelism: 2,
    preProcessingMs: 0.05,
    variant: c.variant,
    statefulParallelism: c.statefulParallelism,
    statefulProcessingMs: 0.1,
    sinkParallelism: 2,
    sinkProcessingMs: 0.05,
    checkpointIntervalMs: c.checkpointIntervalMs,
    costs: {
      channelLatencyMinMs: 1,
      channelLatencyMaxMs: 4,
      channelCapacity: c.channelCapacity,
      rpcLatencyMs: 1,
    },
  };
}

/** The committed output a correct run has: `{key, n}` for n = 1..count (map variant: per (key, v)). */
function expectedOutput(spec: JobSpec): string[] {
  const rows: unknown[] = [];
  const seen = new Map<string, number>();
  for (const r of recordsAfterPre(spec)) {
    const id = spec.variant === 'map' ? `${r.key}\u0000${r.v}` : r.key;
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    rows.push(spec.variant === 'map' ? { key: r.key, v: r.v, c: n } : { key: r.key, n });
  }
  return sortedRows(rows);
}

function runItCase(c: ItCase, mode: CheckpointingMode): void {
  const spec = specOf(c);
  const where = `mode=${mode} case=${JSON.stringify(c)}`;

  // 1. Probe: when did each subtask finish its k-th record?
  const probe: number[][] = [];
  const probeSim = new Simulation(buildJob(spec, mode, { probe }), { seed: c.seed, fastForward: true });
  probeSim.run();
  const withInput = probe.map((times, i) => ({ i, times })).filter((s) => s.times && s.times.length >= 10);
  expect(withInput.length, where).toBeGreaterThan(0);
  const { i: subtask, times } = withInput[c.failingPick % withInput.length];
  const k = Math.floor(c.fraction * times.length);
  const failAt = times[k];

  // 2. The run with one failure, injected on the cluster.
  const faultyProbe: number[][] = [];
  const sim = new Simulation(buildJob(spec, mode, { probe: faultyProbe }), {
    seed: c.seed,
    fastForward: true,
  });
  sim.cluster.scheduleTaskFailure(`stateful#${subtask}`, failAt, text('StateCheckpointedITCase: fail once'));
  sim.run();

  // The failure happened, once, where intended, and recovery restored a checkpoint.
  expect(sim.failures, where).toHaveLength(1);
  expect(sim.failures[0].task).toBe(`stateful#${subtask}`);
  expect(sim.failures[0].restoredFrom, where).not.toBeNull();
  const before = (faultyProbe[subtask] ?? []).filter((t) => t <= failAt).length;
  // 40–70 % of the input, ± one record (counted in records: fractions round differently).
  expect(before, where).toBeGreaterThanOrEqual(Math.floor(0.4 * times.length) - 1);
  expect(before, where).toBeLessThanOrEqual(Math.floor(0.7 * times.length) + 1);
  // It had to redo work: the subtask processed more records than its input.
  expect((faultyProbe[subtask] ?? []).length, where).toBeGreaterThan(times.length);

  // 3. Every count is exact, compared with the log itself.
  const result = sim.result();
  expect(result.jobStatus).toBe('RUNNING');
  expect(sim.cluster.isFinished(), where).toBe(true);
  expect(stateCounts(spec.variant, result), where).toEqual(expectedCounts(spec));
  expect(sortedRows(result.sinks.sink.committed), where).toEqual(expectedOutput(spec));
}

describe.each(EXACTLY_ONCE_MODES)('StateCheckpointedITCase: %s', (mode) => {
  it(`one stateful subtask fails once at 40–70% of its input; every count is exact (${NUM_RUNS} runs)`, () => {
    fc.assert(
      fc.property(itCaseArb, (c) => runItCase(c, mode)),
      { numRuns: NUM_RUNS, seed: FC_SEED, examples: REGRESSIONS.map((c) => [c] as [ItCase]) },
    );
  });
});

it('the counts computed from the log are what a failure-free run produces', () => {
  const spec = specOf({
    seed: 1,
    dataSeed: 99,
    variant: 'value-process',
    pre: 'filter',
    statefulParallelism: 3,
    checkpointIntervalMs: 50,
    channelCapacity: 16,
    failingPick: 0,
    fraction: 0.5,
  });
  const sim = new Simulation(buildJob(spec, 'exactly-once'), { seed: 1, fastForward: true });
  sim.run();
  expect(stateCounts(spec.variant, sim.result())).toEqual(expectedCounts(spec));
  expect(sortedRows(sim.result().sinks.sink.committed)).toEqual(expectedOutput(spec));
  expect(Object.values(expectedCounts(spec)).reduce((a, b) => a + b, 0)).toBeGreaterThan(1500);
});
