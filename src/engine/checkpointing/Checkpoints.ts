/**
 * Checks that a checkpoint or savepoint can be restored into a job (Flink's
 * Checkpoints.loadAndValidateCheckpoint): operators are matched by uid; state of an operator the job
 * no longer has needs allowNonRestoredState; the max parallelism must not change (key groups are the
 * unit of rescaling); in-flight channel state cannot be rescaled here.
 */
import type { JobGraph } from '../api/JobGraph';
import type { CompletedCheckpoint } from './CompletedCheckpoint';
import { EngineError, msg } from '../messages/Message';

/** Its `detail` is the message code the page translates; `message` is the English text. */
export class RestoreError extends EngineError {
  override readonly name = 'RestoreError';
}

export function validateRestore(
  job: JobGraph,
  checkpoint: CompletedCheckpoint,
  allowNonRestoredState: boolean,
): void {
  const what = msg('restore.what', { kind: msg(`kind.${checkpoint.kind}`), id: checkpoint.checkpointId });
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
        throw new RestoreError(msg('restore.operator-missing', { what, uid }));
      continue;
    }
    const oldMaxP = tasks[0].maxParallelism;
    if (oldMaxP !== vertex.maxParallelism)
      throw new RestoreError(
        msg('restore.max-parallelism-changed', { what, uid, old: oldMaxP, now: vertex.maxParallelism }),
      );
    const oldP = tasks[0].parallelism;
    const inFlight = tasks.some((t) => t.inputChannelState.length > 0 || t.outputChannelState.length > 0);
    if (inFlight && oldP !== vertex.parallelism)
      throw new RestoreError(
        msg('restore.unaligned-rescale', { what, uid, old: oldP, now: vertex.parallelism }),
      );
  }
}
