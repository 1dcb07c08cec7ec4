/**
 * Runs long enough to act on (issue 11, item 5): the landing scenario and every lesson that asks the
 * learner to fail a subtask last at least 10 s of virtual time (10 s of playback at 1×), complete at
 * least three checkpoints, and a failure anywhere in a 10-s window — just after the first completed
 * checkpoint, and 10 s later — visibly rewinds source offsets and keyed state (the restore summary
 * the worker computes says so).
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { registerLessonJobs } from '../../src/worker/lessonJobs';
import { LESSONS } from '../../src/lessons/registry';
import { lessonLoadOptions } from '../../src/lessons/runner';
import type { LoadOptions } from '../../src/worker/protocol';
import { freshDbName } from '../storage/helpers';
import { newHost } from './host-helpers';

registerLessonJobs();

interface Target {
  name: string;
  options: LoadOptions;
  failTask: string;
}

const targets: Target[] = [
  { name: 'landing: visits', options: { scenario: 'visits', seed: 1 }, failTask: 'count#1' },
];
for (const lesson of LESSONS) {
  const d = lesson.definition;
  // The job as the lesson panel has it when the learner is asked to fail a subtask: the lesson's
  // start, changed by every `configure` before (a SQL lesson switches queries; file names become
  // statements).
  let options: LoadOptions = lessonLoadOptions(d);
  let failTask: string | null = null;
  for (const a of d.steps.flatMap((s) => s.solution)) {
    if (a.do === 'configure') options = lessonLoadOptions(d, a.options, options);
    if (a.do === 'fail') {
      failTask = a.task;
      break;
    }
  }
  if (failTask === null) continue;
  targets.push({ name: `lesson ${d.number} (${d.slug})`, options, failTask });
}

async function runToEnd(options: LoadOptions) {
  const host = newHost(freshDbName(), [], Number.POSITIVE_INFINITY);
  await host.start();
  await host.load({ ...options, speed: 20_000 });
  await host.play();
  let firstCompleted: number | null = null;
  for (let i = 0; i < 400; i++) {
    const u = await host.frame(250);
    for (const e of u.events) if (e.type === 'checkpoint-completed') firstCompleted ??= e.t;
    if (u.finished) {
      await host.unload();
      return { end: u.now, completed: u.checkpoints.completed, firstCompleted: firstCompleted ?? NaN };
    }
  }
  throw new Error('the run did not finish');
}

async function failAt(options: LoadOptions, task: string, t: number) {
  const host = newHost(freshDbName(), [], Number.POSITIVE_INFINITY);
  await host.start();
  await host.load({ ...options, speed: 20_000 });
  await host.play();
  for (let u = await host.frame(5); u.now < t; u = await host.frame(5)); // 100 virtual ms a frame
  await host.pause();
  await host.failTask(task);
  await host.setPauseOnFailure(true);
  for (let i = 0; i < 20; i++) {
    await host.play();
    let u = await host.frame(250);
    for (let j = 0; j < 400 && u.playing; j++) u = await host.frame(250);
    if (u.restore?.phase === 'restored') {
      await host.unload();
      return u.restore;
    }
  }
  throw new Error(`no restore after failing ${task} at ${t}`);
}

describe('runs long enough to act on', () => {
  for (const target of targets) {
    it(`${target.name}: ≥ 10 s, ≥ 3 checkpoints, and a failure across 10 s rewinds offsets and state`, async () => {
      const run = await runToEnd(target.options);
      expect(run.end).toBeGreaterThanOrEqual(10_000);
      expect(run.completed).toBeGreaterThanOrEqual(3);
      for (const t of [run.firstCompleted + 100, run.firstCompleted + 10_000]) {
        expect(t).toBeLessThan(run.end);
        const s = await failAt(target.options, target.failTask, t);
        expect(s.restored?.checkpointId, `fail at ${t}`).not.toBeNull();
        expect(Math.max(...s.sources.map((p) => p.replay ?? 0)), `fail at ${t}`).toBeGreaterThan(0);
        expect(s.state?.keysRewound ?? 0, `fail at ${t}`).toBeGreaterThan(0);
      }
    }, 120_000);
  }
});
