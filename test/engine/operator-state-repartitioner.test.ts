/**
 * Split list state with several named states, against Flink's RoundRobinOperatorStateRepartitioner.
 * Expected values were produced by compiling Flink's `groupByStateMode` + `repartitionSplitState`
 * (an extract over plain values: one old subtask per state handle, its items as the offsets) with
 * Java 17, each old subtask's states in a `HashMap` as Flink's operator state backend writes them.
 * Flink takes the named states in `HashMap<String, …>` order and starts each at the first new subtask
 * that got no extra item of the previous state; the order of items inside one new subtask is the
 * old subtasks' order.
 */
import { describe, expect, it } from 'vitest';
import {
  javaHashMapOrder,
  redistribute,
  type OperatorStateOfSubtask,
} from '../../src/engine/state/OperatorStateBackend';

type Lists = Record<string, number[]>;

const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);

function old(subtasks: Lists[]): OperatorStateOfSubtask[] {
  return subtasks.map((lists, i) => ({
    subtaskIndex: i,
    parallelism: subtasks.length,
    lists: Object.fromEntries(
      Object.entries(lists).map(([n, items]) => [n, { mode: 'split' as const, items }]),
    ),
  }));
}

/** Every new subtask's non-empty lists, by name. */
function ours(previous: OperatorStateOfSubtask[], newP: number): Lists[] {
  return range(0, newP).map((i) => {
    const out: Lists = {};
    for (const [name, s] of redistribute(previous, i, newP))
      if (s.items.length > 0) out[name] = s.items as number[];
    return out;
  });
}

describe('RoundRobinOperatorStateRepartitioner with several named split states (values from Flink’s class)', () => {
  it('two states of 5 items, 2 → 3 subtasks: the second state starts where the first ran out of extra items', () => {
    const prev = old([
      { offsets: range(0, 3), buffer: range(100, 3) },
      { offsets: range(3, 2), buffer: range(103, 2) },
    ]);
    expect(javaHashMapOrder(['offsets', 'buffer'])).toEqual(['offsets', 'buffer']);
    expect(ours(prev, 3)).toEqual([
      { buffer: [102, 103], offsets: [0, 1] },
      { buffer: [104], offsets: [2, 3] },
      { buffer: [100, 101], offsets: [4] },
    ]);
  });

  it('three states of 7, 1 and 4 items, 2 → 4 subtasks', () => {
    const prev = old([
      { a: range(0, 4), b: range(10, 1), c: range(20, 2) },
      { a: range(4, 3), b: [], c: range(22, 2) },
    ]);
    expect(ours(prev, 4)).toEqual([
      { a: [0, 1], c: [20] },
      { a: [2, 3], c: [21] },
      { a: [4, 5], c: [22] },
      { a: [6], b: [10], c: [23] },
    ]);
  });

  it('2 → 1 subtask: everything in old-subtask order', () => {
    const prev = old([
      { x: range(0, 2), y: range(10, 1) },
      { x: range(2, 1), y: range(11, 2) },
    ]);
    expect(ours(prev, 1)).toEqual([{ x: [0, 1, 2], y: [10, 11, 12] }]);
  });

  it('four states whose HashMap order is not alphabetical (zeta, offsets, alpha, pending), 3 → 2', () => {
    const prev = old(
      range(0, 3).map((s) => ({ pending: [s], offsets: [10 + s], zeta: [20 + s], alpha: [30 + s] })),
    );
    expect(javaHashMapOrder(['pending', 'offsets', 'zeta', 'alpha'])).toEqual([
      'zeta',
      'offsets',
      'alpha',
      'pending',
    ]);
    expect(ours(prev, 2)).toEqual([
      { alpha: [30, 31], offsets: [12], pending: [2], zeta: [20, 21] },
      { alpha: [32], offsets: [10, 11], pending: [0, 1], zeta: [22] },
    ]);
  });

  it('one item per state, three states, 1 → 3: each state lands on a different subtask', () => {
    // A single old subtask at parallelism 1, restored at 3.
    const prev = old([{ s1: [0], s2: [10], s3: [20] }]);
    expect(ours(prev, 3)).toEqual([{ s3: [20] }, { s1: [0] }, { s2: [10] }]);
  });

  it('17 states (the HashMap grows to 32 buckets), 2 → 5', () => {
    const prev = old(
      range(0, 2).map((s) => {
        const lists: Lists = {};
        for (let k = 0; k < 17; k++) lists[`state-${k}`] = range(k * 100 + s * 10, 1 + (k % 3));
        return lists;
      }),
    );
    expect(javaHashMapOrder(range(0, 17).map((k) => `state-${k}`))).toEqual(
      'state-10,state-12,state-11,state-14,state-13,state-16,state-7,state-15,state-6,state-5,state-4,state-9,state-8,state-3,state-2,state-1,state-0'.split(
        ',',
      ),
    );
    const flink: Lists[] = [
      {
        'state-0': [10],
        'state-1': [100],
        'state-10': [1000],
        'state-11': [1112],
        'state-12': [1210],
        'state-13': [1310],
        'state-14': [1411],
        'state-15': [1500],
        'state-16': [1611],
        'state-2': [202],
        'state-4': [400],
        'state-5': [502],
        'state-8': [812],
        'state-9': [910],
      },
      {
        'state-1': [101],
        'state-10': [1001],
        'state-11': [1100, 1101],
        'state-13': [1311],
        'state-14': [1412],
        'state-15': [1510],
        'state-2': [210],
        'state-4': [401],
        'state-5': [510],
        'state-7': [700],
        'state-8': [800, 801],
      },
      {
        'state-1': [110],
        'state-10': [1010],
        'state-11': [1102],
        'state-14': [1400, 1401],
        'state-16': [1600],
        'state-2': [211],
        'state-3': [300],
        'state-4': [410],
        'state-5': [511],
        'state-6': [600],
        'state-7': [701],
        'state-8': [802],
      },
      {
        'state-1': [111],
        'state-10': [1011],
        'state-11': [1110],
        'state-13': [1300],
        'state-14': [1402],
        'state-16': [1601],
        'state-2': [212],
        'state-3': [310],
        'state-4': [411],
        'state-5': [512],
        'state-6': [610],
        'state-7': [710],
        'state-8': [810],
      },
      {
        'state-0': [0],
        'state-11': [1111],
        'state-12': [1200],
        'state-13': [1301],
        'state-14': [1410],
        'state-16': [1610],
        'state-2': [200, 201],
        'state-5': [500, 501],
        'state-7': [711],
        'state-8': [811],
        'state-9': [900],
      },
    ];
    const sorted = (l: Lists) => Object.fromEntries(Object.entries(l).sort(([a], [b]) => (a < b ? -1 : 1)));
    expect(ours(prev, 5).map(sorted)).toEqual(flink.map(sorted));
  });

  it('same parallelism: every subtask keeps its own lists', () => {
    const prev = old([
      { a: [1, 2, 3], b: [4] },
      { a: [5], b: [6, 7] },
    ]);
    expect(ours(prev, 2)).toEqual([
      { a: [1, 2, 3], b: [4] },
      { a: [5], b: [6, 7] },
    ]);
  });
});

describe('javaHashMapOrder (Java 17 HashMap filled with computeIfAbsent)', () => {
  it('matches Java’s keySet() order across the resizes at 13/14 and 25/26 names', () => {
    const java: Record<number, string> = {
      13: 'name6,name5,name4,name12,name3,name11,name10,name9,name8,name7,name2,name1,name0',
      14: 'name6,name5,name13,name4,name12,name3,name11,name10,name9,name8,name7,name2,name1,name0',
      25: 'name19,name18,name17,name16,name15,name6,name14,name5,name24,name13,name4,name23,name12,name3,name22,name11,name21,name10,name9,name20,name8,name7,name2,name1,name0',
      26: 'name19,name18,name17,name16,name15,name14,name13,name12,name11,name10,name6,name25,name5,name24,name4,name23,name3,name22,name21,name9,name20,name8,name7,name2,name1,name0',
    };
    for (const [n, order] of Object.entries(java)) {
      expect(javaHashMapOrder(range(0, Number(n)).map((i) => `name${i}`)).join(',')).toBe(order);
    }
  });
});
