/**
 * The built-in `visits` scenario as a job file: visits per user from a Kafka-like log of 10,000 page
 * visits over 4 partitions, parallelism 4, a KeyedProcessFunction with a ValueState count and a
 * two-phase-commit sink (exactly-once end to end).
 */
import {
  FsStateBackend,
  generateVisitLog,
  KeyedProcessFunction,
  StreamExecutionEnvironment,
  TwoPhaseCommitSink,
  Types,
  ValueStateDescriptor,
  VISITS_EMIT_MS,
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
env.setParallelism(4);
env.setStateBackend(new FsStateBackend('file:///tmp/checkpoints'));
env.enableCheckpointing(1000);

env
  // The lab's "visits" topic: the same 10,000 records on every run.
  .fromSource(generateVisitLog(), 'Source: visits (Kafka-like, 4 partitions)', VISITS_EMIT_MS)
  .uid('source')
  .keyBy((v: Visit) => v.user)
  .process(new CountVisits())
  .uid('count')
  .name('Process: count visits per user')
  .addSink(new TwoPhaseCommitSink<VisitCount>())
  .uid('sink')
  .name('Sink: two-phase commit');

await env.execute('Visits');
