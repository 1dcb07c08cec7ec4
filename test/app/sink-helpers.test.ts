import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ExactlyOnceCheck } from '../../src/worker/protocol';
import { Throttle, formatValue, verdictCounts, verdictTone } from '../../src/app/components/sink/helpers';
import { t as sinkMessages } from '../../src/app/components/sink/messages';

describe('formatValue', () => {
  it('shows values as compact JSON', () => {
    expect(formatValue(['be', 2])).toBe('["be",2]');
    expect(formatValue('to')).toBe('"to"');
    expect(formatValue({ user: 'u1', n: 3 })).toBe('{"user":"u1","n":3}');
    expect(formatValue(null)).toBe('null');
    expect(formatValue(undefined)).toBe('undefined');
    expect(formatValue(10n)).toBe('"10n"');
  });
  it('cuts long values', () => {
    const s = formatValue('x'.repeat(500), 20);
    expect(s).toHaveLength(20);
    expect(s.endsWith('…')).toBe(true);
  });
  it('survives cycles', () => {
    const a: { self?: unknown } = {};
    a.self = a;
    expect(formatValue(a)).toBe('[object Object]');
  });
});

describe('verdict', () => {
  const check = (over: Partial<ExactlyOnceCheck>): ExactlyOnceCheck => ({
    referenceRows: 10,
    visibleRows: 10,
    duplicates: [],
    missing: null,
    verdict: 'so-far-so-good',
    ...over,
  });
  it('has a tone', () => {
    expect(verdictTone('exactly-once')).toBe('good');
    expect(verdictTone('so-far-so-good')).toBe('neutral');
    expect(verdictTone('duplicates')).toBe('bad');
    expect(verdictTone('losses')).toBe('bad');
    expect(verdictTone('duplicates-and-losses')).toBe('bad');
  });
  it('counts duplicated and missing values', () => {
    expect(verdictCounts(check({}))).toEqual({ dups: 0, repeated: 0, overCounts: 0, missing: 0 });
    expect(
      verdictCounts(
        check({
          verdict: 'duplicates-and-losses',
          duplicates: [
            { value: ['be', 1], seen: 2, expected: 1 },
            { value: ['to', 1], seen: 3, expected: 1 },
            { value: ['be', 3], seen: 1, expected: 0 },
          ],
          missing: [{ value: ['or', 1], seen: 0, expected: 1 }],
        }),
      ),
    ).toEqual({ dups: 3, repeated: 2, overCounts: 1, missing: 1 });
  });
  it('has a message for every verdict and sink kind, in both languages', () => {
    const { en, 'zh-CN': zh } = sinkMessages.tables;
    const verdicts: ExactlyOnceCheck['verdict'][] = [
      'so-far-so-good',
      'exactly-once',
      'duplicates',
      'losses',
      'duplicates-and-losses',
    ];
    for (const v of verdicts) expect(en[`verdict-${v}`], v).toBeTruthy();
    for (const k of ['non-transactional', 'idempotent-upsert', 'two-phase-commit']) {
      expect(en[`kind-${k}`]).toBeTruthy();
      expect(en[`explain-${k}`]).toBeTruthy();
    }
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en)) {
      expect(placeholders(zh[key]), key).toEqual(placeholders(en[key]));
      expect(zh[key], key).not.toBe(en[key]);
    }
  });
});

describe('Throttle', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /** A task that takes `ms` of (fake) time and counts its runs. */
  function slowTask(ms: number) {
    const runs: number[] = [];
    const task = () =>
      new Promise<void>((resolve) => {
        runs.push(Date.now());
        setTimeout(resolve, ms);
      });
    return { runs, task };
  }

  const clock = {
    now: () => Date.now(),
    setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
    clearTimeout: (h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>),
  };

  it('runs the first request at once', async () => {
    const { runs, task } = slowTask(10);
    const th = new Throttle(task, 250, clock);
    th.request();
    expect(runs).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(20);
    expect(runs).toHaveLength(1);
  });

  it('merges a burst of requests into at most 4 runs a second, and always runs after the last request', async () => {
    const { runs, task } = slowTask(30);
    const th = new Throttle(task, 250, clock);
    const start = Date.now();
    // 60 requests a second for 2 seconds (a playing job bumping sinkVersion every frame).
    for (let i = 0; i < 120; i++) {
      th.request();
      await vi.advanceTimersByTimeAsync(1000 / 60);
    }
    await vi.advanceTimersByTimeAsync(1000);
    const elapsed = (Date.now() - start) / 1000;
    expect(runs.length).toBeGreaterThanOrEqual(8);
    expect(runs.length).toBeLessThanOrEqual(Math.ceil(elapsed * 4) + 1);
    for (let i = 1; i < runs.length; i++) expect(runs[i] - runs[i - 1]).toBeGreaterThanOrEqual(250);
    // The last run started after the last request (nothing is left stale).
    expect(runs[runs.length - 1]).toBeGreaterThanOrEqual(start + 119 * (1000 / 60) - 1);
  });

  it('never runs two at a time', async () => {
    let active = 0;
    let maxActive = 0;
    const th = new Throttle(
      () =>
        new Promise<void>((resolve) => {
          active++;
          maxActive = Math.max(maxActive, active);
          setTimeout(() => {
            active--;
            resolve();
          }, 600);
        }),
      100,
      clock,
    );
    for (let i = 0; i < 20; i++) {
      th.request();
      await vi.advanceTimersByTimeAsync(50);
    }
    await vi.advanceTimersByTimeAsync(2000);
    expect(maxActive).toBe(1);
  });

  it('keeps going after a failing task, and stops when disposed', async () => {
    let calls = 0;
    const th = new Throttle(
      async () => {
        calls++;
        throw new Error('no sinkReport');
      },
      100,
      clock,
    );
    th.request();
    await vi.advanceTimersByTimeAsync(10);
    th.request();
    await vi.advanceTimersByTimeAsync(200);
    expect(calls).toBe(2);
    th.request(); // runs at once: the interval has passed
    th.request(); // waits for the interval...
    th.dispose(); // ...and never runs
    await vi.advanceTimersByTimeAsync(500);
    th.request();
    await vi.advanceTimersByTimeAsync(500);
    expect(calls).toBe(3);
  });
});
