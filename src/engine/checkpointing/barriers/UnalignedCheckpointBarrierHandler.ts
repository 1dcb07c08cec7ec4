/**
 * Unaligned checkpoints (Flink's SingleCheckpointBarrierHandler in unaligned mode): the task reacts
 * to the *first* barrier of checkpoint n as soon as it arrives in an input buffer, overtaking the
 * records queued ahead of it. It snapshots at once, sends barrier n downstream ahead of its own output
 * buffer, and persists as channel state (a) the records of its output buffer that the barrier
 * overtook, and (b) per input channel, the records before barrier n that it had not processed yet.
 * Nothing is blocked; the checkpoint's size grows by the in-flight data instead.
 *
 * With an aligned-checkpoint timeout (Flink's `execution.checkpointing.aligned-checkpoint-timeout`),
 * a checkpoint starts aligned (in-line barriers, channels blocked as in exactly-once) and switches to
 * unaligned when the alignment is still running `timeout` after the checkpoint was triggered, or when
 * a priority barrier arrives from an upstream task that already switched.
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

export class UnalignedCheckpointBarrierHandler implements CheckpointBarrierHandler {
  lastCheckpointId = -1;
  /** Flink's `lastCancelledOrCompletedCheckpointId`: barriers up to it are stale (see SingleCheckpointBarrierHandler). */
  private lastCancelledOrCompletedCheckpointId = -1;
  /** Aligned phase of a checkpoint with an aligned-checkpoint timeout. */
  private aligning: { checkpointId: number; start: number; received: Set<Channel> } | null = null;

  constructor(
    private readonly task: StreamTask,
    private readonly host: BarrierHandlerHost,
    /** 0: always unaligned. */
    private readonly alignedTimeoutMs = 0,
  ) {}

  /** An in-line barrier: only with an aligned-checkpoint timeout (pure unaligned barriers are priority). */
  processBarrier(channel: Channel, barrier: CheckpointBarrier, t: number): number {
    if (barrier.priority) return t; // already handled when it arrived
    const id = barrier.checkpointId;
    const host = this.host;
    host.traceBarrierReceived(this.task, channel, id, t);
    if (id <= this.lastCheckpointId || id <= this.lastCancelledOrCompletedCheckpointId) return t;
    if (this.aligning === null || id > this.aligning.checkpointId) {
      if (this.aligning !== null) this.abortAlignment(id, t);
      this.aligning = { checkpointId: id, start: t, received: new Set() };
      const deadline = host.checkpointTriggerTime(id) + this.alignedTimeoutMs;
      if (t >= deadline) return this.switchToUnaligned(id, channel, t);
      host.scheduleAlignmentTimeout(this.task, id, deadline);
    }
    const a = this.aligning;
    a.received.add(channel);
    if (a.received.size < openInputs(this.task)) {
      host.setChannelBlocked(this.task, channel, true, id, t);
      return t;
    }
    return this.completeAligned(t);
  }

  processEndOfPartition(_channel: Channel, t: number): number {
    const a = this.aligning;
    if (a === null || a.received.size < openInputs(this.task)) return t;
    return this.completeAligned(t);
  }

  /** Aligned in time: an ordinary aligned snapshot. */
  private completeAligned(t: number): number {
    const host = this.host;
    const a = this.aligning as { checkpointId: number; start: number; received: Set<Channel> };
    const id = a.checkpointId;
    const alignmentMs = t - a.start;
    if (this.task.inputs.length > 1)
      host.traceAlignment(this.task, 'alignment-completed', id, alignmentMs, t);
    this.unblock(t);
    this.aligning = null;
    this.lastCheckpointId = id;
    this.lastCancelledOrCompletedCheckpointId = id;
    return host.triggerCheckpointOnBarrier(
      this.task,
      { checkpointId: id, alignmentMs, unaligned: false, recordChannelState: false, triggerChannel: null },
      t,
    );
  }

  /** A priority barrier arrived: the upstream is unaligned, so this task is too, at once. */
  processPriorityBarrier(channel: Channel, barrier: CheckpointBarrier, t: number): number {
    const id = barrier.checkpointId;
    this.host.traceBarrierReceived(this.task, channel, id, t);
    if (id <= this.lastCheckpointId || id <= this.lastCancelledOrCompletedCheckpointId) return t;
    if (this.aligning !== null && this.aligning.checkpointId < id) this.abortAlignment(id, t);
    return this.switchToUnaligned(id, null, t);
  }

  /** The aligned-checkpoint timeout expired while this task was still aligning. */
  onAlignmentTimeout(checkpointId: number, t: number): number {
    if (this.aligning?.checkpointId !== checkpointId || checkpointId <= this.lastCheckpointId) return t;
    return this.switchToUnaligned(checkpointId, null, t);
  }

  /**
   * Snapshot now, unaligned. `consumed`: the in-line barrier just read on that channel (it is no longer
   * in the queue); channels that delivered their barrier during the aligned phase hold nothing of
   * this checkpoint either.
   */
  private switchToUnaligned(checkpointId: number, consumed: Channel | null, t: number): number {
    const done = new Set<Channel>(this.aligning?.received ?? []);
    if (consumed) done.add(consumed);
    const alignmentMs = this.aligning ? t - this.aligning.start : 0;
    this.unblock(t);
    this.aligning = null;
    this.lastCheckpointId = checkpointId;
    this.lastCancelledOrCompletedCheckpointId = checkpointId;
    return this.host.triggerCheckpointOnBarrier(
      this.task,
      {
        checkpointId,
        alignmentMs,
        unaligned: true,
        recordChannelState: true,
        triggerChannel: null,
        completedChannels: done,
      },
      t,
    );
  }

  private abortAlignment(byCheckpointId: number, t: number): void {
    const a = this.aligning;
    if (!a) return;
    this.host.traceAlignment(this.task, 'alignment-aborted', a.checkpointId, byCheckpointId, t);
    this.unblock(t);
    this.aligning = null;
  }

  private unblock(t: number): void {
    const a = this.aligning;
    if (!a) return;
    for (const c of a.received)
      if (c.blocked) this.host.setChannelBlocked(this.task, c, false, a.checkpointId, t);
  }

  /**
   * A CancelCheckpointMarker (Flink's rule, as in the aligned handler): a newer checkpoint, one still
   * aligning, or one whose channel state is still being recorded (Flink: barriers still expected) is
   * aborted — its alignment or recording ends, the task declines and forwards the marker.
   */
  processCancellationBarrier(channel: Channel, checkpointId: number, t: number): number {
    const aligning = this.aligning?.checkpointId === checkpointId;
    const recording = (this.task.pendingSnapshots.get(checkpointId)?.channelsRecording ?? 0) > 0;
    const newer =
      checkpointId > this.lastCheckpointId && checkpointId > this.lastCancelledOrCompletedCheckpointId;
    if (!(newer || aligning || recording)) return t;
    if (aligning) {
      this.host.traceAlignment(this.task, 'alignment-aborted', checkpointId, checkpointId, t);
      this.unblock(t);
      this.aligning = null;
    }
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
}
