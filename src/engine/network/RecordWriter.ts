/**
 * Flink's RecordWriter with its StreamPartitioner (ChannelSelector): what a chained operator emits
 * towards another chain is partitioned over the output gate of every such edge —
 *
 * - `forward`: the one channel to the same-index subtask;
 * - `hash` (keyBy): `keyGroup = murmurHash(hashCode(key)) % maxParallelism`, then the subtask owning
 *   that key group (KeyGroupRangeAssignment); the key travels with the record;
 * - `rebalance`: round robin from a seeded random start (RebalancePartitioner);
 * - `broadcast`: every channel.
 *
 * Watermarks and idle statuses are broadcast on every channel (RecordWriter.broadcastEmit).
 */
import type { JobEdge } from '../api/JobGraph';
import type { Key } from '../keygroups/hashCode';
import { assignToKeyGroup, computeOperatorIndexForKeyGroup } from '../keygroups/KeyGroupRangeAssignment';
import type { ClusterRuntime } from '../runtime/ClusterRuntime';
import { RECORD, WATERMARK, type StreamRecord, type Watermark } from '../runtime/StreamElement';
import type { StreamTask } from '../tasks/StreamTask';
import type { Channel } from './Channel';

/** A task's output towards one downstream edge. */
export interface OutputGate {
  readonly edge: JobEdge;
  /** Indexed by downstream subtask; a forward edge has exactly one channel. */
  readonly channels: Channel[];
  /** Rebalance: next channel, starting at a seeded random index as Flink's RebalancePartitioner does. */
  nextChannel: number;
}

export class RecordWriter {
  constructor(private readonly rt: ClusterRuntime) {}

  newRecord(
    value: unknown,
    ts: number | null,
    key: Key | null,
    keyGroup: number,
    arrival: number,
    ingest: number,
  ): StreamRecord {
    return { kind: RECORD, id: this.rt.loop.elementIds++, value, ts, key, keyGroup, arrival, ingest };
  }

  /** Partitions a record, emitted by an operator of `task`, to the channels of its output gates `outputs`. */
  emit(task: StreamTask, outputs: readonly OutputGate[], value: unknown, ts: number | null): void {
    const t = task.clock;
    const ingest = this.rt.loop.ingestTime;
    const network = this.rt.network;
    for (let g = 0; g < outputs.length; g++) {
      const gate = outputs[g];
      const channels = gate.channels;
      switch (gate.edge.partitioner) {
        case 'forward':
          network.send(channels[0], this.newRecord(value, ts, null, -1, 0, ingest), t);
          break;
        case 'hash': {
          const key = (gate.edge.keySelector as (v: unknown) => Key)(value);
          if (key === null || key === undefined) throw new Error('Assigned key must not be null!');
          const target = gate.edge.target;
          // The receiver's state backend reuses the key group: the key is hashed once per hop.
          const keyGroup = assignToKeyGroup(key, target.maxParallelism);
          const idx = computeOperatorIndexForKeyGroup(target.maxParallelism, target.parallelism, keyGroup);
          network.send(channels[idx], this.newRecord(value, ts, key, keyGroup, 0, ingest), t);
          break;
        }
        case 'rebalance': {
          const idx = gate.nextChannel;
          gate.nextChannel = (idx + 1) % channels.length;
          network.send(channels[idx], this.newRecord(value, ts, null, -1, 0, ingest), t);
          break;
        }
        case 'broadcast':
          for (const ch of channels) network.send(ch, this.newRecord(value, ts, null, -1, 0, ingest), t);
          break;
      }
    }
  }

  /** Sends a watermark (or an idle status) on every output channel of `task`, in line with its records. */
  broadcastWatermark(task: StreamTask, timestamp: number, idle: boolean, t: number): void {
    const loop = this.rt.loop;
    for (const gate of task.outputs) {
      for (const ch of gate.channels) {
        const wm: Watermark = { kind: WATERMARK, id: loop.elementIds++, timestamp, idle, arrival: 0 };
        this.rt.network.send(ch, wm, t);
      }
    }
  }
}
