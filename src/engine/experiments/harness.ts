/**
 * What every experiment runs: one keyed job (a Kafka-like source, `keyBy`, a per-key counter in a
 * ValueState, a sink), a producer that feeds its log while the job runs, and a driver that advances
 * fast-forward MiniClusters in chunks of virtual time, reporting progress and checking for
 * cancellation between chunks.
 */
import type { CheckpointingMode, CostModel, JobGraph, RestartStrategyConfig } from '../api/JobGraph';
import { StreamExecutionEnvironment } from '../api/StreamExecutionEnvironment';
import { FsStateBackend, RocksDBStateBackend } from '../api/StateBackends';
import type { Collector, KeyedProcessContext, KeyedProcessFunction, RuntimeContext } from '../api/functions';
import type { CheckpointStats } from '../checkpointing/CompletedCheckpoint';
import { ReplayableLog, type LogRecord } from '../connectors/ReplayableLog';
import { NonTransactionalSink } from '../connectors/sinks';
import { MiniCluster } from '../runtime/MiniCluster';
import { Random } from '../runtime/Random';
import type { ValueState } from '../state/State';
import { ValueStateDescriptor } from '../state/StateDescriptor';
import { ExperimentCancelled, type AsyncRunContext, type NumberParameter, type RunContext } from './types';

/** Parameters several experiments share. */
export const SEED_PARAMETER: NumberParameter = {
  kind: 'number',
  id: 'seed',
  label: 'Seed',
  description: 'Seed of latencies, trigger times and keys.',
  unit: '',
  default: 1,
  test: 1,
  min: 0,
  max: 2 ** 31 - 1,
  integer: true,
};

export const OPERATOR_MS_PARAMETER: NumberParameter = {
  kind: 'number',
  id: 'operatorMs',
  label: 'Counter processing time',
  description: "Virtual time the keyed counter spends per record: sets the job's capacity.",
  unit: 'ms',
  default: 0.2,
  test: 0.2,
  min: 0.001,
  max: 10,
  integer: false,
};

export type BackendChoice = 'heap' | 'rocksdb-full' | 'rocksdb-incremental';

export interface LabJobSpec {
  /** Distinct keys the producer draws from. */
  keys: number;
  /** Log partitions = source parallelism. */
  partitions: number;
  /** Parallelism of the keyed counter and the sink. */
  parallelism: number;
  /** Chain the sink to the counter (Flink's default); the published figures ran without. */
  chaining?: boolean;
  /** Virtual time a source subtask needs per record: its read capacity. */
  sourceRecordMs: number;
  /** Virtual time the keyed counter spends per record. */
  operatorMs: number;
  sinkMs: number;
  /** null: checkpointing off. */
  checkpoint: { mode: CheckpointingMode; intervalMs: number; alignedTimeoutMs?: number } | null;
  backend: BackendChoice;
  /** Bytes of payload stored with every key's counter (state size per key); 0: just the count. */
  payloadBytes?: number;
  restart?: RestartStrategyConfig;
  costs?: Partial<CostModel>;
}

export interface LabJob {
  job: JobGraph;
  log: ReplayableLog<string>;
  keyNames: string[];
  spec: LabJobSpec;
}

export const SOURCE_UID = 'source';
export const COUNTER_UID = 'count';

export interface KeyCount {
  key: string;
  n: number;
}

/** The per-key counter: one ValueState<number> per key, one output record per input record. */
export class CountPerKey implements KeyedProcessFunction<string, string, KeyCount> {
  private count!: ValueState<number>;
  open(ctx: RuntimeContext): void {
    this.count = ctx.getState(new ValueStateDescriptor<number>('count'));
  }
  processElement(key: string, _ctx: KeyedProcessContext<string>, out: Collector<KeyCount>): void {
    const n = (this.count.value() ?? 0) + 1;
    this.count.update(n);
    out.collect({ key, n });
  }
}

/** The counter with a payload per key: `[count, payload]`, so the state has a realistic size. */
export class CountWithPayload implements KeyedProcessFunction<string, string, KeyCount> {
  private state!: ValueState<[number, string]>;
  constructor(private readonly payload: string) {}
  open(ctx: RuntimeContext): void {
    this.state = ctx.getState(new ValueStateDescriptor<[number, string]>('count'));
  }
  processElement(key: string, _ctx: KeyedProcessContext<string>, out: Collector<KeyCount>): void {
    const n = (this.state.value()?.[0] ?? 0) + 1;
    this.state.update([n, this.payload]);
    out.collect({ key, n });
  }
}

export function buildLabJob(spec: LabJobSpec, name = 'Experiment'): LabJob {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(spec.parallelism);
  // The published figures (docs/experiments.md) were measured with the sink in a task of its own.
  if (!spec.chaining) env.disableOperatorChaining();
  env.setStateBackend(
    spec.backend === 'heap'
      ? new FsStateBackend('file:///experiments')
      : new RocksDBStateBackend('file:///experiments', spec.backend === 'rocksdb-incremental'),
  );
  if (spec.costs) env.setCostModel(spec.costs);
  if (spec.checkpoint) {
    env.enableCheckpointing(spec.checkpoint.intervalMs, spec.checkpoint.mode);
    env.configureCheckpointing({ alignedCheckpointTimeoutMs: spec.checkpoint.alignedTimeoutMs ?? 0 });
  }
  env.setRestartStrategy(spec.restart ?? { type: 'fixed-delay', attempts: 1_000_000, delayMs: 100 });
  const log = new ReplayableLog<string>(
    'events',
    Array.from({ length: spec.partitions }, () => []),
  );
  env
    .fromSource(log, `Source: events (${spec.partitions} partitions)`, spec.sourceRecordMs)
    .setParallelism(spec.partitions)
    .uid(SOURCE_UID)
    .keyBy((k: string) => k)
    .process<KeyCount>(
      spec.payloadBytes ? new CountWithPayload('x'.repeat(spec.payloadBytes)) : new CountPerKey(),
    )
    .setProcessingTime(spec.operatorMs)
    .uid(COUNTER_UID)
    .name('Process: count per key')
    .addSink(new NonTransactionalSink<KeyCount>())
    .setProcessingTime(spec.sinkMs)
    .uid('sink')
    .name('Sink');
  const keyNames = Array.from({ length: spec.keys }, (_, i) => `k${i}`);
  return { job: env.getJobGraph(name), log, keyNames, spec };
}

// ------------------------------------------------------------------ producers

/**
 * Feeds the job's log while it runs, from scheduled actions (deterministic):
 *
 * - `rate`: record i arrives at `arrivalMs(i)` into partition i mod partitions, stamped with its
 *   arrival time as event time, so `metrics.eventTimeLag` is the end-to-end latency including any
 *   wait in the log (a paused, slow or rewound source shows there). Appended every `tickMs`.
 * - `backlog`: keeps every partition ahead of its reader, so the sources always have input and the
 *   job runs as fast as it can (its throughput is its capacity).
 */
export type Feed =
  | {
      kind: 'rate';
      arrivalMs: (i: number) => number;
      key: (i: number, rng: Random) => number;
      tickMs?: number;
    }
  | { kind: 'backlog'; key: (i: number, rng: Random) => number; tickMs?: number };

export function uniformKeys(keys: number): (i: number, rng: Random) => number {
  return (_i, rng) => rng.int(0, keys - 1);
}

export function startProducer(
  cluster: MiniCluster,
  lab: LabJob,
  feed: Feed,
  seed: number,
  untilMs: number,
): void {
  const rng = new Random(`producer:${seed}`);
  const partitions = lab.spec.partitions;
  const keyNames = lab.keyNames;
  const tick = feed.tickMs ?? (feed.kind === 'rate' ? 1 : 5);
  const batches: LogRecord<unknown>[][] = Array.from({ length: partitions }, () => []);
  let next = 0;
  // backlog: how far ahead of its reader a partition is kept (two ticks of reading, at least 64).
  const lead = Math.max(64, Math.ceil((2 * tick) / lab.spec.sourceRecordMs));
  const flush = (): void => {
    for (let p = 0; p < partitions; p++) {
      if (batches[p].length === 0) continue;
      cluster.appendToSource(SOURCE_UID, p, batches[p]);
      batches[p] = [];
    }
  };
  const step = (): void => {
    const now = cluster.now;
    if (feed.kind === 'rate') {
      while (feed.arrivalMs(next) <= now) {
        batches[next % partitions].push({
          value: keyNames[feed.key(next, rng)],
          timestamp: feed.arrivalMs(next),
        });
        next++;
      }
    } else {
      const read = new Array<number>(partitions).fill(0);
      for (const splits of Object.values(cluster.sourceOffsets()))
        for (const s of splits) read[s.partition] = Math.max(read[s.partition], s.offset);
      for (let p = 0; p < partitions; p++) {
        const length = lab.log.partitions[p].length;
        for (let n = length; n < read[p] + lead; n++)
          batches[p].push({ value: keyNames[feed.key(next++, rng)], timestamp: now });
      }
    }
    flush();
    if (now + tick <= untilMs) cluster.scheduleAction(now + tick, step);
  };
  cluster.scheduleAction(cluster.now, step);
}

// ------------------------------------------------------------------ driving runs

/** Yielded by experiment bodies after every chunk of simulation. */
export type Step = Generator<void, void, void>;

/**
 * Progress over a known number of sub-runs (weights), and the totals the result reports.
 * `advance` runs a cluster in chunks of virtual time, yielding after each chunk.
 */
export class Runner {
  private done = 0;
  private current = 0;
  private currentWeight = 0;
  label = '';
  virtualTimeMs = 0;
  events = 0;
  subRuns = 0;

  constructor(private readonly totalWeight: number) {}

  get fraction(): number {
    if (this.totalWeight <= 0) return 1;
    return Math.min(1, (this.done + this.currentWeight * this.current) / this.totalWeight);
  }

  /** Starts a sub-run of `weight` units. */
  begin(label: string, weight = 1): void {
    this.label = label;
    this.current = 0;
    this.currentWeight = weight;
    this.subRuns++;
  }

  /** Ends the current sub-run and accounts for its cluster. */
  end(cluster: MiniCluster | null): void {
    this.done += this.currentWeight;
    this.current = 0;
    this.currentWeight = 0;
    if (cluster) {
      this.virtualTimeMs += cluster.now;
      this.events += cluster.eventsProcessed;
    }
  }

  /** Adds a cluster that ran outside a sub-run (e.g. a reference run advanced on demand) to the totals. */
  accountFor(cluster: MiniCluster): void {
    this.virtualTimeMs += cluster.now;
    this.events += cluster.eventsProcessed;
  }

  /**
   * Runs `cluster` to virtual time `until` in chunks of `chunkMs`; after each chunk calls `onChunk`
   * (which may return true to stop early) and yields. `partial` maps the time reached to the
   * sub-run's fraction done (default: time / until).
   */
  *advance(
    cluster: MiniCluster,
    until: number,
    chunkMs: number,
    onChunk?: (now: number) => boolean | void,
    partial?: (now: number) => number,
  ): Step {
    while (cluster.now < until) {
      cluster.runUntil(Math.min(until, cluster.now + chunkMs));
      const stop = onChunk ? onChunk(cluster.now) === true : false;
      this.current = Math.max(0, Math.min(1, partial ? partial(cluster.now) : cluster.now / until));
      yield;
      if (stop || cluster.jobStatus === 'FAILED') return;
    }
  }
}

export function newCluster(lab: LabJob, seed: number): MiniCluster {
  return new MiniCluster(lab.job, { seed, fastForward: true });
}

/** Completed checkpoints triggered at or after `from` (in trigger order). */
export function completedSince(cluster: MiniCluster, from: number): CheckpointStats[] {
  return cluster.coordinator.history.filter((c) => c.status === 'COMPLETED' && c.triggerTime >= from);
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const v = [...values].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 === 1 ? v[m] : (v[m - 1] + v[m]) / 2;
}

export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** Drives an experiment body synchronously. */
export function driveSync<T>(
  experimentId: string,
  body: Generator<void, T, void>,
  runner: Runner,
  ctx: RunContext,
): T {
  for (;;) {
    if (ctx.isCancelled?.()) {
      body.return(undefined as T);
      throw new ExperimentCancelled(experimentId);
    }
    const r = body.next();
    if (r.done) {
      ctx.onProgress?.(1, 'done');
      return r.value;
    }
    ctx.onProgress?.(runner.fraction, runner.label);
  }
}

/** Drives an experiment body, awaiting `yieldToHost` every `chunksPerYield` chunks. */
export async function driveAsync<T>(
  experimentId: string,
  body: Generator<void, T, void>,
  runner: Runner,
  ctx: AsyncRunContext,
): Promise<T> {
  const every = Math.max(1, Math.floor(ctx.chunksPerYield ?? 1));
  const pause = ctx.yieldToHost ?? (() => Promise.resolve());
  let chunks = 0;
  for (;;) {
    if (ctx.isCancelled?.()) {
      body.return(undefined as T);
      throw new ExperimentCancelled(experimentId);
    }
    const r = body.next();
    if (r.done) {
      ctx.onProgress?.(1, 'done');
      return r.value;
    }
    ctx.onProgress?.(runner.fraction, runner.label);
    if (++chunks % every === 0) await pause();
  }
}
