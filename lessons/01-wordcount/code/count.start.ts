/**
 * Lesson 1: write the word counter. The job is the article's WordCount (§5.1); the counter below
 * does not count yet: every word comes out with 1. Keep each word's count in a ValueState named
 * 'count' (Types.INT), add one per word, and emit [word, count]. Then press Run (Ctrl+Enter).
 */
import {
  FsStateBackend,
  KeyedProcessFunction,
  NonTransactionalSink,
  StreamExecutionEnvironment,
  type Collector,
  type KeyedProcessContext,
  type RuntimeContext,
} from 'stream-state-lab';

/** Counts each word: one count per key (the word), in keyed state. */
class CountWords extends KeyedProcessFunction<string, string, [string, number]> {
  // TODO: a field for the state, e.g. `private count!: ValueState<number>;`

  override open(_ctx: RuntimeContext): void {
    // TODO: get the state from the runtime context (name it 'count', its type Types.INT).
  }

  processElement(word: string, _ctx: KeyedProcessContext<string>, out: Collector<[string, number]>): void {
    // TODO: read this word's count, add one, update the state, and emit the new count.
    out.collect([word, 1]);
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(2);
env.setStateBackend(new FsStateBackend('file:///tmp/checkpoints'));
env.enableCheckpointing(1000);

env
  .fromData('To be, or not to be, that is the question')
  .uid('source')
  .flatMap((line: string, out: Collector<string>) => {
    for (const word of line.toLowerCase().split(/\W+/)) if (word) out.collect(word);
  })
  .uid('split')
  .name('Flat Map: split words')
  .keyBy((word: string) => word)
  .process(new CountWords())
  .uid('count')
  .name('Process: count words')
  .setProcessingTime(150) // slow on purpose: watch the counts grow
  .sinkTo(new NonTransactionalSink<[string, number]>())
  .uid('print')
  .name('Sink: print');

await env.execute('WordCount (yours)');
