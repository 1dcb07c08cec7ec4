/**
 * Lesson 7 rests on its job's shape, not on a tuned pace: visits from a busy source behind a slow
 * lookup and a quiet source (lessons/07-at-least-once-and-unaligned/job.ts). Barrier n from the quiet
 * source reaches each count subtask long before the busy side's, so in at-least-once the quiet
 * channel's visits in between are in the snapshot and replayed after a restore: duplicates. This
 * holds for other seeds and other source paces too, while exactly-once under the same failure has
 * none; and the run lasts over 10 s.
 */
import { describe, expect, it } from 'vitest';
import { Simulation, type CheckpointingMode, type JobGraph } from '../../src/engine/index';
import { scenario } from '../../lessons/07-at-least-once-and-unaligned/job';

function job(mode: CheckpointingMode, webMs: number, appMs: number): JobGraph {
  const j = scenario.build({ mode });
  for (const v of j.vertices) {
    if (v.uid === 'web') v.processingTimeMs = webMs;
    if (v.uid === 'app') v.processingTimeMs = appMs;
  }
  return j;
}

/** Committed rows of the run with count#1 failing just after checkpoint 1 that the failure-free run never has. */
function extraRows(mode: CheckpointingMode, seed: number, webMs: number, appMs: number) {
  const reference = new Simulation(job(mode, webMs, appMs), { seed, fastForward: true });
  reference.run();
  const first = reference.checkpoints.find((c) => c.status === 'COMPLETED');
  expect(first).toBeDefined();
  const at = Math.ceil((first?.triggerTime ?? 0) + (first?.endToEndMs ?? 0)) + 1;
  const faulty = new Simulation(job(mode, webMs, appMs), { seed, fastForward: true });
  faulty.run([{ target: 'count#1', at }]);
  expect(faulty.failures.map((f) => f.restoredFrom)).toEqual([first?.id]);
  const seen = new Set(reference.external.committedValues('sink').map((r) => JSON.stringify(r)));
  return {
    extra: faulty.external.committedValues('sink').filter((r) => !seen.has(JSON.stringify(r))).length,
    duration: reference.cluster.now,
  };
}

describe('lesson 7: duplicates in at-least-once come from the two speeds, whatever the pace', () => {
  // [busy web source, quiet app source] ms per record: the lesson's (0.5, 5) and three others.
  const paces: Array<[number, number]> = [
    [0.5, 5],
    [0.3, 3],
    [0.8, 8],
    [1, 4],
  ];
  for (const [webMs, appMs] of paces)
    it(`web ${webMs} ms, app ${appMs} ms: duplicates in at-least-once, none in exactly-once`, () => {
      // The lesson's pace with three seeds, the others with one.
      for (const seed of webMs === 0.5 ? [1, 2, 3] : [1]) {
        const alo = extraRows('at-least-once', seed, webMs, appMs);
        expect(alo.extra, `seed ${seed}`).toBeGreaterThan(0);
        expect(alo.duration).toBeGreaterThan(10_000);
      }
      expect(extraRows('exactly-once', 1, webMs, appMs).extra).toBe(0);
    });
});
