/**
 * Experiment 3 — checkpoint size and duration as keyed state grows: full (heap), full (RocksDB) and
 * incremental (RocksDB) checkpoints. The job first writes every key once (the load), then a producer
 * changes `changeFraction` of the keys per checkpoint interval; the checkpoints after the load are
 * measured: bytes uploaded (Flink's "Checkpointed Data Size"), the full state size and the
 * end-to-end duration.
 */
import type { CheckpointStats } from '../checkpointing/CompletedCheckpoint';
import { RocksDBKeyedStateBackend } from '../state/rocksdb/RocksDBKeyedStateBackend';
import {
  buildLabJob,
  completedSince,
  mean,
  median,
  newCluster,
  startProducer,
  type BackendChoice,
  type LabJobSpec,
  type Runner,
  SEED_PARAMETER,
} from './harness';
import {
  defineExperiment,
  defined,
  fmt,
  list,
  num,
  seriesPoints,
  type Resolved,
  type ResultBody,
} from './define';
import type { ExperimentResult, Panel, Series, ShapeCheck } from './types';

const BACKENDS: ReadonlyArray<{ id: BackendChoice; label: string }> = [
  { id: 'heap', label: 'Full (heap / HashMap)' },
  { id: 'rocksdb-full', label: 'Full (RocksDB)' },
  { id: 'rocksdb-incremental', label: 'Incremental (RocksDB)' },
];

const CHUNK_MS = 50;
/** Arrival rate of the load phase (every key written once). */
const LOAD_PER_MS = 100;

interface Measure {
  checkpoints: number;
  /** Median: a compaction makes an occasional incremental checkpoint upload much more. */
  uploadedBytes: number | null;
  meanUploadedBytes: number | null;
  maxUploadedBytes: number | null;
  fullBytes: number | null;
  durationMs: number | null;
  syncMs: number | null;
  asyncMs: number | null;
  loadDoneAt: number;
}

function* measure(
  runner: Runner,
  p: Resolved,
  backend: BackendChoice,
  keys: number,
  label: string,
): Generator<void, Measure, void> {
  const interval = num(p, 'intervalMs');
  const wanted = num(p, 'checkpoints');
  const seed = num(p, 'seed');
  const changesPerMs = Math.max(1e-6, (keys * num(p, 'changeFraction')) / interval);
  const loadEnd = keys / LOAD_PER_MS;
  const cap = loadEnd + (wanted + 6) * interval + 10_000;
  const spec: LabJobSpec = {
    keys,
    partitions: 4,
    parallelism: 4,
    sourceRecordMs: 0.005,
    operatorMs: 0.005,
    sinkMs: 0.005,
    checkpoint: { mode: 'exactly-once', intervalMs: interval },
    backend,
    payloadBytes: num(p, 'payloadBytes'),
  };
  const lab = buildLabJob(spec, 'state-size');
  const cluster = newCluster(lab, seed);
  startProducer(
    cluster,
    lab,
    {
      kind: 'rate',
      // Every key once in key order, then random keys at the change rate.
      arrivalMs: (i) => (i < keys ? i / LOAD_PER_MS : loadEnd + (i - keys + 1) / changesPerMs),
      key: (i, rng) => (i < keys ? i : rng.int(0, keys - 1)),
      tickMs: 5,
    },
    seed,
    cap,
  );
  runner.begin(label, 1);
  let loadDoneAt = -1;
  let done: CheckpointStats[] = [];
  yield* runner.advance(
    cluster,
    cap,
    CHUNK_MS,
    (now) => {
      if (loadDoneAt < 0 && cluster.metrics.sinkRecords >= keys) {
        loadDoneAt = now;
        // A long-running job keeps most of its state in the bottom level of the LSM tree: start
        // from there (RocksDB's CompactRange) rather than measure the load's compaction transient.
        for (const task of cluster.tasks)
          if (task.keyedBackend instanceof RocksDBKeyedStateBackend) task.keyedBackend.compactAll();
      }
      // A measured checkpoint's predecessor started after the load: it holds changes only.
      if (loadDoneAt >= 0) done = completedSince(cluster, loadDoneAt + interval);
      return done.length >= wanted;
    },
    () => (loadDoneAt < 0 ? 0 : 0.2 + (0.8 * done.length) / wanted),
  );
  runner.end(cluster);
  const used = done.slice(0, wanted);
  const maxOver = (c: CheckpointStats, f: (s: CheckpointStats['subtasks'][number]) => number) =>
    Math.max(0, ...c.subtasks.map(f));
  return {
    checkpoints: used.length,
    uploadedBytes: median(used.map((c) => c.checkpointedBytes)),
    meanUploadedBytes: mean(used.map((c) => c.checkpointedBytes)),
    maxUploadedBytes: used.length > 0 ? Math.max(...used.map((c) => c.checkpointedBytes)) : null,
    fullBytes: mean(used.map((c) => c.fullBytes)),
    durationMs: mean(used.map((c) => c.endToEndMs ?? 0)),
    syncMs: mean(used.map((c) => maxOver(c, (s) => s.syncMs))),
    asyncMs: mean(used.map((c) => maxOver(c, (s) => s.asyncMs))),
    loadDoneAt,
  };
}

function* body(p: Resolved, runner: Runner): Generator<void, ResultBody, void> {
  const sizes = list(p, 'keys');
  const rows: Array<Array<number | string | null>> = [];
  const uploaded: Series[] = [];
  const duration: Series[] = [];
  const notes: string[] = [];
  for (const b of BACKENDS) {
    const u: Series = { id: b.id, label: b.label, points: [] };
    const d: Series = { id: b.id, label: b.label, points: [] };
    for (const keys of sizes) {
      const m = yield* measure(runner, p, b.id, keys, `${b.label}, ${keys.toLocaleString('en')} keys`);
      rows.push([
        b.id,
        keys,
        Math.round(keys * num(p, 'changeFraction')),
        m.checkpoints,
        m.uploadedBytes,
        m.meanUploadedBytes,
        m.maxUploadedBytes,
        m.fullBytes,
        m.uploadedBytes !== null && m.fullBytes ? m.uploadedBytes / m.fullBytes : null,
        m.durationMs,
        m.syncMs,
        m.asyncMs,
      ]);
      u.points.push({ x: keys, y: m.uploadedBytes });
      d.points.push({ x: keys, y: m.durationMs });
      if (m.maxUploadedBytes !== null && m.uploadedBytes !== null && m.maxUploadedBytes > 3 * m.uploadedBytes)
        notes.push(
          `${b.label} at ${keys} keys: one checkpoint uploaded ${Math.round(m.maxUploadedBytes)} bytes against a median of ${Math.round(m.uploadedBytes)}: a compaction rewrote files, which the next incremental checkpoint uploads again.`,
        );
      if (m.checkpoints < num(p, 'checkpoints'))
        notes.push(`${b.label} at ${keys} keys: only ${m.checkpoints} checkpoints measured.`);
    }
    uploaded.push(u);
    duration.push(d);
  }
  const x = { label: 'Keys in state', unit: 'keys', scale: 'log' as const };
  const panels: Panel[] = [
    {
      id: 'uploaded',
      title: `Bytes uploaded per checkpoint, median (${fmt(100 * num(p, 'changeFraction'))} % of keys change per interval)`,
      x,
      y: { label: 'Checkpointed data size', unit: 'bytes', scale: 'log' },
      series: uploaded,
    },
    {
      id: 'duration',
      title: 'Checkpoint duration',
      x,
      y: { label: 'Mean end-to-end duration', unit: 'ms', scale: 'log' },
      series: duration,
    },
  ];
  return {
    panels,
    table: {
      columns: [
        { id: 'backend', label: 'Checkpoints', unit: '' },
        { id: 'keys', label: 'Keys', unit: 'keys' },
        { id: 'changedPerInterval', label: 'Keys changed per interval (about)', unit: 'keys' },
        { id: 'checkpoints', label: 'Checkpoints measured', unit: '' },
        { id: 'uploadedBytes', label: 'Median uploaded (checkpointed data size)', unit: 'bytes' },
        { id: 'meanUploadedBytes', label: 'Mean uploaded', unit: 'bytes' },
        { id: 'maxUploadedBytes', label: 'Largest upload', unit: 'bytes' },
        { id: 'fullBytes', label: 'Full checkpoint data size', unit: 'bytes' },
        { id: 'uploadedShare', label: 'Uploaded / full', unit: 'fraction' },
        { id: 'durationMs', label: 'Mean duration', unit: 'ms' },
        { id: 'syncMs', label: 'Mean sync part (slowest subtask)', unit: 'ms' },
        { id: 'asyncMs', label: 'Mean async part (slowest subtask)', unit: 'ms' },
      ],
      rows,
    },
    notes,
  };
}

function checks(result: ExperimentResult): ShapeCheck[] {
  const heap = defined(seriesPoints(result, 'uploaded', 'heap'));
  const rocksFull = defined(seriesPoints(result, 'uploaded', 'rocksdb-full'));
  const inc = defined(seriesPoints(result, 'uploaded', 'rocksdb-incremental'));
  if (heap.length < 2 || inc.length < 2 || rocksFull.length < 2)
    return [{ description: 'Too few points.', holds: false }];
  const f = Number(result.parameters.changeFraction);
  const out: ShapeCheck[] = [];
  // Bytes per key of the full checkpoints: flat if the size is proportional to the state.
  const perKey = (pts: Array<[number, number]>) => pts.map(([k, b]) => b / k);
  const spread = (v: number[]) => Math.max(...v) / Math.min(...v);
  const last = heap.length - 1;
  const growth = heap[last][0] / heap[0][0];
  out.push({
    description: `Full checkpoints grow in proportion to the state: heap ${fmt(heap[0][1])} → ${fmt(heap[last][1])} bytes and RocksDB ${fmt(rocksFull[0][1])} → ${fmt(rocksFull[last][1])} bytes for ${fmt(growth)}× the keys (bytes per key vary by at most ${fmt(Math.max(spread(perKey(heap)), spread(perKey(rocksFull))), 2)}×).`,
    holds: spread(perKey(heap)) < 1.5 && spread(perKey(rocksFull)) < 1.5,
  });
  const fullAt = new Map(rocksFull);
  const ratios = inc.filter(([k]) => fullAt.has(k)).map(([k, b]) => b / (fullAt.get(k) as number));
  out.push({
    description: `Incremental checkpoints upload about the changed share of the state: ${ratios.map((r) => fmt(100 * r, 2)).join(', ')} % of a full RocksDB checkpoint with ${fmt(100 * f, 2)} % of the keys changed per interval (within 5× of the change rate, always under a quarter).`,
    holds: ratios.every((r) => r < Math.min(0.25, 5 * f)),
  });
  const dHeap = defined(seriesPoints(result, 'duration', 'heap'));
  const dInc = defined(seriesPoints(result, 'duration', 'rocksdb-incremental'));
  if (dHeap.length === heap.length && dInc.length === inc.length) {
    const heapGrowth = dHeap[last][1] - dHeap[0][1];
    const incGrowth = dInc[last][1] - dInc[0][1];
    out.push({
      description: `Checkpoint duration: full (heap) ${fmt(dHeap[0][1])} → ${fmt(dHeap[last][1])} ms, incremental ${fmt(dInc[0][1])} → ${fmt(dInc[last][1])} ms: the incremental duration grows less and ends shorter.`,
      holds: heapGrowth > 0 && incGrowth < heapGrowth && dInc[last][1] < dHeap[last][1],
    });
  }
  return out;
}

export const stateSize = defineExperiment({
  id: 'state-size',
  title: 'Checkpoint size: full vs incremental as state grows',
  description:
    'A keyed job (4 partitions → keyBy → per-key counter → sink, parallelism 4) first writes every key once, then a producer updates a random fraction of the keys per checkpoint interval. The checkpoints whose predecessor was taken after the load are measured: bytes uploaded ("checkpointed data size"), the full state size and the end-to-end duration, for full checkpoints of the heap (HashMap) backend, full checkpoints of the RocksDB-like backend, and its incremental checkpoints (only SST files the last completed checkpoint does not have are uploaded). Upload time follows the modelled storage bandwidth.',
  citation: {
    authors: 'Stefan Richter, Chris Ward (Apache Flink)',
    title:
      'Managing Large State in Apache Flink: An Intro to Incremental Checkpointing; Flink docs "Incremental Checkpoints"',
    venue: 'Apache Flink blog and documentation',
    year: 2018,
    url: 'https://flink.apache.org/2018/01/30/managing-large-state-in-apache-flink-an-intro-to-incremental-checkpointing/',
  },
  claim:
    'A full checkpoint writes the whole state every time, so its size and duration grow with the state; an incremental checkpoint records only the changes since the previous completed checkpoint, so it uploads an amount proportional to the changes and can be much faster.',
  parameters: [
    {
      kind: 'number-list',
      id: 'keys',
      label: 'State sizes',
      description: 'Keys in state to sweep (one counter per key).',
      unit: 'keys',
      default: [1000, 3000, 10000, 30000, 100000],
      test: [1000, 4000, 16000],
      min: 100,
      max: 300000,
      integer: true,
      maxLength: 10,
    },
    {
      kind: 'number',
      id: 'changeFraction',
      label: 'Changed keys per interval',
      description: 'Fraction of the keys updated per checkpoint interval after the load.',
      unit: '',
      default: 0.01,
      test: 0.01,
      min: 0.0001,
      max: 1,
      integer: false,
    },
    {
      kind: 'number',
      id: 'payloadBytes',
      label: 'Payload per key',
      description: "Bytes stored with each key's counter (the state per key).",
      unit: 'bytes',
      default: 100,
      test: 100,
      min: 0,
      max: 10000,
      integer: true,
    },
    {
      kind: 'number',
      id: 'intervalMs',
      label: 'Checkpoint interval',
      description: 'Checkpoint interval (virtual ms).',
      unit: 'ms',
      default: 1000,
      test: 1000,
      min: 50,
      max: 60000,
      integer: false,
    },
    {
      kind: 'number',
      id: 'checkpoints',
      label: 'Checkpoints per point',
      description: 'Checkpoints measured per point (median and mean of their uploads).',
      unit: '',
      default: 5,
      test: 3,
      min: 1,
      max: 50,
      integer: true,
    },
    SEED_PARAMETER,
  ],
  weight: (p) => BACKENDS.length * list(p, 'keys').length,
  body,
  checks,
});
