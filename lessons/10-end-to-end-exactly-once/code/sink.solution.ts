/**
 * Lesson 10: visits per user, exactly-once end to end. The source is replayable and the count is in
 * checkpointed state; the sink decides what a reader sees after a failure. A two-phase-commit sink
 * shows rows only once the checkpoint after them has completed, so the replay after a restore never
 * shows a row twice. Run it in the editor, or `npm run sim -- --job` this file.
 */
import {
  FsStateBackend,
  generateVisitLog,
  KeyedProcessFunction,
  StreamExecutionEnvironment,
  TwoPhaseCommitSink,
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
  // Rows become visible when the checkpoint after them completes; a failure aborts the open transaction.
  .sinkTo(new TwoPhaseCommitSink<VisitCount>())
  .uid('sink')
  .name('Sink: visits per user');

await env.execute('Visits, exactly-once (yours)');
