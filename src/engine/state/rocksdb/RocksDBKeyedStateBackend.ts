/**
 * Flink's `EmbeddedRocksDBStateBackend` (`RocksDBKeyedStateBackend`), modelled: keyed state stored
 * serialized (JSON) in a log-structured merge tree (`Lsm.ts`), with
 *
 * - a modelled cost of every access in virtual time (`takeCost()`; the runtime adds it to the
 *   record's processing time): values are (de)serialized on every read and write, unlike the heap;
 * - values returned as fresh copies (mutating an object returned by `value()` does not change the
 *   state, unlike the heap backend: a real difference between Flink's backends);
 * - one RocksDB entry per map entry (map iteration is in user-key order, as Flink's RocksDB backend
 *   iterates serialized keys; the heap iterates in insertion order) and list appends as merge
 *   operands (no read);
 * - TTL like the heap backend (the same TTL handles), with the compaction filter as background cleanup
 *   (Flink: incremental cleanup has no effect on RocksDB);
 * - full snapshots in the canonical format (`snapshot()`: `RocksFullSnapshotStrategy.ts`, what savepoints use, restorable into the heap
 *   backend and vice versa) and incremental checkpoints (`snapshotIncremental`): the memtable is
 *   flushed and only SST files not uploaded before are sent; older ones are shared by reference
 *   (`RocksIncrementalSnapshotStrategy.ts`; see `SharedStateRegistry`).
 */
import type { TypeInformation } from '../../api/typeinfo/TypeInformation';
import { serializeKey, type Key } from '../../keygroups/hashCode';
import { resolveRegistration, type ValueTypes } from '../StateSerializerCompatibility';
import { KeyGroupRange } from '../../keygroups/KeyGroupRange';
import {
  assignToKeyGroup,
  checkParallelismPreconditions,
  computeKeyGroupRangeForOperatorIndex,
} from '../../keygroups/KeyGroupRangeAssignment';
import type {
  KeyedStateBackend,
  KeyedStateSnapshot,
  RestorableKeyedState,
  StateChangeListener,
  StateEntry,
} from '../KeyedStateBackend';
import { compareEntries } from '../heap/StateTable';
import type { State } from '../State';
import { mergeStoredValues, type StateDescriptor, type StateType } from '../StateDescriptor';
import { noKey, type StateHost } from '../StateStorage';
import { checkReRegistration, ttlIncompatibility, unwrapTtl } from '../ttl/TtlValue';
import {
  DEFAULT_ROCKSDB_COSTS,
  Lsm,
  rowKeyOf,
  serialize,
  type CompactionTtl,
  type LsmStats,
  type RocksDBCostModel,
  type RowCoords,
} from './Lsm';
import {
  collectFull,
  collectResolved,
  restoredStateInfo,
  restoredValueTypes,
} from './RocksDBRestoreOperation';
import { createRocksDBState } from './RocksDBStateFactory';
import { RocksListStorage, RocksValueStorage, type KeyContext, type StateMeta } from './RocksDBStorage';
import { fullSnapshot } from './RocksFullSnapshotStrategy';
import { RocksIncrementalSnapshotStrategy } from './RocksIncrementalSnapshotStrategy';
import { isResolvedIncrementalHandle, type IncrementalKeyedStateHandle, type SstEntry } from './types';

export interface RocksDBOptions {
  /** The task id (`<uid>#<index>`): prefixes SST file ids so they are unique, e.g. `count#1-000007.sst`. */
  ownerId: string;
  /** Entries the memtable holds before it is flushed to a level-0 file (default 1024). */
  memtableEntries?: number;
  /** Files in one level that trigger its compaction into one file on the next level (default 4). */
  compactionTrigger?: number;
  /** Modelled access costs (defaults: `DEFAULT_ROCKSDB_COSTS`). */
  costs?: Partial<RocksDBCostModel>;
}

export const DEFAULT_MEMTABLE_ENTRIES = 1024;
export const DEFAULT_COMPACTION_TRIGGER = 4;

// ---------------------------------------------------------------------------------------------
// The backend

export class RocksDBKeyedStateBackend implements KeyedStateBackend {
  readonly keyGroupRange: KeyGroupRange;
  readonly maxParallelism: number;
  readonly ownerId: string;
  readonly costs: Readonly<RocksDBCostModel>;

  private readonly ctx: KeyContext = { key: null, keyJson: '', kg: -1, listener: null };
  private readonly states = new Map<string, StateMeta>();
  private readonly lsm: Lsm;
  private readonly host: StateHost;
  private now: () => number = () => 0;
  private readonly incremental: RocksIncrementalSnapshotStrategy;
  private viewCache: { version: number; entries: SstEntry[] } | null = null;

  constructor(maxParallelism: number, keyGroupRange: KeyGroupRange | undefined, options: RocksDBOptions) {
    checkParallelismPreconditions(maxParallelism);
    const range = keyGroupRange ?? new KeyGroupRange(0, maxParallelism - 1);
    if (!range.isEmpty() && range.endKeyGroup >= maxParallelism) {
      throw new Error(`${range.toString()} does not fit maxParallelism ${maxParallelism}`);
    }
    if (
      options === null ||
      typeof options !== 'object' ||
      typeof options.ownerId !== 'string' ||
      options.ownerId === ''
    ) {
      throw new Error('RocksDBKeyedStateBackend needs options.ownerId (the task id)');
    }
    const memtableEntries = options.memtableEntries ?? DEFAULT_MEMTABLE_ENTRIES;
    const compactionTrigger = options.compactionTrigger ?? DEFAULT_COMPACTION_TRIGGER;
    if (!Number.isInteger(memtableEntries) || memtableEntries < 1) {
      throw new Error(`memtableEntries must be a positive integer, got ${memtableEntries}`);
    }
    if (!Number.isInteger(compactionTrigger) || compactionTrigger < 2) {
      throw new Error(`compactionTrigger must be an integer >= 2, got ${compactionTrigger}`);
    }
    this.maxParallelism = maxParallelism;
    this.keyGroupRange = range;
    this.ownerId = options.ownerId;
    this.costs = Object.freeze({ ...DEFAULT_ROCKSDB_COSTS, ...(options.costs ?? {}) });
    this.lsm = new Lsm(
      { ownerId: options.ownerId, memtableEntries, compactionTrigger, costs: this.costs },
      (state) => this.compactionTtl(state),
      () => this.now(),
    );
    this.incremental = new RocksIncrementalSnapshotStrategy(this.lsm, maxParallelism, range);
    const ctx = this.ctx;
    const lsm = this.lsm;
    this.host = {
      currentKey: (): Key => {
        if (ctx.key === null) throw noKey();
        return ctx.key;
      },
      get listener(): StateChangeListener | null {
        return ctx.listener;
      },
      now: (): number => this.now(),
      silently: <T>(fn: () => T): T => lsm.silently(fn),
    };
  }

  /** The backend of subtask `index` of `parallelism`. */
  static forSubtask(
    maxParallelism: number,
    parallelism: number,
    index: number,
    options: RocksDBOptions,
  ): RocksDBKeyedStateBackend {
    return new RocksDBKeyedStateBackend(
      maxParallelism,
      computeKeyGroupRangeForOperatorIndex(maxParallelism, parallelism, index),
      options,
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

  /** Virtual ms of state access since the last call (reads, writes, seeks, (de)serialization). */
  takeCost(): number {
    return this.lsm.takeCost();
  }

  setCurrentKey(key: Key): void {
    const ctx = this.ctx;
    if (key === ctx.key) return;
    if (key === null || key === undefined) throw new Error('Key must not be null.');
    this.enterKey(key, assignToKeyGroup(key, this.maxParallelism));
  }

  setCurrentKeyInKeyGroup(key: Key, keyGroup: number): void {
    if (key === this.ctx.key) return;
    this.enterKey(key, keyGroup);
  }

  private enterKey(key: Key, keyGroup: number): void {
    const ctx = this.ctx;
    if (!this.keyGroupRange.contains(keyGroup)) {
      throw new Error(
        `Key group ${keyGroup} is not in ${this.keyGroupRange.toString()}. Unless you're directly using low ` +
          `level state access APIs, this is most likely caused by non-deterministic shuffle key ` +
          `(hashCode and equals implementation).`,
      );
    }
    ctx.key = key;
    ctx.kg = keyGroup;
    ctx.keyJson = serializeKey(key);
  }

  getCurrentKey(): Key | null {
    return this.ctx.key;
  }

  /** The key group of the current key, or -1 when no key is set. */
  getCurrentKeyGroupIndex(): number {
    return this.ctx.key === null ? -1 : this.ctx.kg;
  }

  getNamespacedState<S extends State>(descriptor: StateDescriptor, namespace: string | undefined): S {
    if (namespace !== undefined && descriptor.getTtlConfig() !== null)
      throw new Error(
        `State "${descriptor.name}": state TTL is not supported for window (namespaced) state here.`,
      );
    const handle = this.getPartitionedState<S>(descriptor);
    (this.states.get(descriptor.name) as StateMeta).namespace = namespace;
    return handle;
  }

  mergeNamespaces(descriptor: StateDescriptor, target: string, sources: readonly string[]): void {
    this.getPartitionedState<State>(descriptor); // registers (and type-checks) the state
    const meta = this.states.get(descriptor.name) as StateMeta;
    if (this.ctx.key === null) throw noKey();
    const list = meta.type === 'list';
    const storage = list
      ? new RocksListStorage(this.lsm, this.ctx, meta)
      : new RocksValueStorage(this.lsm, this.ctx, meta);
    const listener = this.ctx.listener;
    let merged: unknown = undefined;
    for (const ns of sources) {
      meta.namespace = ns;
      const v = storage.get();
      if (v === undefined) continue;
      storage.remove();
      merged = merged === undefined ? v : mergeStoredValues(descriptor, merged, v);
      if (listener !== null) listener(meta.name, this.ctx.key, null, ns);
    }
    if (merged !== undefined) {
      meta.namespace = target;
      const current = storage.get();
      const next = current === undefined ? merged : mergeStoredValues(descriptor, current, merged);
      if (list) (storage as RocksListStorage).put(next as unknown[]);
      else (storage as RocksValueStorage).put(next);
      if (listener !== null) listener(meta.name, this.ctx.key, next, target);
    }
    meta.namespace = undefined;
  }

  getPartitionedState<S extends State>(descriptor: StateDescriptor): S {
    const name = descriptor.name;
    const ttlConfig = descriptor.getTtlConfig();
    let meta = this.states.get(name);
    if (meta !== undefined) {
      checkReRegistration(name, meta, descriptor);
      meta.namespace = undefined; // Flink: getPartitionedState(VoidNamespace, …)
      if (meta.handle !== null) return meta.handle as S;
    } else {
      meta = this.newMeta(name, descriptor.type, ttlConfig !== null);
      this.states.set(name, meta);
    }
    if (!meta.registered) this.adoptType(meta, descriptor.getValueType());
    meta.registered = true;
    const handle = createRocksDBState(descriptor, meta, this.host, this.lsm, this.ctx);
    const m = meta;
    if ('namespaceOf' in handle)
      (handle as { namespaceOf: () => string | undefined }).namespaceOf = () => m.namespace;
    meta.handle = handle;
    return meta.handle as S;
  }

  /**
   * The descriptor's type replaces the restored one: checked, and if it is compatible only after
   * migration every value of the state is read with the old type and written with the new one
   * (Flink's RocksDBKeyedStateBackend.migrateStateValues).
   */
  private adoptType(meta: StateMeta, newType: TypeInformation): void {
    const migrate = resolveRegistration('rocksdb', meta.name, meta.type, meta.ttl, newType, meta.valueType);
    if (migrate !== null) {
      const entries = this.visible().filter((e) => e.state === meta.name && e.value !== undefined);
      this.lsm.silently(() => {
        for (const e of entries) {
          const keyJson = serializeKey(e.key);
          const c: RowCoords = {
            kg: e.kg,
            state: meta.name,
            key: e.key,
            keyJson,
            rowKey: rowKeyOf(e.kg, meta.nameJson, keyJson, e.ns),
          };
          if (e.ns !== undefined) c.ns = e.ns;
          const value = JSON.parse(e.value as string) as unknown;
          if (meta.type === 'map' && e.uk !== undefined)
            this.lsm.writeUser(c, e.uk, JSON.stringify(e.uk), serialize(migrate(value)));
          else if (meta.type === 'list') this.lsm.writeCell(c, serialize((value as unknown[]).map(migrate)));
          else this.lsm.writeCell(c, serialize(migrate(value)));
        }
      });
    }
    meta.valueType = newType;
  }

  private newMeta(name: string, type: StateType, ttl: boolean): StateMeta {
    return {
      name,
      nameJson: JSON.stringify(name),
      type,
      ttl,
      ttlSettings: null,
      compactFilter: false,
      registered: false,
      handle: null,
      valueType: null,
      namespace: undefined,
    };
  }

  private compactionTtl(state: string): CompactionTtl | null {
    const meta = this.states.get(state);
    if (meta === undefined || !meta.compactFilter || meta.ttlSettings === null) return null;
    return { type: meta.type, ttl: meta.ttlSettings.ttl };
  }

  // ---- LSM control and inspection

  /** Flushes the memtable to a level-0 file (compacting as needed). */
  flush(): void {
    this.lsm.flush();
  }

  /** Merges all files (and the memtable) into one file on the last level. */
  compactAll(): void {
    this.lsm.compactAll();
  }

  /** The memtable size, files per level, and flush / compaction counts. */
  lsmStats(): LsmStats {
    return this.lsm.stats();
  }

  /** Bytes of all live SST files (the memtable not included). */
  sstBytes(): number {
    let n = 0;
    for (const f of this.lsm.files()) n += f.bytes;
    return n;
  }

  /** Every visible entry, sorted (cached until the next change). */
  private visible(): SstEntry[] {
    const version = this.lsm.version;
    if (this.viewCache === null || this.viewCache.version !== version) {
      this.viewCache = { version, entries: this.lsm.visibleEntries() };
    }
    return this.viewCache.entries;
  }

  // ---- snapshots

  snapshot(): KeyedStateSnapshot {
    const snap = fullSnapshot(
      this.visible(),
      (name) => this.metaFor(name),
      this.maxParallelism,
      this.keyGroupRange,
      this.now(),
    );
    return {
      ...snap,
      valueTypes: this.valueTypes(new Set(snap.keyGroups.flatMap((g) => Object.keys(g.states)))),
    };
  }

  /** The recorded type of every state that has one (of those in `only`, if given), by name. */
  private valueTypes(only?: ReadonlySet<string>): ValueTypes {
    const out: ValueTypes = {};
    for (const name of Array.from(this.states.keys()).sort()) {
      const t = (this.states.get(name) as StateMeta).valueType;
      if (t !== null && (only === undefined || only.has(name))) out[name] = t.toJson();
    }
    return out;
  }

  private metaFor(name: string): StateMeta {
    const meta = this.states.get(name);
    if (meta === undefined) throw new Error(`Internal error: entries of unknown state "${name}"`);
    return meta;
  }

  /**
   * An incremental checkpoint (Flink's `RocksIncrementalSnapshotStrategy`): flushes the memtable, then
   * lists every live SST file and includes the contents of those not in `previouslyUploaded` (usually
   * `getConfirmedFiles()`: the files of the last completed checkpoint). Checkpointed (delta) size =
   * bytes of `newFiles`; full size = bytes of all `files` (`incrementalHandleSizes`). The files are
   * immutable and shared with the backend: do not modify them.
   */
  snapshotIncremental(
    checkpointId: number,
    previouslyUploaded: ReadonlySet<string>,
  ): IncrementalKeyedStateHandle {
    return this.incremental.snapshot(checkpointId, previouslyUploaded, this.states, () => this.valueTypes());
  }

  /** The checkpoint completed: its files count as uploaded for the next incremental checkpoint. */
  notifyCheckpointComplete(checkpointId: number): void {
    this.incremental.notifyCheckpointComplete(checkpointId);
  }

  notifyCheckpointAborted(checkpointId: number): void {
    this.incremental.notifyCheckpointAborted(checkpointId);
  }

  /** Files known to be in checkpoint storage: those of the last completed (or restored) checkpoint. */
  getConfirmedFiles(): ReadonlySet<string> {
    return this.incremental.getConfirmedFiles();
  }

  /**
   * Clears, then restores: a single resolved incremental handle with this backend's key-group range
   * takes its files over as they are (no rescaling; they count as uploaded, so the next incremental
   * checkpoint shares them). Otherwise (full snapshots, several handles, other ranges: rescaling) the
   * entries of the key groups in range are bulk-loaded into one new file.
   */
  restore(handles: ReadonlyArray<RestorableKeyedState>): void {
    const stateInfo = restoredStateInfo(handles, this.maxParallelism);
    for (const [name, info] of stateInfo) {
      const meta = this.states.get(name);
      if (meta === undefined) continue;
      if (meta.type !== info.type) {
        throw new Error(`State "${name}" is ${meta.type} state but the snapshot holds ${info.type} state.`);
      }
      if (meta.registered && meta.ttl !== info.ttl) throw ttlIncompatibility(name, info.ttl);
    }

    const restoredTypes = restoredValueTypes(handles);

    this.lsm.clear();
    this.incremental.reset();
    for (const [name, info] of stateInfo) {
      const meta = this.states.get(name);
      if (meta === undefined) {
        const fresh = this.newMeta(name, info.type, info.ttl);
        fresh.valueType = restoredTypes.get(name) ?? null;
        this.states.set(name, fresh);
      } else if (!meta.registered) {
        meta.ttl = info.ttl;
        meta.valueType = restoredTypes.get(name) ?? null;
      }
    }

    const range = this.keyGroupRange;
    const only = handles.length === 1 ? handles[0] : null;
    if (
      only !== null &&
      isResolvedIncrementalHandle(only) &&
      only.keyGroupRange.start === range.startKeyGroup &&
      only.keyGroupRange.end === range.endKeyGroup
    ) {
      this.lsm.adoptFiles(only.files);
      this.incremental.reset(only.files.map((f) => f.id));
      return;
    }

    const collected: SstEntry[] = [];
    for (const h of handles) {
      if (isResolvedIncrementalHandle(h)) {
        collectResolved(h, range, collected, this.lsm);
      } else {
        collectFull(h, range, collected);
      }
    }
    this.lsm.ingest(this.lsm.mergeEntries([{ entries: collected }], true, false));
  }

  // ---- inspection

  stateNames(): string[] {
    return Array.from(this.states.keys());
  }

  entries(stateName: string): StateEntry[] {
    const meta = this.states.get(stateName);
    if (meta === undefined) return [];
    const out: StateEntry[] = [];
    let lastRow: string | null = null;
    for (const e of this.visible()) {
      if (e.state !== stateName) continue;
      const value = JSON.parse(e.value as string) as unknown;
      if (meta.type === 'map') {
        const row = `${serializeKey(e.key)}\u0001${e.ns ?? ''}`;
        if (row !== lastRow) {
          out.push(e.ns === undefined ? [e.key, []] : [e.key, [], e.ns]);
          lastRow = row;
        }
        const v = meta.ttl ? (value as { value: unknown }).value : value;
        (out[out.length - 1][1] as Array<[unknown, unknown]>).push([e.uk, v]);
      } else {
        const v = meta.ttl ? unwrapTtl(meta.type, value) : value;
        out.push(e.ns === undefined ? [e.key, v] : [e.key, v, e.ns]);
      }
    }
    // Sorted by key group first; the inspection order is by key, then namespace.
    return out.sort(compareEntries);
  }

  numKeys(): number {
    const keys = new Set<string>();
    for (const e of this.visible()) keys.add(`${e.kg},${serializeKey(e.key)}`);
    return keys.size;
  }
}
