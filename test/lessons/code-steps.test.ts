/**
 * Every code step (a step whose goal is met by a job the learner writes): its solution file, run
 * through the machinery of `npm run sim -- --job` (compileJob, buildJob: the worker's UserJobs) with
 * the step's other actions, passes the step's check; its start file, with the same actions, does not —
 * the learner has something to write. Both files type-check and build: the start file runs as it is.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { renderEnglish } from '../../src/engine/messages/Message';
import { buildJob, compileJob } from '../../src/jobs/index';
import { typecheckJob } from '../../src/jobs/typecheck';
import { HeadlessLessonDriver } from '../../src/lessons/headless';
import { codeOf } from '../../src/lessons/assemble';
import type { LessonAction } from '../../src/lessons/format';
import { LESSONS } from '../../src/lessons/registry';
import { playSolution } from '../../src/lessons/runner';
import { IndexedDbCheckpointStorage } from '../../src/storage/index';
import { EngineHost } from '../../src/worker/EngineHost';
import { registerLessonJobs } from '../../src/worker/lessonJobs';
import { freshDbName } from '../storage/helpers';

registerLessonJobs();

const codeSteps = LESSONS.flatMap((lesson) =>
  lesson.definition.steps.filter((s) => s.code).map((step) => ({ lesson, step })),
);

function newDriver(lesson: (typeof LESSONS)[number]) {
  const dbName = freshDbName();
  return new HeadlessLessonDriver(
    lesson.definition,
    () =>
      new EngineHost({
        openStorage: (options) => IndexedDbCheckpointStorage.open({ ...options, dbName }),
        frameBudgetMs: 10_000,
      }),
  );
}

describe('code steps', () => {
  it('there are code steps in at least four lessons', () => {
    expect(new Set(codeSteps.map((c) => c.lesson.dir)).size).toBeGreaterThanOrEqual(4);
  });

  for (const { lesson, step } of codeSteps) {
    const name = `${lesson.dir}/${step.id}`;
    const code = codeOf(lesson, step.id);

    it(`${name}: the start and the solution file compile and build as --job builds them`, async () => {
      expect(code).not.toBeNull();
      for (const [which, source] of [
        ['start', code!.start],
        ['solution', code!.solution],
      ] as const) {
        const compiled = compileJob(source, code!.fileName);
        if (!compiled.ok) throw new Error(`${which}: ${JSON.stringify(compiled.diagnostics)}`);
        const built = await buildJob(compiled);
        if (!built.ok) throw new Error(`${which}: ${JSON.stringify(built.diagnostic)}`);
      }
    });

    it(`${name}: the start and the solution file type-check as \`npm run sim -- --job\` checks them`, () => {
      for (const file of [step.code!.start, step.code!.solution])
        expect(typecheckJob(`lessons/${lesson.dir}/${file}`, lesson.definition.files![file]), file).toEqual(
          [],
        );
    }, 120_000);

    it(`${name}: the start file does not pass the check; the solution does`, async () => {
      // The learner's actions after Run, with the start file in place of the solution.
      const withStart: LessonAction[] = step.solution.map((a) =>
        a.do === 'run-code' ? { ...a, file: step.code!.start } : a,
      );
      const start = newDriver(lesson);
      await start.start();
      await start.begin(step);
      await playSolution(lesson.definition, withStart, start).catch(() => {
        // a "play until" may never get there with the start file: that is the point
      });
      await start.playUntil({ kind: 'finished' }, 600_000);
      const notYet = await start.check();
      expect(notYet.passed, `${name} passes with the start file: nothing to write`).toBe(false);
      expect(renderEnglish(notYet.now.why)).not.toBe('');

      const solved = newDriver(lesson);
      await solved.start();
      await solved.begin(step);
      await playSolution(lesson.definition, step.solution, solved);
      const after = await solved.check();
      expect(after.passed, `${name} with the solution: ${renderEnglish(after.now.why)}`).toBe(true);
    });
  }
});
