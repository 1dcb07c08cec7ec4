/**
 * A savepoint is in the canonical (full) format with every backend: with the RocksDB-like backend and
 * incremental checkpoints on, the checkpoints around it hold incremental handles, the savepoint holds
 * the whole keyed state (Flink: savepoints are self-contained and relocatable).
 */
import { describe, expect, it } from 'vitest';
import { getScenario, Simulation } from '../../src/engine/index';

describe('RocksDB-like backend with incremental checkpoints', () => {
  it('a savepoint holds full keyed state, the checkpoints incremental handles', () => {
    const sim = new Simulation(getScenario('visits').build({ backend: 'rocksdb' }), {
      seed: 1,
      fastForward: true,
    });
    sim.run([], 1500);
    sim.cluster.triggerSavepoint();
    sim.run([], 2600);
    const stored = sim.cluster.checkpointStorage.list(sim.job.name);
    const formats = (kind: string) =>
      stored
        .filter((c) => c.kind === kind)
        .flatMap((c) =>
          c.tasks.filter((t) => t.keyedState).map((t) => ('kind' in t.keyedState! ? 'incremental' : 'full')),
        );
    expect(formats('savepoint')).toEqual(['full', 'full', 'full', 'full']);
    expect(new Set(formats('checkpoint'))).toEqual(new Set(['incremental']));
  });
});
