/**
 * Lesson 14: count each page's visits per 10 s window of event time. The visits come from a log with
 * two partitions and event-time timestamps; watermarks allow 1 s of out-of-orderness. Solution: a
 * tumbling event-time window per page, counted by `countVisits`, one row per window by
 * `emitPageCount`.
 */
import {
  Duration,
  FsStateBackend,
  ReplayableLog,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  TwoPhaseCommitSink,
  WatermarkStrategies,
  type AggregateFunction,
  type Collector,
  type LogRecord,
  type ProcessWindowContext,
  type TimeWindow,
} from 'stream-state-lab';

interface Visit {
  user: string;
  page: string;
  time: number;
}

interface PageCount {
  page: string;
  windowStart: number;
  windowEnd: number;
  count: number;
}

/** 40 s of visits: each partition one every 100 ms (the second half-way between the first's). */
function visitLog(): ReplayableLog<Visit> {
  const pages = ['/home', '/shop', '/news'];
  const parts: LogRecord<Visit>[][] = [[], []];
  for (let p = 0; p < 2; p++)
    for (let j = 0; j < 400; j++) {
      const time = j * 100 + p * 50;
      const page = pages[(j * 7 + p * 2 + Math.floor(j / 5)) % pages.length];
      parts[p].push({ value: { user: `visitor-${j % 4}`, page, time }, timestamp: time });
    }
  return new ReplayableLog('visits', parts);
}

/** The accumulator is the count. */
const countVisits: AggregateFunction<Visit, number, number> = {
  createAccumulator: () => 0,
  add: (_visit, count) => count + 1,
  getResult: (count) => count,
  merge: (a, b) => a + b,
};

/** One row per window firing: the page, the window and its count. */
function emitPageCount(
  page: string,
  ctx: ProcessWindowContext<TimeWindow>,
  counts: number[],
  out: Collector<PageCount>,
): void {
  const w = ctx.window();
  out.collect({ page, windowStart: w.start, windowEnd: w.end, count: counts[0] });
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(2);
env.setStateBackend(new FsStateBackend('file:///tmp/checkpoints'));
env.enableCheckpointing(500);

env
  .fromSource(visitLog(), 'Source: visits', 10, WatermarkStrategies.forBoundedOutOfOrderness(1000))
  .uid('visits')
  .keyBy((v: Visit) => v.page)
  .window(TumblingEventTimeWindows.of(Duration.ofSeconds(10)))
  .aggregate(countVisits, emitPageCount)
  .uid('count')
  .name('Window: visits per page, 10 s tumbling')
  .sinkTo(new TwoPhaseCommitSink<PageCount>())
  .uid('counts')
  .name('Sink: page counts');

await env.execute('Visits per page and window (yours)');
