/**
 * The seed's second application (§1.3 "检测连续的异常事件", §6.1 "检测异常事件"): flag a user after
 * THREE consecutive failed logins within ONE MINUTE of event time.
 *
 * The same job in Java (Flink 1.x DataStream API):
 *
 * ```java
 * StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
 * env.setParallelism(4);
 * env.enableCheckpointing(1000); // exactly-once by default
 *
 * DataStream<Login> logins = env
 *     .fromSource(kafkaSource, // topic "logins", 4 partitions, keyed by user, record timestamps = event time
 *         WatermarkStrategy.<Login>forBoundedOutOfOrderness(Duration.ofSeconds(5))
 *             .withIdleness(Duration.ofMillis(500)),
 *         "Source: logins")
 *     .uid("source");
 *
 * logins
 *     .keyBy(login -> login.user)
 *     .process(new DetectConsecutiveFailures()).uid("detect")
 *     .sinkTo(alertSink).uid("alerts"); // e.g. a KafkaSink with DeliveryGuarantee.EXACTLY_ONCE (two-phase commit)
 *
 * public class DetectConsecutiveFailures extends KeyedProcessFunction<String, Login, Alert> {
 *   static final long WINDOW = 60_000;
 *   private transient ValueState<Streak> streak; // { int count; long firstFailureAt; }
 *
 *   @Override
 *   public void open(Configuration parameters) {
 *     streak = getRuntimeContext().getState(new ValueStateDescriptor<>("streak", Streak.class));
 *   }
 *
 *   @Override
 *   public void processElement(Login login, Context ctx, Collector<Alert> out) throws Exception {
 *     long ts = ctx.timestamp();
 *     Streak s = streak.value();
 *     if (s != null && (login.ok || ts - s.firstFailureAt >= WINDOW)) {
 *       // a success ends the streak; so does a failure a minute or more after the streak's first one
 *       // (its timer is due, but the watermark may not have reached it yet)
 *       ctx.timerService().deleteEventTimeTimer(s.firstFailureAt + WINDOW);
 *       streak.clear();
 *       s = null;
 *     }
 *     if (login.ok) return;
 *     if (s == null) {
 *       streak.update(new Streak(1, ts));
 *       ctx.timerService().registerEventTimeTimer(ts + WINDOW);
 *     } else if (s.count + 1 == 3) {
 *       out.collect(new Alert(login.user, s.firstFailureAt, ts));
 *       ctx.timerService().deleteEventTimeTimer(s.firstFailureAt + WINDOW);
 *       streak.clear();
 *     } else {
 *       streak.update(new Streak(s.count + 1, s.firstFailureAt));
 *     }
 *   }
 *
 *   @Override
 *   public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) {
 *     streak.clear(); // a minute has passed since the first failure: the streak is over
 *   }
 * }
 * ```
 *
 * The rule, exactly: per user, in event-time order, a streak starts at a failure; further failures
 * join it while they are less than 60 s after its first failure; a success ends it; a failure 60 s
 * or more after the first failure starts a new streak. The third failure of a streak raises an alert
 * and ends the streak (a fourth failure starts a new one).
 *
 * Why check the timestamp in processElement when a timer clears the streak? The timer fires when the
 * subtask's watermark passes `firstFailure + 60 s`; the watermark is the minimum over all four
 * partitions minus the out-of-orderness bound, so it lags the records of a fast partition. A failure
 * 70 s after the first one can arrive before the timer fired. The timer is what frees the state of a
 * user who never logs in again; the timestamp check is what makes the answer independent of timing.
 *
 * The log (`generateLoginLog`, fixed data seed): 160 users, 4,000 login "episodes", 5,544 logins
 * (1,879 failed) over about 7 hours of event time, 4 partitions keyed by user (a producer that keys its
 * records, as Kafka's default partitioner does, so each user's logins stay in order in one
 * partition). Each record reaches the broker up to 4 s late, so a partition is out of order across
 * users by up to 4 s; the watermark bound is 5 s, so no record is ever late. Background episodes are
 * a plain successful login (65 %), a typo (a failure, then a success; 25 %) or a user who gives up
 * after one or two failures (10 %: the timer ends that streak, or, when the watermark lags, the
 * user's next failure minutes later). A user's episodes are 2–20 minutes apart, so no streak spans
 * two episodes. Planted among them (each ends with a success):
 *
 * | episode        | failures (offsets from the first)       | alerts |
 * | -------------- | --------------------------------------- | ------ |
 * | `fast` × 40    | 3 failures, 5–25 s apart (≤ 50 s)       | 40     |
 * | `edge-in` × 6  | 0, 30 s, 59.999 s                       | 6      |
 * | `slow` × 30    | 3 failures, 31–45 s apart (> 60 s)      | 0      |
 * | `edge-out` × 6 | 0, 30 s, 60 s (the third is too late)   | 0      |
 * | `broken` × 30  | failure, failure, success, failure      | 0      |
 *
 * so the job must commit exactly {@link EXPECTED_ALERTS} = 46 alerts.
 */
import { StreamExecutionEnvironment } from '../api/StreamExecutionEnvironment';
import { FsStateBackend } from '../api/StateBackends';
import type { Collector, KeyedProcessContext, KeyedProcessFunction, RuntimeContext } from '../api/functions';
import { ReplayableLog, type LogRecord } from '../connectors/ReplayableLog';
import { TwoPhaseCommitSink } from '../connectors/sinks';
import { javaHashCode } from '../keygroups/hashCode';
import { Random } from '../runtime/Random';
import type { ValueState } from '../state/State';
import { ValueStateDescriptor } from '../state/StateDescriptor';
import { Types } from '../api/typeinfo/Types';
import { WatermarkStrategies } from '../time/WatermarkStrategy';
import { applyScenarioOptions, type Scenario, type ScenarioOptions } from './Scenario';

export interface Login {
  user: string;
  ok: boolean;
}

export interface Alert {
  user: string;
  firstFailureAt: number;
  thirdFailureAt: number;
}

/** The open streak of consecutive failures of one user. */
interface Streak {
  count: number;
  firstFailureAt: number;
}

/** Three failures less than this far apart (event time) raise an alert. */
export const ANOMALY_WINDOW_MS = 60_000;
export const FAILURES_FOR_ALERT = 3;
/** How late a record may reach its partition (bounded disorder of the log). */
export const LOGIN_MAX_DELAY_MS = 4_000;
/** The watermark's out-of-orderness bound: larger than the log's disorder, so nothing is late. */
export const LOGIN_OUT_OF_ORDERNESS_MS = 5_000;
/** Virtual (processing) time without records after which a source subtask declares itself idle. */
export const LOGIN_IDLENESS_MS = 500;

/** Planted episodes: how many of each kind, and how many alerts each must raise. */
export const PLANTED_EPISODES = {
  fast: 40,
  'edge-in': 6,
  slow: 30,
  'edge-out': 6,
  broken: 30,
} as const;

/** The number of alerts the default log must produce (40 fast + 6 edge-in streaks). */
export const EXPECTED_ALERTS = PLANTED_EPISODES.fast + PLANTED_EPISODES['edge-in'];

type EpisodeKind = keyof typeof PLANTED_EPISODES | 'login' | 'typo' | 'gave-up';

export interface LoginLogOptions {
  users?: number;
  /** Total episodes, planted ones included. */
  episodes?: number;
  partitions?: number;
  dataSeed?: number;
}

/** 2024-06-01T08:00:00Z: event time of the first possible login. */
const START_MS = Date.UTC(2024, 5, 1, 8);

/** Offsets (ms from the episode's start) and outcomes of one episode's logins. */
function episodeLogins(kind: EpisodeKind, rng: Random): Array<[number, boolean]> {
  const seconds = (lo: number, hi: number) => rng.int(lo * 1000, hi * 1000);
  switch (kind) {
    case 'login':
      return [[0, true]];
    case 'typo':
      return [
        [0, false],
        [seconds(5, 20), true],
      ];
    case 'gave-up':
      // One or two failures, then the user leaves: only the timer ends this streak (or, if the
      // watermark lags, the user's next failure, minutes later).
      return rng.next() < 0.5
        ? [[0, false]]
        : [
            [0, false],
            [seconds(5, 25), false],
          ];
    case 'fast': {
      const a = seconds(5, 25);
      const b = a + seconds(5, 25);
      return [
        [0, false],
        [a, false],
        [b, false],
        [b + seconds(10, 60), true],
      ];
    }
    case 'edge-in':
      return [
        [0, false],
        [30_000, false],
        [ANOMALY_WINDOW_MS - 1, false],
        [ANOMALY_WINDOW_MS + 20_000, true],
      ];
    case 'slow': {
      const a = seconds(31, 45);
      const b = a + seconds(31, 45);
      return [
        [0, false],
        [a, false],
        [b, false],
        [b + seconds(10, 60), true],
      ];
    }
    case 'edge-out':
      return [
        [0, false],
        [30_000, false],
        [ANOMALY_WINDOW_MS, false],
        [ANOMALY_WINDOW_MS + 20_000, true],
      ];
    case 'broken': {
      const a = seconds(5, 15);
      const b = a + seconds(5, 15);
      const c = b + seconds(5, 15);
      return [
        [0, false],
        [a, false],
        [b, true],
        [c, false],
        [c + seconds(10, 30), true],
      ];
    }
  }
}

/**
 * A deterministic login log. Users take turns at random; each episode starts 2–20 minutes after the
 * user's previous one ended. Within a user, logins are at least 5 s apart (more than the 4 s of
 * broker delay), so every user's logins are in event-time order in the log.
 */
export function generateLoginLog(options: LoginLogOptions = {}): ReplayableLog<Login> {
  const users = options.users ?? 160;
  const episodes = options.episodes ?? 4_000;
  const partitions = options.partitions ?? 4;
  const rng = new Random(options.dataSeed ?? 20240602);

  const kinds: EpisodeKind[] = [];
  for (const [kind, n] of Object.entries(PLANTED_EPISODES) as Array<[EpisodeKind, number]>)
    for (let i = 0; i < n; i++) kinds.push(kind);
  while (kinds.length < episodes) {
    const r = rng.next();
    kinds.push(r < 0.65 ? 'login' : r < 0.9 ? 'typo' : 'gave-up');
  }
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [kinds[i], kinds[j]] = [kinds[j], kinds[i]];
  }

  const next = Array.from({ length: users }, () => START_MS + rng.int(0, 10 * 60_000));
  const entries: Array<{ user: string; ok: boolean; ts: number; arrival: number }> = [];
  for (const kind of kinds) {
    const u = rng.int(0, users - 1);
    const user = `user-${String(u).padStart(3, '0')}`;
    const start = next[u];
    let last = start;
    for (const [offset, ok] of episodeLogins(kind, rng)) {
      last = start + offset;
      entries.push({ user, ok, ts: last, arrival: last + rng.int(0, LOGIN_MAX_DELAY_MS) });
    }
    next[u] = last + rng.int(2 * 60_000, 20 * 60_000);
  }

  // The producer keys by user; the broker appends in arrival order.
  const parts: LogRecord<Login>[][] = Array.from({ length: partitions }, () => []);
  entries.sort((a, b) => a.arrival - b.arrival || a.ts - b.ts || (a.user < b.user ? -1 : 1));
  for (const e of entries) {
    const p = Math.abs(javaHashCode(e.user)) % partitions;
    parts[p].push({ value: { user: e.user, ok: e.ok }, timestamp: e.ts });
  }
  return new ReplayableLog('logins', parts);
}

/** Keyed by user: a ValueState holds the open streak, an event-time timer ends it after a minute. */
export class DetectConsecutiveFailures implements KeyedProcessFunction<string, Login, Alert> {
  private streak!: ValueState<Streak>;

  open(ctx: RuntimeContext): void {
    this.streak = ctx.getState(
      new ValueStateDescriptor(
        'streak',
        Types.POJO<Streak>('Streak', { count: Types.INT, firstFailureAt: Types.LONG }),
      ),
    );
  }

  processElement(login: Login, ctx: KeyedProcessContext<string>, out: Collector<Alert>): void {
    const ts = ctx.timestamp();
    if (ts === null) throw new Error('DetectConsecutiveFailures needs event-time timestamps');
    const timers = ctx.timerService();
    let s = this.streak.value();
    if (s !== null && (login.ok || ts - s.firstFailureAt >= ANOMALY_WINDOW_MS)) {
      // A success ends the streak; so does a failure a minute or more after the streak's first one
      // (its timer is due, but the watermark may not have reached it yet).
      timers.deleteEventTimeTimer(s.firstFailureAt + ANOMALY_WINDOW_MS);
      this.streak.clear();
      s = null;
    }
    if (login.ok) return;
    if (s === null) {
      this.streak.update({ count: 1, firstFailureAt: ts });
      timers.registerEventTimeTimer(ts + ANOMALY_WINDOW_MS);
    } else if (s.count + 1 === FAILURES_FOR_ALERT) {
      out.collect({ user: login.user, firstFailureAt: s.firstFailureAt, thirdFailureAt: ts });
      timers.deleteEventTimeTimer(s.firstFailureAt + ANOMALY_WINDOW_MS);
      this.streak.clear();
    } else {
      this.streak.update({ count: s.count + 1, firstFailureAt: s.firstFailureAt });
    }
  }

  /** A minute has passed since the streak's first failure (the watermark says so): it is over. */
  onTimer(): void {
    this.streak.clear();
  }
}

export function buildAnomalies(options: ScenarioOptions & LoginLogOptions = {}) {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(4);
  env.setStateBackend(new FsStateBackend('file:///tmp/checkpoints'));
  env.enableCheckpointing(1000);
  env
    .fromSource(
      generateLoginLog(options),
      'Source: logins (Kafka-like, 4 partitions)',
      1,
      WatermarkStrategies.forBoundedOutOfOrderness(LOGIN_OUT_OF_ORDERNESS_MS).withIdleness(LOGIN_IDLENESS_MS),
    )
    .uid('source')
    .keyBy((login: Login) => login.user)
    .process(new DetectConsecutiveFailures())
    .uid('detect')
    .name('Process: 3 failed logins within a minute')
    .addSink(new TwoPhaseCommitSink<Alert>())
    .uid('alerts')
    .name('Sink: alerts (two-phase commit)');
  applyScenarioOptions(env, options);
  return env.getJobGraph('Consecutive failed logins');
}

export const anomalies: Scenario = {
  name: 'anomalies',
  description: `3 failed logins within 1 minute of event time: ValueState + timer, 5,544 logins, ${EXPECTED_ALERTS} alerts, 2PC sink.`,
  build: buildAnomalies,
};
