/**
 * Flink's BroadcastStream: `stream.broadcast(mapStateDescriptor, ...)`. Every record goes to every
 * subtask of the operator it is connected to, which keeps it in broadcast state under the given
 * descriptors. Connect it to a (keyed) stream: `stream.connect(broadcastStream).process(..)`.
 */
import type { MapStateDescriptor } from '../state/StateDescriptor';
import type { DataStream } from './DataStream';

export class BroadcastStream<T> {
  constructor(
    /** The stream with the broadcast partitioner. */
    readonly broadcastInput: DataStream<T>,
    readonly broadcastStateDescriptors: readonly MapStateDescriptor<string | number, unknown>[],
  ) {
    if (broadcastStateDescriptors.length === 0)
      throw new Error('broadcast(...) needs at least one MapStateDescriptor for the broadcast state');
  }
}
