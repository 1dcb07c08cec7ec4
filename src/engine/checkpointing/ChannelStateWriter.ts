/**
 * Flink's ChannelStateWriter: in unaligned (and Chandy-Lamport) checkpoints, the records in flight on
 * a task's input channels at its snapshot become part of the checkpoint. For every input channel: the
 * records queued before barrier n that the task has not processed; where barrier n has not been sent
 * yet, records keep being added as they are sent (`Channel.recording`) until it is. The task
 * acknowledges only once every channel's recording is complete. (Output-side channel state — the
 * records a priority barrier overtook in the sender's buffer — is taken with the snapshot.)
 */
import type { Channel } from '../network/Channel';
import type { ClusterRuntime } from '../runtime/ClusterRuntime';
import { BARRIER, END_OF_PARTITION, RECORD } from '../runtime/StreamElement';
import type { PendingSnapshot, StreamTask } from '../tasks/StreamTask';
import type { PersistedRecord } from './CompletedCheckpoint';

export class ChannelStateWriter {
  constructor(private readonly rt: ClusterRuntime) {}

  /** Starts recording every input channel of `task` but those in `done` (their barrier was read). */
  start(task: StreamTask, pending: PendingSnapshot, done: ReadonlySet<Channel>, t: number): void {
    const loop = this.rt.loop;
    for (const ch of task.inputs) {
      const records: PersistedRecord[] = [];
      pending.inputChannelState.set(ch, { peer: ch.fromOperator, records });
      if (done.has(ch) || ch.finished) continue; // a closed channel has nothing in flight
      let sawBarrier = false;
      for (let i = 0; i < ch.queue.length; i++) {
        const e = ch.queue.at(i);
        // EndOfPartition: its sender finished; nothing more comes on this channel.
        if ((e.kind === BARRIER && e.checkpointId >= pending.checkpointId) || e.kind === END_OF_PARTITION) {
          sawBarrier = true;
          // Queued but maybe not arrived yet: the channel's state is complete only when it arrives.
          pending.recordingDoneAt = Math.max(pending.recordingDoneAt, e.arrival);
          break;
        }
        if (e.kind === RECORD) records.push({ value: e.value, ts: e.ts });
      }
      if (!sawBarrier) {
        ch.recording = { checkpointId: pending.checkpointId, records };
        pending.channelsRecording++;
      } else if (loop.traceListener) {
        loop.emit({
          type: 'channel-state-recorded',
          t,
          task: task.id,
          channel: ch.id,
          checkpointId: pending.checkpointId,
          records: records.length,
        });
      }
    }
  }

  /** The barrier of the recorded checkpoint was sent on `channel` (it arrives at `at`): recording ends. */
  finish(channel: Channel, at: number): void {
    const rec = channel.recording;
    if (!rec) return;
    channel.recording = null;
    const task = channel.to;
    const pending = task.pendingSnapshots.get(rec.checkpointId);
    if (!pending) return;
    const loop = this.rt.loop;
    if (loop.traceListener)
      loop.emit({
        type: 'channel-state-recorded',
        t: at,
        task: task.id,
        channel: channel.id,
        checkpointId: rec.checkpointId,
        records: rec.records.length,
      });
    pending.recordingDoneAt = Math.max(pending.recordingDoneAt, at);
    if (--pending.channelsRecording === 0) this.rt.subtaskCheckpoints.scheduleAck(task, pending);
  }
}
