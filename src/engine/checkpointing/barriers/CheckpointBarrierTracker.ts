/**
 * At-least-once checkpoints (Flink's CheckpointBarrierTracker): never blocks a channel. It counts the
 * barriers of each checkpoint and snapshots when the count equals the number of input channels.
 * Records that arrived behind a barrier on a fast channel are processed before the snapshot, so they
 * are in the state *and* will be replayed after a restore: duplicates. (For a task with one input
 * this is the same as aligned.)
 *
 * As Flink's tracker: a first barrier is tracked only if its checkpoint is newer than the latest one
 * pending (an older one cannot complete any more), and when a checkpoint completes, the older pending
 * ones are dropped — not declined: the coordinator subsumes them when this one completes.
 */
import type { Channel } from '../../network/Channel';
import type { CheckpointBarrier } from '../../runtime/StreamElement';
import type { StreamTask } from '../../tasks/StreamTask';
import { msg } from '../../messages/Message';
import {
  openInputs,
  type BarrierHandlerHost,
  type CheckpointBarrierHandler,
} from './CheckpointBarrierHandler';

export class CheckpointBarrierTracker implements CheckpointBarrierHandler {
  /** By checkpoint id, ascending (ids only grow). `aborted`: a CancelCheckpointMarker came for it. */
  private readonly pending = new Map<number, { count: number; start: number; aborted: boolean }>();
  /** Flink's `latestPendingCheckpointID`: the newest checkpoint this task saw a barrier of (or an abort). */
  private latestPendingCheckpointId = -1;
  lastCheckpointId = -1;

  constructor(
    private readonly task: StreamTask,
    private readonly host: BarrierHandlerHost,
  ) {}

  processBarrier(channel: Channel, barrier: CheckpointBarrier, t: number): number {
    const id = barrier.checkpointId;
    this.host.traceBarrierReceived(this.task, channel, id, t);
    if (id <= this.lastCheckpointId) return t;
    let entry = this.pending.get(id);
    if (entry === undefined) {
      // The first barrier of this checkpoint: tracked only if newer than the latest pending one.
      if (id <= this.latestPendingCheckpointId) return t;
      this.latestPendingCheckpointId = id;
      entry = { count: 0, start: t, aborted: false };
      this.pending.set(id, entry);
    }
    entry.count++;
    if (entry.count < openInputs(this.task)) return t;
    if (entry.aborted) {
      // Every channel has delivered its barrier or marker: the aborted entry is forgotten.
      this.pending.delete(id);
      return t;
    }
    return this.complete(id, entry.start, t);
  }

  /** A channel closed (its sender finished): a checkpoint seen on every still-open channel completes. */
  processEndOfPartition(_channel: Channel, t: number): number {
    let ready = -1;
    for (const [id, entry] of this.pending)
      if (!entry.aborted && entry.count >= openInputs(this.task) && id > ready) ready = id;
    return ready < 0 ? t : this.complete(ready, (this.pending.get(ready) as { start: number }).start, t);
  }

  private complete(id: number, start: number, t: number): number {
    // Complete: this checkpoint and every older pending one (now subsumed) are dropped.
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

  /**
   * Flink's `CheckpointBarrierTracker.processCancellationBarrier`: the older pending checkpoints are
   * dropped (and declined if not yet), this one is marked aborted (declined and the marker forwarded
   * once) and still counted so that its entry goes when every channel delivered its barrier or
   * marker; a marker for a checkpoint newer than every pending one is remembered as aborted.
   */
  processCancellationBarrier(channel: Channel, checkpointId: number, t: number): number {
    const reason = msg('checkpoint.declined-on-cancellation-barrier', {
      id: checkpointId,
      channel: channel.id,
    });
    if (openInputs(this.task) <= 1) {
      this.pending.delete(checkpointId);
      this.latestPendingCheckpointId = Math.max(this.latestPendingCheckpointId, checkpointId);
      this.host.abortCheckpointOnBarrier(this.task, checkpointId, reason, t);
      return t;
    }
    for (const [id, entry] of [...this.pending]) {
      if (id >= checkpointId) break;
      this.pending.delete(id);
      if (!entry.aborted)
        this.host.abortCheckpointOnBarrier(
          this.task,
          id,
          msg('checkpoint.declined-on-cancellation-barrier', { id, channel: channel.id }),
          t,
        );
    }
    const entry = this.pending.get(checkpointId);
    if (entry !== undefined) {
      if (!entry.aborted) {
        entry.aborted = true;
        this.host.abortCheckpointOnBarrier(this.task, checkpointId, reason, t);
      }
      if (++entry.count >= openInputs(this.task)) this.pending.delete(checkpointId);
    } else if (checkpointId > this.latestPendingCheckpointId) {
      this.host.abortCheckpointOnBarrier(this.task, checkpointId, reason, t);
      this.latestPendingCheckpointId = checkpointId;
      this.pending.set(checkpointId, { count: 1, start: t, aborted: true });
    } // else: a trailing marker of a checkpoint already cancelled here
    return t;
  }
}
