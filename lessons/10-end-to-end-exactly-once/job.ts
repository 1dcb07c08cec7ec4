/**
 * Lesson 10's job: the seed's per-user visit count (§1.3, §6.1) written to three sinks at once, one
 * of each kind end-to-end exactly-once is taught with, so that a single failure shows all three:
 *
 * - `print`: non-transactional (Flink's print() or a plain JDBC insert): a replay writes rows again.
 * - `upsert`: idempotent upsert (a JDBC upsert / upsert-kafka table) with primary key
 *   (user, visit number): a replayed record writes the same row again, over itself.
 * - `commit`: two-phase commit (Flink's TwoPhaseCommitSinkFunction, KafkaSink EXACTLY_ONCE): rows are
 *   visible only once the checkpoint after them has completed.
 *
 * A small log (4,000 visits of 12 users, 2 partitions) so that the state and the tables stay readable.
 */
import {
  FsStateBackend,
  IdempotentUpsertSink,
  NonTransactionalSink,
  ReplayableLog,
  StreamExecutionEnvironment,
  TwoPhaseCommitSink,
  type Scenario,
  type ScenarioOptions,
} from '../../src/engine/index';
import { applyScenarioOptions } from '../../src/engine/scenarios/Scenario';
// The Visits scenario's types, log generator and ValueState counter (src/engine/scenarios/visits.ts).
import {
  CountVisits,
  generateVisitLog,
  type Visit,
  type VisitCount,
} from '../../src/engine/scenarios/visits';

/** 4,000 visits over 2 partitions; 12 users drawn with a skew (user-00 visits most). */
export function generateVisits(): ReplayableLog<Visit> {
  return generateVisitLog(4_000, 2, 12, 20240610);
}

export function buildThreeSinks(options: ScenarioOptions = {}) {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  env.setStateBackend(new FsStateBackend('file:///tmp/checkpoints'));
  env.enableCheckpointing(1000);
  const counts = env
    // 6 ms a record: 2,000 records a partition last 12 s at 1×, time to fail a subtask and watch.
    .fromSource(generateVisits(), 'Source: visits (Kafka-like, 2 partitions)', 6)
    .uid('source')
    .keyBy((v: Visit) => v.user)
    .process(new CountVisits())
    .uid('count')
    .name('Process: count visits per user');
  counts.addSink(new NonTransactionalSink<VisitCount>()).uid('print').name('Sink: print (non-transactional)');
  counts
    .addSink(new IdempotentUpsertSink<VisitCount>((v) => `${v.user}#${v.visits}`))
    .uid('upsert')
    .name('Sink: upsert by (user, visit number)');
  counts.addSink(new TwoPhaseCommitSink<VisitCount>()).uid('commit').name('Sink: two-phase commit');
  applyScenarioOptions(env, options);
  return env.getJobGraph('Visits to three sinks');
}

export const scenario: Scenario = {
  name: 'lesson-end-to-end-exactly-once',
  description:
    'Lesson 10: visits per user written to three sinks — non-transactional, idempotent upsert and two-phase commit.',
  build: buildThreeSinks,
};
