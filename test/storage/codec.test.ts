/**
 * The binary chunk codec (chunk format 2): every state type round-trips exactly — TTL values, maps,
 * lists, null and undefined, NaN / −0 / Infinity, unicode and lone surrogates, Maps and Dates (the
 * structured-clone fallback) — from hand-made snapshots, from real backends, and from random ones
 * (fast-check); SST files of incremental checkpoints likewise; and a damaged body is refused with an
 * error that says what is wrong, never decoded into partial or wrong state.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HeapKeyedStateBackend,
  KeyGroupRange,
  ListStateDescriptor,
  MapStateDescriptor,
  PoisonRecord,
  RocksDBKeyedStateBackend,
  StateTtlConfig,
  Types,
  ValueStateDescriptor,
  assignToKeyGroup,
  type KeyedStateBackend,
  type KeyedStateSnapshot,
  type KeyGroupSnapshot,
  type ListState,
  type MapState,
  type StateType,
  type TaskStateSnapshot,
  type ValueState,
} from '../../src/engine/index';
import { BODY_MAGIC, checksum, type Column } from '../../src/storage/binary';
import {
  CHUNK_FORMAT,
  CorruptChunkError,
  EncodeCache,
  decodeSstFile,
  decodeTask,
  encodeSstFile,
  encodeTask,
  type EncodedTask,
} from '../../src/storage/codec';

/** fast-check's seed: fixed, so that CI is reproducible; FC_SEED=<n> explores others. */
const FC_SEED = Number(process.env.FC_SEED ?? 20261206);

const MAX_P = 128;

function taskWith(
  keyedState: TaskStateSnapshot['keyedState'],
  extra: Partial<TaskStateSnapshot> = {},
): TaskStateSnapshot {
  return {
    taskId: 'count#1',
    operatorUid: 'count',
    operatorName: 'Process: count',
    subtaskIndex: 1,
    parallelism: 4,
    maxParallelism: MAX_P,
    keyedState,
    operatorState: null,
    timers: [],
    inputChannelState: [],
    outputChannelState: [],
    stateBytes: 123,
    channelStateBytes: 0,
    ...extra,
  };
}

/** A snapshot of one state with the given entries, each key in its real key group. */
function snapshotOf(
  states: Record<
    string,
    { type: StateType; ttl?: true; entries: Array<[string | number | boolean, unknown]> }
  >,
): KeyedStateSnapshot {
  const groups = new Map<number, KeyGroupSnapshot>();
  for (const [name, st] of Object.entries(states)) {
    for (const [key, value] of st.entries) {
      const kg = assignToKeyGroup(key, MAX_P);
      let g = groups.get(kg);
      if (!g) groups.set(kg, (g = { keyGroup: kg, states: {} }));
      const slot = (g.states[name] ??= st.ttl
        ? { type: st.type, ttl: true, entries: [] }
        : { type: st.type, entries: [] });
      slot.entries.push([key, value]);
    }
  }
  return {
    maxParallelism: MAX_P,
    keyGroupRange: { start: 0, end: MAX_P - 1 },
    keyGroups: [...groups.values()].sort((a, b) => a.keyGroup - b.keyGroup),
  };
}

const roundTrip = (t: TaskStateSnapshot) => decodeTask(encodeTask(t));

/** The column kinds chosen for a snapshot's states (to check which path a test takes). */
function kinds(e: EncodedTask): Record<string, string> {
  const out: Record<string, string> = {};
  for (const st of e.keyed?.states ?? []) {
    out[`${st.name}.keys`] = st.keys.kind;
    out[`${st.name}.values`] = st.values.kind;
    if (st.lastAccess) out[`${st.name}.lastAccess`] = st.lastAccess.kind;
  }
  return out;
}

describe('chunk codec: round trips', () => {
  it('every state type, with and without TTL, values of every shape', () => {
    const ks = snapshotOf({
      count: {
        type: 'value',
        entries: [
          ['alice', 3],
          ['bob', 1_000_000],
          ['carol', -7],
        ],
      },
      ratio: {
        type: 'value',
        entries: [
          ['alice', 0.5],
          ['bob', NaN],
          ['carol', -0],
          ['dave', Infinity],
        ],
      },
      label: {
        type: 'value',
        entries: [
          ['alice', 'x'],
          ['bob', ''],
          ['carol', 'ünïcödé 🚀'],
        ],
      },
      profile: {
        type: 'value',
        entries: [
          ['alice', { name: 'Alice', tags: ['a', 'b'], nested: { n: 1, z: null } }],
          ['bob', null],
          ['carol', [1, [2, [3]]]],
        ],
      },
      maybe: {
        type: 'value',
        entries: [
          ['alice', undefined],
          ['bob', 2],
          ['carol', undefined],
        ],
      },
      pages: {
        type: 'list',
        entries: [
          ['alice', ['/a', '/b', '/a']],
          ['bob', []],
        ],
      },
      perPage: {
        type: 'map',
        entries: [
          [
            'alice',
            [
              ['/a', 2],
              ['/b', 1],
            ],
          ],
          ['bob', [[7, { deep: true }]]],
        ],
      },
      sum: {
        type: 'reducing',
        entries: [
          ['alice', 10],
          ['bob', 2.25],
        ],
      },
      avg: {
        type: 'aggregating',
        entries: [
          ['alice', { sum: 3, count: 2 }],
          ['bob', { sum: 0, count: 0 }],
        ],
      },
      seen: {
        type: 'value',
        ttl: true,
        entries: [
          ['alice', { value: 3, lastAccess: 1000 }],
          ['bob', { value: null, lastAccess: 2000.5 }],
        ],
      },
      ttlList: {
        type: 'list',
        ttl: true,
        entries: [
          [
            'alice',
            [
              { value: 'a', lastAccess: 1 },
              { value: 'b', lastAccess: 2 },
            ],
          ],
        ],
      },
      ttlMap: {
        type: 'map',
        ttl: true,
        entries: [['alice', [['k', { value: { n: 1 }, lastAccess: 5 }]]]],
      },
      ttlAgg: {
        type: 'aggregating',
        ttl: true,
        entries: [['alice', { value: { sum: 1, count: 1 }, lastAccess: 9 }]],
      },
    });
    const t = taskWith(ks, {
      timers: [
        { key: 'alice', keyGroup: 3, namespace: 'window', timestamp: 100, domain: 'event-time' },
      ] as never,
      operatorState: { sourceOffsets: [{ partition: 0, offset: 42 }] },
      inputChannelState: [
        {
          peer: 'source#0',
          records: [
            { value: { user: 'alice' }, ts: 5 },
            { value: new PoisonRecord('boom'), ts: null },
          ],
        },
      ],
      fullStateBytes: 456,
    });
    const e = encodeTask(t);
    expect(e.v).toBe(CHUNK_FORMAT);
    expect(e.body).toBeInstanceOf(ArrayBuffer);
    expect(kinds(e)).toMatchObject({
      'count.keys': 'str',
      'count.values': 'i32',
      'ratio.values': 'f64',
      'label.values': 'str',
      'profile.values': 'json',
      'maybe.values': 'i32', // 2, with the undefined entries as holes
      'pages.values': 'json',
      'perPage.values': 'json',
      'seen.values': 'json', // inner values (3, null) ...
      'seen.lastAccess': 'f64', // ... and access times split off
      'ttlAgg.values': 'json',
      'ttlAgg.lastAccess': 'i32',
    });
    const back = decodeTask(e);
    expect(back).toStrictEqual(t);
    const ratio = back.keyedState as KeyedStateSnapshot;
    const negZero = ratio.keyGroups
      .flatMap((g) => g.states.ratio?.entries ?? [])
      .find(([k]) => k === 'carol')![1];
    expect(Object.is(negZero, -0)).toBe(true);
    expect(back.inputChannelState[0].records[1].value).toBeInstanceOf(PoisonRecord);
  });

  it('keys: unicode, numbers, booleans, mixed types, lone surrogates', () => {
    const unicode = ['😀', 'ß', '日本語', 'e\u0301', 'Ω'.repeat(300), '', '\u0000nul', 'a'.repeat(70_000)];
    const lone = ['\ud800', 'x\udc00y', 'ok'];
    for (const keys of [unicode, [1, 2.5, -3, 1e300], [true, false], ['a', 1, true], lone] as Array<
      Array<string | number | boolean>
    >) {
      const t = taskWith(snapshotOf({ v: { type: 'value', entries: keys.map((k, i) => [k, i]) } }));
      expect(roundTrip(t)).toStrictEqual(t);
    }
    // Lone surrogates cannot take the UTF-8 path (TextEncoder would replace them): JSON keeps them.
    const e = encodeTask(taskWith(snapshotOf({ v: { type: 'value', entries: lone.map((k, i) => [k, i]) } })));
    expect(kinds(e)['v.keys']).toBe('json');
  });

  it('values JSON would change go by structured clone, exactly', () => {
    const date = new Date(86_400_000);
    const t = taskWith(
      snapshotOf({
        odd: {
          type: 'value',
          entries: [
            ['a', new Map([['k', 1]])],
            ['b', date],
            ['c', { n: NaN }],
            ['d', [undefined, 1]],
            ['e', { u: undefined }],
          ],
        },
      }),
    );
    const e = encodeTask(t);
    expect(kinds(e)['odd.values']).toBe('clone');
    expect(decodeTask(structuredClone(e))).toStrictEqual(t); // as IndexedDB would store it
  });

  it('empty states, key groups and tasks without keyed state', () => {
    const empty = taskWith({ maxParallelism: MAX_P, keyGroupRange: { start: 32, end: 63 }, keyGroups: [] });
    expect(roundTrip(empty)).toStrictEqual(empty);
    const emptySlot = taskWith({
      maxParallelism: MAX_P,
      keyGroupRange: { start: 0, end: 1 },
      keyGroups: [{ keyGroup: 1, states: { v: { type: 'value', entries: [] } } }],
    });
    expect(roundTrip(emptySlot)).toStrictEqual(emptySlot);
    const none = taskWith(null, {
      operatorState: { pendingTransactions: [{ checkpointId: 2, txn: 't', rows: [1] }] },
    });
    expect(roundTrip(none)).toStrictEqual(none);
  });

  it('real backends: heap and RocksDB-like full snapshots of value, list and map state with TTL', () => {
    const fill = (b: KeyedStateBackend) => {
      let now = 1000;
      b.setTimeProvider(() => now);
      const ttl = StateTtlConfig.newBuilder(60_000).build();
      const count = b.getPartitionedState<ValueState<number>>(new ValueStateDescriptor('count', Types.INT));
      const seenDesc = new ValueStateDescriptor('seen', Types.STRING);
      seenDesc.enableTimeToLive(ttl);
      const seen = b.getPartitionedState<ValueState<string>>(seenDesc);
      const pages = b.getPartitionedState<ListState<string>>(new ListStateDescriptor('pages', Types.STRING));
      const perPageDesc = new MapStateDescriptor('perPage', Types.STRING, Types.INT);
      perPageDesc.enableTimeToLive(ttl);
      const perPage = b.getPartitionedState<MapState<string, number>>(perPageDesc);
      for (let i = 0; i < 500; i++) {
        now += 7;
        b.setCurrentKey(`user-${i % 97}-ü`);
        count.update((count.value() ?? 0) + 1);
        seen.update(`page-${i}`);
        pages.add(`/p${i % 5}`);
        perPage.put(`/p${i % 3}`, i);
      }
    };
    const heap = new HeapKeyedStateBackend(MAX_P, new KeyGroupRange(0, MAX_P - 1));
    const rocks = new RocksDBKeyedStateBackend(MAX_P, new KeyGroupRange(0, MAX_P - 1), {
      ownerId: 'count#0',
      memtableEntries: 64,
    });
    for (const b of [heap, rocks]) {
      fill(b);
      const t = taskWith(b.snapshot());
      expect(roundTrip(t)).toStrictEqual(t);
      // Each state's recorded type (Flink's serializer snapshot) is stored with the chunk.
      expect((roundTrip(t).keyedState as KeyedStateSnapshot).valueTypes).toEqual({
        count: 'INT',
        pages: { LIST: 'STRING' },
        perPage: { MAP: ['STRING', 'INT'] },
        seen: 'STRING',
      });
      const restored = new HeapKeyedStateBackend(MAX_P, new KeyGroupRange(0, MAX_P - 1));
      restored.restore([roundTrip(t).keyedState as KeyedStateSnapshot]);
      expect(restored.entries('count')).toEqual(b.entries('count'));
    }
  });

  it('incremental handles are stored without their files (the files are shared files)', () => {
    const rocks = new RocksDBKeyedStateBackend(MAX_P, new KeyGroupRange(0, 31), { ownerId: 'count#0' });
    const count = rocks.getPartitionedState<ValueState<number>>(new ValueStateDescriptor<number>('count'));
    for (let i = 0; i < 50; i++) {
      const key = `k${i}`;
      if (assignToKeyGroup(key, MAX_P) > 31) continue;
      rocks.setCurrentKey(key);
      count.update(i);
    }
    const handle = rocks.snapshotIncremental(1, new Set());
    expect(handle.newFiles.length).toBeGreaterThan(0);
    const e = encodeTask(taskWith(handle));
    expect(e.incremental?.newFiles).toEqual([]);
    expect(decodeTask(e).keyedState).toStrictEqual({ ...handle, newFiles: [] });
  });

  it('SST files round-trip: puts, deletes, merges, map user keys, unicode', () => {
    const file = {
      id: 'count#0-000001.sst',
      level: 1,
      keyGroupRange: { start: 3, end: 90 },
      bytes: 321,
      entries: [
        { kg: 3, state: 'count', key: 'alice', op: 'put' as const, value: '3' },
        { kg: 3, state: 'perPage', key: 'alice', uk: '/a', op: 'put' as const, value: '{"n":1}' },
        { kg: 4, state: 'perPage', key: 'bob', uk: 7, op: 'delete' as const },
        { kg: 90, state: 'pages', key: '日本', op: 'merge' as const, value: '["/x"]' },
      ],
    };
    const back = decodeSstFile(structuredClone(encodeSstFile(file)));
    expect(back).toStrictEqual(file);
  });

  it('property: random snapshots round-trip exactly (structured-clone equal)', () => {
    const key = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 12 }),
      fc.string({
        unit: fc.integer({ min: 0xd700, max: 0xdfff }).map((c) => String.fromCharCode(c)),
        maxLength: 3,
      }),
      fc.integer(),
      fc.boolean(),
    );
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.double(),
      fc.integer(),
      fc.string({ unit: 'binary', maxLength: 8 }),
      fc.constant(undefined),
      fc.constant(null),
      fc.date({ noInvalidDate: true }),
    );
    const state = fc.record({
      type: fc.constantFrom<StateType>('value', 'list', 'map', 'reducing', 'aggregating'),
      ttl: fc.boolean(),
      entries: fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: 30 }),
      uniform: fc.constantFrom('as-is', 'numbers', 'strings'),
    });
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), state, { maxKeys: 4 }),
        (states) => {
          const input: Parameters<typeof snapshotOf>[0] = {};
          for (const [name, st] of Object.entries(states)) {
            const entries = st.entries.map(([k, v], i): [string | number | boolean, unknown] => {
              const plain =
                st.uniform === 'numbers' ? i * 1.5 : st.uniform === 'strings' ? `s${String(v)}` : v;
              return [k, st.ttl ? { value: plain, lastAccess: i } : plain];
            });
            input[name] = st.ttl ? { type: st.type, ttl: true, entries } : { type: st.type, entries };
          }
          const t = taskWith(snapshotOf(input));
          expect(decodeTask(structuredClone(encodeTask(t)))).toStrictEqual(t);
        },
      ),
      { seed: FC_SEED, numRuns: 300 },
    );
  });
});

describe('chunk codec: the encode cache of a subtask', () => {
  it('gives the same bytes as encoding from scratch, whatever changed since the last snapshot', () => {
    const bytes = (e: EncodedTask) => new Uint8Array(e.body);
    const keysOf = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}-${i}-ü`);
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            keep: fc.integer({ min: 0, max: 60 }),
            add: fc.integer({ min: 0, max: 20 }),
            tag: fc.constantFrom('a', 'b'),
            ttl: fc.boolean(),
            lone: fc.boolean(),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        (steps) => {
          const cache = new EncodeCache();
          let previous: string[] = keysOf(40, 'a');
          for (const [round, step] of steps.entries()) {
            const keys = [...previous.slice(0, step.keep), ...keysOf(step.add, step.tag + round)];
            if (step.lone) keys.push('\ud800'); // falls back to the general path (JSON)
            const entries = keys.map((k, i): [string, unknown] => [
              k,
              step.ttl ? { value: i * round, lastAccess: round } : i * round,
            ]);
            const t = taskWith(
              snapshotOf({
                v: step.ttl ? { type: 'value', ttl: true, entries } : { type: 'value', entries },
                w: { type: 'value', entries: keys.slice(0, 5).map((k) => [k, 'x']) },
              }),
            );
            const cached = encodeTask(t, cache);
            expect(bytes(cached)).toEqual(bytes(encodeTask(t)));
            expect(decodeTask(cached)).toStrictEqual(t);
            previous = keys.filter((k) => k !== '\ud800');
          }
        },
      ),
      { seed: FC_SEED, numRuns: 150 },
    );
  });
});

describe('chunk codec: damaged chunks are refused with a clear error', () => {
  const t = taskWith(
    snapshotOf({
      count: { type: 'value', entries: Array.from({ length: 200 }, (_, i) => [`user-${i}`, i]) },
      pages: { type: 'list', entries: [['alice', ['/a']]] },
    }),
  );
  const fresh = () => encodeTask(t);
  const decodeError = (e: EncodedTask): Error => {
    try {
      decodeTask(e);
    } catch (err) {
      return err as Error;
    }
    throw new Error('decoded a damaged chunk');
  };
  /** Changes the body, then fixes the checksum (to reach the checks behind it). */
  const patch = (e: EncodedTask, f: (u8: Uint8Array) => void): EncodedTask => {
    const body = e.body.slice(0);
    f(new Uint8Array(body));
    new DataView(body).setUint32(12, checksum(body), true);
    return { ...e, body };
  };

  it('a changed byte: checksum mismatch', () => {
    const e = fresh();
    const body = e.body.slice(0);
    new Uint8Array(body)[100] ^= 0x20;
    const err = decodeError({ ...e, body });
    expect(err).toBeInstanceOf(CorruptChunkError);
    expect(err.name).toBe('CorruptChunkError');
    expect(err.message).toMatch(
      /^state chunk count#1 is corrupted: checksum mismatch \(stored 0x[0-9a-f]{8}, computed/,
    );
  });

  it('truncated, padded, missing, or not ours at all', () => {
    const e = fresh();
    expect(decodeError({ ...e, body: e.body.slice(0, e.body.byteLength - 8) }).message).toMatch(
      /is \d+ bytes long but says \d+ \(truncated or padded\)/,
    );
    expect(decodeError({ ...e, body: e.body.slice(0, 5) }).message).toMatch(/impossible size of 5 bytes/);
    expect(decodeError({ ...e, body: undefined as unknown as ArrayBuffer }).message).toMatch(
      /binary body is missing \(found undefined instead of an ArrayBuffer\)/,
    );
    const foreign = patch(e, (u8) => new DataView(u8.buffer).setUint32(0, BODY_MAGIC ^ 1, true));
    expect(decodeError(foreign).message).toMatch(/does not start with the format marker/);
    const future = patch(e, (u8) => new DataView(u8.buffer).setUint16(4, 9, true));
    expect(decodeError(future).message).toMatch(/format version 9; this build reads version 2/);
    expect(decodeError({ ...e, v: 7 as never }).message).toMatch(
      /state chunk count#1 is in chunk format 7; this build reads format 2/,
    );
  });

  it('descriptors that do not match the body', () => {
    const e = fresh();
    const count = e.keyed!.states.find((s) => s.name === 'count')!;
    const withCount = (c: Partial<typeof count>): EncodedTask => ({
      ...e,
      keyed: { ...e.keyed!, states: e.keyed!.states.map((s) => (s === count ? { ...s, ...c } : s)) },
    });
    expect(decodeError(withCount({ keys: { ...count.keys, offset: 1 << 30 } as Column })).message).toMatch(
      /state 'count' \(keys\) lies outside its body/,
    );
    expect(decodeError(withCount({ count: 201 })).message).toMatch(
      /state 'count': 201 entries expected, found 200 keys and 200 values/,
    );
    expect(
      decodeError(withCount({ keys: { kind: 'zip', count: 200 } as unknown as Column })).message,
    ).toMatch(/unknown column kind 'zip'/);
  });

  it('bytes changed behind a valid checksum: text, lengths and JSON are checked too', () => {
    const e = fresh();
    const count = e.keyed!.states.find((s) => s.name === 'count')!;
    const keys = count.keys as Extract<Column, { kind: 'str' }>;
    const badUtf8 = patch(e, (u8) => (u8[keys.offset] = 0xff));
    expect(decodeError(badUtf8).message).toMatch(/state 'count' \(keys\): invalid UTF-8/);
    const badLength = patch(e, (u8) => (u8[keys.lengths] += 1));
    expect(decodeError(badLength).message).toMatch(/the lengths add up to \d+ characters, the text has \d+/);
    const pages = e.keyed!.states.find((s) => s.name === 'pages')!.values as Extract<
      Column,
      { kind: 'json' }
    >;
    const badJson = patch(e, (u8) => (u8[pages.offset] = 0x7b)); // '[' → '{'
    expect(decodeError(badJson).message).toMatch(/state 'pages' \(values\): invalid JSON/);
  });
});
