/**
 * How one subtask's snapshot is stored in IndexedDB (chunk format 2, schema version 2): ONE record per
 * subtask whose keyed state is packed into ONE ArrayBuffer (`body`), per state a column of key groups
 * (runs of `[keyGroup, count]`), a column of keys and a column of values (see binary.ts for the column
 * kinds: Int32Array / Float64Array, UTF-8 text plus lengths, one JSON text, or a structured-clone
 * fallback for values JSON would change). IndexedDB stores a record by structured clone, which copies
 * an ArrayBuffer at memory speed but walks 100,000 small arrays object by object; with the state in one
 * buffer a checkpoint of 100k keys costs ~1.6× one put of the same bytes instead of 5–9×
 * (bench/indexeddb.ts, docs/performance.md). The common case (string or number keys, number or string
 * values) is encoded in one pass over the entries straight into typed columns, without building arrays.
 *
 * TTL values of value / reducing / aggregating states (`{ value, lastAccess }`) are split into a
 * column of values and a Float64 column of access times; list and map values (arrays) go as JSON.
 * Everything else of the subtask (operator state, timers, channel state, metadata) is small and stays
 * a plain structured-clone value next to the body, exactly as the engine produced it.
 *
 * Incremental (RocksDB-like) keyed state is stored as its handle WITHOUT the files' contents: the SST
 * files are shared files (`encodeSstFile`), written once and reference-counted by the storage.
 *
 * The type of each state's values (`valueTypes`, Flink's serializer snapshots) is stored next to the
 * columns, as the engine recorded it. Chunks written before types were recorded have none: no schema
 * step can add them (the IndexedDB upgrade does not know the jobs), so they are migrated when restored:
 * their values are checked against the job's current descriptors (checkpointing/Checkpoints.ts).
 */
import {
  isPoison,
  PoisonRecord,
  type ChannelStateSnapshot,
  type KeyedStateSnapshot,
  type KeyGroupSnapshot,
  type Key,
  type StateEntry,
  type StateType,
  type TaskStateSnapshot,
  type TypeInfoJson,
} from '../engine/index';
import {
  isIncrementalHandle,
  type IncrementalKeyedStateHandle,
  type SstEntry,
  type SstFile,
  type SstOp,
} from '../engine/state/rocksdb/types';
import {
  BodyReader,
  BodyWriter,
  CorruptChunkError,
  fastColumnFor,
  Utf8Column,
  type Column,
  type KeyRun,
  type FastColumn,
  type Section,
} from './binary';

export { CorruptChunkError };

/** Chunk format written by this build (the `v` of `EncodedTask`). */
export const CHUNK_FORMAT = 2;

export interface EncodedState {
  name: string;
  type: StateType;
  /** The state has a time-to-live (its values are `{ value, lastAccess }`). */
  ttl?: true;
  /** Number of entries. */
  count: number;
  /** `[keyGroup, entries]` pairs, key groups ascending. */
  runs: Section;
  /** Per entry its namespace (null: VoidNamespace); absent when every entry is in VoidNamespace. */
  namespaces?: Column;
  keys: Column;
  /** The values; for split TTL values, the inner `value`s. */
  values: Column;
  /** Set when TTL values were split: the `lastAccess` of each value. */
  lastAccess?: Column;
}

export interface EncodedChannel {
  peer: string;
  values: unknown[];
  ts: Array<number | null>;
  /** Indexes of poison records (their value is the label). */
  poison: number[];
}

/** The task's fields other than its keyed and channel state, as the engine produced them. */
export type TaskFields = Omit<TaskStateSnapshot, 'keyedState' | 'inputChannelState' | 'outputChannelState'>;

export interface EncodedTask {
  v: typeof CHUNK_FORMAT;
  task: TaskFields;
  /** Full keyed state, packed into `body`. */
  keyed: {
    maxParallelism: number;
    start: number;
    end: number;
    states: EncodedState[];
    /** The type of each state's values; absent in chunks written before types were recorded. */
    valueTypes?: Record<string, TypeInfoJson>;
  } | null;
  /** Incremental keyed state: the handle with `newFiles: []` (the files are shared files). */
  incremental?: IncrementalKeyedStateHandle;
  /** Keyed state of a form this codec does not know: stored as it is. */
  keyedRaw?: unknown;
  inputChannelState: EncodedChannel[];
  outputChannelState: EncodedChannel[];
  /** The packed keyed-state columns (binary.ts); a 16-byte header only when there is no keyed state. */
  body: ArrayBuffer;
}

function isFullSnapshot(k: unknown): k is KeyedStateSnapshot {
  return Array.isArray((k as { keyGroups?: unknown } | null)?.keyGroups);
}

/** `{ value, lastAccess }` and nothing else: can be split into two columns. */
function isPlainTtlValue(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Object.getPrototypeOf(v) !== Object.prototype) return false;
  if (typeof (v as { lastAccess?: unknown }).lastAccess !== 'number' || !('value' in v)) return false;
  let n = 0;
  for (const k in v) if (++n > 2 || (k !== 'value' && k !== 'lastAccess')) return false;
  return n === 2;
}

const SPLIT_TTL: ReadonlySet<StateType> = new Set<StateType>(['value', 'reducing', 'aggregating']);

/** One state's entries across the key groups of a snapshot. */
interface StateParts {
  type: StateType;
  ttl: boolean;
  /** Key group and its entries, key groups ascending. */
  groups: Array<{ kg: number; entries: StateEntry[] }>;
  count: number;
}

function encodeKeyed(
  ks: KeyedStateSnapshot,
  w: BodyWriter,
  cache: EncodeCache | null,
): NonNullable<EncodedTask['keyed']> {
  const byName = new Map<string, StateParts>();
  for (const g of ks.keyGroups) {
    for (const name in g.states) {
      const st = g.states[name];
      let parts = byName.get(name);
      if (!parts) byName.set(name, (parts = { type: st.type, ttl: st.ttl === true, groups: [], count: 0 }));
      else if (parts.type !== st.type || parts.ttl !== (st.ttl === true))
        throw new Error(`state '${name}' changes its type or TTL between key groups`);
      parts.groups.push({ kg: g.keyGroup, entries: st.entries });
      parts.count += st.entries.length;
    }
  }
  const states = [...byName.keys()].sort().map((name) => {
    const parts = byName.get(name)!;
    const st = encodeState(name, parts, w, cache);
    // Window state: the namespace of each entry (null: VoidNamespace), a column of its own.
    if (parts.groups.some((g) => g.entries.some((e) => e[2] !== undefined)))
      st.namespaces = w.column(parts.groups.flatMap((g) => g.entries.map((e) => e[2] ?? null)));
    return st;
  });
  return {
    maxParallelism: ks.maxParallelism,
    start: ks.keyGroupRange.start,
    end: ks.keyGroupRange.end,
    states,
    ...(ks.valueTypes ? { valueTypes: ks.valueTypes } : {}),
  };
}

/**
 * What encoding a subtask's snapshot keeps for the next snapshot of the same subtask: the UTF-8 keys of
 * each key group of each state. Between two checkpoints most key groups hold the same keys (values
 * change, keys mostly stay), so their bytes are copied instead of encoded again. A run is reused only
 * if every key is equal (`===`) to the one encoded before, in the same order: the bytes are the same.
 * Keeps only what the last encode used.
 */
export class EncodeCache {
  private runs = new Map<string, KeyRun>();
  private used = new Map<string, KeyRun>();

  lookup(state: string, kg: number, entries: ReadonlyArray<StateEntry>): KeyRun | null {
    const run = this.runs.get(`${kg}\u0000${state}`);
    if (!run || run.keys.length !== entries.length) return null;
    const keys = run.keys;
    for (let i = 0; i < entries.length; i++) if (entries[i][0] !== keys[i]) return null;
    this.used.set(`${kg}\u0000${state}`, run);
    return run;
  }

  remember(state: string, kg: number, run: KeyRun): void {
    this.used.set(`${kg}\u0000${state}`, run);
  }

  /** After an encode: forget what it did not use. */
  rotate(): void {
    this.runs = this.used;
    this.used = new Map();
  }
}

/**
 * The fast path's loop (kept small, so the engine optimizes it on its own): per key group, the keys
 * (from the cache when they are the ones encoded last time), then the values (and TTL access times).
 */
function fill(
  name: string,
  groups: StateParts['groups'],
  keys: FastColumn,
  values: FastColumn,
  access: FastColumn | null,
  cache: EncodeCache | null,
): boolean {
  const utf8 = cache && keys instanceof Utf8Column ? keys : null;
  for (let g = 0; g < groups.length; g++) {
    const { kg, entries } = groups[g];
    const run = utf8 ? cache!.lookup(name, kg, entries) : null;
    if (run) utf8!.pushRun(run);
    else {
      const from = utf8 ? utf8.position() : null;
      for (let i = 0; i < entries.length; i++) if (!keys.push(entries[i][0])) return false;
      if (utf8) {
        const ks = new Array<unknown>(entries.length);
        for (let i = 0; i < entries.length; i++) ks[i] = entries[i][0];
        cache!.remember(name, kg, utf8.runSince(from!, ks));
      }
    }
    if (access) {
      for (let i = 0; i < entries.length; i++) {
        const v = entries[i][1];
        if (
          !isPlainTtlValue(v) ||
          !values.push((v as { value: unknown }).value) ||
          !access.push((v as { lastAccess: unknown }).lastAccess)
        )
          return false;
      }
    } else {
      for (let i = 0; i < entries.length; i++) if (!values.push(entries[i][1])) return false;
    }
  }
  return true;
}

function encodeState(name: string, p: StateParts, w: BodyWriter, cache: EncodeCache | null): EncodedState {
  const runs = new Int32Array(p.groups.length * 2);
  p.groups.forEach((g, i) => {
    runs[2 * i] = g.kg;
    runs[2 * i + 1] = g.entries.length;
  });
  const split = p.ttl && SPLIT_TTL.has(p.type);
  const base = { name, type: p.type, ...(p.ttl ? { ttl: true as const } : {}), count: p.count };
  // Fast path: keys and values (or TTL value + access time) straight into typed columns, no arrays.
  const first = p.groups.find((g) => g.entries.length > 0)?.entries[0];
  if (first) {
    const v0 = first[1];
    const keys = fastColumnFor(first[0], p.count, w);
    const values = fastColumnFor(
      split ? (isPlainTtlValue(v0) ? (v0 as { value: unknown }).value : null) : v0,
      p.count,
      w,
    );
    const access = split ? fastColumnFor(0, p.count, w) : null;
    const ok =
      keys !== null &&
      values !== null &&
      (!split || access !== null) &&
      fill(name, p.groups, keys, values, access, cache);
    if (ok) {
      const mark = w.mark();
      const keyCol = keys.finish(w);
      const valueCol = keyCol && values.finish(w);
      const accessCol = access && valueCol ? access.finish(w) : null;
      if (keyCol && valueCol && (!access || accessCol)) {
        const runsAt = w.add(runs);
        return {
          ...base,
          runs: { offset: runsAt, count: runs.length },
          keys: keyCol,
          values: valueCol,
          ...(accessCol ? { lastAccess: accessCol } : {}),
        };
      }
      w.reset(mark);
    }
  }
  // General path: the columns as arrays, each packed as well as it allows (binary.ts).
  const keys = new Array<unknown>(p.count);
  const values = new Array<unknown>(p.count);
  let at = 0;
  for (const g of p.groups) {
    for (const e of g.entries) {
      keys[at] = e[0];
      values[at++] = e[1];
    }
  }
  const st: EncodedState = {
    ...base,
    runs: { offset: w.add(runs), count: runs.length },
    keys: w.column(keys),
    values: undefined as unknown as Column,
  };
  if (split && values.every(isPlainTtlValue)) {
    const inner = new Array<unknown>(values.length);
    const access = new Array<number>(values.length);
    for (let i = 0; i < values.length; i++) {
      const tv = values[i] as { value: unknown; lastAccess: number };
      inner[i] = tv.value;
      access[i] = tv.lastAccess;
    }
    st.values = w.column(inner);
    st.lastAccess = w.column(access);
  } else st.values = w.column(values);
  return st;
}

function decodeKeyed(k: NonNullable<EncodedTask['keyed']>, r: BodyReader): KeyedStateSnapshot {
  if (!Array.isArray(k.states)) throw r.corrupt('its keyed state has no list of states');
  const groups = new Map<number, KeyGroupSnapshot>();
  for (const st of k.states) {
    const what = `state '${String(st?.name)}'`;
    const count = st.count;
    const runs = r.int32(st.runs, `${what} (key groups)`);
    const keys = r.column(st.keys, `${what} (keys)`);
    let values = r.column(st.values, `${what} (values)`);
    if (st.lastAccess) {
      const access = r.column(st.lastAccess, `${what} (access times)`);
      if (access.length !== values.length)
        throw r.corrupt(`${what}: ${values.length} values but ${access.length} access times`);
      const inner = values;
      const wrapped = new Array<unknown>(inner.length);
      for (let i = 0; i < inner.length; i++) wrapped[i] = { value: inner[i], lastAccess: access[i] };
      values = wrapped;
    }
    const namespaces = st.namespaces ? r.column(st.namespaces, `${what} (namespaces)`) : null;
    if (keys.length !== count || values.length !== count || (namespaces && namespaces.length !== count))
      throw r.corrupt(
        `${what}: ${count} entries expected, found ${keys.length} keys and ${values.length} values`,
      );
    let at = 0;
    for (let j = 0; j + 1 < runs.length; j += 2) {
      const kg = runs[j];
      const n = runs[j + 1];
      if (!(n >= 0) || at + n > count) throw r.corrupt(`${what}: key group ${kg} claims ${n} entries`);
      let g = groups.get(kg);
      if (!g) groups.set(kg, (g = { keyGroup: kg, states: {} }));
      const entries = new Array<StateEntry>(n);
      for (let i = 0; i < n; i++, at++) {
        const ns = namespaces?.[at];
        entries[i] =
          typeof ns === 'string' ? [keys[at] as Key, values[at], ns] : [keys[at] as Key, values[at]];
      }
      g.states[st.name] = st.ttl ? { type: st.type, ttl: true, entries } : { type: st.type, entries };
    }
    if (at !== count || runs.length % 2 !== 0)
      throw r.corrupt(`${what}: the key groups hold ${at} of its ${count} entries`);
  }
  // States are stored by name ascending, so every key group lists them in that order, as the backends do.
  const keyGroups = [...groups.values()].sort((a, b) => a.keyGroup - b.keyGroup);
  return {
    maxParallelism: k.maxParallelism,
    keyGroupRange: { start: k.start, end: k.end },
    keyGroups,
    ...(k.valueTypes ? { valueTypes: k.valueTypes } : {}),
  };
}

function encodeChannels(list: readonly ChannelStateSnapshot[]): EncodedChannel[] {
  return list.map((cs) => {
    const poison: number[] = [];
    const values = cs.records.map((r, i) => {
      if (isPoison(r.value)) {
        poison.push(i);
        return r.value.label;
      }
      return r.value;
    });
    return { peer: cs.peer, values, ts: cs.records.map((r) => r.ts), poison };
  });
}

function decodeChannels(list: readonly EncodedChannel[]): ChannelStateSnapshot[] {
  return list.map((c) => {
    const poison = new Set(c.poison);
    return {
      peer: c.peer,
      records: c.values.map((value, i) => ({
        value: poison.has(i) ? new PoisonRecord(String(value)) : value,
        ts: c.ts[i],
      })),
    };
  });
}

/**
 * One subtask's snapshot as one chunk value (keyed state packed into one ArrayBuffer). `cache`: the
 * subtask's `EncodeCache`, to reuse the encoded keys of its previous snapshot (same result, faster).
 */
export function encodeTask(t: TaskStateSnapshot, cache: EncodeCache | null = null): EncodedTask {
  const { keyedState, inputChannelState, outputChannelState, ...task } = t;
  const w = new BodyWriter();
  const encoded: EncodedTask = {
    v: CHUNK_FORMAT,
    task,
    keyed: keyedState && isFullSnapshot(keyedState) ? encodeKeyed(keyedState, w, cache) : null,
    inputChannelState: encodeChannels(inputChannelState),
    outputChannelState: encodeChannels(outputChannelState),
    body: undefined as unknown as ArrayBuffer,
  };
  if (keyedState && !isFullSnapshot(keyedState)) {
    if (isIncrementalHandle(keyedState)) encoded.incremental = { ...keyedState, newFiles: [] };
    else encoded.keyedRaw = keyedState;
  }
  encoded.body = w.finish();
  cache?.rotate();
  return encoded;
}

/**
 * The engine's snapshot back from a chunk value. Throws `CorruptChunkError` (naming the subtask and the
 * problem) for anything damaged; an incremental handle comes back with `newFiles: []`.
 */
export function decodeTask(e: EncodedTask): TaskStateSnapshot {
  const v = (e as { v?: unknown } | null)?.v;
  const taskId = String((e as { task?: { taskId?: unknown } } | null)?.task?.taskId ?? '?');
  if (v !== CHUNK_FORMAT)
    throw new CorruptChunkError(
      `state chunk ${taskId} is in chunk format ${String(v)}; this build reads format ${CHUNK_FORMAT}`,
    );
  const reader = new BodyReader(e.body, `state chunk ${taskId}`);
  const keyedState: TaskStateSnapshot['keyedState'] = e.keyed
    ? decodeKeyed(e.keyed, reader)
    : e.incremental
      ? { ...e.incremental, newFiles: [] }
      : e.keyedRaw !== undefined
        ? (e.keyedRaw as TaskStateSnapshot['keyedState'])
        : null;
  return {
    ...e.task,
    keyedState,
    inputChannelState: decodeChannels(e.inputChannelState),
    outputChannelState: decodeChannels(e.outputChannelState),
  };
}

// ------------------------------------------------------------------ SST files (shared files)

const OPS: readonly SstOp[] = ['put', 'delete', 'merge'];

/** An SST file of the RocksDB-like backend as a shared-file value: columns in one ArrayBuffer. */
export interface EncodedSstFile {
  v: typeof CHUNK_FORMAT;
  id: string;
  level: number;
  keyGroupRange: SstFile['keyGroupRange'];
  /** The modelled size (`SstFile.bytes`). */
  bytes: number;
  count: number;
  /** State names; `state` holds an index into this list per entry. */
  states: string[];
  kg: Section;
  state: Section;
  op: Section;
  keys: Column;
  uk: Column;
  values: Column;
  /** Per entry its namespace (undefined: VoidNamespace); absent when no entry has one. */
  ns?: Column;
  body: ArrayBuffer;
}

export function encodeSstFile(f: SstFile): EncodedSstFile {
  const n = f.entries.length;
  const names = new Map<string, number>();
  const kg = new Int32Array(n);
  const state = new Int32Array(n);
  const op = new Int32Array(n);
  const keys = new Array<unknown>(n);
  const uk = new Array<unknown>(n);
  const values = new Array<unknown>(n);
  for (let i = 0; i < n; i++) {
    const e = f.entries[i];
    kg[i] = e.kg;
    let s = names.get(e.state);
    if (s === undefined) names.set(e.state, (s = names.size));
    state[i] = s;
    const o = OPS.indexOf(e.op);
    if (o < 0) throw new Error(`SST file ${f.id}: unknown operation '${String(e.op)}'`);
    op[i] = o;
    keys[i] = e.key;
    uk[i] = e.uk;
    values[i] = e.value;
  }
  const w = new BodyWriter();
  const section = (a: Int32Array): Section => ({ offset: w.add(a), count: a.length });
  const encoded: EncodedSstFile = {
    v: CHUNK_FORMAT,
    id: f.id,
    level: f.level,
    keyGroupRange: { ...f.keyGroupRange },
    bytes: f.bytes,
    count: n,
    states: [...names.keys()],
    kg: section(kg),
    state: section(state),
    op: section(op),
    keys: w.column(keys),
    uk: w.column(uk),
    values: w.column(values),
    body: undefined as unknown as ArrayBuffer,
  };
  if (f.entries.some((e) => e.ns !== undefined)) encoded.ns = w.column(f.entries.map((e) => e.ns));
  encoded.body = w.finish();
  return encoded;
}

export function decodeSstFile(e: EncodedSstFile): SstFile {
  const id = String((e as { id?: unknown } | null)?.id ?? '?');
  if ((e as { v?: unknown } | null)?.v !== CHUNK_FORMAT)
    throw new CorruptChunkError(`shared file ${id} is not an SST file of chunk format ${CHUNK_FORMAT}`);
  const r = new BodyReader(e.body, `shared file ${id}`);
  const n = e.count;
  const kg = r.int32(e.kg, 'key groups');
  const state = r.int32(e.state, 'state indexes');
  const op = r.int32(e.op, 'operations');
  const keys = r.column(e.keys, 'keys');
  const uk = r.column(e.uk, 'user keys');
  const values = r.column(e.values, 'values');
  const ns = e.ns ? r.column(e.ns, 'namespaces') : null;
  if (
    [kg.length, state.length, op.length, keys.length, uk.length, values.length].some((x) => x !== n) ||
    (ns && ns.length !== n)
  )
    throw r.corrupt(`its columns do not all hold ${n} entries`);
  const entries = new Array<SstEntry>(n);
  for (let i = 0; i < n; i++) {
    const name = e.states[state[i]];
    const o = OPS[op[i]];
    if (name === undefined || o === undefined)
      throw r.corrupt(`entry ${i} has an unknown state or operation`);
    const entry: SstEntry = { kg: kg[i], state: name, key: keys[i] as Key, op: o };
    if (ns && typeof ns[i] === 'string') entry.ns = ns[i] as string;
    if (uk[i] !== undefined) entry.uk = uk[i] as string | number;
    if (values[i] !== undefined) entry.value = values[i] as string;
    entries[i] = entry;
  }
  return { id: e.id, level: e.level, keyGroupRange: { ...e.keyGroupRange }, entries, bytes: e.bytes };
}
