/**
 * Flink's AsyncCheckpointRunnable: the asynchronous part of a subtask's checkpoint. Once the modelled
 * upload is done (and, for channel-state modes, every input channel's state is recorded) the task
 * reports to the CheckpointCoordinator: it acknowledges with a TaskStateSnapshot per chained operator
 * and its checkpoint statistics, or declines when JobManagerCheckpointStorage refuses the state size.
 * Used by SubtaskCheckpointCoordinator (`scheduleAck` / `sendAck`).
 */
import type { ClusterRuntime } from '../runtime/ClusterRuntime';
import type { PendingSnapshot, StreamTask } from '../tasks/StreamTask';
import { jsonLength } from '../keygroups/hashCode';
import { msg } from '../messages/Message';
import type { TaskStateSnapshot } from './CompletedCheckpoint';

/** JobManagerCheckpointStorage's default max state size (5 MiB), as in Flink. */
export const MAX_MEMORY_STATE_SIZE = 5 * 1024 * 1024;

/** The acknowledgement leaves once the async part and the channel-state recording are done. */
export function scheduleAcknowledgement(
  rt: ClusterRuntime,
  task: StreamTask,
  pending: PendingSnapshot,
): void {
  const at = Math.max(pending.readyAt, pending.recordingDoneAt) + rt.job.costs.rpcLatencyMs;
  rt.loop.control.push(at, {
    kind: 'ack',
    task,
    attempt: task.attempt,
    checkpointId: pending.checkpointId,
  });
}

/**
 * The async part is done (and channel state recorded): the task acknowledges to the coordinator,
 * once, with a snapshot per chained operator (Flink's TaskStateSnapshot: OperatorSubtaskState by
 * operator id). The head's carries the input channel state, each operator its output channels'.
 */
export function reportCompletedSnapshot(rt: ClusterRuntime, task: StreamTask, checkpointId: number): void {
  const p = task.pendingSnapshots.get(checkpointId);
  if (!p) return;
  const now = rt.loop.now;
  const coordinator = rt.coordinator;
  task.pendingSnapshots.delete(checkpointId);
  task.firstBarrierAt.delete(checkpointId);
  // JobManagerCheckpointStorage (the seed's MemoryStateBackend) refuses state over its max size
  // (per operator state handle): the async phase fails, which counts towards the tolerable
  // checkpoint failures.
  const tooLarge = p.operators.find((o) => o.stateBytes > MAX_MEMORY_STATE_SIZE);
  if (rt.job.stateBackend.checkpointStorage === 'jobmanager' && tooLarge) {
    coordinator.declineCheckpoint(
      checkpointId,
      msg('checkpoint.memory-state-too-large', {
        task: task.id,
        size: tooLarge.stateBytes,
        maxSize: MAX_MEMORY_STATE_SIZE,
      }),
      now,
      true,
    );
    return;
  }
  const inputChannelState = [...p.inputChannelState.values()].filter((c) => c.records.length > 0);
  let channelStateBytes = 0;
  const snapshots: TaskStateSnapshot[] = p.operators.map((o, i) => {
    const v = o.vertex;
    const input = i === 0 ? inputChannelState : [];
    const output = p.outputChannelState.filter((c) => c.uid === v.uid).map((c) => c.state);
    const bytes = input.length + output.length > 0 ? jsonLength(input) + jsonLength(output) : 0;
    channelStateBytes += bytes;
    return {
      taskId: `${v.uid}#${task.subtaskIndex}`,
      operatorUid: v.uid,
      operatorName: v.name,
      subtaskIndex: task.subtaskIndex,
      parallelism: v.parallelism,
      maxParallelism: v.maxParallelism,
      keyedState: o.keyedState,
      operatorState: o.operatorState,
      timers: o.timers,
      inputChannelState: structuredClone(input),
      outputChannelState: output,
      stateBytes: o.stateBytes,
      // Only incremental snapshots differ between what was uploaded and the full size.
      ...(o.fullStateBytes !== o.stateBytes ? { fullStateBytes: o.fullStateBytes } : {}),
      channelStateBytes: bytes,
    };
  });
  task.lastAcknowledged = snapshots;
  const triggerTime = rt.coordinator.triggerTimeOf(checkpointId) ?? p.triggeredAt;
  rt.loop.emit({ type: 'checkpoint-acknowledged', t: now, task: task.id, checkpointId });
  coordinator.acknowledgeTask(
    task.id,
    checkpointId,
    {
      snapshots,
      stats: {
        taskId: task.id,
        ackTime: now,
        endToEndMs: now - triggerTime,
        stateBytes: p.stateBytes,
        syncMs: p.syncMs,
        asyncMs: p.asyncMs,
        alignmentMs: p.alignmentMs,
        startDelayMs: p.startDelayMs,
        persistedInFlightBytes: channelStateBytes,
        unaligned: p.unaligned,
      },
    },
    now,
  );
}
