/**
 * Keyed state per (key, namespace), as Flink's StateTable and RocksDB key layout keep it: window
 * state lives in the window's namespace next to the VoidNamespace state of the same key; both
 * backends snapshot it per key group with the namespace, restore it into each other and into other
 * key-group ranges (rescaling); the storage codec keeps it; timers are per (key, namespace, timestamp).
 */
import { describe, expect, it } from 'vitest';
import {
  HeapKeyedStateBackend,
  KeyGroupRange,
  ListStateDescriptor,
  RocksDBKeyedStateBackend,
  ValueStateDescriptor,
  type KeyedStateBackend,
  type ListState,
  type ValueState,
} from '../../src/engine/index';
import { InternalTimerService } from '../../src/engine/time/InternalTimerService';
import { decodeSstFile, decodeTask, encodeSstFile, encodeTask } from '../../src/storage/codec';

const W1 = 'TimeWindow{start=0, end=10}';
const W2 = 'TimeWindow{start=10, end=20}';
const MAXP = 8;

type Make = (range?: KeyGroupRange) => KeyedStateBackend;
const backends: Array<[string, Make]> = [
  ['heap', (r) => new HeapKeyedStateBackend(MAXP, r)],
  ['rocksdb', (r) => new RocksDBKeyedStateBackend(MAXP, r, { ownerId: 't#0', memtableEntries: 3 })],
];

const contents = new ListStateDescriptor<number>('contents');
const count = new ValueStateDescriptor<number>('count');

function fill(b: KeyedStateBackend): void {
  for (const key of ['a', 'b', 'c', 'd']) {
    b.setCurrentKey(key);
    b.getNamespacedState<ListState<number>>(contents, W1).add(1);
    b.getNamespacedState<ListState<number>>(contents, W2).addAll([2, 3]);
    b.getPartitionedState<ValueState<number>>(count).update(key.charCodeAt(0));
  }
}

function read(b: KeyedStateBackend, key: string): { w1: number[]; w2: number[]; count: number | null } {
  b.setCurrentKey(key);
  const w1 = [...b.getNamespacedState<ListState<number>>(contents, W1).get()];
  const w2 = [...b.getNamespacedState<ListState<number>>(contents, W2).get()];
  return { w1, w2, count: b.getPartitionedState<ValueState<number>>(count).value() };
}

describe.each(backends)('namespaces in the %s backend', (_name, make) => {
  it('keeps one value per (key, namespace); clearing a window leaves the others', () => {
    const b = make();
    fill(b);
    expect(read(b, 'a')).toEqual({ w1: [1], w2: [2, 3], count: 97 });
    b.setCurrentKey('a');
    b.getNamespacedState<ListState<number>>(contents, W1).clear();
    expect(read(b, 'a')).toEqual({ w1: [], w2: [2, 3], count: 97 });
    // VoidNamespace: the handle from getPartitionedState is back in VoidNamespace (no entry there).
    b.setCurrentKey('b');
    expect([...b.getPartitionedState<ListState<number>>(contents).get()]).toEqual([]);
    // Inspection lists every (key, namespace) entry, sorted by key then namespace.
    const rows = b.entries('contents').filter(([k]) => k === 'a' || k === 'b');
    expect(rows).toEqual([
      ['a', [2, 3], W2],
      ['b', [1], W1],
      ['b', [2, 3], W2],
    ]);
  });

  it.each(backends)(
    'snapshots carry namespaces and restore into %s, rescaled in two halves',
    (_t, target) => {
      const b = make();
      fill(b);
      const snap = b.snapshot();
      const nsEntries = snap.keyGroups.flatMap((g) => g.states.contents?.entries ?? []);
      expect(nsEntries.every((e) => e[2] === W1 || e[2] === W2)).toBe(true);
      expect(nsEntries).toHaveLength(8);
      const halves = [new KeyGroupRange(0, 3), new KeyGroupRange(4, 7)].map((r) => {
        const t = target(r);
        t.restore([snap]);
        return t;
      });
      for (const key of ['a', 'b', 'c', 'd']) {
        const owner = halves.find((h) => {
          try {
            h.setCurrentKey(key);
            return true;
          } catch {
            return false;
          }
        }) as KeyedStateBackend;
        expect(read(owner, key)).toEqual({ w1: [1], w2: [2, 3], count: key.charCodeAt(0) });
      }
    },
  );

  it('the IndexedDB codec keeps the namespaces', () => {
    const b = make();
    fill(b);
    const snap = b.snapshot();
    const task = {
      taskId: 'w#0',
      operatorUid: 'w',
      operatorName: 'Window',
      subtaskIndex: 0,
      parallelism: 1,
      maxParallelism: MAXP,
      keyedState: snap,
      operatorState: null,
      timers: [],
      inputChannelState: [],
      outputChannelState: [],
      stateBytes: 0,
      channelStateBytes: 0,
    };
    const back = decodeTask(encodeTask(task as Parameters<typeof encodeTask>[0]));
    expect(back.keyedState).toEqual(snap);
  });
});

describe('namespaces in SST files and timers', () => {
  it('an SST file with namespaced entries survives the codec', () => {
    const b = new RocksDBKeyedStateBackend(MAXP, undefined, { ownerId: 'x#0', memtableEntries: 100 });
    fill(b);
    b.flush();
    const h = b.snapshotIncremental(1, new Set());
    for (const f of h.newFiles) {
      expect(f.entries.some((e) => e.ns === W1)).toBe(true);
      expect(decodeSstFile(encodeSstFile(f))).toEqual(f);
    }
  });

  it('timers are per (key, namespace, timestamp): the same time in two windows is two timers', () => {
    const s = new InternalTimerService();
    expect(s.register('EVENT_TIME', 'a', 1, 9, W1)).toBe(true);
    expect(s.register('EVENT_TIME', 'a', 1, 9, W2)).toBe(true);
    expect(s.register('EVENT_TIME', 'a', 1, 9, W1)).toBe(false);
    expect(s.register('EVENT_TIME', 'a', 1, 9)).toBe(true);
    s.delete('EVENT_TIME', 'a', 9, W2);
    expect(s.snapshot().map((t) => t.namespace)).toEqual([W1, undefined]);
    const r = new InternalTimerService();
    r.restore(s.snapshot(), () => true);
    expect(r.snapshot()).toEqual(s.snapshot());
  });
});
