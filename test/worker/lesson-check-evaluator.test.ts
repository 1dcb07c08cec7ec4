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
});
