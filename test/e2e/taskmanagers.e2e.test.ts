/** Killing a TaskManager in the app: the placement labels, the kill button, SCHEDULED subtasks, the TaskManager back. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eSkipReason, openApp, saveScreenshot, startSession, type E2ESession } from './harness.ts';

const skipReason = e2eSkipReason();
if (skipReason !== null) console.warn(`e2e: ${skipReason}`);

describe.skipIf(skipReason !== null)('TaskManagers in the app', () => {
  let session: E2ESession | undefined;

  beforeAll(async () => {
    session = await startSession();
  });

  afterAll(async () => {
    await session?.close();
  });

  it('shows each subtask’s TaskManager and slot; "Kill TM 2" fails its subtasks, which wait for its slots and run again', async () => {
    if (!session) throw new Error('the e2e session did not start');
    const { context, page, record } = await openApp(
      session,
      '/?scenario=visits&seed=1&taskmanagers=2&slots=2',
    );
    try {
      await page.getByTestId('subtask-count#3').waitFor({ timeout: 15_000 });
      await page.getByTestId('play').click();
      await page.getByTestId('slot-count#3').waitFor({ timeout: 15_000 });
      expect(await page.getByTestId('slot-count#3').textContent()).toContain('TM2:1');
      expect(await page.getByTestId('slot-count#0').textContent()).toContain('TM1:0');

      await page.getByTestId('kill-taskmanager-2').click();
      await page.getByTestId('lost-taskmanager-2').waitFor({ timeout: 15_000 });
      await saveScreenshot(page, 'taskmanager-killed');
      // Its subtasks failed; the whole job (one region after keyBy) waits SCHEDULED until TM 2 is back.
      await page.waitForFunction(
        () =>
          document.querySelector('[data-testid="subtask-count#0"]')?.getAttribute('data-status') ===
          'scheduled',
        undefined,
        { timeout: 30_000 },
      );
      await page.getByTestId('kill-taskmanager-2').waitFor({ timeout: 30_000 });
      await page.waitForFunction(
        () => {
          const s = document.querySelector('[data-testid="subtask-count#3"]')?.getAttribute('data-status');
          return s !== 'scheduled' && s !== 'failed' && s !== 'restarting';
        },
        undefined,
        { timeout: 30_000 },
      );
      expect(await page.getByTestId('slot-count#3').textContent()).toContain('TM2:');
      expect(record.consoleErrors).toEqual([]);
      expect(record.pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
