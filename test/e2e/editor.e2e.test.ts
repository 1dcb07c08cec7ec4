/**
 * The editor (`#/editor`) in Chromium, as a learner uses it:
 * - typing a type error shows it underlined at its position (the TypeScript language service in its
 *   worker); fixing it clears it; Ctrl+Enter runs: the job file is built in the engine worker and the
 *   simulator shows it — records counted, a checkpoint completed; clicking a subtask fails it and the
 *   restore summary says what came back. Also with the page's CPU throttled 4×.
 * - `while (true) {}` in a map function: the watchdog stops the job with a message naming the
 *   operator, at the loop's line in the editor; the page still answers; the checkpoint stored before
 *   is still listed.
 * - "Copy link" → opening the link shows the same code and runs nothing until Run.
 * - axe (no serious or critical violation) and screenshots at phone, tablet and desktop widths:
 *   test-results/screenshots/editor-*.png.
 */
import { readFileSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eSkipReason, openApp, saveScreenshot, startSession, type E2ESession } from './harness.ts';

const skipReason = e2eSkipReason();
if (skipReason !== null) console.warn(`e2e: ${skipReason}`);

interface Lab {
  frame: {
    jobStatus: string;
    recordsProcessed: number;
    checkpoints: { completed: number; latestCompletedId: number | null };
    jobStopped?: { line: number; message: string } | null;
  } | null;
  load: { jobName: string } | null;
  playing: boolean;
}

const lab = (page: Page) =>
  page.evaluate(() => {
    const s = (window as unknown as { __streamStateLab: Lab }).__streamStateLab;
    return { frame: s.frame, jobName: s.load?.jobName ?? null, playing: s.playing };
  });

/** Waits for the editor with its file and the first type check. */
async function editorReady(page: Page) {
  await page.getByTestId('editor-content').waitFor({ timeout: 30_000 });
  await expect
    .poll(async () => page.getByTestId('editor-types').textContent(), { timeout: 60_000 })
    .toContain('Types checked');
}

/** The editor's whole text (CodeMirror renders only the lines in view): the store the view writes to. */
const editorText = (page: Page) =>
  page.evaluate(
    () => (window as unknown as { __streamStateLabEditor: { source: string } }).__streamStateLabEditor.source,
  );

/** Puts the cursor at the end of the file (on a new line). */
async function toEnd(page: Page) {
  await page.getByTestId('editor-content').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
}

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe.skipIf(skipReason !== null)('the editor', () => {
  let session: E2ESession;
  beforeAll(async () => {
    session = await startSession();
  });
  afterAll(async () => {
    await session?.close();
  });

  for (const throttle of [1, 4]) {
    it(`type error at its position, fix, Run, records and a checkpoint, fail a subtask, the restore (CPU ${throttle}×)`, async () => {
      const { context, page, record } = await openApp(session, '/#/editor');
      try {
        await page.setViewportSize({ width: 1440, height: 900 });
        if (throttle > 1)
          await (
            await context.newCDPSession(page)
          ).send('Emulation.setCPUThrottlingRate', { rate: throttle });
        await editorReady(page);
        // The per-user count: a generator source, checkpoints every second, a two-phase-commit sink.
        await page.getByTestId('editor-template').selectOption('per-user-count');
        await expect.poll(() => editorText(page)).toContain("await env.execute('Visits per user');");
        await expect.poll(() => page.locator('.cm-lintRange-error').count()).toBe(0);

        // A type error on a new last line: underlined where it is.
        await toEnd(page);
        await page.keyboard.type("const total: number = 'many';");
        const underline = page.locator('.cm-lintRange-error');
        await expect.poll(() => underline.count(), { timeout: 30_000 }).toBe(1);
        expect(await underline.textContent()).toBe('total');
        const lines = page.locator('[data-testid="editor-content"] .cm-line');
        expect(await lines.last().locator('.cm-lintRange-error').count()).toBe(1);
        await saveScreenshot(page, `editor-type-error-cpu${throttle}`);

        // Fixed: the underline goes.
        await page.keyboard.press('Home');
        await page.keyboard.press('Shift+End');
        await page.keyboard.type('const total: number = 3;');
        await expect.poll(() => underline.count(), { timeout: 30_000 }).toBe(0);

        // Ctrl+Enter runs: the job is built in the engine worker and plays (slowly, to act on it).
        await page.getByTestId('speed').selectOption('250');
        await page.getByTestId('editor-content').click();
        const runAt = Date.now();
        await page.keyboard.press('Control+Enter');
        await page.getByTestId('editor-ok').waitFor({ timeout: 30_000 });
        // What docs/app.md reports: Run pressed → the job's first frame on screen.
        console.info(`editor: Run to the first frame at CPU ${throttle}×: ${Date.now() - runAt} ms`);
        expect((await lab(page)).jobName).toBe('Visits per user');
        await expect
          .poll(async () => (await lab(page)).frame?.checkpoints.completed ?? 0, { timeout: 30_000 })
          .toBeGreaterThan(0);
        expect((await lab(page)).frame!.recordsProcessed).toBeGreaterThan(0);

        // Fail a counting subtask while the job runs (at 0.25×: seconds of real time left): the
        // restore summary says what came back.
        expect((await lab(page)).frame!.jobStatus).toBe('RUNNING');
        await page.getByTestId('subtask-count#0').click();
        await page.getByTestId('restore-summary').waitFor({ timeout: 30_000 });
        await saveScreenshot(page, `editor-restore-summary-cpu${throttle}`);
        await expect
          .poll(async () => page.getByTestId('restore-summary').textContent(), { timeout: 30_000 })
          .toMatch(/restored|checkpoint/i);
        await saveScreenshot(page, `editor-restored-cpu${throttle}`);
        expect(record.pageErrors).toEqual([]);
        expect(record.foreignRequests).toEqual([]);
      } finally {
        await context.close();
      }
    }, 180_000);
  }

  it('a map function that loops forever is stopped, naming the operator; the page answers; the checkpoint stays', async () => {
    const { context, page, record } = await openApp(session, '/#/editor');
    try {
      await page.setViewportSize({ width: 1440, height: 900 });
      await editorReady(page);
      await page.getByTestId('editor-template').selectOption('per-user-count');
      await expect.poll(() => editorText(page)).toContain("await env.execute('Visits per user');");
      // Replace `.uid('count')` with the count plus a map that loops once a user has 150 visits.
      const text = await editorText(page);
      const lineNo = text.split('\n').findIndex((l) => l.trim() === ".uid('count')") + 1;
      expect(lineNo).toBeGreaterThan(0);
      await page
        .locator('[data-testid="editor-content"] .cm-line')
        .filter({ hasText: /^\s*\.uid\('count'\)$/ })
        .click();
      await page.keyboard.press('End');
      await page.keyboard.press('Enter');
      // Typed without the editor's auto-closing brackets getting in the way: a single line.
      await page.keyboard.insertText(
        ".map((c) => { if (c.visits === 150) while (true) {} return c; }).uid('looping').name('Map: looping')",
      );
      await page.getByTestId('editor-run').click();
      await page
        .locator('[data-testid="editor-ok"], [data-testid="editor-error"]')
        .first()
        .waitFor({ timeout: 30_000 });
      expect(await page.getByTestId('editor-result').textContent()).not.toContain('error');
      // A checkpoint completes before the loop (about 3 s in).
      await expect
        .poll(async () => (await lab(page)).frame?.checkpoints.completed ?? 0, { timeout: 30_000 })
        .toBeGreaterThan(0);
      await page.getByTestId('tab-checkpoints').click();
      const error = page.getByTestId('editor-error');
      await error.waitFor({ timeout: 30_000 });
      expect(await error.textContent()).toContain('Map: looping');
      expect(await error.textContent()).toContain(`:${lineNo + 1}:`);
      const stopped = (await lab(page)).frame!;
      expect(stopped.jobStatus).toBe('FAILED');
      // The loop is marked in the editor: `while`, on the line after `.uid('count')`.
      await expect
        .poll(() =>
          page
            .locator('[data-testid="editor-content"] .cm-line')
            .filter({ hasText: 'while (true)' })
            .locator('.cm-lintRange-error')
            .count(),
        )
        .toBeGreaterThan(0);
      // The page answers at once, and the checkpoint completed before the loop is still listed.
      const started = Date.now();
      expect(await page.evaluate(() => 1 + 1)).toBe(2);
      expect(Date.now() - started).toBeLessThan(2000);
      const latest = stopped.checkpoints.latestCompletedId!;
      await page.getByTestId(`restore-${latest}`).waitFor({ timeout: 10_000 });
      await saveScreenshot(page, 'editor-loop-stopped');
      expect(record.pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 180_000);

  it('code the loop guard cannot see (a regular expression that backtracks for ever): the page replaces the worker', async () => {
    const { context, page, record } = await openApp(session, '/#/editor');
    try {
      await page.setViewportSize({ width: 1440, height: 900 });
      await editorReady(page);
      await page.getByTestId('editor-template').selectOption('per-user-count');
      await expect.poll(() => editorText(page)).toContain("await env.execute('Visits per user');");
      await page
        .locator('[data-testid="editor-content"] .cm-line')
        .filter({ hasText: /^\s*\.uid\('count'\)$/ })
        .click();
      await page.keyboard.press('End');
      await page.keyboard.press('Enter');
      // One call into the regular expression engine: no loop of the user's for a guard to sit in.
      await page.keyboard.insertText(
        ".map((c) => { if (c.visits === 150) /^(a+)+$/.test('a'.repeat(48) + 'b'); return c; })",
      );
      await page.getByTestId('editor-run').click();
      await page.getByTestId('editor-ok').waitFor({ timeout: 30_000 });
      await expect
        .poll(async () => (await lab(page)).frame?.checkpoints.completed ?? 0, { timeout: 30_000 })
        .toBeGreaterThan(0);
      // The worker stops answering; within the watchdog's 6 s the page replaces it and says why.
      const notice = page.getByTestId('notice');
      await expect
        .poll(async () => (await notice.count()) > 0 && (await notice.textContent()), { timeout: 30_000 })
        .toContain('did not answer');
      // The page answered all along, and the new worker did not load the job again.
      expect(await page.evaluate(() => 1 + 1)).toBe(2);
      expect((await lab(page)).jobName).toBeNull();
      // The checkpoints stored before are still in IndexedDB.
      const stored = await page.evaluate(
        () =>
          new Promise<number>((resolve, reject) => {
            const open = indexedDB.open('stream-state-lab');
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
              const range = IDBKeyRange.bound(['Visits per user'], ['Visits per user', []]);
              const req = open.result.transaction('checkpoints').objectStore('checkpoints').count(range);
              req.onsuccess = () => resolve(req.result);
            };
          }),
      );
      expect(stored).toBeGreaterThan(0);
      await saveScreenshot(page, 'editor-worker-replaced');
      expect(record.pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 180_000);

  it('a share link opens the same code and runs nothing until Run', async () => {
    const first = await openApp(session, '/#/editor');
    let link = '';
    let source = '';
    try {
      await first.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
        origin: session.app.origin,
      });
      await editorReady(first.page);
      await toEnd(first.page);
      await first.page.keyboard.type('// shared with a friend');
      source = await editorText(first.page);
      await first.page.getByTestId('editor-copy-link').click();
      await first.page.getByTestId('editor-link-note').waitFor();
      link = await first.page.evaluate(() => navigator.clipboard.readText());
    } finally {
      await first.context.close();
    }
    expect(link).toMatch(/#\/editor\?job=[A-Za-z0-9+$-]+$/);
    const second = await openApp(session, new URL(link).pathname + new URL(link).hash);
    try {
      const { page } = second;
      await page.getByTestId('editor-content').waitFor({ timeout: 30_000 });
      await expect.poll(() => editorText(page)).toBe(source);
      await page.getByTestId('editor-from-link').waitFor();
      // Nothing ran: no user job is loaded, and the address no longer carries the code.
      await page.waitForTimeout(500);
      expect((await lab(page)).jobName).not.toBe('WordCount');
      expect(new URL(page.url()).hash).toBe('#/editor');
      await page.getByTestId('editor-run').click();
      await page.getByTestId('editor-ok').waitFor({ timeout: 30_000 });
      expect((await lab(page)).jobName).toBe('WordCount');
    } finally {
      await second.context.close();
    }
  }, 120_000);

  it('the editor kept across a reload; axe and screenshots at phone, tablet and desktop widths', async () => {
    const { context, page, record } = await openApp(session, '/#/editor');
    try {
      await editorReady(page);
      // Completion from the language service: the environment's methods, as the lab's API types them.
      await toEnd(page);
      await page.keyboard.type('env.enableCh');
      const completions = page.locator('.cm-tooltip-autocomplete');
      await expect
        .poll(async () => completions.textContent(), { timeout: 30_000 })
        .toContain('enableCheckpointing');
      await page.keyboard.press('Escape');
      await page.keyboard.press('Home');
      await page.keyboard.press('Shift+End');
      await page.keyboard.type('// kept');
      await page.waitForTimeout(800); // the save is debounced (400 ms)
      await page.reload({ waitUntil: 'load' });
      await editorReady(page);
      expect(await editorText(page)).toContain('// kept');
      // Download: the .ts file `npm run sim -- --job` runs, exactly what is in the editor.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('editor-download').click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/\.ts$/);
      const file = await download.path();
      expect(readFileSync(file!, 'utf8')).toBe(await editorText(page));
      for (const [name, width, height] of [
        ['phone', 390, 844],
        ['tablet', 800, 900],
        ['desktop', 1440, 900],
      ] as const) {
        await page.setViewportSize({ width, height });
        await page.waitForTimeout(300);
        const sideways = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(sideways, `${name}: sideways scroll`).toBeLessThanOrEqual(0);
        await saveScreenshot(page, `editor-${name}`);
        expect(await seriousViolations(page), `${name}: axe`).toEqual([]);
      }
      expect(record.pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 180_000);
});
