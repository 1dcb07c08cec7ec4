/**
 * fast-check arbitraries for random jobs, cost models and failure schedules, plus the helpers the
 * property tests share: building a JobGraph from a plain-data JobSpec (so fast-check can print and
 * shrink it), running a Simulation, and comparing two runs (state and sink output as multisets).
 *
 * Job shape:
 *   source (ReplayableLog of {key, v}, parallelism 1–4)
 *     → optional stateless map / filter (parallelism 1–4)
 *     → keyBy(key) → stateful operator (parallelism 1–4; ValueState / ListState / MapState /
 *       ReducingState / AggregatingState variants)
 *     → TwoPhaseCommitSink (uid 'sink', parallelism 1–4)
 *
 * Everything the stateful operators emit is order-independent as a multiset (`{key, n}` with n the
 * per-key count after the record, or `{key, v, c}` with c the per-(key, v) count), so a run with
 * failures can be compared with the failure-free run even though replays change the interleaving of
 * channels.
 */
import fc from 'fast-check';
import {
  AggregatingStateDescriptor,
  FsStateBackend,
  ListStateDescriptor,
  MapStateDescriptor,
  MemoryStateBackend,
  MiniCluster,
  NonTransactionalSink,
  ReducingStateDescriptor,
  Random,
  ReplayableLog,
  RestartStrategies,
  Simulation,
  StreamExecutionEnvironment,
  TwoPhaseCommitSink,
  ValueStateDescriptor,
  assignKeyToParallelOperator,
  computeDefaultMaxParallelism,
  type AggregateFunction,
  type AggregatingState,
  type CheckpointingMode,
  type Collector,
  type CostModel,
  type DataStream,
  type JobGraph,
  type KeyedProcessContext,
  type KeyedProcessFunction,
  type ListState,
  type LogRecord,
  type MapFunctionObject,
  type MapState,
  type ReducingState,
  type RuntimeContext,
  type ScheduledFailure,
  type SingleOutputStreamOperator,
  type SimulationOptions,
  type SimulationResult,
  type ValueState,
} from '../../../src/engine/index';

// ------------------------------------------------------------------ data

export interface Rec {
  key: string;
  v: number;
}

export const KEY_ALPHABET = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'];

export const EXACTLY_ONCE_MODES = ['exactly-once', 'unaligned', 'stop-the-world', 'chandy-lamport'] as const;
export const ALL_MODES: readonly CheckpointingMode[] = [...EXACTLY_ONCE_MODES, 'at-least-once'];

export type PreOp = 'none' | 'filter' | 'map' | 'map-filter';
export type StatefulVariant = 'value-process' | 'value-richmap' | 'list' | 'map' | 'reducing' | 'aggregating';
export const STATEFUL_VARIANTS: readonly StatefulVariant[] = [
  'value-process',
  'value-richmap',
  'list',
  'map',
  'reducing',
  'aggregating',
];

/** A job as plain data: fast-check prints and shrinks it; `buildJob` turns it into a JobGraph. */
export interface JobSpec {
  /** The log's partitions (records in offset order). */
  partitions: Rec[][];
  sourceParallelism: number;
  emitIntervalMs: number;
  pre: PreOp;
  preParallelism: number;
  preProcessingMs: number;
  variant: StatefulVariant;
  statefulParallelism: number;
  statefulProcessingMs: number;
  sinkParallelism: number;
  sinkProcessingMs: number;
  checkpointIntervalMs: number;
  costs: Pick<CostModel, 'channelLatencyMinMs' | 'channelLatencyMaxMs' | 'channelCapacity' | 'rpcLatencyMs'>;
}

/**
 * A failure: at a fixed virtual time, or at a fraction of the failure-free run's length (resolved by
 * `resolveFailures` once that run is known, so failures land anywhere in the actual run: before the
 * first checkpoint, between checkpoints, or while the finished job waits for its final checkpoint).
 */
export type FailureSpec = { target: string; at: number } | { target: string; frac: number };

export interface JobCase {
  spec: JobSpec;
  /** Simulation seed. */
  seed: number;
  failures: FailureSpec[];
}

/** Concrete failure times (whole ms, at least 1) for a run whose failure-free twin lasted `durationMs`. */
export function resolveFailures(failures: readonly FailureSpec[], durationMs: number): ScheduledFailure[] {
  return failures.map((f) =>
    'at' in f
      ? { target: f.target, at: f.at }
      : { target: f.target, at: Math.max(1, Math.round(f.frac * durationMs)) },
  );
}

// ------------------------------------------------------------------ stateless functions

/** The filter of the brief: drops v % 7 === 3. */
export const keepRecord = (r: Rec): boolean => r.v % 7 !== 3;
/** A stateless map that keeps the key and changes v. */
export const mapRecord = (r: Rec): Rec => ({ key: r.key, v: (r.v * 3 + 1) % 50 });

/** The records that reach the keyed operator, per the job's pre-operators (in log order, per partition). */
export function recordsAfterPre(spec: Pick<JobSpec, 'partitions' | 'pre'>): Rec[] {
  const out: Rec[] = [];
  for (const p of spec.partitions) {
    for (let r of p) {
      if (spec.pre === 'map' || spec.pre === 'map-filter') r = mapRecord(r);
      if ((spec.pre === 'filter' || spec.pre === 'map-filter') && !keepRecord(r)) continue;
      out.push(r);
    }
  }
  return out;
}

/** Per-key record count computed straight from the log (what an exactly-once run must end with). */
export function expectedCounts(spec: Pick<JobSpec, 'partitions' | 'pre'>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of recordsAfterPre(spec)) counts[r.key] = (counts[r.key] ?? 0) + 1;
  return counts;
}

// ------------------------------------------------------------------ stateful functions

type Probe = number[][];

/**
 * Probes record the processing time of every record per subtask (for the ITCase's "fail at x % of
 * its input"). Functions hold only a probe's id: the engine gives every subtask a deep copy of a
 * function object's data fields (as Flink deserialises one), so an array field would be copied.
 */
const PROBES = new Map<number, Probe>();
let nextProbeId = 1;

function registerProbe(probe: Probe | null): number | null {
  if (!probe) return null;
  const id = nextProbeId++;
  PROBES.set(id, probe);
  return id;
}

function probeRecord(probeId: number | null, subtask: number, t: number): void {
  if (probeId !== null) ((PROBES.get(probeId) as Probe)[subtask] ??= []).push(t);
}

/** ValueState<{count, sum}> in a KeyedProcessFunction. */
export class SumCountProcess implements KeyedProcessFunction<string, Rec, { key: string; n: number }> {
  private acc!: ValueState<{ count: number; sum: number }>;
  private subtask = 0;
  constructor(private readonly probe: number | null = null) {}
  open(ctx: RuntimeContext): void {
    this.acc = ctx.getState(new ValueStateDescriptor<{ count: number; sum: number }>('acc'));
    this.subtask = ctx.getIndexOfThisSubtask();
  }
  processElement(r: Rec, ctx: KeyedProcessContext<string>, out: Collector<{ key: string; n: number }>): void {
    probeRecord(this.probe, this.subtask, ctx.currentProcessingTime());
    const cur = this.acc.value() ?? { count: 0, sum: 0 };
    const next = { count: cur.count + 1, sum: cur.sum + r.v };
    this.acc.update(next);
    out.collect({ key: ctx.getCurrentKey(), n: next.count });
  }
}

/** Two ValueStates (count, sum) in a rich map function (no processing time here, so no probe). */
export class SumCountRichMap implements MapFunctionObject<Rec, { key: string; n: number }> {
  private count!: ValueState<number>;
  private sum!: ValueState<number>;
  open(ctx: RuntimeContext): void {
    this.count = ctx.getState(new ValueStateDescriptor<number>('count', 0));
    this.sum = ctx.getState(new ValueStateDescriptor<number>('sum', 0));
  }
  map(r: Rec): { key: string; n: number } {
    const n = (this.count.value() ?? 0) + 1;
    this.count.update(n);
    this.sum.update((this.sum.value() ?? 0) + r.v);
    return { key: r.key, n };
  }
}

/** ListState<number> of every v seen. */
export class ListProcess implements KeyedProcessFunction<string, Rec, { key: string; n: number }> {
  private values!: ListState<number>;
  private subtask = 0;
  constructor(private readonly probe: number | null = null) {}
  open(ctx: RuntimeContext): void {
    this.values = ctx.getListState(new ListStateDescriptor<number>('values'));
    this.subtask = ctx.getIndexOfThisSubtask();
  }
  processElement(r: Rec, ctx: KeyedProcessContext<string>, out: Collector<{ key: string; n: number }>): void {
    probeRecord(this.probe, this.subtask, ctx.currentProcessingTime());
    this.values.add(r.v);
    out.collect({ key: ctx.getCurrentKey(), n: [...this.values.get()].length });
  }
}

/** MapState<v, occurrences>; emits the per-(key, v) count. */
export class MapProcess implements KeyedProcessFunction<string, Rec, { key: string; v: number; c: number }> {
  private hist!: MapState<number, number>;
  private subtask = 0;
  constructor(private readonly probe: number | null = null) {}
  open(ctx: RuntimeContext): void {
    this.hist = ctx.getMapState(new MapStateDescriptor<number, number>('hist'));
    this.subtask = ctx.getIndexOfThisSubtask();
  }
  processElement(
    r: Rec,
    ctx: KeyedProcessContext<string>,
    out: Collector<{ key: string; v: number; c: number }>,
  ): void {
    probeRecord(this.probe, this.subtask, ctx.currentProcessingTime());
    const c = (this.hist.get(r.v) ?? 0) + 1;
    this.hist.put(r.v, c);
    out.collect({ key: ctx.getCurrentKey(), v: r.v, c });
  }
}

/** ReducingState sum of v and ReducingState count. */
export class ReducingProcess implements KeyedProcessFunction<string, Rec, { key: string; n: number }> {
  private sum!: ReducingState<number>;
  private count!: ReducingState<number>;
  private subtask = 0;
  constructor(private readonly probe: number | null = null) {}
  open(ctx: RuntimeContext): void {
    this.sum = ctx.getReducingState(new ReducingStateDescriptor<number>('sum', (a, b) => a + b));
    this.count = ctx.getReducingState(
      new ReducingStateDescriptor<number>('count', { reduce: (a, b) => a + b }),
    );
    this.subtask = ctx.getIndexOfThisSubtask();
  }
  processElement(r: Rec, ctx: KeyedProcessContext<string>, out: Collector<{ key: string; n: number }>): void {
    probeRecord(this.probe, this.subtask, ctx.currentProcessingTime());
    this.sum.add(r.v);
    this.count.add(1);
    out.collect({ key: ctx.getCurrentKey(), n: this.count.get() as number });
  }
}

interface StatsAcc {
  count: number;
  sum: number;
  max: number;
}
const statsAggregate: AggregateFunction<number, StatsAcc, StatsAcc> = {
  createAccumulator: () => ({ count: 0, sum: 0, max: -Infinity }),
  add: (v, acc) => ({ count: acc.count + 1, sum: acc.sum + v, max: Math.max(acc.max, v) }),
  getResult: (acc) => ({ ...acc }),
  merge: (a, b) => ({ count: a.count + b.count, sum: a.sum + b.sum, max: Math.max(a.max, b.max) }),
};

/** AggregatingState<v, {count, sum, max}>. */
export class AggregatingProcess implements KeyedProcessFunction<string, Rec, { key: string; n: number }> {
  private agg!: AggregatingState<number, StatsAcc>;
  private subtask = 0;
  constructor(private readonly probe: number | null = null) {}
  open(ctx: RuntimeContext): void {
    this.agg = ctx.getAggregatingState(new AggregatingStateDescriptor('agg', statsAggregate));
    this.subtask = ctx.getIndexOfThisSubtask();
  }
  processElement(r: Rec, ctx: KeyedProcessContext<string>, out: Collector<{ key: string; n: number }>): void {
    probeRecord(this.probe, this.subtask, ctx.currentProcessingTime());
    this.agg.add(r.v);
    out.collect({ key: ctx.getCurrentKey(), n: (this.agg.get() as StatsAcc).count });
  }
}

/** Per-key count of records the stateful operator has counted, read from its final state. */
export function stateCounts(variant: StatefulVariant, result: SimulationResult): Record<string, number> {
  const op = result.state['stateful'] ?? {};
  const out: Record<string, number> = {};
  const each = (name: string, f: (value: unknown) => number) => {
    for (const [key, value] of Object.entries(op[name] ?? {})) out[key] = f(value);
  };
  switch (variant) {
    case 'value-process':
      each('acc', (v) => (v as { count: number }).count);
      break;
    case 'value-richmap':
    case 'reducing':
      each('count', (v) => v as number);
      break;
    case 'list':
      each('values', (v) => (v as unknown[]).length);
      break;
    case 'map':
      each('hist', (v) => (v as Array<[number, number]>).reduce((n, [, c]) => n + c, 0));
      break;
    case 'aggregating':
      each('agg', (v) => (v as StatsAcc).count);
      break;
  }
  return out;
}

// ------------------------------------------------------------------ building jobs

export interface BuildOptions {
  /** Add a NonTransactionalSink (uid 'print') next to the 2PC sink. */
  withPrintSink?: boolean;
  /** Use MemoryStateBackend (checkpoints lost with the engine) instead of FsStateBackend. */
  memoryBackend?: boolean;
  /** Collects per-subtask processing times of the stateful operator. */
  probe?: Probe;
  /** Skip keyBy and the stateful operator (a stateless forward-only chain). */
  stateless?: boolean;
}

export function buildJob(spec: JobSpec, mode: CheckpointingMode, options: BuildOptions = {}): JobGraph {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(spec.statefulParallelism);
  env.setStateBackend(options.memoryBackend ? new MemoryStateBackend() : new FsStateBackend());
  env.enableCheckpointing(spec.checkpointIntervalMs, mode);
  env.setRestartStrategy(RestartStrategies.fixedDelayRestart(100, 50));
  env.setCostModel({ ...spec.costs });
  const log = new ReplayableLog<Rec>(
    'records',
    spec.partitions.map((p, pi) => p.map((value, i): LogRecord<Rec> => ({ value, timestamp: i * 4 + pi }))),
  );
  let stream: DataStream<Rec> = env
    .fromSource(log, 'Source: records', spec.emitIntervalMs)
    .uid('source')
    .setParallelism(spec.sourceParallelism);
  if (spec.pre === 'map' || spec.pre === 'map-filter')
    stream = stream
      .map(mapRecord)
      .uid('pre-map')
      .setParallelism(spec.preParallelism)
      .setProcessingTime(spec.preProcessingMs);
  if (spec.pre === 'filter' || spec.pre === 'map-filter')
    stream = stream
      .filter(keepRecord)
      .uid('pre-filter')
      .setParallelism(spec.preParallelism)
      .setProcessingTime(spec.preProcessingMs);
  let out: DataStream<unknown>;
  if (options.stateless) {
    out = stream as unknown as DataStream<unknown>;
  } else {
    const keyed = stream.keyBy((r: Rec) => r.key);
    const probe = registerProbe(options.probe ?? null);
    if (probe && spec.variant === 'value-richmap') throw new Error('the RichMap variant has no probe');
    const op =
      spec.variant === 'value-richmap'
        ? (keyed.map(new SumCountRichMap()) as unknown as SingleOutputStreamOperator<unknown>)
        : keyed.process<unknown>(
            spec.variant === 'value-process'
              ? new SumCountProcess(probe)
              : spec.variant === 'list'
                ? new ListProcess(probe)
                : spec.variant === 'map'
                  ? new MapProcess(probe)
                  : spec.variant === 'reducing'
                    ? new ReducingProcess(probe)
                    : new AggregatingProcess(probe),
          );
    out = (op as SingleOutputStreamOperator<unknown>)
      .uid('stateful')
      .setParallelism(spec.statefulParallelism)
      .setProcessingTime(spec.statefulProcessingMs);
  }
  out.addSink(new TwoPhaseCommitSink<unknown>()).uid('sink').setParallelism(spec.sinkParallelism);
  if (options.withPrintSink)
    out.addSink(new NonTransactionalSink<unknown>()).uid('print').setParallelism(spec.sinkParallelism);
  const job = env.getJobGraph('RandomJob');
  // The DataStreamSink API has no processing-time knob; the job vertex does.
  for (const v of job.vertices) if (v.spec.kind === 'sink') v.processingTimeMs = spec.sinkProcessingMs;
  return job;
}

/** Every subtask id of the job the spec builds. */
export function taskIds(spec: JobSpec, options: BuildOptions = {}): string[] {
  const ids: string[] = [];
  const add = (uid: string, p: number) => {
    for (let i = 0; i < p; i++) ids.push(`${uid}#${i}`);
  };
  add('source', spec.sourceParallelism);
  if (spec.pre === 'map' || spec.pre === 'map-filter') add('pre-map', spec.preParallelism);
  if (spec.pre === 'filter' || spec.pre === 'map-filter') add('pre-filter', spec.preParallelism);
  if (!options.stateless) add('stateful', spec.statefulParallelism);
  add('sink', spec.sinkParallelism);
  if (options.withPrintSink) add('print', spec.sinkParallelism);
  return ids;
}

/**
 * A rough estimate of the failure-free run's length: the slowest of the sources (records of their
 * partitions × emit interval) and of the operators (busiest subtask × processing time).
 */
export function expectedSpanMs(spec: JobSpec): number {
  const perSource = new Array<number>(spec.sourceParallelism).fill(0);
  spec.partitions.forEach((p, i) => (perSource[i % spec.sourceParallelism] += p.length));
  const sourceSpan = Math.max(...perSource) * spec.emitIntervalMs;
  const recs = recordsAfterPre(spec);
  const maxP = computeDefaultMaxParallelism(spec.statefulParallelism);
  const perStateful = new Array<number>(spec.statefulParallelism).fill(0);
  for (const r of recs) perStateful[assignKeyToParallelOperator(r.key, maxP, spec.statefulParallelism)]++;
  const total = spec.partitions.reduce((n, p) => n + p.length, 0);
  const opSpan = Math.max(
    spec.pre === 'none' ? 0 : (total / spec.preParallelism) * spec.preProcessingMs,
    Math.max(...perStateful) * spec.statefulProcessingMs,
    (recs.length / spec.sinkParallelism) * spec.sinkProcessingMs,
  );
  return Math.max(sourceSpan, opSpan) + 3 * spec.costs.channelLatencyMaxMs + 5;
}

// ------------------------------------------------------------------ arbitraries

export interface LogArbOptions {
  minRecords?: number;
  maxRecords?: number;
}

/** A log of 1–4 partitions and 20–300 records `{key, v}` over 1–12 keys. */
export function logArb(options: LogArbOptions = {}): fc.Arbitrary<Rec[][]> {
  const minRecords = options.minRecords ?? 20;
  const maxRecords = options.maxRecords ?? 300;
  return fc
    .record({
      numPartitions: fc.integer({ min: 1, max: 4 }),
      numKeys: fc.integer({ min: 1, max: 12 }),
      raw: fc.array(
        fc.record({ k: fc.nat(11), v: fc.integer({ min: 0, max: 49 }), p: fc.nat(3) }),
        // size 'max': without it fast-check keeps arrays near minLength (its default size is 'small')
        { minLength: minRecords, maxLength: maxRecords, size: 'max' },
      ),
    })
    .map(({ numPartitions, numKeys, raw }) => {
      const parts: Rec[][] = Array.from({ length: numPartitions }, () => []);
      for (const r of raw) parts[r.p % numPartitions].push({ key: KEY_ALPHABET[r.k % numKeys], v: r.v });
      return parts;
    });
}

export const costsArb: fc.Arbitrary<JobSpec['costs']> = fc
  .record({
    channelLatencyMinMs: fc.double({ min: 0.5, max: 3, noNaN: true }),
    spread: fc.double({ min: 0, max: 8, noNaN: true }),
    channelCapacity: fc.integer({ min: 2, max: 64 }),
    rpcLatencyMs: fc.double({ min: 0.5, max: 2, noNaN: true }),
  })
  .map(({ channelLatencyMinMs, spread, channelCapacity, rpcLatencyMs }) => ({
    channelLatencyMinMs,
    channelLatencyMaxMs: channelLatencyMinMs + spread,
    channelCapacity,
    rpcLatencyMs,
  }));

export interface JobSpecArbOptions extends LogArbOptions {
  variants?: readonly StatefulVariant[];
  pre?: readonly PreOp[];
  /** Force equal parallelism everywhere (forward edges only when there is no keyBy). */
  uniformParallelism?: boolean;
}

export function jobSpecArb(options: JobSpecArbOptions = {}): fc.Arbitrary<JobSpec> {
  const par = fc.integer({ min: 1, max: 4 });
  return fc
    .record({
      partitions: logArb(options),
      sourceParallelism: par,
      emitIntervalMs: fc.double({ min: 0.2, max: 3, noNaN: true }),
      pre: fc.constantFrom(...(options.pre ?? (['none', 'filter', 'map', 'map-filter'] as const))),
      preParallelism: par,
      preProcessingMs: fc.double({ min: 0.01, max: 0.5, noNaN: true }),
      variant: fc.constantFrom(...(options.variants ?? STATEFUL_VARIANTS)),
      statefulParallelism: par,
      statefulProcessingMs: fc.double({ min: 0.01, max: 1.5, noNaN: true }),
      sinkParallelism: par,
      sinkProcessingMs: fc.double({ min: 0.01, max: 0.5, noNaN: true }),
      // Weighted towards short intervals, so that most runs take several checkpoints.
      checkpointIntervalMs: fc.oneof(
        { weight: 2, arbitrary: fc.integer({ min: 20, max: 80 }) },
        { weight: 1, arbitrary: fc.integer({ min: 20, max: 400 }) },
      ),
      costs: costsArb,
    })
    .map((s) =>
      options.uniformParallelism
        ? {
            ...s,
            preParallelism: s.sourceParallelism,
            statefulParallelism: s.sourceParallelism,
            sinkParallelism: s.sourceParallelism,
          }
        : s,
    );
}

export interface FailuresArbOptions {
  minFailures?: number;
  maxFailures?: number;
  allowEngine?: boolean;
  build?: BuildOptions;
  /** Also kill TaskManagers `taskmanager-1` … `taskmanager-<n>` (run with a cluster of n TaskManagers). */
  taskManagers?: number;
}

/**
 * 0–3 failures, each on a random subtask, the engine or (with `taskManagers`) a TaskManager, at a random point of the run (a fraction of
 * the failure-free run's length; see `resolveFailures`).
 */
export function failuresArb(spec: JobSpec, options: FailuresArbOptions = {}): fc.Arbitrary<FailureSpec[]> {
  const targets = [
    ...taskIds(spec, options.build),
    ...(options.allowEngine === false ? [] : ['engine']),
    ...Array.from({ length: options.taskManagers ?? 0 }, (_, i) => `taskmanager-${i + 1}`),
  ];
  return fc.array(
    fc.record({
      target: fc.constantFrom(...targets),
      // (fc.double clusters near 0 and 1; whole per-mille values spread over the run)
      frac: fc.integer({ min: 0, max: 999 }).map((n) => n / 1000),
    }),
    { minLength: options.minFailures ?? 0, maxLength: options.maxFailures ?? 3 },
  );
}

export const simSeedArb = fc.integer({ min: 0, max: 0x7fffffff });

export function jobCaseArb(
  specOptions: JobSpecArbOptions = {},
  failureOptions: FailuresArbOptions = {},
): fc.Arbitrary<JobCase> {
  return jobSpecArb(specOptions).chain((spec) =>
    fc.record({ spec: fc.constant(spec), seed: simSeedArb, failures: failuresArb(spec, failureOptions) }),
  );
}

// ------------------------------------------------------------------ running and comparing

export interface RunOptions extends Partial<SimulationOptions> {
  /**
   * Virtual-time budget: a run still going after this is abandoned (its `cluster.isFinished()` stays
   * false), instead of spinning until the engine's own 1-hour cap. Default 30 s of virtual time.
   */
  maxTime?: number;
}

/**
 * Runs `fn` with `MiniCluster.runToCompletion` capped at `maxTime` of virtual time, so that a stuck
 * job (a bug) is abandoned (its `cluster.isFinished()` stays false) instead of spinning until the
 * engine's own 1-hour cap, which makes fast-check's shrinking take minutes. (Not a trace listener: a
 * listener makes the engine schedule trace events, which split fast-forward batches differently.)
 */
export function withCompletionCap<T>(maxTime: number, fn: () => T): T {
  const proto = MiniCluster.prototype;
  const own = Object.getOwnPropertyDescriptor(proto, 'runToCompletion') as PropertyDescriptor;
  const original = proto.runToCompletion;
  proto.runToCompletion = function (this: MiniCluster, cap?: number) {
    original.call(this, Math.min(cap ?? maxTime, maxTime));
  };
  try {
    return fn();
  } finally {
    Object.defineProperty(proto, 'runToCompletion', own);
  }
}

/** `new Simulation(job, { seed, fastForward: true }).run(failures)`, with the watchdog above. */
export function runSim(
  job: JobGraph,
  seed: number,
  failures: readonly ScheduledFailure[] = [],
  options: RunOptions = {},
): Simulation {
  const { maxTime = 30_000, ...simOptions } = options;
  const sim = new Simulation(job, { seed, fastForward: true, ...simOptions });
  withCompletionCap(maxTime, () => sim.run(failures));
  return sim;
}

/** The failure-free run and the run with the case's failures (resolved against the first's length). */
export function runPair(
  job: JobGraph,
  c: JobCase,
  options: RunOptions = {},
): { reference: Simulation; faulty: Simulation; failures: ScheduledFailure[] } {
  const reference = runSim(job, c.seed, [], options);
  const failures = resolveFailures(c.failures, reference.cluster.now);
  const faulty = runSim(job, c.seed, failures, options);
  return { reference, faulty, failures };
}

/** Deterministic JSON: object keys sorted. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

/**
 * Keyed state with every array treated as a multiset (sorted): ListState contents and MapState
 * entries depend on the interleaving of input channels, which replays legitimately change.
 */
export function canonicalState(state: SimulationResult['state']): unknown {
  const canon = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canon).sort((a, b) => cmp(stableStringify(a), stableStringify(b)));
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>)
          .sort(([a], [b]) => cmp(a, b))
          .map(([k, x]) => [k, canon(x)]),
      );
    return v;
  };
  return canon(state);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Rows as sorted JSON strings: a multiset. */
export function sortedRows(rows: readonly unknown[]): string[] {
  return rows.map((r) => stableStringify(r)).sort(cmp);
}

/** a − b and b − a as multisets (both sorted). */
export function multisetDiff(
  a: readonly string[],
  b: readonly string[],
): { onlyA: string[]; onlyB: string[] } {
  const onlyA: string[] = [];
  const onlyB: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i] < b[j])) onlyA.push(a[i++]);
    else if (i >= a.length || b[j] < a[i]) onlyB.push(b[j++]);
    else {
      i++;
      j++;
    }
  }
  return { onlyA, onlyB };
}

export function committedRows(sim: Simulation, sinkUid = 'sink'): string[] {
  return sortedRows(sim.external.committedValues(sinkUid));
}

/**
 * The exactly-once checker: the run with failures must end with the failure-free run's keyed state
 * and committed 2PC output (as multisets). Returns human-readable differences (empty = exact).
 */
export function exactlyOnceDiffs(reference: Simulation, faulty: Simulation): string[] {
  const diffs: string[] = [];
  const ra = reference.result();
  const rb = faulty.result();
  if (ra.jobStatus !== 'RUNNING') diffs.push(`reference job status ${ra.jobStatus}`);
  if (rb.jobStatus !== 'RUNNING') diffs.push(`faulty job status ${rb.jobStatus}`);
  if (!reference.cluster.isFinished()) diffs.push('reference run did not finish');
  if (!faulty.cluster.isFinished()) diffs.push('faulty run did not finish');
  const sa = stableStringify(canonicalState(ra.state));
  const sb = stableStringify(canonicalState(rb.state));
  if (sa !== sb) diffs.push(`keyed state differs:\n  failure-free: ${sa}\n  with failures: ${sb}`);
  const { onlyA, onlyB } = multisetDiff(committedRows(reference), committedRows(faulty));
  if (onlyA.length > 0 || onlyB.length > 0)
    diffs.push(
      `committed 2PC output differs: lost ${onlyA.length} ${JSON.stringify(onlyA.slice(0, 10))}, ` +
        `extra ${onlyB.length} ${JSON.stringify(onlyB.slice(0, 10))}`,
    );
  return diffs;
}

/** A one-line summary of a case, for failure messages. */
export function describeCase(
  c: JobCase,
  mode: CheckpointingMode,
  resolved: readonly ScheduledFailure[] = c.failures as ScheduledFailure[],
): string {
  const s = c.spec;
  return (
    `mode=${mode} seed=${c.seed} failures=${JSON.stringify(resolved)} ` +
    `log=${s.partitions.map((p) => p.length).join('+')} records, keys=${new Set(s.partitions.flat().map((r) => r.key)).size} ` +
    `source p=${s.sourceParallelism} emit=${s.emitIntervalMs.toFixed(3)}ms pre=${s.pre}(p=${s.preParallelism}) ` +
    `variant=${s.variant}(p=${s.statefulParallelism}, ${s.statefulProcessingMs.toFixed(3)}ms) sink p=${s.sinkParallelism} ` +
    `cp=${s.checkpointIntervalMs}ms costs=${JSON.stringify(s.costs)} span≈${expectedSpanMs(s).toFixed(0)}ms`
  );
}

// ------------------------------------------------------------------ fixed jobs

/** A deterministic log: `partitions` × `perPartition` records over `numKeys` keys (v in 0..49). */
export function makeLog(partitions: number, perPartition: number, numKeys: number, dataSeed = 1): Rec[][] {
  const rng = new Random(dataSeed);
  return Array.from({ length: partitions }, () =>
    Array.from({ length: perPartition }, () => ({
      key: KEY_ALPHABET[rng.int(0, numKeys - 1)],
      v: rng.int(0, 49),
    })),
  );
}

/** A mid-sized job with every edge a shuffle (several input channels per keyed and sink subtask). */
export function fixedSpec(overrides: Partial<JobSpec> = {}): JobSpec {
  return {
    partitions: makeLog(4, 100, 8),
    sourceParallelism: 4,
    emitIntervalMs: 1,
    pre: 'none',
    preParallelism: 2,
    preProcessingMs: 0.05,
    variant: 'value-process',
    statefulParallelism: 2,
    statefulProcessingMs: 0.2,
    sinkParallelism: 2,
    sinkProcessingMs: 0.05,
    checkpointIntervalMs: 30,
    costs: { channelLatencyMinMs: 1, channelLatencyMaxMs: 6, channelCapacity: 16, rpcLatencyMs: 1 },
    ...overrides,
  };
}
