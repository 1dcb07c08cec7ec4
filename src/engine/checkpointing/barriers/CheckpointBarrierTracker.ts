/**
 * At-least-once checkpoints (Flink's CheckpointBarrierTracker): never blocks a channel. It counts the
 * barriers of each checkpoint and snapshots when the count equals the number of input channels.
 * Records that arrived behind a barrier on a fast channel are processed before the snapshot, so they
 * are in the state *and* will be replayed after a restore: duplicates. (For a task with one input
 * this is the same as aligned.)
 */
import type { Channel } from '../../runtime/Channel';
import type { CheckpointBarrier } from '../../runtime/StreamElement';
import type { StreamTask } from '../../runtime/StreamTask';
import type { BarrierHandlerHost, CheckpointBarrierHandler } from './CheckpointBarrierHandler';
import { msg } from '../../messages/Message';

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
    if (entry.count < this.task.inputs.length) return t;
    // Complete: older pending checkpoints can no longer complete here.
    for (const [other] of this.pending) {
      if (other < id)
        this.host.declineCheckpoint(this.task, other, msg('checkpoint.subsumed-barrier', { id }), t);
    }
    for (const other of [...this.pending.keys()]) if (other <= id) this.pending.delete(other);
    this.lastCheckpointId = id;
    return this.host.triggerCheckpointOnBarrier(
      this.task,
      {
        checkpointId: id,
        alignmentMs: t - entry.start,
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
