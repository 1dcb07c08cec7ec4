/**
 * What lesson 13 (the Operations Playground) needs from the worker: the Playground job's arguments
 * passed to clickcount (and refused for any other job), and the checks on what a reader of the output
 * topic sees — `sink-rows` (every window 1000, a row repeated, a count that is not 1000) and a
 * checkpoint that took long (backpressure).
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { renderEnglish } from '../../src/engine/messages/Message';
import type { EngineHost } from '../../src/worker/EngineHost';
import type { Check, LessonVerdict } from '../../src/worker/protocol';
import { freshDbName } from '../storage/helpers';
import { newHost } from './host-helpers';

const PLAYGROUND_CLUSTER = { taskManagers: 1, slotsPerTaskManager: 2 };
const rows = (extra: Partial<Extract<Check, { kind: 'sink-rows' }>> = {}): Check => ({
  kind: 'sink-rows',
  sink: 'sink',
  ...extra,
});

async function withCheck(host: EngineHost, check: Check, also: Check[] = []): Promise<LessonVerdict> {
  const v = await host.setLessonCheck({ id: 't#1', check, answered: true, also });
  if (!v) throw new Error('no verdict');
  return v;
}

/** Plays until the worker says `until` holds (it stops the engine at that very event). */
async function playTo(host: EngineHost, until: Check): Promise<LessonVerdict> {
  await host.pauseWhen(until);
  for (let i = 0; i < 5000; i++) {
    await host.play();
    const u = await host.frame(100);
    if (u.lesson?.until?.ok) break;
    if (u.finished) throw new Error('the job finished first');
  }
  await host.pause();
  await host.pauseWhen(null);
  const v = (await host.frame(0)).lesson;
  if (!v) throw new Error('no verdict');
  return v;
}

const why = (v: LessonVerdict) => renderEnglish(v.now.why);

describe('the Operations Playground in the worker', () => {
  it('passes the job arguments to clickcount, reports them, and refuses them for another job', async () => {
    const host = newHost(freshDbName(), [], Infinity);
    await host.start();
    const info = await host.load({
      scenario: 'clickcount',
      seed: 1,
      ...PLAYGROUND_CLUSTER,
      playground: { checkpointing: false, sink: 'exactly-once' },
    });
    expect(info.config.intervalMs).toBeNull();
    expect(info.config).toMatchObject({ taskManagers: 1, slotsPerTaskManager: 2, clusterSet: true });
    expect(info.config.playground).toEqual({ checkpointing: false, sink: 'exactly-once' });
    // The configuration panel sends its mode and interval along: without --checkpointing they change nothing.
    const panel = await host.load({
      scenario: 'clickcount',
      seed: 1,
      mode: 'exactly-once',
      intervalMs: 1000,
      playground: { checkpointing: false },
    });
    expect(panel.config.intervalMs).toBeNull();
    // A job that does not take them reports none (the configuration panel shows no such fields).
    expect((await host.load({ scenario: 'visits', seed: 1 })).config.playground).toBeUndefined();
    expect((await host.load({ scenario: 'clickcount', seed: 1 })).config.playground).toEqual({});
    expect(info.operators.find((o) => o.uid === 'sink')?.sinkKind).toBe('two-phase-commit');
    const bp = await host.load({ scenario: 'clickcount', seed: 1, playground: { backpressure: true } });
    expect(bp.operators.map((o) => o.name)).toContain('Backpressure');
    await expect(
      host.load({ scenario: 'visits', seed: 1, playground: { backpressure: true } }),
    ).rejects.toThrow(
      "the Operations Playground's job arguments (checkpointing, processingTime, backpressure, sink) are the clickcount scenario's (got 'visits')",
    );
  });

  it('sink-rows: every window counts 1000; after losing the TaskManager the at-least-once sink repeats a row', async () => {
    const host = newHost(freshDbName(), [], Infinity);
    await host.start();
    await host.load({ scenario: 'clickcount', seed: 1, speed: 20_000, ...PLAYGROUND_CLUSTER });
    const every = rows({ atLeast: 12, every: { count: 1000 } });
    let v = await withCheck(host, every, [rows({ atLeast: 12 })]);
    expect(v.passed).toBe(false);
    expect(why(v)).toBe('0 rows visible in ClickEventStatistics Sink (need ≥ 12)');
    v = await playTo(host, rows({ atLeast: 12 }));
    expect(v.passed).toBe(true);

    // Every row has count 1000: "some row is not 1000" does not hold, nor does "a row repeats".
    v = await withCheck(host, rows({ someNot: { count: 1000 } }));
    expect(why(v)).toBe('all 12 rows visible in ClickEventStatistics Sink have count = 1000');
    v = await withCheck(host, rows({ repeated: true }), [{ kind: 'taskmanager-recovered' }]);
    expect(why(v)).toBe('no row is visible twice in ClickEventStatistics Sink');

    // Lost just after the second round of windows fired, before the next checkpoint: the restore
    // replays that round and the at-least-once sink writes its rows again, still 1000 each.
    await host.killTaskManager('taskmanager-1');
    await playTo(host, { kind: 'taskmanager-recovered' });
    v = await playTo(host, rows({ atLeast: 18 }));
    expect(v.passed).toBe(true);
    v = await withCheck(host, rows({ repeated: false }));
    expect(why(v)).toMatch(
      /^\{"windowStart":15000,"windowEnd":30000,"page":"[/a-z]+","count":1000\} is visible 2 times in ClickEventStatistics Sink$/,
    );
    expect((await withCheck(host, rows({ every: { count: 1000 } }))).passed).toBe(true);
  });

  it('sink-rows: without --checkpointing a lost TaskManager leaves a window short', async () => {
    const host = newHost(freshDbName(), [], Infinity);
    await host.start();
    await host.load({
      scenario: 'clickcount',
      seed: 1,
      speed: 20_000,
      ...PLAYGROUND_CLUSTER,
      playground: { checkpointing: false },
    });
    const short = rows({ someNot: { count: 1000 } });
    let v = await withCheck(host, short, [rows({ atLeast: 18 })]);
    expect(why(v)).toBe('no rows visible in ClickEventStatistics Sink yet');
    await playTo(host, rows({ atLeast: 18 }));
    await host.killTaskManager('taskmanager-1');
    v = await playTo(host, short);
    expect(v.passed).toBe(true);
    v = await withCheck(host, rows({ every: { count: 1000 } }));
    expect(why(v)).toMatch(
      /^1 of the \d+ rows visible in ClickEventStatistics Sink do not have count = 1000, e\.g\. \{.*"count":\d{1,3}\}$/,
    );
  });

  it('checkpoint minDurationMs: checkpoints take seconds only under --backpressure', async () => {
    const host = newHost(freshDbName(), [], Infinity);
    await host.start();
    const slow: Check = { kind: 'checkpoint', status: 'COMPLETED', minDurationMs: 1000 };
    await host.load({ scenario: 'clickcount', seed: 1, speed: 20_000, ...PLAYGROUND_CLUSTER });
    let v = await withCheck(host, slow, [{ kind: 'checkpoint', status: 'COMPLETED', atLeast: 10 }]);
    await playTo(host, { kind: 'checkpoint', status: 'COMPLETED', atLeast: 10 });
    v = (await host.frame(0)).lesson as LessonVerdict;
    expect(why(v)).toBe('checkpoint 10 took 15 ms end to end, expected at least 1000 ms');
    await host.load({
      scenario: 'clickcount',
      seed: 1,
      speed: 20_000,
      ...PLAYGROUND_CLUSTER,
      playground: { backpressure: true },
    });
    v = await withCheck(host, slow);
    v = await playTo(host, slow);
    expect(v.passed).toBe(true);
    expect(v.passedAt).toBeLessThan(60_000); // in minute 0, an even one
  });
});
