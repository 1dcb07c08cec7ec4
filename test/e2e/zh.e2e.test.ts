/**
 * 简体中文 as a learner reads it, in Chromium: switch to 简体中文, walk every view (the simulator with
 * each tab and panel, the help dialog, the lessons list, a lesson, the experiments), fail a subtask and
 * watch the restore, restore a retained checkpoint, import a broken snapshot — and after each, scan
 * what is on screen: the visible text and the aria-labels, titles and placeholders of visible elements.
 * Any English word fails the test unless it is
 *
 * - a term the glossary keeps in English (src/app/i18n/glossary.ts, as Flink's Chinese docs do),
 * - an identifier: camelCase or ALL CAPS (`ValueState`, `RUNNING`), with a digit, `#`, `_` or `.`
 *   (`count#1`, `state.backend.type`), or one of the option values the glossary lists (`exactly-once`),
 * - a word of the job or its data, which the page marks as such: text inside `code`, `kbd`, `samp`,
 *   `pre`, `[translate="no"]` or `[data-ident]` in SVG (operator names from the job's code, keys, values, the snapshot JSON);
 *   such a word is then also accepted in an aria-label (e.g. the name of the operator to make slow).
 *
 * Screenshots: test-results/screenshots/zh-*.png.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDENTIFIERS_SHOWN, KEPT_IN_ENGLISH, PROPER_NAMES } from '../../src/app/i18n/glossary.ts';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, e2eSkipReason, openApp, saveScreenshot, startSession, type E2ESession } from './harness.ts';

/** Lessons 1..12 (lessons/NN-*). */
const LESSON_COUNT = readdirSync(path.join(ROOT, 'lessons'), { withFileTypes: true }).filter((d) =>
  /^\d\d-/.test(d.name),
).length;

const skipReason = e2eSkipReason();
if (skipReason !== null) console.warn(`e2e: ${skipReason}`);

interface Found {
  word: string;
  where: string;
  text: string;
}

/** Runs in the page: every English-looking token on screen, and the words the page marks as identifiers. */
function scanPage(): { tokens: Found[]; identifiers: string[] } {
  const IDENT = 'code, kbd, samp, pre, [translate="no"], [data-ident], script, style, noscript, template';
  const WORD = /[A-Za-z][A-Za-z0-9_#.'’\-:/]*[A-Za-z0-9#]|[A-Za-z]/g;
  const tokens: Array<{ word: string; where: string; text: string }> = [];
  const identifiers = new Set<string>();
  const visible = (el: Element): boolean => {
    if (el.closest('[hidden], [aria-hidden="true"], [inert] dialog:not([open])')) return false;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const label = (el: Element): string => {
    const id = el.getAttribute('data-testid');
    return `${el.tagName.toLowerCase()}${id ? `[data-testid=${id}]` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ')[0]}` : ''}`;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent ?? '';
    if (!/[A-Za-z]/.test(text)) continue;
    const el = n.parentElement;
    // Content the page declares English (the article's English translation, lang="en") is not UI text.
    // Quoted text (the article on the Reading page, as its author wrote it) is not the lab's either.
    if (!el || !visible(el) || el.closest('option, [lang="en"], [data-quoted]')) continue;
    // A title in Chinese title marks (《Stream Processing with Apache Flink》) is cited as it is.
    const words = text.replace(/《[^》]*》/g, ' ').match(WORD) ?? [];
    if (el.closest(IDENT)) {
      for (const w of words) identifiers.add(w);
      continue;
    }
    for (const w of words) tokens.push({ word: w, where: label(el), text: text.trim().slice(0, 120) });
  }
  // The full text of an identifier the page shows shortened (an operator name in the graph).
  for (const el of Array.from(document.body.querySelectorAll('[data-ident]')))
    for (const w of el.getAttribute('data-ident')?.match(WORD) ?? []) identifiers.add(w);
  for (const el of Array.from(
    document.body.querySelectorAll('[aria-label], [title], [placeholder], [alt]'),
  )) {
    if (!visible(el) || el.closest('option')) continue;
    for (const attr of ['aria-label', 'title', 'placeholder', 'alt']) {
      const v = el.getAttribute(attr);
      if (!v) continue;
      for (const w of v.match(WORD) ?? [])
        tokens.push({ word: w, where: `${label(el)}@${attr}`, text: v.slice(0, 120) });
    }
  }
  return { tokens, identifiers: [...identifiers] };
}

const KEPT = new Set([...KEPT_IN_ENGLISH, ...PROPER_NAMES].flatMap((t) => [t, ...t.split(/[\s]+/)]));
const SHOWN = new Set<string>(IDENTIFIERS_SHOWN);

/** Why a token is acceptable on a Chinese page, or null when it is an English word that should be Chinese. */
function accepted(word: string, identifiers: ReadonlySet<string>): boolean {
  const w = word.replace(/[.:'’\-/]+$/, '');
  if (w === '') return true;
  if (KEPT.has(w) || SHOWN.has(w) || identifiers.has(w) || identifiers.has(word)) return true;
  if (/^[b-zA-HJ-Z]$/.test(w)) return true; // a variable: subtask i, barrier n, N attempts
  if (/[0-9#_]/.test(w)) return true; // count#1, p=2, 5MiB, state_name
  if (/\.[A-Za-z]/.test(w)) return true; // state.backend.type, e.g. a config key
  if (/[a-z][A-Z]/.test(w) || /^[A-Z][A-Z0-9-]+$/.test(w)) return true; // keyBy, ValueState, RUNNING, QuotaExceededError
  if (/^[A-Z][a-z]+[A-Z]/.test(w)) return true;
  return false;
}

async function scan(page: Page, view: string, bad: Map<string, Found[]>): Promise<void> {
  const { tokens, identifiers } = await page.evaluate(scanPage);
  const ids = new Set(identifiers.flatMap((w) => [w, w.replace(/[.:'’\-/]+$/, '')]));
  const wrong = tokens.filter((t) => !accepted(t.word, ids));
  if (wrong.length) bad.set(view, wrong);
}

function report(bad: Map<string, Found[]>): string {
  const lines: string[] = [];
  for (const [view, found] of bad) {
    const seen = new Set<string>();
    for (const f of found) {
      const key = `${f.word}|${f.where}`;
      if (seen.has(key)) continue;
      seen.add(key);
      lines.push(`${view}: "${f.word}" in ${f.where}: ${f.text}`);
    }
  }
  return lines.join('\n');
}

describe.skipIf(skipReason !== null)('简体中文, every view', () => {
  let session: E2ESession | undefined;

  beforeAll(async () => {
    session = await startSession();
  });

  afterAll(async () => {
    await session?.close();
  });

  it(
    'shows no English word but identifiers and the glossary’s terms, through a failure, a restore and an import error',
    { timeout: 300_000 },
    async () => {
      if (!session) throw new Error('the e2e session did not start');
      const bad = new Map<string, Found[]>();
      const { context, page } = await openApp(session, '/?scenario=visits&seed=1&lang=en');
      try {
        await page.getByTestId('subtask-count#1').waitFor({ timeout: 15_000 });
        await page.getByTestId('language').selectOption('zh-CN');
        await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');

        // The simulator before anything ran, then after the first checkpoint.
        await scan(page, 'simulator (start)', bad);
        await page.getByTestId('tab-checkpoints').click();
        for (let i = 0; i < 100 && (await page.getByTestId('cp-count-completed').textContent()) === '0'; i++)
          await page.getByTestId('step-barrier').click();
        await scan(page, 'checkpoints tab', bad);
        await page.locator('tr[data-status="COMPLETED"]').first().click();
        await scan(page, 'checkpoint detail', bad);
        await saveScreenshot(page, 'zh-1-checkpoints');

        // A failure and the restore, with the log and the job status.
        await page.getByTestId('subtask-count#1').click();
        await page.getByTestId('speed').selectOption('5000');
        await page.getByTestId('play').click();
        await expect
          .poll(() => page.locator('[data-testid="event-log"] li[data-type="task-restored"]').count(), {
            timeout: 30_000,
          })
          .toBeGreaterThan(0);
        await expect
          .poll(() => page.getByTestId('play').getAttribute('data-ended'), { timeout: 60_000 })
          .toBe('true');
        const log = await page.getByTestId('event-log').textContent();
        expect(log).toContain('你手动注入的故障');
        expect(await page.getByTestId('job-status').textContent()).toMatch(
          /作业状态：.*（[A-Z]+）|作业状态：已结束/,
        );
        await scan(page, 'after a failure and restore', bad);
        await saveScreenshot(page, 'zh-2-failure-restore');

        // Each tab.
        for (const tab of ['tab-state', 'tab-output', 'tab-config', 'tab-checkpoints']) {
          await page.getByTestId(tab).click();
          await page.waitForTimeout(300);
          await scan(page, tab, bad);
          await saveScreenshot(page, `zh-3-${tab}`);
        }

        // Restore a retained checkpoint, then import a broken snapshot: its errors in Chinese.
        // (the retained checkpoints' Restore buttons are restore-<id>, in their table)
        const restore = page.locator('table button[data-testid^="restore-"]').first();
        if (await restore.count()) {
          await restore.click();
          // The job restarts from it: the notice says how, in Chinese.
          await expect
            .poll(() => page.getByTestId('notice').textContent(), { timeout: 15_000 })
            .toContain('恢复');
          await saveScreenshot(page, 'zh-3-restored');
          await scan(page, 'restored a retained checkpoint', bad);
        }
        const exportButton = page.locator('[data-testid^="export-"]').last();
        const [download] = await Promise.all([page.waitForEvent('download'), exportButton.click()]);
        const broken = JSON.parse(readFileSync(await download.path(), 'utf8')) as {
          operators: Array<{ subtasks: Array<{ keyGroupRange: unknown; index: unknown }> }>;
        };
        // A semantic error (the key-group range), then a schema error (a string where a number belongs).
        broken.operators[1].subtasks[0].keyGroupRange = { start: 0, end: 140 };
        await page.getByTestId('import-file').setInputFiles({
          name: 'broken.json',
          mimeType: 'application/json',
          buffer: Buffer.from(JSON.stringify(broken)),
        });
        const errors = page.getByTestId('import-errors');
        await errors.waitFor({ timeout: 10_000 });
        expect(await errors.textContent()).toContain('140 超出了最大并行度 128（键组编号是 0..127）');
        await scan(page, 'import error (key-group range)', bad);
        await saveScreenshot(page, 'zh-4-import-error');
        broken.operators[2].subtasks[1].index = 'one';
        await page.getByTestId('import-file').setInputFiles({
          name: 'broken2.json',
          mimeType: 'application/json',
          buffer: Buffer.from(JSON.stringify(broken)),
        });
        await expect
          .poll(() => errors.textContent(), { timeout: 10_000 })
          .toContain('类型错误：应为数字，实际是字符串');
        await scan(page, 'import error (schema)', bad);

        // The help dialog.
        await page.keyboard.press('?');
        await page.getByTestId('help-dialog').waitFor({ state: 'visible', timeout: 5_000 });
        await scan(page, 'help dialog', bad);
        await saveScreenshot(page, 'zh-5-help');
        await page.keyboard.press('Escape');

        // The lessons list, and a lesson at a prediction step.
        await page.getByTestId('nav-lessons').click();
        await page.getByTestId('lesson-card-1').waitFor({ timeout: 15_000 });
        await scan(page, 'lessons list', bad);
        await saveScreenshot(page, 'zh-6-lessons');
        // Every step of every lesson, with all its hints shown.
        for (let n = 1; n <= LESSON_COUNT; n++) {
          for (let k = 1, total = 1; k <= total; k++) {
            const hash = `#/lesson/${n}/step/${k}`;
            await page.evaluate((h) => (location.hash = h), hash);
            await expect
              .poll(() => page.getByTestId('step-heading').textContent(), { timeout: 20_000 })
              .toMatch(new RegExp(`^第 ${k} 步，共 \\d+ 步$`));
            total = Number(
              /共 (\d+) 步/.exec((await page.getByTestId('step-heading').textContent()) ?? '')?.[1],
            );
            for (let i = 0; i < 8 && (await page.getByTestId('show-hint').count()) > 0; i++)
              await page.getByTestId('show-hint').click();
            await scan(page, `lesson ${n} step ${k}`, bad);
            if (k === 2) await saveScreenshot(page, `zh-7-lesson-${n}`);
          }
        }

        // The Reading page: the article in Chinese with the lab's notes and links.
        await page.getByTestId('nav-reading').click();
        await page.getByTestId('reading-view').waitFor({ timeout: 15_000 });
        await page.waitForTimeout(500);
        await scan(page, 'reading', bad);
        await saveScreenshot(page, 'zh-9-reading');

        // The experiments view.
        await page.getByTestId('nav-experiments').click();
        await page.getByTestId('experiments-view').waitFor({ timeout: 15_000 });
        await page.waitForTimeout(500);
        await scan(page, 'experiments', bad);
        await saveScreenshot(page, 'zh-8-experiments');
      } finally {
        await context.close();
      }
      expect(report(bad)).toBe('');
    },
  );
});
