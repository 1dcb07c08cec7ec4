/**
 * Recovery as a Flink engineer checks it: where a restart restores from, which tasks a failover
 * restarts, what each restart strategy does with a poison record, and what an engine (JobManager)
 * crash loses with each state backend.
 */
import { renderEnglish } from '../../src/engine/messages/Message';
import { describe, expect, it } from 'vitest';
import {
  DurableCheckpointStorage,
  FsStateBackend,
  MemoryStateBackend,
  MiniCluster,
  NonTransactionalSink,
  PoisonRecord,
  ReplayableLog,
  RestartStrategies,
  Simulation,
  StreamExecutionEnvironment,
  TwoPhaseCommitSink,
  ValueStateDescriptor,
  type CompletedCheckpoint,
  type JobGraph,
  type LogRecord,
  type RestartStrategyConfig,
  type RuntimeContext,
  type StateBackend,
  type TraceEvent,
  type ValueState,
} from '../../src/engine/index';
import { ofType, type Ev } from './helpers';

interface Rec {
  k: string;
  v: number;
}

class Count {
  private n!: ValueState<number>;
  open(ctx: RuntimeContext): void {
    this.n = ctx.getState(new ValueStateDescriptor<number>('n'));
  }
  map(x: Rec): string {
    const n = (this.n.value() ?? 0) + 1;
    this.n.update(n);
    return `${x.k}:${n}`;
  }
}

const KEYS = 7;

function keyedLog(records: number): ReplayableLog<unknown> {
  const parts: LogRecord<unknown>[][] = [[], []];
  for (let i = 0; i < records; i++) parts[i % 2].push({ value: { k: `k${i % KEYS}`, v: i }, timestamp: i });
  return new ReplayableLog('in', parts);
}

function expectedCounts(records: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < records; i++) out[`k${i % KEYS}`] = (out[`k${i % KEYS}`] ?? 0) + 1;
  return out;
}

interface KeyedJobOptions {
  records?: number;
  backend?: StateBackend;
  restart?: RestartStrategyConfig;
  intervalMs?: number;
  minPauseMs?: number;
  /** Appends a poison record to partition 0 of the log. */
  poison?: boolean;
  /** Put a stateless map between source and keyBy (so the poison hits a user function first). */
  mapFirst?: boolean;
  sourceIntervalMs?: number;
}

/** source (p=2) -> [map] -> keyBy -> count (p=2) -> 2PC sink (p=2). */
function keyedJob(o: KeyedJobOptions = {}): JobGraph {
  const log = keyedLog(o.records ?? 1000);
  if (o.poison) log.append(0, { value: new PoisonRecord('x'), timestamp: 1_000_000 });
  // Every operator its own task: these tests name the subtasks of each operator (chaining: chaining.test.ts).
  const env = StreamExecutionEnvironment.getExecutionEnvironment()
    .setParallelism(2)
    .disableOperatorChaining();
  env.enableCheckpointing(o.intervalMs ?? 100);
  if (o.minPauseMs) env.configureCheckpointing({ minPauseBetweenCheckpointsMs: o.minPauseMs });
  env.setStateBackend(o.backend ?? new FsStateBackend());
  if (o.restart) env.setRestartStrategy(o.restart);
  let stream = env.fromSource(log, 'Source: in', o.sourceIntervalMs ?? 1).uid('src');
  if (o.mapFirst) stream = stream.map((x: unknown) => x).uid('parse');
  stream
    .keyBy((x: unknown) => (x as Rec).k)
    .map(new Count())
    .uid('count')
    .setProcessingTime(0.5)
    .addSink(new TwoPhaseCommitSink<string>())
    .uid('sink');
  return env.getJobGraph('Recovery');
}

function simulate(
  job: JobGraph,
  failures: { target: string; at: number }[] = [],
  opts: { seed?: number; until?: number; storage?: DurableCheckpointStorage } = {},
) {
  const events: TraceEvent[] = [];
  const sim = new Simulation(job, {
    seed: opts.seed ?? 5,
    trace: (e) => events.push(e),
    checkpointStorage: opts.storage,
  });
  sim.run(failures, opts.until);
  return { sim, events, result: sim.result() };
}

function duplicates(values: readonly unknown[]): number {
  const seen = new Set<unknown>();
  let d = 0;
  for (const v of values) {
    if (seen.has(v)) d++;
    seen.add(v);
  }
  return d;
}

const ALL_TASKS = ['src#0', 'src#1', 'count#0', 'count#1', 'sink#0', 'sink#1'];

describe('restore point', () => {
  it('a failure before the first checkpoint restarts from scratch and still ends with exact state', () => {
    const job = keyedJob({
      intervalMs: 1000,
      minPauseMs: 900,
      restart: RestartStrategies.fixedDelayRestart(3, 50),
    });
    const { events, result } = simulate(job, [{ target: 'count#0', at: 60 }]);
    const firstCompleted = ofType(events, 'checkpoint-completed')[0];
    expect(firstCompleted.t).toBeGreaterThan(60);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0].restoredFrom).toBeNull();
    expect(result.state.count.n).toEqual(expectedCounts(1000));
    // The sources re-read from offset 0: the first record of partition 0 is processed twice by the count.
    const sentFirst = ofType(events, 'record-sent').filter(
      (e) => e.channel.startsWith('src#0') && (e.value as Rec).v === 0,
    );
    expect(sentFirst).toHaveLength(2);
    // The 2PC sink's output is exact although the restart replayed records.
    expect([...result.sinks.sink.committed].sort()).toEqual(
      [...simulate(keyedJob({ intervalMs: 1000, minPauseMs: 900 })).result.sinks.sink.committed].sort(),
    );
  });

  it('a restart from scratch reports task-restored with checkpointId null and offsets 0', () => {
    // The TraceEvent type allows checkpointId null, but deployTask only emits task-restored when
    // there is a checkpoint, so a UI cannot show "restarted from scratch".
    const job = keyedJob({
      intervalMs: 1000,
      minPauseMs: 900,
      restart: RestartStrategies.fixedDelayRestart(3, 50),
    });
    const { events } = simulate(job, [{ target: 'count#0', at: 60 }]);
    const restored = ofType(events, 'task-restored');
    expect(restored.map((e) => e.task).sort()).toEqual([...ALL_TASKS].sort());
    for (const e of restored) expect(e.checkpointId).toBeNull();
    expect(restored.find((e) => e.task === 'src#0')?.offsets).toEqual([{ partition: 0, offset: 0 }]);
    expect(restored.find((e) => e.task === 'src#1')?.offsets).toEqual([{ partition: 1, offset: 0 }]);
  });

  it('a failure after a checkpoint restores the latest completed one; sources rewind to its offsets', () => {
    const storage = new DurableCheckpointStorage(1000);
    const job = keyedJob({ restart: RestartStrategies.fixedDelayRestart(3, 50) });
    const { events, result } = simulate(job, [{ target: 'count#1', at: 330 }], { storage });
    const failedAt = events.findIndex((e) => e.type === 'task-failed');
    const completedBefore = events
      .slice(0, failedAt)
      .filter((e): e is Ev<'checkpoint-completed'> => e.type === 'checkpoint-completed');
    expect(completedBefore.length).toBeGreaterThan(1);
    const latest = completedBefore[completedBefore.length - 1].checkpointId;

    const restored = ofType(events, 'task-restored');
    expect(restored.map((e) => e.task).sort()).toEqual([...ALL_TASKS].sort());
    for (const e of restored) expect(e.checkpointId).toBe(latest);
    expect(result.failures[0].restoredFrom).toBe(latest);

    const cp = storage.list('Recovery').find((c) => c.checkpointId === latest) as CompletedCheckpoint;
    for (const src of ['src#0', 'src#1']) {
      const snapshot = cp.tasks.find((t) => t.taskId === src);
      const offsets = restored.find((e) => e.task === src)?.offsets;
      expect(offsets).toEqual(snapshot?.operatorState?.sourceOffsets);
      expect(offsets?.[0].offset).toBeGreaterThan(0);
    }
    expect(result.state.count.n).toEqual(expectedCounts(1000));
    expect(duplicates(result.sinks.sink.committed)).toBe(0);
    expect(result.sinks.sink.committed).toHaveLength(1000);
  });
});

describe('failover regions', () => {
  function forwardJob(): JobGraph {
    const parts = [0, 1].map((p) =>
      Array.from({ length: 400 }, (_, i) => ({ value: p * 1000 + i, timestamp: i })),
    );
    const env = StreamExecutionEnvironment.getExecutionEnvironment()
      .setParallelism(2)
      .disableOperatorChaining();
    env.enableCheckpointing(100).setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 50));
    env
      .fromSource(new ReplayableLog('t', parts))
      .uid('source')
      .map((x: number) => x)
      .uid('map');
    return env.getJobGraph('Regions');
  }

  it('with only forward edges, failing map#0 restarts only source#0 and map#0', () => {
    const events: TraceEvent[] = [];
    const mc = new MiniCluster(forwardJob(), { seed: 1, trace: (e) => events.push(e) });
    mc.scheduleTaskFailure('map#0', 150);
    mc.runToCompletion();
    const restarting = ofType(events, 'job-restarting');
    expect(restarting).toHaveLength(1);
    expect([...restarting[0].tasks].sort()).toEqual(['map#0', 'source#0']);
    const touched = new Set(
      ofType(events, 'task-status')
        .filter((e) => e.t > 0)
        .map((e) => e.task),
    );
    expect([...touched].sort()).toEqual(['map#0', 'source#0']);
    // The other region keeps working while region 0 waits for its restart.
    const restartAt = 150 + restarting[0].delayMs;
    expect(
      ofType(events, 'record-processed').some((e) => e.task === 'map#1' && e.t > 150 && e.t < restartAt),
    ).toBe(true);
    expect(mc.jobStatus).toBe('RUNNING');
    expect(mc.recordsProcessed).toBeGreaterThanOrEqual(800);
  });

  it('with a keyBy (all-to-all), a single failure restarts the whole job', () => {
    const { events } = simulate(keyedJob({ restart: RestartStrategies.fixedDelayRestart(3, 50) }), [
      { target: 'sink#1', at: 150 },
    ]);
    const restarting = ofType(events, 'job-restarting');
    expect(restarting).toHaveLength(1);
    expect([...restarting[0].tasks].sort()).toEqual([...ALL_TASKS].sort());
  });
});

describe('restart strategies with a poison record', () => {
  function poisonRun(restart: RestartStrategyConfig, until = 600_000) {
    return simulate(keyedJob({ records: 200, poison: true, mapFirst: true, restart }), [], { until });
  }

  it('fixed-delay(2): two restarts after the delay, then the job FAILS at the third failure', () => {
    const { events, result } = poisonRun(RestartStrategies.fixedDelayRestart(2, 100));
    expect(result.jobStatus).toBe('FAILED');
    expect(result.failures).toHaveLength(3);
    for (const f of result.failures) expect(f.reason).toContain('poison(x)');
    expect(result.failures.map((f) => f.restartDelayMs)).toEqual([100, 100, null]);
    const restarting = ofType(events, 'job-restarting');
    expect(restarting.map((e) => e.delayMs)).toEqual([100, 100]);
    const failedStatus = ofType(events, 'job-status').filter((e) => e.status === 'FAILED');
    expect(failedStatus).toHaveLength(1);
    expect(renderEnglish(failedStatus[0].reason!)).toMatch(/fixed-delay/);
    // Each restart happened `delay` after its failure.
    const failed = ofType(events, 'task-failed');
    const running = ofType(events, 'job-status').filter((e) => e.status === 'RUNNING' && e.t > 0);
    expect(running.map((e) => e.t)).toEqual([failed[0].t + 100, failed[1].t + 100]);
  });

  it('none: the first failure fails the job', () => {
    const { events, result } = poisonRun(RestartStrategies.noRestart());
    expect(result.jobStatus).toBe('FAILED');
    expect(result.failures).toHaveLength(1);
    expect(ofType(events, 'job-restarting')).toEqual([]);
  });

  it('failure-rate(2 per minute): the third failure within the interval fails the job', () => {
    const { result } = poisonRun(RestartStrategies.failureRateRestart(2, 60_000, 100));
    expect(result.jobStatus).toBe('FAILED');
    expect(result.failures).toHaveLength(3);
  });

  it('failure-rate(1 per 500 ms) with a 1 s delay never exceeds the rate: it keeps restarting', () => {
    const { result } = poisonRun(RestartStrategies.failureRateRestart(1, 500, 1000), 10_000);
    expect(result.jobStatus).not.toBe('FAILED');
    expect(result.failures.length).toBeGreaterThan(5);
    expect(result.failures.every((f) => f.restartDelayMs === 1000)).toBe(true);
  });

  it('exponential-delay: 1000 -> 1500 -> 2250 ... (±10% jitter), levelling off at the 60 s maximum', () => {
    const { result } = poisonRun(RestartStrategies.exponentialDelayRestart());
    const delays = result.failures.map((f) => f.restartDelayMs as number);
    expect(delays.length).toBeGreaterThan(14);
    delays.forEach((d, i) => {
      const nominal = Math.min(1000 * 1.5 ** i, 60_000);
      expect(d).toBeGreaterThanOrEqual(nominal * 0.9 - 1);
      expect(d).toBeLessThanOrEqual(nominal * 1.1 + 1);
    });
    expect(delays.slice(-4).every((d) => d > 50_000)).toBe(true);
    // Jitter: not exactly the nominal values.
    expect(delays.slice(0, 5).some((d, i) => d !== 1000 * 1.5 ** i)).toBe(true);
  });

  it('is the default with checkpointing', () => {
    const job = keyedJob({ records: 200, poison: true, mapFirst: true });
    expect(job.restartStrategy.type).toBe('exponential-delay');
    const { result } = simulate(job, [], { until: 10_000 });
    expect(result.jobStatus).not.toBe('FAILED');
    expect(result.failures.length).toBeGreaterThan(2);
  });

  it('as Flink: exponential-delay never exceeds maxBackoff nor goes below initialBackoff', () => {
    // Flink: backoff = max(initial, min(initial·1.5^n + jitter, max)) — the jitter applies to the
    // uncapped backoff, so from the 12th failure on (1.5^11 · 0.9 s > 60 s) every delay is exactly 60 s.
    const { result } = poisonRun(RestartStrategies.exponentialDelayRestart());
    const delays = result.failures.map((f) => f.restartDelayMs as number);
    expect(Math.max(...delays)).toBeLessThanOrEqual(60_000);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(1000);
    expect(delays.length).toBeGreaterThan(12);
    expect(delays.slice(11)).toEqual(delays.slice(11).map(() => 60_000));
  });

  it('exponential-delay resets the backoff after the job ran without failure for the threshold', () => {
    const job = keyedJob({
      records: 12_000,
      sourceIntervalMs: 1,
      restart: RestartStrategies.exponentialDelayRestart({ resetBackoffThresholdMs: 500, jitterFactor: 0 }),
    });
    const { result } = simulate(job, [
      { target: 'count#0', at: 100 },
      { target: 'count#0', at: 2500 },
      { target: 'count#1', at: 5000 },
    ]);
    expect(result.failures.map((f) => f.restartDelayMs)).toEqual([1000, 1000, 1000]);
  });

  it('as Flink: the reset threshold counts stable running time since the restart, not since the failure', () => {
    // Flink's ExponentialDelayRestartBackoffTimeStrategy resets when now - nextRestartTimestamp >=
    // threshold. A poison record fails the job ~100 ms after every restart, so the job is never stable
    // and the backoff keeps growing (measuring from the previous failure, which includes the backoff
    // itself, would wrongly reset once the backoff exceeds the threshold).
    const { result } = poisonRun(
      RestartStrategies.exponentialDelayRestart({ resetBackoffThresholdMs: 5000, jitterFactor: 0 }),
      120_000,
    );
    const delays = result.failures.map((f) => f.restartDelayMs as number);
    expect(delays.length).toBeGreaterThan(7);
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1]);
  });
});

describe('poison before keyBy', () => {
  it('a record whose key selector throws fails the sending task instead of crashing the engine', () => {
    // The key selector runs in the upstream task (Flink's KeyGroupStreamPartitioner): a null key gives
    // "Assigned key must not be null!" and fails that task. The engine lets the error escape run().
    const job = keyedJob({ records: 50, poison: true, restart: RestartStrategies.noRestart() });
    let result: ReturnType<typeof simulate> | null = null;
    expect(() => {
      result = simulate(job);
    }).not.toThrow();
    const r = result as ReturnType<typeof simulate> | null;
    expect(r?.result.jobStatus).toBe('FAILED');
    expect(r?.result.failures[0].task).toBe('src#0');
  });
});

describe('engine crash', () => {
  function crashRun(backend: StateBackend, crashAt = 250) {
    return simulate(keyedJob({ backend }), [{ target: 'engine', at: crashAt }]);
  }
  const reference = () => simulate(keyedJob()).result.sinks.sink.committed;

  it('with FsStateBackend, the new engine restores the durable storage’s latest checkpoint', () => {
    const { events, result, sim } = crashRun(new FsStateBackend());
    const crashIdx = events.findIndex((e) => e.type === 'engine-crashed');
    const before = events
      .slice(0, crashIdx)
      .filter((e): e is Ev<'checkpoint-completed'> => e.type === 'checkpoint-completed');
    const latest = before[before.length - 1].checkpointId;
    const recovered = ofType(events, 'engine-recovered');
    expect(recovered).toHaveLength(1);
    expect(recovered[0].checkpointId).toBe(latest);
    const restored = ofType(events, 'task-restored');
    expect(restored).toHaveLength(6);
    expect(restored.every((e) => e.checkpointId === latest)).toBe(true);
    expect(restored.find((e) => e.task === 'src#0')?.offsets[0].offset).toBeGreaterThan(0);
    expect(result.state.count.n).toEqual(expectedCounts(1000));
    expect(duplicates(result.sinks.sink.committed)).toBe(0);
    expect([...result.sinks.sink.committed].sort()).toEqual([...reference()].sort());
    // Checkpoint ids never repeat across the crash (Flink keeps the counter in HA storage).
    const after = sim.cluster.coordinator.history.map((s) => s.id);
    const beforeIds = ofType(events.slice(0, crashIdx), 'checkpoint-triggered').map((e) => e.checkpointId);
    expect(after.length).toBeGreaterThan(0);
    expect(Math.min(...after)).toBeGreaterThan(Math.max(...beforeIds));
  });

  it('with MemoryStateBackend (JobManager storage), the new engine starts from scratch', () => {
    const { events, result } = crashRun(new MemoryStateBackend());
    expect(ofType(events, 'checkpoint-completed').some((e) => e.t < 250)).toBe(true);
    const recovered = ofType(events, 'engine-recovered');
    expect(recovered[0].checkpointId).toBeNull();
    expect(result.failures.find((f) => f.task === 'engine')?.restoredFrom).toBeNull();
    expect(ofType(events, 'task-restored').filter((e) => e.checkpointId !== null)).toEqual([]);
    // State rebuilt from offset 0: the counts are right again...
    expect(result.state.count.n).toEqual(expectedCounts(1000));
    // ...but the transactions committed before the crash are committed again: duplicates.
    expect(duplicates(result.sinks.sink.committed)).toBeGreaterThan(0);
    expect(result.sinks.sink.committed.length).toBeGreaterThan(1000);
    const committedBeforeCrash = ofType(events, 'transaction-committed')
      .filter((e) => e.t < 250)
      .reduce((n, e) => n + e.rows, 0);
    expect(duplicates(result.sinks.sink.committed)).toBe(committedBeforeCrash);
  });

  it('Simulation.crashEngine() does the same as a scheduled engine failure', () => {
    const a = crashRun(new FsStateBackend()).result;
    // Same options as simulate() (traced: one event at a time), so even the row order is the same.
    const sim = new Simulation(keyedJob(), { seed: 5, trace: () => {} });
    sim.cluster.runUntil(250);
    sim.crashEngine();
    sim.cluster.runToCompletion();
    const b = sim.result();
    expect(b.sinks).toEqual(a.sinks);
    expect(b.state).toEqual(a.state);
    expect(b.failures).toEqual(a.failures);
  });

  it('a non-transactional sink shows the replayed records after an engine crash even with FsStateBackend', () => {
    const parts: LogRecord<number>[][] = [
      Array.from({ length: 500 }, (_, i) => ({ value: i, timestamp: i })),
    ];
    const env = StreamExecutionEnvironment.getExecutionEnvironment().enableCheckpointing(100);
    env.setStateBackend(new FsStateBackend());
    env
      .fromSource(new ReplayableLog('n', parts))
      .uid('src')
      .addSink(new NonTransactionalSink<number>())
      .uid('out');
    const { result } = simulate(env.getJobGraph('Plain'), [{ target: 'engine', at: 250 }]);
    expect(new Set(result.sinks.out.committed).size).toBe(500);
    expect(duplicates(result.sinks.out.committed)).toBeGreaterThan(0);
  });
});
