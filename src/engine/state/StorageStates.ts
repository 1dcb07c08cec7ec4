/**
 * The five keyed state types on top of a backend's storages (`StateStorage.ts`), with exactly the
 * semantics of the heap backend's own handles (null handling, "removing the last map entry clears the
 * key", listener calls). The RocksDB backend uses these.
 */
import type { AggregatingState, ListState, MapState, ReducingState, ValueState } from './State';
import type { AggregateFunction } from './StateDescriptor';
import {
  checkNotNull,
  copyValue,
  pairsOf,
  type ListStorage,
  type MapStorage,
  type StateHost,
  type UserKey,
  type ValueStorage,
} from './StateStorage';

abstract class StorageState {
  /** The handle's namespace for the listener (the backend addresses its storage by it). */
  namespaceOf: () => string | undefined = () => undefined;

  constructor(
    protected readonly host: StateHost,
    protected readonly name: string,
  ) {}

  protected notifyValue(value: unknown): void {
    const listener = this.host.listener;
    if (listener !== null) listener(this.name, this.host.currentKey(), value, this.namespaceOf());
  }
}

export class StorageValueState<T> extends StorageState implements ValueState<T> {
  constructor(
    host: StateHost,
    name: string,
    private readonly storage: ValueStorage,
    private readonly defaultValue: T | null,
  ) {
    super(host, name);
  }

  value(): T | null {
    const v = this.storage.get();
    if (v !== undefined) return v as T;
    return this.defaultValue === null ? null : copyValue(this.defaultValue);
  }

  update(value: T | null): void {
    if (value === null || value === undefined) {
      this.clear();
      return;
    }
    this.storage.put(value);
    this.notifyValue(value);
  }

  clear(): void {
    this.storage.remove();
    this.notifyValue(null);
  }
}

export class StorageListState<T> extends StorageState implements ListState<T> {
  constructor(
    host: StateHost,
    name: string,
    private readonly storage: ListStorage,
  ) {
    super(host, name);
  }

  get(): T[] {
    const list = this.storage.get() as T[] | undefined;
    return list === undefined ? [] : list.slice();
  }

  private notifyList(): void {
    if (this.host.listener === null) return;
    const list = this.host.silently(() => this.storage.get());
    this.notifyValue(list === undefined ? null : list.slice());
  }

  add(value: T): void {
    checkNotNull(value, 'You cannot add null to a ListState.');
    this.storage.append([value]);
    this.notifyList();
  }

  addAll(values: T[]): void {
    checkNotNull(values, 'List of values to add cannot be null.');
    if (values.length === 0) return;
    for (const v of values) checkNotNull(v, 'You cannot add null to a ListState.');
    this.storage.append(values.slice());
    this.notifyList();
  }

  update(values: T[]): void {
    checkNotNull(values, 'List of values to add cannot be null.');
    if (values.length === 0) {
      this.clear();
      return;
    }
    for (const v of values) checkNotNull(v, 'You cannot add null to a ListState.');
    const copy = values.slice();
    this.storage.put(copy);
    if (this.host.listener !== null) this.notifyValue(copy.slice());
  }

  clear(): void {
    this.storage.remove();
    this.notifyValue(null);
  }
}

export class StorageMapState<UK extends UserKey, UV> extends StorageState implements MapState<UK, UV> {
  constructor(
    host: StateHost,
    name: string,
    private readonly storage: MapStorage,
  ) {
    super(host, name);
  }

  private notifyMap(): void {
    if (this.host.listener === null) return;
    const pairs = this.host.silently(() => this.storage.entries());
    this.notifyValue(pairs.length === 0 ? null : pairs);
  }

  get(userKey: UK): UV | null {
    const v = this.storage.get(userKey);
    return v === undefined ? null : (v as UV);
  }

  put(userKey: UK, value: UV): void {
    this.storage.put(userKey, value);
    this.notifyMap();
  }

  putAll(map: ReadonlyMap<UK, UV> | (UK extends string ? Readonly<Record<UK, UV>> : never)): void {
    if (map === null || map === undefined) return;
    const pairs = pairsOf<UK, UV>(map as ReadonlyMap<UK, UV>);
    if (pairs.length === 0) return;
    this.storage.putAll(pairs);
    this.notifyMap();
  }

  remove(userKey: UK): void {
    this.storage.remove(userKey);
    this.notifyMap();
  }

  contains(userKey: UK): boolean {
    return this.storage.get(userKey) !== undefined;
  }

  entries(): Array<[UK, UV]> {
    return this.storage.entries() as Array<[UK, UV]>;
  }

  keys(): UK[] {
    return this.storage.entries().map(([uk]) => uk as UK);
  }

  values(): UV[] {
    return this.storage.entries().map(([, uv]) => uv as UV);
  }

  isEmpty(): boolean {
    return this.storage.isEmpty();
  }

  clear(): void {
    this.storage.clear();
    this.notifyValue(null);
  }
}

export class StorageReducingState<T> extends StorageState implements ReducingState<T> {
  constructor(
    host: StateHost,
    name: string,
    private readonly storage: ValueStorage,
    private readonly reduce: (a: T, b: T) => T,
  ) {
    super(host, name);
  }

  get(): T | null {
    const v = this.storage.get();
    return v === undefined ? null : (v as T);
  }

  add(value: T): void {
    if (value === null || value === undefined) {
      this.clear();
      return;
    }
    const previous = this.storage.get() as T | undefined;
    const next = previous === undefined ? value : this.reduce(previous, value);
    if (next === null || next === undefined) {
      this.clear();
      return;
    }
    this.storage.put(next);
    this.notifyValue(next);
  }

  clear(): void {
    this.storage.remove();
    this.notifyValue(null);
  }
}

export class StorageAggregatingState<IN, ACC, OUT> extends StorageState implements AggregatingState<IN, OUT> {
  constructor(
    host: StateHost,
    name: string,
    private readonly storage: ValueStorage,
    private readonly fn: AggregateFunction<IN, ACC, OUT>,
  ) {
    super(host, name);
  }

  get(): OUT | null {
    const acc = this.storage.get();
    return acc === undefined ? null : this.fn.getResult(acc as ACC);
  }

  add(value: IN): void {
    if (value === null || value === undefined) {
      this.clear();
      return;
    }
    let acc = this.storage.get() as ACC | undefined;
    if (acc === undefined) acc = this.fn.createAccumulator();
    acc = this.fn.add(value, acc);
    this.storage.put(acc);
    this.notifyValue(acc);
  }

  clear(): void {
    this.storage.remove();
    this.notifyValue(null);
  }
}
