/**
 * Lesson 10: visits per user, to be exactly-once end to end. The source is replayable and the count
 * is in checkpointed state, but the sink writes every row at once: after a failure the replayed
 * records are written again, and a reader sees duplicates. Choose a sink that a replay cannot
 * duplicate, Run, let a checkpoint complete, fail `count#0`, and play to the end.
 */
import {
  FsStateBackend,
  generateVisitLog,
  KeyedProcessFunction,
  StreamExecutionEnvironment,
  NonTransactionalSink,
  Types,
  ValueStateDescriptor,
  type Collector,
  type KeyedProcessContext,
  type RuntimeContext,
  type ValueState,
  type Visit,
  type VisitCount,
} from 'stream-state-lab';

class CountVisits extends KeyedProcessFunction<string, Visit, VisitCount> {
  private visits!: ValueState<number>;

  override open(ctx: RuntimeContext): void {
    this.visits = ctx.getState(new ValueStateDescriptor('visits', Types.INT));
  }

  processElement(visit: Visit, _ctx: KeyedProcessContext<string>, out: Collector<VisitCount>): void {
    const n = (this.visits.value() ?? 0) + 1;
    this.visits.update(n);
    out.collect({ user: visit.user, visits: n });
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(2);
env.setStateBackend(new FsStateBackend('file:///tmp/checkpoints'));
env.enableCheckpointing(1000);

env
  // A Kafka-like log (replayable: a restore rewinds it to the checkpoint's offsets): 4,000 visits of 12 users.
  .fromSource(generateVisitLog(4_000, 2, 12, 20240610), 'Source: visits (Kafka-like, 2 partitions)', 6)
  .uid('source')
  .keyBy((v: Visit) => v.user)
  .process(new CountVisits())
  .uid('count')
  .name('Process: count visits per user')
  // TODO: a sink whose rows a replay cannot duplicate.
  .sinkTo(new NonTransactionalSink<VisitCount>())
  .uid('sink')
  .name('Sink: visits per user');

await env.execute('Visits, exactly-once (yours)');
