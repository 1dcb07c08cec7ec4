/**
 * A lesson step passes or fails the same way at any playback speed: the worker evaluates the check on
 * every engine event, and a solution's "play until" stops the engine at the event where its goal
 * holds. Every lesson is played headlessly at 0.1× (5 virtual ms per frame) and at 20× (1 s per
 * frame); at every step the verdict, the virtual time at which it passed and the time the solution
 * ended are the same.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { IndexedDbCheckpointStorage } from '../../src/storage/index';
import { EngineHost } from '../../src/worker/EngineHost';
import { HeadlessLessonDriver } from '../../src/lessons/headless';
import { registerLessonJobs } from '../../src/worker/lessonJobs';
import { LESSONS } from '../../src/lessons/registry';
import { playSolution } from '../../src/lessons/runner';
import type { LessonDefinition } from '../../src/lessons/format';
import { freshDbName } from '../storage/helpers';

registerLessonJobs();

interface StepRun {
  step: string;
  before: boolean;
  passed: boolean;
  passedAt: number | null;
  endedAt: number;
}

async function playLesson(lesson: LessonDefinition, speed: number): Promise<StepRun[]> {
  const dbName = freshDbName();
  const driver = new HeadlessLessonDriver(
    lesson,
    () =>
      new EngineHost({
        openStorage: (options) => IndexedDbCheckpointStorage.open({ ...options, dbName }),
        frameBudgetMs: 10_000,
      }),
    speed,
  );
  await driver.start();
  const runs: StepRun[] = [];
  for (const step of lesson.steps) {
    const before = (await driver.begin(step)).passed;
    await playSolution(lesson, step.solution, driver);
    const after = await driver.check();
    runs.push({
      step: step.id,
      before,
      passed: after.passed,
      passedAt: after.passedAt,
      endedAt: (await driver.host.timeline()).now,
    });
  }
  return runs;
}

describe('lesson checks do not depend on the playback speed', () => {
  for (const lesson of LESSONS) {
    it(`lesson ${lesson.definition.number} (${lesson.dir}): the same verdicts at the same virtual times at 0.1× and 20×`, async () => {
      const slow = await playLesson(lesson.definition, 100);
      const fast = await playLesson(lesson.definition, 20_000);
      expect(fast).toEqual(slow);
      expect(slow.every((r) => !r.before && r.passed)).toBe(true);
    }, 120_000);
  }
});
