/**
 * Regression tests for engine-crash handling in Simulation, found while building the command line:
 * `until` bounds the run, checkpoints in flight at a crash are reported failed, ids never repeat.
 */
import { describe, expect, it } from 'vitest';
import { getScenario, Simulation } from '../../src/engine/index';

function run(scenario: string, failures: Array<{ target: string; at: number }>, until?: number): Simulation {
  const sim = new Simulation(getScenario(scenario).build(), { seed: 1, fastForward: true });
  sim.run(failures, until);
  return sim;
}

describe('Simulation: engine crash bookkeeping', () => {
  // Simulation.run runs the cluster up to every engine crash before it looks at `until`.
  it('run(failures, until) stops at `until` even when an engine crash is scheduled later', () => {
    const sim = run('visits', [{ target: 'engine', at: 3000 }], 1000);
    expect(sim.failures).toEqual([]);
    expect(sim.cluster.now).toBe(1000);
  });

  // crashEngine() moves the old coordinator's history into pastCheckpoints as is, so a checkpoint that
  // was in progress when the engine died stays IN_PROGRESS forever in checkpoints / result().
  it('a checkpoint in progress when the engine crashes is reported as failed', () => {
    const sim = run('wordcount', [{ target: 'engine', at: 900 }]);
    const first = sim.result().checkpoints[0];
    expect(first.triggerTime).toBeLessThan(900);
    expect(first.status).toBe('FAILED');
  });

  // The new engine's coordinator starts ids at latestCompleted + 1, so ids of checkpoints triggered
  // after the latest completed one (failed or in progress) are used again: checkpoint 1 twice here.
  // MiniClusterOptions.firstCheckpointId = max id so far + 1 that the coordinator takes as a lower bound.
  it('checkpoint ids stay unique across an engine crash', () => {
    const ids = run('wordcount', [{ target: 'engine', at: 900 }])
      .result()
      .checkpoints.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('two-phase commit across processes', () => {
  // A restore in a fresh process (new external system) used to name its own transactions exactly as
  // the process that wrote the checkpoint did, so a new transaction with a restored pending id was
  // taken as already committed and its rows were lost.
  it('a restore into a new external system commits the pending rows and everything after them', () => {
    const first = new Simulation(getScenario('visits').build(), { seed: 1, fastForward: true });
    first.run([], 1800);
    const cp = first.checkpointStorage.latest('Visits');
    expect(cp).not.toBeNull();
    let offsets = 0;
    let pending = 0;
    for (const t of cp!.tasks) {
      for (const s of t.operatorState?.sourceOffsets ?? []) offsets += s.offset;
      for (const p of t.operatorState?.pendingTransactions ?? []) pending += p.rows.length;
    }
    const second = new Simulation(getScenario('visits').build(), {
      seed: 1,
      fastForward: true,
      restoreFrom: cp!,
    });
    second.run();
    expect(second.external.committedValues('sink')).toHaveLength(10_000 - offsets + pending);
  });
});
