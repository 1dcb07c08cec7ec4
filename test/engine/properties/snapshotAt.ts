/** Taking the snapshot a rescaling restores from, as a learner would: a savepoint, or the latest checkpoint. */
import type { CompletedCheckpoint, DurableCheckpointStorage, MiniCluster } from '../../../src/engine/index';

/**
 * Runs `cluster` to virtual time `at`, then returns the latest retained checkpoint (`kind`
 * 'checkpoint', when there is one) or triggers a savepoint and runs until it completes.
 */
export function snapshotAt(
  cluster: MiniCluster,
  storage: DurableCheckpointStorage,
  jobName: string,
  kind: 'savepoint' | 'checkpoint',
  at: number,
): CompletedCheckpoint {
  cluster.runUntil(at);
  if (kind === 'checkpoint') {
    const latest = storage.latest(jobName);
    if (latest) return latest;
  }
  const before = new Set(storage.list(jobName).map((s) => s.checkpointId));
  const id = cluster.triggerSavepoint();
  for (let guard = 0; guard < 5000; guard++) {
    const sp = storage
      .list(jobName)
      .find(
        (s) =>
          s.kind === 'savepoint' && !before.has(s.checkpointId) && (id === null || s.checkpointId === id),
      );
    if (sp) return sp;
    cluster.runUntil(cluster.now + 1);
  }
  throw new Error('the savepoint did not complete');
}
