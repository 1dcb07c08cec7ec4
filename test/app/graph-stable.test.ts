import { describe, expect, it } from 'vitest';
import { reuseEqual, stableCache } from '../../src/app/components/graph/stable';

interface View {
  held: number | null;
}
const eq = (a: View, b: View) => a.held === b.held;

describe('reuseEqual (the graph keeps per-frame arrays stable)', () => {
  it('returns the previous array when every item is equal, so Svelte updates nothing', () => {
    const cache = stableCache<View>();
    const first = reuseEqual(cache, [{ held: null }, { held: 1 }], eq);
    const second = reuseEqual(cache, [{ held: null }, { held: 1 }], eq);
    expect(second).toBe(first);
  });

  it('returns a new array when an item changed, keeping the unchanged items', () => {
    const cache = stableCache<View>();
    const first = reuseEqual(cache, [{ held: null }, { held: 1 }], eq);
    const second = reuseEqual(cache, [{ held: null }, { held: 2 }], eq);
    expect(second).not.toBe(first);
    expect(second[0]).toBe(first[0]);
    expect(second[1]).toEqual({ held: 2 });
    expect(reuseEqual(cache, [{ held: null }], eq)).toEqual([{ held: null }]);
  });
});
