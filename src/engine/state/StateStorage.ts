/**
 * What a backend provides so that state handles can be written once for several backends (Flink's
 * `InternalKvState`: raw get/put of the current key's stored value, without user-level semantics).
 *
 * The RocksDB backend builds all its handles on these storages; the heap backend only its TTL handles
 * (its plain handles work on its tables directly, for speed). The TTL decorators in `ttl/TtlStates.ts`
 * wrap any of them, like Flink's `Ttl*State` classes wrap the backend's internal states.
 *
 * Every method works on the backend's current key and throws Flink's "No key set" error without one.
 */
import type { Key } from '../keygroups/hashCode';
import type { StateChangeListener } from './KeyedStateBackend';

/** Value, reducing and aggregating state: one stored value per key (`undefined` = none). */
export interface ValueStorage {
  get(): unknown;
  put(stored: unknown): void;
  remove(): void;
}

/** List state. */
export interface ListStorage {
  /** The stored elements; `undefined` when none. The caller must not modify the array. */
  get(): unknown[] | undefined;
  /** Replaces the list; `elements` is non-empty and owned by the storage afterwards. */
  put(elements: unknown[]): void;
  /** Appends (RocksDB: a merge operand, no read); `elements` is non-empty. */
  append(elements: unknown[]): void;
  remove(): void;
}

export type UserKey = string | number;

/** Map state: one stored value per (key, user key). Removing the last entry removes the key. */
export interface MapStorage {
  get(userKey: UserKey): unknown;
  put(userKey: UserKey, stored: unknown): void;
  putAll(pairs: ReadonlyArray<readonly [UserKey, unknown]>): void;
  remove(userKey: UserKey): void;
  /** The backend's iteration order (heap: insertion order; RocksDB: user-key order). */
  entries(): Array<[UserKey, unknown]>;
  isEmpty(): boolean;
  clear(): void;
}

/** The backend as seen by a state handle. */
export interface StateHost {
  /** The current key; throws when none is set. */
  currentKey(): Key;
  /** The change listener, or `null` (then handles skip computing inspection values). */
  readonly listener: StateChangeListener | null;
  /** Current processing time for TTL. */
  now(): number;
  /** Runs `fn` without side effects on the model (RocksDB: no access cost), for inspection values. */
  silently<T>(fn: () => T): T;
}

export const NO_KEY_MESSAGE = 'No key set. This method should not be called outside of a keyed context.';

export function noKey(): Error {
  return new Error(NO_KEY_MESSAGE);
}

export function checkNotNull<T>(value: T | null | undefined, message: string): T {
  if (value === null || value === undefined) throw new Error(message);
  return value;
}

/** Deep copy of a stored value: primitives as they are, objects through `structuredClone`. */
export function copyValue<T>(value: T): T {
  return typeof value === 'object' && value !== null ? structuredClone(value) : value;
}

function keyTypeRank(key: Key): number {
  return typeof key === 'boolean' ? 0 : typeof key === 'number' ? 1 : typeof key === 'bigint' ? 2 : 3;
}

/** A total order on keys: booleans, numbers (NaN last), bigints (Java Longs), then strings (by UTF-16 units). */
export function compareKeys(a: Key, b: Key): number {
  const ra = keyTypeRank(a);
  const rb = keyTypeRank(b);
  if (ra !== rb) return ra - rb;
  if (a < b) return -1;
  if (a > b) return 1;
  if (ra === 1 && a !== b) {
    // at least one is NaN
    const an = Number.isNaN(a);
    return an === Number.isNaN(b) ? 0 : an ? 1 : -1;
  }
  return 0;
}

/** `putAll`'s argument (a `Map` or a plain object) as pairs. */
export function pairsOf<UK extends UserKey, UV>(
  map: ReadonlyMap<UK, UV> | Readonly<Record<string, UV>>,
): Array<[UK, UV]> {
  return map instanceof Map
    ? Array.from((map as ReadonlyMap<UK, UV>).entries())
    : (Object.entries(map) as Array<[UK, UV]>);
}
