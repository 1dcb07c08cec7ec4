/**
 * Export → import → continue: a `visits` run stopped after a checkpoint, exported as snapshot JSON and
 * restored from the file into a new engine (the old one thrown away, the external system kept, as after
 * a crash), ends with the same keyed state and the same committed sink output as the failure-free run:
 * what exactly-once promises.
 */
import { describe, expect, it } from 'vitest';
import {
  DurableCheckpointStorage,
  MiniCluster,
  Simulation,
  fromSnapshotJson,
  getScenario,
  snapshotToText,
  type CheckpointingMode,
} from '../../src/engine/index';
import { nonEmpty, offsetsOfCheckpoint, offsetsOfCluster, sortedJson, stateOfCheckpoint } from './helpers';

function failureFree(mode: CheckpointingMode) {
  const sim = new Simulation(getScenario('visits').build({ mode }), { seed: 7, fastForward: true });
  sim.run();
  return sim.result();
}

describe('snapshot round trip on the visits scenario', () => {
  for (const mode of ['exactly-once', 'unaligned'] as CheckpointingMode[]) {
    for (const stopAt of [900, 1800]) {
      it(`${mode}: export at ${stopAt} ms, import, continue = the run never exported`, () => {
        const reference = failureFree(mode);

        const job = getScenario('visits').build({ mode });
        const first = new MiniCluster(job, {
          seed: 7,
          fastForward: true,
          checkpointStorage: new DurableCheckpointStorage(),
        });
        first.runUntil(stopAt);
        const latest = first.checkpointStorage.latest(job.name);
        expect(latest).not.toBeNull();
        const text = snapshotToText(latest!);
        // The old engine is gone; only the file and the external system (the sink's database) remain.
        const external = first.external;

        const job2 = getScenario('visits').build({ mode });
        const imported = fromSnapshotJson(text, job2);
        if (!imported.ok) throw new Error(JSON.stringify(imported.errors));
        const second = new MiniCluster(job2, {
          seed: 99,
          fastForward: true,
          external,
          startTime: stopAt + 500,
          incarnation: 1,
          restoreFrom: imported.checkpoint,
          checkpointStorage: new DurableCheckpointStorage(),
        });
        // Restored exactly what the file holds, before anything else ran.
        expect(nonEmpty(second.keyedStateByOperator())).toEqual(nonEmpty(stateOfCheckpoint(latest!)));
        expect(offsetsOfCluster(second)).toEqual(offsetsOfCheckpoint(latest!));
        second.runToCompletion();

        expect(second.jobStatus).toBe('FINISHED');
        expect(second.keyedStateByOperator()).toEqual(reference.state);
        const committed = external.committedValues('sink');
        expect(committed).toHaveLength(10_000);
        expect(sortedJson(committed)).toEqual(sortedJson(reference.sinks.sink.committed));
        expect(new Set(committed.map((r) => JSON.stringify(r))).size).toBe(10_000); // no duplicates
      });
    }
  }
});
