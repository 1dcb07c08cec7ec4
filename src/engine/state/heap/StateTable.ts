/**
 * The heap backend's storage, as Flink's StateTable: one table per state name, holding one
 * `Map<key, value>` per key group of the backend's range (an array indexed by
 * `keyGroup - startKeyGroup`), and the key context the state handles share with the backend.
 */
import type { Key } from '../../keygroups/hashCode';
import type { State } from '../State';
import type { StateChangeListener, StateEntry } from '../KeyedStateBackend';
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
  /**
   * The state's values in other namespaces than VoidNamespace (window state: one namespace per
   * window), one table per namespace, as Flink's StateTable keys values by (key, namespace). Only on
   * the state's own (VoidNamespace) table; created on first use.
   */
  namespaces?: Map<string, StateTable>;
}

/** By key, then namespace (VoidNamespace first). */
export function compareEntries(a: StateEntry, b: StateEntry): number {
  const c = compareKeys(a[0], b[0]);
  if (c !== 0) return c;
  const x = a[2] ?? '';
  const y = b[2] ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The table of `namespace` (undefined: VoidNamespace, the state's own table), created on demand. */
export function namespaceTable(root: StateTable, namespace: string | undefined): StateTable {
  if (namespace === undefined) return root;
  let children = root.namespaces;
  if (children === undefined) {
    children = new Map();
    root.namespaces = children;
  }
  let t = children.get(namespace);
  if (t === undefined) {
    t = {
      name: root.name,
      type: root.type,
      groups: new Array<Map<Key, unknown> | undefined>(root.groups.length).fill(undefined),
      handle: null,
      ttl: root.ttl,
      ttlSettings: root.ttlSettings,
      registered: true,
      cleanup: null,
      valueType: root.valueType,
    };
    children.set(namespace, t);
  }
  return t;
}

/** Drops a namespace's table once it holds nothing (a window cleared its state). */
export function pruneNamespace(root: StateTable, namespace: string): void {
  const t = root.namespaces?.get(namespace);
  if (t === undefined) return;
  for (const m of t.groups) if (m !== undefined && m.size !== 0) return;
  root.namespaces?.delete(namespace);
}

/** The state's tables with their namespaces: VoidNamespace first, then the others in insertion order. */
export function allTables(root: StateTable): Array<[string | undefined, StateTable]> {
  const out: Array<[string | undefined, StateTable]> = [[undefined, root]];
  if (root.namespaces !== undefined) for (const [ns, t] of root.namespaces) out.push([ns, t]);
  return out;
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
