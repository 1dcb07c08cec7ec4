/**
 * The abort side of Flink's SubtaskCheckpointCoordinatorImpl: the CancelCheckpointMarker a task sends
 * when it gives a checkpoint up (`abortCheckpointOnBarrier`), the ids a task was told were aborted
 * before it took part (`abortedCheckpointIds` / `checkAndClearAbortedStatus`), and the coordinator's
 * abort notification (`notifyCheckpointAborted`). Used by SubtaskCheckpointCoordinator.
 */
import type { Channel } from '../network/Channel';
import type { ClusterRuntime } from '../runtime/ClusterRuntime';
import { CANCEL_BARRIER, type CancelCheckpointMarker } from '../runtime/StreamElement';
import type { StreamTask } from '../tasks/StreamTask';

/** A CancelCheckpointMarker leaves on every output channel, in line with the records. */
export function sendCancelMarkers(
  rt: ClusterRuntime,
  task: StreamTask,
  checkpointId: number,
  t: number,
): void {
  const loop = rt.loop;
  for (const gate of task.outputs)
    for (const ch of gate.channels) {
      const marker: CancelCheckpointMarker = {
        kind: CANCEL_BARRIER,
        id: loop.elementIds++,
        checkpointId,
        arrival: 0,
      };
      rt.network.send(ch, marker, t);
    }
}

/** The network put a CancelCheckpointMarker on `channel` at `t`; it arrives at `arrival`. */
export function traceCancelMarkerSent(
  rt: ClusterRuntime,
  channel: Channel,
  el: CancelCheckpointMarker,
  arrival: number,
  t: number,
): void {
  const loop = rt.loop;
  if (loop.traceListener)
    loop.emit({
      type: 'cancel-barrier-sent',
      t,
      id: el.id,
      channel: channel.id,
      checkpointId: el.checkpointId,
      arriveAt: arrival,
    });
}

/** Flink's `checkAndClearAbortedStatus`; older ids can never be triggered any more and go too. */
export function checkAndClearAbortedStatus(task: StreamTask, checkpointId: number): boolean {
  const aborted = task.abortedCheckpointIds;
  if (aborted.size === 0) return false;
  for (const id of aborted) if (id < checkpointId) aborted.delete(id);
  return aborted.delete(checkpointId);
}

/** A snapshot given up: its async part and channel-state recording stop. */
export function dropSnapshot(task: StreamTask, checkpointId: number): void {
  if (task.pendingSnapshots.delete(checkpointId))
    for (const ch of task.inputs) if (ch.recording?.checkpointId === checkpointId) ch.recording = null;
}

/**
 * The coordinator's abort notification (Flink's `notifyCheckpointAborted`, here reaching every task
 * at once): operators are told, a snapshot in progress stops, and a task that has not taken part yet
 * remembers the id, so that its trigger or its alignment sends a CancelCheckpointMarker instead of the
 * barrier. An alignment in progress is not ended by the notification (in Flink neither): its
 * barriers, or a marker, end it.
 */
export function notifyCheckpointAborted(rt: ClusterRuntime, checkpointId: number, t: number): void {
  const stopTheWorld = rt.job.checkpointConfig.mode === 'stop-the-world';
  for (const task of rt.graph.tasks) {
    if (task.status !== 'RUNNING') continue;
    task.chain?.notifyCheckpointAborted(checkpointId);
    const tookPart =
      task.pendingSnapshots.has(checkpointId) ||
      (task.barrierHandler?.lastCheckpointId ?? -1) >= checkpointId ||
      (task.savepointHandler?.lastCheckpointId ?? -1) >= checkpointId;
    if (!tookPart && !stopTheWorld) task.abortedCheckpointIds.add(checkpointId);
    dropSnapshot(task, checkpointId);
  }
  rt.stopTheWorld.finish(checkpointId, t);
}
