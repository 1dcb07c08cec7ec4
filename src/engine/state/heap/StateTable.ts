/**
 * The heap backend's storage, as Flink's StateTable: one table per state name, holding one
 * `Map<key, value>` per key group of the backend's range (an array indexed by
 * `keyGroup - startKeyGroup`), and the key context the state handles share with the backend.
 */
import type { Key } from '../../keygroups/hashCode';
import type { State } from '../State';
import type { StateChangeListener } from '../KeyedStateBackend';
import type { StateType } from '../StateDescriptor';
import { compareKeys, copyValue } from '../StateStorage';
import type { TtlIncrementalCleanup } from '../ttl/TtlIncrementalCleanup';
import type { TtlSettings } from '../ttl/TtlValue';
import type { TypeInformation } from '../../api/typeinfo/TypeInformation';

/** Shared between the backend and its state handles: the current key and where its state lives. */
export interface KeyContext {
  key: Key | null;
  /** `keyGroup - keyGroupRange.startKeyGroup` of the current key. */
  kgIndex: number;
  listener: StateChangeListener | null;
}

/** Per-state storage: one `Map<key, value>` per key group of the backend's range. */
export interface StateTable {
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
  /** The type of the values (the descriptor's; a restored one until registered; null: not recorded). */
  valueType: TypeInformation | null;
}

export function compareEntries(a: [Key, unknown], b: [Key, unknown]): number {
  return compareKeys(a[0], b[0]);
}

/** The value shown for inspection and to the listener: list → array copy, map → [uk, uv] pairs. */
export function inspectionValue(type: StateType, stored: unknown): unknown {
  if (type === 'list') return (stored as unknown[]).slice();
  if (type === 'map') return Array.from((stored as Map<unknown, unknown>).entries());
  return stored;
}

/** Plain, JSON-compatible deep copy of a stored value for a snapshot. */
export function snapshotValue(type: StateType, stored: unknown): unknown {
  if (type === 'list') return (stored as unknown[]).map(copyValue);
  if (type === 'map') {
    const pairs: Array<[unknown, unknown]> = [];
    for (const [uk, uv] of stored as Map<unknown, unknown>) pairs.push([uk, copyValue(uv)]);
    return pairs;
  }
  return copyValue(stored);
}

/** The stored form of a snapshot value (deep-copied, so the snapshot stays independent). */
export function restoredValue(type: StateType, value: unknown): unknown {
  if (type === 'list') return (value as unknown[]).map(copyValue);
  if (type === 'map') {
    const m = new Map<unknown, unknown>();
    for (const [uk, uv] of value as Array<[unknown, unknown]>) m.set(uk, copyValue(uv));
    return m;
  }
  return copyValue(value);
}
