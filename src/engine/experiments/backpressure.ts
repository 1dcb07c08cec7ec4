/**
 * Experiment 2 — checkpoints under backpressure (FLIP-76, unaligned checkpoints).
 *
 * The sources always have input and read far faster than the keyed operator processes, so every
 * channel into it is full: backpressure. As the slow operator's per-record time grows, an aligned
 * barrier waits behind more and more buffered work; an unaligned barrier overtakes the buffers and
 * persists them as channel state; with an aligned-checkpoint timeout a checkpoint starts aligned and
 * switches to unaligned when alignment runs past the timeout.
 */
import type { CheckpointStats } from '../checkpointing/CompletedCheckpoint';
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

const VARIANTS = [
  { id: 'aligned', label: 'Aligned (exactly-once)' },
  { id: 'unaligned', label: 'Unaligned' },
  { id: 'aligned-timeout', label: 'Aligned with timeout' },
] as const;

type VariantId = (typeof VARIANTS)[number]['id'];

const CHUNK_MS = 50;

interface Measure {
  checkpoints: number;
  durationMs: number | null;
  maxDurationMs: number | null;
  alignmentMs: number | null;
  persistedInFlightBytes: number | null;
  unalignedShare: number | null;
  throughputPerS: number;
}

function spec(p: Resolved, variant: VariantId, slowMs: number): LabJobSpec {
  const intervalMs = num(p, 'intervalMs');
  return {
    keys: num(p, 'keys'),
    partitions: 4,
    parallelism: 4,
    sourceRecordMs: 0.005,
    operatorMs: slowMs,
    sinkMs: 0.005,
    checkpoint:
      variant === 'aligned'
        ? { mode: 'exactly-once', intervalMs }
        : {
            mode: 'unaligned',
            intervalMs,
            alignedTimeoutMs: variant === 'aligned-timeout' ? num(p, 'alignedTimeoutMs') : 0,
          },
    backend: 'heap',
  };
}

function* measure(
  runner: Runner,
  p: Resolved,
  variant: VariantId,
  slowMs: number,
  label: string,
): Generator<void, Measure, void> {
  const warmup = num(p, 'warmupMs');
  const wanted = num(p, 'checkpoints');
  const cap = num(p, 'maxRunMs');
  const seed = num(p, 'seed');
  const lab = buildLabJob(spec(p, variant, slowMs), 'backpressure');
  const cluster = newCluster(lab, seed);
  startProducer(cluster, lab, { kind: 'backlog', key: uniformKeys(lab.spec.keys) }, seed, cap);
  runner.begin(label, 1);
  yield* runner.advance(cluster, warmup, CHUNK_MS, undefined, () => 0);
  const startCount = cluster.metrics.sinkRecords;
  let done: CheckpointStats[] = [];
  yield* runner.advance(
    cluster,
    cap,
    CHUNK_MS,
    () => {
      done = completedSince(cluster, warmup);
      return done.length >= wanted;
    },
    () => Math.min(1, done.length / wanted),
  );
  const used = done.slice(0, wanted);
  const elapsed = cluster.now - warmup;
  runner.end(cluster);
  const subtasks = used.flatMap((c) => c.subtasks);
  return {
    checkpoints: used.length,
    durationMs: mean(used.map((c) => c.endToEndMs ?? 0)),
    maxDurationMs: used.length > 0 ? Math.max(...used.map((c) => c.endToEndMs ?? 0)) : null,
    // Per checkpoint, the longest alignment of any subtask.
    alignmentMs: mean(used.map((c) => Math.max(0, ...c.subtasks.map((s) => s.alignmentMs)))),
    persistedInFlightBytes: mean(used.map((c) => c.persistedInFlightBytes)),
    unalignedShare: subtasks.length > 0 ? subtasks.filter((s) => s.unaligned).length / subtasks.length : null,
    throughputPerS: elapsed > 0 ? ((cluster.metrics.sinkRecords - startCount) / elapsed) * 1000 : 0,
  };
}

function* body(p: Resolved, runner: Runner): Generator<void, ResultBody, void> {
  const slows = list(p, 'slowMs');
  const rows: Array<Array<number | string | null>> = [];
  const duration: Series[] = [];
  const inFlight: Series[] = [];
  const alignment: Series[] = [];
  const notes: string[] = [];
  for (const v of VARIANTS) {
    const d: Series = { id: v.id, label: v.label, points: [] };
    const f: Series = { id: v.id, label: v.label, points: [] };
    const a: Series = { id: v.id, label: v.label, points: [] };
    for (const slow of slows) {
      const m = yield* measure(runner, p, v.id, slow, `${v.label}, ${slow} ms per record`);
      rows.push([
        v.id,
        slow,
        m.checkpoints,
        m.durationMs,
        m.maxDurationMs,
        m.alignmentMs,
        m.persistedInFlightBytes,
        m.unalignedShare,
        m.throughputPerS,
      ]);
      d.points.push({ x: slow, y: m.durationMs });
      f.points.push({ x: slow, y: m.persistedInFlightBytes });
      a.points.push({ x: slow, y: m.alignmentMs });
      if (m.checkpoints < num(p, 'checkpoints'))
        notes.push(
          `${v.label} at ${slow} ms per record: ${m.checkpoints} of ${num(p, 'checkpoints')} checkpoints completed within ${num(p, 'maxRunMs')} ms.`,
        );
    }
    duration.push(d);
    inFlight.push(f);
    alignment.push(a);
  }
  const x = { label: 'Slow operator: processing time per record', unit: 'ms', scale: 'log' as const };
  const panels: Panel[] = [
    {
      id: 'duration',
      title: 'Checkpoint duration (trigger → last acknowledgement)',
      x,
      y: { label: 'Mean end-to-end duration', unit: 'ms', scale: 'log' },
      series: duration,
    },
    {
      id: 'in-flight',
      title: 'Persisted in-flight data per checkpoint',
      x,
      y: { label: 'Channel state', unit: 'bytes', scale: 'linear' },
      series: inFlight,
    },
    {
      id: 'alignment',
      title: 'Alignment time (longest subtask)',
      x,
      y: { label: 'Alignment', unit: 'ms', scale: 'linear' },
      series: alignment,
    },
  ];
  return {
    panels,
    table: {
      columns: [
        { id: 'variant', label: 'Variant', unit: '' },
        { id: 'slowMs', label: 'Slow operator per record', unit: 'ms' },
        { id: 'checkpoints', label: 'Checkpoints measured', unit: '' },
        { id: 'durationMs', label: 'Mean checkpoint duration', unit: 'ms' },
        { id: 'maxDurationMs', label: 'Longest checkpoint', unit: 'ms' },
        { id: 'alignmentMs', label: 'Mean longest alignment', unit: 'ms' },
        { id: 'inFlightBytes', label: 'Mean persisted in-flight data', unit: 'bytes' },
        { id: 'unalignedShare', label: 'Subtask snapshots taken unaligned', unit: 'fraction' },
        { id: 'throughput', label: 'Throughput', unit: 'records/s' },
      ],
      rows,
    },
    notes,
  };
}

function checks(result: ExperimentResult): ShapeCheck[] {
  const aligned = defined(seriesPoints(result, 'duration', 'aligned'));
  const unaligned = defined(seriesPoints(result, 'duration', 'unaligned'));
  const timeout = defined(seriesPoints(result, 'duration', 'aligned-timeout'));
  if (aligned.length < 2 || unaligned.length < 2) return [{ description: 'Too few points.', holds: false }];
  const aGrowth = aligned[aligned.length - 1][1] - aligned[0][1];
  const uGrowth = unaligned[unaligned.length - 1][1] - unaligned[0][1];
  const out: ShapeCheck[] = [];
  const rho = spearman(aligned);
  out.push({
    description: `Aligned checkpoint duration grows with the slow operator's processing time: ${fmt(aligned[0][1])} ms → ${fmt(aligned[aligned.length - 1][1])} ms (rank correlation ${fmt(rho, 2)}).`,
    holds: aGrowth > 0 && aligned[aligned.length - 1][1] > 2 * aligned[0][1] && rho > 0,
  });
  out.push({
    description: `Unaligned checkpoint duration stays nearly flat: ${fmt(unaligned[0][1])} ms → ${fmt(unaligned[unaligned.length - 1][1])} ms, an increase of ${fmt(uGrowth)} ms against aligned's ${fmt(aGrowth)} ms (less than a tenth).`,
    holds: uGrowth < aGrowth / 10,
  });
  const fAligned = defined(seriesPoints(result, 'in-flight', 'aligned'));
  const fUnaligned = defined(seriesPoints(result, 'in-flight', 'unaligned'));
  out.push({
    description: `Unaligned checkpoints persist in-flight data (${fmt(Math.min(...fUnaligned.map((f) => f[1])))}–${fmt(Math.max(...fUnaligned.map((f) => f[1])))} bytes per checkpoint); aligned ones persist none (${fmt(Math.max(0, ...fAligned.map((f) => f[1])))} bytes).`,
    holds: fUnaligned.every((f) => f[1] > 0) && fAligned.every((f) => f[1] === 0),
  });
  if (timeout.length === aligned.length) {
    const last = timeout.length - 1;
    out.push({
      description: `With an aligned-checkpoint timeout the duration is bounded where aligned checkpoints take long: ${fmt(timeout[last][1])} ms vs aligned ${fmt(aligned[last][1])} ms at ${fmt(aligned[last][0])} ms per record.`,
      holds: timeout[last][1] < aligned[last][1],
    });
  }
  return out;
}

export const backpressure = defineExperiment({
  id: 'backpressure',
  title: 'Checkpoints under backpressure: aligned vs unaligned',
  description:
    "Sources that always have input read far faster than a keyed operator can process, so every channel into it is full (backpressure). For each per-record processing time of that slow operator, the job runs until a number of checkpoints completed: aligned barriers (exactly-once), unaligned barriers, and aligned barriers with an aligned-checkpoint timeout. Measured per checkpoint: end-to-end duration (trigger to the last acknowledgement), the longest alignment, and the in-flight data persisted as channel state. All figures are virtual time; bytes are the simulator's JSON size of the persisted records.",
  citation: {
    authors: 'Arvid Heise, Piotr Nowojski, Stephan Ewen (Apache Flink)',
    title: 'FLIP-76: Unaligned Checkpoints',
    venue: 'Apache Flink Improvement Proposal; Flink 1.11 documentation "Unaligned checkpoints"',
    year: 2020,
    url: 'https://cwiki.apache.org/confluence/display/FLINK/FLIP-76%3A+Unaligned+Checkpoints',
  },
  claim:
    'Under backpressure, aligned checkpoint barriers queue behind the buffered in-flight data, so checkpoint duration grows with the backpressure; unaligned barriers overtake the buffers, which makes checkpoint duration largely independent of the throughput, at the price of persisting the in-flight data in the checkpoint. An aligned-checkpoint timeout switches to unaligned only when alignment takes too long.',
  parameters: [
    {
      kind: 'number-list',
      id: 'slowMs',
      label: 'Slow operator processing time',
      description: 'Per-record processing times of the keyed operator to sweep (virtual ms).',
      unit: 'ms',
      default: [0.05, 0.1, 0.2, 0.5, 1, 2, 5],
      test: [0.05, 0.5, 2],
      min: 0.005,
      max: 50,
      integer: false,
      maxLength: 12,
    },
    {
      kind: 'number',
      id: 'alignedTimeoutMs',
      label: 'Aligned-checkpoint timeout',
      description: 'For the "aligned with timeout" variant: switch to unaligned this long after the trigger.',
      unit: 'ms',
      default: 100,
      test: 100,
      min: 1,
      max: 60000,
      integer: false,
    },
    {
      kind: 'number',
      id: 'intervalMs',
      label: 'Checkpoint interval',
      description: 'Checkpoint interval (a checkpoint longer than it delays the next one).',
      unit: 'ms',
      default: 500,
      test: 500,
      min: 10,
      max: 60000,
      integer: false,
    },
    {
      kind: 'number',
      id: 'checkpoints',
      label: 'Checkpoints per point',
      description: 'Completed checkpoints averaged per point (after the warm-up).',
      unit: '',
      default: 5,
      test: 3,
      min: 1,
      max: 100,
      integer: true,
    },
    {
      kind: 'number',
      id: 'warmupMs',
      label: 'Warm-up',
      description: 'Virtual time before measuring (the buffers fill up).',
      unit: 'ms',
      default: 500,
      test: 300,
      min: 0,
      max: 60000,
      integer: false,
    },
    {
      kind: 'number',
      id: 'maxRunMs',
      label: 'Run limit',
      description: 'Longest virtual time one run may take.',
      unit: 'ms',
      default: 120000,
      test: 60000,
      min: 1000,
      max: 3600000,
      integer: false,
    },
    {
      kind: 'number',
      id: 'keys',
      label: 'Keys',
      description: 'Distinct keys.',
      unit: 'keys',
      default: 1000,
      test: 1000,
      min: 1,
      max: 200000,
      integer: true,
    },
    SEED_PARAMETER,
  ],
  weight: (p) => VARIANTS.length * list(p, 'slowMs').length,
  body,
  checks,
});
