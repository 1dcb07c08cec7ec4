/**
 * Operator (non-keyed) state, Flink's DefaultOperatorStateBackend: named lists per subtask, each with
 * a redistribution mode that says what happens when the parallelism changes on restore:
 *
 * - `split` (getListState): the lists of all old subtasks are concatenated in subtask order and cut
 *   into contiguous parts: each new subtask gets total/newP items, total%newP of them one more
 *   (Flink's RoundRobinOperatorStateRepartitioner). With several named split states, the subtask that
 *   gets the first part rotates: each state starts at the first subtask that got no extra item of the
 *   previous one, so the extra items spread over the subtasks. The states are taken in the order
 *   Flink's `HashMap<String, …>` iterates their names (`javaHashMapOrder`). Same parallelism: each
 *   subtask keeps its own.
 * - `union` (getUnionListState): every new subtask gets the whole concatenated list.
 * - `broadcast` (getBroadcastState, `HeapBroadcastState`): a map per subtask, stored as its
 *   `[key, value]` entries; new subtask i gets old subtask i mod oldParallelism's map (Flink's
 *   `repartitionBroadcastState`), with equal parallelism its own.
 */
import {
  StateMigrationException,
  incompatibleSerializerMessage,
  typeFromJson,
  type TypeInfoJson,
  type TypeInformation,
} from '../api/typeinfo/TypeInformation';
import { TupleTypeInfo } from '../api/typeinfo/TypeInformation';
import { stringHashCode } from '../keygroups/hashCode';
import { HeapBroadcastState, type BroadcastState } from './HeapBroadcastState';
import type { ListState } from './State';
import type { ListStateDescriptor, MapStateDescriptor } from './StateDescriptor';
import { msg } from '../messages/Message';

export type OperatorStateMode = 'split' | 'union' | 'broadcast';

export interface OperatorListSnapshot {
  mode: OperatorStateMode;
  items: unknown[];
  /** The type of the elements (the descriptor's, as Flink records the element serializer); absent in older snapshots. */
  elementType?: TypeInfoJson;
}

/** What one old subtask held: its index and its lists. */
export interface OperatorStateOfSubtask {
  subtaskIndex: number;
  parallelism: number;
  lists: Record<string, OperatorListSnapshot>;
}

class PartitionableListState<T> implements ListState<T> {
  items: T[] = [];
  constructor(
    readonly mode: OperatorStateMode,
    readonly elementType: TypeInformation,
  ) {}
  get(): Iterable<T> {
    return this.items.slice();
  }
  add(value: T): void {
    if (value === null || value === undefined) throw new Error('You cannot add null to a ListState.');
    this.items.push(value);
  }
  addAll(values: T[]): void {
    for (const v of values) this.add(v);
  }
  update(values: T[]): void {
    this.items = [];
    this.addAll(values);
  }
  clear(): void {
    this.items = [];
  }
}

export class OperatorStateBackend {
  private readonly lists = new Map<string, PartitionableListState<unknown>>();
  private readonly broadcastStates = new Map<string, HeapBroadcastState<unknown, unknown>>();
  private restored: Map<string, OperatorListSnapshot> = new Map();
  readonly isRestored: boolean;

  /** `previous`: every old subtask's operator state (null on a fresh start). */
  constructor(previous: OperatorStateOfSubtask[] | null, subtaskIndex: number, parallelism: number) {
    this.isRestored = previous !== null;
    if (previous) this.restored = redistribute(previous, subtaskIndex, parallelism);
  }

  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    return this.get(descriptor, 'split') as ListState<T>;
  }

  getUnionListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    return this.get(descriptor, 'union') as ListState<T>;
  }

  /** Flink's OperatorStateStore.getBroadcastState: the subtask's map, restored from the checkpoint if it had one. */
  getBroadcastState<K extends string | number, V>(
    descriptor: MapStateDescriptor<K, V>,
  ): BroadcastState<K, V> {
    const name = descriptor.name;
    const existing = this.broadcastStates.get(name);
    if (existing) return existing as unknown as BroadcastState<K, V>;
    if (this.lists.has(name))
      throw new Error(
        `operator state '${name}' is registered as ${this.lists.get(name)!.mode} list state, not broadcast`,
      );
    const entryType = new TupleTypeInfo([descriptor.keyTypeInfo, descriptor.valueTypeInfo]);
    const state = new HeapBroadcastState<unknown, unknown>(name, entryType);
    const prev = this.restored.get(name);
    if (prev) {
      if (prev.mode !== 'broadcast')
        throw new Error(
          `operator state '${name}' was checkpointed as ${prev.mode} list state, not broadcast`,
        );
      let items = structuredClone(prev.items) as unknown[];
      const old = prev.elementType === undefined ? null : typeFromJson(prev.elementType);
      const compat = old === null ? 'COMPATIBLE_AS_IS' : entryType.resolveSchemaCompatibility(old);
      if (compat === 'INCOMPATIBLE' && old !== null)
        throw new StateMigrationException(
          msg('state.operator-incompatible', {
            name,
            detail: incompatibleSerializerMessage('operator', entryType, old),
          }),
        );
      if (compat === 'COMPATIBLE_AFTER_MIGRATION' && old !== null)
        items = items.map((v) => entryType.migrate(v, old));
      for (const [k, v] of items as [unknown, unknown][]) state.map.set(k, v);
    }
    this.broadcastStates.set(name, state);
    return state as unknown as BroadcastState<K, V>;
  }

  /** The broadcast states registered so far (for inspection). */
  getBroadcastStates(): ReadonlyMap<string, HeapBroadcastState<unknown, unknown>> {
    return this.broadcastStates;
  }

  private get<T>(
    descriptor: ListStateDescriptor<T>,
    mode: OperatorStateMode,
  ): PartitionableListState<unknown> {
    const name = descriptor.name;
    if (this.broadcastStates.has(name))
      throw new Error(`operator state '${name}' is registered as broadcast state, not ${mode} list state`);
    let s = this.lists.get(name);
    if (s) {
      if (s.mode !== mode)
        throw new Error(`operator state '${name}' is registered as ${s.mode} list state, not ${mode}`);
      return s;
    }
    s = new PartitionableListState<unknown>(mode, descriptor.elementTypeInfo);
    const prev = this.restored.get(name);
    if (prev) {
      if (prev.mode !== mode)
        throw new Error(`operator state '${name}' was checkpointed as ${prev.mode} list state, not ${mode}`);
      s.items = structuredClone(prev.items);
      // Flink's DefaultOperatorStateBackend: the new element serializer must read the old elements.
      const old = prev.elementType === undefined ? null : typeFromJson(prev.elementType);
      const compat = old === null ? 'COMPATIBLE_AS_IS' : s.elementType.resolveSchemaCompatibility(old);
      if (compat === 'INCOMPATIBLE' && old !== null)
        throw new StateMigrationException(
          msg('state.operator-incompatible', {
            name,
            detail: incompatibleSerializerMessage('operator', s.elementType, old),
          }),
        );
      if (compat === 'COMPATIBLE_AFTER_MIGRATION' && old !== null)
        s.items = s.items.map((v) => s!.elementType.migrate(v, old));
    }
    this.lists.set(name, s);
    return s;
  }

  snapshot(): Record<string, OperatorListSnapshot> {
    const out: Record<string, OperatorListSnapshot> = {};
    // Restored state the function did not ask for again is kept, as Flink's backend registers it on restore.
    for (const [name, prev] of this.restored) {
      if (!this.lists.has(name)) out[name] = structuredClone(prev);
    }
    for (const [name, s] of this.lists)
      out[name] = { mode: s.mode, items: structuredClone(s.items), elementType: s.elementType.toJson() };
    for (const [name, b] of this.broadcastStates)
      out[name] = { mode: 'broadcast', items: b.snapshotItems(), elementType: b.entryType.toJson() };
    return out;
  }

  get size(): number {
    return this.lists.size + this.broadcastStates.size;
  }
}

/**
 * The order in which Flink's `groupByStateMode` map (`new HashMap<String, …>()` filled with
 * `computeIfAbsent`) iterates `names`, given in the order they are first seen: by bucket,
 * `(h ^ h >>> 16) & (capacity - 1)` with h = `String.hashCode`; within a bucket the latest first
 * (`computeIfAbsent` puts a new key at the head of its bucket; a resize keeps the order). The table
 * starts at 16 buckets and doubles before an insertion that finds more than 3/4 of it in use.
 */
export function javaHashMapOrder(names: readonly string[]): string[] {
  let capacity = 16;
  while (names.length - 1 > capacity * 0.75) capacity *= 2;
  const bucket = (name: string): number => {
    const h = stringHashCode(name);
    return (h ^ (h >>> 16)) & (capacity - 1);
  };
  return names
    .map((name, i) => ({ name, i, b: bucket(name) }))
    .sort((x, y) => x.b - y.b || y.i - x.i)
    .map((x) => x.name);
}

/** Which items of each named list subtask `index` of `newP` gets. */
export function redistribute(
  previous: OperatorStateOfSubtask[],
  index: number,
  newP: number,
): Map<string, OperatorListSnapshot> {
  const ordered = [...previous].sort((a, b) => a.subtaskIndex - b.subtaskIndex);
  const names = new Set(ordered.flatMap((s) => Object.keys(s.lists)));
  const out = new Map<string, OperatorListSnapshot>();
  const sameParallelism = ordered.length > 0 && ordered[0].parallelism === newP;
  const partsOf = (name: string) =>
    ordered.flatMap((s) => (s.lists[name] ? [{ subtask: s.subtaskIndex, list: s.lists[name] }] : []));
  // Flink's repartitionSplitState: one named state after the other, rotating the first subtask.
  let startParallelOp = 0;
  for (const name of javaHashMapOrder([...names])) {
    const parts = partsOf(name);
    const mode = parts[0].list.mode;
    const typed = parts.find((p) => p.list.elementType !== undefined)?.list.elementType;
    const elementType = typed === undefined ? {} : { elementType: typed };
    if (mode === 'union') {
      out.set(name, { mode, items: parts.flatMap((p) => p.list.items), ...elementType });
    } else if (mode === 'broadcast') {
      // Flink's repartitionBroadcastState: "for each name, pick the i-th entry" modulo the old parallelism.
      out.set(name, { mode, items: parts[index % parts.length].list.items, ...elementType });
    } else if (sameParallelism) {
      out.set(name, {
        mode,
        items: parts.find((p) => p.subtask === index)?.list.items ?? [],
        ...elementType,
      });
    } else {
      const all = parts.flatMap((p) => p.list.items);
      const base = Math.floor(all.length / newP);
      const remainder = all.length % newP;
      // Subtask (startParallelOp + i) % newP gets the i-th contiguous part; the first `remainder` parts have one more.
      const i = (index - startParallelOp + newP) % newP;
      const start = i * base + Math.min(i, remainder);
      const count = base + (i < remainder ? 1 : 0);
      out.set(name, { mode, items: all.slice(start, start + count), ...elementType });
      startParallelOp = (startParallelOp + remainder) % newP;
    }
  }
  return out;
}
