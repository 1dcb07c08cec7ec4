/**
 * The Experiments view in Chromium: open #/experiments from the header, pick "under backpressure",
 * see a parameter rejected, set small parameters, run it (progress), see the plots (lines, markers,
 * legend, a tooltip), the claim with its citation and the verdict, download the CSV and the JSON and
 * check them; start a long run and cancel it; read the page in 简体中文.
 * Screenshots go to test-results/screenshots/experiments-*.png.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eSkipReason, openApp, saveScreenshot, startSession, type E2ESession } from './harness.ts';

const skipReason = e2eSkipReason();
if (skipReason !== null) console.warn(`e2e: ${skipReason}`);

describe.skipIf(skipReason !== null)('the Experiments view in Chromium', () => {
  let session: E2ESession | undefined;

  beforeAll(async () => {
    session = await startSession();
  });

  afterAll(async () => {
    await session?.close();
  });

  it('runs "under backpressure", plots it, gives the verdict, downloads its data; cancels a long run', async () => {
    if (!session) throw new Error('the e2e session did not start');
    const { context, page, record } = await openApp(session, '/?lang=en');
    try {
      // From the header to the view.
      await page.getByTestId('nav-experiments').click();
      const select = page.getByTestId('experiment-select');
      await select.waitFor({ timeout: 20_000 });
      expect(await page.getByTestId('nav-experiments').getAttribute('aria-current')).toBe('page');
      await select.selectOption('backpressure');
      await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/experiments/backpressure');
      await expect
        .poll(() => page.getByTestId('experiment-citation').textContent())
        .toContain('FLIP-76: Unaligned Checkpoints');

      // A value outside its range is rejected before anything runs.
      const slow = page.getByTestId('param-slowMs');
      await slow.fill('0.05, 999');
      await expect
        .poll(() => page.getByRole('alert').allTextContents())
        .toContain('999 is outside 0.005 to 50.');
      expect(await slow.getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByTestId('experiment-run').isDisabled()).toBe(true);

      // Small parameters: the quick preset, then three slow-operator times and three checkpoints.
      await page.getByTestId('experiment-preset-test').click();
      await slow.fill('0.05, 0.5, 2');
      await page.getByTestId('param-checkpoints').fill('3');
      expect(await slow.getAttribute('aria-invalid')).toBeNull();
      await page.getByTestId('experiment-run').click();

      // The verdict: the simulator shows the publication's shape.
      const verdict = page.getByTestId('experiment-verdict');
      await verdict.waitFor({ timeout: 60_000 });
      expect(await verdict.getAttribute('data-holds')).toBe('true');
      expect(await verdict.locator('li[data-holds="true"]').count()).toBeGreaterThanOrEqual(3);
      expect(await verdict.locator('li[data-holds="false"]').count()).toBe(0);

      // Plots: one svg per panel, a line and three markers per series, axes with units, a legend.
      const plots = page.getByTestId('experiment-plot');
      expect(await plots.count()).toBe(3);
      const duration = page.locator('[data-testid="experiment-plot"][data-panel="duration"]');
      expect(await duration.locator('g.series').count()).toBe(3);
      for (const d of await duration
        .locator('g.series > path:not(.marker)')
        .evaluateAll((ps) => ps.map((p) => p.getAttribute('d') ?? '')))
        expect(d).toMatch(/^M[\d.]+,[\d.]+L/);
      expect(await duration.locator('path.marker').count()).toBe(9);
      expect(await duration.textContent()).toContain('Mean end-to-end duration (ms) · log scale');
      const legend = page.getByTestId('experiment-legend').first();
      expect(await legend.locator('li').allTextContents()).toEqual([
        expect.stringContaining('Aligned (exactly-once)'),
        expect.stringContaining('Unaligned'),
        expect.stringContaining('Aligned with timeout'),
      ]);
      expect(await page.getByTestId('experiment-table').locator('tbody tr').count()).toBe(9);

      // Hovering shows every series' value at that x.
      const box = await duration.boundingBox();
      if (!box) throw new Error('the plot has no box');
      await page.mouse.move(box.x + box.width - 30, box.y + box.height / 2);
      const tooltip = page.getByTestId('experiment-tooltip');
      await tooltip.waitFor();
      expect(await tooltip.textContent()).toMatch(/processing time per record: 2 ms/);
      expect(await tooltip.locator('li').count()).toBe(3);
      await saveScreenshot(page, 'experiments-1-backpressure-result');

      // The CSV: header row with units, one line per sub-run (3 variants × 3 processing times).
      const [csvDownload] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('experiment-csv').click(),
      ]);
      expect(csvDownload.suggestedFilename()).toBe('backpressure.csv');
      const csv = readFileSync((await csvDownload.path())!, 'utf8')
        .trim()
        .split('\n');
      expect(csv[0]).toBe(
        'Variant,Slow operator per record (ms),Checkpoints measured,Mean checkpoint duration (ms),' +
          'Longest checkpoint (ms),Mean longest alignment (ms),Mean persisted in-flight data (bytes),' +
          'Subtask snapshots taken unaligned (fraction),Throughput (records/s)',
      );
      expect(csv).toHaveLength(1 + 9);
      expect(csv.slice(1).map((line) => line.split(',')[0])).toEqual([
        ...Array(3).fill('aligned'),
        ...Array(3).fill('unaligned'),
        ...Array(3).fill('aligned-timeout'),
      ]);

      // The JSON: the result with its parameters and the assessment.
      const [jsonDownload] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('experiment-json').click(),
      ]);
      expect(jsonDownload.suggestedFilename()).toBe('backpressure.json');
      const json = JSON.parse(readFileSync((await jsonDownload.path())!, 'utf8')) as {
        parameters: Record<string, unknown>;
        assessment: { holds: boolean };
        table: { rows: unknown[] };
      };
      expect(json.parameters.slowMs).toEqual([0.05, 0.5, 2]);
      expect(json.parameters.checkpoints).toBe(3);
      expect(json.assessment.holds).toBe(true);
      expect(json.table.rows).toHaveLength(9);

      // A long run (snapshot overhead at the publication's size), cancelled while it runs.
      await select.selectOption('snapshot-overhead');
      await page.getByTestId('experiment-preset-default').click();
      await page.getByTestId('experiment-run').click();
      const progress = page.getByTestId('experiment-progress');
      await progress.waitFor({ timeout: 10_000 });
      await expect
        .poll(async () => Number(await progress.getAttribute('value')), { timeout: 30_000 })
        .toBeGreaterThan(0.02);
      expect(await select.isDisabled()).toBe(true);
      await saveScreenshot(page, 'experiments-2-running');
      const fractionAtCancel = Number(await progress.getAttribute('value'));
      expect(fractionAtCancel).toBeLessThan(0.5);
      await page.getByTestId('experiment-cancel').click();
      await page.getByTestId('experiment-cancelled').waitFor({ timeout: 10_000 });
      expect(await progress.count()).toBe(0);
      expect(await page.getByTestId('experiment-verdict').count()).toBe(0);
      expect(await page.getByTestId('experiment-run').isEnabled()).toBe(true);
      await saveScreenshot(page, 'experiments-3-cancelled');

      // The backpressure result is still there, and reads in 简体中文.
      await select.selectOption('backpressure');
      await page.getByTestId('language').selectOption('zh-CN');
      await verdict.waitFor();
      expect(await verdict.textContent()).toContain('与原始结论的形态相同');
      expect(await page.getByTestId('experiment-legend').first().textContent()).toContain('对齐（精确一次）');
      expect(await duration.textContent()).toContain('平均端到端耗时 (毫秒) · 对数刻度');
      await saveScreenshot(page, 'experiments-4-zh');

      // Back to the simulator from the header.
      await page.getByTestId('nav-simulator').click();
      await page.getByTestId('experiments-view').waitFor({ state: 'detached' });
      expect(await page.getByTestId('nav-experiments').getAttribute('aria-current')).toBeNull();

      expect(record.pageErrors).toEqual([]);
      expect(record.consoleErrors).toEqual([]);
      expect(record.foreignRequests).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
