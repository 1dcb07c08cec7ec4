/**
 * Windows over the visits log (the seed's §6.1 "统计网站访问量", with Flink's windows): per-user
 * visit counts in 10 s tumbling event-time windows, and per-user sessions (3 s gap) — the Java job:
 *
 *   DataStream<Visit> visits = env.fromSource(kafkaSource,
 *       WatermarkStrategy.<Visit>forBoundedOutOfOrderness(Duration.ofMillis(500)), "Source: visits");
 *   OutputTag<Visit> late = new OutputTag<>("late-visits") {};
 *   SingleOutputStreamOperator<WindowCount> counts = visits
 *       .keyBy(v -> v.user)
 *       .window(TumblingEventTimeWindows.of(Duration.ofSeconds(10)))
 *       .allowedLateness(Duration.ofSeconds(2))
 *       .sideOutputLateData(late)
 *       .aggregate(new CountVisits(), new EmitWindowCount()).uid("window-count");
 *   counts.sinkTo(kafkaSink).uid("sink");
 *   counts.getSideOutput(late).sinkTo(lateSink).uid("late-sink");
 *   visits.keyBy(v -> v.user)
 *       .window(EventTimeSessionWindows.withGap(Duration.ofSeconds(3)))
 *       .aggregate(new CountVisits(), new EmitSession()).uid("sessions")
 *       .sinkTo(sessionSink).uid("session-sink");
 *
 * The log is the visits scenario's with some records arriving late (their timestamps 6 s in the
 * past): those whose window is still within its allowed lateness update it (the window fires again),
 * the others take the late side output. Each window's count is keyed state in the window's namespace;
 * sessions merge, their state moving into one namespace (MergingWindowSet).
 */
import { Duration } from '../api/Duration';
import type { Collector } from '../api/functions';
import { FsStateBackend } from '../api/StateBackends';
import { StreamExecutionEnvironment } from '../api/StreamExecutionEnvironment';
import { OutputTag } from '../api/OutputTag';
import { ReplayableLog, type LogRecord } from '../connectors/ReplayableLog';
import { TwoPhaseCommitSink } from '../connectors/sinks';
import type { AggregateFunction } from '../state/StateDescriptor';
import { WatermarkStrategies } from '../time/WatermarkStrategy';
import { EventTimeSessionWindows } from '../windowing/assigners/EventTimeSessionWindows';
import { TumblingEventTimeWindows } from '../windowing/assigners/TumblingEventTimeWindows';
import type { ProcessWindowContext } from '../windowing/ProcessWindowFunction';
import type { TimeWindow } from '../windowing/windows/TimeWindow';
import { applyScenarioOptions, type Scenario, type ScenarioOptions } from './Scenario';
import { generateVisitLog, VISITS_EMIT_MS, type Visit } from './visits';

export interface WindowCount {
  user: string;
  windowStart: number;
  windowEnd: number;
  visits: number;
}

export const WINDOW_SIZE_MS = 10_000;
export const ALLOWED_LATENESS_MS = 2_000;
export const SESSION_GAP_MS = 3_000;
export const OUT_OF_ORDERNESS_MS = 500;
/** Every LATE_EVERY-th record of the log arrives LATE_BY_MS late (its timestamp that far in the past). */
export const LATE_EVERY = 97;
export const LATE_BY_MS = 6_000;

export const LATE_VISITS = new OutputTag<Visit>('late-visits');

/** The visits log with some records late. */
export function generateLateVisitLog(events = 10_000): ReplayableLog<Visit> {
  const log = generateVisitLog(events);
  const parts: LogRecord<Visit>[][] = log.partitions.map((p, partition) =>
    p.map((r, j) => {
      const i = j * log.numPartitions + partition; // the record's index in the generated sequence
      const ts = r.timestamp ?? 0;
      return i % LATE_EVERY === LATE_EVERY - 1 && ts >= LATE_BY_MS ? { ...r, timestamp: ts - LATE_BY_MS } : r;
    }),
  );
  return new ReplayableLog('visits', parts);
}

/** Counts a window's visits (the accumulator is the count). */
export const countVisits: AggregateFunction<Visit, number, number> = {
  createAccumulator: () => 0,
  add: (_v, acc) => acc + 1,
  getResult: (acc) => acc,
  merge: (a, b) => a + b,
};

function emitWindowCount(
  user: string,
  ctx: ProcessWindowContext<TimeWindow>,
  counts: number[],
  out: Collector<WindowCount>,
): void {
  const w = ctx.window();
  out.collect({ user, windowStart: w.start, windowEnd: w.end, visits: counts[0] });
}

export function buildWindows(options: ScenarioOptions & { events?: number } = {}) {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(4);
  env.setStateBackend(new FsStateBackend('file:///tmp/checkpoints'));
  env.enableCheckpointing(1000);
  const visits = env
    .fromSource(
      generateLateVisitLog(options.events ?? 10_000),
      'Source: visits (Kafka-like, 4 partitions)',
      VISITS_EMIT_MS,
      WatermarkStrategies.forBoundedOutOfOrderness(OUT_OF_ORDERNESS_MS),
    )
    .uid('source');
  const counts = visits
    .keyBy((v: Visit) => v.user)
    .window(TumblingEventTimeWindows.of(Duration.ofMillis(WINDOW_SIZE_MS)))
    .allowedLateness(Duration.ofMillis(ALLOWED_LATENESS_MS))
    .sideOutputLateData(LATE_VISITS)
    .aggregate<number, number, WindowCount>(countVisits, emitWindowCount)
    .uid('window-count')
    .name('Window: visits per user, 10 s tumbling');
  counts.addSink(new TwoPhaseCommitSink<WindowCount>()).uid('sink').name('Sink: window counts');
  counts
    .getSideOutput(LATE_VISITS)
    .addSink(new TwoPhaseCommitSink<Visit>())
    .uid('late-sink')
    .name('Sink: late visits (side output)');
  visits
    .keyBy((v: Visit) => v.user)
    .window(EventTimeSessionWindows.withGap(Duration.ofMillis(SESSION_GAP_MS)))
    .aggregate<number, number, WindowCount>(countVisits, emitWindowCount)
    .uid('sessions')
    .name('Window: sessions per user, 3 s gap')
    .addSink(new TwoPhaseCommitSink<WindowCount>())
    .uid('session-sink')
    .name('Sink: sessions');
  applyScenarioOptions(env, options);
  return env.getJobGraph('Windows');
}

export const windows: Scenario = {
  name: 'windows',
  description:
    'Per-user visit counts in 10 s tumbling event-time windows (allowed lateness 2 s, late visits to a side output) and 3 s sessions, over the visits log with some records late.',
  build: buildWindows,
};
