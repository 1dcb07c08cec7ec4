/**
 * The heap backend's state handles without TTL (Flink's AbstractHeapState and HeapValueState,
 * HeapListState, HeapMapState, HeapReducingState, HeapAggregatingState): a couple of Map operations on
 * the current key's key group. Live values are stored by reference, as in Flink's heap backend.
 */
import type { Key } from '../../keygroups/hashCode';
import type { AggregatingState, ListState, MapState, ReducingState, State, ValueState } from '../State';
import {
  AggregatingStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
  type AggregateFunction,
} from '../StateDescriptor';
import { checkNotNull, copyValue, noKey } from '../StateStorage';
import type { InternalKvState } from '../State';
import {
  inspectionValue,
  namespaceTable,
  pruneNamespace,
  type KeyContext,
  type StateTable,
} from './StateTable';

export abstract class HeapState implements State, InternalKvState {
  /** The namespace of this handle (Flink's `setCurrentNamespace`); undefined: VoidNamespace. */
  private namespace: string | undefined = undefined;
  private current: StateTable;

  constructor(
    protected readonly ctx: KeyContext,
    private readonly root: StateTable,
  ) {
    this.current = root;
  }

  /** The table of this handle's namespace. */
  protected get table(): StateTable {
    return this.current;
  }

  setCurrentNamespace(namespace: string | undefined): void {
    // Resolved every time: a merge may have dropped the namespace's table since.
    this.namespace = namespace;
    this.current = namespaceTable(this.root, namespace);
  }

  getCurrentNamespace(): string | undefined {
    return this.namespace;
  }

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
        this.namespace,
      );
    }
  }

  clear(): void {
    const key = this.ctx.key;
    if (key === null) throw noKey();
    const m = this.table.groups[this.ctx.kgIndex];
    if (m !== undefined) m.delete(key);
    if (this.namespace !== undefined && (m === undefined || m.size === 0)) {
      pruneNamespace(this.root, this.namespace);
      this.current = namespaceTable(this.root, this.namespace);
    }
    if (this.ctx.listener !== null) this.ctx.listener(this.table.name, key, null, this.namespace);
  }
}

export class HeapValueState<T> extends HeapState implements ValueState<T> {
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
    if (this.ctx.listener !== null)
      this.ctx.listener(this.table.name, key, value, this.getCurrentNamespace());
  }
}

export class HeapListState<T> extends HeapState implements ListState<T> {
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

export class HeapMapState<UK extends string | number, UV> extends HeapState implements MapState<UK, UV> {
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

export class HeapReducingState<T> extends HeapState implements ReducingState<T> {
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

export class HeapAggregatingState<IN, ACC, OUT> extends HeapState implements AggregatingState<IN, OUT> {
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
