/**
 * Lesson 11: three failed logins within a minute, with a timer. A ValueState holds the open streak of
 * a user's failures; an event-time timer a minute after its first failure ends it — and frees the
 * state of a user who never logs in again. Run it in the editor, or `npm run sim -- --job` this file.
 */
import {
  ANOMALY_WINDOW_MS,
  FAILURES_FOR_ALERT,
  FsStateBackend,
  generateLoginLog,
  KeyedProcessFunction,
  LOGIN_IDLENESS_MS,
  LOGIN_OUT_OF_ORDERNESS_MS,
  StreamExecutionEnvironment,
  TwoPhaseCommitSink,
  Types,
  ValueStateDescriptor,
  WatermarkStrategies,
  type Alert,
  type Collector,
  type KeyedProcessContext,
  type Login,
  type RuntimeContext,
  type ValueState,
} from 'stream-state-lab';

/** The open streak of consecutive failures of one user. */
interface Streak {
  count: number;
  firstFailureAt: number;
}

class DetectConsecutiveFailures extends KeyedProcessFunction<string, Login, Alert> {
  private streak!: ValueState<Streak>;

  override open(ctx: RuntimeContext): void {
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
      // A success ends the streak; so does a failure a minute or more after its first one (the
      // timer is due, but the watermark may not have reached it yet).
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
  override onTimer(): void {
    this.streak.clear();
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(4); // the source: one subtask per partition of the log
env.setStateBackend(new FsStateBackend('file:///tmp/checkpoints'));
env.enableCheckpointing(1000);

env
  .fromSource(
    generateLoginLog(), // the lab's "logins" topic: 5,544 logins of 160 users
    'Source: logins (Kafka-like, 4 partitions)',
    6,
    WatermarkStrategies.forBoundedOutOfOrderness(LOGIN_OUT_OF_ORDERNESS_MS).withIdleness(LOGIN_IDLENESS_MS),
  )
  .uid('logins')
  .keyBy((login: Login) => login.user)
  .process(new DetectConsecutiveFailures())
  .uid('detect')
  .name('Process: 3 failed logins within a minute')
  .setParallelism(2)
  .sinkTo(new TwoPhaseCommitSink<Alert>())
  .uid('alerts')
  .name('Sink: alerts (two-phase commit)')
  .setParallelism(2);

await env.execute('Failed logins (yours)');
