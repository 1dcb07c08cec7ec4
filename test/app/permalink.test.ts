import { describe, expect, it } from 'vitest';
import {
  decodePermalink,
  encodePermalink,
  restartFromText,
  restartToText,
} from '../../src/app/lib/permalink';
import type { LoadOptions } from '../../src/worker/protocol';

const DEFAULTS: LoadOptions = { scenario: 'wordcount', seed: 1 };

describe('the permalink', () => {
  it('round-trips a whole configuration through the query string', () => {
    const options: LoadOptions = {
      scenario: 'visits',
      seed: 42,
      mode: 'unaligned',
      intervalMs: 250,
      backend: 'rocksdb',
      checkpoint: {
        timeoutMs: 5000,
        minPauseMs: 10,
        maxConcurrent: 1,
        tolerableFailed: 3,
        alignedTimeoutMs: 30,
        incremental: false,
      },
      parallelism: { count: 3, sink: 2 },
      processingTimeMs: { count: 5 },
      restartStrategy: {
        type: 'failure-rate',
        maxFailuresPerInterval: 2,
        failureRateIntervalMs: 60000,
        delayMs: 100,
      },
      speed: 250,
      taskManagers: 2,
      slotsPerTaskManager: 3,
    };
    const url = encodePermalink(options, 'zh-CN');
    expect(url).toContain('p.count=3');
    expect(url).toContain('taskmanagers=2&slots=3');
    expect(url).toContain('pt.count=5');
    const back = decodePermalink(url, DEFAULTS);
    expect(back.errors).toEqual([]);
    expect(back.lang).toBe('zh-CN');
    expect(back.options).toEqual(options);
  });

  it('keeps the defaults for what the link leaves out', () => {
    expect(decodePermalink('', DEFAULTS)).toEqual({ options: DEFAULTS, lang: null, errors: [] });
    expect(decodePermalink('?seed=9', DEFAULTS).options).toEqual({ scenario: 'wordcount', seed: 9 });
  });

  it('reports what it ignores, parameter by parameter, instead of guessing', () => {
    const { options, errors } = decodePermalink(
      '?mode=exactly-twice&seed=-1&backend=tape&p.count=0&restart=fixed-delay:3&lang=fr&color=red&incremental=yes',
      DEFAULTS,
    );
    expect(options).toEqual(DEFAULTS);
    expect(errors).toEqual([
      "mode: 'exactly-twice' is not one of exactly-once, at-least-once, unaligned, stop-the-world, chandy-lamport",
      "seed: '-1' is not a number ≥ 0",
      "backend: 'tape' is not one of memory, fs, hashmap, rocksdb",
      "p.count: '0' is not a number ≥ 1",
      "restart: fixed-delay needs attempts:delayMs, got 'fixed-delay:3'",
      "lang: 'fr' is not one of en, zh-CN",
      'color: unknown parameter',
      "incremental: 'yes' is not 1 or 0",
    ]);
  });

  it('writes every restart strategy as text and reads it back', () => {
    for (const text of [
      'none',
      'fixed-delay:3:1000',
      'failure-rate:1:60000:500',
      'exponential-delay:1000:2:300000:3600000:0.1',
    ]) {
      const r = restartFromText(text);
      expect(typeof r).toBe('object');
      if (typeof r === 'object') expect(restartToText(r)).toBe(text);
    }
    expect(restartFromText('sometimes')).toMatch(/unknown strategy 'sometimes'/);
  });
});

describe("the permalink of the Operations Playground job's arguments", () => {
  it('writes them as the command line spells them and reads them back; a wrong one is named', () => {
    const options: LoadOptions = {
      scenario: 'clickcount',
      seed: 1,
      taskManagers: 1,
      slotsPerTaskManager: 2,
      playground: { checkpointing: false, backpressure: true, sink: 'exactly-once' },
    };
    const url = encodePermalink(options);
    expect(url).toContain('args=no-checkpointing%2Cbackpressure%2Csink%3Aexactly-once');
    expect(decodePermalink(url, DEFAULTS)).toEqual({ options, lang: null, errors: [] });
    // The Playground's own command line: no `args` at all.
    expect(encodePermalink({ ...options, playground: {} })).not.toContain('args=');
    expect(decodePermalink('?scenario=clickcount&args=checkpointing', DEFAULTS).errors).toEqual([
      "args: 'checkpointing' is not one of no-checkpointing, processing-time, backpressure, sink:at-least-once, sink:exactly-once",
    ]);
  });
});
