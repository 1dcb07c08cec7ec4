/**
 * Flink's Types for state, as a restore uses them: every Types.* accepts what it should and refuses the
 * rest with the path and both types; compatibility between an old and a new type follows Flink's
 * serializer snapshots (POJO fields may come and go, nothing else may change); and the engine migrates
 * POJO values when a job whose POJO gained or lost a field restores a checkpoint (heap and RocksDB).
 */
import { describe, expect, it } from 'vitest';
import { renderEnglish, type Message } from '../../src/engine/messages/Message';
import {
  DurableCheckpointStorage,
  RocksDBStateBackend,
  ExternalSystem,
  FsStateBackend,
  ListStateDescriptor,
  MapStateDescriptor,
  MiniCluster,
  NonTransactionalSink,
  ReplayableLog,
  StateTtlConfig,
  StreamExecutionEnvironment,
  Types,
  ValueStateDescriptor,
  fromSnapshotJson,
  toSnapshotJson,
  typeFromJson,
  type CheckpointedFunction,
  type CompletedCheckpoint,
  type Collector,
  type FunctionInitializationContext,
  type JobGraph,
  type KeyedProcessContext,
  type KeyedProcessFunction,
  type ListState,
  type MapState,
  type RuntimeContext,
  type StateBackend,
  type TypeInformation,
  type ValueState,
} from '../../src/engine/index';
import { generateVisitLog, type Visit } from '../../src/engine/scenarios/visits';

/** Errors as the command line prints them. */
function english(errors: ReadonlyArray<{ path: string; message: Message }>) {
  return errors.map((e) => ({ path: e.path, message: renderEnglish(e.message) }));
}
const reasonOf = (m: Message | undefined) => (m ? renderEnglish(m) : undefined);

function errors(t: TypeInformation, v: unknown): string[] {
  return t.mismatches(v).map((m) => `${m.path.join('.')}: ${renderEnglish(m.message)}`);
}

describe('Types: what each accepts in a snapshot', () => {
  it('INT: integers in −2^31..2^31−1; not strings, fractions, out-of-range numbers, null', () => {
    for (const ok of [0, -1, 42, 2147483647, -2147483648]) expect(errors(Types.INT, ok)).toEqual([]);
    expect(errors(Types.INT, 'many')).toEqual([': expected INT, got string "many"']);
    expect(errors(Types.INT, '12')).toEqual([': expected INT, got string "12"']);
    expect(errors(Types.INT, 2.5)).toEqual([': expected INT, got number 2.5 (not an integer)']);
    expect(errors(Types.INT, 2147483648)).toEqual([
      ": expected INT, got number 2147483648 (beyond INT's range -2147483648..2147483647)",
    ]);
    expect(errors(Types.INT, null)).toEqual([': expected INT, got null']);
    expect(errors(Types.INT, true)).toEqual([': expected INT, got boolean true']);
  });

  it('LONG: safe integers only (a JSON number keeps no more); strings are not LONGs', () => {
    for (const ok of [0, 2147483648, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER])
      expect(errors(Types.LONG, ok)).toEqual([]);
    expect(errors(Types.LONG, 2 ** 53)).toEqual([
      ': expected LONG, got number 9007199254740992 (beyond ±9007199254740991: a JSON number keeps integers exactly only up to 2^53−1)',
    ]);
    expect(errors(Types.LONG, '9007199254740993')).toEqual([
      ': expected LONG, got string "9007199254740993"',
    ]);
    expect(errors(Types.LONG, 1.5)).toEqual([': expected LONG, got number 1.5 (not an integer)']);
  });

  it('SHORT, BYTE, FLOAT, DOUBLE, BOOLEAN, STRING', () => {
    expect(errors(Types.SHORT, 32767)).toEqual([]);
    expect(errors(Types.SHORT, 32768)).toHaveLength(1);
    expect(errors(Types.BYTE, -128)).toEqual([]);
    expect(errors(Types.BYTE, 128)).toEqual([
      ": expected BYTE, got number 128 (beyond BYTE's range -128..127)",
    ]);
    expect(errors(Types.DOUBLE, 0.1)).toEqual([]);
    expect(errors(Types.DOUBLE, '0.1')).toEqual([': expected DOUBLE, got string "0.1"']);
    expect(errors(Types.FLOAT, 1.5)).toEqual([]);
    expect(errors(Types.FLOAT, 1e39)).toHaveLength(1);
    expect(errors(Types.BOOLEAN, false)).toEqual([]);
    expect(errors(Types.BOOLEAN, 0)).toEqual([': expected BOOLEAN, got number 0']);
    expect(errors(Types.STRING, '')).toEqual([]);
    expect(errors(Types.STRING, 1)).toEqual([': expected STRING, got number 1']);
    expect(errors(Types.GENERIC(), { anything: [1, 'x'] })).toEqual([]);
  });

  it('LIST, MAP, POJO, ROW_NAMED, TUPLE: nested paths name the element, the field, the map key', () => {
    const list = Types.LIST(Types.INT);
    expect(errors(list, [1, 2, 3])).toEqual([]);
    expect(errors(list, [1, 'two', null])).toEqual([
      '1: expected INT, got string "two"',
      '2: expected INT, got null',
    ]);
    expect(errors(list, { 0: 1 })).toEqual([': expected LIST<INT>, got an object']);

    const map = Types.MAP(Types.STRING, Types.LIST(Types.DOUBLE));
    expect(errors(map, { a: [1.5], b: null })).toEqual([]); // map values may be null (MapSerializer)
    expect(errors(map, { a: [1, 'x'] })).toEqual(['a.1: expected DOUBLE, got string "x"']);
    expect(errors(Types.MAP(Types.INT, Types.STRING), { '7': 'x', seven: 'y' })).toEqual([
      'seven: expected INT, got string "seven"',
    ]);

    const pojo = Types.POJO<{ start: number; end: number; tags: string[] }>('Bounds', {
      start: Types.LONG,
      end: Types.LONG,
      tags: Types.LIST(Types.STRING),
    });
    expect(pojo.toString()).toBe('POJO<Bounds>{end: LONG, start: LONG, tags: LIST<STRING>}');
    expect(errors(pojo, { start: 1, end: null, tags: ['a'] })).toEqual([]); // POJO fields may be null
    expect(errors(pojo, { start: 'x', tags: ['a', 2], extra: 1 })).toEqual([
      ": expected POJO<Bounds>{end: LONG, start: LONG, tags: LIST<STRING>}: field 'end' is missing",
      'start: expected LONG, got string "x"',
      'tags.1: expected STRING, got number 2',
      "extra: POJO Bounds has no field 'extra' (its fields: end, start, tags)",
    ]);

    const row = Types.ROW_NAMED(['word', 'n'], Types.STRING, Types.INT);
    expect(errors(row, { word: 'to', n: 2 })).toEqual([]);
    expect(errors(row, { word: 'to', n: 'two' })).toEqual(['n: expected INT, got string "two"']);
    const tuple = Types.TUPLE<[number, string]>(Types.INT, Types.STRING);
    expect(errors(tuple, [1, 'a'])).toEqual([]);
    expect(errors(tuple, [1])).toEqual([': expected TUPLE<INT, STRING> (an array of 2), got an array of 1']);
  });

  it('every type survives its JSON form (the serializer snapshot) unchanged', () => {
    const all: TypeInformation[] = [
      Types.STRING,
      Types.BOOLEAN,
      Types.BYTE,
      Types.SHORT,
      Types.INT,
      Types.LONG,
      Types.FLOAT,
      Types.DOUBLE,
      Types.GENERIC(),
      Types.LIST(Types.MAP(Types.STRING, Types.INT)),
      Types.POJO('P', { a: Types.INT, b: Types.LIST(Types.POJO('Q', { c: Types.STRING })) }),
      Types.ROW_NAMED(['x', 'y'], Types.INT, Types.TUPLE(Types.LONG, Types.BOOLEAN)),
    ];
    for (const t of all) {
      const back = typeFromJson(JSON.parse(JSON.stringify(t.toJson())));
      expect(back.toString()).toBe(t.toString());
      expect(back.resolveSchemaCompatibility(t)).toBe('COMPATIBLE_AS_IS');
    }
    expect(() => typeFromJson('INTEGER')).toThrow('unknown type "INTEGER"');
  });
});

describe('Types: compatibility of a new type with the recorded one (Flink serializer snapshots)', () => {
  const v1 = Types.POJO('Stats', { visits: Types.INT, lastPage: Types.STRING });
  it('a POJO field added or removed: compatible after migration; new fields null, removed ones dropped', () => {
    const added = Types.POJO('Stats', { visits: Types.INT, lastPage: Types.STRING, firstSeen: Types.LONG });
    const removed = Types.POJO('Stats', { visits: Types.INT });
    expect(added.resolveSchemaCompatibility(v1)).toBe('COMPATIBLE_AFTER_MIGRATION');
    expect(removed.resolveSchemaCompatibility(v1)).toBe('COMPATIBLE_AFTER_MIGRATION');
    expect(added.migrate({ visits: 3, lastPage: '/a' }, v1)).toEqual({
      visits: 3,
      lastPage: '/a',
      firstSeen: null,
    });
    expect(removed.migrate({ visits: 3, lastPage: '/a' }, v1)).toEqual({ visits: 3 });
    // Nested: a list of POJOs and a map of POJOs migrate element by element.
    expect(Types.LIST(removed).resolveSchemaCompatibility(Types.LIST(v1))).toBe('COMPATIBLE_AFTER_MIGRATION');
    expect(Types.LIST(removed).migrate([{ visits: 1, lastPage: 'x' }], Types.LIST(v1))).toEqual([
      { visits: 1 },
    ]);
  });

  it('a changed type is incompatible: basic types, a POJO field type, a class name, a row arity, a list element', () => {
    expect(Types.STRING.resolveSchemaCompatibility(Types.INT)).toBe('INCOMPATIBLE');
    expect(Types.LONG.resolveSchemaCompatibility(Types.INT)).toBe('INCOMPATIBLE'); // as Flink: another serializer
    expect(
      Types.POJO('Stats', { visits: Types.LONG, lastPage: Types.STRING }).resolveSchemaCompatibility(v1),
    ).toBe('INCOMPATIBLE');
    expect(
      Types.POJO('Other', { visits: Types.INT, lastPage: Types.STRING }).resolveSchemaCompatibility(v1),
    ).toBe('INCOMPATIBLE');
    expect(
      Types.ROW_NAMED(['a', 'b'], Types.INT, Types.INT).resolveSchemaCompatibility(
        Types.ROW_NAMED(['a'], Types.INT),
      ),
    ).toBe('INCOMPATIBLE');
    expect(Types.LIST(Types.STRING).resolveSchemaCompatibility(Types.LIST(Types.INT))).toBe('INCOMPATIBLE');
    expect(
      Types.MAP(Types.STRING, Types.INT).resolveSchemaCompatibility(Types.MAP(Types.STRING, Types.LONG)),
    ).toBe('INCOMPATIBLE');
    expect(Types.INT.resolveSchemaCompatibility(Types.GENERIC())).toBe('INCOMPATIBLE');
  });
});

// ------------------------------------------------------------------ through the engine

// Type aliases, not interfaces: the tracker keeps them as Record<string, unknown>.
type StatsV1 = {
  visits: number;
  lastPage: string;
};
type StatsV2 = {
  visits: number;
  firstPage: string | null;
};
const STATS_V1 = Types.POJO<StatsV1>('Stats', { visits: Types.INT, lastPage: Types.STRING });
const STATS_V2 = Types.POJO<StatsV2>('Stats', { visits: Types.INT, firstPage: Types.STRING });

/** Keeps a POJO per user in value, list (with TTL) and map state; `version` picks the POJO's fields. */
class Tracker implements KeyedProcessFunction<string, Visit, unknown> {
  private stats!: ValueState<Record<string, unknown>>;
  private history!: ListState<Record<string, unknown>>;
  private byPage!: MapState<string, Record<string, unknown>>;
  constructor(
    private readonly type: TypeInformation<Record<string, unknown>>,
    private readonly make: (v: Visit, n: number) => Record<string, unknown>,
  ) {}
  open(ctx: RuntimeContext): void {
    this.stats = ctx.getState(new ValueStateDescriptor('stats', this.type));
    const history = new ListStateDescriptor('history', this.type);
    history.enableTimeToLive(StateTtlConfig.newBuilder(3_600_000).build());
    this.history = ctx.getListState(history);
    this.byPage = ctx.getMapState(new MapStateDescriptor('byPage', Types.STRING, this.type));
  }
  processElement(v: Visit, _ctx: KeyedProcessContext<string>, out: Collector<unknown>): void {
    const n = ((this.stats.value()?.visits as number | undefined) ?? 0) + 1;
    const value = this.make(v, n);
    this.stats.update(value);
    this.history.add(value);
    this.byPage.put(v.page, value);
    out.collect(n);
  }
}

function trackerJob(version: 1 | 2 | 'string', backend: StateBackend): JobGraph {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  env.setStateBackend(backend);
  env.enableCheckpointing(200, 'exactly-once');
  const fn =
    version === 1
      ? new Tracker(STATS_V1 as TypeInformation<Record<string, unknown>>, (v, n) => ({
          visits: n,
          lastPage: v.page,
        }))
      : version === 2
        ? new Tracker(STATS_V2 as TypeInformation<Record<string, unknown>>, (v, n) => ({
            visits: n,
            firstPage: v.page,
          }))
        : new Tracker(Types.STRING as unknown as TypeInformation<Record<string, unknown>>, (_v, n) => ({
            visits: n,
          }));
  env
    .fromSource(generateVisitLog(3000), 'Source: visits', 1)
    .uid('source')
    .keyBy((v: Visit) => v.user)
    .process(fn)
    .uid('track')
    .print()
    .uid('print');
  return env.getJobGraph('Tracker');
}

function checkpointOf(job: JobGraph, until: number): CompletedCheckpoint {
  const storage = new DurableCheckpointStorage(10);
  const cluster = new MiniCluster(job, {
    seed: 1,
    checkpointStorage: storage,
    external: new ExternalSystem(),
    fastForward: true,
  });
  cluster.runUntil(until);
  const cp = storage.latest(job.name);
  if (!cp) throw new Error(`no checkpoint: ${JSON.stringify(cluster.failures)} ${cluster.now}`);
  return cp;
}

describe.each([
  ['heap', () => new FsStateBackend()],
  ['RocksDB', () => new RocksDBStateBackend()],
] as const)('POJO schema evolution through a restore (%s backend)', (_name, backend) => {
  it('a field removed and one added: every value (value, TTL list, map) migrated; the next snapshot has the new type', () => {
    const cp = checkpointOf(trackerJob(1, backend()), 1000);
    const json = toSnapshotJson(cp);
    const track = json.operators.find((o) => o.uid === 'track')!;
    const stats = track.subtasks.flatMap((s) => s.keyedState).find((k) => k.name === 'stats')!;
    expect(stats.valueType).toEqual({ POJO: 'Stats', fields: { lastPage: 'STRING', visits: 'INT' } });

    const v2 = trackerJob(2, backend());
    const imported = fromSnapshotJson(json, v2);
    expect(imported.ok).toBe(true);
    if (!imported.ok) return;
    const storage = new DurableCheckpointStorage(10);
    const cluster = new MiniCluster(v2, {
      seed: 1,
      checkpointStorage: storage,
      external: new ExternalSystem(),
      fastForward: true,
      restoreFrom: imported.checkpoint,
    });
    const state = cluster.keyedStateByOperator().track;
    const values = Object.values(state.stats);
    expect(values.length).toBeGreaterThan(5);
    for (const v of values) expect(Object.keys(v as object).sort()).toEqual(['firstPage', 'visits']);
    for (const v of values) expect((v as StatsV2).firstPage).toBeNull();
    for (const list of Object.values(state.history))
      for (const el of list as StatsV2[]) expect(el).toEqual({ visits: el.visits, firstPage: null });
    for (const pairs of Object.values(state.byPage))
      for (const [, el] of pairs as Array<[string, StatsV2]>)
        expect(Object.keys(el).sort()).toEqual(['firstPage', 'visits']);

    // Running on, the next checkpoint records the new type and its values pass their own check.
    cluster.runUntil(cluster.now + 600);
    const next = storage.latest(v2.name)!;
    expect(next.checkpointId).toBeGreaterThan(cp.checkpointId);
    const nextJson = toSnapshotJson(next);
    const nextStats = nextJson.operators
      .find((o) => o.uid === 'track')!
      .subtasks.flatMap((s) => s.keyedState)
      .find((k) => k.name === 'stats')!;
    expect(nextStats.valueType).toEqual({ POJO: 'Stats', fields: { firstPage: 'STRING', visits: 'INT' } });
    expect(fromSnapshotJson(nextJson, v2).ok).toBe(true);
  });

  it("a changed type: the import is refused with Flink's message; a restore from storage fails the task with StateMigrationException", () => {
    const cp = checkpointOf(trackerJob(1, backend()), 1000);
    const changed = trackerJob('string', backend());
    const imported = fromSnapshotJson(toSnapshotJson(cp), changed);
    expect(imported.ok).toBe(false);
    if (imported.ok) return;
    const prefix = _name === 'heap' ? 'For heap backends, the new' : 'The new';
    expect(english(imported.errors)).toContainEqual({
      path: expect.stringMatching(/^operators\[1\]\.subtasks\[\d\]\.keyedState\[\d\]\.valueType$/),
      message: expect.stringContaining(
        `state 'stats' of operator 'track' is incompatible with the job: ${prefix} state serializer (StringSerializer for STRING) must not be incompatible with the old state serializer (PojoSerializer for POJO<Stats>{lastPage: STRING, visits: INT}).`,
      ),
    });
    // From checkpoint storage no user code runs before the restore: the backend refuses the state
    // when open() registers it, and the task fails (as in Flink).
    const cluster = new MiniCluster(changed, {
      seed: 1,
      checkpointStorage: new DurableCheckpointStorage(10),
      external: new ExternalSystem(),
      fastForward: true,
      restoreFrom: cp,
    });
    cluster.runUntil(cluster.now + 50);
    expect(reasonOf(cluster.failures[0]?.reason)).toMatch(
      new RegExp(
        `threw in open\\(\\): State "stats": ${prefix} state serializer \\(StringSerializer for STRING\\) must not be incompatible`,
      ),
    );
  });
});

describe('values with a time-to-live, lists and maps of POJOs: every element is checked where it is', () => {
  it('a TTL list element, a map value and a POJO field of the wrong type are each named by their path', () => {
    const job = trackerJob(1, new FsStateBackend());
    const json = toSnapshotJson(checkpointOf(job, 1000));
    const track = json.operators.findIndex((o) => o.uid === 'track');
    const sub = json.operators[track].subtasks[0];
    const at = (name: string) => sub.keyedState.findIndex((k) => k.name === name);
    const history = sub.keyedState[at('history')];
    expect(history.ttl).toBe(true);
    (history.entries[0].value as Array<{ value: unknown }>)[0].value = 'x';
    const byPage = sub.keyedState[at('byPage')];
    (byPage.entries[0].value as Array<[string, unknown]>)[0][1] = { visits: 1, lastPage: 7 };
    const stats = sub.keyedState[at('stats')];
    stats.entries[0].value = { visits: 1.5, lastPage: '/a' };
    const r = fromSnapshotJson(json, job);
    const p = `operators[${track}].subtasks[0].keyedState`;
    expect(r.ok ? [] : english(r.errors)).toEqual(
      expect.arrayContaining([
        {
          path: `${p}[${at('history')}].entries[0].value[0].value`,
          message: 'expected POJO<Stats>{lastPage: STRING, visits: INT}, got string "x"',
        },
        {
          path: `${p}[${at('byPage')}].entries[0].value[0][1].lastPage`,
          message: 'expected STRING, got number 7',
        },
        {
          path: `${p}[${at('stats')}].entries[0].value.visits`,
          message: 'expected INT, got number 1.5 (not an integer)',
        },
      ]),
    );
    expect(r.ok ? 0 : r.errors.length).toBe(3);
  });
});

describe('POJO schema evolution through an incremental RocksDB checkpoint (values in shared SST files)', () => {
  const incremental = () => new RocksDBStateBackend('file:///tmp/checkpoints', true);
  function restoreInto(version: 2 | 'string') {
    const v1 = trackerJob(1, incremental());
    const storage = new DurableCheckpointStorage(10);
    const ran = new MiniCluster(v1, {
      seed: 1,
      checkpointStorage: storage,
      external: new ExternalSystem(),
      fastForward: true,
    });
    ran.runUntil(1000);
    const cp = storage.latest(v1.name)!;
    expect(cp.tasks.some((t) => t.keyedState && 'kind' in t.keyedState)).toBe(true); // really incremental
    const job = trackerJob(version, incremental());
    // The same storage: it holds the shared files the handles reference.
    return new MiniCluster(job, {
      seed: 1,
      checkpointStorage: storage,
      external: new ExternalSystem(),
      fastForward: true,
      restoreFrom: cp,
    });
  }

  it('a field removed and one added: the values read from the SST files are migrated', () => {
    const cluster = restoreInto(2);
    expect(cluster.failures).toEqual([]);
    const values = Object.values(cluster.keyedStateByOperator().track.stats);
    expect(values.length).toBeGreaterThan(5);
    for (const v of values) expect(v).toEqual({ visits: (v as StatsV2).visits, firstPage: null });
  });

  it("a changed type: the task fails when open() registers the state, with RocksDB's message", () => {
    const cluster = restoreInto('string');
    cluster.runUntil(cluster.now + 50);
    expect(reasonOf(cluster.failures[0]?.reason)).toContain(
      'threw in open(): State "stats": The new state serializer (StringSerializer for STRING) must not be incompatible with the old state serializer (PojoSerializer for POJO<Stats>{lastPage: STRING, visits: INT}).',
    );
  });
});

// ------------------------------------------------------------------ operator state

/** Buffers what it maps in split list state 'buffer' (INT) and writes a tag to union state 'tags' (STRING). */
class TypedBuffering implements CheckpointedFunction {
  private buffer: number[] = [];
  private split!: ListState<number>;
  private tags!: ListState<string>;
  initializeState(ctx: FunctionInitializationContext): void {
    const store = ctx.getOperatorStateStore();
    this.split = store.getListState(new ListStateDescriptor('buffer', Types.INT));
    this.tags = store.getUnionListState(new ListStateDescriptor('tags', Types.STRING));
    this.buffer = [...this.split.get()];
  }
  map(x: number): number {
    this.buffer.push(x);
    return x;
  }
  snapshotState(): void {
    this.split.update(this.buffer.slice());
    this.tags.update([`n=${this.buffer.length}`]);
  }
}

function bufferingJob(): JobGraph {
  const part = Array.from({ length: 400 }, (_, i) => ({ value: i, timestamp: i }));
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.enableCheckpointing(40).setStateBackend(new FsStateBackend());
  env
    .fromSource(new ReplayableLog('numbers', [part]), 'Source: numbers', 1)
    .uid('src')
    .setParallelism(1)
    .rebalance()
    .map(new TypedBuffering())
    .uid('buffer')
    .setParallelism(2)
    .rebalance()
    .addSink(new NonTransactionalSink<number>())
    .uid('sink')
    .setParallelism(1);
  return env.getJobGraph('Buffering');
}

describe('operator state (list and union) records and checks its element type', () => {
  const job = bufferingJob();
  const cp = checkpointOf(job, 120);

  it('the file records elementType; an item of another type is refused with its path, on import and from storage', () => {
    const json = toSnapshotJson(cp);
    const lists = json.operators[1].subtasks[0].operatorState!.lists!;
    expect(lists.map((l) => [l.name, l.redistribution, l.elementType])).toEqual([
      ['buffer', 'split', 'INT'],
      ['tags', 'union', 'STRING'],
    ]);
    expect(lists[0].items.length).toBeGreaterThan(3);
    lists[0].items[2] = 'x';
    lists[1].items[0] = 7;
    const r = fromSnapshotJson(json, job);
    expect(r.ok ? [] : english(r.errors)).toEqual([
      {
        path: 'operators[1].subtasks[0].operatorState.lists[0].items[2]',
        message: 'expected INT, got string "x"',
      },
      {
        path: 'operators[1].subtasks[0].operatorState.lists[1].items[0]',
        message: 'expected STRING, got number 7',
      },
    ]);

    // The same edit in a checkpoint held by a checkpoint storage: refused before anything is restored.
    const edited = structuredClone(cp);
    const task = edited.tasks.find((t) => t.operatorUid === 'buffer' && t.subtaskIndex === 0)!;
    task.operatorState!.lists!.buffer.items[2] = 'x';
    expect(
      () =>
        new MiniCluster(job, {
          seed: 1,
          checkpointStorage: new DurableCheckpointStorage(10),
          external: new ExternalSystem(),
          fastForward: true,
          restoreFrom: edited,
        }),
    ).toThrow('operators[1].subtasks[0].operatorState.lists[0].items[2]: expected INT, got string "x"');
  });

  it("another element type in the file is incompatible with the job (Flink's element serializer message)", () => {
    const json = toSnapshotJson(cp);
    for (const st of json.operators[1].subtasks) {
      const buffer = st.operatorState!.lists![0];
      buffer.elementType = 'STRING';
      buffer.items = buffer.items.map(String);
    }
    const r = fromSnapshotJson(json, job);
    expect(r.ok ? [] : english(r.errors)).toContainEqual({
      path: 'operators[1].subtasks[0].operatorState.lists[0].elementType',
      message: expect.stringContaining(
        "operator state 'buffer' of operator 'buffer' is incompatible with the job: The new element serializer (IntSerializer for INT) must not be incompatible with the old element serializer (StringSerializer for STRING).",
      ),
    });
  });
});
