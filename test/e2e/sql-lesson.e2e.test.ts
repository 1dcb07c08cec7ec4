/**
 * Lesson 15 in Chromium, by hand: the challenge step's goal reached by writing the statement a
 * learner would write (SET 'table.exec.state.ttl') in the lesson's SQL box and running it; a broken
 * statement is refused with its line:column and the running job stays as it was.
 * Screenshot: test-results/screenshots/sql-lesson-ttl.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eSkipReason, openApp, saveScreenshot, startSession, type E2ESession } from './harness.ts';

const skipReason = e2eSkipReason();
if (skipReason !== null) console.warn(`e2e: ${skipReason}`);

const JOIN = `SELECT v.user_id, v.ts AS visit_ts, l.ts AS login_ts, l.success
FROM visits v JOIN logins l ON v.user_id = l.user_id;`;

describe.skipIf(skipReason !== null)('a SQL lesson in Chromium', () => {
  let session: E2ESession | undefined;

  beforeAll(async () => {
    session = await startSession();
  });

  afterAll(async () => {
    await session?.close();
  });

  it("lesson 15's TTL challenge: a broken statement changes nothing; SET 'table.exec.state.ttl' reaches the goal", async () => {
    if (!session) throw new Error('the e2e session did not start');
    const { context, page } = await openApp(session, '/?lang=en');
    try {
      await page.getByTestId('speed').selectOption('5000');
      await page.evaluate(() => (location.hash = '#/lesson/15/step/4'));
      const box = page.getByTestId('lesson-sql-script');
      await box.waitFor({ timeout: 30_000 });
      // The lesson's job runs count.sql: the box shows it.
      await expect.poll(() => box.inputValue(), { timeout: 30_000 }).toContain('GROUP BY word');

      // A typo: refused at its position; the job on screen is still the GROUP BY count.
      await box.fill(`SET 'table.exec.state.ttl' = '1 s';\nSELEC v.user_id FROM visits v;`);
      await page.getByTestId('lesson-sql-run').click();
      const error = page.getByTestId('lesson-sql-error');
      await error.waitFor({ timeout: 30_000 });
      expect(await error.textContent()).toMatch(/2:1/);
      expect(await page.getByTestId('subtask-group-aggregate#0').count()).toBe(1);
      expect(await page.getByTestId('check-status').getAttribute('data-state')).not.toBe('passed');

      // The join with a state TTL of 1 s: 5 s into the run its visits side holds ~200 rows (< 300).
      await box.fill(`SET 'table.exec.state.ttl' = '1 s';\n\n${JOIN}`);
      await page.getByTestId('lesson-sql-run').click();
      await page.getByTestId('subtask-join#0').waitFor({ timeout: 30_000 });
      expect(await error.count()).toBe(0);
      await page.getByTestId('play').click();
      await expect
        .poll(() => page.getByTestId('check-status').getAttribute('data-state'), { timeout: 120_000 })
        .toBe('passed');
      await saveScreenshot(page, 'sql-lesson-ttl');
    } finally {
      await context.close();
    }
  });
});
