/**
 * Lesson checks are evaluated in the worker on every engine event, not sampled per frame: a state that
 * holds only between two events is seen even when one frame plays the whole run, events beyond the
 * frame's record-level cap are counted, playback stops at the very event where the check passes, a
 * passed step stays passed, and a new worker takes over the counts of a crashed one.
 */
import { renderEnglish, text } from '../../src/engine/messages/Message';
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { IndexedDbCheckpointStorage } from '../../src/storage/index';
import { EngineHost } from '../../src/worker/EngineHost';
import type { Check, LessonCheckSpec } from '../../src/worker/protocol';
import { freshDbName } from '../storage/helpers';

/** A host whose real-time clock stands still: a frame always plays its whole slice, however slow the machine. */
const newHost = (dbName: string) =>
  new EngineHost({
    openStorage: (options) => IndexedDbCheckpointStorage.open({ ...options, dbName }),
    clock: () => 0,
  });

/** `be` is 1 only between the first and the second `be` of the line. */
const beIsOne: Check = { kind: 'state', operator: 'count', state: 'count', key: 'be', equals: 1 };

const spec = (check: Check, extra: Partial<LessonCheckSpec> = {}): LessonCheckSpec => ({
  id: 'test#1',
  check,
  answered: true,
  ...extra,
});

describe('the lesson check evaluator (in the worker)', () => {
  it('sees a state that holds between two events, although one frame plays the whole run, and stops there', async () => {
    const host = newHost(freshDbName());
    await host.start();
    await host.load({ scenario: 'wordcount', seed: 1, speed: 100_000 });
    const before = await host.setLessonCheck(spec(beIsOne));
    expect(before).toMatchObject({ passed: false, now: { ok: false } });
    await host.play();
    const u = await host.frame(250); // 25 virtual seconds: far past the end of the run
    expect(u.lesson?.passed).toBe(true);
    // Stopped at the event where `be` became 1, not at the end of the frame.
    expect(u.playing).toBe(false);
    expect(u.finished).toBe(false);
    expect(u.now).toBe(u.lesson?.passedAt);
    const page = await host.readState('count', 'count', 0, 10, 'be');
    expect(page.rows.find((r) => r.key === 'be')?.value).toBe(1);

    // Played on: `be` becomes 2, the check no longer holds now, but the step has passed.
    await host.play();
    const end = await host.frame(250);
    expect(end.finished).toBe(true);
    expect(end.lesson).toMatchObject({ passed: true, passedAt: u.now, now: { ok: false } });
    expect(renderEnglish(end.lesson?.now.why ?? text(''))).toBe("\"be\" is 2 in count's 'count', expected 1");
  });

  it('counts every event, also those beyond the frame’s cap of record-level events', async () => {
    const host = newHost(freshDbName());
    await host.start();
    await host.load({ scenario: 'wordcount', seed: 1, speed: 100_000, maxRecordEventsPerFrame: 1 });
    const tenChanges: Check = {
      kind: 'event',
      type: 'state-changed',
      where: { state: 'count' },
      atLeast: 10,
    };
    await host.setLessonCheck(spec(tenChanges, { pauseOnPass: false }));
    await host.play();
    const u = await host.frame(250);
    expect(u.finished).toBe(true);
    expect(u.events.filter((e) => e.type === 'state-changed').length).toBeLessThanOrEqual(1);
    expect(u.lesson?.passed).toBe(true);
    expect(u.lesson?.carry.counts).toEqual([10]);
  });

  it('pauseWhen stops playback at the event where the goal holds', async () => {
    const host = newHost(freshDbName());
    await host.start();
    await host.load({ scenario: 'wordcount', seed: 1, speed: 100_000 });
    const firstCheckpoint: Check = { kind: 'checkpoint', status: 'COMPLETED' };
    await host.setLessonCheck(spec({ kind: 'finished' }, { also: [firstCheckpoint] }));
    await host.pauseWhen(firstCheckpoint);
    await host.play();
    const u = await host.frame(250);
    expect(u.lesson?.until).toMatchObject({ ok: true });
    expect(u.playing).toBe(false);
    const completed = (await host.listCheckpoints()).history.filter((h) => h.status === 'COMPLETED');
    expect(completed).toHaveLength(1);
    expect(u.now).toBe(completed[0].triggerTime + (completed[0].endToEndMs ?? NaN));
  });

  it('a new worker takes over the counts of a crashed one', async () => {
    const dbName = freshDbName();
    const first = newHost(dbName);
    await first.start();
    await first.load({ scenario: 'visits', seed: 1, speed: 100_000 });
    const twoFailures: Check = { kind: 'event', type: 'task-failed', atLeast: 2 };
    // The new worker's own recovery counts too, although it happened before the check came back.
    const s = spec({ kind: 'all', of: [twoFailures, { kind: 'event', type: 'engine-recovered' }] });
    await first.setLessonCheck(s);
    await first.failTask('count#0');
    await first.play();
    const before = await first.frame(100); // 10 virtual seconds
    expect(renderEnglish(before.lesson?.now.why ?? text(''))).toBe(
      'subtask failure: once since this step began, expected at least 2',
    );
    // The worker dies; a new one recovers the job and gets the check with what the old one counted.
    const second = newHost(dbName);
    expect((await second.start()).recovered).toBe(true);
    const carried = await second.setLessonCheck({ ...s, carry: before.lesson!.carry });
    expect(renderEnglish(carried?.now.why ?? text(''))).toBe(
      'subtask failure: once since this step began, expected at least 2',
    );
    expect(carried?.carry.counts).toEqual([1, 1]);
    await second.failTask('count#1');
    await second.play();
    const after = await second.frame(100);
    expect(after.lesson?.passed).toBe(true);
  });

  it("'output' reads what a reader sees in a sink: rows, an equal row, an object's fields; 'job-file' asks for a job the learner ran", async () => {
    const host = newHost(freshDbName());
    await host.start();
    await host.load({ scenario: 'visits', seed: 1, speed: 100_000 });
    const why = async (check: Check) => {
      const v = await host.setLessonCheck(spec(check, { pauseOnPass: false }));
      return v?.now.ok ? 'ok' : renderEnglish(v?.now.why ?? text(''));
    };
    // Nothing committed yet: a reader sees no row.
    expect(await why({ kind: 'output', sink: 'sink', contains: [{ user: 'user-00' }] })).toBe(
      'sink shows a reader no row {"user":"user-00"} (0 rows so far)',
    );
    await host.play();
    expect((await host.frame(10_000)).finished).toBe(true);
    // Visits per user, two-phase commit: every visit's row, once. An object matches by its fields.
    expect(await why({ kind: 'output', sink: 'sink', rows: 10_000 })).toBe('ok');
    expect(await why({ kind: 'output', sink: 'sink', contains: [{ user: 'user-00', visits: 1 }] })).toBe(
      'ok',
    );
    expect(await why({ kind: 'output', sink: 'sink', rows: 9_999 })).toBe(
      'sink shows a reader 10000 rows (want 9999)',
    );
    expect(await why({ kind: 'output', sink: 'sink', contains: [{ user: 'nobody' }] })).toContain(
      'sink shows a reader no row {"user":"nobody"}',
    );
    // A whole row must be equal: a visit count's row is an object, not the array.
    expect(await why({ kind: 'output', sink: 'sink', contains: [['user-00', 1]] })).toContain('no row');
    // The built-in scenario is not a job file.
    expect(await why({ kind: 'job-file' })).toBe(
      "the running job is the lesson's, not yours: open the editor and Run your job",
    );
  });
  it('a sinceStart event count starts again when the job is started again (Apply), a plain one does not', async () => {
    const host = newHost(freshDbName());
    await host.start();
    await host.load({ scenario: 'visits', seed: 1, speed: 100_000 });
    const inThisRun: Check = { kind: 'event', type: 'task-failed', sinceStart: true };
    const everSinceStep: Check = { kind: 'event', type: 'task-failed' };
    await host.setLessonCheck(spec({ kind: 'all', of: [inThisRun, everSinceStep] }, { pauseOnPass: false }));
    await host.failTask('count#0');
    await host.play();
    // 5 virtual seconds: restarted and running again.
    expect((await host.frame(50)).lesson).toMatchObject({ passed: true, carry: { counts: [1, 1] } });
    // Apply: a new run. The failure of the old one still counts for the step, not for the run.
    await host.setLessonCheck(spec({ kind: 'all', of: [everSinceStep, inThisRun] }));
    await host.failTask('count#1');
    await host.play();
    await host.frame(10);
    await host.load({ scenario: 'visits', seed: 1, speed: 100_000 });
    const v = (await host.frame(0)).lesson;
    expect(v?.carry.counts).toEqual([1, 0]);
    expect(renderEnglish(v?.now.why ?? text(''))).toBe(
      'no subtask failure in this run (since the job was last started or restored)',
    );
    await host.failTask('count#2');
    await host.play();
    expect((await host.frame(10)).lesson?.passed).toBe(true);
  });

  it('beforeMs: only the events before that virtual time of the run count', async () => {
    const host = newHost(freshDbName());
    await host.start();
    await host.load({ scenario: 'visits', seed: 1, speed: 100_000 });
    const early: Check = {
      kind: 'event',
      type: 'checkpoint-completed',
      atLeast: 3,
      sinceStart: true,
      beforeMs: 2500,
    };
    await host.setLessonCheck(spec(early));
    await host.play();
    const u = await host.frame(60); // 6 virtual seconds
    const completed = (await host.listCheckpoints()).history.filter((h) => h.status === 'COMPLETED');
    const before = completed.filter((h) => h.triggerTime + (h.endToEndMs ?? 0) < 2500).length;
    expect(completed.length).toBeGreaterThan(before);
    expect(u.lesson?.passed).toBe(false);
    expect(renderEnglish(u.lesson?.now.why ?? text(''))).toBe(
      `checkpoint completed: ${before} times in the first 2500 ms of this run, expected at least 3`,
    );
  });

  it('failover: how far back a failure took the job, from the failure to the trigger of the restored checkpoint', async () => {
    const host = newHost(freshDbName());
    await host.start();
    await host.load({ scenario: 'visits', seed: 1, speed: 100_000 });
    const completed: Check = { kind: 'checkpoint', status: 'COMPLETED' };
    await host.setLessonCheck(spec({ kind: 'failover', maxRewindMs: 100 }, { also: [completed] }));
    expect(renderEnglish((await host.frame(0)).lesson?.now.why ?? text(''))).toBe(
      'no subtask has failed and been restored since this step began',
    );
    // Checkpoint 1 completes; half a second later count#0 fails: the job goes back to its trigger.
    await host.pauseWhen(completed);
    await host.play();
    const at = (await host.frame(100)).now;
    await host.pauseWhen(null);
    await host.play();
    await host.frame(5); // 500 virtual ms
    await host.pause();
    await host.failTask('count#0');
    await host.play();
    const late = await host.frame(30);
    const cp1 = (await host.listCheckpoints()).history.find((h) => h.id === 1);
    const why = renderEnglish(late.lesson?.now.why ?? text(''));
    const m =
      /^the job went back (\d+) ms: from the failure at (\d+) ms to checkpoint 1, triggered at (\d+) ms; expected at most 100 ms$/.exec(
        why,
      );
    expect(m, why).not.toBeNull();
    const [rewind, failedAt, from] = [Number(m![1]), Number(m![2]), Number(m![3])];
    expect(from).toBe(Math.round(cp1!.triggerTime));
    expect(failedAt).toBeGreaterThanOrEqual(Math.round(at + 500));
    expect(Math.abs(rewind - (failedAt - from))).toBeLessThanOrEqual(1);
    expect(late.lesson?.passed).toBe(false);
    // Right after the next checkpoint completes: the job goes back only as far as that one took.
    const done = (await host.listCheckpoints()).history.filter((h) => h.status === 'COMPLETED').length;
    await host.pauseWhen({ ...completed, atLeast: done + 1 });
    await host.play();
    await host.frame(100);
    await host.pauseWhen(null);
    await host.failTask('count#1');
    await host.play();
    expect((await host.frame(30)).lesson?.passed).toBe(true);
  });

  it('maxEndToEndMs: only checkpoints that fast count, and the verdict says how long the latest one took', async () => {
    const host = newHost(freshDbName());
    await host.start();
    await host.load({ scenario: 'visits', seed: 1, speed: 100_000 });
    await host.setLessonCheck(
      spec({ kind: 'checkpoint', status: 'COMPLETED', maxEndToEndMs: 1 }, { pauseOnPass: false }),
    );
    await host.play();
    const u = await host.frame(30); // 3 virtual seconds: two checkpoints
    const completed = (await host.listCheckpoints()).history.filter((h) => h.status === 'COMPLETED');
    expect(completed.length).toBeGreaterThanOrEqual(2);
    const fastest = Math.round(Math.min(...completed.map((h) => h.endToEndMs ?? Infinity)));
    expect(fastest).toBeGreaterThan(1);
    expect(u.lesson?.passed).toBe(false);
    const last = completed.at(-1)!;
    expect(renderEnglish(u.lesson?.now.why ?? text(''))).toBe(
      `checkpoint ${last.id} completed in ${Math.round(last.endToEndMs!)} ms end to end, expected at most 1 ms`,
    );
    await host.setLessonCheck(spec({ kind: 'checkpoint', status: 'COMPLETED', maxEndToEndMs: fastest + 1 }));
    await host.play();
    expect((await host.frame(30)).lesson?.passed).toBe(true);
  });

  it('inARow: failed checkpoints with a completed one in between are not in a row', async () => {
    const host = newHost(freshDbName());
    await host.start();
    await host.load({ scenario: 'visits', seed: 1, speed: 100_000, checkpoint: { tolerableFailed: 5 } });
    const twoInARow: Check = { kind: 'checkpoint', status: 'FAILED', atLeast: 2, inARow: true };
    const two: Check = { kind: 'checkpoint', status: 'FAILED', atLeast: 2 };
    const completed: Check = { kind: 'checkpoint', status: 'COMPLETED' };
    await host.setLessonCheck(spec({ kind: 'all', of: [two, twoInARow] }, { also: [completed, two] }));
    // One failed write, a completed checkpoint, another failed write.
    await host.injectStorageFault('quota');
    await host.pauseWhen(completed);
    await host.play();
    await host.frame(100);
    await host.injectStorageFault('quota');
    await host.pauseWhen(two);
    await host.play();
    const u = await host.frame(100);
    expect(u.lesson?.until).toMatchObject({ ok: true });
    expect(u.lesson?.passed).toBe(false);
    expect(renderEnglish(u.lesson?.now.why ?? text(''))).toBe(
      'at most 1 checkpoint failed in a row since this step began, expected 2',
    );
    // Two failed writes in a row: two failed checkpoints one after the other.
    await host.injectStorageFault('quota', 2);
    await host.pauseWhen(null);
    await host.play();
    expect((await host.frame(100)).lesson?.passed).toBe(true);
  });

  it('finished with jobStatus FINISHED: the job ran to its end, it did not fail for good', async () => {
    const host = newHost(freshDbName());
    await host.start();
    await host.load({ scenario: 'wordcount', seed: 1, speed: 100_000, restartStrategy: { type: 'none' } });
    await host.setLessonCheck(spec({ kind: 'finished', jobStatus: 'FINISHED' }));
    await host.failTask('count#0');
    await host.play();
    const failed = await host.frame(250);
    expect(failed.finished).toBe(true);
    expect(renderEnglish(failed.lesson?.now.why ?? text(''))).toBe('the job is FAILED, expected FINISHED');
    await host.load({ scenario: 'wordcount', seed: 1, speed: 100_000 });
    await host.play();
    expect((await host.frame(250)).lesson?.passed).toBe(true);
  });
});
