/**
 * The built-in `wordcount` scenario as a job file (`npm run sim -- --job examples/jobs/wordcount.ts`
 * gives what `npm run sim -- wordcount` gives): the article's WordCount (§5.1), one line split into
 * words, counted per word in a ValueState, checkpointed every second.
 */
import {
  FsStateBackend,
  NonTransactionalSink,
  RichMapFunction,
  StreamExecutionEnvironment,
  Types,
  ValueStateDescriptor,
  type Collector,
  type OpenContext,
  type ValueState,
} from 'stream-state-lab';

/** Java's `line.toLowerCase().split("\\W+")`: trailing empty strings are dropped. */
function splitWords(line: string, out: Collector<string>): void {
  const parts = line.toLowerCase().split(/\W+/);
  let end = parts.length;
  while (end > 0 && parts[end - 1] === '') end--;
  for (let i = 0; i < end; i++) out.collect(parts[i]);
}

class CountWithValueState extends RichMapFunction<string, [string, number]> {
  private countState!: ValueState<number>;

  // Flink 2.x: open(OpenContext), the state through getRuntimeContext().
  override open(_openContext: OpenContext): void {
    this.countState = this.getRuntimeContext().getState(new ValueStateDescriptor('count', Types.INT));
  }

  map(word: string): [string, number] {
    const count = (this.countState.value() ?? 0) + 1;
    this.countState.update(count);
    return [word, count];
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(2);
env.setStateBackend(new FsStateBackend('file:///tmp/checkpoints'));
env.enableCheckpointing(1000);

env
  .fromData('To be, or not to be, that is the question')
  .uid('source')
  .name('Source: fromElements')
  .flatMap(splitWords)
  .uid('split')
  .name('Flat Map: split words')
  .keyBy((w: string) => w)
  .map(new CountWithValueState())
  .uid('count')
  .name('Map: count with ValueState')
  .setProcessingTime(150) // a slow counter, so checkpoints happen while words are counted
  .sinkTo(new NonTransactionalSink<[string, number]>())
  .uid('print')
  .name('Sink: print');

await env.execute('WordCount');
