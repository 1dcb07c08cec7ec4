/**
 * Windows in the app, in Chromium: the `windows` scenario runs; the state inspector shows the window
 * operator's state per user and window `[start, end)` and its window timers, and a session window
 * operator's contents and merging-window-set. Screenshots: test-results/screenshots/windows-*.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eSkipReason, openApp, saveScreenshot, startSession, type E2ESession } from './harness.ts';

const skipReason = e2eSkipReason();
if (skipReason !== null) console.warn(`e2e: ${skipReason}`);

describe.skipIf(skipReason !== null)('windows in Chromium', () => {
  let session: E2ESession | undefined;

  beforeAll(async () => {
    session = await startSession();
  });

  afterAll(async () => {
    await session?.close();
  });

  it('the state inspector shows window state per key and window, and the window timers', async () => {
    if (!session) throw new Error('the e2e session did not start');
    const { context, page } = await openApp(session, '/?scenario=windows&seed=1');
    try {
      // The app starts the scenario from the permalink (the window operator's chain: window-count -> sinks).
      await page.getByTestId('subtask-window-count#0').waitFor({ timeout: 30_000 });
      expect(await page.getByTestId('scenario').inputValue()).toBe('windows');
      await page.getByTestId('speed').selectOption('5000');
      await page.getByTestId('play').click();
      await page.getByTestId('tab-state').click();
      const operator = page.getByTestId('state-operator');
      await expect
        .poll(async () => (await operator.locator('option').allTextContents()).join(' '), { timeout: 30_000 })
        .toContain('window-count');
      await operator.selectOption('window-count');
      // Rows per (user, window): the window column reads [start, end) of a 10 s window.
      await expect
        .poll(() => page.getByTestId('state-window').count(), { timeout: 30_000 })
        .toBeGreaterThan(0);
      await page.getByTestId('play').click(); // pause: the rows stop changing
      const windows = await page.getByTestId('state-window').allTextContents();
      for (const w of windows) {
        const m = /^\[(\d+), (\d+)\)$/.exec(w);
        expect(m, w).not.toBeNull();
        const [start, end] = [Number(m?.[1]), Number(m?.[2])];
        expect(start % 10_000, w).toBe(0); // aligned to the epoch, as TumblingEventTimeWindows
        expect(end - start, w).toBe(10_000);
      }
      expect(await page.getByTestId('window-timer').count()).toBeGreaterThan(0);
      await saveScreenshot(page, 'windows-1-tumbling');
      // Session windows: contents per session window; the merging-window-set per user.
      await operator.selectOption('sessions');
      await page.getByTestId('state-name').selectOption('merging-window-set');
      await expect.poll(() => page.getByTestId('state-row').count(), { timeout: 10_000 }).toBeGreaterThan(0);
      await saveScreenshot(page, 'windows-2-sessions');
    } finally {
      await context.close();
    }
  });
});
