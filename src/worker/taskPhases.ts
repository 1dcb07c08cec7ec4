/**
 * Where each subtask is in a checkpoint, read from the engine's own state at the end of a frame (not
 * guessed from events): the badge on the job graph shows exactly this, next to the task's status.
 *
 * - aligning: exactly-once (or aligned-then-unaligned) alignment in progress — an input channel is
 *   blocked because its barrier arrived and others' have not;
 * - snapshotting: a snapshot was taken and is not yet acknowledged (synchronous part, asynchronous
 *   upload, channel state still being recorded) — Flink's Web UI counts the subtask as in progress.
 */
import type { MiniCluster } from '../engine/index';
import type { TaskCheckpointPhase } from './protocol';

type Task = MiniCluster['tasks'][number];

export function taskPhase(task: Task): TaskCheckpointPhase | null {
  if (task.status !== 'RUNNING') return null;
  if (task.inputs.some((c) => c.blocked)) {
    // The checkpoint whose barrier reached this task and is not snapshotted yet.
    let id = -1;
    for (const cp of task.firstBarrierAt.keys()) if (!task.pendingSnapshots.has(cp)) id = Math.max(id, cp);
    return { phase: 'aligning', checkpointId: id >= 0 ? id : null };
  }
  if (task.pendingSnapshots.size > 0)
    return { phase: 'snapshotting', checkpointId: Math.min(...task.pendingSnapshots.keys()) };
  return null;
}

/** One entry per task, in the order of `cluster.tasks` (= `LoadInfo.tasks`). */
export function taskPhases(cluster: MiniCluster): Array<TaskCheckpointPhase | null> {
  return cluster.tasks.map(taskPhase);
}
