/**
 * Flink's HashMap state backend (`HeapKeyedStateBackend`): state lives as plain objects on the heap.
 *
 * Storage mirrors Flink's `StateTable`: one table per state name, holding one `Map<key, value>` per
 * key group (an array indexed by `keyGroup - startKeyGroup`). Reads and writes are a couple of Map
 * operations on the current key's key group, which `setCurrentKey` computes once per key change.
 * Snapshots are written per key group, so any set of snapshots can be restored into a backend with a
 * different key-group range (rescaling).
 *
 * Like Flink's heap backend, live values are stored by reference (mutating an object returned by
 * `value()` mutates the state); snapshots and restores deep-copy.
 *
 * States with TTL (`descriptor.enableTimeToLive`) store `TtlValue`s (per list element, per map entry)
 * and get the shared TTL handles of `ttl/TtlStates.ts` over small storages on the same tables, plus
 * Flink's incremental cleanup (`ttl/TtlIncrementalCleanup.ts`). States without TTL keep their own
 * handles below, untouched by TTL: no extra work on their hot paths.
 */
import { jsonLength, type Key } from '../keygroups/hashCode';
import { KeyGroupRange } from '../keygroups/KeyGroupRange';
import {
  assignToKeyGroup,
  checkParallelismPreconditions,
  computeKeyGroupRangeForOperatorIndex,
} from '../keygroups/KeyGroupRangeAssignment';
import type {
  KeyedStateBackend,
  KeyedStateSnapshot,
  KeyGroupSnapshot,
  RestorableKeyedState,
  StateChangeListener,
} from './KeyedStateBackend';
import type { AggregatingState, ListState, MapState, ReducingState, State, ValueState } from './State';
import {
  AggregatingStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
  type AggregateFunction,
  type StateDescriptor,
  type StateType,
} from './StateDescriptor';
import {
  checkNotNull,
  compareKeys,
  copyValue,
  noKey,
  type ListStorage,
  type MapStorage,
  type StateHost,
  type UserKey,
  type ValueStorage,
} from './StateStorage';
import { TtlIncrementalCleanup } from './ttl/TtlIncrementalCleanup';
import {
  TtlAggregatingState,
  TtlListState,
  TtlMapState,
  TtlReducingState,
  TtlValueState,
} from './ttl/TtlStates';
import {
  checkReRegistration,
  ttlIncompatibility,
  ttlSettings,
  unexpiredOrNull,
  unwrapTtl,
  type TtlSettings,
} from './ttl/TtlValue';

export { compareKeys };

/** Shared between the backend and its state handles: the current key and where its state lives. */
interface KeyContext {
  key: Key | null;
  /** `keyGroup - keyGroupRange.startKeyGroup` of the current key. */
  kgIndex: number;
  listener: StateChangeListener | null;
}

/** Per-state storage: one `Map<key, value>` per key group of the backend's range. */
interface StateTable {
  readonly name: string;
  readonly type: StateType;
  groups: Array<Map<Key, unknown> | undefined>;
  handle: State | null;
  /** Values are `TtlValue`s (from the descriptor, or from a restored snapshot). */
  ttl: boolean;
  /** The TTL settings of the registered descriptor (`null` without TTL or before registration). */
  ttlSettings: TtlSettings | null;
  /** A descriptor requested this state (restore alone does not register it). */
  registered: boolean;
  cleanup: TtlIncrementalCleanup | null;
}

function compareEntries(a: [Key, unknown], b: [Key, unknown]): number {
  return compareKeys(a[0], b[0]);
}

/** The value shown for inspection and to the listener: list → array copy, map → [uk, uv] pairs. */
function inspectionValue(type: StateType, stored: unknown): unknown {
  if (type === 'list') return (stored as unknown[]).slice();
  if (type === 'map') return Array.from((stored as Map<unknown, unknown>).entries());
  return stored;
}

/** Plain, JSON-compatible deep copy of a stored value for a snapshot. */
function snapshotValue(type: StateType, stored: unknown): unknown {
  if (type === 'list') return (stored as unknown[]).map(copyValue);
  if (type === 'map') {
    const pairs: Array<[unknown, unknown]> = [];
    for (const [uk, uv] of stored as Map<unknown, unknown>) pairs.push([uk, copyValue(uv)]);
    return pairs;
  }
  return copyValue(stored);
}

/** The stored form of a snapshot value (deep-copied, so the snapshot stays independent). */
function restoredValue(type: StateType, value: unknown): unknown {
  if (type === 'list') return (value as unknown[]).map(copyValue);
  if (type === 'map') {
    const m = new Map<unknown, unknown>();
    for (const [uk, uv] of value as Array<[unknown, unknown]>) m.set(uk, copyValue(uv));
    return m;
  }
  return copyValue(value);
}

// ---------------------------------------------------------------------------------------------
// State handles

abstract class HeapState implements State {
  constructor(
    protected readonly ctx: KeyContext,
    protected readonly table: StateTable,
  ) {}

  /** The current key's map (created on demand). Throws when no key is set. */
  protected group(): Map<Key, unknown> {
    if (this.ctx.key === null) throw noKey();
    const groups = this.table.groups;
    const i = this.ctx.kgIndex;
    let m = groups[i];
    if (m === undefined) {
      m = new Map();
      groups[i] = m;
    }
    return m;
  }

  /** The current key's stored value, `undefined` when absent. Throws when no key is set. */
  protected getInternal(): unknown {
    const key = this.ctx.key;
    if (key === null) throw noKey();
    const m = this.table.groups[this.ctx.kgIndex];
    return m === undefined ? undefined : m.get(key);
  }

  protected notify(value: unknown): void {
    const listener = this.ctx.listener;
    if (listener !== null) {
      listener(
        this.table.name,
        this.ctx.key as Key,
        value === null ? null : inspectionValue(this.table.type, value),
      );
    }
  }

  clear(): void {
    const key = this.ctx.key;
    if (key === null) throw noKey();
    const m = this.table.groups[this.ctx.kgIndex];
    if (m !== undefined) m.delete(key);
    if (this.ctx.listener !== null) this.ctx.listener(this.table.name, key, null);
  }
}

class HeapValueState<T> extends HeapState implements ValueState<T> {
  private readonly defaultValue: T | null;

  constructor(ctx: KeyContext, table: StateTable, descriptor: ValueStateDescriptor<T>) {
    super(ctx, table);
    this.defaultValue = descriptor.defaultValue;
  }

  value(): T | null {
    const key = this.ctx.key;
    if (key === null) throw noKey();
    const m = this.table.groups[this.ctx.kgIndex];
    if (m !== undefined) {
      const v = m.get(key);
      if (v !== undefined) return v as T;
    }
    return this.defaultValue === null ? null : copyValue(this.defaultValue);
  }

  update(value: T | null): void {
    if (value === null || value === undefined) {
      this.clear();
      return;
    }
    const key = this.ctx.key;
    if (key === null) throw noKey();
    const groups = this.table.groups;
    const i = this.ctx.kgIndex;
    let m = groups[i];
    if (m === undefined) {
      m = new Map();
      groups[i] = m;
    }
    m.set(key, value);
    if (this.ctx.listener !== null) this.ctx.listener(this.table.name, key, value);
  }
}

class HeapListState<T> extends HeapState implements ListState<T> {
  get(): T[] {
    const list = this.getInternal() as T[] | undefined;
    return list === undefined ? [] : list.slice();
  }

  add(value: T): void {
    checkNotNull(value, 'You cannot add null to a ListState.');
    const m = this.group();
    const key = this.ctx.key as Key;
    const list = m.get(key) as T[] | undefined;
    if (list === undefined) m.set(key, [value]);
    else list.push(value);
    this.notify(m.get(key));
  }

  addAll(values: T[]): void {
    checkNotNull(values, 'List of values to add cannot be null.');
    if (values.length === 0) return;
    for (const v of values) checkNotNull(v, 'You cannot add null to a ListState.');
    const m = this.group();
    const key = this.ctx.key as Key;
    const list = m.get(key) as T[] | undefined;
    if (list === undefined) m.set(key, values.slice());
    else for (const v of values) list.push(v);
    this.notify(m.get(key));
  }

  update(values: T[]): void {
    checkNotNull(values, 'List of values to add cannot be null.');
    if (values.length === 0) {
      this.clear();
      return;
    }
    for (const v of values) checkNotNull(v, 'You cannot add null to a ListState.');
    const m = this.group();
    const copy = values.slice();
    m.set(this.ctx.key as Key, copy);
    this.notify(copy);
  }
}

class HeapMapState<UK extends string | number, UV> extends HeapState implements MapState<UK, UV> {
  private userMap(): Map<UK, UV> | undefined {
    return this.getInternal() as Map<UK, UV> | undefined;
  }

  private userMapForWrite(): Map<UK, UV> {
    const m = this.group();
    const key = this.ctx.key as Key;
    let um = m.get(key) as Map<UK, UV> | undefined;
    if (um === undefined) {
      um = new Map();
      m.set(key, um);
    }
    return um;
  }

  get(userKey: UK): UV | null {
    const um = this.userMap();
    if (um === undefined) return null;
    const v = um.get(userKey);
    return v === undefined ? null : v;
  }

  put(userKey: UK, value: UV): void {
    const um = this.userMapForWrite();
    um.set(userKey, value);
    this.notify(um);
  }

  putAll(map: ReadonlyMap<UK, UV> | (UK extends string ? Readonly<Record<UK, UV>> : never)): void {
    if (map === null || map === undefined) return;
    const pairs: Array<[UK, UV]> =
      map instanceof Map
        ? Array.from((map as ReadonlyMap<UK, UV>).entries())
        : (Object.entries(map) as Array<[UK, UV]>);
    if (pairs.length === 0) return;
    const um = this.userMapForWrite();
    for (const [uk, uv] of pairs) um.set(uk, uv);
    this.notify(um);
  }

  remove(userKey: UK): void {
    const um = this.userMap();
    if (um === undefined) {
      this.notify(null);
      return;
    }
    um.delete(userKey);
    if (um.size === 0) this.clear();
    else this.notify(um);
  }

  contains(userKey: UK): boolean {
    const um = this.userMap();
    return um !== undefined && um.has(userKey);
  }

  entries(): Array<[UK, UV]> {
    const um = this.userMap();
    return um === undefined ? [] : Array.from(um.entries());
  }

  keys(): UK[] {
    const um = this.userMap();
    return um === undefined ? [] : Array.from(um.keys());
  }

  values(): UV[] {
    const um = this.userMap();
    return um === undefined ? [] : Array.from(um.values());
  }

  isEmpty(): boolean {
    const um = this.userMap();
    return um === undefined || um.size === 0;
  }
}

class HeapReducingState<T> extends HeapState implements ReducingState<T> {
  private readonly reduce: (a: T, b: T) => T;

  constructor(ctx: KeyContext, table: StateTable, descriptor: ReducingStateDescriptor<T>) {
    super(ctx, table);
    this.reduce = descriptor.reduce;
  }

  get(): T | null {
    const v = this.getInternal();
    return v === undefined ? null : (v as T);
  }

  add(value: T): void {
    if (value === null || value === undefined) {
      this.clear();
      return;
    }
    const m = this.group();
    const key = this.ctx.key as Key;
    const previous = m.get(key) as T | undefined;
    const next = previous === undefined ? value : this.reduce(previous, value);
    if (next === null || next === undefined) {
      this.clear();
      return;
    }
    m.set(key, next);
    this.notify(next);
  }
}

class HeapAggregatingState<IN, ACC, OUT> extends HeapState implements AggregatingState<IN, OUT> {
  private readonly fn: AggregateFunction<IN, ACC, OUT>;

  constructor(ctx: KeyContext, table: StateTable, descriptor: AggregatingStateDescriptor<IN, ACC, OUT>) {
    super(ctx, table);
    this.fn = descriptor.aggFunction;
  }

  get(): OUT | null {
    const acc = this.getInternal();
    return acc === undefined ? null : this.fn.getResult(acc as ACC);
  }

  add(value: IN): void {
    if (value === null || value === undefined) {
      this.clear();
      return;
    }
    const m = this.group();
    const key = this.ctx.key as Key;
    let acc = m.get(key) as ACC | undefined;
    if (acc === undefined) acc = this.fn.createAccumulator();
    acc = this.fn.add(value, acc);
    m.set(key, acc);
    this.notify(acc);
  }
}

// ---------------------------------------------------------------------------------------------
// Storages for the TTL handles (stored values are TtlValues; map state keeps a Map per key)

abstract class HeapStorage {
  constructor(
    protected readonly ctx: KeyContext,
    protected readonly table: StateTable,
  ) {}

  protected current(): unknown {
    const key = this.ctx.key;
    if (key === null) throw noKey();
    const m = this.table.groups[this.ctx.kgIndex];
    return m === undefined ? undefined : m.get(key);
  }

  protected set(stored: unknown): void {
    const key = this.ctx.key;
    if (key === null) throw noKey();
    const groups = this.table.groups;
    let m = groups[this.ctx.kgIndex];
    if (m === undefined) {
      m = new Map();
      groups[this.ctx.kgIndex] = m;
    }
    m.set(key, stored);
  }

  remove(): void {
    const key = this.ctx.key;
    if (key === null) throw noKey();
    const m = this.table.groups[this.ctx.kgIndex];
    if (m !== undefined) m.delete(key);
  }
}

class HeapValueStorage extends HeapStorage implements ValueStorage {
  get(): unknown {
    return this.current();
  }

  put(stored: unknown): void {
    this.set(stored);
  }
}

class HeapListStorage extends HeapStorage implements ListStorage {
  get(): unknown[] | undefined {
    return this.current() as unknown[] | undefined;
  }

  put(elements: unknown[]): void {
    this.set(elements);
  }

  append(elements: unknown[]): void {
    const list = this.current() as unknown[] | undefined;
    if (list === undefined) this.set(elements.slice());
    else for (const e of elements) list.push(e);
  }
}

class HeapMapStorage extends HeapStorage implements MapStorage {
  private userMap(): Map<UserKey, unknown> | undefined {
    return this.current() as Map<UserKey, unknown> | undefined;
  }

  private userMapForWrite(): Map<UserKey, unknown> {
    let um = this.userMap();
    if (um === undefined) {
      um = new Map();
      this.set(um);
    }
    return um;
  }

  get(userKey: UserKey): unknown {
    const um = this.userMap();
    return um === undefined ? undefined : um.get(userKey);
  }

  put(userKey: UserKey, stored: unknown): void {
    this.userMapForWrite().set(userKey, stored);
  }

  putAll(pairs: ReadonlyArray<readonly [UserKey, unknown]>): void {
    const um = this.userMapForWrite();
    for (const [uk, v] of pairs) um.set(uk, v);
  }

  override remove(userKey?: UserKey): void {
    if (userKey === undefined) {
      super.remove();
      return;
    }
    const um = this.userMap();
    if (um === undefined) return;
    um.delete(userKey);
    if (um.size === 0) super.remove();
  }

  entries(): Array<[UserKey, unknown]> {
    const um = this.userMap();
    return um === undefined ? [] : Array.from(um.entries());
  }

  isEmpty(): boolean {
    const um = this.userMap();
    return um === undefined || um.size === 0;
  }

  clear(): void {
    super.remove();
  }
}

// ---------------------------------------------------------------------------------------------
// The backend

export class HeapKeyedStateBackend implements KeyedStateBackend {
  readonly keyGroupRange: KeyGroupRange;
  readonly maxParallelism: number;

  private readonly ctx: KeyContext = { key: null, kgIndex: -1, listener: null };
  private readonly tables = new Map<string, StateTable>();
  private readonly numKeyGroups: number;
  /** Processing time for TTL (Flink's TtlTimeProvider). */
  private now: () => number = () => 0;
  /** Incremental TTL cleanups that run on every record (`runCleanupForEveryRecord`). */
  private readonly recordCleanups: TtlIncrementalCleanup[] = [];
  /** The backend as the shared (TTL) state handles see it. */
  private readonly host: StateHost;

  /**
   * @param maxParallelism the number of key groups
   * @param keyGroupRange the key groups this backend owns; all of them when omitted
   */
  constructor(maxParallelism: number, keyGroupRange?: KeyGroupRange) {
    checkParallelismPreconditions(maxParallelism);
    const range = keyGroupRange ?? new KeyGroupRange(0, maxParallelism - 1);
    if (!range.isEmpty() && range.endKeyGroup >= maxParallelism) {
      throw new Error(`${range.toString()} does not fit maxParallelism ${maxParallelism}`);
    }
    this.maxParallelism = maxParallelism;
    this.keyGroupRange = range;
    this.numKeyGroups = Math.max(0, range.getNumberOfKeyGroups());
    const ctx = this.ctx;
    this.host = {
      currentKey: (): Key => {
        if (ctx.key === null) throw noKey();
        return ctx.key;
      },
      get listener(): StateChangeListener | null {
        return ctx.listener;
      },
      now: (): number => this.now(),
      silently: <T>(fn: () => T): T => fn(),
    };
  }

  /** The backend of subtask `index` of `parallelism` (its range from `KeyGroupRangeAssignment`). */
  static forSubtask(maxParallelism: number, parallelism: number, index: number): HeapKeyedStateBackend {
    return new HeapKeyedStateBackend(
      maxParallelism,
      computeKeyGroupRangeForOperatorIndex(maxParallelism, parallelism, index),
    );
  }

  get listener(): StateChangeListener | null {
    return this.ctx.listener;
  }

  set listener(listener: StateChangeListener | null) {
    this.ctx.listener = listener;
  }

  setTimeProvider(now: () => number): void {
    this.now = now;
  }

  /** Heap state access is not modelled as costing virtual time. */
  takeCost(): number {
    return 0;
  }

  setCurrentKey(key: Key): void {
    // Flink's key selection listeners: incremental TTL cleanup "for every record".
    if (this.recordCleanups.length !== 0) for (const c of this.recordCleanups) c.stateAccessed();
    const ctx = this.ctx;
    if (key === ctx.key) return;
    if (key === null || key === undefined) throw new Error('Key must not be null.');
    const keyGroup = assignToKeyGroup(key, this.maxParallelism);
    const index = keyGroup - this.keyGroupRange.startKeyGroup;
    if (index < 0 || index >= this.numKeyGroups) {
      throw new Error(
        `Key group ${keyGroup} is not in ${this.keyGroupRange.toString()}. Unless you're directly using low ` +
          `level state access APIs, this is most likely caused by non-deterministic shuffle key ` +
          `(hashCode and equals implementation).`,
      );
    }
    ctx.key = key;
    ctx.kgIndex = index;
  }

  getCurrentKey(): Key | null {
    return this.ctx.key;
  }

  /** The key group of the current key, or -1 when no key is set. */
  getCurrentKeyGroupIndex(): number {
    return this.ctx.key === null ? -1 : this.ctx.kgIndex + this.keyGroupRange.startKeyGroup;
  }

  getPartitionedState<S extends State>(descriptor: StateDescriptor): S {
    const name = descriptor.name;
    const ttlConfig = descriptor.getTtlConfig();
    let table = this.tables.get(name);
    if (table !== undefined) {
      checkReRegistration(name, table, descriptor);
      if (table.handle !== null) return table.handle as S;
    } else {
      table = this.newTable(name, descriptor.type, ttlConfig !== null);
      this.tables.set(name, table);
    }
    table.registered = true;
    table.handle =
      ttlConfig !== null ? this.createTtlHandle(descriptor, table) : this.createHandle(descriptor, table);
    return table.handle as S;
  }

  private newTable(name: string, type: StateType, ttl: boolean): StateTable {
    return {
      name,
      type,
      groups: new Array<Map<Key, unknown> | undefined>(this.numKeyGroups).fill(undefined),
      handle: null,
      ttl,
      ttlSettings: null,
      registered: false,
      cleanup: null,
    };
  }

  private createTtlHandle(descriptor: StateDescriptor, table: StateTable): State {
    const config = descriptor.getTtlConfig();
    if (config === null) throw new Error(`State "${table.name}" has no TTL`);
    const settings = ttlSettings(config);
    table.ttlSettings = settings;
    const strategy = config.getCleanupStrategies().getIncrementalCleanupStrategy();
    let accessed = (): void => {};
    if (strategy !== null) {
      const cleanup = new TtlIncrementalCleanup(
        table,
        strategy.cleanupSize,
        settings.ttl,
        () => this.now(),
        (key, stored) => {
          const listener = this.ctx.listener;
          if (listener !== null)
            listener(table.name, key, stored === null ? null : unwrapTtl(table.type, stored));
        },
      );
      table.cleanup = cleanup;
      accessed = () => cleanup.stateAccessed();
      if (strategy.runCleanupForEveryRecord) this.recordCleanups.push(cleanup);
    }
    const host = this.host;
    const name = table.name;
    switch (descriptor.type) {
      case 'value':
        return new TtlValueState(host, name, settings, accessed, new HeapValueStorage(this.ctx, table));
      case 'list':
        return new TtlListState(host, name, settings, accessed, new HeapListStorage(this.ctx, table));
      case 'map':
        return new TtlMapState(host, name, settings, accessed, new HeapMapStorage(this.ctx, table));
      case 'reducing':
        return new TtlReducingState(
          host,
          name,
          settings,
          accessed,
          new HeapValueStorage(this.ctx, table),
          (descriptor as ReducingStateDescriptor<unknown>).reduce,
        );
      case 'aggregating':
        return new TtlAggregatingState(
          host,
          name,
          settings,
          accessed,
          new HeapValueStorage(this.ctx, table),
          (descriptor as AggregatingStateDescriptor<unknown, unknown, unknown>).aggFunction,
        );
    }
  }

  private createHandle(descriptor: StateDescriptor, table: StateTable): State {
    switch (descriptor.type) {
      case 'value':
        return new HeapValueState(this.ctx, table, descriptor as ValueStateDescriptor<unknown>);
      case 'list':
        return new HeapListState(this.ctx, table);
      case 'map':
        return new HeapMapState(this.ctx, table);
      case 'reducing':
        return new HeapReducingState(this.ctx, table, descriptor as ReducingStateDescriptor<unknown>);
      case 'aggregating':
        return new HeapAggregatingState(
          this.ctx,
          table,
          descriptor as AggregatingStateDescriptor<unknown, unknown, unknown>,
        );
    }
  }

  snapshot(): KeyedStateSnapshot {
    const names = Array.from(this.tables.keys()).sort();
    const keyGroups: KeyGroupSnapshot[] = [];
    const now = this.now();
    for (let i = 0; i < this.numKeyGroups; i++) {
      let states: KeyGroupSnapshot['states'] | null = null;
      for (const name of names) {
        const table = this.tables.get(name) as StateTable;
        const m = table.groups[i];
        if (m === undefined || m.size === 0) continue;
        // TTL cleanupFullSnapshot: expired values are left out of the snapshot (not of the state).
        const settings = table.ttlSettings;
        const filterTtl = settings !== null && settings.config.getCleanupStrategies().inFullSnapshot();
        const entries: Array<[Key, unknown]> = [];
        for (const [key, stored] of m) {
          const kept = filterTtl ? unexpiredOrNull(table.type, stored, settings.ttl, now) : stored;
          if (kept !== null) entries.push([key, snapshotValue(table.type, kept)]);
        }
        if (entries.length === 0) continue;
        entries.sort(compareEntries);
        if (states === null) states = {};
        states[name] = table.ttl ? { type: table.type, ttl: true, entries } : { type: table.type, entries };
      }
      if (states !== null) keyGroups.push({ keyGroup: i + this.keyGroupRange.startKeyGroup, states });
    }
    return {
      maxParallelism: this.maxParallelism,
      keyGroupRange: { start: this.keyGroupRange.startKeyGroup, end: this.keyGroupRange.endKeyGroup },
      keyGroups,
    };
  }

  restore(handles: ReadonlyArray<RestorableKeyedState>): void {
    const snapshots: KeyedStateSnapshot[] = [];
    for (const h of handles) {
      if ('kind' in h) {
        throw new Error(
          'The HashMap state backend cannot restore an incremental RocksDB checkpoint (native format). ' +
            'Take a savepoint (canonical format) to switch state backends, as in Flink.',
        );
      }
      snapshots.push(h);
    }
    for (const s of snapshots) {
      if (s.maxParallelism !== this.maxParallelism) {
        throw new Error(
          `Cannot restore a snapshot taken with maxParallelism ${s.maxParallelism} into a backend with ` +
            `maxParallelism ${this.maxParallelism}: the number of key groups must not change.`,
        );
      }
    }
    // TTL flags of the restored states must agree with each other and with registered descriptors.
    const restoredTtl = new Map<string, boolean>();
    for (const s of snapshots) {
      for (const kgs of s.keyGroups) {
        for (const name of Object.keys(kgs.states)) {
          const ttl = kgs.states[name].ttl === true;
          const seen = restoredTtl.get(name);
          if (seen !== undefined && seen !== ttl) {
            throw new Error(`State "${name}" is stored with TTL in some snapshots and without in others.`);
          }
          restoredTtl.set(name, ttl);
          const table = this.tables.get(name);
          if (table !== undefined && table.registered && table.ttl !== ttl)
            throw ttlIncompatibility(name, ttl);
        }
      }
    }
    for (const table of this.tables.values()) {
      table.groups.fill(undefined);
      if (table.cleanup !== null) table.cleanup.reset();
    }
    const start = this.keyGroupRange.startKeyGroup;
    for (const s of snapshots) {
      for (const kgs of s.keyGroups) {
        if (!this.keyGroupRange.contains(kgs.keyGroup)) continue;
        const i = kgs.keyGroup - start;
        for (const name of Object.keys(kgs.states)) {
          const { type, entries } = kgs.states[name];
          let table = this.tables.get(name);
          if (table === undefined) {
            table = this.newTable(name, type, restoredTtl.get(name) === true);
            this.tables.set(name, table);
          } else if (table.type !== type) {
            throw new Error(`State "${name}" is ${table.type} state but the snapshot holds ${type} state.`);
          } else if (!table.registered) {
            table.ttl = restoredTtl.get(name) === true;
          }
          let m = table.groups[i];
          if (m === undefined) {
            m = new Map();
            table.groups[i] = m;
          }
          for (const [key, value] of entries) m.set(key, restoredValue(type, value));
        }
      }
    }
  }

  stateNames(): string[] {
    return Array.from(this.tables.keys());
  }

  entries(stateName: string): Array<[Key, unknown]> {
    const table = this.tables.get(stateName);
    if (table === undefined) return [];
    const out: Array<[Key, unknown]> = [];
    for (const m of table.groups) {
      if (m === undefined) continue;
      for (const [key, stored] of m) {
        out.push([key, table.ttl ? unwrapTtl(table.type, stored) : inspectionValue(table.type, stored)]);
      }
    }
    return out.sort(compareEntries);
  }

  numKeys(): number {
    if (this.tables.size === 1) {
      let n = 0;
      for (const table of this.tables.values())
        for (const m of table.groups) if (m !== undefined) n += m.size;
      return n;
    }
    const keys = new Set<Key>();
    for (const table of this.tables.values()) {
      for (const m of table.groups) if (m !== undefined) for (const key of m.keys()) keys.add(key);
    }
    return keys.size;
  }
}

/** Rough size of a snapshot in bytes (its JSON length). */
export function estimateSnapshotBytes(s: KeyedStateSnapshot): number {
  return jsonLength(s);
}
