/**
 * Window assignment and merging against Flink's own values: the cases of Flink's
 * TumblingEventTimeWindowsTest, SlidingEventTimeWindowsTest and MergingWindowSetTest, and values
 * computed by Flink's `TimeWindow.getWindowStartWithOffset` and `SlidingEventTimeWindows.assignWindows`
 * (compiled with Java 17 from apache/flink's source) for negative timestamps and offsets.
 */
import { describe, expect, it } from 'vitest';
import {
  Duration,
  EventTimeSessionWindows,
  MergingWindowSet,
  SlidingEventTimeWindows,
  TimeWindow,
  TumblingEventTimeWindows,
  type ListState,
} from '../../../src/engine/index';
import type { WindowPair } from '../../../src/engine/windowing/MergingWindowSet';

const ctx = { getCurrentProcessingTime: () => 0 };
const w = (start: number, end: number) => new TimeWindow(start, end);
const assigned = (a: { assignWindows(e: unknown, ts: number, c: typeof ctx): TimeWindow[] }, ts: number) =>
  a
    .assignWindows('String', ts, ctx)
    .map((x) => [x.start, x.end])
    .sort((p, q) => p[0] - q[0]);

describe('TumblingEventTimeWindows (Flink TumblingEventTimeWindowsTest)', () => {
  it('assigns as Flink does, with offsets', () => {
    const a = TumblingEventTimeWindows.of(Duration.ofMillis(5000));
    expect(assigned(a, 0)).toEqual([[0, 5000]]);
    expect(assigned(a, 4999)).toEqual([[0, 5000]]);
    expect(assigned(a, 5000)).toEqual([[5000, 10000]]);
    const off = TumblingEventTimeWindows.of(Duration.ofMillis(5000), Duration.ofMillis(100));
    expect(assigned(off, 100)).toEqual([[100, 5100]]);
    expect(assigned(off, 5099)).toEqual([[100, 5100]]);
    expect(assigned(off, 5100)).toEqual([[5100, 10100]]);
    const neg = TumblingEventTimeWindows.of(Duration.ofMillis(5000), Duration.ofMillis(-100));
    expect(assigned(neg, 0)).toEqual([[-100, 4900]]);
    expect(assigned(neg, 4899)).toEqual([[-100, 4900]]);
    expect(assigned(neg, 4900)).toEqual([[4900, 9900]]);
    const units = TumblingEventTimeWindows.of(Duration.ofSeconds(5), Duration.ofSeconds(1));
    expect(assigned(units, 1000)).toEqual([[1000, 6000]]);
    expect(assigned(units, 5999)).toEqual([[1000, 6000]]);
    expect(assigned(units, 6000)).toEqual([[6000, 11000]]);
  });

  it('refuses abs(offset) >= size with Flink message', () => {
    expect(() => TumblingEventTimeWindows.of(Duration.ofSeconds(-1))).toThrow('abs(offset) < size');
    expect(() => TumblingEventTimeWindows.of(Duration.ofSeconds(10), Duration.ofSeconds(20))).toThrow(
      'abs(offset) < size',
    );
    expect(() => TumblingEventTimeWindows.of(Duration.ofSeconds(10), Duration.ofSeconds(-11))).toThrow(
      'abs(offset) < size',
    );
  });

  it('negative timestamps (values from Flink TimeWindow.getWindowStartWithOffset, Java 17)', () => {
    const cases: Array<[number, number, number, number]> = [
      [-1, 0, 5000, -5000],
      [-5000, 0, 5000, -5000],
      [-5001, 0, 5000, -10000],
      [-4999, 0, 5000, -5000],
      [-1, 100, 5000, -4900],
      [-1, -100, 5000, -100],
      [-7350, 250, 1000, -7750],
      [123456, -300, 1000, 122700],
    ];
    for (const [ts, offset, size, start] of cases) {
      expect(TimeWindow.getWindowStartWithOffset(ts, offset, size)).toBe(start);
      expect(assigned(TumblingEventTimeWindows.of(size, offset), ts)).toEqual([[start, start + size]]);
    }
  });
});

describe('SlidingEventTimeWindows (Flink SlidingEventTimeWindowsTest)', () => {
  it('assigns as Flink does, with offsets', () => {
    const a = SlidingEventTimeWindows.of(Duration.ofMillis(5000), Duration.ofMillis(1000));
    expect(assigned(a, 0)).toEqual([
      [-4000, 1000],
      [-3000, 2000],
      [-2000, 3000],
      [-1000, 4000],
      [0, 5000],
    ]);
    expect(assigned(a, 4999)).toEqual([
      [0, 5000],
      [1000, 6000],
      [2000, 7000],
      [3000, 8000],
      [4000, 9000],
    ]);
    expect(assigned(a, 5000)).toEqual([
      [1000, 6000],
      [2000, 7000],
      [3000, 8000],
      [4000, 9000],
      [5000, 10000],
    ]);
    const off = SlidingEventTimeWindows.of(5000, 1000, 100);
    expect(assigned(off, 100)).toEqual([
      [-3900, 1100],
      [-2900, 2100],
      [-1900, 3100],
      [-900, 4100],
      [100, 5100],
    ]);
    expect(assigned(off, 5099)).toEqual([
      [100, 5100],
      [1100, 6100],
      [2100, 7100],
      [3100, 8100],
      [4100, 9100],
    ]);
    const neg = SlidingEventTimeWindows.of(5000, 1000, -100);
    expect(assigned(neg, 0)).toEqual([
      [-4100, 900],
      [-3100, 1900],
      [-2100, 2900],
      [-1100, 3900],
      [-100, 4900],
    ]);
    expect(assigned(neg, 4900)).toEqual([
      [900, 5900],
      [1900, 6900],
      [2900, 7900],
      [3900, 8900],
      [4900, 9900],
    ]);
    const units = SlidingEventTimeWindows.of(
      Duration.ofSeconds(5),
      Duration.ofSeconds(1),
      Duration.ofMillis(500),
    );
    expect(assigned(units, 100)).toEqual([
      [-4500, 500],
      [-3500, 1500],
      [-2500, 2500],
      [-1500, 3500],
      [-500, 4500],
    ]);
    expect(assigned(units, 5499)).toEqual([
      [500, 5500],
      [1500, 6500],
      [2500, 7500],
      [3500, 8500],
      [4500, 9500],
    ]);
  });

  it('negative timestamps (values from Flink, Java 17)', () => {
    expect(assigned(SlidingEventTimeWindows.of(5000, 1000, 0), -1)).toEqual([
      [-5000, 0],
      [-4000, 1000],
      [-3000, 2000],
      [-2000, 3000],
      [-1000, 4000],
    ]);
    expect(assigned(SlidingEventTimeWindows.of(3000, 1000, 100), -2500)).toEqual([
      [-4900, -1900],
      [-3900, -900],
      [-2900, 100],
    ]);
    expect(assigned(SlidingEventTimeWindows.of(3000, 1000, -200), -1000)).toEqual([
      [-3200, -200],
      [-2200, 800],
      [-1200, 1800],
    ]);
  });

  it('refuses bad parameters with Flink message', () => {
    for (const [size, slide, offset] of [
      [-2000, 1000, 0],
      [2000, -1000, 0],
      [-20000, 10000, -1000],
      [20000, 10000, -11000],
      [20000, 10000, 11000],
    ])
      expect(() => SlidingEventTimeWindows.of(size, slide, offset)).toThrow(
        'abs(offset) < slide and size > 0',
      );
  });
});

/** A ListState in memory (Flink's test mocks it). */
function memoryState(initial: WindowPair[] = []): ListState<WindowPair> & { items: WindowPair[] } {
  const s = {
    items: initial,
    get: () => s.items.slice(),
    add: (v: WindowPair) => void s.items.push(v),
    addAll: (v: WindowPair[]) => void s.items.push(...v),
    update: (v: WindowPair[]) => void (s.items = v.slice()),
    clear: () => void (s.items = []),
  };
  return s;
}

interface Merge {
  target: TimeWindow;
  sources: TimeWindow[];
  stateWindow: TimeWindow;
  mergedStateWindows: TimeWindow[];
}

describe('MergingWindowSet (Flink MergingWindowSetTest)', () => {
  const session = EventTimeSessionWindows.withGap(Duration.ofMillis(3));
  let merges: Merge[] = [];
  const fn = (
    target: TimeWindow,
    sources: TimeWindow[],
    stateWindow: TimeWindow,
    mergedStateWindows: TimeWindow[],
  ) => merges.push({ target, sources, stateWindow, mergedStateWindows });
  const add = (set: MergingWindowSet, win: TimeWindow): TimeWindow => {
    merges = [];
    return set.addWindow(win, fn);
  };

  it('testIncrementalMerging', () => {
    const set = new MergingWindowSet(session, memoryState());
    expect(add(set, w(0, 4))).toEqual(w(0, 4));
    expect(merges).toEqual([]);
    expect(add(set, w(3, 5))).toEqual(w(0, 5));
    expect(merges).toEqual([
      { target: w(0, 5), sources: [w(0, 4)], stateWindow: w(0, 4), mergedStateWindows: [] },
    ]);
    expect(add(set, w(4, 6))).toEqual(w(0, 6));
    expect(merges).toEqual([
      { target: w(0, 6), sources: [w(0, 5)], stateWindow: w(0, 4), mergedStateWindows: [] },
    ]);
    expect(set.getStateWindow(w(0, 6))).toEqual(w(0, 4));
    for (const inside of [w(1, 4), w(0, 4), w(3, 5), w(4, 6)]) {
      expect(add(set, inside)).toEqual(w(0, 6));
      expect(merges).toEqual([]);
    }
    expect(add(set, w(11, 14))).toEqual(w(11, 14));
    expect(merges).toEqual([]);
    expect(set.getStateWindow(w(11, 14))).toEqual(w(11, 14));
    expect(add(set, w(10, 13))).toEqual(w(10, 14));
    expect(merges).toEqual([
      { target: w(10, 14), sources: [w(11, 14)], stateWindow: w(11, 14), mergedStateWindows: [] },
    ]);
    expect(add(set, w(12, 15))).toEqual(w(10, 15));
    expect(merges[0].stateWindow).toEqual(w(11, 14));
    expect(add(set, w(11, 14))).toEqual(w(10, 15));
    expect(merges).toEqual([]);
    set.retireWindow(w(0, 6));
    expect(set.getStateWindow(w(0, 6))).toBeNull();
    expect(set.getStateWindow(w(10, 15))).toEqual(w(11, 14));
  });

  it('testLateMerging: a window between two merges them, then one merges all', () => {
    const set = new MergingWindowSet(session, memoryState());
    add(set, w(0, 3));
    add(set, w(5, 8));
    add(set, w(10, 13));
    expect(add(set, w(8, 10))).toEqual(w(5, 13));
    expect(merges).toHaveLength(1);
    const m = merges[0];
    expect(m.target).toEqual(w(5, 13));
    expect(m.sources.map(String).sort()).toEqual([w(10, 13), w(5, 8)].map(String).sort());
    // Flink accepts either state window; the other is merged into it.
    expect([w(5, 8), w(10, 13)].map(String)).toContain(String(m.stateWindow));
    expect(m.mergedStateWindows).toHaveLength(1);
    expect(m.mergedStateWindows[0].equals(m.stateWindow)).toBe(false);
    expect(add(set, w(3, 5))).toEqual(w(0, 13));
    expect(merges[0].sources.map(String).sort()).toEqual([w(0, 3), w(5, 13)].map(String).sort());
    expect(merges[0].mergedStateWindows).toHaveLength(1);
  });

  it('a new window covering existing ones merges them; an identical window does not merge', () => {
    const set = new MergingWindowSet(session, memoryState());
    add(set, w(1, 2));
    expect(add(set, w(0, 3))).toEqual(w(0, 3));
    expect(merges).toHaveLength(1);
    expect(set.getStateWindow(w(0, 3))).toEqual(w(1, 2));
    const same = new MergingWindowSet(session, memoryState());
    add(same, w(1, 2));
    expect(add(same, w(1, 2))).toEqual(w(1, 2));
    expect(merges).toEqual([]);
    expect(same.getStateWindow(w(1, 2))).toEqual(w(1, 2));
  });

  it('restores from and persists to its ListState', () => {
    const restored = new MergingWindowSet(
      session,
      memoryState([
        [
          { start: 17, end: 42 },
          { start: 42, end: 17 },
        ],
        [
          { start: 1, end: 2 },
          { start: 3, end: 4 },
        ],
      ]),
    );
    expect(restored.getStateWindow(w(17, 42))).toEqual(w(42, 17));
    expect(restored.getStateWindow(w(1, 2))).toEqual(w(3, 4));
    const state = memoryState();
    const set = new MergingWindowSet(session, state);
    add(set, w(1, 2));
    add(set, w(17, 42));
    set.persist();
    expect(state.items).toEqual([
      [
        { start: 1, end: 2 },
        { start: 1, end: 2 },
      ],
      [
        { start: 17, end: 42 },
        { start: 17, end: 42 },
      ],
    ]);
    expect(() => set.retireWindow(w(5, 6))).toThrow('is not in in-flight window set');
  });
});
