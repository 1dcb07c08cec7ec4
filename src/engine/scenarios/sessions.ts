/**
 * The seed's third application (§1.3 "维护用户会话状态"): per-user session windows, closed by a
 * 30-minute inactivity timer in event time.
 *
 * The same job in Java (Flink 1.x DataStream API):
 *
 * ```java
 * StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
 * env.setParallelism(4);
 * env.enableCheckpointing(1000); // exactly-once by default
 *
 * env.fromSource(kafkaSource, // topic "clicks", 4 partitions, keyed by user, record timestamps = event time
 *         WatermarkStrategy.<ClickOrHeartbeat>forBoundedOutOfOrderness(Duration.ofSeconds(5))
 *             .withIdleness(Duration.ofMillis(500)),
 *         "Source: clicks")
 *     .uid("source")
 *     .flatMap((ClickOrHeartbeat e, Collector<PageView> out) -> { if (!e.isHeartbeat()) out.collect(e.view()); })
 *     .returns(PageView.class).uid("drop-heartbeats")
 *     .keyBy(view -> view.user)
 *     .process(new Sessionize()).uid("sessionize")
 *     .sinkTo(sessionSink).uid("sessions"); // e.g. a KafkaSink with DeliveryGuarantee.EXACTLY_ONCE
 *
 * public class Sessionize extends KeyedProcessFunction<String, PageView, Session> {
 *   static final long GAP = Duration.ofMinutes(30).toMillis();
 *   private transient MapState<String, Integer> pages;   // page -> visits in the open session
 *   private transient ValueState<SessionBounds> bounds;  // { long start; long end; int events; }
 *
 *   @Override
 *   public void open(Configuration parameters) {
 *     pages = getRuntimeContext().getMapState(new MapStateDescriptor<>("pages", String.class, Integer.class));
 *     bounds = getRuntimeContext().getState(new ValueStateDescriptor<>("bounds", SessionBounds.class));
 *   }
 *
 *   @Override
 *   public void processElement(PageView view, Context ctx, Collector<Session> out) throws Exception {
 *     long ts = ctx.timestamp();
 *     SessionBounds b = bounds.value();
 *     if (b != null && ts >= b.end + GAP) {
 *       // 30 minutes of inactivity already passed in event time: the timer is due, but the watermark
 *       // has not reached it yet. Close the old session first.
 *       ctx.timerService().deleteEventTimeTimer(b.end + GAP);
 *       emitAndClear(ctx.getCurrentKey(), b, out);
 *       b = null;
 *     }
 *     if (b == null) {
 *       b = new SessionBounds(ts, ts, 0);
 *     } else {
 *       ctx.timerService().deleteEventTimeTimer(b.end + GAP); // the session got longer
 *     }
 *     b = new SessionBounds(Math.min(b.start, ts), Math.max(b.end, ts), b.events + 1);
 *     Integer n = pages.get(view.page);
 *     pages.put(view.page, n == null ? 1 : n + 1);
 *     bounds.update(b);
 *     ctx.timerService().registerEventTimeTimer(b.end + GAP);
 *   }
 *
 *   @Override
 *   public void onTimer(long timestamp, OnTimerContext ctx, Collector<Session> out) throws Exception {
 *     SessionBounds b = bounds.value();
 *     if (b != null) emitAndClear(ctx.getCurrentKey(), b, out); // 30 minutes without a click
 *   }
 *
 *   private void emitAndClear(String user, SessionBounds b, Collector<Session> out) throws Exception {
 *     Map<String, Integer> visits = new TreeMap<>();
 *     for (Map.Entry<String, Integer> e : pages.entries()) visits.put(e.getKey(), e.getValue());
 *     out.collect(new Session(user, b.start, b.end, visits, b.events));
 *     pages.clear();
 *     bounds.clear();
 *   }
 * }
 * ```
 *
 * The rule, exactly: per user, in event-time order, a view 30 minutes or more after the previous
 * view of the user starts a new session. (No gap in the log is between 20 and 40 minutes, so
 * the boundary cannot matter; Flink's own `EventTimeSessionWindows.withGap(30 min)` gives the same
 * sessions on it.)
 *
 * Why close the old session in processElement too? The timer fires when the subtask's watermark
 * passes `end + 30 min`. That watermark is the minimum over the four partitions; the partitions hold
 * different numbers of records but are read at the same rate, so their event times drift apart by
 * tens of minutes, and a view after an hour's pause often arrives before the old session's timer fired.
 *
 * The log (`generateClickLog`, fixed data seed): 120 users, 3–6 sessions each, 1–25 views a session
 * (10 s – 20 min apart), 40 min – 4 h between a user's sessions: 7,153 views forming
 * {@link EXPECTED_SESSIONS} = 547 sessions over about 23 hours of event time, 4 partitions keyed by
 * user (so each user's views stay in order in one partition), each record up to 4 s late at its
 * partition (watermark bound 5 s: nothing is ever late).
 *
 * The end of the log: a Kafka topic has no end, so after the last view the watermark stops, and in
 * Flink the sessions still open then would stay open until more data arrives (idleness does not
 * help: it leaves a quiet partition out of the minimum, it does not advance time). Here each
 * partition ends with a HEARTBEAT record two hours after the last view, as producers that want
 * event time to keep moving write them: it pushes every partition's watermark past all inactivity
 * timers, so all 547 sessions close and are committed. The `drop-heartbeats` flatMap removes them
 * right after the source, which has already taken their timestamps into its watermark. Build with
 * `{ heartbeats: false }` to see the other behaviour: the last sessions stay open in the state.
 *
 * One realistic exception remains: a failover after the sources have read (and checkpointed) the end
 * of the log but before the heartbeat's watermark reached the timers. Watermarks are not part of a
 * checkpoint (in Flink neither): the restored sources have nothing left to read, their watermark
 * starts again from -∞, and the restored timers wait for data. Exactly-once still holds: every
 * session is committed once or is still open in the state.
 */
import { StreamExecutionEnvironment } from '../api/StreamExecutionEnvironment';
import { FsStateBackend } from '../api/StateBackends';
import type { Collector, KeyedProcessContext, KeyedProcessFunction, RuntimeContext } from '../api/functions';
import { ReplayableLog, type LogRecord } from '../connectors/ReplayableLog';
import { TwoPhaseCommitSink } from '../connectors/sinks';
import { javaHashCode } from '../keygroups/hashCode';
import { Random } from '../runtime/Random';
import type { MapState, ValueState } from '../state/State';
import { MapStateDescriptor, ValueStateDescriptor } from '../state/StateDescriptor';
import { Types } from '../api/typeinfo/Types';
import { WatermarkStrategies } from '../time/WatermarkStrategy';
import { applyScenarioOptions, type Scenario, type ScenarioOptions } from './Scenario';

export interface PageView {
  user: string;
  page: string;
  ts: number;
}

/** A record a producer writes only to move event time forward; not a view. */
export interface Heartbeat {
  heartbeat: true;
  ts: number;
}

export type ClickLogEntry = PageView | Heartbeat;

export interface Session {
  user: string;
  start: number;
  end: number;
  /** Visits per page in the session. */
  pages: Record<string, number>;
  events: number;
}

interface SessionBounds {
  start: number;
  end: number;
  events: number;
}

/** Sessions in the default log (all of them close, thanks to the closing heartbeats). */
export const EXPECTED_SESSIONS = 547;

/** A session ends after this much inactivity (event time). */
export const SESSION_GAP_MS = 30 * 60_000;
export const CLICK_MAX_DELAY_MS = 4_000;
export const CLICK_OUT_OF_ORDERNESS_MS = 5_000;
export const CLICK_IDLENESS_MS = 500;
/** How far after the last view the closing heartbeats are. */
export const HEARTBEAT_AFTER_MS = 2 * 60 * 60_000;

const PAGES = ['/home', '/search', '/product', '/cart', '/checkout', '/help', '/account', '/blog'];

/** 2024-06-01T06:00:00Z. */
const START_MS = Date.UTC(2024, 5, 1, 6);

export interface ClickLogOptions {
  users?: number;
  partitions?: number;
  dataSeed?: number;
  /** End every partition with a heartbeat (default true): all sessions close. */
  heartbeats?: boolean;
}

export function isHeartbeat(e: ClickLogEntry): e is Heartbeat {
  return 'heartbeat' in e;
}

/** A deterministic click log (see the file comment). */
export function generateClickLog(options: ClickLogOptions = {}): ReplayableLog<ClickLogEntry> {
  const users = options.users ?? 120;
  const partitions = options.partitions ?? 4;
  const rng = new Random(options.dataSeed ?? 20240603);
  const entries: Array<{ view: PageView; arrival: number }> = [];
  for (let u = 0; u < users; u++) {
    const user = `user-${String(u).padStart(3, '0')}`;
    let t = START_MS + rng.int(0, 2 * 60 * 60_000);
    const sessions = rng.int(3, 6);
    for (let s = 0; s < sessions; s++) {
      if (s > 0) t += rng.int(40 * 60_000, 4 * 60 * 60_000);
      const views = rng.int(1, 25);
      for (let v = 0; v < views; v++) {
        // Mostly quick clicks, now and then a long read: 10 s to 20 min.
        if (v > 0) t += 10_000 + Math.floor(Math.pow(rng.next(), 3) * (20 * 60_000 - 10_000));
        // Popular pages first: a skewed pick.
        const page = PAGES[Math.floor(PAGES.length * Math.pow(rng.next(), 1.5))];
        entries.push({ view: { user, page, ts: t }, arrival: t + rng.int(0, CLICK_MAX_DELAY_MS) });
      }
    }
  }
  entries.sort(
    (a, b) => a.arrival - b.arrival || a.view.ts - b.view.ts || (a.view.user < b.view.user ? -1 : 1),
  );
  const parts: LogRecord<ClickLogEntry>[][] = Array.from({ length: partitions }, () => []);
  let maxTs = START_MS;
  for (const { view } of entries) {
    parts[Math.abs(javaHashCode(view.user)) % partitions].push({ value: view, timestamp: view.ts });
    if (view.ts > maxTs) maxTs = view.ts;
  }
  if (options.heartbeats ?? true) {
    const ts = maxTs + HEARTBEAT_AFTER_MS;
    for (const p of parts) p.push({ value: { heartbeat: true, ts }, timestamp: ts });
  }
  return new ReplayableLog('clicks', parts);
}

/** Drops heartbeats (after the source has taken their timestamps into its watermark). */
export function dropHeartbeats(e: ClickLogEntry, out: Collector<PageView>): void {
  if (!isHeartbeat(e)) out.collect(e);
}

/**
 * Keyed by user: the open session's page counts in a MapState, its start/end/count in a ValueState,
 * and one event-time timer at `end + 30 min`, moved on every view.
 */
export class Sessionize implements KeyedProcessFunction<string, PageView, Session> {
  private pages!: MapState<string, number>;
  private bounds!: ValueState<SessionBounds>;

  open(ctx: RuntimeContext): void {
    this.pages = ctx.getMapState(new MapStateDescriptor('pages', Types.STRING, Types.INT));
    this.bounds = ctx.getState(
      new ValueStateDescriptor(
        'bounds',
        Types.POJO<SessionBounds>('SessionBounds', { start: Types.LONG, end: Types.LONG, events: Types.INT }),
      ),
    );
  }

  processElement(view: PageView, ctx: KeyedProcessContext<string>, out: Collector<Session>): void {
    const ts = ctx.timestamp();
    if (ts === null) throw new Error('Sessionize needs event-time timestamps');
    const timers = ctx.timerService();
    let b = this.bounds.value();
    if (b !== null && ts >= b.end + SESSION_GAP_MS) {
      // 30 minutes of inactivity already passed in event time: the timer is due, but the watermark
      // has not reached it yet. Close the old session first.
      timers.deleteEventTimeTimer(b.end + SESSION_GAP_MS);
      this.emitAndClear(ctx.getCurrentKey(), b, out);
      b = null;
    }
    if (b === null) b = { start: ts, end: ts, events: 0 };
    else timers.deleteEventTimeTimer(b.end + SESSION_GAP_MS); // the session got longer
    b = { start: Math.min(b.start, ts), end: Math.max(b.end, ts), events: b.events + 1 };
    this.pages.put(view.page, (this.pages.get(view.page) ?? 0) + 1);
    this.bounds.update(b);
    timers.registerEventTimeTimer(b.end + SESSION_GAP_MS);
  }

  /** 30 minutes without a view (the watermark says so): the session is over. */
  onTimer(_timestamp: number, ctx: KeyedProcessContext<string>, out: Collector<Session>): void {
    const b = this.bounds.value();
    if (b !== null) this.emitAndClear(ctx.getCurrentKey(), b, out);
  }

  private emitAndClear(user: string, b: SessionBounds, out: Collector<Session>): void {
    const pages: Record<string, number> = {};
    for (const page of [...this.pages.keys()].sort()) pages[page] = this.pages.get(page) ?? 0;
    out.collect({ user, start: b.start, end: b.end, pages, events: b.events });
    this.pages.clear();
    this.bounds.clear();
  }
}

export function buildSessions(options: ScenarioOptions & ClickLogOptions = {}) {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(4);
  env.setStateBackend(new FsStateBackend('file:///tmp/checkpoints'));
  env.enableCheckpointing(1000);
  env
    .fromSource(
      generateClickLog(options),
      'Source: clicks (Kafka-like, 4 partitions)',
      1,
      WatermarkStrategies.forBoundedOutOfOrderness(CLICK_OUT_OF_ORDERNESS_MS).withIdleness(CLICK_IDLENESS_MS),
    )
    .uid('source')
    .flatMap(dropHeartbeats)
    .uid('drop-heartbeats')
    .name('Flat Map: drop heartbeats')
    .keyBy((view: PageView) => view.user)
    .process(new Sessionize())
    .uid('sessionize')
    .name('Process: 30-minute inactivity sessions')
    .addSink(new TwoPhaseCommitSink<Session>())
    .uid('sessions')
    .name('Sink: sessions (two-phase commit)');
  applyScenarioOptions(env, options);
  return env.getJobGraph('User sessions');
}

export const sessions: Scenario = {
  name: 'sessions',
  description: `30-minute inactivity sessions (event time): MapState + timer, 7,153 views, ${EXPECTED_SESSIONS} sessions, 2PC sink.`,
  build: buildSessions,
};
