/**
 * Lesson 8's last step asks the learner to fail the job twice: after the first restart there must be
 * time to do it, and a click after the job has ended must say why it does nothing.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { IndexedDbCheckpointStorage } from '../../src/storage/index';
import { EngineHost } from '../../src/worker/EngineHost';
import { HeadlessLessonDriver } from '../../src/lessons/headless';
import { registerLessonJobs } from '../../src/worker/lessonJobs';
import { LESSONS } from '../../src/lessons/registry';
import { lessonLoadOptions, playSolution } from '../../src/lessons/runner';
import { freshDbName } from '../storage/helpers';

registerLessonJobs();

const lesson = LESSONS.find((l) => l.definition.number === 8)!.definition;
const step = lesson.steps.find((s) => s.id === 'restart-strategy')!;

async function driver(): Promise<HeadlessLessonDriver> {
  const dbName = freshDbName();
  const d = new HeadlessLessonDriver(
    lesson,
    () =>
      new EngineHost({
        openStorage: (options) => IndexedDbCheckpointStorage.open({ ...options, dbName }),
        frameBudgetMs: 10_000,
      }),
  );
  await d.start();
  return d;
}

describe("lesson 8's restart-strategy step", () => {
  it('leaves at least 5 s of virtual time (5 s at 1×) after the first restart to fail the job again', async () => {
    const d = await driver();
    await d.begin(step);
    // The step's solution up to the first restore: configure, play to a checkpoint, fail, play on.
    const upToRestore = step.solution.slice(0, 5);
    expect(upToRestore.at(-1)).toMatchObject({ do: 'play' });
    await playSolution(lesson, upToRestore, d);
    const restoredAt = (await d.host.timeline()).now;
    await playSolution(lesson, [{ do: 'play', until: { kind: 'finished' }, maxMs: 600_000 }], d);
    const finishedAt = (await d.host.timeline()).now;
    expect(finishedAt - restoredAt).toBeGreaterThanOrEqual(5000);
  });

  it('a failure clicked after the job has finished is refused with the reason', async () => {
    const d = await driver();
    await d.load(lessonLoadOptions(lesson));
    await d.begin(lesson.steps[0]);
    await playSolution(lesson, [{ do: 'play', until: { kind: 'finished' }, maxMs: 600_000 }], d);
    await expect(d.host.failTask('count#0')).rejects.toThrow(
      'the job has finished: count#0 runs no more. Restart the job to fail a subtask.',
    );
  });

  it('a failure clicked after the job has FAILED for good is refused with the reason', async () => {
    const d = await driver();
    await d.begin(step);
    await playSolution(lesson, step.solution, d);
    await expect(d.host.failTask('count#1')).rejects.toThrow('the job has FAILED for good');
  });
});
