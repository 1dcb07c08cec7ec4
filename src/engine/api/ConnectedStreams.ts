/**
 * Flink's ConnectedStreams: `a.connect(b)` — two streams, possibly of different types, processed by
 * one two-input operator. Input 1 is `a`, input 2 is `b`; each keeps its partitioning (a keyed side
 * is hash-partitioned by its own key selector). When both sides are keyed (`keyBy(k1, k2)`, or two
 * KeyedStreams), the operator is keyed: records of both inputs with equal keys meet in one subtask
 * and share its keyed state and timers.
 */
import type { Key } from '../keygroups/hashCode';
import type {
  CoFlatMapFunction,
  CoMapFunction,
  CoProcessFunction,
  KeyedCoProcessFunction,
} from './CoProcessFunction';
import { DataStream, KeyedStream, SingleOutputStreamOperator } from './DataStream';
import type { KeySelector } from './functions';
import type { OperatorSpec } from './JobGraph';
import type { StreamExecutionEnvironment } from './StreamExecutionEnvironment';

export class ConnectedStreams<IN1, IN2> {
  constructor(
    private readonly env: StreamExecutionEnvironment,
    readonly inputStream1: DataStream<IN1>,
    readonly inputStream2: DataStream<IN2>,
  ) {}

  getFirstInput(): DataStream<IN1> {
    return this.inputStream1;
  }

  getSecondInput(): DataStream<IN2> {
    return this.inputStream2;
  }

  /** Keys both inputs (Flink's `keyBy(KeySelector, KeySelector)`): equal keys meet in one subtask. */
  keyBy<K extends Key>(keySelector1: (v: IN1) => K, keySelector2: (v: IN2) => K): ConnectedStreams<IN1, IN2> {
    return new ConnectedStreams(
      this.env,
      this.inputStream1.keyBy(keySelector1),
      this.inputStream2.keyBy(keySelector2),
    );
  }

  private get keyed(): boolean {
    return this.inputStream1 instanceof KeyedStream && this.inputStream2 instanceof KeyedStream;
  }

  map<R>(fn: CoMapFunction<IN1, IN2, R>): SingleOutputStreamOperator<R> {
    return this.transform({ kind: 'coMap', fn: fn as CoMapFunction<unknown, unknown, unknown> }, 'Co-Map');
  }

  flatMap<R>(fn: CoFlatMapFunction<IN1, IN2, R>): SingleOutputStreamOperator<R> {
    return this.transform(
      { kind: 'coFlatMap', fn: fn as CoFlatMapFunction<unknown, unknown, unknown> },
      'Co-Flat Map',
    );
  }

  /**
   * Keyed on both sides: a KeyedCoProcessOperator (keyed state, timers, `getCurrentKey`); otherwise a
   * CoProcessOperator, as Flink's `ConnectedStreams.process` chooses.
   */
  process<R>(fn: KeyedCoProcessFunction<Key, IN1, IN2, R>): SingleOutputStreamOperator<R>;
  process<R>(fn: CoProcessFunction<IN1, IN2, R>): SingleOutputStreamOperator<R>;
  process<R>(
    fn: CoProcessFunction<IN1, IN2, R> | KeyedCoProcessFunction<Key, IN1, IN2, R>,
  ): SingleOutputStreamOperator<R> {
    if (this.keyed)
      return this.transform(
        { kind: 'keyedCoProcess', fn: fn as KeyedCoProcessFunction<Key, unknown, unknown, unknown> },
        'Co-Keyed-Process',
      );
    return this.transform(
      { kind: 'coProcess', fn: fn as CoProcessFunction<unknown, unknown, unknown> },
      'Co-Process',
    );
  }

  /** @internal the two-input vertex: edges of input 1 (typeNumber 1) and input 2 (typeNumber 2). */
  transform<R>(spec: OperatorSpec, name: string): SingleOutputStreamOperator<R> {
    return twoInputTransform<R>(
      this.env,
      this.inputStream1 as unknown as DataStream<unknown>,
      this.inputStream2 as unknown as DataStream<unknown>,
      spec,
      name,
      this.keyed,
    );
  }
}

/** Adds a two-input vertex; keyed (state and timers) when `keyed`, with each input's key selector. */
export function twoInputTransform<R>(
  env: StreamExecutionEnvironment,
  in1: DataStream<unknown>,
  in2: DataStream<unknown>,
  spec: OperatorSpec,
  name: string,
  keyed: boolean,
): SingleOutputStreamOperator<R> {
  const a = in1.inputSpec();
  const b = in2.inputSpec();
  const inputs = [
    ...a.heads.map((vertex, i) => ({
      vertex,
      partitioner: a.partitioner,
      keySelector: a.keySelector,
      typeNumber: 1 as const,
      outputTag: a.headTags[i],
    })),
    ...b.heads.map((vertex, i) => ({
      vertex,
      partitioner: b.partitioner,
      keySelector: b.keySelector,
      typeNumber: 2 as const,
      outputTag: b.headTags[i],
    })),
  ];
  const v = env.addVertex(spec, name, inputs, keyed ? a.keySelector : null);
  v.keySelector2 = keyed ? (b.keySelector as KeySelector<unknown>) : null;
  return new SingleOutputStreamOperator<R>(env, [v], null);
}
