import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  Throttle,
  clampOffset,
  compactJson,
  flashKey,
  inspectableOperators,
  keyGroupOf,
  keyText,
  subtaskRanges,
} from '../../src/app/components/state/stateView';
import { assignKeyToParallelOperator } from '../../src/engine/keygroups/KeyGroupRangeAssignment';
import type { OperatorInfo, TaskInfo } from '../../src/worker/protocol';

describe('state view helpers', () => {
  it('shows values as compact JSON, cutting long ones', () => {
    expect(compactJson(2)).toBe('2');
    expect(compactJson({ a: [1, 'x'] })).toBe('{"a":[1,"x"]}');
    expect(compactJson(undefined)).toBe('undefined');
    expect(compactJson('x'.repeat(500), 10)).toBe(`${'"'}${'x'.repeat(8)}…`);
    expect(compactJson(10n)).toBe('"10"');
  });

  it('shows string keys as they are, others as JSON', () => {
    expect(keyText('to')).toBe('to');
    expect(keyText(7)).toBe('7');
    expect(keyText(['a', 1])).toBe('["a",1]');
  });

  it("computes Flink's key-group ranges: [ceil(i*m/p) .. ceil((i+1)*m/p)-1]", () => {
    for (const [p, m] of [
      [1, 128],
      [2, 128],
      [3, 128],
      [7, 128],
      [5, 12],
    ]) {
      const ranges = subtaskRanges(p, m);
      expect(ranges).toHaveLength(p);
      ranges.forEach((r, i) => {
        expect(r.start).toBe(Math.ceil((i * m) / p));
        expect(r.end).toBe(Math.ceil(((i + 1) * m) / p) - 1);
      });
    }
    expect(subtaskRanges(2, 128).map((r) => [r.start, r.end])).toEqual([
      [0, 63],
      [64, 127],
    ]);
  });

  it('puts each key in the key group of the subtask that owns it', () => {
    const ranges = subtaskRanges(3, 128);
    for (const key of ['to', 'be', 'or', 'not', 'that', 'is', 'the', 'question', 42, true]) {
      const kg = keyGroupOf(key, 128);
      expect(kg).not.toBeNull();
      const owner = assignKeyToParallelOperator(key, 128, 3);
      expect(kg).toBeGreaterThanOrEqual(ranges[owner].start ?? -1);
      expect(kg).toBeLessThanOrEqual(ranges[owner].end ?? -1);
    }
    expect(keyGroupOf({ a: 1 }, 128)).toBeNull();
  });

  it('does not throw on impossible ranges', () => {
    expect(subtaskRanges(4, 2)[0]).toEqual({ index: 0, start: null, end: null });
  });

  it('clamps the offset to the last page when the total shrinks', () => {
    expect(clampOffset(0, 0)).toBe(0);
    expect(clampOffset(200, 250)).toBe(200);
    expect(clampOffset(200, 150)).toBe(100);
    expect(clampOffset(200, 200)).toBe(100);
    expect(clampOffset(100, 0)).toBe(0);
  });

  it('builds the session flash key', () => {
    expect(flashKey('count', 'count', 'to')).toBe('count|count|"to"');
  });

  it('offers keyed operators, or the discovered ones without operator info', () => {
    const op = (uid: string, keyed: boolean): OperatorInfo => ({
      uid,
      name: uid.toUpperCase(),
      kind: 'map',
      parallelism: 2,
      maxParallelism: 128,
      processingTimeMs: 1,
      keyed,
      nonParallel: false,
      inputs: [],
    });
    expect(
      inspectableOperators({ tasks: [], operators: [op('split', false), op('count', true)] }, new Set()).map(
        (o) => o.uid,
      ),
    ).toEqual(['count']);
    const tasks: TaskInfo[] = [
      { id: 'split#0', operatorUid: 'split', operatorName: 'Split', subtaskIndex: 0, parallelism: 2 },
      { id: 'count#0', operatorUid: 'count', operatorName: 'Count', subtaskIndex: 0, parallelism: 2 },
      { id: 'count#1', operatorUid: 'count', operatorName: 'Count', subtaskIndex: 1, parallelism: 2 },
    ];
    expect(inspectableOperators({ tasks }, new Set(['count']))).toEqual([
      { uid: 'count', name: 'Count', parallelism: 2, maxParallelism: 128 },
    ]);
  });
});

describe('Throttle', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs at once when idle, then at most one task per gap, the latest one', async () => {
    const clock = { now: 0 };
    const throttle = new Throttle(250, () => clock.now);
    const ran: string[] = [];
    const task = (name: string) => async () => {
      ran.push(name);
    };
    throttle.run(task('a'));
    expect(ran).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(0);
    throttle.run(task('b'));
    throttle.run(task('c'));
    expect(ran).toEqual(['a']);
    clock.now = 250;
    await vi.advanceTimersByTimeAsync(250);
    expect(ran).toEqual(['a', 'c']);
    // Idle long enough: immediate again.
    clock.now = 1000;
    throttle.run(task('d'));
    expect(ran).toEqual(['a', 'c', 'd']);
  });

  it('never runs two tasks at once', async () => {
    const clock = { now: 0 };
    const throttle = new Throttle(10, () => clock.now);
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const slow = async () => {
      runs++;
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setTimeout(r, 100));
      running--;
    };
    for (let i = 0; i < 5; i++) {
      throttle.run(slow);
      clock.now += 20;
      await vi.advanceTimersByTimeAsync(20);
    }
    clock.now += 1000;
    await vi.advanceTimersByTimeAsync(1000);
    expect(maxRunning).toBe(1);
    expect(runs).toBe(2);
  });

  it('keeps going after a failing task and stops when disposed', async () => {
    const clock = { now: 0 };
    const throttle = new Throttle(250, () => clock.now);
    const ran: number[] = [];
    throttle.run(async () => {
      ran.push(1);
      throw new Error('boom');
    });
    await vi.advanceTimersByTimeAsync(0);
    throttle.run(async () => {
      ran.push(2);
    });
    throttle.dispose();
    clock.now = 1000;
    await vi.advanceTimersByTimeAsync(1000);
    expect(ran).toEqual([1]);
  });
});
