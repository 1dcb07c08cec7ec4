/**
 * Flink's Operations Playground job (apache/flink-playgrounds, ClickEventCount + ClickEventGenerator)
 * in the lab. The Java job, with Flink 2.x names:
 *
 *   env.disableOperatorChaining();                       // as the Playground, to see every operator
 *   env.enableCheckpointing(1000);                       // --checkpointing
 *   DataStream<ClickEvent> clicks = env.fromSource(kafkaSource,
 *       WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofMillis(200)), "ClickEvent Source");
 *   if (inflictBackpressure)
 *     clicks = clicks.keyBy(ClickEvent::getPage).map(new BackpressureMap()).name("Backpressure");
 *   clicks.keyBy(ClickEvent::getPage)
 *       .window(TumblingEventTimeWindows.of(Duration.ofSeconds(15)))   // --event-time
 *       .aggregate(new CountingAggregator(), new ClickEventStatisticsCollector())
 *       .name("ClickEvent Counter")
 *       .sinkTo(kafkaSink).name("ClickEventStatistics Sink");
 *
 * The generator's log: six pages visited in turn, each page's timestamps 15 ms apart, so every page
 * has exactly 1000 clicks in every 15 s event-time window (what the Playground's docs check).
 */
import { Duration } from '../api/Duration';
import type { Collector } from '../api/functions';
import { FsStateBackend } from '../api/StateBackends';
import { StreamExecutionEnvironment } from '../api/StreamExecutionEnvironment';
import { RestartStrategies } from '../failover/RestartStrategies';
import { KafkaSource, OffsetsInitializer } from '../connectors/KafkaSource';
import { ReplayableLog, type LogRecord } from '../connectors/ReplayableLog';
import { NonTransactionalSink, TwoPhaseCommitSink } from '../connectors/sinks';
import type { AggregateFunction } from '../state/StateDescriptor';
import { WatermarkStrategies } from '../time/WatermarkStrategy';
import { TumblingEventTimeWindows } from '../windowing/assigners/TumblingEventTimeWindows';
import { TumblingProcessingTimeWindows } from '../windowing/assigners/TumblingProcessingTimeWindows';
import type { ProcessWindowContext } from '../windowing/ProcessWindowFunction';
import type { TimeWindow } from '../windowing/windows/TimeWindow';
import { applyScenarioOptions, type Scenario, type ScenarioOptions } from './Scenario';

export interface ClickEvent {
  timestamp: number;
  page: string;
}

/** The Playground's records.ClickEventStatistics (windowStart/windowEnd as epoch ms). */
export interface ClickEventStatistics {
  windowStart: number;
  windowEnd: number;
  page: string;
  count: number;
}

/** ClickEventGenerator's constants. */
export const CLICK_PAGES = ['/help', '/index', '/shop', '/jobs', '/about', '/news'] as const;
export const CLICK_WINDOW_MS = 15_000;
export const EVENTS_PER_WINDOW = 1000;
/** Each page's clicks are this far apart in event time: 1000 clicks per page per 15 s window. */
export const CLICK_DELAY_MS = CLICK_WINDOW_MS / EVENTS_PER_WINDOW;
/** 16 windows per page: 4 minutes of event time. */
export const CLICK_WINDOWS = 16;
export const CLICK_OUT_OF_ORDERNESS_MS = 200;
/** The Playground's `input` topic has 2 partitions. */
export const CLICK_PARTITIONS = 2;
/**
 * Virtual ms between two records of one source subtask: the 96,000 records take 144 s of processing
 * time at parallelism 2, so processing-time windows do not line up with event-time ones, and the
 * job runs through even and odd minutes (--backpressure).
 */
export const CLICK_EMIT_MS = 3;
/** BackpressureMap: Thread.sleep(100) per record during even minutes of processing time. */
export const BACKPRESSURE_SLEEP_MS = 100;
/** Kafka's `auto.commit.interval.ms` default. */
export const AUTO_COMMIT_INTERVAL_MS = 5000;

/** The generator's output: pages in turn, each page's next click 15 ms after its previous one. */
export function generateClickLog(
  windows = CLICK_WINDOWS,
  partitions = CLICK_PARTITIONS,
): ReplayableLog<ClickEvent> {
  const parts: LogRecord<ClickEvent>[][] = Array.from({ length: partitions }, () => []);
  const total = windows * EVENTS_PER_WINDOW * CLICK_PAGES.length;
  for (let i = 0; i < total; i++) {
    const page = CLICK_PAGES[i % CLICK_PAGES.length];
    const timestamp = Math.floor(i / CLICK_PAGES.length) * CLICK_DELAY_MS;
    // The generator's producer writes round-robin over the topic's partitions.
    parts[i % partitions].push({ value: { timestamp, page }, timestamp });
  }
  return new ReplayableLog('input', parts);
}

/** The Playground's functions.CountingAggregator. */
export const countingAggregator: AggregateFunction<ClickEvent, number, number> = {
  createAccumulator: () => 0,
  add: (_e, acc) => acc + 1,
  getResult: (acc) => acc,
  merge: (a, b) => a + b,
};

/** The Playground's functions.ClickEventStatisticsCollector (a ProcessWindowFunction). */
export function clickEventStatisticsCollector(
  page: string,
  ctx: ProcessWindowContext<TimeWindow>,
  counts: number[],
  out: Collector<ClickEventStatistics>,
): void {
  const w = ctx.window();
  out.collect({ windowStart: w.start, windowEnd: w.end, page, count: counts[0] });
}

/** The Playground's job arguments are ScenarioOptions' PlaygroundArguments. */
export interface ClickCountOptions extends ScenarioOptions {
  /** Windows per page in the log (default 16). */
  windows?: number;
}

export function buildClickCount(options: ClickCountOptions = {}) {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  env.setStateBackend(new FsStateBackend('file:///tmp/flink-checkpoints-directory'));
  env.disableOperatorChaining();
  const checkpointing = options.checkpointing !== false;
  if (checkpointing) env.enableCheckpointing(1000);
  // Without checkpoints Flink's default is no restart; the Playground's cluster restarts the job
  // (restart-strategy: fixed-delay), so that the lost windows show.
  else env.setRestartStrategy(RestartStrategies.fixedDelayRestart(1000, 1000));
  const kafka = KafkaSource.builder<ClickEvent>()
    .setLog(generateClickLog(options.windows ?? CLICK_WINDOWS))
    .setGroupId('click-event-count')
    .setBounded(OffsetsInitializer.latest());
  // Without checkpoints the consumer's offsets are what Kafka auto-committed (enable.auto.commit).
  if (!checkpointing)
    kafka
      .setProperty('enable.auto.commit', 'true')
      .setProperty('auto.commit.interval.ms', String(AUTO_COMMIT_INTERVAL_MS));
  let clicks = env
    .fromSource(
      kafka.build(),
      'ClickEvent Source',
      CLICK_EMIT_MS,
      WatermarkStrategies.forBoundedOutOfOrderness(CLICK_OUT_OF_ORDERNESS_MS),
    )
    .uid('source');
  if (options.backpressure)
    clicks = clicks
      // keyBy first, as the Playground: a network shuffle, so the backpressure reaches the buffers.
      .keyBy((e: ClickEvent) => e.page)
      .map((e: ClickEvent) => e)
      .uid('backpressure')
      .name('Backpressure')
      // BackpressureMap: sleeps 100 ms per record while the minute of processing time is even.
      .setProcessingTime((now: number) => (Math.floor(now / 60_000) % 2 === 0 ? BACKPRESSURE_SLEEP_MS : 0));
  const assigner = options.processingTime
    ? TumblingProcessingTimeWindows.of(Duration.ofMillis(CLICK_WINDOW_MS))
    : TumblingEventTimeWindows.of(Duration.ofMillis(CLICK_WINDOW_MS));
  clicks
    .keyBy((e: ClickEvent) => e.page)
    .window(assigner)
    .aggregate<number, number, ClickEventStatistics>(countingAggregator, clickEventStatisticsCollector)
    .uid('counter')
    .name('ClickEvent Counter')
    .addSink(
      options.sink === 'exactly-once'
        ? new TwoPhaseCommitSink<ClickEventStatistics>()
        : new NonTransactionalSink<ClickEventStatistics>(),
    )
    .uid('sink')
    .name('ClickEventStatistics Sink');
  applyScenarioOptions(env, options);
  return env.getJobGraph('Click Event Count');
}

export const clickcount: Scenario = {
  name: 'clickcount',
  description:
    "Flink's Operations Playground job: clicks per page in 15 s event-time windows (1000 each), chaining off, parallelism 2, at-least-once sink.",
  playgroundArguments: true,
  build: buildClickCount,
};
