/**
 * Flink 2.x style rich functions: `class X extends RichMapFunction` with `open(OpenContext)` and
 * `this.getRuntimeContext()` (set on every subtask's own copy), and `sinkTo` for a sink.
 */
import { describe, expect, it } from 'vitest';
import {
  assignKeyToParallelOperator,
  NonTransactionalSink,
  RichMapFunction,
  Simulation,
  StreamExecutionEnvironment,
  Types,
  ValueStateDescriptor,
  type OpenContext,
  type ValueState,
} from '../../src/engine/index';

class TagWithSubtask extends RichMapFunction<string, string> {
  private seen!: ValueState<number>;
  override open(_openContext: OpenContext): void {
    this.seen = this.getRuntimeContext().getState(new ValueStateDescriptor('seen', Types.INT));
  }
  map(word: string): string {
    const n = (this.seen.value() ?? 0) + 1;
    this.seen.update(n);
    return `${word}:${n}@${this.getRuntimeContext().getIndexOfThisSubtask()}`;
  }
}

describe('RichMapFunction (Flink 2.x style)', () => {
  it('getRuntimeContext() before the engine opened the function: Flink’s message', () => {
    expect(() => new TagWithSubtask().getRuntimeContext()).toThrow(
      'The runtime context has not been initialized.',
    );
  });

  it('open(OpenContext) + getRuntimeContext(): keyed state, and each subtask its own context; sinkTo is addSink', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    env
      .fromData('a', 'b', 'a', 'c', 'b', 'a')
      .keyBy((w: string) => w)
      .map(new TagWithSubtask())
      .sinkTo(new NonTransactionalSink<string>())
      .uid('out');
    const job = env.getJobGraph('rich');
    const sim = new Simulation(job, { seed: 1, fastForward: true });
    sim.run();
    const rows = sim.result().sinks.out.committed as string[];
    expect(rows.map((r) => r.split('@')[0]).sort()).toEqual(['a:1', 'a:2', 'a:3', 'b:1', 'b:2', 'c:1']);
    // Each row names the subtask its key belongs to (Flink's key-group assignment, max parallelism 128).
    for (const r of rows) {
      const word = r.split(':')[0];
      expect(r.split('@')[1]).toBe(String(assignKeyToParallelOperator(word, 128, 2)));
    }
  });
});
