/**
 * The app lists clickcount (EngineHost.listScenarios) and opens it: the Playground's graph, and the
 * ClickEvent Counter's window state per page and 15 s window in the state inspector.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { freshDbName } from '../storage/helpers';
import { newHost, playUntil } from './host-helpers';

describe('clickcount in the app', () => {
  it('is listed, opens, and its window counts per page show in the state inspector', async () => {
    const host = newHost(freshDbName(), [], Infinity);
    expect((await host.listScenarios()).map((s) => s.name)).toContain('clickcount');
    await host.load({ scenario: 'clickcount', seed: 1, backend: 'memory', speed: 20_000 });
    await playUntil(host, (u) => u.now >= 5_000);
    const page = await host.readState('counter', 'window-contents', 0, 1000);
    expect(page.rows.length).toBeGreaterThan(0);
    for (const r of page.rows) {
      expect(['/help', '/index', '/shop', '/jobs', '/about', '/news']).toContain(r.key);
      expect(r.window).toMatch(/^\[(0|\d+000), \d+000\)$/);
      expect(r.value).toBeGreaterThan(0);
      expect(r.value).toBeLessThanOrEqual(1000);
    }
  });
});
