/**
 * The keyed state backend of one parallel subtask (Flink's `KeyedStateBackend`). It owns the state of
 * the key groups in `keyGroupRange`; snapshots are organised per key group, so restoring a set of
 * snapshots into backends with other ranges is how rescaling works.
 */
import type { Key } from '../keygroups/hashCode';
import type { KeyGroupRange } from '../keygroups/KeyGroupRange';
import type { State } from './State';
import type { StateDescriptor, StateType } from './StateDescriptor';

/** Called on every write with the state name, the current key and the new value for inspection. */
export type StateChangeListener = (stateName: string, key: Key, value: unknown) => void;

export interface KeyedStateBackend {
  readonly keyGroupRange: KeyGroupRange;
  readonly maxParallelism: number;
  /** Also computes and remembers the key group; throws if the key group is not in range. */
  setCurrentKey(key: Key): void;
  getCurrentKey(): Key | null;
  /**
   * The same name twice returns the same handle; the same name with a different type throws (names
   * are unique per operator).
   */
  getPartitionedState<S extends State>(descriptor: StateDescriptor): S;
  /** A deep copy, independent of the live state. */
  snapshot(): KeyedStateSnapshot;
  /** Clears, then takes only the key groups inside its own `keyGroupRange`. */
  restore(snapshots: KeyedStateSnapshot[]): void;
  stateNames(): string[];
  /**
   * The per-key values of one state for inspection (list → array, map → array of [uk, uv] pairs,
   * aggregating → accumulator), sorted by key.
   */
  entries(stateName: string): Array<[Key, unknown]>;
  /** Number of distinct keys that have a value in any state. */
  numKeys(): number;
  /** Called on every write (update/add/put/remove/clear); `null` = off. */
  listener: StateChangeListener | null;
}

export interface KeyedStateSnapshot {
  maxParallelism: number;
  keyGroupRange: { start: number; end: number };
  /** Only non-empty key groups, ascending. */
  keyGroups: KeyGroupSnapshot[];
}

export interface KeyGroupSnapshot {
  keyGroup: number;
  /**
   * Per state name: entries sorted by key; values are plain JSON-compatible data (list state value =
   * array, map state value = array of [uk, uv] pairs in insertion order, aggregating = accumulator).
   */
  states: Record<string, { type: StateType; entries: Array<[Key, unknown]> }>;
}
