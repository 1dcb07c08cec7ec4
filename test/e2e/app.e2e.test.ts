import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eSkipReason, openApp, saveScreenshot, startSession, type E2ESession } from './harness.ts';

// Throws in CI when Chromium is missing: the end-to-end tests never skip there.
const skipReason = e2eSkipReason();
if (skipReason !== null) console.warn(`e2e: ${skipReason}`);

describe.skipIf(skipReason !== null)('the built app in Chromium', () => {
  let session: E2ESession | undefined;

  beforeAll(async () => {
    session = await startSession();
  });

  afterAll(async () => {
    await session?.close();
  });

  it('shows the title, logs no errors and requests nothing from other origins', async () => {
    if (!session) throw new Error('the e2e session did not start');
    const { context, page, record } = await openApp(session);
    try {
      await expect(page.title()).resolves.toBe('Stream State Lab');
      const heading = page.getByRole('heading', { level: 1, name: 'Stream State Lab' });
      await heading.waitFor({ state: 'visible', timeout: 10_000 });
      expect(await heading.textContent()).toBe('Stream State Lab');

      await page.waitForLoadState('networkidle');
      const file = await saveScreenshot(page, 'app-home');
      expect(file).toMatch(/test-results[\\/]screenshots[\\/]app-home\.png$/);

      expect(record.consoleErrors).toEqual([]);
      expect(record.pageErrors).toEqual([]);
      expect(record.foreignRequests).toEqual([]);
      expect(record.requests.length).toBeGreaterThan(0);
      expect(record.requests).toContain(session.app.url);
    } finally {
      await context.close();
    }
  });
});
