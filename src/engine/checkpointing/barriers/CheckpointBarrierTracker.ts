/**
 * At-least-once checkpoints (Flink's CheckpointBarrierTracker): never blocks a channel. It counts the
 * barriers of each checkpoint and snapshots when the count equals the number of input channels.
 * Records that arrived behind a barrier on a fast channel are processed before the snapshot, so they
 * are in the state *and* will be replayed after a restore: duplicates. (For a task with one input
 * this is the same as aligned.)
 */
import type { Channel } from '../../network/Channel';
import type { CheckpointBarrier } from '../../runtime/StreamElement';
import type { StreamTask } from '../../tasks/StreamTask';
import {
  openInputs,
  type BarrierHandlerHost,
  type CheckpointBarrierHandler,
} from './CheckpointBarrierHandler';

export class CheckpointBarrierTracker implements CheckpointBarrierHandler {
  private readonly pending = new Map<number, { count: number; start: number }>();
  lastCheckpointId = -1;

  constructor(
    private readonly task: StreamTask,
    private readonly host: BarrierHandlerHost,
  ) {}

  processBarrier(channel: Channel, barrier: CheckpointBarrier, t: number): number {
    const id = barrier.checkpointId;
    this.host.traceBarrierReceived(this.task, channel, id, t);
    if (id <= this.lastCheckpointId) return t;
    const entry = this.pending.get(id) ?? { count: 0, start: t };
    entry.count++;
    this.pending.set(id, entry);
    if (entry.count < openInputs(this.task)) return t;
    return this.complete(id, entry.start, t);
  }

  processEndOfPartition(_channel: Channel, t: number): number {
    let ready = -1;
    for (const [id, entry] of this.pending)
      if (entry.count >= openInputs(this.task) && id > ready) ready = id;
    return ready < 0 ? t : this.complete(ready, (this.pending.get(ready) as { start: number }).start, t);
  }

  private complete(id: number, start: number, t: number): number {
    // Complete: older pending checkpoints can no longer complete here.
    for (const [other] of this.pending) {
      if (other < id) this.host.declineCheckpoint(this.task, other, `subsumed by checkpoint ${id}`, t);
    }
    for (const other of [...this.pending.keys()]) if (other <= id) this.pending.delete(other);
    this.lastCheckpointId = id;
    return this.host.triggerCheckpointOnBarrier(
      this.task,
      {
        checkpointId: id,
        alignmentMs: t - start,
        unaligned: false,
        recordChannelState: false,
        triggerChannel: null,
      },
      t,
    );
  }

  processPriorityBarrier(channel: Channel, barrier: CheckpointBarrier, t: number): number {
    return this.processBarrier(channel, barrier, t);
  }

  abortCheckpoint(checkpointId: number): void {
    this.pending.delete(checkpointId);
  }
}
