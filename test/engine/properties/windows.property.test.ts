/**
 * Exactly-once with windows, as a property: a random bounded job keys a Kafka-like log with event
 * time and windows it — tumbling, sliding or session windows; reduce, aggregate (each with a
 * ProcessWindowFunction that adds the window's bounds) or process; with or without allowed lateness —
 * into a two-phase-commit sink. For any failure schedule, in every exactly-once mode, the run ends
 * FINISHED with the failure-free run's keyed state (window contents, merging-window sets) and
 * committed output; and that output is every window of the log, computed here by brute force (the
 * end of input's MAX_WATERMARK fires every window, restored ones included).
 *
 * Reproduce: FC_SEED=<seed> FC_PATH=<path> (PROPERTY_RUNS=<n>); pin counterexamples below.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EventTimeSessionWindows,
  FsStateBackend,
  KafkaSource,
  MiniCluster,
  OffsetsInitializer,
  ReplayableLog,
  RestartStrategies,
  SlidingEventTimeWindows,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  TwoPhaseCommitSink,
  WatermarkStrategies,
  type AggregateFunction,
  type CheckpointingMode,
  type Collector,
  type JobGraph,
  type LogRecord,
  type ProcessWindowContext,
  type TimeWindow,
  type WindowAssigner,
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

const NUM_RUNS = Number(process.env.PROPERTY_RUNS ?? 20);
const FC_SEED = Number(process.env.FC_SEED ?? 20261206);
const FC_PATH = process.env.FC_PATH;

/** Within a source subtask records are out of order by < 4 ms (timestamps 4·offset + partition): none is late. */
const BOUND_MS = 8;
const timestampOf = (offset: number, partition: number) => offset * 4 + partition;

type AssignerKind = 'tumbling' | 'sliding' | 'session';
type FunctionKind = 'reduce' | 'aggregate' | 'process';

interface WindowJob {
  assigner: AssignerKind;
  fn: FunctionKind;
  allowedLatenessMs: number;
}

interface Row {
  key: string;
  start: number;
  end: number;
  sum: number;
  n: number;
}

const SIZE = 40;
const SLIDE = 20;
const GAP = 10;

function assignerOf(kind: AssignerKind): WindowAssigner<Rec, TimeWindow> {
  switch (kind) {
    case 'tumbling':
      return TumblingEventTimeWindows.of(SIZE) as WindowAssigner<Rec, TimeWindow>;
    case 'sliding':
      return SlidingEventTimeWindows.of(SIZE, SLIDE) as WindowAssigner<Rec, TimeWindow>;
    case 'session':
      return EventTimeSessionWindows.withGap(GAP) as WindowAssigner<Rec, TimeWindow>;
  }
}

/** Rec with a count: what reduce accumulates. */
interface SumN {
  key: string;
  v: number;
  n: number;
}

const sumCount: AggregateFunction<Rec, { sum: number; n: number }, { sum: number; n: number }> = {
  createAccumulator: () => ({ sum: 0, n: 0 }),
  add: (r, acc) => ({ sum: acc.sum + r.v, n: acc.n + 1 }),
  getResult: (acc) => acc,
  merge: (a, b) => ({ sum: a.sum + b.sum, n: a.n + b.n }),
};

function buildWindowJob(spec: JobSpec, w: WindowJob, mode: CheckpointingMode): JobGraph {
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
  const windowed = env
    .fromSource(
      source,
      'Source: records (bounded)',
      spec.emitIntervalMs,
      WatermarkStrategies.forBoundedOutOfOrderness(BOUND_MS).withAutoWatermarkInterval(20),
    )
    .uid('source')
    .setParallelism(spec.sourceParallelism)
    .map((r: Rec): SumN => ({ key: r.key, v: r.v, n: 1 }))
    .uid('to-sum')
    .setParallelism(spec.sourceParallelism)
    .keyBy((r: SumN) => r.key)
    .window(assignerOf(w.assigner) as unknown as WindowAssigner<SumN, TimeWindow>)
    .allowedLateness(w.allowedLatenessMs);
  const bounds = (key: string, ctx: ProcessWindowContext<TimeWindow>, sum: number, n: number): Row => ({
    key,
    start: ctx.window().start,
    end: ctx.window().end,
    sum,
    n,
  });
  const out =
    w.fn === 'reduce'
      ? windowed.reduce<Row>(
          (a, b) => ({ key: a.key, v: a.v + b.v, n: a.n + b.n }),
          (key, ctx, [r], c: Collector<Row>) => c.collect(bounds(key, ctx, r.v, r.n)),
        )
      : w.fn === 'aggregate'
        ? windowed.aggregate<{ sum: number; n: number }, { sum: number; n: number }, Row>(
            sumCount as unknown as AggregateFunction<
              SumN,
              { sum: number; n: number },
              { sum: number; n: number }
            >,
            (key, ctx, [r], c: Collector<Row>) => c.collect(bounds(key, ctx, r.sum, r.n)),
          )
        : windowed.process<Row>((key, ctx, elements, c: Collector<Row>) =>
            c.collect(
              bounds(
                key,
                ctx,
                elements.reduce((s, e) => s + e.v, 0),
                elements.length,
              ),
            ),
          );
  out
    .uid('stateful')
    .setParallelism(spec.statefulParallelism)
    .setProcessingTime(spec.statefulProcessingMs)
    .addSink(new TwoPhaseCommitSink<Row>())
    .uid('sink')
    .setParallelism(spec.sinkParallelism);
  const job = env.getJobGraph('BoundedWindowOperators');
  for (const v of job.vertices) if (v.spec.kind === 'sink') v.processingTimeMs = spec.sinkProcessingMs;
  return job;
}

/** Every window of the log per key, by brute force (sessions: sorted timestamps split at gaps >= GAP). */
function bruteForceWindows(spec: JobSpec, kind: AssignerKind): string[] {
  const byKey = new Map<string, Array<{ ts: number; v: number }>>();
  spec.partitions.forEach((p, pi) =>
    p.forEach((r, i) => {
      const list = byKey.get(r.key) ?? [];
      list.push({ ts: timestampOf(i, pi), v: r.v });
      byKey.set(r.key, list);
    }),
  );
  const rows: Row[] = [];
  for (const [key, recs] of byKey) {
    if (kind === 'session') {
      recs.sort((a, b) => a.ts - b.ts);
      let cur: Row | null = null;
      for (const r of recs) {
        // Flink merges windows that overlap or touch: [t, t + GAP) and [u, u + GAP) with u <= t + GAP.
        if (cur && r.ts <= cur.end) {
          cur.end = Math.max(cur.end, r.ts + GAP);
          cur.sum += r.v;
          cur.n++;
        } else {
          if (cur) rows.push(cur);
          cur = { key, start: r.ts, end: r.ts + GAP, sum: r.v, n: 1 };
        }
      }
      if (cur) rows.push(cur);
    } else {
      const slide = kind === 'tumbling' ? SIZE : SLIDE;
      const windows = new Map<number, Row>();
      for (const r of recs) {
        const last = r.ts - (((r.ts % slide) + slide) % slide);
        for (let start = last; start > r.ts - SIZE; start -= slide) {
          const row = windows.get(start) ?? { key, start, end: start + SIZE, sum: 0, n: 0 };
          row.sum += r.v;
          row.n++;
          windows.set(start, row);
        }
      }
      rows.push(...windows.values());
    }
  }
  return sortedRows(rows);
}

interface WindowCase extends JobCase {
  window: WindowJob;
}

const windowJobArb: fc.Arbitrary<WindowJob> = fc.record({
  assigner: fc.constantFrom<AssignerKind>('tumbling', 'sliding', 'session'),
  fn: fc.constantFrom<FunctionKind>('reduce', 'aggregate', 'process'),
  allowedLatenessMs: fc.constantFrom(0, 0, 30),
});

const caseArb = (minFailures = 0): fc.Arbitrary<WindowCase> =>
  jobSpecArb({ pre: ['none'], variants: ['value-process'] }).chain((spec) =>
    fc.record({
      spec: fc.constant(spec),
      seed: simSeedArb,
      failures: failuresArb(spec, { minFailures }),
      window: windowJobArb,
    }),
  );

function checkCase(c: WindowCase, mode: CheckpointingMode): void {
  const { reference, faulty, failures } = runPair(buildWindowJob(c.spec, c.window, mode), c);
  const message = `${describeCase(c, mode, failures)} window ${JSON.stringify(c.window)}`;
  const diffs = exactlyOnceDiffs(reference, faulty).filter((d) => !d.includes('job status'));
  for (const [name, sim] of [
    ['failure-free', reference],
    ['with failures', faulty],
  ] as const) {
    if (sim.cluster.jobStatus !== 'FINISHED')
      diffs.push(`${name}: job ${sim.cluster.jobStatus}, not FINISHED`);
    const open = Object.keys(sim.result().state['stateful']?.['window-contents'] ?? {});
    if (open.length > 0) diffs.push(`${name}: windows still in state: ${open.slice(0, 5).join(', ')}`);
  }
  const expected = bruteForceWindows(c.spec, c.window.assigner);
  const committed = sortedRows(reference.external.committedValues('sink'));
  if (JSON.stringify(committed) !== JSON.stringify(expected))
    diffs.push(
      `failure-free committed ${committed.length} windows, the log has ${expected.length}: ` +
        `${JSON.stringify(committed.slice(0, 3))} vs ${JSON.stringify(expected.slice(0, 3))}`,
    );
  if (diffs.length > 0) throw new Error(`${message}\n${diffs.join('\n')}`);
}

describe.each(EXACTLY_ONCE_MODES)('windows exactly-once property: %s', (mode) => {
  it(`a bounded window job ends FINISHED with the failure-free state and every window of the log (${NUM_RUNS} runs)`, () => {
    fc.assert(
      fc.property(caseArb(), (c) => checkCase(c, mode)),
      { numRuns: NUM_RUNS, seed: FC_SEED, path: FC_PATH },
    );
  });
});

describe('the window property is not vacuous', () => {
  it('runs restart from checkpoints that hold window state in window namespaces', () => {
    const sample = fc.sample(caseArb(1), { numRuns: 8, seed: 7 });
    let restored = 0;
    let namespaced = 0;
    for (const c of sample) {
      const { faulty } = runPair(buildWindowJob(c.spec, c.window, 'exactly-once'), c);
      expect(faulty.cluster.jobStatus).toBe('FINISHED');
      const restoredFrom = faulty.failures.filter((f) => f.restoredFrom !== null);
      if (restoredFrom.length > 0) restored++;
      // The checkpoints taken while windows were open hold their state in window namespaces.
      const cluster = new MiniCluster(buildWindowJob(c.spec, c.window, 'exactly-once'), { seed: c.seed });
      for (let t = 50; !cluster.isFinished() && t < 100_000; t += 50) {
        cluster.runUntil(t);
        const cp = cluster.checkpointStorage.latest(cluster.job.name);
        const entries = (cp?.tasks ?? []).flatMap((task) =>
          task.keyedState && 'keyGroups' in task.keyedState
            ? task.keyedState.keyGroups.flatMap((g) => Object.values(g.states).flatMap((st) => st.entries))
            : [],
        );
        if (entries.some((e) => e[2] !== undefined)) {
          namespaced++;
          break;
        }
      }
    }
    expect(restored).toBeGreaterThanOrEqual(3);
    expect(namespaced).toBeGreaterThan(0);
  });
});
