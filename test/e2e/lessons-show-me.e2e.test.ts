/**
 * Lesson checks do not depend on timing: "Show me" plays every step of every lesson at 20× with the
 * page's CPU throttled 6× (Chrome DevTools' `Emulation.setCPUThrottlingRate`), and every step passes.
 * The page then gets few, late frames; the worker evaluates each check on every engine event and
 * stops the engine where a solution's goal holds, so nothing the check needs can slip between frames.
 *
 * Chromium applies CPU throttling to pages only ("Operation is only supported for pages, not
 * workers"): the engine worker runs at the machine's speed, the page renders 6× slower.
 * On a challenge step "Show me" is locked until a try: the test presses "Give up" first.
 * Screenshots: test-results/screenshots/lessons-show-me-*.png.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LESSONS } from '../../src/lessons/registry';
import { e2eSkipReason, openApp, saveScreenshot, startSession, type E2ESession } from './harness.ts';

const skipReason = e2eSkipReason();
if (skipReason !== null) console.warn(`e2e: ${skipReason}`);

const THROTTLE_RATE = 6;
const SPEED_20X = '20000';
/** A step's solution at 20× takes seconds; this is only the point at which the test gives up. */
const STEP_LIMIT_MS = 120_000;

const status = (page: Page) => page.getByTestId('check-status');

/** Real ms the page's main thread takes for a fixed piece of work (how throttled it is). */
const workMs = (page: Page) =>
  page.evaluate(() => {
    const t0 = performance.now();
    let x = 0;
    for (let i = 0; i < 1_000_000; i++) x = (x + Math.sqrt(i)) % 1e9;
    return Math.round(performance.now() - t0 + (x < 0 ? 1 : 0));
  });

describe.skipIf(skipReason !== null)('"Show me" under CPU throttling at 20×', () => {
  let session: E2ESession | undefined;
  const measured: string[] = [];

  beforeAll(async () => {
    session = await startSession();
  });

  afterAll(async () => {
    if (measured.length) console.log(`throttled "Show me" runs:\n  ${measured.join('\n  ')}`);
    await session?.close();
  });

  for (const lesson of LESSONS) {
    const n = lesson.definition.number;
    it(`lesson ${n} (${lesson.dir}): every step passes`, async () => {
      if (!session) throw new Error('the e2e session did not start');
      const { context, page, record } = await openApp(session, '/?lang=en');
      try {
        // 20× before the lesson opens: a first step with a prediction holds the controls.
        await page.getByTestId('speed').selectOption(SPEED_20X);
        const idleMs = await workMs(page);
        const cdp = await context.newCDPSession(page);
        await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE_RATE });
        const throttledMs = await workMs(page);
        await page.evaluate((hash) => (location.hash = hash), `#/lesson/${n}/step/1`);
        await page.getByTestId('lesson-panel').waitFor({ timeout: 30_000 });
        expect(await page.getByTestId('speed').inputValue()).toBe(SPEED_20X);
        const started = Date.now();
        for (const [i, step] of lesson.definition.steps.entries()) {
          await expect
            .poll(() => page.getByTestId('lesson-step').getAttribute('data-step'), { timeout: 30_000 })
            .toBe(String(i + 1));
          if (step.challenge) {
            // A challenge opens "Show me" only after a try or "Give up".
            expect(await page.getByTestId('show-me').isEnabled()).toBe(false);
            await page.getByTestId('give-up').click();
          }
          await expect.poll(() => page.getByTestId('show-me').isEnabled(), { timeout: 30_000 }).toBe(true);
          await page.getByTestId('show-me').click();
          const clicked = Date.now();
          for (;;) {
            if ((await status(page).getAttribute('data-state')) === 'passed') break;
            const problems = await page
              .getByTestId('lesson-panel')
              .locator('[role="alert"]')
              .allTextContents();
            if (problems.length) throw new Error(`step ${i + 1} (${step.id}): ${problems.join(' | ')}`);
            if (Date.now() - clicked > STEP_LIMIT_MS) {
              const why = await page
                .getByTestId('check-why')
                .textContent()
                .catch(() => '');
              throw new Error(`step ${i + 1} (${step.id}) did not pass in ${STEP_LIMIT_MS / 1000} s: ${why}`);
            }
            await page.waitForTimeout(100);
          }
          if (step.prediction) {
            // "Show me" answered the question: the right choice is marked, with why it is right, and
            // the step waits for "Next" so that the learner can read it.
            const text = lesson.text.en.steps[i].prediction!;
            expect(await page.getByTestId('prediction-feedback').getAttribute('data-correct')).toBe('true');
            const right = page.getByTestId(`choice-${step.prediction.answer}`).locator('xpath=..');
            expect(await right.getAttribute('data-right')).toBe('true');
            const why = (await page.getByTestId('prediction-explanation').textContent()) ?? '';
            expect(why).toContain(text.explanation.replace(/[*`]/g, '').slice(0, 40));
            await page.getByTestId('read-then-next').waitFor({ timeout: 10_000 });
            await page.getByTestId('next-step').click();
          } else {
            // On at once, as a learner may ("✓ Done" moves on by itself after a moment): clicked in
            // the page only while this step is still shown, so that it never skips the next one.
            await page.evaluate((n) => {
              const shown = document.querySelector('[data-testid="lesson-step"]')?.getAttribute('data-step');
              const next = document.querySelector<HTMLButtonElement>('[data-testid="next-step"]');
              if (shown === String(n) && next && !next.disabled) next.click();
            }, i + 1);
          }
        }
        await page.getByTestId('lesson-complete').waitFor({ timeout: 30_000 });
        measured.push(
          `lesson ${n}: ${lesson.definition.steps.length} steps in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
            `(a fixed piece of page work: ${idleMs} ms before, ${throttledMs} ms throttled ${THROTTLE_RATE}×)`,
        );
        await saveScreenshot(page, `lessons-show-me-${lesson.dir}`);
        expect(record.pageErrors).toEqual([]);
        expect(record.consoleErrors).toEqual([]);
        expect(record.foreignRequests).toEqual([]);
      } finally {
        await context.close();
      }
    }, 600_000);
  }
});
