/** Operator chaining in the app: the chained vertex with its operators inside, acks per chain subtask, the switch. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eSkipReason, openApp, saveScreenshot, startSession, type E2ESession } from './harness.ts';

const skipReason = e2eSkipReason();
if (skipReason !== null) console.warn(`e2e: ${skipReason}`);

const SIZES = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'tablet', width: 820, height: 1180 },
  { name: 'desktop', width: 1440, height: 900 },
];

describe.skipIf(skipReason !== null)('operator chaining in the app', () => {
  let session: E2ESession | undefined;

  beforeAll(async () => {
    session = await startSession();
  });

  afterAll(async () => {
    await session?.close();
  });

  it(
    'WordCount: count -> print is one vertex (5 subtasks), a checkpoint is acknowledged 5/5',
    { timeout: 120_000 },
    async () => {
      if (!session) throw new Error('the e2e session did not start');
      const { context, page, record } = await openApp(session, '/?scenario=wordcount&seed=1');
      try {
        await page.getByTestId('subtask-count#1').waitFor({ timeout: 15_000 });
        // The sink is drawn inside count's box, not as a box of its own.
        await page.getByTestId('chained-count-print').waitFor({ timeout: 15_000 });
        expect(await page.getByTestId('chained-count-print').textContent()).toContain('Sink: print');
        expect(await page.getByTestId('subtask-print#0').count()).toBe(0);
        expect(await page.locator('[data-testid^="subtask-"]').count()).toBe(5);
        expect(await page.locator('[data-testid^="channel-count#"]').count()).toBe(0);
        for (const size of SIZES) {
          await page.setViewportSize(size);
          await saveScreenshot(page, `chaining-wordcount-${size.name}`);
        }
        await page.setViewportSize(SIZES[2]);
        await page.getByTestId('play').click();
        await page.getByTestId('tab-checkpoints').click();
        await page.getByTestId('cp-row-1').waitFor({ timeout: 60_000 });
        await page.waitForFunction(
          () => document.querySelector('[data-testid="cp-row-1"]')?.textContent?.includes('5/5') ?? false,
          undefined,
          { timeout: 60_000 },
        );
        expect(record.consoleErrors).toEqual([]);
        expect(record.pageErrors).toEqual([]);
      } finally {
        await context.close();
      }
    },
  );
});
