/**
 * Checks that a checkpoint or savepoint can be restored into a job (Flink's
 * Checkpoints.loadAndValidateCheckpoint): operators are matched by uid; state of an operator the job
 * no longer has needs allowNonRestoredState; the max parallelism must not change (key groups are the
 * unit of rescaling); in-flight channel state cannot be rescaled here.
 */
import type { JobGraph } from '../api/JobGraph';
import type { CompletedCheckpoint } from './CompletedCheckpoint';

export class RestoreError extends Error {
  override readonly name = 'RestoreError';
}

export function validateRestore(
  job: JobGraph,
  checkpoint: CompletedCheckpoint,
  allowNonRestoredState: boolean,
): void {
  const what = `${checkpoint.kind} ${checkpoint.checkpointId}`;
  const byUid = new Map(job.vertices.map((v) => [v.uid, v]));
  const uids = [...new Set(checkpoint.tasks.map((t) => t.operatorUid))];
  for (const uid of uids) {
    const vertex = byUid.get(uid);
    const tasks = checkpoint.tasks.filter((t) => t.operatorUid === uid);
    const hasState = tasks.some(
      (t) =>
        (t.keyedState && ('kind' in t.keyedState || t.keyedState.keyGroups.length > 0)) ||
        t.operatorState !== null ||
        t.timers.length > 0 ||
        t.inputChannelState.length > 0 ||
        t.outputChannelState.length > 0,
    );
    if (!vertex) {
      if (hasState && !allowNonRestoredState)
        throw new RestoreError(
          `Failed to rollback to ${what}: cannot map state for operator '${uid}' to the new program, because the operator is not available in the new program. If you want to allow to skip this, set allowNonRestoredState (Flink: --allowNonRestoredState).`,
        );
      continue;
    }
    const oldMaxP = tasks[0].maxParallelism;
    if (oldMaxP !== vertex.maxParallelism)
      throw new RestoreError(
        `Failed to rollback to ${what}: the max parallelism of operator '${uid}' was ${oldMaxP} and is now ${vertex.maxParallelism}; it must not change (key groups are the unit of rescaling).`,
      );
    const oldP = tasks[0].parallelism;
    const inFlight = tasks.some((t) => t.inputChannelState.length > 0 || t.outputChannelState.length > 0);
    if (inFlight && oldP !== vertex.parallelism)
      throw new RestoreError(
        `Failed to rollback to ${what}: operator '${uid}' has in-flight channel state (unaligned checkpoint) and its parallelism changed from ${oldP} to ${vertex.parallelism}; the simulator rescales only aligned checkpoints and savepoints.`,
      );
  }
}
