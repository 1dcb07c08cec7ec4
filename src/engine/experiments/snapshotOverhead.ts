/**
 * Experiment 1 — snapshot overhead vs interval (Carbone et al. 2015, §6).
 *
 * The same keyed job runs with no checkpoints, stop-the-world snapshots, Chandy-Lamport markers,
 * aligned barriers (ABS, exactly-once) and unaligned barriers, for each checkpoint interval:
 *
 * - throughput: sources always have input (a backlog), so records/s reaching the sinks is the job's
 *   capacity; the overhead is the loss against the run without checkpoints;
 * - latency: a producer appends records at `loadFraction` of the measured no-checkpoint capacity,
 *   stamped with their arrival time; latency = sink write − arrival (it includes time waiting in the
 *   log while sources are paused).
 */
import type { CheckpointingMode } from '../api/JobGraph';
import {
  buildLabJob,
  completedSince,
  mean,
  newCluster,
  startProducer,
  uniformKeys,
  type LabJobSpec,
  type Runner,
  SEED_PARAMETER,
  OPERATOR_MS_PARAMETER,
} from './harness';
import {
  defineExperiment,
  defined,
  fmt,
  list,
  num,
  seriesPoints,
  spearman,
  type Resolved,
  type ResultBody,
} from './define';
import type { ExperimentResult, Panel, Series, ShapeCheck } from './types';

export const SNAPSHOT_MODES: ReadonlyArray<{ id: CheckpointingMode; label: string }> = [
  { id: 'stop-the-world', label: 'Stop-the-world (synchronous)' },
  { id: 'chandy-lamport', label: 'Chandy-Lamport markers' },
  { id: 'exactly-once', label: 'Aligned ABS (exactly-once)' },
  { id: 'unaligned', label: 'Unaligned barriers' },
];

const CHUNK_MS = 50;

interface ThroughputMeasure {
  recordsPerS: number;
  checkpoints: number;
  meanCheckpointMs: number | null;
  persistedInFlightBytes: number | null;
}

interface LatencyMeasure {
  count: number;
  p50: number;
  p99: number;
  meanMs: number;
  maxMs: number;
  sourceToSinkP99: number;
  checkpoints: number;
}

function jobSpec(p: Resolved, checkpoint: LabJobSpec['checkpoint']): LabJobSpec {
  return {
    keys: num(p, 'keys'),
    partitions: 4,
    parallelism: 4,
    sourceRecordMs: 0.02,
    operatorMs: num(p, 'operatorMs'),
    sinkMs: 0.02,
    checkpoint,
    backend: 'heap',
  };
}

function* throughputRun(
  runner: Runner,
  p: Resolved,
  checkpoint: LabJobSpec['checkpoint'],
  label: string,
): Generator<void, ThroughputMeasure, void> {
  const warmup = num(p, 'warmupMs');
  const end = warmup + num(p, 'windowMs');
  const seed = num(p, 'seed');
  const lab = buildLabJob(jobSpec(p, checkpoint), 'snapshot-overhead');
  const cluster = newCluster(lab, seed);
  startProducer(cluster, lab, { kind: 'backlog', key: uniformKeys(lab.spec.keys) }, seed, end);
  runner.begin(label, 1);
  const partial = (t: number) => t / end;
  yield* runner.advance(cluster, warmup, CHUNK_MS, undefined, partial);
  const before = cluster.metrics.sinkRecords;
  yield* runner.advance(cluster, end, CHUNK_MS, undefined, partial);
  const done = completedSince(cluster, warmup);
  runner.end(cluster);
  return {
    recordsPerS: ((cluster.metrics.sinkRecords - before) / (end - warmup)) * 1000,
    checkpoints: done.length,
    meanCheckpointMs: mean(done.map((c) => c.endToEndMs ?? 0)),
    persistedInFlightBytes: mean(done.map((c) => c.persistedInFlightBytes)),
  };
}

function* latencyRun(
  runner: Runner,
  p: Resolved,
  checkpoint: LabJobSpec['checkpoint'],
  perMs: number,
  label: string,
): Generator<void, LatencyMeasure, void> {
  const warmup = num(p, 'warmupMs');
  const end = warmup + num(p, 'windowMs');
  const seed = num(p, 'seed');
  const lab = buildLabJob(jobSpec(p, checkpoint), 'snapshot-overhead');
  const cluster = newCluster(lab, seed);
  startProducer(
    cluster,
    lab,
    { kind: 'rate', arrivalMs: (i) => i / perMs, key: uniformKeys(lab.spec.keys) },
    seed,
    end,
  );
  runner.begin(label, num(p, 'loadFraction'));
  const partial = (t: number) => t / end;
  yield* runner.advance(cluster, warmup, CHUNK_MS, undefined, partial);
  cluster.metrics.resetLatency();
  yield* runner.advance(cluster, end, CHUNK_MS, undefined, partial);
  const lag = cluster.metrics.eventTimeLag.summary();
  const checkpoints = completedSince(cluster, warmup).length;
  runner.end(cluster);
  return {
    count: lag.count,
    p50: lag.p50Ms,
    p99: lag.p99Ms,
    meanMs: lag.meanMs,
    maxMs: lag.maxMs,
    sourceToSinkP99: cluster.metrics.latency.summary().p99Ms,
    checkpoints,
  };
}

function* body(p: Resolved, runner: Runner): Generator<void, ResultBody, void> {
  const intervals = list(p, 'intervals');
  const base = yield* throughputRun(runner, p, null, 'no checkpoints: throughput');
  const perMs = (num(p, 'loadFraction') * base.recordsPerS) / 1000;
  const baseLatency = yield* latencyRun(runner, p, null, perMs, 'no checkpoints: latency');
  const rows: Array<Array<number | string | null>> = [];
  const row = (mode: string, interval: number | null, t: ThroughputMeasure, l: LatencyMeasure) =>
    rows.push([
      mode,
      interval,
      t.recordsPerS,
      (100 * (base.recordsPerS - t.recordsPerS)) / base.recordsPerS,
      t.checkpoints,
      t.meanCheckpointMs,
      t.persistedInFlightBytes,
      l.p50,
      l.p99,
      l.meanMs,
      l.maxMs,
      l.sourceToSinkP99,
      l.count,
    ]);
  row('none', null, base, baseLatency);
  const flat = (y: number): Series['points'] => intervals.map((x) => ({ x, y }));
  const throughput: Series[] = [{ id: 'none', label: 'No checkpoints', points: flat(base.recordsPerS) }];
  const overhead: Series[] = [{ id: 'none', label: 'No checkpoints', points: flat(0) }];
  const p99: Series[] = [{ id: 'none', label: 'No checkpoints', points: flat(baseLatency.p99) }];
  const avg: Series[] = [{ id: 'none', label: 'No checkpoints', points: flat(baseLatency.meanMs) }];
  const notes: string[] = [];
  for (const mode of SNAPSHOT_MODES) {
    const s = {
      throughput: { id: mode.id, label: mode.label, points: [] as Series['points'] },
      overhead: { id: mode.id, label: mode.label, points: [] as Series['points'] },
      p99: { id: mode.id, label: mode.label, points: [] as Series['points'] },
      avg: { id: mode.id, label: mode.label, points: [] as Series['points'] },
    };
    for (const interval of intervals) {
      const checkpoint = { mode: mode.id, intervalMs: interval };
      const t = yield* throughputRun(runner, p, checkpoint, `${mode.label}, ${interval} ms: throughput`);
      const l = yield* latencyRun(runner, p, checkpoint, perMs, `${mode.label}, ${interval} ms: latency`);
      row(mode.id, interval, t, l);
      s.throughput.points.push({ x: interval, y: t.recordsPerS });
      s.overhead.points.push({
        x: interval,
        y: (100 * (base.recordsPerS - t.recordsPerS)) / base.recordsPerS,
      });
      s.p99.points.push({ x: interval, y: l.p99 });
      s.avg.points.push({ x: interval, y: l.meanMs });
      if (t.checkpoints === 0)
        notes.push(`${mode.label} at ${interval} ms: no checkpoint completed in the throughput window.`);
    }
    throughput.push(s.throughput);
    overhead.push(s.overhead);
    p99.push(s.p99);
    avg.push(s.avg);
  }
  const x = { label: 'Checkpoint interval', unit: 'ms', scale: 'log' as const };
  const panels: Panel[] = [
    {
      id: 'throughput',
      title: 'Throughput (sources never run dry)',
      x,
      y: { label: 'Records reaching the sinks', unit: 'records/s', scale: 'linear' },
      series: throughput,
    },
    {
      id: 'overhead',
      title: 'Throughput lost to checkpointing',
      x,
      y: { label: 'Overhead vs no checkpoints', unit: '%', scale: 'linear' },
      series: overhead,
    },
    {
      id: 'latency-p99',
      title: `End-to-end latency, 99th percentile (load ${Math.round(100 * num(p, 'loadFraction'))} % of capacity)`,
      x,
      y: { label: 'Arrival in the log → sink write, p99', unit: 'ms', scale: 'log' },
      series: p99,
    },
    {
      id: 'latency-mean',
      title: 'End-to-end latency, mean',
      x,
      y: { label: 'Arrival in the log → sink write, mean', unit: 'ms', scale: 'log' },
      series: avg,
    },
  ];
  return {
    panels,
    table: {
      columns: [
        { id: 'mode', label: 'Mode', unit: '' },
        { id: 'intervalMs', label: 'Interval', unit: 'ms' },
        { id: 'throughput', label: 'Throughput', unit: 'records/s' },
        { id: 'overheadPct', label: 'Throughput overhead', unit: '%' },
        { id: 'checkpoints', label: 'Checkpoints completed (throughput run)', unit: '' },
        { id: 'checkpointMs', label: 'Mean checkpoint duration', unit: 'ms' },
        { id: 'inFlightBytes', label: 'Mean persisted in-flight data', unit: 'bytes' },
        { id: 'latencyP50', label: 'Latency p50', unit: 'ms' },
        { id: 'latencyP99', label: 'Latency p99', unit: 'ms' },
        { id: 'latencyMean', label: 'Latency mean', unit: 'ms' },
        { id: 'latencyMax', label: 'Latency max', unit: 'ms' },
        { id: 'sourceToSinkP99', label: 'Source emit → sink, p99', unit: 'ms' },
        { id: 'latencySamples', label: 'Records measured', unit: '' },
      ],
      rows,
    },
    notes,
  };
}

function checks(result: ExperimentResult): ShapeCheck[] {
  const out: ShapeCheck[] = [];
  const stw = defined(seriesPoints(result, 'overhead', 'stop-the-world'));
  const abs = defined(seriesPoints(result, 'overhead', 'exactly-once'));
  if (stw.length === 0 || abs.length === 0) return [{ description: 'No data.', holds: false }];
  const [xShort, stwShort] = stw[0];
  const [xLong, stwLong] = stw[stw.length - 1];
  const absShort = abs[0][1];
  const absMax = Math.max(...abs.map((a) => a[1]));
  const stwMax = Math.max(...stw.map((a) => a[1]));
  if (stw.length > 1) {
    const rho = spearman(stw);
    out.push({
      description: `Stop-the-world's throughput overhead grows as the interval shrinks: ${fmt(stwShort)} % at ${fmt(xShort)} ms vs ${fmt(stwLong)} % at ${fmt(xLong)} ms (rank correlation with the interval ${fmt(rho, 2)}).`,
      holds: stwShort > stwLong && (stw.length < 3 || rho < 0),
    });
  }
  out.push({
    description: `Aligned ABS stays near the no-checkpoint baseline: at most ${fmt(absMax)} % throughput overhead (${fmt(absShort)} % at ${fmt(xShort)} ms), under a third of stop-the-world's ${fmt(stwMax)} %.`,
    holds: absMax < stwMax / 3,
  });
  const lStw = defined(seriesPoints(result, 'latency-p99', 'stop-the-world'));
  const lAbs = defined(seriesPoints(result, 'latency-p99', 'exactly-once'));
  const lBase = defined(seriesPoints(result, 'latency-p99', 'none'));
  if (lStw.length > 0 && lAbs.length > 0 && lBase.length > 0) {
    const base = lBase[0][1];
    out.push({
      description: `Stop-the-world's p99 latency at ${fmt(lStw[0][0])} ms (${fmt(lStw[0][1])} ms) is above aligned ABS's (${fmt(lAbs[0][1])} ms)${lStw.length > 1 ? ` and above its own at ${fmt(lStw[lStw.length - 1][0])} ms (${fmt(lStw[lStw.length - 1][1])} ms)` : ''}; baseline ${fmt(base)} ms.`,
      holds: lStw[0][1] > lAbs[0][1] && (lStw.length < 2 || lStw[0][1] > lStw[lStw.length - 1][1]),
    });
  }
  return out;
}

export const snapshotOverhead = defineExperiment({
  id: 'snapshot-overhead',
  title: 'Snapshot overhead vs checkpoint interval',
  description:
    "One keyed job (4 source partitions → keyBy → per-key counter → sink, parallelism 4) run with no checkpoints, stop-the-world snapshots, Chandy-Lamport markers, aligned barriers (ABS, exactly-once) and unaligned barriers, at each checkpoint interval. Throughput: the sources always have input, so records per second reaching the sinks is what the job can do; overhead is the loss against no checkpoints. Latency: a producer appends records at a fixed fraction of the measured no-checkpoint capacity; latency runs from a record's arrival in the log to its sink write, so time a paused source leaves records waiting counts. All figures are virtual time.",
  citation: {
    authors: 'Paris Carbone, Gyula Fóra, Stephan Ewen, Seif Haridi, Kostas Tzoumas',
    title: 'Lightweight Asynchronous Snapshots for Distributed Dataflows',
    venue: 'arXiv:1506.08603 (evaluation, §6)',
    year: 2015,
    url: 'https://arxiv.org/abs/1506.08603',
  },
  claim:
    'Synchronous (stop-the-world) snapshots stall the whole dataflow, so their overhead grows as snapshots become more frequent; asynchronous barrier snapshotting (ABS) does not stop processing and stays close to the no-snapshot baseline even at short intervals.',
  parameters: [
    {
      kind: 'number-list',
      id: 'intervals',
      label: 'Checkpoint intervals',
      description: 'Intervals to sweep (virtual ms).',
      unit: 'ms',
      default: [100, 200, 500, 1000, 2000, 5000, 10000],
      test: [100, 1000, 10000],
      min: 10,
      max: 60000,
      integer: false,
      maxLength: 12,
    },
    {
      kind: 'number',
      id: 'windowMs',
      label: 'Measurement window',
      description: 'Virtual time measured per run, after the warm-up.',
      unit: 'ms',
      default: 10000,
      test: 2500,
      min: 500,
      max: 600000,
      integer: false,
    },
    {
      kind: 'number',
      id: 'warmupMs',
      label: 'Warm-up',
      description: 'Virtual time before measuring (buffers fill, first checkpoints).',
      unit: 'ms',
      default: 1000,
      test: 300,
      min: 0,
      max: 60000,
      integer: false,
    },
    {
      kind: 'number',
      id: 'keys',
      label: 'Keys',
      description: 'Distinct keys (state size: one counter per key).',
      unit: 'keys',
      default: 10000,
      test: 2000,
      min: 1,
      max: 200000,
      integer: true,
    },
    OPERATOR_MS_PARAMETER,
    {
      kind: 'number',
      id: 'loadFraction',
      label: 'Load for latency runs',
      description: 'Arrival rate of the latency runs as a fraction of the no-checkpoint throughput.',
      unit: '',
      default: 0.7,
      test: 0.7,
      min: 0.05,
      max: 0.95,
      integer: false,
    },
    SEED_PARAMETER,
  ],
  weight: (p) => (1 + num(p, 'loadFraction')) * (1 + SNAPSHOT_MODES.length * list(p, 'intervals').length),
  body,
  checks,
});
