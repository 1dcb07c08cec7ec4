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
  Random,
  ReplayableLog,
  StreamExecutionEnvironment,
  TwoPhaseCommitSink,
  ValueStateDescriptor,
  type Collector,
  type KeyedProcessContext,
  type KeyedProcessFunction,
  type LogRecord,
  type RuntimeContext,
  type Scenario,
  type ScenarioOptions,
  type ValueState,
} from '../../src/engine/index';
import { applyScenarioOptions } from '../../src/engine/scenarios/Scenario';

export interface Visit {
  user: string;
  page: string;
}

export interface VisitCount {
  user: string;
  visits: number;
}

const PAGES = ['/home', '/search', '/product', '/cart', '/checkout'];

/** 4,000 visits over 2 partitions; users drawn with a skew (user-00 visits most). */
export function generateVisits(
  events = 4_000,
  partitions = 2,
  users = 12,
  dataSeed = 20240610,
): ReplayableLog<Visit> {
  const rng = new Random(dataSeed);
  const parts: LogRecord<Visit>[][] = Array.from({ length: partitions }, () => []);
  for (let i = 0; i < events; i++) {
    const u = Math.floor(users * Math.pow(rng.next(), 2));
    parts[i % partitions].push({
      value: { user: `user-${String(u).padStart(2, '0')}`, page: PAGES[rng.int(0, PAGES.length - 1)] },
      timestamp: i * 10,
    });
  }
  return new ReplayableLog('visits', parts);
}

/** A ValueState count per user; every visit emits the user's new count. */
export class CountVisits implements KeyedProcessFunction<string, Visit, VisitCount> {
  private visits!: ValueState<number>;

  open(ctx: RuntimeContext): void {
    this.visits = ctx.getState(new ValueStateDescriptor<number>('visits'));
  }

  processElement(visit: Visit, _ctx: KeyedProcessContext<string>, out: Collector<VisitCount>): void {
    const n = (this.visits.value() ?? 0) + 1;
    this.visits.update(n);
    out.collect({ user: visit.user, visits: n });
  }
}

export function buildThreeSinks(options: ScenarioOptions = {}) {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  env.setStateBackend(new FsStateBackend('file:///tmp/checkpoints'));
  env.enableCheckpointing(1000);
  const counts = env
    .fromSource(generateVisits(), 'Source: visits (Kafka-like, 2 partitions)', 1)
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
