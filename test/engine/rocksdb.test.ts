import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SharedStateRegistry } from '../../src/engine/checkpointing/SharedStateRegistry';
import type { Key } from '../../src/engine/keygroups/hashCode';
import {
  assignKeyToParallelOperator,
  assignToKeyGroup,
  computeKeyGroupRangeForOperatorIndex,
} from '../../src/engine/keygroups/KeyGroupRangeAssignment';
import { HeapKeyedStateBackend } from '../../src/engine/state/HeapKeyedStateBackend';
import type { KeyedStateBackend, KeyedStateSnapshot } from '../../src/engine/state/KeyedStateBackend';
import {
  RocksDBKeyedStateBackend,
  type RocksDBOptions,
} from '../../src/engine/state/rocksdb/RocksDBKeyedStateBackend';
import {
  incrementalHandleSizes,
  resolveIncrementalHandle,
  type SstFile,
} from '../../src/engine/state/rocksdb/types';
import type {
  AggregatingState,
  ListState,
  MapState,
  ReducingState,
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
import { compareKeys } from '../../src/engine/state/StateStorage';
import { StateTtlConfig } from '../../src/engine/state/ttl/StateTtlConfig';
import { unexpiredOrNull } from '../../src/engine/state/ttl/TtlValue';

/** fast-check's seed: fixed, so that CI is reproducible; FC_SEED=<n> explores others. */
const FC_SEED = Number(process.env.FC_SEED ?? 20261206);

type AvgAcc = { sum: number; count: number };
const average: AggregateFunction<number, AvgAcc, number> = {
  createAccumulator: () => ({ sum: 0, count: 0 }),
  add: (v, acc) => ({ sum: acc.sum + v, count: acc.count + 1 }),
  getResult: (acc) => acc.sum / acc.count,
  merge: (a, b) => ({ sum: a.sum + b.sum, count: a.count + b.count }),
};

const TTL = 100;
const ttlConfig = StateTtlConfig.newBuilder(TTL).build();

function handles(b: KeyedStateBackend) {
  return {
    value: b.getPartitionedState<ValueState<number>>(new ValueStateDescriptor<number>('v')),
    list: b.getPartitionedState<ListState<number>>(new ListStateDescriptor<number>('l')),
    map: b.getPartitionedState<MapState<string, number>>(new MapStateDescriptor<string, number>('m')),
    reducing: b.getPartitionedState<ReducingState<number>>(
      new ReducingStateDescriptor<number>('r', (x, y) => x + y),
    ),
    aggregating: b.getPartitionedState<AggregatingState<number, number>>(
      new AggregatingStateDescriptor('a', average),
    ),
    tv: b.getPartitionedState<ValueState<number>>(
      new ValueStateDescriptor<number>('tv').enableTimeToLive(ttlConfig),
    ),
    tl: b.getPartitionedState<ListState<number>>(
      new ListStateDescriptor<number>('tl').enableTimeToLive(
        StateTtlConfig.newBuilder(TTL).updateTtlOnReadAndWrite().build(),
      ),
    ),
    tm: b.getPartitionedState<MapState<string, number>>(
      new MapStateDescriptor<string, number>('tm').enableTimeToLive(ttlConfig),
    ),
  };
}

let owners = 0;
function rocks(
  options: Partial<RocksDBOptions> = {},
  range = computeKeyGroupRangeForOperatorIndex(128, 1, 0),
) {
  return new RocksDBKeyedStateBackend(128, range, { ownerId: `t#${owners++}`, ...options });
}

function sortPairs<T extends [string | number, unknown]>(pairs: Iterable<T>): T[] {
  return [...pairs].sort((a, b) => compareKeys(a[0], b[0]));
}

/** Snapshots compared across backends: map pairs by user key; TTL states without expired values. */
function normalize(s: KeyedStateSnapshot, now: number): unknown {
  const groups = [];
  for (const g of s.keyGroups) {
    const states: Record<string, unknown> = {};
    for (const name of Object.keys(g.states).sort()) {
      const st = g.states[name];
      const entries = [];
      for (const [key, value] of st.entries) {
        let v: unknown = st.ttl ? unexpiredOrNull(st.type, value, TTL, now) : value;
        if (v === null) continue;
        if (st.type === 'map') v = sortPairs(v as Array<[string, unknown]>);
        entries.push([key, v]);
      }
      if (entries.length > 0) states[name] = { type: st.type, ttl: st.ttl === true, entries };
    }
    if (Object.keys(states).length > 0) groups.push({ keyGroup: g.keyGroup, states });
  }
  return { maxParallelism: s.maxParallelism, keyGroupRange: s.keyGroupRange, keyGroups: groups };
}

describe('RocksDB backend: the LSM', () => {
  it('flushes the memtable into a sorted level-0 file when it exceeds memtableEntries', () => {
    const b = rocks({ ownerId: 'count#1', memtableEntries: 4, compactionTrigger: 10 });
    const v = b.getPartitionedState<ValueState<number>>(new ValueStateDescriptor<number>('v'));
    const keys = ['e', 'd', 'c', 'b'];
    for (const k of keys) {
      b.setCurrentKey(k);
      v.update(1);
      v.update(2); // an overwrite in the memtable is still one entry
    }
    expect(b.lsmStats().memtableEntries).toBe(4);
    expect(b.lsmStats().levels[0]).toEqual([]);
    b.setCurrentKey('a');
    v.update(3); // the 5th entry: flush
    const stats = b.lsmStats();
    expect(stats.memtableEntries).toBe(0);
    expect(stats.flushes).toBe(1);
    expect(stats.levels[0]).toHaveLength(1);
    expect(stats.levels[0][0].id).toBe('count#1-000001.sst');
    expect(stats.levels[0][0].entries).toBe(5);
    const inc = b.snapshotIncremental(1, new Set());
    const file = inc.newFiles[0];
    const order = file.entries.map((e) => [e.kg, e.key]);
    const expected = ['a', 'b', 'c', 'd', 'e']
      .map((k) => [assignToKeyGroup(k, 128), k] as [number, string])
      .sort((x, y) => x[0] - y[0] || compareKeys(x[1], y[1]));
    expect(order).toEqual(expected);
    expect(file.entries.every((e) => e.op === 'put' && e.state === 'v')).toBe(true);
    expect(file.keyGroupRange).toEqual({ start: expected[0][0], end: expected[4][0] });
    for (const k of keys) {
      b.setCurrentKey(k);
      expect(v.value()).toBe(2);
    }
  });

  it('overwrite: the memtable shadows files, newer files shadow older ones', () => {
    const b = rocks({ memtableEntries: 1, compactionTrigger: 100 });
    const v = b.getPartitionedState<ValueState<string>>(new ValueStateDescriptor<string>('v'));
    b.setCurrentKey('k');
    for (const x of ['a', 'b', 'c', 'd']) {
      v.update(x);
      b.flush();
      expect(v.value()).toBe(x);
    }
    v.update('mem');
    expect(b.lsmStats().levels[0]).toHaveLength(4);
    expect(v.value()).toBe('mem');
    b.compactAll();
    expect(b.lsmStats().levels.flat()).toHaveLength(1);
    expect(b.lsmStats().levels.flat()[0].entries).toBe(1);
    expect(v.value()).toBe('mem');
  });

  it('delete writes a tombstone; compactions keep it until bottommost', () => {
    const b = rocks({ memtableEntries: 100, compactionTrigger: 2 });
    const v = b.getPartitionedState<ValueState<number>>(new ValueStateDescriptor<number>('v'));
    b.setCurrentKey('gone');
    v.update(1);
    b.setCurrentKey('kept');
    v.update(2);
    b.flush(); // file 1 (L0)
    b.setCurrentKey('x');
    v.update(0);
    b.flush(); // file 2: L0 reaches 2 files → compacted into one L1 file (bottommost)
    expect(b.lsmStats().levels[1]).toHaveLength(1);
    b.setCurrentKey('gone');
    v.clear();
    expect(v.value()).toBeNull();
    b.flush(); // a level-0 file with the tombstone
    const inc = b.snapshotIncremental(1, new Set());
    const tomb = inc.newFiles.find((f) => f.level === 0) as SstFile;
    expect(tomb.entries).toEqual([
      { kg: assignToKeyGroup('gone', 128), state: 'v', key: 'gone', op: 'delete' },
    ]);
    expect(v.value()).toBeNull(); // the tombstone hides the older put in L1
    b.setCurrentKey('y');
    v.update(5);
    b.flush(); // L0 → L1 (2 files now, not bottommost... then L1 → L2 bottommost)
    b.compactAll();
    const all = b.snapshotIncremental(2, new Set()).newFiles.flatMap((f) => f.entries);
    expect(all.map((e) => e.key).sort()).toEqual(['kept', 'x', 'y']); // tombstone and put gone
    expect(all.every((e) => e.op === 'put')).toBe(true);
    expect(b.entries('v')).toEqual([
      ['kept', 2],
      ['x', 0],
      ['y', 5],
    ]);
  });

  it('clear() removes only the current key (value, list, map), also from files', () => {
    const b = rocks({ memtableEntries: 2 });
    const h = handles(b);
    for (const k of ['a', 'b']) {
      b.setCurrentKey(k);
      h.value.update(1);
      h.list.addAll([1, 2]);
      h.map.putAll({ x: 1, y: 2 });
    }
    b.flush();
    b.setCurrentKey('a');
    h.value.clear();
    h.list.clear();
    h.map.clear();
    expect(h.value.value()).toBeNull();
    expect([...h.list.get()]).toEqual([]);
    expect(h.map.isEmpty()).toBe(true);
    b.setCurrentKey('b');
    expect(h.value.value()).toBe(1);
    expect([...h.list.get()]).toEqual([1, 2]);
    expect([...h.map.entries()]).toEqual([
      ['x', 1],
      ['y', 2],
    ]);
    expect(b.numKeys()).toBe(1);
  });

  it('list appends are merge operands (no read), resolved on read and by compaction', () => {
    const b = rocks({
      memtableEntries: 1000,
      compactionTrigger: 100,
      costs: { readMs: 1, writeMs: 10, seekMs: 100, perByteMs: 0 },
    });
    const l = b.getPartitionedState<ListState<number>>(new ListStateDescriptor<number>('l'));
    b.setCurrentKey('k');
    l.update([1]);
    b.flush();
    l.add(2);
    b.flush();
    l.addAll([3, 4]);
    b.flush();
    b.takeCost();
    l.add(5);
    expect(b.takeCost()).toBe(10); // one write, no read
    const files = b.snapshotIncremental(1, new Set()).newFiles;
    expect(files.map((f) => f.entries.map((e) => [e.op, e.value]))).toEqual([
      [['merge', '[5]']],
      [['merge', '[3,4]']],
      [['merge', '[2]']],
      [['put', '[1]']],
    ]);
    expect([...l.get()]).toEqual([1, 2, 3, 4, 5]);
    expect(b.takeCost()).toBe(1);
    b.compactAll();
    const merged = b.snapshotIncremental(2, new Set()).newFiles;
    expect(merged).toHaveLength(1);
    expect(merged[0].entries).toEqual([
      { kg: assignToKeyGroup('k', 128), state: 'l', key: 'k', op: 'put', value: '[1,2,3,4,5]' },
    ]);
    l.clear();
    l.add(9); // a merge onto a memtable tombstone becomes a put
    expect([...l.get()]).toEqual([9]);
  });

  it('compaction: new file id, inputs dropped, visible content unchanged', () => {
    const b = rocks({ ownerId: 'c#0', memtableEntries: 3, compactionTrigger: 3 });
    const h = handles(b);
    const ref = new HeapKeyedStateBackend(128);
    const rh = handles(ref);
    for (let i = 0; i < 200; i++) {
      for (const [be, hh] of [
        [b, h],
        [ref, rh],
      ] as const) {
        be.setCurrentKey(`k${i % 17}`);
        hh.value.update(i);
        hh.list.add(i);
        hh.map.put(`u${i % 5}`, i);
        if (i % 7 === 0) hh.map.remove(`u${(i + 1) % 5}`);
        if (i % 11 === 0) hh.list.clear();
      }
    }
    const stats = b.lsmStats();
    expect(stats.compactions).toBeGreaterThan(5);
    const ids = stats.levels.flat().map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const level of stats.levels) expect(level.length).toBeLessThan(3);
    expect(normalize(b.snapshot(), 0)).toEqual(normalize(ref.snapshot(), 0));
    const before = b.snapshot();
    const number = (id: string): number => Number(id.slice(4, 10));
    const lastId = Math.max(...ids.map(number));
    b.compactAll();
    const after = b.lsmStats().levels.flat();
    expect(after).toHaveLength(1);
    expect(number(after[0].id)).toBeGreaterThan(lastId); // a new file; the inputs are gone
    expect(b.snapshot()).toEqual(before);
  });

  it('cost accounting: reads, writes, seeks and bytes, in virtual ms since the last takeCost()', () => {
    const costs = { readMs: 1, writeMs: 10, seekMs: 100, perByteMs: 0.5 };
    const b = rocks({ costs });
    const v = b.getPartitionedState<ValueState<string>>(new ValueStateDescriptor<string>('v'));
    const m = b.getPartitionedState<MapState<string, number>>(new MapStateDescriptor<string, number>('m'));
    expect(b.takeCost()).toBe(0);
    b.setCurrentKey('key'); // keyJson '"key"': 5 bytes
    v.update('abc'); // value '"abc"': 5 bytes
    expect(b.takeCost()).toBe(10 + 0.5 * 10);
    expect(b.takeCost()).toBe(0);
    expect(v.value()).toBe('abc');
    expect(b.takeCost()).toBe(1 + 0.5 * 10);
    b.setCurrentKey('zz'); // 4 bytes, missing
    expect(v.value()).toBeNull();
    expect(b.takeCost()).toBe(1 + 0.5 * 4);
    m.put('a', 1); // key 4 + uk 3 + value 1
    expect(b.takeCost()).toBe(10 + 0.5 * 8);
    expect([...m.entries()]).toEqual([['a', 1]]);
    expect(b.takeCost()).toBe(100 + 0.5 * 8);
    // inspection (listener values, entries(), snapshot()) costs nothing
    b.listener = () => {};
    m.put('b', 2);
    expect(b.takeCost()).toBe(10 + 0.5 * 8);
    b.snapshot();
    b.entries('m');
    b.numKeys();
    expect(b.takeCost()).toBe(0);
    // the defaults charge something; the heap backend nothing
    const d = rocks();
    d.setCurrentKey(1);
    d.getPartitionedState<ValueState<number>>(new ValueStateDescriptor<number>('v')).update(1);
    expect(d.takeCost()).toBeGreaterThan(0);
    const heap = new HeapKeyedStateBackend(128);
    heap.setCurrentKey(1);
    heap.getPartitionedState<ValueState<number>>(new ValueStateDescriptor<number>('v')).update(1);
    expect(heap.takeCost()).toBe(0);
  });

  it('values are stored serialized: reads return copies', () => {
    const b = rocks();
    const v = b.getPartitionedState<ValueState<{ n: number }>>(new ValueStateDescriptor<{ n: number }>('o'));
    b.setCurrentKey('k');
    v.update({ n: 1 });
    (v.value() as { n: number }).n = 42;
    expect(v.value()).toEqual({ n: 1 });
  });

  it('validates options and keys like the heap backend', () => {
    expect(() => new RocksDBKeyedStateBackend(128, undefined, { ownerId: '' })).toThrow(/ownerId/);
    expect(() => rocks({ memtableEntries: 0 })).toThrow(/memtableEntries/);
    expect(() => rocks({ compactionTrigger: 1 })).toThrow(/compactionTrigger/);
    const b = RocksDBKeyedStateBackend.forSubtask(128, 4, 0, { ownerId: 'x#0' });
    expect(() => b.setCurrentKey('to')).toThrow(
      'Key group 91 is not in KeyGroupRange{startKeyGroup=0, endKeyGroup=31}.',
    );
    const v = b.getPartitionedState<ValueState<number>>(new ValueStateDescriptor<number>('v'));
    expect(() => v.value()).toThrow(/No key set/);
    expect(b.getPartitionedState(new ValueStateDescriptor<number>('v'))).toBe(v);
    expect(() => b.getPartitionedState(new ListStateDescriptor<number>('v'))).toThrow(/already registered/);
  });
});

describe('RocksDB backend: snapshots and restore', () => {
  function fillBoth(n: number, backends: KeyedStateBackend[]): void {
    for (const b of backends) {
      const h = handles(b);
      for (let i = 0; i < n; i++) {
        b.setCurrentKey(i % 3 === 0 ? i : `key-${i}`);
        h.value.update(i);
        h.list.addAll([i, i + 1]);
        h.map.put(`u${i % 4}`, i);
        h.map.put(`a${i % 3}`, -i - 1);
        h.reducing.add(i);
        h.aggregating.add(i);
        h.tv.update(i);
        h.tl.add(i);
        h.tm.put('x', i);
      }
    }
  }

  it('snapshot() is the canonical format: the heap backend’s, restorable both ways', () => {
    const r = rocks({ memtableEntries: 16 });
    const heap = new HeapKeyedStateBackend(128);
    fillBoth(60, [r, heap]);
    const rs = r.snapshot();
    expect(normalize(rs, 0)).toEqual(normalize(heap.snapshot(), 0));
    const heap2 = new HeapKeyedStateBackend(128);
    heap2.restore([JSON.parse(JSON.stringify(rs)) as KeyedStateSnapshot]);
    expect(heap2.snapshot()).toEqual(rs); // map pairs are sorted in both now
    const r2 = rocks();
    r2.restore([heap.snapshot()]);
    expect(normalize(r2.snapshot(), 0)).toEqual(normalize(heap.snapshot(), 0));
    expect(r2.numKeys()).toBe(heap.numKeys());
    expect(r2.stateNames().sort()).toEqual(heap.stateNames().sort());
    for (const name of ['v', 'l', 'r', 'a', 'tv', 'tl']) expect(r2.entries(name)).toEqual(heap.entries(name));
    expect(() => heap.restore([r.snapshotIncremental(1, new Set()) as never])).toThrow(/savepoint/);
  });

  it('incremental: only files not uploaded before; sizes; confirmed files after completion', () => {
    const b = rocks({ memtableEntries: 10, compactionTrigger: 100 });
    const v = b.getPartitionedState<ValueState<number>>(new ValueStateDescriptor<number>('v'));
    for (let i = 0; i < 25; i++) {
      b.setCurrentKey(i);
      v.update(i);
    }
    const c1 = b.snapshotIncremental(1, b.getConfirmedFiles());
    expect(c1.files).toHaveLength(3);
    expect(c1.newFiles).toHaveLength(3);
    expect(c1.stateTypes).toEqual({ v: 'value' });
    expect(c1.ttlStates).toEqual([]);
    const sizes1 = incrementalHandleSizes(c1);
    expect(sizes1.checkpointedBytes).toBe(sizes1.fullBytes);
    expect(sizes1.fullBytes).toBe(b.sstBytes());
    b.notifyCheckpointComplete(1);
    expect([...b.getConfirmedFiles()].sort()).toEqual(c1.files.map((f) => f.id).sort());
    b.setCurrentKey(3);
    v.update(33);
    const c2 = b.snapshotIncremental(2, b.getConfirmedFiles());
    expect(c2.files).toHaveLength(4);
    expect(c2.newFiles).toHaveLength(1);
    expect(c2.newFiles[0].entries).toHaveLength(1);
    const sizes2 = incrementalHandleSizes(c2);
    expect(sizes2.checkpointedBytes).toBe(c2.newFiles[0].bytes);
    // checkpoint 2 never completed: checkpoint 3 must upload its file again
    b.notifyCheckpointAborted(2);
    const c3 = b.snapshotIncremental(3, b.getConfirmedFiles());
    expect(c3.newFiles.map((f) => f.id)).toEqual(c2.newFiles.map((f) => f.id));
    expect(JSON.parse(JSON.stringify(c3))).toEqual(c3);
  });

  it('restores a resolved incremental handle as is (files shared) or rescaled (p = 1 → 2 → 3)', () => {
    const registry = new SharedStateRegistry();
    const src = rocks({ ownerId: 'src#0', memtableEntries: 8 });
    const heap = new HeapKeyedStateBackend(128);
    fillBoth(80, [src, heap]);
    const c1 = src.snapshotIncremental(1, src.getConfirmedFiles());
    registry.registerCheckpoint(
      1,
      c1.files.map((f) => f.id),
      c1.newFiles,
    );
    const resolved = registry.resolve({ ...c1, newFiles: [] });

    // same range: the files are taken over and count as uploaded
    const same = rocks({ ownerId: 'src#0' });
    same.restore([resolved]);
    expect(same.snapshot()).toEqual(src.snapshot());
    expect(same.snapshotIncremental(2, same.getConfirmedFiles()).newFiles).toEqual([]);
    handles(same);
    same.setCurrentKey('key-1');
    handles(same).value.update(-1);
    const next = same.snapshotIncremental(3, same.getConfirmedFiles());
    expect(next.newFiles).toHaveLength(1);
    expect(new Set(next.files.map((f) => f.id)).size).toBe(next.files.length); // no id reused

    // rescaling
    const two = [0, 1].map((i) =>
      RocksDBKeyedStateBackend.forSubtask(128, 2, i, { ownerId: `two#${i}`, memtableEntries: 8 }),
    );
    for (const b of two) b.restore([resolved]);
    expect(two[0].numKeys() + two[1].numKeys()).toBe(heap.numKeys());
    for (let i = 0; i < 80; i++) {
      const k: Key = i % 3 === 0 ? i : `key-${i}`;
      const owner = two[assignKeyToParallelOperator(k, 128, 2)];
      owner.setCurrentKey(k);
      expect(handles(owner).value.value()).toBe(i);
      expect([...handles(owner).tl.get()]).toEqual([i]);
    }
    const handles2 = two.map((b, i) => {
      const h = b.snapshotIncremental(4, new Set());
      registry.registerCheckpoint(
        4,
        h.files.map((f) => f.id),
        h.newFiles,
      );
      return registry.resolve(i === 0 ? h : { ...h, newFiles: [] });
    });
    const three = [0, 1, 2].map((i) =>
      RocksDBKeyedStateBackend.forSubtask(128, 3, i, { ownerId: `three#${i}` }),
    );
    for (const b of three) b.restore(handles2);
    expect(three.reduce((n, b) => n + b.numKeys(), 0)).toBe(heap.numKeys());
    const merged = new HeapKeyedStateBackend(128);
    merged.restore(three.map((b) => b.snapshot()));
    expect(normalize(merged.snapshot(), 0)).toEqual(normalize(heap.snapshot(), 0));
    // a mix of full snapshots and incremental handles
    const mixed = rocks();
    mixed.restore([handles2[0], two[1].snapshot()]);
    expect(normalize(mixed.snapshot(), 0)).toEqual(normalize(heap.snapshot(), 0));
    expect(() => mixed.restore([c1 as never])).toThrow(/must be resolved first/);
    expect(() => mixed.restore([{ ...resolved, maxParallelism: 256 }])).toThrow(/maxParallelism/);
  });
});

describe('RocksDB incremental checkpoints at scale', () => {
  it('1% of 100k keys changed: the second checkpoint uploads ~1% of the full size; it restores after the first is released', () => {
    const N = 100_000;
    const started = Date.now();
    const registry = new SharedStateRegistry();
    const b = new RocksDBKeyedStateBackend(128, undefined, {
      ownerId: 'count#0',
      memtableEntries: 10_000,
      compactionTrigger: 4,
    });
    const v = b.getPartitionedState<ValueState<number>>(new ValueStateDescriptor<number>('count'));
    for (let i = 0; i < N; i++) {
      b.setCurrentKey(`user-${i}`);
      v.update(i);
    }
    const c1 = b.snapshotIncremental(1, b.getConfirmedFiles());
    registry.registerCheckpoint(
      1,
      c1.files.map((f) => f.id),
      c1.newFiles,
    );
    b.notifyCheckpointComplete(1);
    const s1 = incrementalHandleSizes(c1);
    expect(s1.checkpointedBytes).toBe(s1.fullBytes);

    for (let i = 0; i < N; i += 100) {
      b.setCurrentKey(`user-${i}`);
      v.update(-i);
    }
    const c2 = b.snapshotIncremental(2, b.getConfirmedFiles());
    registry.registerCheckpoint(
      2,
      c2.files.map((f) => f.id),
      c2.newFiles,
    );
    b.notifyCheckpointComplete(2);
    const s2 = incrementalHandleSizes(c2);
    const ratio = s2.checkpointedBytes / s2.fullBytes;
    expect(ratio).toBeGreaterThan(0.005);
    expect(ratio).toBeLessThan(0.05);
    expect(s2.fullBytes).toBeGreaterThan(s1.fullBytes);

    // retained checkpoints = 1: checkpoint 1 is subsumed; the files checkpoint 2 shares stay
    const deleted = registry.releaseCheckpoint(1);
    for (const f of c2.files) expect(registry.has(f.id)).toBe(true);
    for (const id of deleted) expect(c2.files.some((f) => f.id === id)).toBe(false);
    const resolved = registry.resolve({ ...c2, newFiles: [] });
    const restored = new RocksDBKeyedStateBackend(128, undefined, { ownerId: 'count#0' });
    restored.restore([resolved]);
    const rv = restored.getPartitionedState<ValueState<number>>(new ValueStateDescriptor<number>('count'));
    for (let i = 0; i < N; i++) {
      restored.setCurrentKey(`user-${i}`);
      if (rv.value() !== (i % 100 === 0 ? -i : i)) expect.fail(`user-${i}: ${rv.value()}`);
    }
    expect(restored.numKeys()).toBe(N);
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `incremental 100k: full ${s2.fullBytes} B, delta ${s2.checkpointedBytes} B (${(ratio * 100).toFixed(2)}%), ` +
        `${c2.files.length} files, ${seconds.toFixed(1)} s`,
    );
  });
});

// ---- Model test: the RocksDB backend behaves exactly like the heap backend ----

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
    s: fc.constantFrom('value', 'list', 'map', 'reducing', 'aggregating', 'tv', 'tl', 'tm'),
  }),
  fc.record({ t: fc.constant('ttlValue' as const), v: n }),
  fc.record({ t: fc.constant('ttlList' as const), v: n }),
  fc.record({ t: fc.constant('ttlMap' as const), k: uk, v: n }),
  fc.record({ t: fc.constant('advance' as const), dt: fc.integer({ min: 0, max: 70 }) }),
  fc.record({ t: fc.constant('flush' as const) }),
  fc.record({ t: fc.constant('compactAll' as const) }),
  fc.record({ t: fc.constant('snapshotRestore' as const), p: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ t: fc.constant('incrementalRestore' as const), p: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ t: fc.constant('crossRestore' as const) }),
);

type H = ReturnType<typeof handles>;

function apply(h: H, op: Op): void {
  switch (op.t) {
    case 'valueUpdate':
      h.value.update(op.v);
      break;
    case 'listAdd':
      h.list.add(op.v);
      break;
    case 'listAddAll':
      h.list.addAll(op.vs);
      break;
    case 'listUpdate':
      h.list.update(op.vs);
      break;
    case 'mapPut':
      h.map.put(op.k, op.v);
      break;
    case 'mapPutAll':
      h.map.putAll(op.kv);
      break;
    case 'mapRemove':
      h.map.remove(op.k);
      break;
    case 'reduce':
      h.reducing.add(op.v);
      break;
    case 'agg':
      h.aggregating.add(op.v);
      break;
    case 'clear':
      h[op.s].clear();
      break;
    case 'ttlValue':
      h.tv.update(op.v);
      break;
    case 'ttlList':
      h.tl.add(op.v);
      break;
    case 'ttlMap':
      h.tm.put(op.k, op.v);
      break;
    default:
      break;
  }
}

type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

/** Everything a user can read for the current key, in a fixed order (reads have TTL side effects). */
function reads(h: H): unknown[] {
  return [
    h.value.value(),
    [...h.list.get()],
    sortPairs(h.map.entries()),
    h.map.isEmpty(),
    h.map.get('y'),
    h.map.contains('x'),
    h.reducing.get(),
    h.aggregating.get(),
    h.tv.value(),
    [...h.tl.get()],
    sortPairs(h.tm.entries()),
    h.tm.contains('z'),
  ];
}

describe('property: the RocksDB backend gives the same results and snapshots as the heap backend', () => {
  it('random operation sequences with flushes, compactions, TTL and restores into other parallelism', () => {
    fc.assert(
      fc.property(
        keyArb,
        fc.array(opArb, { maxLength: 70 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 2, max: 4 }),
        (firstKey, ops, memtableEntries, compactionTrigger) => {
          let now = 0;
          const clock = (): number => now;
          let checkpointId = 0;
          const registry = new SharedStateRegistry();
          const opts = (): RocksDBOptions => ({
            ownerId: `m#${owners++}`,
            memtableEntries,
            compactionTrigger,
          });
          let heap: KeyedStateBackend = new HeapKeyedStateBackend(128);
          let rdb = new RocksDBKeyedStateBackend(128, undefined, opts());
          const listenerCalls: [unknown[], unknown[]] = [[], []];
          const setUp = (): [H, H] => {
            heap.setTimeProvider(clock);
            rdb.setTimeProvider(clock);
            // Listener calls must match for the states without TTL (TTL cleanup differs by design).
            heap.listener = (s, k, v) => {
              if (!s.startsWith('t'))
                listenerCalls[0].push([s, k, s === 'm' && v !== null ? sortPairs(v as []) : v]);
            };
            rdb.listener = (s, k, v) => {
              if (!s.startsWith('t')) listenerCalls[1].push([s, k, v]);
            };
            return [handles(heap), handles(rdb)];
          };
          let [hh, rh] = setUp();
          let key: Key = firstKey;
          heap.setCurrentKey(key);
          rdb.setCurrentKey(key);

          const compareSnapshots = (): void => {
            expect(normalize(rdb.snapshot(), now)).toEqual(normalize(heap.snapshot(), now));
          };

          for (const op of ops) {
            switch (op.t) {
              case 'setKey':
                key = op.key;
                heap.setCurrentKey(key);
                rdb.setCurrentKey(key);
                break;
              case 'advance':
                now += op.dt;
                break;
              case 'flush':
                rdb.flush();
                break;
              case 'compactAll':
                rdb.compactAll();
                break;
              case 'snapshotRestore': {
                compareSnapshots();
                const rescale = <B extends KeyedStateBackend>(
                  b: B,
                  make: (i: number) => B,
                  whole: () => B,
                ): B => {
                  const snap = JSON.parse(JSON.stringify(b.snapshot())) as KeyedStateSnapshot;
                  const parts = Array.from({ length: op.p }, (_, i) => make(i));
                  for (const part of parts) part.restore([snap]);
                  const back = whole();
                  back.restore(parts.map((part) => part.snapshot()));
                  return back;
                };
                heap = rescale(
                  heap,
                  (i) => HeapKeyedStateBackend.forSubtask(128, op.p, i),
                  () => new HeapKeyedStateBackend(128),
                );
                rdb = rescale(
                  rdb,
                  (i) => RocksDBKeyedStateBackend.forSubtask(128, op.p, i, opts()),
                  () => new RocksDBKeyedStateBackend(128, undefined, opts()),
                );
                [hh, rh] = setUp();
                heap.setCurrentKey(key);
                rdb.setCurrentKey(key);
                break;
              }
              case 'incrementalRestore': {
                // RocksDB: incremental checkpoint → registry → restore into p subtasks → and back.
                compareSnapshots();
                const id = ++checkpointId;
                const h1 = rdb.snapshotIncremental(id, rdb.getConfirmedFiles());
                registry.registerCheckpoint(
                  id,
                  h1.files.map((f) => f.id),
                  h1.newFiles,
                );
                rdb.notifyCheckpointComplete(id);
                if (id > 1) registry.releaseCheckpoint(id - 1);
                const parts = Array.from({ length: op.p }, (_, i) =>
                  RocksDBKeyedStateBackend.forSubtask(128, op.p, i, opts()),
                );
                const resolved = registry.resolve({ ...h1, newFiles: [] });
                for (const part of parts) part.restore([resolved]);
                const id2 = ++checkpointId;
                const partHandles = parts.map((part) => {
                  const h2 = part.snapshotIncremental(id2, part.getConfirmedFiles());
                  registry.registerCheckpoint(
                    id2,
                    h2.files.map((f) => f.id),
                    h2.newFiles,
                  );
                  return h2;
                });
                registry.releaseCheckpoint(id);
                rdb = new RocksDBKeyedStateBackend(128, undefined, opts());
                rdb.restore(
                  partHandles.map((h2) => resolveIncrementalHandle(h2, (fid) => registry.getFile(fid))),
                );
                [hh, rh] = setUp();
                heap.setCurrentKey(key);
                rdb.setCurrentKey(key);
                break;
              }
              case 'crossRestore': {
                // switch backends through the canonical format
                const hs = heap.snapshot();
                const rs = rdb.snapshot();
                heap = new HeapKeyedStateBackend(128);
                heap.restore([rs]);
                rdb = new RocksDBKeyedStateBackend(128, undefined, opts());
                rdb.restore([hs]);
                [hh, rh] = setUp();
                heap.setCurrentKey(key);
                rdb.setCurrentKey(key);
                break;
              }
              default:
                apply(hh, op);
                apply(rh, op);
            }
            expect(reads(rh)).toEqual(reads(hh));
          }
          expect(listenerCalls[1]).toEqual(listenerCalls[0]);
          compareSnapshots();
          // and the non-TTL states exactly (no expiry involved), for every key
          for (const name of ['v', 'l', 'r', 'a']) expect(rdb.entries(name)).toEqual(heap.entries(name));
          expect(sortEntries(rdb.entries('m'))).toEqual(sortEntries(heap.entries('m')));
        },
      ),
      { seed: FC_SEED, numRuns: 250 },
    );
  });
});

function sortEntries(entries: ReadonlyArray<readonly [Key, unknown, string?]>): Array<[Key, unknown]> {
  return entries.map(([k, v]) => [k, sortPairs(v as Array<[string, unknown]>)]);
}
