import { describe, expect, it } from 'vitest';
import type { Key } from '../../src/engine/keygroups/hashCode';
import { HeapKeyedStateBackend } from '../../src/engine/state/HeapKeyedStateBackend';
import type { KeyedStateBackend, KeyedStateSnapshot } from '../../src/engine/state/KeyedStateBackend';
import { RocksDBKeyedStateBackend } from '../../src/engine/state/rocksdb/RocksDBKeyedStateBackend';
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
import {
  StateTtlConfig,
  StateVisibility,
  TtlTimeCharacteristic,
  UpdateType,
} from '../../src/engine/state/ttl/StateTtlConfig';

/** A fake processing-time clock. */
class Clock {
  t = 0;
  readonly now = (): number => this.t;
}

type Factory = (clock: Clock) => KeyedStateBackend;
const BACKENDS: Array<[string, Factory]> = [
  [
    'heap',
    (clock) => {
      const b = new HeapKeyedStateBackend(128);
      b.setTimeProvider(clock.now);
      return b;
    },
  ],
  [
    'rocksdb',
    (clock) => {
      const b = new RocksDBKeyedStateBackend(128, undefined, { ownerId: 'ttl#0', memtableEntries: 4 });
      b.setTimeProvider(clock.now);
      return b;
    },
  ],
];

const TTL = 100;
/**
 * Background cleanup off: these tests are about what reads and writes do. (With it, the heap backend's
 * access callback may remove an expired value just before a read would have returned it.)
 */
const ttl = (
  update: UpdateType = UpdateType.OnCreateAndWrite,
  visibility: StateVisibility = StateVisibility.NeverReturnExpired,
): StateTtlConfig =>
  StateTtlConfig.newBuilder(TTL)
    .setUpdateType(update)
    .setStateVisibility(visibility)
    .disableCleanupInBackground()
    .build();

type SumAcc = { sum: number };
const summing: AggregateFunction<number, SumAcc, number> = {
  createAccumulator: () => ({ sum: 0 }),
  add: (v, acc) => ({ sum: acc.sum + v }),
  getResult: (acc) => acc.sum,
  merge: (a, b) => ({ sum: a.sum + b.sum }),
};

describe('StateTtlConfig', () => {
  it("has Flink's defaults", () => {
    const c = StateTtlConfig.newBuilder(1000).build();
    expect(c.getTtl()).toBe(1000);
    expect(c.getUpdateType()).toBe(UpdateType.OnCreateAndWrite);
    expect(c.getStateVisibility()).toBe(StateVisibility.NeverReturnExpired);
    expect(c.getTtlTimeCharacteristic()).toBe(TtlTimeCharacteristic.ProcessingTime);
    expect(c.isEnabled()).toBe(true);
    const cs = c.getCleanupStrategies();
    expect(cs.isCleanupInBackground).toBe(true);
    expect(cs.inFullSnapshot()).toBe(false);
    expect(cs.getIncrementalCleanupStrategy()).toEqual({ cleanupSize: 5, runCleanupForEveryRecord: false });
    expect(cs.getRocksdbCompactFilterCleanupStrategy()).toEqual({ queryTimeAfterNumEntries: 1000 });
    expect(StateTtlConfig.UpdateType.OnReadAndWrite).toBe('OnReadAndWrite');
    expect(c.toString()).toContain('ttl=1000ms');
  });

  it('builder setters, validation, and background cleanup switched off', () => {
    const c = StateTtlConfig.newBuilder(5)
      .updateTtlOnReadAndWrite()
      .returnExpiredIfNotCleanedUp()
      .useProcessingTime()
      .setTtl(7)
      .cleanupFullSnapshot()
      .cleanupIncrementally(3, true)
      .disableCleanupInBackground()
      .build();
    expect(c.getTtl()).toBe(7);
    expect(c.getUpdateType()).toBe('OnReadAndWrite');
    expect(c.getStateVisibility()).toBe('ReturnExpiredIfNotCleanedUp');
    expect(c.getCleanupStrategies().inFullSnapshot()).toBe(true);
    expect(c.getCleanupStrategies().getIncrementalCleanupStrategy()).toEqual({
      cleanupSize: 3,
      runCleanupForEveryRecord: true,
    });
    expect(c.getCleanupStrategies().getRocksdbCompactFilterCleanupStrategy()).toBeNull();
    expect(
      StateTtlConfig.newBuilder(5)
        .disableCleanupInBackground()
        .build()
        .getCleanupStrategies()
        .getIncrementalCleanupStrategy(),
    ).toBeNull();
    expect(() => StateTtlConfig.newBuilder(0)).toThrow(/positive/);
    expect(() => StateTtlConfig.newBuilder(-1)).toThrow(/positive/);
    expect(() => StateTtlConfig.newBuilder(5).cleanupIncrementally(0, false)).toThrow(/positive/);
    expect(() => StateTtlConfig.newBuilder(5).setUpdateType('Sometimes' as UpdateType)).toThrow();
    expect(() =>
      StateTtlConfig.newBuilder(5).setTtlTimeCharacteristic('EventTime' as TtlTimeCharacteristic),
    ).toThrow(/processing time/);
  });

  it('enableTimeToLive works on every descriptor type and rejects DISABLED', () => {
    const c = ttl();
    const ds = [
      new ValueStateDescriptor<number>('v'),
      new ListStateDescriptor<number>('l'),
      new MapStateDescriptor<string, number>('m'),
      new ReducingStateDescriptor<number>('r', (a, b) => a + b),
      new AggregatingStateDescriptor('a', summing),
    ];
    for (const d of ds) {
      expect(d.getTtlConfig()).toBeNull();
      expect(d.enableTimeToLive(c)).toBe(d);
      expect(d.getTtlConfig()).toBe(c);
    }
    expect(() => new ValueStateDescriptor('x').enableTimeToLive(StateTtlConfig.DISABLED)).toThrow(/Disabled/);
  });
});

describe.each(BACKENDS)('TTL semantics (%s backend)', (_name, create) => {
  function setup<S>(
    make: () => { getTtlConfig(): StateTtlConfig | null } & Parameters<
      KeyedStateBackend['getPartitionedState']
    >[0],
  ) {
    const clock = new Clock();
    const b = create(clock);
    const s = b.getPartitionedState(make()) as S;
    b.setCurrentKey('k');
    return { clock, b, s };
  }

  it('nothing expires while the default time provider (always 0) is used', () => {
    const b = create(new Clock());
    b.setTimeProvider(() => 0);
    const s = b.getPartitionedState<ValueState<number>>(
      new ValueStateDescriptor<number>('v').enableTimeToLive(ttl()),
    );
    b.setCurrentKey('k');
    s.update(1);
    expect(s.value()).toBe(1);
  });

  it('ValueState, OnCreateAndWrite: expires ttl ms after the last write; reads do not extend it', () => {
    const { clock, b, s } = setup<ValueState<string>>(() =>
      new ValueStateDescriptor<string>('v').enableTimeToLive(ttl()),
    );
    s.update('a'); // t = 0
    clock.t = 50;
    expect(s.value()).toBe('a');
    clock.t = 99;
    expect(s.value()).toBe('a');
    clock.t = 100; // lastAccess + ttl <= now: expired
    expect(s.value()).toBeNull();
    s.update('b'); // t = 100
    clock.t = 199;
    expect(s.value()).toBe('b');
    s.update('c'); // t = 199: writes extend
    clock.t = 250;
    expect(s.value()).toBe('c');
    clock.t = 298;
    expect(s.value()).toBe('c');
    clock.t = 299;
    expect(s.value()).toBeNull();
    expect(b.numKeys()).toBe(0); // cleaned up on read
  });

  it('ValueState, OnReadAndWrite: reads extend the lifetime', () => {
    const { clock, s } = setup<ValueState<number>>(() =>
      new ValueStateDescriptor<number>('v').enableTimeToLive(ttl(UpdateType.OnReadAndWrite)),
    );
    s.update(7); // t = 0
    clock.t = 90;
    expect(s.value()).toBe(7); // lastAccess = 90
    clock.t = 189;
    expect(s.value()).toBe(7); // lastAccess = 189
    clock.t = 288;
    expect(s.value()).toBe(7);
    clock.t = 388;
    expect(s.value()).toBeNull();
  });

  it('NeverReturnExpired vs ReturnExpiredIfNotCleanedUp; cleanup on read removes the value', () => {
    const clock = new Clock();
    const b = create(clock);
    const never = b.getPartitionedState<ValueState<number>>(
      new ValueStateDescriptor<number>('never').enableTimeToLive(ttl()),
    );
    const ret = b.getPartitionedState<ValueState<number>>(
      new ValueStateDescriptor<number>('ret').enableTimeToLive(
        ttl(UpdateType.OnCreateAndWrite, StateVisibility.ReturnExpiredIfNotCleanedUp),
      ),
    );
    b.setCurrentKey('k');
    never.update(1);
    ret.update(2);
    clock.t = 500;
    expect(b.entries('never')).toEqual([['k', 1]]); // still stored: nothing read it yet
    expect(never.value()).toBeNull();
    expect(b.entries('never')).toEqual([]); // the read removed it
    expect(ret.value()).toBe(2); // expired, but not cleaned up yet: returned ...
    expect(b.entries('ret')).toEqual([]); // ... and removed by that read
    expect(ret.value()).toBeNull();
  });

  it('a default value is not used with TTL (as in Flink)', () => {
    const { clock, s } = setup<ValueState<number>>(() =>
      new ValueStateDescriptor<number>('v', 42).enableTimeToLive(ttl()),
    );
    expect(s.value()).toBeNull();
    s.update(1);
    clock.t = TTL;
    expect(s.value()).toBeNull();
  });

  it('ListState: every element has its own timestamp', () => {
    const { clock, b, s } = setup<ListState<string>>(() =>
      new ListStateDescriptor<string>('l').enableTimeToLive(ttl()),
    );
    s.add('a'); // t = 0
    clock.t = 50;
    s.addAll(['b', 'c']); // t = 50
    clock.t = 99;
    expect([...s.get()]).toEqual(['a', 'b', 'c']);
    clock.t = 100;
    expect([...s.get()]).toEqual(['b', 'c']);
    // the read removed the expired element from the stored list
    const snap = b.snapshot();
    expect(snap.keyGroups[0].states.l.entries[0][1]).toEqual([
      { value: 'b', lastAccess: 50 },
      { value: 'c', lastAccess: 50 },
    ]);
    clock.t = 120;
    s.update(['x', 'y']); // every element new
    clock.t = 219;
    expect([...s.get()]).toEqual(['x', 'y']);
    clock.t = 220;
    expect([...s.get()]).toEqual([]);
    expect(b.numKeys()).toBe(0);
  });

  it('ListState, OnReadAndWrite refreshes the unexpired elements; ReturnExpired returns expired ones once', () => {
    const clock = new Clock();
    const b = create(clock);
    const rw = b.getPartitionedState<ListState<number>>(
      new ListStateDescriptor<number>('rw').enableTimeToLive(ttl(UpdateType.OnReadAndWrite)),
    );
    const re = b.getPartitionedState<ListState<number>>(
      new ListStateDescriptor<number>('re').enableTimeToLive(
        ttl(UpdateType.OnCreateAndWrite, StateVisibility.ReturnExpiredIfNotCleanedUp),
      ),
    );
    b.setCurrentKey(1);
    rw.add(1); // 0
    re.add(1);
    clock.t = 60;
    rw.add(2); // 60
    re.add(2);
    clock.t = 80;
    expect([...rw.get()]).toEqual([1, 2]); // both refreshed to 80
    clock.t = 130;
    expect([...re.get()]).toEqual([1, 2]); // 1 expired but returned ...
    expect([...re.get()]).toEqual([2]); // ... once
    clock.t = 175; // 1 was written at 0, 2 at 60, both read at 80
    expect([...rw.get()]).toEqual([1, 2]);
  });

  it('MapState: every entry has its own timestamp', () => {
    const { clock, b, s } = setup<MapState<string, number>>(() =>
      new MapStateDescriptor<string, number>('m').enableTimeToLive(ttl()),
    );
    s.put('x', 1); // 0
    clock.t = 50;
    s.putAll({ y: 2, z: 3 }); // 50
    clock.t = 100;
    expect(s.get('x')).toBeNull();
    expect(s.contains('x')).toBe(false);
    expect(s.contains('y')).toBe(true);
    expect(s.get('z')).toBe(3);
    expect(sorted(s.entries())).toEqual([
      ['y', 2],
      ['z', 3],
    ]);
    expect(s.isEmpty()).toBe(false);
    s.put('y', 20); // 100: only y is renewed
    clock.t = 150;
    expect([...s.keys()]).toEqual(['y']);
    expect([...s.values()]).toEqual([20]);
    clock.t = 200;
    expect(s.isEmpty()).toBe(true);
    expect(b.numKeys()).toBe(0);
  });

  it('MapState, OnReadAndWrite: get refreshes that entry only', () => {
    const { clock, s } = setup<MapState<string, number>>(() =>
      new MapStateDescriptor<string, number>('m').enableTimeToLive(ttl(UpdateType.OnReadAndWrite)),
    );
    s.put('a', 1);
    s.put('b', 2);
    clock.t = 90;
    expect(s.get('a')).toBe(1);
    clock.t = 150;
    expect(sorted(s.entries())).toEqual([['a', 1]]); // entries() refreshes a again (t = 150)
    clock.t = 249;
    expect(s.contains('a')).toBe(true);
  });

  it('ReducingState and AggregatingState: add is a write; an expired value is not continued', () => {
    const clock = new Clock();
    const b = create(clock);
    const r = b.getPartitionedState<ReducingState<number>>(
      new ReducingStateDescriptor<number>('r', (x, y) => x + y).enableTimeToLive(ttl()),
    );
    const a = b.getPartitionedState<AggregatingState<number, number>>(
      new AggregatingStateDescriptor('a', summing).enableTimeToLive(ttl()),
    );
    b.setCurrentKey('k');
    r.add(1);
    a.add(1);
    clock.t = 60;
    r.add(2); // renews
    a.add(2);
    clock.t = 150;
    expect(r.get()).toBe(3);
    expect(a.get()).toBe(3);
    clock.t = 160;
    r.add(10); // the previous sum expired at 160: starts over
    a.add(10);
    expect(r.get()).toBe(10);
    expect(a.get()).toBe(10);
    clock.t = 260;
    expect(r.get()).toBeNull();
    expect(a.get()).toBeNull();
  });

  it('ReturnExpiredIfNotCleanedUp: reducing continues from an expired value (Flink’s TtlReduceFunction)', () => {
    const { clock, s } = setup<ReducingState<number>>(() =>
      new ReducingStateDescriptor<number>('r', (x, y) => x + y).enableTimeToLive(
        ttl(UpdateType.OnCreateAndWrite, StateVisibility.ReturnExpiredIfNotCleanedUp),
      ),
    );
    s.add(5);
    clock.t = 200;
    s.add(1);
    expect(s.get()).toBe(6);
  });

  it('the listener sees user values (timestamps stripped)', () => {
    const { clock, b, s } = setup<ListState<number>>(() =>
      new ListStateDescriptor<number>('l').enableTimeToLive(ttl()),
    );
    const calls: Array<[string, Key, unknown]> = [];
    b.listener = (n, k, v) => calls.push([n, k, v]);
    s.add(1);
    clock.t = 10;
    s.add(2);
    clock.t = 100;
    s.get(); // removes 1
    clock.t = 200;
    s.get(); // removes everything
    expect(calls).toEqual([
      ['l', 'k', [1]],
      ['l', 'k', [1, 2]],
      ['l', 'k', [2]],
      ['l', 'k', null],
    ]);
    expect(b.takeCost()).toBeGreaterThanOrEqual(0);
  });

  it('snapshot format: ttl flag and { value, lastAccess } per value / element / entry', () => {
    const clock = new Clock();
    const b = create(clock);
    const v = b.getPartitionedState<ValueState<number>>(
      new ValueStateDescriptor<number>('v').enableTimeToLive(ttl()),
    );
    const l = b.getPartitionedState<ListState<number>>(
      new ListStateDescriptor<number>('l').enableTimeToLive(ttl()),
    );
    const m = b.getPartitionedState<MapState<string, number>>(
      new MapStateDescriptor<string, number>('m').enableTimeToLive(ttl()),
    );
    const plain = b.getPartitionedState<ValueState<number>>(new ValueStateDescriptor<number>('plain'));
    b.setCurrentKey('k');
    clock.t = 3;
    v.update(1);
    l.add(1);
    plain.update(9);
    clock.t = 4;
    l.add(2);
    m.put('u', 5);
    const snap = b.snapshot();
    expect(snap.keyGroups).toHaveLength(1);
    expect(snap.keyGroups[0].states).toEqual({
      l: {
        type: 'list',
        ttl: true,
        entries: [
          [
            'k',
            [
              { value: 1, lastAccess: 3 },
              { value: 2, lastAccess: 4 },
            ],
          ],
        ],
      },
      m: { type: 'map', ttl: true, entries: [['k', [['u', { value: 5, lastAccess: 4 }]]]] },
      plain: { type: 'value', entries: [['k', 9]] },
      v: { type: 'value', ttl: true, entries: [['k', { value: 1, lastAccess: 3 }]] },
    });
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
    expect(b.entries('m')).toEqual([['k', [['u', 5]]]]);
  });

  it.each(BACKENDS)('restore into %s keeps the timestamps', (_other, createOther) => {
    const clock = new Clock();
    const b = create(clock);
    const d = () => new ValueStateDescriptor<number>('v').enableTimeToLive(ttl());
    const s = b.getPartitionedState<ValueState<number>>(d());
    b.setCurrentKey('early');
    s.update(1); // 0
    clock.t = 60;
    b.setCurrentKey('late');
    s.update(2); // 60
    const snap = JSON.parse(JSON.stringify(b.snapshot())) as KeyedStateSnapshot;
    const r = createOther(clock);
    r.restore([snap]);
    const rs = r.getPartitionedState<ValueState<number>>(d());
    clock.t = 120;
    r.setCurrentKey('early');
    expect(rs.value()).toBeNull();
    r.setCurrentKey('late');
    expect(rs.value()).toBe(2);
    clock.t = 160;
    expect(rs.value()).toBeNull();
  });

  it('enabling or disabling TTL on restored state is a state incompatibility naming the state', () => {
    const clock = new Clock();
    const plain = create(clock);
    plain.setCurrentKey('k');
    plain.getPartitionedState<ValueState<number>>(new ValueStateDescriptor<number>('count')).update(1);
    const withTtl = create(clock);
    withTtl.setCurrentKey('k');
    withTtl
      .getPartitionedState<ValueState<number>>(
        new ValueStateDescriptor<number>('seen').enableTimeToLive(ttl()),
      )
      .update(1);

    const a = create(clock);
    a.restore([plain.snapshot()]);
    expect(() =>
      a.getPartitionedState(new ValueStateDescriptor<number>('count').enableTimeToLive(ttl())),
    ).toThrow(/State "count" was stored without TTL but its descriptor enables TTL.*incompatibility/);
    expect(a.getPartitionedState(new ValueStateDescriptor<number>('count'))).toBeDefined();

    const c = create(clock);
    c.restore([withTtl.snapshot()]);
    expect(() => c.getPartitionedState(new ValueStateDescriptor<number>('seen'))).toThrow(
      /State "seen" was stored with TTL but its descriptor does not enable TTL/,
    );

    // registered first, restored afterwards
    const e = create(clock);
    e.getPartitionedState(new ValueStateDescriptor<number>('count').enableTimeToLive(ttl()));
    expect(() => e.restore([plain.snapshot()])).toThrow(/State "count" was stored without TTL/);

    // two descriptors for the same state disagreeing on TTL
    const f = create(clock);
    f.getPartitionedState(new ValueStateDescriptor<number>('x'));
    expect(() =>
      f.getPartitionedState(new ValueStateDescriptor<number>('x').enableTimeToLive(ttl())),
    ).toThrow(/"x"/);
  });

  it('cleanupFullSnapshot leaves expired values out of snapshots, not out of the state', () => {
    const clock = new Clock();
    const b = create(clock);
    const cfg = StateTtlConfig.newBuilder(TTL)
      .returnExpiredIfNotCleanedUp()
      .cleanupFullSnapshot()
      .disableCleanupInBackground()
      .build();
    const v = b.getPartitionedState<ValueState<number>>(
      new ValueStateDescriptor<number>('v').enableTimeToLive(cfg),
    );
    const l = b.getPartitionedState<ListState<number>>(
      new ListStateDescriptor<number>('l').enableTimeToLive(cfg),
    );
    b.setCurrentKey('old');
    v.update(1);
    l.add(1);
    clock.t = 50;
    l.add(2);
    b.setCurrentKey('new');
    v.update(2);
    clock.t = 120;
    const snap = b.snapshot();
    const all = snap.keyGroups.flatMap((g) => Object.entries(g.states).map(([n, s]) => [n, s.entries]));
    expect(all).toContainEqual(['v', [['new', { value: 2, lastAccess: 50 }]]]);
    expect(all).toContainEqual(['l', [['old', [{ value: 2, lastAccess: 50 }]]]]);
    expect(all.filter(([n]) => n === 'v')).toHaveLength(1);
    b.setCurrentKey('old');
    expect(v.value()).toBe(1); // still in the state (ReturnExpiredIfNotCleanedUp)
  });
});

function sorted<T extends [string | number, unknown]>(pairs: Iterable<T>): T[] {
  return [...pairs].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

describe('incremental cleanup (heap backend)', () => {
  function fill(b: HeapKeyedStateBackend, s: ValueState<number>, n: number): void {
    for (let i = 0; i < n; i++) {
      b.setCurrentKey(`key-${i}`);
      s.update(i);
    }
  }

  it('every access of the state checks cleanupSize (default 5) entries and removes the expired ones', () => {
    const clock = new Clock();
    const b = new HeapKeyedStateBackend(128);
    b.setTimeProvider(clock.now);
    const s = b.getPartitionedState<ValueState<number>>(
      new ValueStateDescriptor<number>('v').enableTimeToLive(StateTtlConfig.newBuilder(TTL).build()),
    );
    fill(b, s, 20); // every write also ran the cleanup, but nothing was expired
    expect(b.numKeys()).toBe(20);
    clock.t = 1000;
    b.setCurrentKey('fresh');
    expect(b.numKeys()).toBe(20); // a record alone does not trigger it (runCleanupForEveryRecord false)
    s.update(1); // one access: 5 entries checked, all expired
    expect(b.numKeys()).toBe(21 - 5);
    s.update(2);
    s.update(3);
    expect(b.numKeys()).toBe(21 - 15);
    s.update(4); // the fresh key may be among the checked ones: it is not expired
    s.update(5);
    expect(b.numKeys()).toBe(1);
    expect(b.entries('v')).toEqual([['fresh', 5]]);
  });

  it('cleanupIncrementally(size, runCleanupForEveryRecord = true): every record cleans, without reads', () => {
    const clock = new Clock();
    const b = new HeapKeyedStateBackend(128);
    b.setTimeProvider(clock.now);
    const cfg = StateTtlConfig.newBuilder(TTL).cleanupIncrementally(3, true).build();
    const s = b.getPartitionedState<ValueState<number>>(
      new ValueStateDescriptor<number>('v').enableTimeToLive(cfg),
    );
    const removed: Key[] = [];
    fill(b, s, 10);
    b.listener = (_n, k, v) => {
      if (v === null) removed.push(k);
    };
    clock.t = TTL;
    b.setCurrentKey('key-0'); // a record for an existing key: 3 entries checked
    expect(b.numKeys()).toBe(7);
    b.setCurrentKey('key-0'); // also for the same key again (Flink notifies on every setCurrentKey)
    expect(b.numKeys()).toBe(4);
    b.setCurrentKey('other');
    b.setCurrentKey('other');
    expect(b.numKeys()).toBe(0);
    expect(removed).toHaveLength(10); // the listener learns about every removed key
  });

  it('shrinks lists and maps element by element', () => {
    const clock = new Clock();
    const b = new HeapKeyedStateBackend(128);
    b.setTimeProvider(clock.now);
    const cfg = StateTtlConfig.newBuilder(TTL).cleanupIncrementally(1, true).build();
    const l = b.getPartitionedState<ListState<number>>(
      new ListStateDescriptor<number>('l').enableTimeToLive(cfg),
    );
    const m = b.getPartitionedState<MapState<string, number>>(
      new MapStateDescriptor<string, number>('m').enableTimeToLive(cfg),
    );
    b.setCurrentKey('k');
    l.add(1);
    m.put('a', 1);
    clock.t = 50;
    l.add(2);
    m.put('b', 2);
    clock.t = 100;
    b.setCurrentKey('other'); // one entry of each state checked: k
    expect(b.entries('l')).toEqual([['k', [2]]]);
    expect(b.entries('m')).toEqual([['k', [['b', 2]]]]);
    clock.t = 150;
    b.setCurrentKey('k');
    expect(b.numKeys()).toBe(0);
  });

  it('disableCleanupInBackground: no incremental cleanup, only cleanup on read', () => {
    const clock = new Clock();
    const b = new HeapKeyedStateBackend(128);
    b.setTimeProvider(clock.now);
    const cfg = StateTtlConfig.newBuilder(TTL).disableCleanupInBackground().build();
    const s = b.getPartitionedState<ValueState<number>>(
      new ValueStateDescriptor<number>('v').enableTimeToLive(cfg),
    );
    fill(b, s, 10);
    clock.t = 1000;
    b.setCurrentKey('fresh');
    for (let i = 0; i < 5; i++) s.update(i);
    expect(b.numKeys()).toBe(11);
    b.setCurrentKey('key-3');
    expect(s.value()).toBeNull();
    expect(b.numKeys()).toBe(10);
  });

  it('keeps working after a restore replaced the tables', () => {
    const clock = new Clock();
    const b = new HeapKeyedStateBackend(128);
    b.setTimeProvider(clock.now);
    const s = b.getPartitionedState<ValueState<number>>(
      new ValueStateDescriptor<number>('v').enableTimeToLive(StateTtlConfig.newBuilder(TTL).build()),
    );
    fill(b, s, 8);
    const snap = b.snapshot();
    s.update(99); // the cleanup iterator is somewhere in the old maps
    b.restore([snap]);
    clock.t = 1000;
    b.setCurrentKey('fresh');
    s.update(1);
    s.update(1);
    expect(b.numKeys()).toBe(1);
  });
});

describe('TTL on RocksDB: compaction filter, no incremental cleanup', () => {
  function make(cfg: StateTtlConfig) {
    const clock = new Clock();
    const b = new RocksDBKeyedStateBackend(128, undefined, { ownerId: 'r#0', memtableEntries: 1000 });
    b.setTimeProvider(clock.now);
    const v = b.getPartitionedState<ValueState<number>>(
      new ValueStateDescriptor<number>('v').enableTimeToLive(cfg),
    );
    const l = b.getPartitionedState<ListState<number>>(
      new ListStateDescriptor<number>('l').enableTimeToLive(cfg),
    );
    const m = b.getPartitionedState<MapState<string, number>>(
      new MapStateDescriptor<string, number>('m').enableTimeToLive(cfg),
    );
    for (let i = 0; i < 10; i++) {
      b.setCurrentKey(i);
      v.update(i);
      l.add(i);
      m.put('a', i);
    }
    clock.t = 50;
    for (let i = 0; i < 10; i++) {
      b.setCurrentKey(i);
      l.add(100 + i);
      m.put('b', i);
    }
    return { clock, b, v, l, m };
  }

  it('compaction drops expired values, list elements and map entries', () => {
    const { clock, b } = make(StateTtlConfig.newBuilder(TTL).cleanupIncrementally(5, true).build());
    clock.t = 100;
    b.setCurrentKey(3); // incremental cleanup does nothing on RocksDB
    b.setCurrentKey(4);
    expect(b.numKeys()).toBe(10);
    b.compactAll();
    expect(b.entries('v')).toEqual([]);
    expect(b.entries('l')[0]).toEqual([0, [100]]);
    expect(b.entries('m')[1]).toEqual([1, [['b', 1]]]);
    const before = b.sstBytes();
    clock.t = 150;
    b.compactAll();
    expect(b.numKeys()).toBe(0);
    expect(b.sstBytes()).toBe(0);
    expect(before).toBeGreaterThan(0);
  });

  it('without background cleanup compaction keeps expired values (reads still hide them)', () => {
    const { clock, b, v } = make(StateTtlConfig.newBuilder(TTL).disableCleanupInBackground().build());
    clock.t = 1000;
    b.compactAll();
    expect(b.numKeys()).toBe(10);
    b.setCurrentKey(1);
    expect(v.value()).toBeNull();
  });

  it('a compaction that is not bottommost turns expired values into tombstones', () => {
    const clock = new Clock();
    const b = new RocksDBKeyedStateBackend(128, undefined, {
      ownerId: 'r#0',
      memtableEntries: 1,
      compactionTrigger: 2,
    });
    b.setTimeProvider(clock.now);
    const v = b.getPartitionedState<ValueState<number>>(
      new ValueStateDescriptor<number>('v').enableTimeToLive(ttl()),
    );
    b.setCurrentKey('a');
    v.update(1);
    b.setCurrentKey('b');
    v.update(1);
    b.flush(); // a, b in an older file
    clock.t = 10;
    b.setCurrentKey('a');
    v.update(2); // t = 10, newer than the older file's version
    clock.t = 115; // the version of 'a' written at 10 expired at 110
    b.setCurrentKey('c');
    v.update(3);
    b.setCurrentKey('d');
    v.update(4); // flushes and compacts
    b.setCurrentKey('a');
    expect(v.value()).toBeNull();
    expect(b.entries('v').map(([k]) => k)).not.toContain('a');
  });
});
