/**
 * A learner's first session, in Chromium, with clicks and keys only: open the app, start WordCount,
 * see records and a barrier move, step until the first checkpoint completes, fail a subtask by
 * clicking it, watch the restore, read the counts (`to` = 2, `be` = 2) in the state inspector, export
 * a checkpoint and validate the download against the served JSON Schema, import a broken file and
 * read the error, switch to 简体中文. Screenshots go to test-results/screenshots/learner-*.png.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, e2eSkipReason, openApp, saveScreenshot, startSession, type E2ESession } from './harness.ts';

const skipReason = e2eSkipReason();
if (skipReason !== null) console.warn(`e2e: ${skipReason}`);

const num = async (page: Page, testId: string) => Number(await page.getByTestId(testId).textContent());

describe.skipIf(skipReason !== null)('a learner in Chromium', () => {
  let session: E2ESession | undefined;

  beforeAll(async () => {
    session = await startSession();
  });

  afterAll(async () => {
    await session?.close();
  });

  it('runs WordCount, fails a subtask, sees the restore and the counts, exports, imports, switches language', async () => {
    if (!session) throw new Error('the e2e session did not start');
    const { context, page, record } = await openApp(session, '/?scenario=wordcount&seed=1');
    try {
      // The app starts the scenario from the permalink.
      await page.getByTestId('subtask-count#1').waitFor({ timeout: 15_000 });
      expect(await page.getByTestId('scenario').inputValue()).toBe('wordcount');

      // Step through the run (deterministic, whatever the machine's speed; the bounded WordCount
      // ends after about 1.5 s of virtual time, so real-time playback could run past the point the
      // test needs on a slow machine): to the first checkpoint trigger, then one event at a time
      // until records and the first barrier are seen in flight.
      await page.getByTestId('step-barrier').click();
      let sawRecords = false;
      let sawBarrier = false;
      for (let i = 0; i < 200 && !(sawRecords && sawBarrier); i++) {
        sawRecords ||= (await num(page, 'inflight-records')) > 0;
        if (!sawBarrier && (await num(page, 'inflight-barriers')) > 0) {
          sawBarrier = true;
          await saveScreenshot(page, 'learner-1-barrier-in-flight');
        }
        if (!(sawRecords && sawBarrier)) await page.getByTestId('step').click();
      }
      expect(sawRecords).toBe(true);
      expect(sawBarrier).toBe(true);

      // Checkpoint 1 is in flight. The bounded WordCount's only checkpoint is its final one (its tasks
      // finish right after it), so the learner fails a subtask now, while the job runs.
      await saveScreenshot(page, 'learner-2-first-checkpoint');

      // Fail a subtask by clicking it, and watch the job restore (checkpoint 1 is aborted: from scratch).
      await page.getByTestId('subtask-count#1').click();
      await page.getByTestId('speed').selectOption('5000');
      await page.getByTestId('play').click();
      await expect
        .poll(() => page.locator('[data-testid="event-log"] li[data-type="task-failed"]').count(), {
          timeout: 15_000,
        })
        .toBeGreaterThan(0);
      await expect
        .poll(() => page.locator('[data-testid="event-log"] li[data-type="task-restored"]').count(), {
          timeout: 15_000,
        })
        .toBeGreaterThan(0);
      await saveScreenshot(page, 'learner-3-restored');

      // The run ends with its final checkpoint completed.
      await page.getByTestId('tab-checkpoints').click();
      await expect.poll(() => num(page, 'cp-count-completed'), { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
      // Run to the end and read the counts in the state inspector.
      // The job has ended: Play now offers to run it again.
      await expect
        .poll(() => page.getByTestId('play').getAttribute('data-ended'), { timeout: 30_000 })
        .toBe('true');
      await page.getByTestId('tab-state').click();
      const value = (key: string) =>
        page
          .locator(`[data-testid="state-row"][data-key="${key}"] [data-testid="state-value"]`)
          .textContent();
      await expect.poll(() => value('to'), { timeout: 10_000 }).toBe('2');
      expect(await value('be')).toBe('2');
      expect(await value('question')).toBe('1');
      await saveScreenshot(page, 'learner-4-state');

      // Export the latest retained checkpoint; the download validates against the served schema.
      await page.getByTestId('tab-checkpoints').click();
      const exportButton = page.locator('[data-testid^="export-"]').last();
      await exportButton.waitFor();
      const [download] = await Promise.all([page.waitForEvent('download'), exportButton.click()]);
      expect(download.suggestedFilename()).toMatch(/^WordCount-checkpoint-\d+\.json$/);
      const file = await download.path();
      const snapshot = JSON.parse(readFileSync(file, 'utf8')) as { operators: unknown[] };
      const schema = JSON.parse(readFileSync(path.join(ROOT, 'public', 'snapshot.schema.json'), 'utf8'));
      const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
      expect(validate(snapshot), JSON.stringify(validate.errors)).toBe(true);
      expect(snapshot.operators.length).toBe(4);

      // Import a broken file: the error names the path, and nothing changes.
      const completedBefore = await num(page, 'cp-count-completed');
      const broken = JSON.parse(readFileSync(file, 'utf8'));
      broken.operators[2].subtasks[0].keyGroupRange = { start: 0, end: 140 };
      await page.getByTestId('import-file').setInputFiles({
        name: 'broken.json',
        mimeType: 'application/json',
        buffer: Buffer.from(JSON.stringify(broken)),
      });
      const errors = page.getByTestId('import-errors');
      await errors.waitFor({ timeout: 10_000 });
      expect(await errors.textContent()).toMatch(/operators\[2\]\.subtasks\[0\]\.keyGroupRange/);
      expect(await num(page, 'cp-count-completed')).toBe(completedBefore);
      await saveScreenshot(page, 'learner-5-import-error');

      // 简体中文.
      await page.getByTestId('language').selectOption('zh-CN');
      await expect.poll(() => page.getByTestId('tab-state').textContent()).toBe('状态');
      expect(await page.getByTestId('tab-checkpoints').textContent()).toBe('Checkpoint');
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
      expect(page.url()).toContain('lang=zh-CN');
      await saveScreenshot(page, 'learner-6-zh');

      expect(record.pageErrors).toEqual([]);
      expect(record.consoleErrors).toEqual([]);
      expect(record.foreignRequests).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
