/**
 * What the state inspector gets for a window operator (EngineHost.readState / stateDiff on the
 * `windows` scenario): one row per key and window `[start, end)`, the window timers (trigger and
 * cleanup, per key and window), and a session operator's merging-window-set.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { freshDbName } from '../storage/helpers';
import { newHost, playUntil } from './host-helpers';

describe('window state in the inspector', () => {
  it('rows per (key, window) with the window as [start, end); window timers; merging sets', async () => {
    const host = newHost(freshDbName(), [], Infinity);
    await host.load({ scenario: 'windows', seed: 3, backend: 'memory', speed: 20_000 });
    await playUntil(host, (u) => u.now >= 3_000);
    const page = await host.readState('window-count', 'window-contents', 0, 1000);
    expect(page.stateNames).toEqual(expect.arrayContaining(['window-contents']));
    expect(page.rows.length).toBeGreaterThan(0);
    for (const r of page.rows) {
      expect(r.window).toMatch(/^\[\d+0000, \d+0000\)$/);
      expect(typeof r.value).toBe('number'); // the count (aggregate's accumulator)
    }
    // Same key, several windows: distinct rows.
    const ids = page.rows.map((r) => `${String(r.key)} ${r.window} #${r.subtask}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(page.windowTimers?.total).toBeGreaterThan(0);
    for (const timer of page.windowTimers?.rows ?? []) {
      expect(timer.domain).toBe('EVENT_TIME');
      const [, , end] = /^\[(\d+), (\d+)\)$/.exec(timer.window) as RegExpExecArray;
      // EventTimeTrigger at end − 1, the cleanup at end − 1 + 2000 (allowed lateness).
      expect([Number(end) - 1, Number(end) - 1 + 2000]).toContain(timer.timestamp);
    }
    const sessions = await host.readState('sessions', 'merging-window-set', 0, 1000);
    expect(sessions.rows.length).toBeGreaterThan(0);
    expect(sessions.rows.every((r) => r.window === undefined)).toBe(true); // VoidNamespace
  });
});
