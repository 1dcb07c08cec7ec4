/**
 * Lesson 11's job: the seed's two timer applications (§1.3, §6.1) side by side in one job, as two
 * independent pipelines — consecutive failed logins (ValueState + event-time timer, the `anomalies`
 * scenario) and 30-minute user sessions (MapState + ValueState + event-time timer, the `sessions`
 * scenario). They share checkpoints but not channels, so each is its own pipelined region: a failure
 * in one restarts only that one (Flink's region failover).
 *
 * Sources keep one subtask per partition (their watermarks are per subtask); the keyed operators and
 * the sinks run with parallelism 2 so that the graph stays readable.
 */
import {
  FsStateBackend,
  StreamExecutionEnvironment,
  TwoPhaseCommitSink,
  WatermarkStrategies,
  type Scenario,
  type ScenarioOptions,
} from '../../src/engine/index';
import { applyScenarioOptions } from '../../src/engine/scenarios/Scenario';
import {
  DetectConsecutiveFailures,
  generateLoginLog,
  LOGIN_IDLENESS_MS,
  LOGIN_OUT_OF_ORDERNESS_MS,
  type Alert,
  type Login,
} from '../../src/engine/scenarios/anomalies';
import {
  CLICK_IDLENESS_MS,
  CLICK_OUT_OF_ORDERNESS_MS,
  dropHeartbeats,
  generateClickLog,
  Sessionize,
  type PageView,
  type Session,
} from '../../src/engine/scenarios/sessions';

/** Virtual ms between two records of a partition: the run lasts about 12 s at 1×, time to fail a subtask and watch. */
export const SOURCE_EMIT_MS = 6;

export function buildTimers(options: ScenarioOptions = {}) {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(4);
  env.setStateBackend(new FsStateBackend('file:///tmp/checkpoints'));
  env.enableCheckpointing(1000);

  env
    .fromSource(
      generateLoginLog(),
      'Source: logins (Kafka-like, 4 partitions)',
      SOURCE_EMIT_MS,
      WatermarkStrategies.forBoundedOutOfOrderness(LOGIN_OUT_OF_ORDERNESS_MS).withIdleness(LOGIN_IDLENESS_MS),
    )
    .uid('logins')
    .keyBy((login: Login) => login.user)
    .process(new DetectConsecutiveFailures())
    .uid('detect')
    .name('Process: 3 failed logins within a minute')
    .setParallelism(2)
    .addSink(new TwoPhaseCommitSink<Alert>())
    .uid('alerts')
    .name('Sink: alerts (two-phase commit)')
    .setParallelism(2);

  env
    .fromSource(
      generateClickLog(),
      'Source: clicks (Kafka-like, 4 partitions)',
      SOURCE_EMIT_MS,
      WatermarkStrategies.forBoundedOutOfOrderness(CLICK_OUT_OF_ORDERNESS_MS).withIdleness(CLICK_IDLENESS_MS),
    )
    .uid('clicks')
    .flatMap(dropHeartbeats)
    .uid('drop-heartbeats')
    .name('Flat Map: drop heartbeats')
    .keyBy((view: PageView) => view.user)
    .process(new Sessionize())
    .uid('sessionize')
    .name('Process: 30-minute inactivity sessions')
    .setParallelism(2)
    .addSink(new TwoPhaseCommitSink<Session>())
    .uid('sessions')
    .name('Sink: sessions (two-phase commit)')
    .setParallelism(2);

  applyScenarioOptions(env, options);
  return env.getJobGraph('Timers: failed logins and sessions');
}

export const scenario: Scenario = {
  name: 'lesson-applications-with-timers',
  description:
    "Lesson 11: the seed's timer applications in one job — 3 failed logins within a minute (ValueState + timer) and 30-minute sessions (MapState + timer).",
  build: buildTimers,
};
