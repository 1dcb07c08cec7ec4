/**
 * Flink's BroadcastConnectedStream: a (keyed or non-keyed) stream connected to a BroadcastStream.
 * `process(KeyedBroadcastProcessFunction)` on a keyed stream runs a CoBroadcastWithKeyedOperator,
 * `process(BroadcastProcessFunction)` on a non-keyed one a CoBroadcastWithNonKeyedOperator. Input 1
 * is the non-broadcast stream, input 2 the broadcast one.
 */
import type { Key } from '../keygroups/hashCode';
import type { BroadcastProcessFunction, KeyedBroadcastProcessFunction } from './BroadcastProcessFunction';
import type { BroadcastStream } from './BroadcastStream';
import { twoInputTransform } from './ConnectedStreams';
import { KeyedStream, type DataStream, type SingleOutputStreamOperator } from './DataStream';
import type { StreamExecutionEnvironment } from './StreamExecutionEnvironment';

export class BroadcastConnectedStream<IN1, IN2> {
  constructor(
    private readonly env: StreamExecutionEnvironment,
    readonly nonBroadcastStream: DataStream<IN1>,
    readonly broadcastStream: BroadcastStream<IN2>,
  ) {}

  process<R>(fn: KeyedBroadcastProcessFunction<Key, IN1, IN2, R>): SingleOutputStreamOperator<R>;
  process<R>(fn: BroadcastProcessFunction<IN1, IN2, R>): SingleOutputStreamOperator<R>;
  process<R>(
    fn: BroadcastProcessFunction<IN1, IN2, R> | KeyedBroadcastProcessFunction<Key, IN1, IN2, R>,
  ): SingleOutputStreamOperator<R> {
    const descriptors = [...this.broadcastStream.broadcastStateDescriptors];
    const keyed = this.nonBroadcastStream instanceof KeyedStream;
    const spec = keyed
      ? {
          kind: 'keyedBroadcastProcess' as const,
          fn: fn as KeyedBroadcastProcessFunction<Key, unknown, unknown, unknown>,
          descriptors,
        }
      : {
          kind: 'broadcastProcess' as const,
          fn: fn as BroadcastProcessFunction<unknown, unknown, unknown>,
          descriptors,
        };
    return twoInputTransform<R>(
      this.env,
      this.nonBroadcastStream as unknown as DataStream<unknown>,
      this.broadcastStream.broadcastInput as unknown as DataStream<unknown>,
      spec,
      keyed ? 'Co-Process-Broadcast-Keyed' : 'Co-Process-Broadcast',
      keyed,
    );
  }
}
