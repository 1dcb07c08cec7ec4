/**
 * The WordCount of the article the lab was built from (reading/, §5.1): one element, split on \W+,
 * lower-cased, keyed by the word itself, counted in a ValueState, checkpointed every 1000 ms. (The
 * article's `keyBy(0)` fails on a DataStream<String> — a String has no tuple fields — and Flink 2.0
 * removed `keyBy(int...)`; the key is the word: `keyBy(w -> w)`.)
 *
 * The count operator is slow on purpose (150 ms a word), so that checkpoints happen while the words
 * are still being counted and a failure in the middle has something to restore.
 */
import { StreamExecutionEnvironment } from '../api/StreamExecutionEnvironment';
import { FsStateBackend } from '../api/StateBackends';
import type { Collector, MapFunctionObject, RuntimeContext } from '../api/functions';
import { ValueStateDescriptor } from '../state/StateDescriptor';
import { Types } from '../api/typeinfo/Types';
import type { ValueState } from '../state/State';
import { NonTransactionalSink } from '../connectors/sinks';
import type { ScenarioOptions, Scenario } from './Scenario';
import { applyScenarioOptions } from './Scenario';

export const WORDCOUNT_TEXT = 'To be, or not to be, that is the question';

/** Java's `String.split("\\W+")`: trailing empty strings are removed. */
export function splitWords(line: string, out: Collector<string>): void {
  const parts = line.toLowerCase().split(/\W+/);
  let end = parts.length;
  while (end > 0 && parts[end - 1] === '') end--;
  for (let i = 0; i < end; i++) out.collect(parts[i]);
}

export class CountWithValueState implements MapFunctionObject<string, [string, number]> {
  private countState!: ValueState<number>;

  open(ctx: RuntimeContext): void {
    this.countState = ctx.getState(new ValueStateDescriptor('count', Types.INT));
  }

  map(word: string): [string, number] {
    const count = (this.countState.value() ?? 0) + 1;
    this.countState.update(count);
    return [word, count];
  }
}

export function buildWordCount(options: ScenarioOptions = {}) {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  env.setStateBackend(new FsStateBackend('file:///tmp/checkpoints'));
  env.enableCheckpointing(1000);
  env
    .fromElements(WORDCOUNT_TEXT)
    .uid('source')
    .name('Source: fromElements')
    .flatMap(splitWords)
    .uid('split')
    .name('Flat Map: split words')
    .keyBy((w: string) => w)
    .map(new CountWithValueState())
    .uid('count')
    .name('Map: count with ValueState')
    .setProcessingTime(150)
    .addSink(new NonTransactionalSink<[string, number]>())
    .uid('print')
    .name('Sink: print');
  applyScenarioOptions(env, options);
  return env.getJobGraph('WordCount');
}

export const wordcount: Scenario = {
  name: 'wordcount',
  description: "The article's WordCount (§5.1): ValueState count per word, checkpoint every 1000 ms.",
  build: buildWordCount,
};
