/**
 * Unaligned checkpoints (Flink's SingleCheckpointBarrierHandler in unaligned mode): the task reacts
 * to the *first* barrier of checkpoint n as soon as it arrives in an input buffer, overtaking the
 * records queued ahead of it. It snapshots at once, sends barrier n downstream ahead of its own output
 * buffer, and persists as channel state (a) the records of its output buffer that the barrier
 * overtook, and (b) per input channel, the records before barrier n that it had not processed yet.
 * Nothing is blocked; the checkpoint's size grows by the in-flight data instead.
 */
import type { Channel } from '../../runtime/Channel';
import type { CheckpointBarrier } from '../../runtime/StreamElement';
import type { StreamTask } from '../../runtime/StreamTask';
import type { BarrierHandlerHost, CheckpointBarrierHandler } from './CheckpointBarrierHandler';

export class UnalignedCheckpointBarrierHandler implements CheckpointBarrierHandler {
  lastCheckpointId = -1;

  constructor(
    private readonly task: StreamTask,
    private readonly host: BarrierHandlerHost,
  ) {}

  /** The barrier was already handled on arrival; reading it in-band later changes nothing. */
  processBarrier(_channel: Channel, _barrier: CheckpointBarrier, t: number): number {
    return t;
  }

  processPriorityBarrier(channel: Channel, barrier: CheckpointBarrier, t: number): number {
    const id = barrier.checkpointId;
    this.host.traceBarrierReceived(this.task, channel, id, t);
    if (id <= this.lastCheckpointId) return t;
    this.lastCheckpointId = id;
    return this.host.triggerCheckpointOnBarrier(
      this.task,
      { checkpointId: id, alignmentMs: 0, unaligned: true, recordChannelState: true, triggerChannel: null },
      t,
    );
  }

  abortCheckpoint(): void {}
}
