/**
 * A failure and its restore as a learner sees them, in Chromium, on the landing scenario (Visits):
 * every subtask badge and its ARIA label equal the engine's own task status and checkpoint phase at
 * many points (stepping through a checkpoint, a pending failure, the restart, the restore); "pause
 * on failure" stops playback at the failure and after the restore; the restore summary over the job
 * graph says what went back; scrubbing back keeps the log's past and greys its future; the scenario
 * picker applies at once; after the end Play offers to run again. Screenshots:
 * test-results/screenshots/restore-*.png (1440×900 and 390×844).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eSkipReason, openApp, saveScreenshot, startSession, type E2ESession } from './harness.ts';

const skipReason = e2eSkipReason();
if (skipReason !== null) console.warn(`e2e: ${skipReason}`);

/** The words the English badges use (src/app/components/graph/messages.ts, st_*). */
const WORD: Record<string, string> = {
  running: 'running',
  aligning: 'aligning',
  snapshotting: 'snapshot',
  failed: 'failed',
  restarting: 'restarting',
  finished: 'finished',
  canceled: 'canceled',
};

interface Lab {
  frame: {
    finished: boolean;
    jobStatus: string;
    checkpoints: { completed: number };
    now: number;
    eventsProcessed: number;
  } | null;
  playing: boolean;
  api: {
    engineTaskStatuses(): Promise<
      Array<{ id: string; status: string; phase: { phase: string; checkpointId: number | null } | null }>
    >;
  };
}

/**
 * Every subtask whose badge (data-status), visible word or ARIA label differs from what the engine
 * itself says now (asked from the worker, not read from the frame the page drew).
 */
async function badgeMismatches(page: Page): Promise<{ mismatches: string[]; shown: string[] }> {
  return page.evaluate(async (words) => {
    const lab = (window as unknown as { __streamStateLab: Lab }).__streamStateLab;
    const engine = await lab.api.engineTaskStatuses();
    const finished = !!lab.frame?.finished && lab.frame.jobStatus !== 'FAILED';
    const byStatus: Record<string, string> = {
      FAILED: 'failed',
      CANCELED: 'canceled',
      FINISHED: 'finished',
      RESTARTING: 'restarting',
      CREATED: 'restarting',
    };
    const mismatches: string[] = [];
    const shown: string[] = [];
    for (const t of engine) {
      const expected =
        finished && t.status === 'RUNNING' ? 'finished' : (byStatus[t.status] ?? t.phase?.phase ?? 'running');
      const el = document.querySelector(`[data-testid="subtask-${t.id}"]`);
      const status = el?.getAttribute('data-status') ?? 'missing';
      const label = el?.getAttribute('aria-label') ?? '';
      const text = el?.querySelector('.status')?.textContent ?? '';
      shown.push(status);
      if (status !== expected || !label.includes(words[expected]) || !text.includes(words[expected]))
        mismatches.push(`${t.id}: shows ${status} ("${label}"), engine ${t.status} ${t.phase?.phase ?? ''}`);
    }
    return { mismatches, shown };
  }, WORD);
}

async function expectBadgesMatchEngine(page: Page): Promise<string[]> {
  let shown: string[] = [];
  await expect
    .poll(
      async () => {
        const r = await badgeMismatches(page);
        shown = r.shown;
        return r.mismatches;
      },
      { timeout: 10_000 },
    )
    .toEqual([]);
  return shown;
}

const completed = (page: Page) =>
  page.evaluate(
    () => (window as unknown as { __streamStateLab: Lab }).__streamStateLab.frame?.checkpoints.completed ?? 0,
  );
const playing = (page: Page) =>
  page.evaluate(() => (window as unknown as { __streamStateLab: Lab }).__streamStateLab.playing);
const eventsProcessed = (page: Page) =>
  page.evaluate(
    () => (window as unknown as { __streamStateLab: Lab }).__streamStateLab.frame?.eventsProcessed ?? 0,
  );
/** Clicks a step button and waits until the page has the frame the worker answered with. */
async function stepBy(page: Page, testId: 'step' | 'step-barrier'): Promise<void> {
  const before = await eventsProcessed(page);
  await page.getByTestId(testId).click();
  await expect.poll(() => eventsProcessed(page), { timeout: 10_000 }).toBeGreaterThan(before);
}
const virtualNow = (page: Page) =>
  page.evaluate(() => (window as unknown as { __streamStateLab: Lab }).__streamStateLab.frame?.now ?? 0);

describe.skipIf(skipReason !== null)('a failure and its restore in Chromium', () => {
  let session: E2ESession | undefined;

  beforeAll(async () => {
    session = await startSession();
  });

  afterAll(async () => {
    await session?.close();
  });

  it('badges follow the engine; the restore summary, pause on failure, scrubbing, the picker, run again', async () => {
    if (!session) throw new Error('the e2e session did not start');
    const { context, page, record } = await openApp(session, '/');
    try {
      await page.setViewportSize({ width: 1440, height: 900 });
      await page.getByTestId('subtask-count#3').waitFor({ timeout: 15_000 });
      // The landing scenario is Visits; lesson jobs are not offered.
      expect(await page.getByTestId('scenario').inputValue()).toBe('visits');
      const options = await page
        .locator('[data-testid="scenario"] option')
        .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
      expect(options).toContain('wordcount');
      expect(options.filter((o) => o.startsWith('lesson-'))).toEqual([]);
      await expectBadgesMatchEngine(page);

      // Through a checkpoint, event by event: every badge equals the engine's status at each point.
      await stepBy(page, 'step-barrier'); // to the trigger of checkpoint 1
      const seen = new Set<string>();
      for (let i = 0; i < 120 && !(seen.has('snapshotting') && seen.has('aligning')); i++) {
        await stepBy(page, 'step');
        for (const s of await expectBadgesMatchEngine(page)) seen.add(s);
      }
      expect([...seen]).toEqual(expect.arrayContaining(['running', 'snapshotting', 'aligning']));
      await saveScreenshot(page, 'restore-1-checkpoint-stepped');

      // "Next checkpoint" to the completion of checkpoint 2 (each click: a trigger or a completion).
      for (let i = 0; i < 10 && (await completed(page)) < 2; i++) await stepBy(page, 'step-barrier');
      expect(await completed(page)).toBe(2);
      await expectBadgesMatchEngine(page);

      // Pause on failure, then fail count#3 while paused: the summary shows it at once, pending.
      await page.getByTestId('pause-on-failure').check();
      await page.getByTestId('subtask-count#3').click();
      const summary = page.getByTestId('restore-summary');
      await expect.poll(() => summary.getAttribute('data-phase'), { timeout: 5_000 }).toBe('pending');
      expect(await summary.textContent()).toContain('count#3');
      await expectBadgesMatchEngine(page);

      // Play: it stops at the failure (every subtask restarting, the delay shown).
      await page.getByTestId('play').click();
      await expect.poll(() => summary.getAttribute('data-phase'), { timeout: 20_000 }).toBe('restarting');
      await expect.poll(() => playing(page)).toBe(false);
      expect(await expectBadgesMatchEngine(page)).toEqual(expect.arrayContaining(['restarting']));
      expect(await page.getByTestId('restore-restart').textContent()).toMatch(/Cancelled 8 subtasks/); // 4 sources, 4 chains count -> sink
      await saveScreenshot(page, 'restore-2-restarting');

      // Play again: it stops once the restore is done; the summary says what went back.
      await page.getByTestId('play').click();
      await expect.poll(() => summary.getAttribute('data-phase'), { timeout: 20_000 }).toBe('restored');
      await expect.poll(() => playing(page)).toBe(false);
      await expectBadgesMatchEngine(page);
      expect(await page.getByTestId('restore-checkpoint').textContent()).toContain('checkpoint 2');
      expect(await page.getByTestId('restore-source').count()).toBe(4);
      expect(await page.getByTestId('restore-example').textContent()).toMatch(
        /count\.visits\[user-\d\d\]: \d+ → \d+/,
      );
      expect(await page.getByTestId('restore-txns').textContent()).toMatch(/\d+ aborted/);
      await saveScreenshot(page, 'restore-3-summary-1440');
      await page.setViewportSize({ width: 390, height: 844 });
      await summary.scrollIntoViewIfNeeded();
      await saveScreenshot(page, 'restore-4-summary-390');
      await page.setViewportSize({ width: 1440, height: 900 });
      // The same summary in 简体中文 (the worker sends codes and numbers; the page words them).
      await page.getByTestId('language').selectOption('zh-CN');
      await expect
        .poll(() => page.getByTestId('restore-checkpoint').textContent())
        .toContain('已从 Checkpoint 2 恢复');
      expect(await summary.textContent()).toContain('故障是你注入的');
      await saveScreenshot(page, 'restore-3-summary-zh');
      await page.getByTestId('language').selectOption('en');

      // Scrub back: the log keeps the past and greys the future.
      const pastBefore = await page.locator('[data-testid="event-log"] li[data-type]').count();
      const now = await virtualNow(page);
      await page.getByTestId('timeline').evaluate((el, t) => {
        const input = el as HTMLInputElement;
        input.value = String(t);
        input.dispatchEvent(new Event('input', { bubbles: true }));
        input.dispatchEvent(new Event('change', { bubbles: true }));
      }, now / 2);
      const future = page.locator('[data-testid="event-log"] li[data-future="true"]');
      await expect.poll(() => future.count(), { timeout: 20_000 }).toBeGreaterThan(0);
      const past = await page.locator('[data-testid="event-log"] li[data-future="false"]').count();
      expect(past).toBeGreaterThan(0);
      expect(past + (await future.count())).toBe(pastBefore);
      await expectBadgesMatchEngine(page);
      await saveScreenshot(page, 'restore-5-scrubbed-back');

      // Play on to the end (the replay repeats the failure, and pauses at it again); then Run again.
      await page.getByTestId('speed').selectOption('20000');
      const play = page.getByTestId('play');
      for (let i = 0; i < 240 && (await play.getAttribute('data-ended')) !== 'true'; i++) {
        if ((await play.getAttribute('aria-pressed')) !== 'true') await play.click();
        await page.waitForTimeout(250);
      }
      expect(await play.getAttribute('data-ended')).toBe('true');
      await expectBadgesMatchEngine(page);
      expect(await play.textContent()).toContain('Run again');
      await play.click();
      await expect.poll(() => play.getAttribute('data-ended')).toBe('false');
      await play.click(); // pause

      // The scenario picker applies at once (no Restart).
      await page.getByTestId('scenario').selectOption('wordcount');
      await page.getByTestId('subtask-split#0').waitFor({ timeout: 10_000 });
      expect(new URL(page.url()).searchParams.get('scenario')).toBe('wordcount');

      expect(record.pageErrors).toEqual([]);
      expect(record.consoleErrors).toEqual([]);
      expect(record.foreignRequests).toEqual([]);
    } finally {
      await context.close();
    }
  }, 240_000);
});
