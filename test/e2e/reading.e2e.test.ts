/**
 * The Reading page in Chromium: open it from the header, read the English translation and the Chinese
 * original, jump to §3.2 by its URL, read its note, follow a link to the lesson step that teaches it;
 * then the page in 简体中文, from a link straight to it. The article is not in the app's first
 * download. Screenshots at 1440 and 390 px: test-results/screenshots/reading-*.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { e2eSkipReason, openApp, saveScreenshot, startSession, type E2ESession } from './harness.ts';

const skipReason = e2eSkipReason();
if (skipReason !== null) console.warn(`e2e: ${skipReason}`);

/** The right edge of the Reading page's widest element outside a code block (which scrolls on its own). */
function readingRightEdge(page: Page): Promise<number> {
  return page.evaluate(() =>
    Math.max(
      ...Array.from(document.querySelectorAll('[data-testid="reading-view"] *'))
        .filter((e) => !e.closest('pre'))
        .map((e) => e.getBoundingClientRect().right),
    ),
  );
}

/** The JavaScript the page downloaded so far, as text (the app's own files only). */
async function downloadedScripts(page: Page, urls: string[]): Promise<string> {
  const scripts = urls.filter((u) => /\.js(\?|$)/.test(u));
  const texts = await page.evaluate(
    async (list) => Promise.all(list.map(async (u) => (await fetch(u)).text())),
    scripts,
  );
  return texts.join('\n');
}

describe.skipIf(skipReason !== null)('the Reading page in Chromium', () => {
  let session: E2ESession | undefined;

  beforeAll(async () => {
    session = await startSession();
  });

  afterAll(async () => {
    await session?.close();
  });

  it('shows the article in English and Chinese with notes, and its links open the lesson steps', async () => {
    if (!session) throw new Error('the e2e session did not start');
    const { context, page, record } = await openApp(session, '/?lang=en');
    try {
      await page.setViewportSize({ width: 1440, height: 900 });
      await page.getByTestId('nav-reading').waitFor();
      // The simulator is up, and none of its JavaScript holds the article.
      await page.getByTestId('restart').waitFor();
      const firstDownload = await downloadedScripts(page, [...record.requests]);
      expect(firstDownload.length).toBeGreaterThan(10_000);
      expect(firstDownload).not.toContain('暂停所有数据源的输入');
      expect(firstDownload).not.toContain('Flink pauses the input of every data source');

      // From the header to the page: the English translation, since the app is in English.
      await page.getByTestId('nav-reading').click();
      const view = page.getByTestId('reading-view');
      await view.waitFor({ timeout: 20_000 });
      expect(await page.evaluate(() => location.hash)).toBe('#/reading');
      expect(await page.getByTestId('nav-reading').getAttribute('aria-current')).toBe('page');
      expect(await page.locator('#reading-title').textContent()).toBe(
        'Flink State Management and Checkpointing',
      );
      expect(await page.getByTestId('reading-section').count()).toBe(26);
      expect(await page.getByTestId('reading-links').count()).toBe(26);
      const s32 = page.locator('[data-testid="reading-section"][data-section="3.2"]');
      expect(await s32.locator('h4').textContent()).toBe('3.2 The checkpoint mechanism');
      expect(await s32.textContent()).toContain('Pause processing');
      expect(await s32.getByTestId('reading-note').textContent()).toContain('does not pause the sources');
      const s51 = page.locator('[data-testid="reading-section"][data-section="5.1"]');
      expect(await s51.getByTestId('reading-note').textContent()).toContain('keyBy(w -> w)');
      expect(await s51.locator('pre code').textContent()).toContain('.keyBy(0)'); // the article's code, as written
      await saveScreenshot(page, 'reading-1-en-1440');

      // The Chinese original, with the notes still in the learner's language.
      await page.getByTestId('reading-show-zh-CN').click();
      expect(await page.locator('#reading-title').textContent()).toBe('《Flink 状态管理与检查点机制》');
      expect(await s32.locator('h4').textContent()).toBe('3.2 检查点机制');
      expect(await s32.textContent()).toContain('暂停数据处理');
      expect(await s32.getByTestId('reading-note').textContent()).toContain('does not pause the sources');
      await page.getByTestId('reading-show-en').click();

      // A link to one section scrolls to it.
      await page.evaluate(() => (location.hash = '#/reading/6.2'));
      const s62 = page.locator('[data-testid="reading-section"][data-section="6.2"]');
      await expect
        .poll(async () => Math.round((await s62.boundingBox())?.y ?? -1), { timeout: 10_000 })
        .toBeLessThan(120);
      expect(await s62.getByTestId('reading-links').textContent()).toContain('Lesson 11');

      // At 390 px: one column, nothing wider than the screen (code blocks scroll inside).
      await page.setViewportSize({ width: 390, height: 844 });
      await page.evaluate(() => (location.hash = '#/reading'));
      await expect.poll(() => readingRightEdge(page)).toBeLessThanOrEqual(390);
      await saveScreenshot(page, 'reading-2-en-390');
      await page.setViewportSize({ width: 1440, height: 900 });

      // Following a link of §3.2 opens the lesson step that teaches it.
      const link = s32.locator('a[data-ref="05-why-snapshots-are-hard/stop-the-world"]');
      expect(await link.textContent()).toMatch(/^Lesson 5, step 1 of \d+ — Why snapshots are hard/);
      await link.click();
      await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/lesson/5/step/1');
      await page.getByTestId('lesson-panel').waitFor({ timeout: 20_000 });
      await expect
        .poll(() => page.getByTestId('lesson-title').textContent(), { timeout: 20_000 })
        .toMatch(/^Why snapshots are hard/);
      expect(await page.getByTestId('step-heading').textContent()).toMatch(/Step 1 of/);
      expect(await view.count()).toBe(0);

      // And back: the step cites the article's §3.2 by a link to the Reading page.
      await page.getByTestId('lesson-panel').locator('a[href="#/reading/3.2"]').first().click();
      await view.waitFor({ timeout: 20_000 });
      await expect
        .poll(async () => Math.round((await s32.boundingBox())?.y ?? -1), { timeout: 10_000 })
        .toBeLessThan(120);

      expect(record.pageErrors).toEqual([]);
      expect(record.consoleErrors).toEqual([]);
      expect(record.foreignRequests).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows the Chinese original to a learner using 简体中文, with Chinese notes and links', async () => {
    if (!session) throw new Error('the e2e session did not start');
    const { context, page, record } = await openApp(session, '/?lang=zh-CN#/reading/5.1');
    try {
      await page.setViewportSize({ width: 1440, height: 900 });
      const view = page.getByTestId('reading-view');
      await view.waitFor({ timeout: 20_000 });
      expect(await page.getByTestId('nav-reading').textContent()).toBe('阅读原文');
      expect(await page.locator('#reading-title').textContent()).toBe('《Flink 状态管理与检查点机制》');
      const s51 = page.locator('[data-testid="reading-section"][data-section="5.1"]');
      expect(await s51.locator('h4').textContent()).toBe('5.1 WordCount 示例');
      await expect
        .poll(async () => Math.round((await s51.boundingBox())?.y ?? -1), { timeout: 10_000 })
        .toBeLessThan(120);
      const note = await s51.getByTestId('reading-note').textContent();
      expect(note).toContain('Flink 2.x');
      expect(note).toContain('InvalidProgramException');
      expect(note).toContain('移除');
      await saveScreenshot(page, 'reading-3-zh-1440');

      await page.setViewportSize({ width: 390, height: 844 });
      await expect.poll(() => readingRightEdge(page)).toBeLessThanOrEqual(390);
      await saveScreenshot(page, 'reading-4-zh-390');
      await page.setViewportSize({ width: 1440, height: 900 });

      // The English translation is one click away.
      await page.getByTestId('reading-show-en').click();
      expect(await s51.locator('h4').textContent()).toBe('5.1 A WordCount example');
      expect(note).toContain('移除'); // the note stays in the learner's language

      const link = s51.locator('a[data-ref="01-wordcount/stateless-stateful"]');
      expect(await link.textContent()).toMatch(/^第 1 课，第 1 步（共 \d+ 步）：/);
      await link.click();
      await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/lesson/1/step/1');
      await page.getByTestId('lesson-panel').waitFor({ timeout: 20_000 });
      expect(await page.getByTestId('step-heading').textContent()).toMatch(/1/);

      expect(record.pageErrors).toEqual([]);
      expect(record.consoleErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
