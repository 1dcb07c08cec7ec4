/**
 * Flink's CheckpointCoordinatorConfiguration: the checkpoint settings the JobManager runs with,
 * checked (and adjusted where Flink adjusts them) before the coordinator starts.
 */
import type { JobGraph } from '../api/JobGraph';

export function validateCheckpointConfig(job: JobGraph): void {
  const c = job.checkpointConfig;
  if (c.alignedCheckpointTimeoutMs > 0 && c.mode !== 'unaligned')
    throw new Error('an aligned-checkpoint timeout needs unaligned checkpoints (mode "unaligned")');
  if (c.intervalMs !== null && !(c.intervalMs > 0)) throw new Error('checkpoint interval must be > 0');
  if (c.maxConcurrentCheckpoints < 1) throw new Error('maxConcurrentCheckpoints must be >= 1');
  if (c.minPauseBetweenCheckpointsMs > 0 && c.maxConcurrentCheckpoints !== 1) {
    // Flink: a min pause forces one checkpoint at a time.
    (c as { maxConcurrentCheckpoints: number }).maxConcurrentCheckpoints = 1;
  }
  if (c.mode === 'unaligned' && c.maxConcurrentCheckpoints !== 1)
    throw new Error('unaligned checkpoints require max concurrent checkpoints = 1');
}
