/**
 * Flink's broadcast state (`BroadcastState` / `ReadOnlyBroadcastState`, heap implementation
 * `HeapBroadcastState`): a map per operator subtask, registered with a `MapStateDescriptor`. Each
 * subtask keeps its own copy; the broadcast side may change it, the other side only reads it.
 *
 * It is operator state in mode BROADCAST: every subtask snapshots its whole map, and on restore new
 * subtask i takes old subtask i mod oldParallelism's map (Flink's
 * `RoundRobinOperatorStateRepartitioner.repartitionBroadcastState`) — which is why Flink asks that
 * every subtask update it identically.
 */
import type { TypeInformation } from '../api/typeinfo/TypeInformation';

/** What the non-broadcast side sees (Flink's ReadOnlyBroadcastState). */
export interface ReadOnlyBroadcastState<K, V> {
  get(key: K): V | null;
  contains(key: K): boolean;
  /** Read-only view of the entries, in insertion order. */
  immutableEntries(): Iterable<[K, V]>;
}

/** What the broadcast side may do (Flink's BroadcastState). */
export interface BroadcastState<K, V> extends ReadOnlyBroadcastState<K, V> {
  put(key: K, value: V): void;
  putAll(map: Iterable<[K, V]> | Record<string, V>): void;
  remove(key: K): void;
  clear(): void;
  entries(): Iterable<[K, V]>;
  iterator(): Iterator<[K, V]>;
}

export class HeapBroadcastState<K, V> implements BroadcastState<K, V> {
  readonly map = new Map<K, V>();

  constructor(
    readonly name: string,
    /** TUPLE<key type, value type>: the type of one entry, as snapshots record it. */
    readonly entryType: TypeInformation,
  ) {}

  get(key: K): V | null {
    return this.map.has(key) ? (this.map.get(key) as V) : null;
  }
  contains(key: K): boolean {
    return this.map.has(key);
  }
  put(key: K, value: V): void {
    if (key === null || key === undefined) throw new Error('Null keys are not allowed in broadcast state.');
    this.map.set(key, value);
  }
  putAll(entries: Iterable<[K, V]> | Record<string, V>): void {
    const it =
      Symbol.iterator in entries ? entries : (Object.entries(entries) as unknown as Iterable<[K, V]>);
    for (const [k, v] of it) this.put(k, v);
  }
  remove(key: K): void {
    this.map.delete(key);
  }
  clear(): void {
    this.map.clear();
  }
  entries(): Iterable<[K, V]> {
    return [...this.map.entries()];
  }
  iterator(): Iterator<[K, V]> {
    return this.entries()[Symbol.iterator]();
  }
  immutableEntries(): Iterable<[K, V]> {
    return structuredClone([...this.map.entries()]);
  }
  /** The snapshot's items: one `[key, value]` pair per entry. */
  snapshotItems(): [K, V][] {
    return structuredClone([...this.map.entries()]);
  }
}
