/**
 * The exactly-once checker names what went wrong by kind (issue 11, item 6): at-least-once with a
 * failure makes the state count replayed records twice, so the sink shows values the failure-free run
 * never writes (over-counts) as well as rows it writes fewer times (repeated) — no longer all called
 * "duplicates".
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { freshDbName } from '../storage/helpers';
import { newHost } from './host-helpers';

describe('the exactly-once checker', () => {
  it('at-least-once + a failure: over-counts and repeated rows, named apart, flagged per row', async () => {
    const host = newHost(freshDbName(), [], Number.POSITIVE_INFINITY);
    await host.start();
    // Lesson 7's setup: visits at a record a millisecond per partition, at-least-once.
    await host.load({
      scenario: 'visits',
      seed: 1,
      mode: 'at-least-once',
      processingTimeMs: { source: 1 },
      speed: 20_000,
    });
    await host.play();
    for (let u = await host.frame(5); u.checkpoints.completed < 1; u = await host.frame(5));
    await host.failTask('count#1');
    for (let u = await host.frame(50); !u.finished; u = await host.frame(50));
    const { check, sinks } = await host.sinkReport(100_000);
    expect(check.verdict).toBe('duplicates');
    const over = check.overCounts ?? [];
    const repeated = check.repeated ?? [];
    expect(over.length + repeated.length).toBe(check.duplicates.length);
    expect(over.length).toBeGreaterThan(0);
    for (const d of over) expect(d.expected).toBe(0);
    for (const d of repeated) expect(d.expected).toBeGreaterThan(0);
    const flagged = sinks.flatMap((s) => s.rows.filter((r) => r.duplicate));
    expect(flagged.length).toBeGreaterThan(0);
    const overValues = new Set(over.map((d) => JSON.stringify(d.value)));
    for (const r of flagged)
      expect(r.issue).toBe(overValues.has(JSON.stringify(r.value)) ? 'over-count' : 'repeated');
    await host.unload();
  }, 60_000);
});
