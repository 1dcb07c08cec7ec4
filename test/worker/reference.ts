/**
 * The reference a recovered worker is compared with: the same scenario and seed run in memory (same
 * engine, same per-record trace mode as the worker), keeping every completed checkpoint by id.
 */
import {
  DurableCheckpointStorage,
  getScenario,
  MiniCluster,
  type CheckpointingMode,
  type CompletedCheckpoint,
} from '../../src/engine/index';

export function referenceCheckpoints(
  scenario: string,
  seed: number,
  until: number,
  options: { mode?: CheckpointingMode; intervalMs?: number } = {},
): Map<number, CompletedCheckpoint> {
  const job = getScenario(scenario).build({ mode: options.mode, checkpointIntervalMs: options.intervalMs });
  const storage = new DurableCheckpointStorage(1_000_000);
  const cluster = new MiniCluster(job, {
    seed,
    checkpointStorage: storage,
    trace: () => {},
    fastForward: false,
  });
  cluster.runUntil(until);
  return new Map(storage.list(job.name).map((c) => [c.checkpointId, c]));
}

/** Keyed state of a checkpoint as MiniCluster.keyedStateByOperator() shows it (operator → state → key → value). */
export function keyedStateOf(
  cp: CompletedCheckpoint,
): Record<string, Record<string, Record<string, unknown>>> {
  const out: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const t of cp.tasks) {
    if (!t.keyedState || !('keyGroups' in t.keyedState)) continue;
    const op = (out[t.operatorUid] ??= {});
    for (const kg of t.keyedState.keyGroups)
      for (const [name, st] of Object.entries(kg.states)) {
        const m = (op[name] ??= {});
        for (const [k, v] of st.entries) m[String(k)] = v;
      }
  }
  return out;
}

/** Source offsets of a checkpoint, as MiniCluster.sourceOffsets() shows them (task id → splits). */
export function sourceOffsetsOf(
  cp: CompletedCheckpoint,
): Record<string, Array<{ partition: number; offset: number }>> {
  const out: Record<string, Array<{ partition: number; offset: number }>> = {};
  for (const t of cp.tasks) if (t.operatorState?.sourceOffsets) out[t.taskId] = t.operatorState.sourceOffsets;
  return out;
}
