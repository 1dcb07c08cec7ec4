/**
 * Lesson 11: three failed logins within a minute. This detector counts a user's consecutive failures
 * in a ValueState, but without the minute: three failures an hour apart raise an alert too, and the
 * streak of a user who gives up after one failure stays in state forever. Bound each streak to one
 * minute of event time with a timer. Then press Run (Ctrl+Enter) and play to the end.
 */
import {
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
    const ts = ctx.timestamp() ?? 0; // the login's event time
    // TODO: a streak lasts one minute (ANOMALY_WINDOW_MS) from its first failure. Register an
    // event-time timer for its end when it starts (ctx.timerService()), delete it when the streak
    // ends early, and treat a failure a minute or more after the first one as a new streak.
    const s = this.streak.value();
    if (login.ok) {
      this.streak.clear(); // a success ends the streak
      return;
    }
    if (s === null) {
      this.streak.update({ count: 1, firstFailureAt: ts });
    } else if (s.count + 1 === FAILURES_FOR_ALERT) {
      out.collect({ user: login.user, firstFailureAt: s.firstFailureAt, thirdFailureAt: ts });
      this.streak.clear();
    } else {
      this.streak.update({ count: s.count + 1, firstFailureAt: s.firstFailureAt });
    }
  }

  // TODO: onTimer() — the minute is over: the streak ends (and its state is freed).
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
