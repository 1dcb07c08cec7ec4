/**
 * The keyed state backend of one parallel subtask (Flink's `KeyedStateBackend`). It owns the state of
 * the key groups in `keyGroupRange`; snapshots are organised per key group, so restoring a set of
 * snapshots into backends with other ranges is how rescaling works.
 */
import type { TypeInfoJson } from '../api/typeinfo/TypeInformation';
import type { Key } from '../keygroups/hashCode';
import type { KeyGroupRange } from '../keygroups/KeyGroupRange';
import type { ResolvedIncrementalKeyedStateHandle } from './rocksdb/types';
import type { State } from './State';
import type { StateDescriptor, StateType } from './StateDescriptor';

/**
 * Called on every write with the state name, the current key, the new value for inspection and the
 * namespace (absent: VoidNamespace; a window's state: the window).
 */
export type StateChangeListener = (stateName: string, key: Key, value: unknown, namespace?: string) => void;

export interface KeyedStateBackend {
  readonly keyGroupRange: KeyGroupRange;
  readonly maxParallelism: number;
  /** Also computes and remembers the key group; throws if the key group is not in range. */
  setCurrentKey(key: Key): void;
  /**
   * `setCurrentKey` for a key whose key group the caller computed for this backend's max parallelism
   * (a record partitioned by keyBy carries it): no hashing; the range check stays.
   */
  setCurrentKeyInKeyGroup(key: Key, keyGroup: number): void;
  getCurrentKey(): Key | null;
  /**
   * The same name twice returns the same handle; the same name with a different type throws (names
   * are unique per operator).
   */
  getPartitionedState<S extends State>(descriptor: StateDescriptor): S;
  /**
   * The state of `descriptor` in `namespace` (Flink's `getPartitionedState(namespace, serializer,
   * descriptor)`): the same cached handle, its namespace set. Window state; not with TTL here.
   */
  getNamespacedState<S extends State>(descriptor: StateDescriptor, namespace: string | undefined): S;
  /**
   * Flink's InternalMergingState.mergeNamespaces for the current key: the values of `sources` are
   * removed and merged (reducing: reduce; aggregating: the AggregateFunction's merge; list: appended)
   * into `target`'s. How session windows merge their state.
   */
  mergeNamespaces(descriptor: StateDescriptor, target: string, sources: readonly string[]): void;
  /**
   * A full snapshot in the canonical format (what savepoints use; restorable into any backend): a
   * deep copy, independent of the live state.
   */
  snapshot(): KeyedStateSnapshot;
  /**
   * Clears, then takes only the key groups inside its own `keyGroupRange` (rescaling). Full snapshots
   * from any backend; resolved incremental handles only into the RocksDB backend (as in Flink, a
   * native incremental checkpoint cannot switch backends: the heap backend throws).
   */
  restore(snapshots: ReadonlyArray<RestorableKeyedState>): void;
  stateNames(): string[];
  /**
   * The per-key values of one state for inspection (list → array, map → array of [uk, uv] pairs,
   * aggregating → accumulator), sorted by key.
   */
  entries(stateName: string): StateEntry[];
  /** Number of distinct keys that have a value in any state. */
  numKeys(): number;
  /**
   * Called on every write (update/add/put/remove/clear); `null` = off. TTL cleanup also reports the
   * keys it removes or shrinks, which need not be the current key.
   */
  listener: StateChangeListener | null;
  /**
   * The processing-time clock for state TTL (Flink's `TtlTimeProvider`), in ms. Default: always 0,
   * so nothing expires until a provider is set.
   */
  setTimeProvider(now: () => number): void;
  /**
   * The modelled virtual time (ms) that state accesses cost since the last call, and resets it. The
   * heap backend always returns 0; RocksDB charges (de)serialization per read and write.
   */
  takeCost(): number;
}

/** What `restore` accepts. */
export type RestorableKeyedState = KeyedStateSnapshot | ResolvedIncrementalKeyedStateHandle;

export interface KeyedStateSnapshot {
  maxParallelism: number;
  keyGroupRange: { start: number; end: number };
  /** Only non-empty key groups, ascending. */
  keyGroups: KeyGroupSnapshot[];
  /**
   * The type of each state's values (`StateDescriptor.getValueType()` as JSON), as Flink records a
   * serializer snapshot per state; absent in snapshots written before types were recorded.
   */
  valueTypes?: Record<string, TypeInfoJson>;
}

export interface KeyGroupSnapshot {
  keyGroup: number;
  /**
   * Per state name (names ascending): entries sorted by key (`compareKeys`); values are plain
   * JSON-compatible data:
   * - value state: the value; reducing state: the value; aggregating state: the accumulator;
   * - list state: the array of elements;
   * - map state: an array of `[userKey, userValue]` pairs, in the backend's iteration order (heap:
   *   insertion order; RocksDB: user-key order, as Flink's RocksDB backend iterates serialized keys).
   *
   * States with TTL have `ttl: true` (absent otherwise) and every value is wrapped with the processing
   * time of its last access, `{ value, lastAccess }` (a `TtlValue`), at the granularity TTL works on:
   * - value / reducing / aggregating: `[key, { value, lastAccess }]`;
   * - list: `[key, [{ value, lastAccess }, ...]]` (one timestamp per element);
   * - map: `[key, [[userKey, { value, lastAccess }], ...]]` (one timestamp per entry).
   * The TTL configuration itself is not in the snapshot (as in Flink). Restoring a `ttl` state whose
   * descriptor has no TTL, or the reverse, is a state incompatibility: requesting the state throws.
   */
  states: Record<string, KeyGroupStateSnapshot>;
}

export interface KeyGroupStateSnapshot {
  type: StateType;
  /** Present (true) only for states with TTL; their values are `TtlValue`s, see `KeyGroupSnapshot`. */
  ttl?: true;
  /** `[key, value]`, or `[key, value, namespace]` for a namespace other than VoidNamespace (windows). */
  entries: StateEntry[];
}

/** A state entry: key, value and — other than VoidNamespace — the namespace (`windowing/Namespaces.ts`). */
export type StateEntry = [key: Key, value: unknown, namespace?: string];
