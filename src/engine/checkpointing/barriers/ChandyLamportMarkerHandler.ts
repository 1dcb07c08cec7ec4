/**
 * The Chandy-Lamport snapshot algorithm, as the seed's §4.1 describes it: on the first marker a
 * process records its state and sends markers on all its outputs (in line with data, never
 * overtaking); then, for every other input channel, it records the messages that arrive after its
 * snapshot and before that channel's marker. Those messages are the channel's state; on restore they
 * are replayed before new input. Markers start at the sources here, as barriers do in Flink.
 */
import type { Channel } from '../../network/Channel';
import type { CheckpointBarrier } from '../../runtime/StreamElement';
import type { StreamTask } from '../../tasks/StreamTask';
import { msg } from '../../messages/Message';
import type { BarrierHandlerHost, CheckpointBarrierHandler } from './CheckpointBarrierHandler';

export class ChandyLamportMarkerHandler implements CheckpointBarrierHandler {
  lastCheckpointId = -1;

  constructor(
    private readonly task: StreamTask,
    private readonly host: BarrierHandlerHost,
  ) {}

  processBarrier(channel: Channel, barrier: CheckpointBarrier, t: number): number {
    const id = barrier.checkpointId;
    this.host.traceBarrierReceived(this.task, channel, id, t);
    if (id <= this.lastCheckpointId) return t;
    this.lastCheckpointId = id;
    return this.host.triggerCheckpointOnBarrier(
      this.task,
      {
        checkpointId: id,
        alignmentMs: 0,
        unaligned: false,
        recordChannelState: true,
        triggerChannel: channel,
      },
      t,
    );
  }

  processPriorityBarrier(channel: Channel, barrier: CheckpointBarrier, t: number): number {
    return this.processBarrier(channel, barrier, t);
  }

  /** Recording of a closed channel ended with its EndOfPartition (ChannelStateWriter). */
  processEndOfPartition(_channel: Channel, t: number): number {
    return t;
  }

  /**
   * A CancelCheckpointMarker (not in the article; as Flink's handlers do): a snapshot not taken yet,
   * or one still recording channels, is given up — declined, the marker forwarded — and the
   * checkpoint's late markers start no snapshot.
   */
  processCancellationBarrier(channel: Channel, checkpointId: number, t: number): number {
    const recording = (this.task.pendingSnapshots.get(checkpointId)?.channelsRecording ?? 0) > 0;
    if (checkpointId <= this.lastCheckpointId && !recording) return t;
    this.lastCheckpointId = Math.max(this.lastCheckpointId, checkpointId);
    this.host.abortCheckpointOnBarrier(
      this.task,
      checkpointId,
      msg('checkpoint.declined-on-cancellation-barrier', { id: checkpointId, channel: channel.id }),
      t,
    );
    return t;
  }
}
