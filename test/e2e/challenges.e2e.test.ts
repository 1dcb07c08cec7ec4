/**
 * A challenge step as a learner meets it in Chromium (lesson 3's "make `be` live in subtask 2"): only
 * the goal, a hint on request ("1 of 3"), "Show me" locked with its reason, a wrong try (playing to
 * the end with two count subtasks) that the panel explains in the learner's terms with the lesson's
 * own reading, "Check", then the challenge solved with clicks (parallelism 4 in the Configuration
 * tab, Play). In 简体中文 the goal and the explanation read in Chinese. axe finds no serious or
 * critical violation; screenshots at desktop and phone width: test-results/screenshots/challenge-*.png.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LESSONS } from '../../src/lessons/registry';
import { e2eSkipReason, openApp, saveScreenshot, startSession, type E2ESession } from './harness.ts';

const skipReason = e2eSkipReason();
if (skipReason !== null) console.warn(`e2e: ${skipReason}`);

const LESSON_3 = LESSONS.find((l) => l.definition.number === 3);
const STEP = (LESSON_3?.definition.steps.findIndex((s) => s.id === 'be-in-subtask-2') ?? -1) + 1;

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).include('[data-testid="lesson-panel"]').analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function playToEnd(page: Page): Promise<void> {
  await page.getByTestId('play').click();
  await expect
    .poll(() => page.getByTestId('play').getAttribute('data-ended'), { timeout: 60_000 })
    .toBe('true');
}

describe.skipIf(skipReason !== null || STEP === 0)('a challenge step', () => {
  let session: E2ESession | undefined;
  beforeAll(async () => {
    session = await startSession();
  });
  afterAll(async () => {
    await session?.close();
  });

  it('goal only, a hint, "Show me" locked until a try, a failed try explained, then solved by clicking', async () => {
    if (!session || !LESSON_3) throw new Error('the e2e session did not start');
    const text = LESSON_3.text.en.steps[STEP - 1];
    const { context, page, record } = await openApp(session, `/?lang=en#/lesson/3/step/${STEP}`);
    try {
      await page.getByTestId('lesson-panel').waitFor({ timeout: 30_000 });
      await expect
        .poll(() => page.getByTestId('lesson-step').getAttribute('data-step'), { timeout: 30_000 })
        .toBe(String(STEP));
      const goal = page.getByTestId('lesson-do');
      expect(await goal.getAttribute('data-challenge')).toBe('true');
      expect(await goal.textContent()).toContain('Goal');
      expect(await page.getByTestId('challenge-badge').textContent()).toBe('Challenge');

      // Hints one at a time.
      const hint = page.getByTestId('show-hint');
      expect(await hint.textContent()).toContain(`(1 of ${text.hints.length})`);
      await hint.click();
      await page.getByTestId('hint-1').waitFor();
      expect(await page.getByTestId('hint-2').count()).toBe(0);
      expect(await hint.textContent()).toContain(`(2 of ${text.hints.length})`);

      // "Show me" is locked, and says why (also to a screen reader: aria-describedby).
      const showMe = page.getByTestId('show-me');
      expect(await showMe.isDisabled()).toBe(true);
      expect(await showMe.getAttribute('aria-describedby')).toBe('show-me-lock');
      expect(await page.getByTestId('show-me-lock').textContent()).toContain('once you have tried');
      expect(await seriousViolations(page), 'axe, locked').toEqual([]);
      await saveScreenshot(page, 'challenge-locked');

      // A wrong try: play to the end with two count subtasks. The job's end is a moment to judge.
      await playToEnd(page);
      const why = page.getByTestId('check-explanation-why');
      await why.waitFor({ timeout: 30_000 });
      expect(await why.textContent()).toBe('"be" lives in subtask 1 of count, expected subtask 2');
      expect(await page.getByTestId('check-explanation-note').textContent()).toContain(
        'only the parallelism decides',
      );
      // Having tried, "Show me" is open.
      await expect.poll(() => showMe.isEnabled(), { timeout: 15_000 }).toBe(true);
      expect(await page.getByTestId('give-up').count()).toBe(0);
      // "Check" asks again: the same answer.
      await page.getByTestId('check-now').click();
      expect(await why.textContent()).toBe('"be" lives in subtask 1 of count, expected subtask 2');
      expect(await seriousViolations(page), 'axe, explained').toEqual([]);
      await saveScreenshot(page, 'challenge-explained');
      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByTestId('check-explanation').scrollIntoViewIfNeeded();
      await saveScreenshot(page, 'challenge-explained-phone');
      await page.setViewportSize({ width: 1280, height: 800 });

      // Solved with clicks: four count subtasks own key group 84 in subtask 2.
      await page.getByTestId('tab-config').click();
      await page.getByTestId('config-parallelism-count').fill('4');
      await page.getByTestId('config-apply').click();
      await page.getByTestId('subtask-count#3').waitFor({ timeout: 15_000 });
      await page.getByTestId('play').click();
      // Passed ("✓ Done"), then, as the last step, the lesson's end.
      await expect
        .poll(
          async () =>
            (await page.getByTestId('lesson-complete').count()) > 0 ||
            (await page.getByTestId('check-status').getAttribute('data-state')) === 'passed',
          { timeout: 60_000 },
        )
        .toBe(true);
      expect(await page.getByTestId('check-explanation').count()).toBe(0);
      await saveScreenshot(page, 'challenge-solved');
      expect(record.pageErrors).toEqual([]);
      expect(record.consoleErrors).toEqual([]);
      expect(record.foreignRequests).toEqual([]);
    } finally {
      await context.close();
    }
  }, 300_000);

  it('in 简体中文: the goal, "Give up" and the explanation', async () => {
    if (!session || !LESSON_3) throw new Error('the e2e session did not start');
    const { context, page, record } = await openApp(session, `/?lang=zh-CN#/lesson/3/step/${STEP}`);
    try {
      await page.getByTestId('lesson-panel').waitFor({ timeout: 30_000 });
      await expect
        .poll(() => page.getByTestId('lesson-step').getAttribute('data-step'), { timeout: 30_000 })
        .toBe(String(STEP));
      expect(await page.getByTestId('lesson-do').textContent()).toContain('目标');
      expect(await page.getByTestId('show-me').isDisabled()).toBe(true);
      await page.getByTestId('give-up').click();
      await page.getByTestId('gave-up').waitFor();
      expect(await page.getByTestId('show-me').isEnabled()).toBe(true);
      await page.getByTestId('check-now').click();
      expect(await page.getByTestId('check-explanation-why').textContent()).toBe(
        'count 的状态 count 中还没有 "be"，应为 2',
      );
      expect(await page.getByTestId('check-explanation').textContent()).toContain('还没有达到');
      await saveScreenshot(page, 'challenge-zh');
      expect(record.pageErrors).toEqual([]);
      expect(record.consoleErrors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);
});
