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
import {
  FsStateBackend,
  KafkaSource,
  MapStateDescriptor,
  OffsetsInitializer,
  ReplayableLog,
  RestartStrategies,
  StreamExecutionEnvironment,
  TwoPhaseCommitSink,
  ValueStateDescriptor,
  WatermarkStrategies,
  type CheckpointingMode,
  type Collector,
  type JobGraph,
  type KeyedProcessContext,
  type KeyedProcessFunction,
  type LogRecord,
  type MapState,
  type OnTimerContext,
  type RuntimeContext,
  type ValueState,
} from '../../../src/engine/index';
import {
  EXACTLY_ONCE_MODES,
  describeCase,
  exactlyOnceDiffs,
  failuresArb,
  jobSpecArb,
  runPair,
  simSeedArb,
  sortedRows,
  type JobCase,
  type JobSpec,
  type Rec,
} from './generators';

const NUM_RUNS = Number(process.env.PROPERTY_RUNS ?? 40);
const FC_SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const FC_PATH = process.env.FC_PATH;

const WINDOW_MS = 40;
/** Within a source subtask records are out of order by < 4 ms (timestamps 4·offset + partition): none is late. */
const BOUND_MS = 8;

interface WindowSum {
  key: string;
  end: number;
  sum: number;
  n: number;
}

const timestampOf = (offset: number, partition: number) => offset * 4 + partition;
const windowEnd = (ts: number) => ts - (ts % WINDOW_MS) + WINDOW_MS - 1;

/** Per key: a running total (kept) and the open windows (cleared by their event-time timers). */
class WindowedSum implements KeyedProcessFunction<string, Rec, WindowSum> {
  private total!: ValueState<number>;
  private windows!: MapState<number, { sum: number; n: number }>;
  open(ctx: RuntimeContext): void {
    this.total = ctx.getState(new ValueStateDescriptor<number>('total'));
    this.windows = ctx.getMapState(new MapStateDescriptor<number, { sum: number; n: number }>('windows'));
  }
  processElement(r: Rec, ctx: KeyedProcessContext<string>): void {
    this.total.update((this.total.value() ?? 0) + r.v);
    const end = windowEnd(ctx.timestamp() as number);
    const w = this.windows.get(end) ?? { sum: 0, n: 0 };
    this.windows.put(end, { sum: w.sum + r.v, n: w.n + 1 });
    ctx.timerService().registerEventTimeTimer(end);
  }
  onTimer(timestamp: number, ctx: OnTimerContext<string>, out: Collector<WindowSum>): void {
    const w = this.windows.get(timestamp);
    if (!w) return;
    out.collect({ key: ctx.getCurrentKey(), end: timestamp, sum: w.sum, n: w.n });
    this.windows.remove(timestamp);
  }
}

function buildBoundedJob(spec: JobSpec, mode: CheckpointingMode): JobGraph {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(spec.statefulParallelism);
  env.setStateBackend(new FsStateBackend());
  env.enableCheckpointing(spec.checkpointIntervalMs, mode);
  env.setRestartStrategy(RestartStrategies.fixedDelayRestart(100, 50));
  env.setCostModel({ ...spec.costs });
  const log = new ReplayableLog<Rec>(
    'records',
    spec.partitions.map((p, pi) =>
      p.map((value, i): LogRecord<Rec> => ({ value, timestamp: timestampOf(i, pi) })),
    ),
  );
  const source = KafkaSource.builder<Rec>().setLog(log).setBounded(OffsetsInitializer.latest()).build();
  env
    .fromSource(
      source,
      'Source: records (bounded)',
      spec.emitIntervalMs,
      WatermarkStrategies.forBoundedOutOfOrderness(BOUND_MS).withAutoWatermarkInterval(20),
    )
    .uid('source')
    .setParallelism(spec.sourceParallelism)
    .keyBy((r: Rec) => r.key)
    .process(new WindowedSum())
    .uid('stateful')
    .setParallelism(spec.statefulParallelism)
    .setProcessingTime(spec.statefulProcessingMs)
    .addSink(new TwoPhaseCommitSink<WindowSum>())
    .uid('sink')
    .setParallelism(spec.sinkParallelism);
  const job = env.getJobGraph('BoundedWindows');
  for (const v of job.vertices) if (v.spec.kind === 'sink') v.processingTimeMs = spec.sinkProcessingMs;
  return job;
}

/** Every (key, window) of the log with its sum and count: what a bounded run must commit. */
function bruteForceWindows(spec: JobSpec): string[] {
  const byWindow = new Map<string, WindowSum>();
  spec.partitions.forEach((p, pi) =>
    p.forEach((r, i) => {
      const end = windowEnd(timestampOf(i, pi));
      const id = `${r.key}@${end}`;
      const w = byWindow.get(id) ?? { key: r.key, end, sum: 0, n: 0 };
      w.sum += r.v;
      w.n++;
      byWindow.set(id, w);
    }),
  );
  return sortedRows([...byWindow.values()]);
}

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
      { numRuns: NUM_RUNS, seed: FC_SEED, path: FC_PATH },
    );
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
