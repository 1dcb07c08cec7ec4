/**
 * Experiment 4 — recovery cost vs checkpoint interval.
 *
 * A producer appends records at a fixed fraction of the job's measured capacity. A keyed subtask
 * fails at several points ("phases") within a checkpoint interval; the job restarts after a fixed
 * delay from the latest completed checkpoint, the sources rewind to its offsets and read the records
 * since then again, and then work off the backlog that built up. Measured: records replayed (source
 * offset at the failure − restored offset) and the time from the failure until the sources are back
 * where the failure-free run's sources are at the same moment (same job, seed and producer).
 */
import {
  buildLabJob,
  mean,
  newCluster,
  startProducer,
  uniformKeys,
  type LabJobSpec,
  type Runner,
  SEED_PARAMETER,
  OPERATOR_MS_PARAMETER,
} from './harness';
import type { MiniCluster } from '../runtime/MiniCluster';
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
import { msg } from '../messages/Message';

/** Sampling step of source positions (the catch-up time's resolution). */
const SAMPLE_MS = 5;
const FAILING_TASK = 'count#0';

function spec(p: Resolved, intervalMs: number | null): LabJobSpec {
  return {
    keys: num(p, 'keys'),
    partitions: 4,
    parallelism: 4,
    sourceRecordMs: 0.02,
    operatorMs: num(p, 'operatorMs'),
    sinkMs: 0.02,
    checkpoint: intervalMs === null ? null : { mode: 'exactly-once', intervalMs },
    backend: 'heap',
    restart: { type: 'fixed-delay', attempts: 1_000_000, delayMs: num(p, 'restartDelayMs') },
  };
}

/** Records read so far by all source subtasks (sum of offsets). */
function position(cluster: MiniCluster): number {
  let n = 0;
  for (const splits of Object.values(cluster.sourceOffsets())) for (const s of splits) n += s.offset;
  return n;
}

function* capacity(runner: Runner, p: Resolved): Generator<void, number, void> {
  const warmup = 500;
  const end = warmup + 2000;
  const seed = num(p, 'seed');
  const lab = buildLabJob(spec(p, null), 'recovery-capacity');
  const cluster = newCluster(lab, seed);
  startProducer(cluster, lab, { kind: 'backlog', key: uniformKeys(lab.spec.keys) }, seed, end);
  runner.begin('capacity without checkpoints', 1);
  yield* runner.advance(cluster, warmup, 50, undefined, (t) => t / end);
  const before = cluster.metrics.sinkRecords;
  yield* runner.advance(cluster, end, 50, undefined, (t) => t / end);
  runner.end(cluster);
  return (cluster.metrics.sinkRecords - before) / (end - warmup);
}

interface FailedRun {
  failAt: number;
  replayed: number;
  catchUpMs: number | null;
  restoredCheckpointAgeMs: number | null;
}

function* body(p: Resolved, runner: Runner): Generator<void, ResultBody, void> {
  const intervals = list(p, 'intervals');
  const phases = num(p, 'phases');
  const warmup = num(p, 'warmupMs');
  const maxCatchUp = num(p, 'maxCatchUpMs');
  const seed = num(p, 'seed');
  const cap = yield* capacity(runner, p);
  const perMs = num(p, 'loadFraction') * cap;
  const feed = {
    kind: 'rate' as const,
    arrivalMs: (i: number) => i / perMs,
    key: uniformKeys(num(p, 'keys')),
  };
  const rows: Array<Array<number | string | null>> = [];
  const replayed: Series = {
    id: 'replayed',
    label: 'Records replayed (mean over failure points)',
    points: [],
  };
  const replayedMax: Series = {
    id: 'replayed-max',
    label: 'Records replayed (worst failure point)',
    points: [],
  };
  const catchUp: Series = { id: 'catch-up', label: 'Time to catch up (mean)', points: [] };
  const catchUpMax: Series = { id: 'catch-up-max', label: 'Time to catch up (worst)', points: [] };
  const notes: string[] = [];
  for (const interval of intervals) {
    // Failure points spread over one interval, after at least one checkpoint completed.
    const failAts = Array.from(
      { length: phases },
      (_, k) => warmup + 2 * interval + ((k + 0.5) / phases) * interval,
    );
    const end = failAts[failAts.length - 1] + maxCatchUp + SAMPLE_MS;
    // The failure-free run, advanced as far as the failed runs need: source positions on the grid.
    const refLab = buildLabJob(spec(p, interval), 'recovery');
    const ref = newCluster(refLab, seed);
    startProducer(ref, refLab, feed, seed, end);
    const refPositions: number[] = [];
    const refPositionAt = (i: number): number => {
      while (refPositions.length <= i) {
        ref.runUntil(refPositions.length * SAMPLE_MS);
        refPositions.push(position(ref));
      }
      return refPositions[i];
    };
    const runs: FailedRun[] = [];
    for (const failAt of failAts) {
      const lab = buildLabJob(spec(p, interval), 'recovery');
      const cluster = newCluster(lab, seed);
      startProducer(cluster, lab, feed, seed, end);
      cluster.scheduleTaskFailure(FAILING_TASK, failAt, msg('task.injected'));
      runner.begin(`${interval} ms: failure at ${Math.round(failAt)} ms`, 1);
      let caughtUpAt: number | null = null;
      yield* runner.advance(
        cluster,
        end,
        SAMPLE_MS,
        (now) => {
          if (now <= failAt || cluster.metrics.restarts === 0) return false;
          if (position(cluster) >= refPositionAt(Math.round(now / SAMPLE_MS))) {
            caughtUpAt = now;
            return true;
          }
          return false;
        },
        (now) => Math.min(1, now / (failAt + maxCatchUp)),
      );
      const failure = cluster.failures[0];
      const restored = failure?.restoredFrom ?? null;
      const restoredStats =
        restored === null ? null : cluster.coordinator.history.find((c) => c.id === restored);
      runs.push({
        failAt,
        replayed: cluster.metrics.recordsReplayed,
        catchUpMs: caughtUpAt === null ? null : caughtUpAt - failAt,
        restoredCheckpointAgeMs: restoredStats ? failAt - restoredStats.triggerTime : null,
      });
      runner.end(cluster);
      if (caughtUpAt === null)
        notes.push(
          `${interval} ms, failure at ${Math.round(failAt)} ms: not caught up within ${maxCatchUp} ms.`,
        );
    }
    runner.accountFor(ref);
    for (const r of runs)
      rows.push([interval, r.failAt, r.replayed, r.catchUpMs, r.restoredCheckpointAgeMs, perMs * 1000]);
    const reps = runs.map((r) => r.replayed);
    const cus = runs.map((r) => r.catchUpMs).filter((c): c is number => c !== null);
    replayed.points.push({ x: interval, y: mean(reps) });
    replayedMax.points.push({ x: interval, y: Math.max(...reps) });
    catchUp.points.push({ x: interval, y: cus.length === runs.length ? mean(cus) : null });
    catchUpMax.points.push({ x: interval, y: cus.length === runs.length ? Math.max(...cus) : null });
  }
  const x = { label: 'Checkpoint interval', unit: 'ms', scale: 'log' as const };
  const panels: Panel[] = [
    {
      id: 'replayed',
      title: 'Records the sources read again after the failure',
      x,
      y: { label: 'Records replayed', unit: 'records', scale: 'log' },
      series: [replayed, replayedMax],
    },
    {
      id: 'catch-up',
      title: 'Time from the failure until the sources are back where the failure-free run is',
      x,
      y: { label: 'Time to catch up', unit: 'ms', scale: 'log' },
      series: [catchUp, catchUpMax],
    },
  ];
  return {
    panels,
    table: {
      columns: [
        { id: 'intervalMs', label: 'Interval', unit: 'ms' },
        { id: 'failAtMs', label: 'Failure at', unit: 'ms' },
        { id: 'replayed', label: 'Records replayed', unit: 'records' },
        { id: 'catchUpMs', label: 'Time to catch up', unit: 'ms' },
        { id: 'checkpointAgeMs', label: 'Restored checkpoint triggered before the failure', unit: 'ms' },
        { id: 'arrivalRate', label: 'Arrival rate', unit: 'records/s' },
      ],
      rows,
    },
    notes,
  };
}

function checks(result: ExperimentResult): ShapeCheck[] {
  const rep = defined(seriesPoints(result, 'replayed', 'replayed'));
  const cu = defined(seriesPoints(result, 'catch-up', 'catch-up'));
  if (rep.length < 2) return [{ description: 'Too few points.', holds: false }];
  const out: ShapeCheck[] = [];
  const rRho = spearman(rep);
  out.push({
    description: `Records replayed grow with the interval: ${fmt(rep[0][1])} at ${fmt(rep[0][0])} ms → ${fmt(rep[rep.length - 1][1])} at ${fmt(rep[rep.length - 1][0])} ms (rank correlation ${fmt(rRho, 2)}).`,
    holds: rep[rep.length - 1][1] > rep[0][1] && rRho > 0,
  });
  if (cu.length === rep.length) {
    const cRho = spearman(cu);
    out.push({
      description: `Time to catch up grows with the interval: ${fmt(cu[0][1])} ms at ${fmt(cu[0][0])} ms → ${fmt(cu[cu.length - 1][1])} ms at ${fmt(cu[cu.length - 1][0])} ms (rank correlation ${fmt(cRho, 2)}).`,
      holds: cu[cu.length - 1][1] > cu[0][1] && cRho > 0,
    });
  } else {
    out.push({ description: 'Some runs did not catch up within the limit.', holds: false });
  }
  return out;
}

export const recovery = defineExperiment({
  id: 'recovery',
  title: 'Recovery cost vs checkpoint interval',
  description:
    "A producer appends records at a fixed fraction of the job's measured capacity (4 partitions → keyBy → per-key counter → sink, exactly-once checkpoints). One counter subtask fails at several points spread over a checkpoint interval; the job restarts after a fixed delay from the latest completed checkpoint. Measured per failure: the records the sources read a second time (offset at the failure − restored offset) and the time from the failure until the sources have read as far as the failure-free run's sources at the same moment (same seed and producer; sampled every 5 ms).",
  citation: {
    authors: 'Apache Flink documentation',
    title: 'Checkpointing (checkpoint interval trade-offs, FLINK-21410); Tuning Checkpoints and Large State',
    venue: 'Apache Flink 1.13+ documentation',
    year: 2021,
    url: 'https://nightlies.apache.org/flink/flink-docs-stable/docs/ops/state/large_state_tuning/',
  },
  claim:
    'After a failure Flink restores the latest completed checkpoint and reprocesses everything since; more frequent checkpoints mean less data to reprocess (and a shorter catch-up, given spare capacity) at the price of more checkpointing overhead — a longer interval means more records replayed and a longer recovery.',
  parameters: [
    {
      kind: 'number-list',
      id: 'intervals',
      label: 'Checkpoint intervals',
      description: 'Intervals to sweep (virtual ms).',
      unit: 'ms',
      default: [100, 300, 1000, 3000, 10000],
      test: [100, 1000, 3000],
      min: 10,
      max: 60000,
      integer: false,
      maxLength: 10,
    },
    {
      kind: 'number',
      id: 'phases',
      label: 'Failure points per interval',
      description: 'Failures injected at evenly spread points of one checkpoint interval (one run each).',
      unit: '',
      default: 4,
      test: 2,
      min: 1,
      max: 20,
      integer: true,
    },
    {
      kind: 'number',
      id: 'loadFraction',
      label: 'Load',
      description: 'Arrival rate as a fraction of the measured capacity (the rest is what catches up).',
      unit: '',
      default: 0.5,
      test: 0.5,
      min: 0.05,
      max: 0.95,
      integer: false,
    },
    {
      kind: 'number',
      id: 'restartDelayMs',
      label: 'Restart delay',
      description: 'Fixed-delay restart strategy: time before the job restarts.',
      unit: 'ms',
      default: 100,
      test: 100,
      min: 0,
      max: 60000,
      integer: false,
    },
    {
      kind: 'number',
      id: 'warmupMs',
      label: 'Warm-up',
      description: 'Virtual time before the first failure point (plus two intervals).',
      unit: 'ms',
      default: 500,
      test: 300,
      min: 0,
      max: 60000,
      integer: false,
    },
    {
      kind: 'number',
      id: 'maxCatchUpMs',
      label: 'Catch-up limit',
      description: 'Longest virtual time a failed run may take to catch up.',
      unit: 'ms',
      default: 30000,
      test: 10000,
      min: 100,
      max: 600000,
      integer: false,
    },
    {
      kind: 'number',
      id: 'keys',
      label: 'Keys',
      description: 'Distinct keys.',
      unit: 'keys',
      default: 10000,
      test: 2000,
      min: 1,
      max: 200000,
      integer: true,
    },
    OPERATOR_MS_PARAMETER,
    SEED_PARAMETER,
  ],
  weight: (p) => 1 + list(p, 'intervals').length * num(p, 'phases'),
  body,
  checks,
});
