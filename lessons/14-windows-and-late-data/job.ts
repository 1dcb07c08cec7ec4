/**
 * Lesson 14's job: the article's "统计网站访问量" (counting a website's visits, §6.1) with Flink's
 * windows — visits per page in 10 s tumbling event-time windows, and visitor sessions (3 s gap). The
 * Java job it mirrors:
 *
 *   DataStream<Visit> visits = env.fromSource(kafkaSource,
 *       WatermarkStrategy.<Visit>forBoundedOutOfOrderness(Duration.ofSeconds(1)), "Source: visits");
 *   OutputTag<Visit> late = new OutputTag<>("late-visits") {};
 *   SingleOutputStreamOperator<PageCount> counts = visits
 *       .keyBy(v -> v.page)
 *       .window(TumblingEventTimeWindows.of(Duration.ofSeconds(10)))
 *       .allowedLateness(Duration.ofSeconds(5))
 *       .sideOutputLateData(late)
 *       .aggregate(new CountVisits(), new EmitPageCount()).uid("count");
 *   counts.sinkTo(countsSink).uid("counts");
 *   counts.getSideOutput(late).sinkTo(lateSink).uid("late");
 *   visits.keyBy(v -> v.user)
 *       .window(EventTimeSessionWindows.withGap(Duration.ofSeconds(3)))
 *       .aggregate(new CountVisits(), new EmitSession()).uid("sessions")
 *       .sinkTo(sessionSink).uid("session-sink");
 *
 * The log is small and written for the lesson: 60 s of visits over two partitions, plus a few visits
 * placed where each step needs them (LATE_VISIT, TOO_LATE_VISIT, Zoe's three visits). Every sink is
 * a two-phase-commit sink, so a failure changes no result (the last step).
 */
import {
  Duration,
  EventTimeSessionWindows,
  FsStateBackend,
  OutputTag,
  ReplayableLog,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  TwoPhaseCommitSink,
  WatermarkStrategies,
  type AggregateFunction,
  type Collector,
  type LogRecord,
  type ProcessWindowContext,
  type Scenario,
  type ScenarioOptions,
  type TimeWindow,
} from '../../src/engine/index';
import { applyScenarioOptions } from '../../src/engine/scenarios/Scenario';

export interface Visit {
  user: string;
  page: string;
  /** The visit's event time (ms), also the log record's timestamp: shown in the side output. */
  time: number;
}

export interface PageCount {
  page: string;
  windowStart: number;
  windowEnd: number;
  count: number;
}

export interface Session {
  user: string;
  start: number;
  end: number;
  visits: number;
}

export const PAGES = ['/home', '/shop', '/news'] as const;
export const USERS = ['ana', 'ben', 'chen', 'dana'] as const;
/** Event time covered by the regular visits. */
export const LOG_SPAN_MS = 60_000;
/** Event time between two visits of one partition (the two partitions are offset by half of it). */
export const VISIT_EVERY_MS = 100;
/**
 * Virtual ms between two records a source subtask emits: the run lasts about 18 s at 1×, and the last
 * step leaves about 9 s to fail a subtask while windows are open (test/worker/run-length.test.ts).
 */
export const EMIT_MS = 30;
export const WINDOW_SIZE_MS = 10_000;
export const OUT_OF_ORDERNESS_MS = 1_000;
export const ALLOWED_LATENESS_MS = 5_000;
export const SESSION_GAP_MS = 3_000;
export const CHECKPOINT_INTERVAL_MS = 500;

/**
 * A /shop visit of the first window [0, 10 s) that arrives after the window fired, while the watermark
 * is still within the allowed lateness (it is read right after the visits at 13.5 s): the window
 * fires again.
 */
export const LATE_VISIT: Visit = { user: 'ben', page: '/shop', time: 9_900 };
const LATE_VISIT_AFTER_MS = 13_500;
/**
 * Another /shop visit of [0, 10 s), read after the visits at 19.5 s: the watermark has passed the
 * window's cleanup time (9,999 + 5,000), so it goes to the late side output.
 */
export const TOO_LATE_VISIT: Visit = { user: 'chen', page: '/shop', time: 9_000 };
const TOO_LATE_VISIT_AFTER_MS = 19_500;
/**
 * Zoe: visits at 21 s and 24.6 s are two sessions (3.6 s apart, the gap is 3 s); her visit at 23 s is
 * read just after the one at 24.6 s (out of order, but before the watermark reaches 23,999) and
 * bridges them: one session [21 s, 27.6 s) with 3 visits.
 */
export const ZOE_VISITS: readonly Visit[] = [
  { user: 'zoe', page: '/home', time: 21_000 },
  { user: 'zoe', page: '/shop', time: 24_600 },
  { user: 'zoe', page: '/news', time: 23_000 },
];
export const ZOE_SESSION: Session = { user: 'zoe', start: 21_000, end: 27_600, visits: 3 };

export const LATE_VISITS = new OutputTag<Visit>('late-visits');

/**
 * Who visits at `time`: each regular user is active 4 s out of every 8 s (offsets 2 s apart, so two
 * are active at a time), and away for 4 s — longer than the session gap: one session per burst.
 */
function userAt(time: number, j: number): string {
  const active = USERS.filter((_, u) => (Math.floor(time / 1000) + 2 * u) % 8 < 4);
  return active[j % active.length];
}

/** The visits log: two partitions, a visit every 100 ms each, plus the lesson's placed visits. */
export function generatePageVisitLog(): ReplayableLog<Visit> {
  const parts: LogRecord<Visit>[][] = [[], []];
  const per = LOG_SPAN_MS / VISIT_EVERY_MS;
  const record = (v: Visit): LogRecord<Visit> => ({ value: v, timestamp: v.time });
  for (let p = 0; p < 2; p++)
    for (let j = 0; j < per; j++) {
      const time = j * VISIT_EVERY_MS + p * (VISIT_EVERY_MS / 2);
      const page = PAGES[(j * 7 + p * 2 + Math.floor(j / 5)) % PAGES.length];
      parts[p].push(record({ user: userAt(time, j + p), page, time }));
      if (p === 0 && time === LATE_VISIT_AFTER_MS) parts[p].push(record(LATE_VISIT));
      if (p === 0 && time === TOO_LATE_VISIT_AFTER_MS) parts[p].push(record(TOO_LATE_VISIT));
      if (p === 1 && time === ZOE_VISITS[0].time + VISIT_EVERY_MS / 2) parts[p].push(record(ZOE_VISITS[0]));
      if (p === 1 && time === ZOE_VISITS[1].time - VISIT_EVERY_MS / 2) {
        parts[p].push(record(ZOE_VISITS[1]));
        parts[p].push(record(ZOE_VISITS[2]));
      }
    }
  return new ReplayableLog('visits', parts);
}

/** Counts a window's visits: the accumulator is the count (Flink's CountingAggregator). */
export const countVisits: AggregateFunction<Visit, number, number> = {
  createAccumulator: () => 0,
  add: (_v, acc) => acc + 1,
  getResult: (acc) => acc,
  merge: (a, b) => a + b,
};

function emitPageCount(
  page: string,
  ctx: ProcessWindowContext<TimeWindow>,
  counts: number[],
  out: Collector<PageCount>,
): void {
  const w = ctx.window();
  out.collect({ page, windowStart: w.start, windowEnd: w.end, count: counts[0] });
}

function emitSession(
  user: string,
  ctx: ProcessWindowContext<TimeWindow>,
  counts: number[],
  out: Collector<Session>,
): void {
  const w = ctx.window();
  out.collect({ user, start: w.start, end: w.end, visits: counts[0] });
}

export function buildPageVisitWindows(options: ScenarioOptions = {}) {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  env.setStateBackend(new FsStateBackend('file:///tmp/checkpoints'));
  env.enableCheckpointing(CHECKPOINT_INTERVAL_MS);
  const visits = env
    .fromSource(
      generatePageVisitLog(),
      'Source: visits (Kafka-like, 2 partitions)',
      EMIT_MS,
      WatermarkStrategies.forBoundedOutOfOrderness(OUT_OF_ORDERNESS_MS),
    )
    .uid('visits');
  const counts = visits
    .keyBy((v: Visit) => v.page)
    .window(TumblingEventTimeWindows.of(Duration.ofMillis(WINDOW_SIZE_MS)))
    .allowedLateness(Duration.ofMillis(ALLOWED_LATENESS_MS))
    .sideOutputLateData(LATE_VISITS)
    .aggregate<number, number, PageCount>(countVisits, emitPageCount)
    .uid('count')
    .name('Window: visits per page, 10 s tumbling');
  counts.addSink(new TwoPhaseCommitSink<PageCount>()).uid('counts').name('Sink: page counts');
  counts
    .getSideOutput(LATE_VISITS)
    .addSink(new TwoPhaseCommitSink<Visit>())
    .uid('late')
    .name('Sink: late visits (side output)');
  visits
    .keyBy((v: Visit) => v.user)
    .window(EventTimeSessionWindows.withGap(Duration.ofMillis(SESSION_GAP_MS)))
    .aggregate<number, number, Session>(countVisits, emitSession)
    .uid('sessions')
    .name('Window: sessions per user, 3 s gap')
    .addSink(new TwoPhaseCommitSink<Session>())
    .uid('session-sink')
    .name('Sink: sessions');
  applyScenarioOptions(env, options);
  return env.getJobGraph('Windows and late data');
}

export const scenario: Scenario = {
  name: 'lesson-windows-and-late-data',
  description:
    'Visits per page in 10 s tumbling event-time windows (1 s out-of-orderness, 5 s allowed lateness, late visits to a side output) and visitor sessions (3 s gap).',
  build: buildPageVisitWindows,
};
