/**
 * Flink's HashMap state backend (`HeapKeyedStateBackend`): state lives as plain objects on the heap.
 *
 * Storage mirrors Flink's `StateTable` (`heap/StateTable.ts`): one table per state name, holding one `Map<key, value>` per
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
 * handles (`heap/HeapState.ts`), untouched by TTL: no extra work on their hot paths.
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
  StateEntry,
} from './KeyedStateBackend';
import type { InternalKvState, State } from './State';
import {
  AggregatingStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
  mergeStoredValues,
  type StateDescriptor,
  type StateType,
} from './StateDescriptor';
import { compareKeys, noKey, type StateHost } from './StateStorage';
import { TtlIncrementalCleanup } from './ttl/TtlIncrementalCleanup';
import type { TypeInformation } from '../api/typeinfo/TypeInformation';
import { recordedType, resolveRegistration, type ValueTypes } from './StateSerializerCompatibility';
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
} from './ttl/TtlValue';
import {
  HeapState,
  HeapAggregatingState,
  HeapListState,
  HeapMapState,
  HeapReducingState,
  HeapValueState,
} from './heap/HeapState';
import { HeapListStorage, HeapMapStorage, HeapValueStorage } from './heap/HeapTtlStorage';
import {
  allTables,
  compareEntries,
  inspectionValue,
  namespaceTable,
  pruneNamespace,
  restoredValue,
  snapshotValue,
  type KeyContext,
  type StateTable,
} from './heap/StateTable';

export { compareKeys };

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
    this.enterKey(key, assignToKeyGroup(key, this.maxParallelism));
  }

  setCurrentKeyInKeyGroup(key: Key, keyGroup: number): void {
    if (this.recordCleanups.length !== 0) for (const c of this.recordCleanups) c.stateAccessed();
    if (key === this.ctx.key) return;
    this.enterKey(key, keyGroup);
  }

  private enterKey(key: Key, keyGroup: number): void {
    const ctx = this.ctx;
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

  getNamespacedState<S extends State>(descriptor: StateDescriptor, namespace: string | undefined): S {
    if (namespace !== undefined && descriptor.getTtlConfig() !== null)
      throw new Error(
        `State "${descriptor.name}": state TTL is not supported for window (namespaced) state here.`,
      );
    const handle = this.getPartitionedState<S>(descriptor);
    (handle as unknown as InternalKvState).setCurrentNamespace(namespace);
    return handle;
  }

  mergeNamespaces(descriptor: StateDescriptor, target: string, sources: readonly string[]): void {
    const handle = this.getPartitionedState<State>(descriptor); // registers (and type-checks) the state
    const table = this.tables.get(descriptor.name) as StateTable;
    const key = this.ctx.key;
    if (key === null) throw noKey();
    const i = this.ctx.kgIndex;
    const listener = this.ctx.listener;
    let merged: unknown = undefined;
    for (const ns of sources) {
      const m = table.namespaces?.get(ns)?.groups[i];
      const v = m?.get(key);
      if (m === undefined || v === undefined) continue;
      m.delete(key);
      pruneNamespace(table, ns);
      merged = merged === undefined ? v : mergeStoredValues(descriptor, merged, v);
      if (listener !== null) listener(table.name, key, null, ns);
    }
    if (merged !== undefined) {
      const t = namespaceTable(table, target);
      let m = t.groups[i];
      if (m === undefined) t.groups[i] = m = new Map();
      const current = m.get(key);
      const next = current === undefined ? merged : mergeStoredValues(descriptor, current, merged);
      m.set(key, next);
      if (listener !== null) listener(table.name, key, inspectionValue(table.type, next), target);
    }
    (handle as unknown as InternalKvState).setCurrentNamespace(undefined);
  }

  getPartitionedState<S extends State>(descriptor: StateDescriptor): S {
    const name = descriptor.name;
    const ttlConfig = descriptor.getTtlConfig();
    let table = this.tables.get(name);
    if (table !== undefined) {
      checkReRegistration(name, table, descriptor);
      if (table.handle !== null) {
        // Flink: getPartitionedState(VoidNamespace, …) sets the handle's namespace back.
        if ('setCurrentNamespace' in table.handle) (table.handle as HeapState).setCurrentNamespace(undefined);
        return table.handle as S;
      }
    } else {
      table = this.newTable(name, descriptor.type, ttlConfig !== null);
      this.tables.set(name, table);
    }
    if (!table.registered) this.adoptType(table, descriptor.getValueType());
    table.registered = true;
    table.handle =
      ttlConfig !== null ? this.createTtlHandle(descriptor, table) : this.createHandle(descriptor, table);
    return table.handle as S;
  }

  /** The descriptor's type replaces the restored one: checked, values migrated if needed. */
  private adoptType(table: StateTable, newType: TypeInformation): void {
    const migrate = resolveRegistration('heap', table.name, table.type, table.ttl, newType, table.valueType);
    if (migrate !== null) {
      for (const m of allTables(table).flatMap(([, t]) => t.groups)) {
        if (m === undefined) continue;
        for (const [key, stored] of m) {
          if (table.type === 'list') m.set(key, (stored as unknown[]).map(migrate));
          else if (table.type === 'map') {
            const mm = stored as Map<unknown, unknown>;
            for (const [uk, uv] of mm) mm.set(uk, migrate(uv));
          } else m.set(key, migrate(stored));
        }
      }
    }
    for (const [, t] of allTables(table)) t.valueType = newType;
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
      valueType: null,
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
        // TTL cleanupFullSnapshot: expired values are left out of the snapshot (not of the state).
        const settings = table.ttlSettings;
        const filterTtl = settings !== null && settings.config.getCleanupStrategies().inFullSnapshot();
        const entries: StateEntry[] = [];
        for (const [ns, t] of allTables(table)) {
          const m = t.groups[i];
          if (m === undefined || m.size === 0) continue;
          for (const [key, stored] of m) {
            const kept = filterTtl ? unexpiredOrNull(table.type, stored, settings.ttl, now) : stored;
            if (kept === null) continue;
            const value = snapshotValue(table.type, kept);
            entries.push(ns === undefined ? [key, value] : [key, value, ns]);
          }
        }
        if (entries.length === 0) continue;
        entries.sort(compareEntries);
        if (states === null) states = {};
        states[name] = table.ttl ? { type: table.type, ttl: true, entries } : { type: table.type, entries };
      }
      if (states !== null) keyGroups.push({ keyGroup: i + this.keyGroupRange.startKeyGroup, states });
    }
    // The types of the states the snapshot holds values of (what a restore must read them with).
    const valueTypes: ValueTypes = {};
    const present = new Set(keyGroups.flatMap((g) => Object.keys(g.states)));
    for (const name of names) {
      const t = (this.tables.get(name) as StateTable).valueType;
      if (t !== null && present.has(name)) valueTypes[name] = t.toJson();
    }
    return {
      maxParallelism: this.maxParallelism,
      keyGroupRange: { start: this.keyGroupRange.startKeyGroup, end: this.keyGroupRange.endKeyGroup },
      keyGroups,
      valueTypes,
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
      // The handles' namespace tables stay (a handle keeps its table); emptied, not dropped.
      if (table.namespaces !== undefined) for (const t of table.namespaces.values()) t.groups.fill(undefined);
      if (table.cleanup !== null) table.cleanup.reset();
    }
    // The recorded types (Flink's serializer snapshots), for the check when a descriptor registers.
    const restoredTypes = new Map<string, TypeInformation>();
    for (const s of snapshots)
      for (const name of Object.keys(s.valueTypes ?? {})) {
        const t = recordedType(s.valueTypes, name);
        if (t !== null && !restoredTypes.has(name)) restoredTypes.set(name, t);
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
            table.valueType = restoredTypes.get(name) ?? null;
            this.tables.set(name, table);
          } else if (table.type !== type) {
            throw new Error(`State "${name}" is ${table.type} state but the snapshot holds ${type} state.`);
          } else if (!table.registered) {
            table.ttl = restoredTtl.get(name) === true;
            table.valueType = restoredTypes.get(name) ?? null;
          }
          for (const [key, value, ns] of entries) {
            const t = namespaceTable(table, ns);
            let m = t.groups[i];
            if (m === undefined) {
              m = new Map();
              t.groups[i] = m;
            }
            m.set(key, restoredValue(type, value));
          }
        }
      }
    }
    // Already registered (a restore into a running backend): the descriptor's type must read them.
    for (const table of this.tables.values()) {
      const restored = restoredTypes.get(table.name);
      if (!table.registered || restored === undefined || table.valueType === null) continue;
      const current = table.valueType;
      table.valueType = restored;
      this.adoptType(table, current);
    }
  }

  stateNames(): string[] {
    return Array.from(this.tables.keys());
  }

  entries(stateName: string): StateEntry[] {
    const table = this.tables.get(stateName);
    if (table === undefined) return [];
    const out: StateEntry[] = [];
    for (const [ns, t] of allTables(table)) {
      for (const m of t.groups) {
        if (m === undefined) continue;
        for (const [key, stored] of m) {
          const v = table.ttl ? unwrapTtl(table.type, stored) : inspectionValue(table.type, stored);
          out.push(ns === undefined ? [key, v] : [key, v, ns]);
        }
      }
    }
    return out.sort(compareEntries);
  }

  numKeys(): number {
    if (this.tables.size === 1) {
      const [table] = this.tables.values();
      if (table.namespaces === undefined || table.namespaces.size === 0) {
        let n = 0;
        for (const m of table.groups) if (m !== undefined) n += m.size;
        return n;
      }
    }
    const keys = new Set<Key>();
    for (const table of this.tables.values()) {
      for (const [, t] of allTables(table))
        for (const m of t.groups) if (m !== undefined) for (const key of m.keys()) keys.add(key);
    }
    return keys.size;
  }
}

/** Rough size of a snapshot in bytes (its JSON length). */
export function estimateSnapshotBytes(s: KeyedStateSnapshot): number {
  return jsonLength(s);
}
