/**
 * Lesson checks on windows, evaluated by the worker's LessonCheckEvaluator on lesson 14's job: a
 * `state` check with `window` reads the value of one key in one window's namespace (and one without
 * `window` never reads window state), and an `output` check finds a window's result row and a late
 * record in the side output's sink once a reader can see them.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { renderEnglish, text } from '../../src/engine/messages/Message';
import type { Check, LessonCheckSpec } from '../../src/worker/protocol';
import { registerLessonJobs } from '../../src/worker/lessonJobs';
import { freshDbName } from '../storage/helpers';
import { newHost } from './host-helpers';

registerLessonJobs();

const spec = (check: Check): LessonCheckSpec => ({ id: 'windows#1', check, answered: true });
const shop = (window: { start: number; end: number } | undefined, equals: number | null): Check => ({
  kind: 'state',
  operator: 'count',
  state: 'window-contents',
  key: '/shop',
  equals,
  ...(window ? { window } : {}),
});

async function loaded() {
  const host = newHost(freshDbName(), [], Infinity);
  await host.start();
  await host.load({ scenario: 'lesson-windows-and-late-data', seed: 1, speed: 100_000 });
  return host;
}

describe('lesson checks on window state and window results', () => {
  it('a state check with a window reads that window of the key, and stops where it holds', async () => {
    const host = await loaded();
    const first = { start: 0, end: 10_000 };
    const before = await host.setLessonCheck(spec(shop(first, 10)));
    expect(renderEnglish(before?.now.why ?? text(''))).toBe(
      `count has no 'window-contents' for "/shop" in the window [0, 10000) yet, expected 10`,
    );
    await host.play();
    const u = await host.frame(250);
    expect(u.lesson?.passed).toBe(true);
    expect(u.playing).toBe(false);
    const page = await host.readState('count', 'window-contents', 0, 100, '/shop');
    const row = page.rows.find((r) => r.key === '/shop' && r.window === '[0, 10000)');
    expect(row?.value).toBe(10);
    // Without `window` the check reads VoidNamespace, where a window operator keeps nothing.
    const plain = await host.setLessonCheck(spec(shop(undefined, 10)));
    expect(plain?.now.ok).toBe(false);
    expect(renderEnglish(plain?.now.why ?? text(''))).toBe(
      `count has no 'window-contents' for "/shop" yet, expected 10`,
    );
    // Another window of the same key is another value.
    const second = await host.setLessonCheck(spec(shop({ start: 10_000, end: 20_000 }, 10)));
    expect(second?.now.ok).toBe(false);
  });

  it('output finds the window result rows and the late visit once they are committed', async () => {
    const host = await loaded();
    const both: Check = {
      kind: 'all',
      of: [
        {
          kind: 'output',
          sink: 'counts',
          contains: [
            { page: '/shop', windowStart: 0, windowEnd: 10_000, count: 60 },
            { page: '/shop', windowStart: 0, windowEnd: 10_000, count: 61 },
          ],
        },
        { kind: 'output', sink: 'late', rows: 1, contains: [{ user: 'chen', page: '/shop', time: 9_000 }] },
      ],
    };
    const before = await host.setLessonCheck(spec(both));
    expect(before?.now.ok).toBe(false);
    await host.play();
    const u = await host.frame(250);
    expect(u.lesson?.passed).toBe(true);
    // The late visit took the side output: the window's count never became 62.
    const end = await host.setLessonCheck(
      spec({ kind: 'output', sink: 'counts', contains: [{ page: '/shop', windowStart: 0, count: 62 }] }),
    );
    await host.play();
    const done = await host.frame(1000);
    expect(done.finished).toBe(true);
    expect(end?.passed).toBe(false);
    expect(done.lesson?.passed).toBe(false);
  });
});
