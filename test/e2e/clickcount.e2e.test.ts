/**
 * Flink's Operations Playground in Chromium: the clickcount job on the Playground's cluster (one
 * TaskManager, 2 slots), opened from a permalink. The learner waits for the first rows, clicks "Kill TM
 * 1", watches the TaskManager come back, and plays to the end: the Output tab — the Playground's
 * `output` topic — lists every window of every page with count 1000; a row may repeat (the
 * Playground's at-least-once Kafka producer), none is missing. Screenshots at desktop and phone width:
 * test-results/screenshots/clickcount-*.png.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eSkipReason, openApp, saveScreenshot, startSession, type E2ESession } from './harness.ts';

const skipReason = e2eSkipReason();
if (skipReason !== null) console.warn(`e2e: ${skipReason}`);

const PAGES = ['/help', '/index', '/shop', '/jobs', '/about', '/news'];

interface Row {
  windowStart: number;
  windowEnd: number;
  page: string;
  count: number;
}

/** The rows the Output tab lists (the latest ones), as the learner reads them. */
async function shownRows(page: Page): Promise<Row[]> {
  const texts = await page.getByTestId('sink-sink').locator('tbody tr td.value code').allTextContents();
  return texts.map((t) => JSON.parse(t) as Row);
}

const visible = async (page: Page) => Number(await page.getByTestId('sink-visible').textContent());

describe.skipIf(skipReason !== null)('the Operations Playground (clickcount) in Chromium', () => {
  let session: E2ESession | undefined;

  beforeAll(async () => {
    session = await startSession();
  });

  afterAll(async () => {
    await session?.close();
  });

  it('a TaskManager killed by a click comes back, and every window of the output still counts 1000', async () => {
    if (!session) throw new Error('the e2e session did not start');
    const { context, page, record } = await openApp(
      session,
      '/?scenario=clickcount&seed=1&taskmanagers=1&slots=2',
    );
    try {
      // The Playground's graph: chaining off, parallelism 2, both subtasks of each operator on TM 1.
      await page.getByTestId('subtask-counter#1').waitFor({ timeout: 30_000 });
      await page.getByTestId('speed').selectOption('20000');
      await page.getByTestId('tab-output').click();
      await page.getByTestId('play').click();
      // Two rounds of windows: 12 rows, each 1000.
      await expect.poll(() => visible(page), { timeout: 60_000 }).toBeGreaterThanOrEqual(12);
      for (const r of await shownRows(page)) expect(r.count).toBe(1000);

      await page.getByTestId('kill-taskmanager-1').click();
      await page.getByTestId('lost-taskmanager-1').waitFor({ timeout: 30_000 });
      await saveScreenshot(page, 'clickcount-1-taskmanager-lost');
      // The job waits SCHEDULED for slots until the TaskManager is back, then runs to its end.
      await page.getByTestId('kill-taskmanager-1').waitFor({ timeout: 60_000 });
      await expect
        .poll(() => page.getByTestId('job-status').getAttribute('data-status'), { timeout: 120_000 })
        .toBe('FINISHED');

      // What a reader of the output topic sees: 6 pages x 16 windows, and rows repeated only by the
      // at-least-once sink; every shown row counts 1000, every (page, window) is there.
      await expect.poll(() => visible(page), { timeout: 30_000 }).toBeGreaterThanOrEqual(96);
      await expect
        .poll(() => page.getByTestId('eo-verdict').getAttribute('data-verdict'), { timeout: 30_000 })
        .toMatch(/^(exactly-once|duplicates)$/);
      const rows = await shownRows(page);
      expect(rows.length).toBeGreaterThanOrEqual(90);
      for (const r of rows) {
        expect(r.count, JSON.stringify(r)).toBe(1000);
        expect(r.windowEnd - r.windowStart).toBe(15_000);
        expect(PAGES).toContain(r.page);
      }
      // The last windows of every page are listed (the table shows the latest rows).
      for (const p of PAGES)
        expect(
          rows.some((r) => r.page === p && r.windowStart === 15 * 15_000),
          p,
        ).toBe(true);
      await saveScreenshot(page, 'clickcount-2-output');

      // At phone width the Output tab still lists the rows, no wider than the screen.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByTestId('sink-sink').scrollIntoViewIfNeeded();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await saveScreenshot(page, 'clickcount-3-output-phone');
      expect(record.pageErrors).toEqual([]);
      expect(record.consoleErrors).toEqual([]);
      expect(record.foreignRequests).toEqual([]);
    } finally {
      await context.close();
    }
  }, 300_000);

  it("the Configuration tab shows the Playground job's arguments; Apply restarts the job with them, in the permalink too", async () => {
    if (!session) throw new Error('the e2e session did not start');
    const { context, page, record } = await openApp(session, '/?scenario=clickcount&seed=1');
    try {
      await page.getByTestId('subtask-counter#1').waitFor({ timeout: 30_000 });
      await page.getByTestId('tab-config').click();
      expect(await page.getByTestId('config-playground-checkpointing').isChecked()).toBe(true);
      expect(await page.getByTestId('config-playground-eventTime').isChecked()).toBe(true);
      await page.getByTestId('config-playground-checkpointing').uncheck();
      await page.getByTestId('config-playground-backpressure').check();
      await page.getByTestId('config-playground-sink').selectOption('exactly-once');
      await page.getByTestId('config-apply').click();
      // The job with --backpressure: the BackpressureMap between the source and the counter.
      await page.getByTestId('subtask-backpressure#0').waitFor({ timeout: 30_000 });
      await expect
        .poll(() => page.evaluate(() => new URLSearchParams(location.search).get('args')), {
          timeout: 10_000,
        })
        .toBe('no-checkpointing,backpressure,sink:exactly-once');
      await page.getByTestId('tab-config').click();
      expect(await page.getByTestId('config-playground-checkpointing').isChecked()).toBe(false);
      expect(await page.getByTestId('config-playground-sink').inputValue()).toBe('exactly-once');
      await saveScreenshot(page, 'clickcount-4-job-arguments');
      // Another scenario has no such arguments.
      await page.getByTestId('scenario').selectOption('visits');
      await page.getByTestId('subtask-count#0').waitFor({ timeout: 30_000 });
      await page.getByTestId('tab-config').click();
      expect(await page.getByTestId('config-playground').count()).toBe(0);
      expect(record.pageErrors).toEqual([]);
      expect(record.consoleErrors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('rescaled to 3 in the Configuration tab on the Playground cluster (1 TaskManager, 2 slots), the job waits SCHEDULED until "Add TaskManager"', async () => {
    if (!session) throw new Error('the e2e session did not start');
    const { context, page, record } = await openApp(
      session,
      '/?scenario=clickcount&seed=1&taskmanagers=1&slots=2',
    );
    try {
      await page.getByTestId('subtask-counter#1').waitFor({ timeout: 30_000 });
      await page.getByTestId('tab-config').click();
      // The cluster the run set is shown as set, so that it stays on Apply.
      expect(await page.getByTestId('config-slotsPerTaskManager').inputValue()).toBe('2');
      await page.getByTestId('config-parallelism-counter').fill('3');
      await page.getByTestId('config-parallelism-sink').fill('3');
      await page.getByTestId('config-apply').click();
      await page.getByTestId('subtask-counter#2').waitFor({ timeout: 30_000 });
      await page.getByTestId('play').click();
      const status = (task: string) => page.getByTestId(`subtask-${task}`).getAttribute('data-status');
      await expect.poll(() => status('counter#2'), { timeout: 30_000 }).toBe('scheduled');
      await saveScreenshot(page, 'clickcount-5-waiting-for-a-slot');
      await page.getByTestId('add-taskmanager').click();
      await expect.poll(() => status('counter#2'), { timeout: 60_000 }).not.toBe('scheduled');
      expect(await page.getByTestId('kill-taskmanager-2').count()).toBe(1);
      expect(record.pageErrors).toEqual([]);
      expect(record.consoleErrors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);
});
