/**
 * Aligned exactly-once checkpoints (Flink's SingleCheckpointBarrierHandler in aligned mode).
 *
 * Barrier n on channel c blocks c: records behind the barrier wait in c's buffer, because they belong
 * after the snapshot. When barrier n has arrived on every input channel the task snapshots its state,
 * forwards barrier n on all outputs and unblocks. A barrier with a higher id aborts a pending
 * alignment (that checkpoint is subsumed). Alignment time = first barrier to last barrier.
 *
 * As Flink's handler it remembers the last checkpoint it completed or saw cancelled
 * (`lastCancelledOrCompletedCheckpointId`): a barrier of that checkpoint or an older one arriving late
 * (after an abort) is ignored instead of starting a new alignment that would block channels for a
 * checkpoint that can no longer complete.
 *
 * Cancellation (`processCancellationBarrier`, Flink's rule): a CancelCheckpointMarker for a newer
 * checkpoint than the current one, or for the current one while aligning, aborts it — channels
 * unblocked, the task declines and forwards the marker; any other marker is stale and ignored. The
 * coordinator's abort notification alone does not end an alignment (Flink's neither): the alignment
 * goes on until its barriers or a marker arrive, and then the task sends the marker instead of the
 * barrier (`SubtaskCheckpointCoordinator.triggerCheckpointOnBarrier`).
 *
 * End of partition during an alignment (FLIP-147, `processEndOfPartition`): the closed channel counts
 * as having delivered the barrier, so the alignment completes once every still-open channel has.
 */
import type { Channel } from '../../network/Channel';
import type { CheckpointBarrier } from '../../runtime/StreamElement';
import type { StreamTask } from '../../tasks/StreamTask';
import {
  openInputs,
  type BarrierHandlerHost,
  type CheckpointBarrierHandler,
} from './CheckpointBarrierHandler';
import { msg } from '../../messages/Message';

export class SingleCheckpointBarrierHandler implements CheckpointBarrierHandler {
  private currentCheckpointId = -1;
  private alignmentStart = 0;
  private readonly received = new Set<Channel>();
  /** Flink's `lastCancelledOrCompletedCheckpointId`. */
  private lastCancelledOrCompletedCheckpointId = -1;
  lastCheckpointId = -1;

  constructor(
    private readonly task: StreamTask,
    private readonly host: BarrierHandlerHost,
  ) {}

  processBarrier(channel: Channel, barrier: CheckpointBarrier, t: number): number {
    const id = barrier.checkpointId;
    const host = this.host;
    host.traceBarrierReceived(this.task, channel, id, t);
    // A stale barrier: of a checkpoint completed, cancelled or subsumed here (Flink: currentCheckpointId >
    // barrierId, or == barrierId with no checkpoint pending).
    if (id <= this.lastCancelledOrCompletedCheckpointId || id < this.currentCheckpointId) return t;
    if (id > this.currentCheckpointId) {
      if (this.received.size > 0) {
        host.traceAlignment(this.task, 'alignment-aborted', this.currentCheckpointId, id, t);
        this.unblockAll(t);
        this.lastCancelledOrCompletedCheckpointId = this.currentCheckpointId;
        host.abortCheckpointOnBarrier(
          this.task,
          this.currentCheckpointId,
          msg('checkpoint.alignment-aborted', { id, previous: this.currentCheckpointId }),
          t,
        );
      }
      this.currentCheckpointId = id;
      this.alignmentStart = t;
    }
    this.received.add(channel);
    if (this.received.size < openInputs(this.task)) {
      host.setChannelBlocked(this.task, channel, true, id, t);
      return t;
    }
    return this.completeAlignment(t);
  }

  processEndOfPartition(_channel: Channel, t: number): number {
    if (this.received.size === 0 || this.received.size < openInputs(this.task)) return t;
    return this.completeAlignment(t);
  }

  private completeAlignment(t: number): number {
    const host = this.host;
    const id = this.currentCheckpointId;
    const alignmentMs = t - this.alignmentStart;
    if (this.task.inputs.length > 1)
      host.traceAlignment(this.task, 'alignment-completed', id, alignmentMs, t);
    this.unblockAll(t);
    this.lastCheckpointId = id;
    this.lastCancelledOrCompletedCheckpointId = id;
    return host.triggerCheckpointOnBarrier(
      this.task,
      { checkpointId: id, alignmentMs, unaligned: false, recordChannelState: false, triggerChannel: null },
      t,
    );
  }

  processPriorityBarrier(channel: Channel, barrier: CheckpointBarrier, t: number): number {
    return this.processBarrier(channel, barrier, t);
  }

  processCancellationBarrier(channel: Channel, checkpointId: number, t: number): number {
    const aligning = checkpointId === this.currentCheckpointId && this.received.size > 0;
    if (!(checkpointId > this.currentCheckpointId || aligning)) return t;
    if (aligning) this.host.traceAlignment(this.task, 'alignment-aborted', checkpointId, checkpointId, t);
    // Flink's abortInternal: no barrier of this checkpoint can start an alignment any more.
    this.unblockAll(t);
    this.currentCheckpointId = Math.max(checkpointId, this.currentCheckpointId);
    this.lastCancelledOrCompletedCheckpointId = Math.max(
      this.lastCancelledOrCompletedCheckpointId,
      checkpointId,
    );
    this.host.abortCheckpointOnBarrier(
      this.task,
      checkpointId,
      msg('checkpoint.declined-on-cancellation-barrier', { id: checkpointId, channel: channel.id }),
      t,
    );
    return t;
  }

  private unblockAll(t: number): void {
    for (const c of this.received) {
      if (c.blocked) this.host.setChannelBlocked(this.task, c, false, this.currentCheckpointId, t);
    }
    this.received.clear();
  }
}
