import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Key } from '../../src/engine/keygroups/hashCode';
import { KeyGroupRange } from '../../src/engine/keygroups/KeyGroupRange';
import {
  assignKeyToParallelOperator,
  assignToKeyGroup,
  computeKeyGroupRangeForOperatorIndex,
} from '../../src/engine/keygroups/KeyGroupRangeAssignment';
import { HeapKeyedStateBackend, estimateSnapshotBytes } from '../../src/engine/state/HeapKeyedStateBackend';
import type { KeyedStateSnapshot } from '../../src/engine/state/KeyedStateBackend';
import type {
  AggregatingState,
  ListState,
  MapState,
  ReducingState,
  StateOf,
  ValueState,
} from '../../src/engine/state/State';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
  type AggregateFunction,
} from '../../src/engine/state/StateDescriptor';

/** fast-check's seed: fixed, so that CI is reproducible; FC_SEED=<n> explores others. */
const FC_SEED = Number(process.env.FC_SEED ?? 20261206);

const NO_KEY = 'No key set. This method should not be called outside of a keyed context.';

type AvgAcc = { sum: number; count: number };
const average: AggregateFunction<number, AvgAcc, number> = {
  createAccumulator: () => ({ sum: 0, count: 0 }),
  add: (v, acc) => ({ sum: acc.sum + v, count: acc.count + 1 }),
  getResult: (acc) => acc.sum / acc.count,
  merge: (a, b) => ({ sum: a.sum + b.sum, count: a.count + b.count }),
};

function descriptors() {
  return {
    value: new ValueStateDescriptor<number>('v'),
    list: new ListStateDescriptor<number>('l'),
    map: new MapStateDescriptor<string, number>('m'),
    reducing: new ReducingStateDescriptor<number>('r', (a, b) => a + b),
    aggregating: new AggregatingStateDescriptor('a', average),
  };
}

function handles(backend: HeapKeyedStateBackend) {
  const d = descriptors();
  return {
    value: backend.getPartitionedState<StateOf<typeof d.value>>(d.value),
    list: backend.getPartitionedState<StateOf<typeof d.list>>(d.list),
    map: backend.getPartitionedState<StateOf<typeof d.map>>(d.map),
    reducing: backend.getPartitionedState<StateOf<typeof d.reducing>>(d.reducing),
    aggregating: backend.getPartitionedState<StateOf<typeof d.aggregating>>(d.aggregating),
  };
}

describe('state descriptors', () => {
  it('need a non-empty name', () => {
    expect(() => new ValueStateDescriptor('')).toThrow(/non-empty name/);
    expect(() => new ListStateDescriptor(undefined as unknown as string)).toThrow(/non-empty name/);
    expect(new MapStateDescriptor<string, number>('x').type).toBe('map');
  });

  it('need a function', () => {
    expect(
      () => new ReducingStateDescriptor<number>('r', null as unknown as (a: number, b: number) => number),
    ).toThrow();
    expect(() => new AggregatingStateDescriptor('a', null as unknown as typeof average)).toThrow();
  });
});

describe('keyed state semantics (Flink)', () => {
  it('throws Flink’s message when no key is set', () => {
    const b = new HeapKeyedStateBackend(128);
    const h = handles(b);
    expect(() => h.value.value()).toThrow(NO_KEY);
    expect(() => h.value.update(1)).toThrow(NO_KEY);
    expect(() => h.list.get()).toThrow(NO_KEY);
    expect(() => h.map.put('x', 1)).toThrow(NO_KEY);
    expect(() => h.reducing.add(1)).toThrow(NO_KEY);
    expect(() => h.aggregating.get()).toThrow(NO_KEY);
    expect(() => h.value.clear()).toThrow(NO_KEY);
    expect(b.getCurrentKey()).toBeNull();
  });

  it('ValueState: value/update, update(null) clears, clear only affects the current key', () => {
    const b = new HeapKeyedStateBackend(128);
    const s = b.getPartitionedState<ValueState<number>>(new ValueStateDescriptor<number>('count'));
    b.setCurrentKey('a');
    expect(s.value()).toBeNull();
    s.update(1);
    b.setCurrentKey('b');
    expect(s.value()).toBeNull();
    s.update(2);
    b.setCurrentKey('a');
    expect(s.value()).toBe(1);
    s.clear();
    expect(s.value()).toBeNull();
    b.setCurrentKey('b');
    expect(s.value()).toBe(2);
    s.update(null);
    expect(s.value()).toBeNull();
    expect(b.numKeys()).toBe(0);
    expect(b.getCurrentKey()).toBe('b');
  });

  it('ValueState default value: a copy while unset', () => {
    const b = new HeapKeyedStateBackend(128);
    const s = b.getPartitionedState<ValueState<{ n: number }>>(new ValueStateDescriptor('obj', { n: 0 }));
    b.setCurrentKey(1);
    const d = s.value();
    expect(d).toEqual({ n: 0 });
    d!.n = 99; // mutating the returned default does not change the default
    expect(s.value()).toEqual({ n: 0 });
    expect(b.entries('obj')).toEqual([]); // the default is not stored
    s.update({ n: 5 });
    expect(s.value()).toEqual({ n: 5 });
  });

  it('ListState: get/add/addAll/update, empty list is [], nulls rejected', () => {
    const b = new HeapKeyedStateBackend(128);
    const s = b.getPartitionedState<ListState<string>>(new ListStateDescriptor<string>('words'));
    b.setCurrentKey('k');
    expect([...s.get()]).toEqual([]);
    s.add('a');
    s.addAll(['b', 'c']);
    expect([...s.get()]).toEqual(['a', 'b', 'c']);
    const got = s.get();
    s.add('d');
    expect([...got]).toEqual(['a', 'b', 'c']); // get() is a copy
    s.update(['x']);
    expect([...s.get()]).toEqual(['x']);
    s.addAll([]);
    expect([...s.get()]).toEqual(['x']);
    expect(() => s.add(null as unknown as string)).toThrow('You cannot add null to a ListState.');
    expect(() => s.addAll(['y', null as unknown as string])).toThrow('You cannot add null to a ListState.');
    expect(() => s.update(null as unknown as string[])).toThrow('List of values to add cannot be null.');
    expect([...s.get()]).toEqual(['x']);
    b.setCurrentKey('other');
    s.add('o');
    b.setCurrentKey('k');
    s.update([]); // empty update clears
    expect([...s.get()]).toEqual([]);
    expect(b.entries('words')).toEqual([['other', ['o']]]);
    b.setCurrentKey('other');
    s.clear();
    expect([...s.get()]).toEqual([]);
    expect(b.numKeys()).toBe(0);
  });

  it('MapState: put/putAll/get/contains/remove/entries/keys/values/isEmpty', () => {
    const b = new HeapKeyedStateBackend(128);
    const s = b.getPartitionedState<MapState<string, number>>(new MapStateDescriptor<string, number>('m'));
    b.setCurrentKey('user1');
    expect(s.isEmpty()).toBe(true);
    expect(s.get('x')).toBeNull();
    expect([...s.entries()]).toEqual([]);
    s.put('x', 1);
    s.putAll({ y: 2, z: 3 });
    s.putAll(new Map([['x', 10]]));
    expect(s.get('x')).toBe(10);
    expect(s.contains('y')).toBe(true);
    expect(s.contains('w')).toBe(false);
    expect([...s.entries()]).toEqual([
      ['x', 10],
      ['y', 2],
      ['z', 3],
    ]);
    expect([...s.keys()]).toEqual(['x', 'y', 'z']);
    expect([...s.values()]).toEqual([10, 2, 3]);
    s.remove('y');
    expect(s.contains('y')).toBe(false);
    expect(s.isEmpty()).toBe(false);
    b.setCurrentKey('user2');
    expect(s.isEmpty()).toBe(true);
    s.put('q', 7);
    b.setCurrentKey('user1');
    s.remove('x');
    s.remove('z');
    expect(s.isEmpty()).toBe(true); // removing the last entry clears the key
    expect(b.entries('m')).toEqual([['user2', [['q', 7]]]]);
    b.setCurrentKey('user2');
    s.clear();
    expect(b.numKeys()).toBe(0);

    const numeric = b.getPartitionedState<MapState<number, string>>(
      new MapStateDescriptor<number, string>('n'),
    );
    numeric.put(3, 'three');
    expect(numeric.get(3)).toBe('three');
    expect(numeric.get('3' as unknown as number)).toBeNull();
  });

  it('ReducingState: with a function object and with a lambda; add(null) clears', () => {
    const b = new HeapKeyedStateBackend(128);
    const max = b.getPartitionedState<ReducingState<number>>(
      new ReducingStateDescriptor<number>('max', { reduce: (a, b2) => Math.max(a, b2) }),
    );
    const sum = b.getPartitionedState<ReducingState<number>>(
      new ReducingStateDescriptor<number>('sum', (a, b2) => a + b2),
    );
    b.setCurrentKey('k');
    expect(max.get()).toBeNull();
    expect(sum.get()).toBeNull();
    for (const v of [3, 9, 4]) {
      max.add(v);
      sum.add(v);
    }
    expect(max.get()).toBe(9);
    expect(sum.get()).toBe(16);
    b.setCurrentKey('j');
    expect(sum.get()).toBeNull();
    sum.add(1);
    b.setCurrentKey('k');
    sum.clear();
    expect(sum.get()).toBeNull();
    expect(max.get()).toBe(9); // clear is per state
    max.add(null as unknown as number);
    expect(max.get()).toBeNull();
    b.setCurrentKey('j');
    expect(sum.get()).toBe(1);
  });

  it('AggregatingState: the average example', () => {
    const b = new HeapKeyedStateBackend(128);
    const avg = b.getPartitionedState<AggregatingState<number, number>>(
      new AggregatingStateDescriptor('avg', average),
    );
    b.setCurrentKey('sensor-1');
    expect(avg.get()).toBeNull();
    avg.add(10);
    avg.add(20);
    avg.add(60);
    expect(avg.get()).toBe(30);
    expect(b.entries('avg')).toEqual([['sensor-1', { sum: 90, count: 3 }]]); // the accumulator
    b.setCurrentKey('sensor-2');
    avg.add(1);
    expect(avg.get()).toBe(1);
    avg.clear();
    expect(avg.get()).toBeNull();
    b.setCurrentKey('sensor-1');
    expect(avg.get()).toBe(30);
  });
});

describe('HeapKeyedStateBackend', () => {
  it('returns the same handle for the same name; a different type throws', () => {
    const b = new HeapKeyedStateBackend(128);
    const a1 = b.getPartitionedState(new ValueStateDescriptor<number>('count'));
    const a2 = b.getPartitionedState(new ValueStateDescriptor<number>('count'));
    expect(a1).toBe(a2);
    expect(() => b.getPartitionedState(new ListStateDescriptor<number>('count'))).toThrow(
      /"count" is already registered as value state.*list state.*unique per operator/,
    );
    expect(b.stateNames()).toEqual(['count']);
  });

  it('setCurrentKey rejects keys outside its key-group range', () => {
    const range = computeKeyGroupRangeForOperatorIndex(128, 4, 0);
    const b = new HeapKeyedStateBackend(128, range);
    const inside = ['to', 'be', 'or', 'not', 'that', 'hello', 'héllo', 'x', 'y', 'z'].find((w) =>
      range.contains(assignToKeyGroup(w, 128)),
    )!;
    b.setCurrentKey(inside);
    expect(b.getCurrentKeyGroupIndex()).toBe(assignToKeyGroup(inside, 128));
    expect(() => b.setCurrentKey('to')).toThrow(
      'Key group 91 is not in KeyGroupRange{startKeyGroup=0, endKeyGroup=31}.',
    );
    expect(b.getCurrentKey()).toBe(inside); // unchanged after the failure
  });

  it('snapshot is a deep copy, independent of the live state', () => {
    const b = new HeapKeyedStateBackend(128);
    const obj = b.getPartitionedState<ValueState<{ n: number }>>(new ValueStateDescriptor('obj'));
    const h = handles(b);
    b.setCurrentKey('a');
    obj.update({ n: 1 });
    h.list.add(1);
    h.map.put('x', 1);
    h.aggregating.add(4);
    const snap = b.snapshot();
    const before = JSON.stringify(snap);

    obj.value()!.n = 42; // the heap backend stores by reference ...
    expect(obj.value()).toEqual({ n: 42 });
    h.list.add(2);
    h.map.put('y', 2);
    h.aggregating.add(8);
    b.setCurrentKey('b');
    h.value.update(5);
    expect(JSON.stringify(snap)).toBe(before); // ... but the snapshot is not affected

    // Restoring copies as well: mutating live state afterwards leaves the snapshot untouched.
    const r = new HeapKeyedStateBackend(128);
    r.restore([snap]);
    const robj = r.getPartitionedState<ValueState<{ n: number }>>(new ValueStateDescriptor('obj'));
    r.setCurrentKey('a');
    robj.value()!.n = 7;
    r.getPartitionedState<ListState<number>>(new ListStateDescriptor<number>('l')).add(3);
    expect(JSON.stringify(snap)).toBe(before);
  });

  it('snapshot layout: non-empty key groups ascending, entries sorted by key, plain data', () => {
    const b = new HeapKeyedStateBackend(128);
    const h = handles(b);
    const keys: Key[] = ['to', 'be', 'or', 'not', 1, 2, true];
    for (const k of keys) {
      b.setCurrentKey(k);
      h.value.update(1);
      h.list.addAll([1, 2]);
      h.map.put('k', 1);
    }
    const snap = b.snapshot();
    expect(snap.maxParallelism).toBe(128);
    expect(snap.keyGroupRange).toEqual({ start: 0, end: 127 });
    const kgs = snap.keyGroups.map((g) => g.keyGroup);
    expect(kgs).toEqual([...new Set(keys.map((k) => assignToKeyGroup(k, 128)))].sort((a, b2) => a - b2));
    for (const g of snap.keyGroups) {
      expect(Object.keys(g.states).sort()).toEqual(['l', 'm', 'v']);
      for (const [k] of g.states.v.entries) expect(assignToKeyGroup(k as Key, 128)).toBe(g.keyGroup);
      expect(g.states.l.type).toBe('list');
    }
    const bySorted = b.entries('l');
    expect(bySorted.map(([k]) => k)).toEqual([true, 1, 2, 'be', 'not', 'or', 'to']);
    expect(bySorted[0][1]).toEqual([1, 2]);
    expect(b.entries('m')[0][1]).toEqual([['k', 1]]);
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
    expect(estimateSnapshotBytes(snap)).toBe(JSON.stringify(snap).length);
    expect(b.numKeys()).toBe(keys.length);

    // The same data written in another order gives the same snapshot.
    const b2 = new HeapKeyedStateBackend(128);
    const h2 = handles(b2);
    for (const k of [...keys].reverse()) {
      b2.setCurrentKey(k);
      h2.map.put('k', 1);
      h2.list.addAll([1, 2]);
      h2.value.update(1);
    }
    expect(JSON.stringify(b2.snapshot())).toBe(JSON.stringify(snap));
  });

  it('snapshot → restore round trip (through JSON), with states registered after restore', () => {
    const b = new HeapKeyedStateBackend(128);
    const h = handles(b);
    for (let i = 0; i < 50; i++) {
      b.setCurrentKey(`key-${i}`);
      h.value.update(i);
      h.list.addAll([i, i + 1]);
      h.map.put(`u${i % 3}`, i);
      h.reducing.add(i);
      h.aggregating.add(i);
    }
    const snap = JSON.parse(JSON.stringify(b.snapshot())) as KeyedStateSnapshot;
    const r = new HeapKeyedStateBackend(128);
    r.restore([snap]);
    expect(r.stateNames().sort()).toEqual(['a', 'l', 'm', 'r', 'v']);
    const rh = handles(r);
    for (let i = 0; i < 50; i++) {
      r.setCurrentKey(`key-${i}`);
      expect(rh.value.value()).toBe(i);
      expect([...rh.list.get()]).toEqual([i, i + 1]);
      expect(rh.map.get(`u${i % 3}`)).toBe(i);
      expect(rh.reducing.get()).toBe(i);
      expect(rh.aggregating.get()).toBe(i);
    }
    expect(JSON.stringify(r.snapshot())).toBe(JSON.stringify(snap));
    expect(r.numKeys()).toBe(50);

    // restore clears what was there before
    r.setCurrentKey('extra');
    rh.value.update(1);
    r.restore([snap]);
    r.setCurrentKey('extra');
    expect(rh.value.value()).toBeNull(); // existing handles keep working after restore
    expect(r.numKeys()).toBe(50);

    // a restored state requested with another type is a conflict
    expect(() => new HeapKeyedStateBackend(128).restore([{ ...snap, maxParallelism: 256 }])).toThrow(
      /maxParallelism/,
    );
    const c = new HeapKeyedStateBackend(128);
    c.restore([snap]);
    expect(() => c.getPartitionedState(new ListStateDescriptor('v'))).toThrow(/already registered/);
  });

  it('rescaling: restore into p=2 puts each key where assignKeyToParallelOperator says, and back to p=3', () => {
    const full = new HeapKeyedStateBackend(128);
    const count = full.getPartitionedState<ValueState<number>>(new ValueStateDescriptor<number>('count'));
    const keys: Key[] = [];
    for (let i = 0; i < 200; i++) keys.push(i % 2 === 0 ? `word${i}` : i * 7919);
    keys.forEach((k, i) => {
      full.setCurrentKey(k);
      count.update(i + 1);
    });
    const snap = full.snapshot();

    const two = [0, 1].map((i) => HeapKeyedStateBackend.forSubtask(128, 2, i));
    for (const b of two) b.restore([snap]);
    expect(two[0].keyGroupRange.toString()).toBe('KeyGroupRange{startKeyGroup=0, endKeyGroup=63}');
    expect(two[0].numKeys() + two[1].numKeys()).toBe(keys.length);
    const twoHandles = two.map((b) =>
      b.getPartitionedState<ValueState<number>>(new ValueStateDescriptor<number>('count')),
    );
    keys.forEach((k, i) => {
      const owner = assignKeyToParallelOperator(k, 128, 2);
      two[owner].setCurrentKey(k);
      expect(twoHandles[owner].value()).toBe(i + 1);
      expect(() => two[1 - owner].setCurrentKey(k)).toThrow(/is not in KeyGroupRange/);
      expect(two[1 - owner].entries('count').some(([key]) => key === k)).toBe(false);
    });
    for (const b of two) {
      for (const g of b.snapshot().keyGroups) expect(b.keyGroupRange.contains(g.keyGroup)).toBe(true);
    }

    // p = 2 → 3: every new subtask takes its key groups from both old snapshots
    const snaps = two.map((b) => b.snapshot());
    const three = [0, 1, 2].map((i) => HeapKeyedStateBackend.forSubtask(128, 3, i));
    for (const b of three) b.restore(snaps);
    expect(three.reduce((n, b) => n + b.numKeys(), 0)).toBe(keys.length);
    keys.forEach((k, i) => {
      const b = three[assignKeyToParallelOperator(k, 128, 3)];
      b.setCurrentKey(k);
      expect(
        b.getPartitionedState<ValueState<number>>(new ValueStateDescriptor<number>('count')).value(),
      ).toBe(i + 1);
    });
  });

  it('rejects a key-group range that does not fit maxParallelism', () => {
    expect(() => new HeapKeyedStateBackend(128, new KeyGroupRange(0, 128))).toThrow();
  });

  it('calls the listener on every write with the inspection value', () => {
    const b = new HeapKeyedStateBackend(128);
    const h = handles(b);
    const calls: Array<[string, Key, unknown]> = [];
    b.setCurrentKey('k');
    h.value.update(1); // listener off: not recorded
    b.listener = (name, key, value) => calls.push([name, key, value]);
    expect(b.listener).not.toBeNull();
    h.value.update(2);
    h.value.update(null);
    h.list.add(1);
    h.list.addAll([2, 3]);
    h.list.update([9]);
    h.list.clear();
    h.map.put('a', 1);
    h.map.putAll({ b: 2 });
    h.map.remove('a');
    h.map.remove('b');
    h.reducing.add(5);
    h.reducing.add(6);
    b.setCurrentKey(7);
    h.aggregating.add(4);
    h.aggregating.clear();
    b.listener = null;
    h.value.update(3);
    expect(calls).toEqual([
      ['v', 'k', 2],
      ['v', 'k', null],
      ['l', 'k', [1]],
      ['l', 'k', [1, 2, 3]],
      ['l', 'k', [9]],
      ['l', 'k', null],
      ['m', 'k', [['a', 1]]],
      [
        'm',
        'k',
        [
          ['a', 1],
          ['b', 2],
        ],
      ],
      ['m', 'k', [['b', 2]]],
      ['m', 'k', null],
      ['r', 'k', 5],
      ['r', 'k', 11],
      ['a', 7, { sum: 4, count: 1 }],
      ['a', 7, null],
    ]);
  });
});

// ---- Random operation sequences against a simple reference model (a Map per key) ----

type Model = {
  value?: number;
  list?: number[];
  map?: Map<string, number>;
  reducing?: number;
  agg?: AvgAcc;
};

const keyArb = fc.constantFrom<Key>('a', 'b', 'c', 'to', 1, 2, -5, 3.5, true, false);
const n = fc.integer({ min: -100, max: 100 });
const uk = fc.constantFrom('x', 'y', 'z');
const opArb = fc.oneof(
  fc.record({ t: fc.constant('setKey' as const), key: keyArb }),
  fc.record({ t: fc.constant('valueUpdate' as const), v: fc.option(n) }),
  fc.record({ t: fc.constant('listAdd' as const), v: n }),
  fc.record({ t: fc.constant('listAddAll' as const), vs: fc.array(n, { maxLength: 3 }) }),
  fc.record({ t: fc.constant('listUpdate' as const), vs: fc.array(n, { maxLength: 3 }) }),
  fc.record({ t: fc.constant('mapPut' as const), k: uk, v: n }),
  fc.record({ t: fc.constant('mapPutAll' as const), kv: fc.dictionary(uk, n, { maxKeys: 3 }) }),
  fc.record({ t: fc.constant('mapRemove' as const), k: uk }),
  fc.record({ t: fc.constant('reduce' as const), v: n }),
  fc.record({ t: fc.constant('agg' as const), v: n }),
  fc.record({
    t: fc.constant('clear' as const),
    s: fc.constantFrom('value', 'list', 'map', 'reducing', 'aggregating'),
  }),
  fc.record({ t: fc.constant('snapshotRestore' as const), p: fc.integer({ min: 1, max: 4 }) }),
);

function isEmptyModel(m: Model): boolean {
  return (
    m.value === undefined &&
    m.list === undefined &&
    m.map === undefined &&
    m.reducing === undefined &&
    m.agg === undefined
  );
}

describe('property: the backend behaves like a Map per key', () => {
  it('random operation sequences give the same visible results as the model', () => {
    fc.assert(
      fc.property(keyArb, fc.array(opArb, { maxLength: 80 }), (firstKey, ops) => {
        let backend = new HeapKeyedStateBackend(128);
        let h = handles(backend);
        backend.setCurrentKey(firstKey);
        let key: Key = firstKey;
        const model = new Map<Key, Model>();
        const cur = (): Model => {
          let m = model.get(key);
          if (m === undefined) {
            m = {};
            model.set(key, m);
          }
          return m;
        };

        const check = (k: Key): void => {
          const m = model.get(k) ?? {};
          expect(h.value.value()).toBe(m.value ?? null);
          expect([...h.list.get()]).toEqual(m.list ?? []);
          expect([...h.map.entries()]).toEqual(m.map ? [...m.map] : []);
          expect(h.map.isEmpty()).toBe(m.map === undefined);
          expect(h.reducing.get()).toBe(m.reducing ?? null);
          expect(h.aggregating.get()).toBe(m.agg ? m.agg.sum / m.agg.count : null);
        };

        for (const op of ops) {
          const m = cur();
          switch (op.t) {
            case 'setKey':
              key = op.key;
              backend.setCurrentKey(key);
              break;
            case 'valueUpdate':
              h.value.update(op.v);
              m.value = op.v ?? undefined;
              break;
            case 'listAdd':
              h.list.add(op.v);
              m.list = [...(m.list ?? []), op.v];
              break;
            case 'listAddAll':
              h.list.addAll(op.vs);
              if (op.vs.length > 0) m.list = [...(m.list ?? []), ...op.vs];
              break;
            case 'listUpdate':
              h.list.update(op.vs);
              m.list = op.vs.length > 0 ? [...op.vs] : undefined;
              break;
            case 'mapPut':
              h.map.put(op.k, op.v);
              m.map = new Map(m.map ?? []).set(op.k, op.v);
              break;
            case 'mapPutAll': {
              h.map.putAll(op.kv);
              const entries = Object.entries(op.kv);
              if (entries.length > 0) {
                m.map = new Map(m.map ?? []);
                for (const [k2, v] of entries) m.map.set(k2, v);
              }
              break;
            }
            case 'mapRemove':
              h.map.remove(op.k);
              if (m.map) {
                m.map = new Map(m.map);
                m.map.delete(op.k);
                if (m.map.size === 0) m.map = undefined;
              }
              break;
            case 'reduce':
              h.reducing.add(op.v);
              m.reducing = (m.reducing ?? 0) + op.v;
              break;
            case 'agg':
              h.aggregating.add(op.v);
              m.agg = { sum: (m.agg?.sum ?? 0) + op.v, count: (m.agg?.count ?? 0) + 1 };
              break;
            case 'clear':
              h[op.s].clear();
              if (op.s === 'value') m.value = undefined;
              else if (op.s === 'list') m.list = undefined;
              else if (op.s === 'map') m.map = undefined;
              else if (op.s === 'reducing') m.reducing = undefined;
              else m.agg = undefined;
              break;
            case 'snapshotRestore': {
              // Take a snapshot (through JSON), rescale to p subtasks, continue on the key's owner.
              const snap = JSON.parse(JSON.stringify(backend.snapshot())) as KeyedStateSnapshot;
              const owners = Array.from({ length: op.p }, (_, i) =>
                HeapKeyedStateBackend.forSubtask(128, op.p, i),
              );
              for (const o of owners) o.restore([snap]);
              expect(owners.reduce((s, o) => s + o.numKeys(), 0)).toBe(backend.numKeys());
              // merge back into one backend so every key stays reachable
              backend = new HeapKeyedStateBackend(128);
              backend.restore(owners.map((o) => o.snapshot()));
              h = handles(backend);
              backend.setCurrentKey(key);
              break;
            }
          }
          check(key);
        }

        // Everything, for every key
        for (const [k, m] of model) if (isEmptyModel(m)) model.delete(k);
        expect(backend.numKeys()).toBe(model.size);
        for (const k of model.keys()) {
          backend.setCurrentKey(k);
          check(k);
        }
        const expectedValues = [...model].filter(([, m]) => m.value !== undefined).map(([k]) => k);
        expect(
          backend
            .entries('v')
            .map(([k]) => k)
            .sort(),
        ).toEqual(expectedValues.sort());
      }),
      { numRuns: 300, seed: FC_SEED },
    );
  });
});
