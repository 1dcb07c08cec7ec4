/**
 * The SQL page (`#/sql`) in Chromium, as a learner uses it:
 * - type a GROUP BY count, Ctrl+Enter: the query is planned in the engine worker and runs as the job;
 *   the changelog shows `-U`/`+U` rows (kinds as text too), the table view ends with the counts
 *   computed directly from the table's rows; Explain shows Flink's plan with `GroupAggregate`;
 *   a syntax error shows its `line:col` (and an underline), and the previous result stays. Also with
 *   the page's CPU throttled 4×. Logged, not asserted: Run → the job on screen, Run → the first row.
 * - completion of the built-in tables and columns, the statements kept across a reload, "Export for
 *   Flink" (the .sql for `sql-client.sh -f`), axe (no serious or critical violation) and screenshots at
 *   phone, tablet and desktop widths: test-results/screenshots/sql-*.png.
 */
import { readFileSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_TABLES } from '../../src/sql/catalog/BuiltinTables';
import { e2eSkipReason, openApp, saveScreenshot, startSession, type E2ESession } from './harness.ts';

const skipReason = e2eSkipReason();
if (skipReason !== null) console.warn(`e2e: ${skipReason}`);

const COUNT = 'SELECT word, COUNT(*) AS cnt FROM words GROUP BY word';

/** COUNT(*) per word, computed from the built-in table's rows. */
function expectedCounts(): Record<string, string> {
  const out: Record<string, number> = {};
  for (const p of BUILTIN_TABLES.find((t) => t.name === 'words')!.log().partitions)
    for (const r of p) out[r.value[0] as string] = (out[r.value[0] as string] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, String(v)]));
}

const jobStatus = (page: Page) =>
  page.evaluate(
    () =>
      (window as unknown as { __streamStateLab: { frame: { jobStatus: string } | null } }).__streamStateLab
        .frame?.jobStatus ?? null,
  );

const sqlText = (page: Page) =>
  page.evaluate(
    () => (window as unknown as { __streamStateLabSql: { source: string } }).__streamStateLabSql.source,
  );

/** Replaces the statements by typing them, as a learner does. */
async function typeStatements(page: Page, text: string) {
  await page.getByTestId('sql-editor-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.type(text);
  await page.keyboard.press('Escape'); // close a completion popup
}

/** The table view's rows as word → count. */
async function tableCounts(page: Page): Promise<Record<string, string>> {
  const rows = await page
    .getByTestId('sql-table')
    .locator('tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')),
    );
  return Object.fromEntries(rows.map(([w, c]) => [w, c]));
}

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe.skipIf(skipReason !== null)('the SQL page', () => {
  let session: E2ESession;
  beforeAll(async () => {
    session = await startSession();
  });
  afterAll(async () => {
    await session?.close();
  });

  for (const throttle of [1, 4]) {
    it(`GROUP BY: Run, the changelog's -U/+U, the table's counts, Explain, a syntax error keeps the result (CPU ${throttle}×)`, async () => {
      const { context, page, record } = await openApp(session, '/#/sql');
      try {
        await page.setViewportSize({ width: 1440, height: 900 });
        if (throttle > 1)
          await (
            await context.newCDPSession(page)
          ).send('Emulation.setCPUThrottlingRate', { rate: throttle });
        await page.getByTestId('sql-editor-content').waitFor({ timeout: 30_000 });
        await expect.poll(() => page.getByTestId('sql-run').isEnabled(), { timeout: 60_000 }).toBe(true);
        await typeStatements(page, COUNT);
        await expect.poll(() => sqlText(page)).toBe(COUNT);

        const runAt = Date.now();
        await page.keyboard.press('Control+Enter');
        await page.getByTestId('sql-ok').waitFor({ timeout: 60_000 });
        const onScreen = Date.now() - runAt;
        const changelog = page.getByTestId('sql-changelog');
        await changelog.locator('tbody tr').first().waitFor({ timeout: 60_000 });
        // What docs/sql.md reports: Run pressed → the job on screen, → its first committed row.
        console.info(
          `sql: Run to the job on screen at CPU ${throttle}×: ${onScreen} ms; to the first changelog row: ${Date.now() - runAt} ms`,
        );
        await expect.poll(() => jobStatus(page), { timeout: 120_000 }).toBe('FINISHED');

        // The changelog: retractions and their new rows, kinds as text too.
        const kinds = await changelog
          .locator('tbody tr')
          .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-kind')));
        expect(kinds).toContain('-U');
        expect(kinds).toContain('+U');
        expect(kinds[0]).toBe('+I');
        await expect
          .poll(() => changelog.locator('tr[data-kind="-U"] td.kind').first().textContent())
          .toMatch(/-U\s*update before/);
        await saveScreenshot(page, `sql-changelog-cpu${throttle}`);

        // The table: one row per word with the count computed from the rows.
        await page.getByTestId('sql-view-table').click();
        const expected = expectedCounts();
        await expect.poll(() => tableCounts(page), { timeout: 30_000 }).toEqual(expected);

        // Explain: Flink's plan with its operator names.
        await page.getByTestId('sql-explain').click();
        await expect
          .poll(() => page.getByTestId('sql-plan').textContent(), { timeout: 30_000 })
          .toContain('GroupAggregate(groupBy=[word]');
        expect(await page.getByTestId('sql-plan').textContent()).toContain(
          'Exchange(distribution=[hash[word]])',
        );

        // A syntax error: its line:col, underlined; the previous job and its result stay.
        await typeStatements(page, 'SELECT word, COUNT(*) FROM words GROUP word');
        await page.getByTestId('sql-run').click();
        const error = page.getByTestId('sql-error');
        await error.waitFor({ timeout: 30_000 });
        expect(await error.textContent()).toMatch(/\b1:\d+\b/);
        await expect
          .poll(() => page.locator('.cm-lintRange-error').count(), { timeout: 30_000 })
          .toBeGreaterThan(0);
        expect(await jobStatus(page)).toBe('FINISHED');
        expect(await tableCounts(page)).toEqual(expected);
        await saveScreenshot(page, `sql-syntax-error-cpu${throttle}`);
        expect(record.pageErrors).toEqual([]);
        expect(record.foreignRequests).toEqual([]);
      } finally {
        await context.close();
      }
    }, 300_000);
  }

  it('completion, kept across a reload, Export for Flink, axe and screenshots at three widths', async () => {
    const { context, page, record } = await openApp(session, '/#/sql');
    try {
      await page.getByTestId('sql-editor-content').waitFor({ timeout: 30_000 });
      await expect.poll(() => page.getByTestId('sql-run').isEnabled(), { timeout: 60_000 }).toBe(true);
      // The built-in tables and their columns complete (the worker's catalog).
      await page.getByTestId('sql-editor-content').click();
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Delete');
      await page.keyboard.type('SELECT * FROM cli');
      await page.keyboard.press('Control+Space');
      const completions = page.locator('.cm-tooltip-autocomplete');
      await expect.poll(() => completions.textContent(), { timeout: 30_000 }).toContain('clicks');
      await page.keyboard.press('Escape');
      await typeStatements(page, 'SELECT pa FROM clicks');
      await page.keyboard.press('ArrowLeft');
      for (let i = 0; i < ' FROM clicks'.length - 1; i++) await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('Control+Space');
      await expect.poll(() => completions.textContent(), { timeout: 30_000 }).toContain('page');
      await page.keyboard.press('Escape');

      // Statements without a query answer under the editor, as the SQL Client prints them; nothing loads.
      await typeStatements(page, 'SHOW TABLES; DESCRIBE clicks');
      await page.getByTestId('sql-run').click();
      const outputs = page.getByTestId('sql-output');
      await expect.poll(() => outputs.count(), { timeout: 30_000 }).toBe(2);
      expect(await outputs.nth(0).textContent()).toMatch(/clicks.*logins.*visits.*words/s);
      expect(await outputs.nth(1).textContent()).toContain('TIMESTAMP(3) *ROWTIME*');

      // An example, kept across a reload; run: a TUMBLE window query.
      await page.getByTestId('sql-example').selectOption('tumble');
      await expect.poll(() => sqlText(page)).toContain('TUMBLE(TABLE clicks');
      await page.waitForTimeout(800); // the save is debounced
      await page.reload({ waitUntil: 'load' });
      await page.getByTestId('sql-editor-content').waitFor({ timeout: 30_000 });
      await expect.poll(() => sqlText(page), { timeout: 30_000 }).toContain('TUMBLE(TABLE clicks');

      await page.getByTestId('sql-run').click();
      await page.getByTestId('sql-ok').waitFor({ timeout: 60_000 });
      await page.getByTestId('sql-state-chart').waitFor({ timeout: 30_000 });

      // Export for Flink: the script for sql-client.sh -f, with the table's DDL and the statements.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('sql-export').click(),
      ]);
      expect(download.suggestedFilename()).toBe('lab.sql');
      const script = readFileSync((await download.path())!, 'utf8');
      expect(script).toContain('sql-client.sh -f');
      expect(script).toContain('CREATE TABLE clicks');
      expect(script).toContain("'connector' = 'filesystem'");
      expect(script).toContain('TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL');
      // …and the file it reads: the table's rows as CSV, as `npm run sim -- --dump-table clicks --csv` writes it.
      const [csv] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('sql-csv-clicks').click(),
      ]);
      expect(csv.suggestedFilename()).toBe('clicks.csv');
      const lines = readFileSync((await csv.path())!, 'utf8')
        .trim()
        .split('\n');
      expect(lines).toHaveLength(6000);
      expect(lines[0]).toMatch(/^\/\w+,1970-01-01 00:00:00\.000$/);

      await page.getByTestId('sql-explain').click();
      await page.getByTestId('sql-plan').waitFor({ timeout: 30_000 });
      for (const [name, width, height] of [
        ['phone', 390, 844],
        ['tablet', 800, 900],
        ['desktop', 1440, 900],
      ] as const) {
        await page.setViewportSize({ width, height });
        await page.waitForTimeout(300);
        const sideways = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(sideways, `${name}: sideways scroll`).toBeLessThanOrEqual(0);
        await saveScreenshot(page, `sql-${name}`);
        expect(await seriousViolations(page), `${name}: axe`).toEqual([]);
      }
      // In 简体中文: the page's own words translated (Flink's terms as the glossary keeps them).
      await page.getByTestId('language').selectOption('zh-CN');
      await expect.poll(() => page.getByTestId('sql-run').textContent()).toBe('运行');
      expect(await page.getByTestId('sql-explain').textContent()).toBe('执行计划');
      expect(await page.getByTestId('sql-view-table').textContent()).toBe('表格');
      await saveScreenshot(page, 'sql-zh');
      expect(await seriousViolations(page), 'zh: axe').toEqual([]);
      expect(record.pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 300_000);
});
