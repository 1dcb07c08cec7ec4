/**
 * Determinism: a run is a pure function of its job, its seed and the failures injected into it.
 *
 * - Same job + seed + failures ⇒ the identical event trace (every TraceEvent, one event at a time).
 * - Different seeds ⇒ different traces (the seed really drives latencies and trigger times).
 * - Fast-forward (tasks process input in batches up to a lookahead horizon, no per-record events)
 *   ends with the same keyed state, sink tables and checkpoint statistics as the traced
 *   one-event-at-a-time mode, in all five modes, with and without failures.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CHECKPOINTING_MODES,
  Simulation,
  getScenario,
  type CheckpointingMode,
  type JobGraph,
  type ScheduledFailure,
  type SinkRows,
  type TraceEvent,
} from '../../src/engine/index';
import {
  buildJob,
  describeCase,
  fixedSpec,
  jobCaseArb,
  makeLog,
  resolveFailures,
  stableStringify,
  withCompletionCap,
  type JobCase,
  type JobSpec,
} from './properties/generators';
import { DETERMINISM_REGRESSIONS } from './properties/regressions';

const NUM_RUNS = Number(process.env.DETERMINISM_RUNS ?? 15);
/** Fixed by default, so that CI is reproducible; FC_SEED=<n> explores others. */
const FC_SEED = Number(process.env.FC_SEED ?? 20261206);

/** Virtual-time cap for one run (a stuck job would otherwise run to the engine's 1-hour cap). */
const MAX_TIME = 30_000;

/** One event at a time, every trace event serialised when emitted (some carry live objects). */
function tracedRun(job: JobGraph, seed: number, failures: readonly ScheduledFailure[] = []) {
  const trace: string[] = [];
  const types = new Set<TraceEvent['type']>();
  const sim = new Simulation(job, {
    seed,
    fastForward: false,
    trace: (e) => {
      trace.push(JSON.stringify(e));
      types.add(e.type);
    },
  });
  withCompletionCap(MAX_TIME, () => sim.run(failures));
  return { sim, trace, types };
}

/** Batched, with no trace listener at all (what `npm run sim` and the property tests run). */
function fastForwardRun(job: JobGraph, seed: number, failures: readonly ScheduledFailure[] = []) {
  const sim = new Simulation(job, { seed, fastForward: true });
  withCompletionCap(MAX_TIME, () => sim.run(failures));
  return sim;
}

/** Batched, with a trace listener (what the UI runs): non-record events only. */
function fastForwardTracedRun(job: JobGraph, seed: number, failures: readonly ScheduledFailure[] = []) {
  const sim = new Simulation(job, { seed, fastForward: true, trace: () => {} });
  withCompletionCap(MAX_TIME, () => sim.run(failures));
  return sim;
}

/**
 * Sink rows as `txn + value` strings with their times. Fast-forward lets one task run a batch ahead
 * (in real order) of another's rows with earlier virtual times, so the order in which subtasks
 * append to a shared table differs; every row's time, value and transaction are the same.
 */
function rows(list: SinkRows, times: number[]): string[] {
  const keyed = list
    .map((r) => ({ t: r.time, s: stableStringify({ txn: r.txn ?? null, value: r.value }) }))
    .sort((a, b) => (a.s < b.s ? -1 : a.s > b.s ? 1 : a.t - b.t));
  for (const r of keyed) times.push(r.t);
  return keyed.map((r) => r.s);
}

/**
 * What both execution modes must agree on: `exact` must be equal, `times` equal up to float noise
 * (a task running a batch adds up processing times in another order than one running record by
 * record: 2.2500000000000044 vs 2.2500000000000018).
 */
function outcome(sim: Simulation): { exact: unknown; times: number[] } {
  const r = sim.result();
  const times: number[] = [];
  const tables = Object.fromEntries(
    [...sim.external.tables].map(([uid, t]) => [
      uid,
      {
        written: rows(t.written, times),
        committed: rows(t.committed, times),
        committedTransactions: [...t.committedTransactions].sort(),
        abortedTransactions: [...t.abortedTransactions].sort(),
      },
    ]),
  );
  const exact = {
    jobStatus: r.jobStatus,
    state: r.state,
    tables,
    checkpoints: r.checkpoints.map((c) => {
      times.push(c.triggerTime);
      return { id: c.id, status: c.status };
    }),
    failures: r.failures.map((f) => {
      times.push(f.time);
      return { task: f.task, restoredFrom: f.restoredFrom };
    }),
  };
  return { exact, times };
}

function expectSameOutcome(actual: Simulation, expected: Simulation, message?: string): void {
  const a = outcome(actual);
  const e = outcome(expected);
  expect(a.exact, message).toEqual(e.exact);
  expect(a.times.length, message).toBe(e.times.length);
  const worst = Math.max(0, ...a.times.map((t, i) => Math.abs(t - e.times[i])));
  expect(worst, message).toBeLessThan(1e-6);
}

const visits = (mode: CheckpointingMode) => {
  const job = getScenario('visits').build({ mode, checkpointIntervalMs: 200 });
  // 10,000 visits is the lesson's size; 1,500 keep the traced runs fast.
  const src = job.vertices.find((v) => v.spec.kind === 'source');
  if (src?.spec.kind !== 'source') throw new Error('no source');
  for (const p of src.spec.log.partitions) p.splice(375);
  return job;
};

const VISITS_FAILURES: ScheduledFailure[] = [
  { target: 'count#1', at: 150 },
  { target: 'engine', at: 420 },
  { target: 'source#2', at: 900 },
];

describe('same job, seed and failures ⇒ the identical trace', () => {
  it.each(CHECKPOINTING_MODES)('%s', (mode) => {
    const a = tracedRun(visits(mode), 11, VISITS_FAILURES);
    const b = tracedRun(visits(mode), 11, VISITS_FAILURES);
    expect(a.trace.length).toBeGreaterThan(7_500); // (chained: no channel events inside a chain)
    // The run exercised what the trace is about: records, checkpoints, a failure, a crash.
    for (const t of ['record-processed', 'checkpoint-completed', 'task-failed', 'engine-crashed'] as const)
      expect(a.types.has(t), t).toBe(true);
    expect(a.sim.failures.length).toBe(3);
    // Compare event by event first, for a readable diff at the first divergence.
    const firstDiff = a.trace.findIndex((e, i) => e !== b.trace[i]);
    expect(
      firstDiff === -1 ? null : { i: firstDiff, a: a.trace[firstDiff], b: b.trace[firstDiff] },
    ).toBeNull();
    expect(b.trace.length).toBe(a.trace.length);
  });

  it('random jobs, schedules and modes', () => {
    fc.assert(
      fc.property(jobCaseArb({ maxRecords: 120 }), fc.constantFrom(...CHECKPOINTING_MODES), (c, mode) => {
        // (failures at fractions of 200 ms: no reference run is needed to compare two identical runs)
        const failures = resolveFailures(c.failures, 200);
        const a = tracedRun(buildJob(c.spec, mode), c.seed, failures);
        const b = tracedRun(buildJob(c.spec, mode), c.seed, failures);
        expect(b.trace, describeCase(c, mode, failures)).toEqual(a.trace);
      }),
      { numRuns: NUM_RUNS, seed: FC_SEED },
    );
  });
});

describe('different seeds ⇒ different traces', () => {
  it.each(CHECKPOINTING_MODES)('%s', (mode) => {
    const traces = [1, 2, 3].map((seed) => tracedRun(visits(mode), seed, VISITS_FAILURES).trace);
    expect(traces[1]).not.toEqual(traces[0]);
    expect(traces[2]).not.toEqual(traces[0]);
    expect(traces[2]).not.toEqual(traces[1]);
    // ... yet the same input yields the same answer (exactly-once modes): only the timing differs.
    if (mode !== 'at-least-once') {
      const [s1, s2] = [1, 2].map(
        (seed) => fastForwardRun(visits(mode), seed, VISITS_FAILURES).result().state,
      );
      expect(s2).toEqual(s1);
    }
  });
});

describe('fast-forward ⇒ the same results as one event at a time', () => {
  describe.each(CHECKPOINTING_MODES)('%s', (mode) => {
    it.each([
      ['without failures', [] as ScheduledFailure[]],
      ['with failures', VISITS_FAILURES],
    ])('visits %s', (_name, failures) => {
      const traced = tracedRun(visits(mode), 5, failures).sim;
      const ff = fastForwardRun(visits(mode), 5, failures);
      expect(traced.checkpoints.filter((c) => c.status === 'COMPLETED').length).toBeGreaterThan(2);
      expectSameOutcome(ff, traced);
    });

    it('random jobs and schedules', () => {
      const pinned = DETERMINISM_REGRESSIONS.filter((r) => r.mode === mode).map((r) => [r.case] as [JobCase]);
      fc.assert(
        fc.property(jobCaseArb({ maxRecords: 150 }), (c: JobCase) => {
          const job = buildJob(c.spec, mode);
          const reference = fastForwardRun(job, c.seed);
          const failures = resolveFailures(c.failures, reference.cluster.now);
          const traced = tracedRun(buildJob(c.spec, mode), c.seed, failures).sim;
          const ff = fastForwardRun(buildJob(c.spec, mode), c.seed, failures);
          expectSameOutcome(ff, traced, describeCase(c, mode, failures));
        }),
        { numRuns: NUM_RUNS, seed: FC_SEED, examples: pinned },
      );
    });

    it('a trace listener changes nothing in fast-forward', () => {
      const pinned = DETERMINISM_REGRESSIONS.filter((r) => r.mode === mode).map((r) => [r.case] as [JobCase]);
      fc.assert(
        fc.property(jobCaseArb({ maxRecords: 150 }), (c: JobCase) => {
          const reference = fastForwardRun(buildJob(c.spec, mode), c.seed);
          const failures = resolveFailures(c.failures, reference.cluster.now);
          const listened = fastForwardTracedRun(buildJob(c.spec, mode), c.seed, failures);
          const ff = fastForwardRun(buildJob(c.spec, mode), c.seed, failures);
          expectSameOutcome(ff, listened, describeCase(c, mode, failures));
        }),
        { numRuns: NUM_RUNS, seed: FC_SEED, examples: pinned },
      );
    });
  });
});

/**
 * Regressions: counterexamples the properties above found, each reduced to what it shows (the
 * diagnosis is with each test, and with the pinned cases in properties/regressions.ts).
 */
describe('regressions: fast-forward vs one event at a time', () => {
  /** One source, one keyed subtask, one sink; 0.5 ms channels with 3 credits: steady backpressure. */
  const BACKPRESSURED: JobSpec = fixedSpec({
    partitions: makeLog(1, 12, 1),
    sourceParallelism: 1,
    emitIntervalMs: 0.2,
    statefulParallelism: 1,
    statefulProcessingMs: 0.01,
    sinkParallelism: 1,
    sinkProcessingMs: 0.01,
    checkpointIntervalMs: 20,
    costs: { channelLatencyMinMs: 0.5, channelLatencyMaxMs: 0.5, channelCapacity: 3, rpcLatencyMs: 0.5 },
  });

  // A sender blocked by backpressure puts the record it produced at time t (its clock) in its output
  // buffer; when the receiver frees a credit at t' < t, the record is sent at t': before it existed.
  it('a record waiting for credit is never sent before it was produced', () => {
    const lastBlocked = new Map<string, number>();
    const violations: string[] = [];
    const sim = new Simulation(buildJob(BACKPRESSURED, 'exactly-once'), {
      seed: 0,
      trace: (e) => {
        if (e.type === 'backpressure' && e.blocked) lastBlocked.set(e.channel, e.t);
        if (e.type === 'record-sent') {
          const producedAt = lastBlocked.get(e.channel);
          if (producedAt !== undefined && e.t < producedAt - 1e-9)
            violations.push(`record ${e.id} on ${e.channel}: produced at ${producedAt}, sent at ${e.t}`);
          lastBlocked.delete(e.channel);
        }
      },
    });
    sim.run();
    expect(violations).toEqual([]);
  });

  it('the backpressured pipeline has the same per-record timing in both modes', () => {
    const traced: number[][] = [];
    const ff: number[][] = [];
    const a = new Simulation(buildJob(BACKPRESSURED, 'exactly-once', { probe: traced }), {
      seed: 0,
      trace: () => {},
    });
    a.run();
    const b = new Simulation(buildJob(BACKPRESSURED, 'exactly-once', { probe: ff }), {
      seed: 0,
      fastForward: true,
    });
    b.run();
    const round = (p: number[][]) => p.map((times) => times.map((t) => t.toFixed(6)));
    expect(round(ff)).toEqual(round(traced));
    expectSameOutcome(b, a);
  });

  // MiniCluster.runUntil(until) steps events up to `until`, but in fast-forward a woken task keeps
  // processing up to now + lookahead: past `until`. Simulation.run uses runUntil(crash time) before
  // an engine crash, so the fast-forward run writes rows the crashed engine never wrote.
  it('runUntil(t) processes nothing that starts after t', () => {
    const spec = fixedSpec({
      costs: { channelLatencyMinMs: 5, channelLatencyMaxMs: 6, channelCapacity: 64, rpcLatencyMs: 5 },
    });
    const until = 100;
    const traced = new Simulation(buildJob(spec, 'exactly-once'), { seed: 1, trace: () => {} });
    traced.run([], until);
    const ff = new Simulation(buildJob(spec, 'exactly-once'), { seed: 1, fastForward: true });
    ff.run([], until);
    const latest = (sim: Simulation) =>
      Math.max(...sim.external.tables.get('sink')!.written.map((r) => r.time));
    // Work that started by `until` in the sink's task ends within the processing time of its whole
    // chain (the sink is chained to the operators before it).
    const sinkChain = traced.cluster.getTask('sink#0').jobVertex.operators;
    const chainMs = sinkChain.reduce((sum, v) => sum + v.processingTimeMs, 0);
    expect(latest(traced)).toBeLessThanOrEqual(until + chainMs + 1e-9);
    expect(latest(ff)).toBeLessThanOrEqual(until + chainMs + 1e-9);
    expect(ff.cluster.keyedStateByOperator()).toEqual(traced.cluster.keyedStateByOperator());
  });

  it('an engine crash: the crashed engine wrote the same rows in both modes', () => {
    const spec = fixedSpec({
      costs: { channelLatencyMinMs: 5, channelLatencyMaxMs: 6, channelCapacity: 64, rpcLatencyMs: 5 },
    });
    const failures = [{ target: 'engine', at: 100 }];
    const traced = tracedRun(buildJob(spec, 'exactly-once', { withPrintSink: true }), 1, failures).sim;
    const ff = fastForwardRun(buildJob(spec, 'exactly-once', { withPrintSink: true }), 1, failures);
    const beforeCrash = (sim: Simulation) =>
      sim.external.tables.get('print')!.written.filter((r) => r.time < 1000).length;
    expect(beforeCrash(ff)).toBe(beforeCrash(traced));
    expectSameOutcome(ff, traced);
  });

  it.each(DETERMINISM_REGRESSIONS.map((r) => [r.name, r] as const))('%s', (_name, r) => {
    const failures = resolveFailures(r.case.failures, 0);
    const traced = tracedRun(buildJob(r.case.spec, r.mode), r.case.seed, failures).sim;
    const ff = fastForwardRun(buildJob(r.case.spec, r.mode), r.case.seed, failures);
    expectSameOutcome(ff, traced, describeCase(r.case, r.mode, failures));
  });
});
