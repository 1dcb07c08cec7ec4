/**
 * Every lesson's solution, played headlessly through the engine (EngineHost on fake-indexeddb, as the
 * worker runs it), with the step's check evaluated by the worker's own LessonCheckEvaluator on every
 * engine event: before a step's actions its check fails (no check is vacuous), after them it has
 * passed. The steps run in order, each starting where the previous one left the job, as in the app.
 */
import { renderEnglish } from '../../src/engine/messages/Message';
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { IndexedDbCheckpointStorage } from '../../src/storage/index';
import { EngineHost } from '../../src/worker/EngineHost';
import { HeadlessLessonDriver } from '../../src/lessons/headless';
import { registerLessonJobs } from '../../src/worker/lessonJobs';
import { LESSONS, LESSON_ERRORS } from '../../src/lessons/registry';
import { playSolution } from '../../src/lessons/runner';
import { formatLessonError } from '../../src/lessons/format';
import { freshDbName } from '../storage/helpers';

registerLessonJobs();

describe('the lessons', () => {
  it('are all valid', () => {
    expect(LESSON_ERRORS.map(formatLessonError)).toEqual([]);
    expect(LESSONS.length).toBeGreaterThan(0);
  });

  for (const lesson of LESSONS) {
    it(`lesson ${lesson.definition.number} (${lesson.dir}): every step's check fails before its solution and passes after`, async () => {
      const dbName = freshDbName();
      const driver = new HeadlessLessonDriver(
        lesson.definition,
        () =>
          new EngineHost({
            openStorage: (options) => IndexedDbCheckpointStorage.open({ ...options, dbName }),
            frameBudgetMs: 10_000,
          }),
      );
      await driver.start();
      for (const step of lesson.definition.steps) {
        const before = await driver.begin(step);
        expect(before.passed, `step '${step.id}' passes before its solution: its check is vacuous`).toBe(
          false,
        );
        await playSolution(lesson.definition, step.solution, driver);
        const after = await driver.check();
        expect(after.passed, `step '${step.id}' after its solution: ${renderEnglish(after.now.why)}`).toBe(
          true,
        );
      }
    });
  }
});

describe("lesson 1's chaining step", () => {
  it('answered but still chained, the step does not pass: 5/5 acks and no channel count -> print', async () => {
    const lesson = LESSONS.find((l) => l.dir === '01-wordcount');
    if (!lesson) throw new Error('lesson 1 is missing');
    const dbName = freshDbName();
    const driver = new HeadlessLessonDriver(
      lesson.definition,
      () =>
        new EngineHost({
          openStorage: (options) => IndexedDbCheckpointStorage.open({ ...options, dbName }),
          frameBudgetMs: 10_000,
        }),
    );
    await driver.start();
    const step = lesson.definition.steps.find((s) => s.id === 'chains');
    if (!step) throw new Error("lesson 1 has no step 'chains'");
    await driver.begin(step);
    await driver.answer();
    await driver.playUntil({ kind: 'finished' }, 60_000);
    const v = await driver.check();
    expect(v.passed).toBe(false);
    expect(renderEnglish(v.now.why)).toContain('chaining');
  });
});
