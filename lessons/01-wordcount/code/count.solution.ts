/**
 * Lesson 1, the word counter you write (solution): the article's WordCount (§5.1) with the count kept
 * in a ValueState, one per word (the key). Run it in the editor, or `npm run sim -- --job` this file.
 */
import {
  FsStateBackend,
  KeyedProcessFunction,
  NonTransactionalSink,
  StreamExecutionEnvironment,
  Types,
  ValueStateDescriptor,
  type Collector,
  type KeyedProcessContext,
  type RuntimeContext,
  type ValueState,
} from 'stream-state-lab';

/** Counts each word: one count per key (the word), in keyed state. */
class CountWords extends KeyedProcessFunction<string, string, [string, number]> {
  private count!: ValueState<number>;

  override open(ctx: RuntimeContext): void {
    // The state's name, 'count', is what the State tab (and the step's check) shows.
    this.count = ctx.getState(new ValueStateDescriptor('count', Types.INT));
  }

  processElement(word: string, _ctx: KeyedProcessContext<string>, out: Collector<[string, number]>): void {
    // value() is this word's count: the state of the current key (null the first time).
    const n = (this.count.value() ?? 0) + 1;
    this.count.update(n);
    out.collect([word, n]);
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
