/**
 * Flink's `TtlValueState`, `TtlListState`, `TtlMapState`, `TtlReducingState` and `TtlAggregatingState`:
 * the state types with time-to-live, on top of a backend's storages, whose stored values are
 * `TtlValue`s (per list element, per map entry). Written once for both backends.
 *
 * Every method first calls `accessed()` (Flink's `accessCallback`: the heap backend's incremental
 * cleanup), except `clear()`. Reads apply `getWithTtlCheckAndUpdate`: a missing value is `null`; an
 * expired one is removed (cleanup on read) and returned only with ReturnExpiredIfNotCleanedUp; an
 * unexpired one gets a new timestamp with OnReadAndWrite.
 *
 * List reads remove the expired elements they meet (Flink's heap list state only clears the list when
 * all elements expired, or drops expired ones when it refreshes timestamps on read; removing them
 * always is simpler to explain and gives the same visible results).
 */
import type { AggregatingState, ListState, MapState, ReducingState, ValueState } from '../State';
import type { AggregateFunction } from '../StateDescriptor';
import {
  checkNotNull,
  pairsOf,
  type ListStorage,
  type MapStorage,
  type StateHost,
  type UserKey,
  type ValueStorage,
} from '../StateStorage';
import { isExpired, type TtlSettings, type TtlValue } from './TtlValue';

const NOOP = (): void => {};

abstract class AbstractTtlState {
  constructor(
    protected readonly host: StateHost,
    protected readonly name: string,
    protected readonly ttl: TtlSettings,
    /** Flink's access callback (incremental cleanup); a no-op when there is none. */
    protected readonly accessed: () => void = NOOP,
  ) {}

  protected notifyValue(value: unknown): void {
    const listener = this.host.listener;
    if (listener !== null) listener(this.name, this.host.currentKey(), value);
  }

  protected wrap<T>(value: T, now: number): TtlValue<T> {
    return { value, lastAccess: now };
  }
}

/**
 * Shared by value, reducing and aggregating state: `getWithTtlCheckAndUpdate` on a single stored
 * `TtlValue`. Returns the wrapped value to use (expired only with ReturnExpiredIfNotCleanedUp) or null.
 */
abstract class AbstractTtlSingleValueState extends AbstractTtlState {
  constructor(
    host: StateHost,
    name: string,
    ttl: TtlSettings,
    accessed: () => void,
    protected readonly storage: ValueStorage,
  ) {
    super(host, name, ttl, accessed);
  }

  protected getWrappedWithTtlCheckAndUpdate(): TtlValue | null {
    const tv = this.storage.get() as TtlValue | undefined;
    if (tv === undefined) return null;
    const now = this.host.now();
    if (isExpired(tv, this.ttl.ttl, now)) {
      this.storage.remove();
      this.notifyValue(null);
      return this.ttl.returnExpired ? tv : null;
    }
    if (this.ttl.updateOnRead) this.storage.put(this.wrap(tv.value, now));
    return tv;
  }

  /** Flink's `getUnexpired` (used by reduce/aggregate): the user value, or null if absent or hidden. */
  protected getUnexpired(): { value: unknown } | null {
    const tv = this.storage.get() as TtlValue | undefined;
    if (tv === undefined) return null;
    if (!this.ttl.returnExpired && isExpired(tv, this.ttl.ttl, this.host.now())) return null;
    return tv;
  }

  clear(): void {
    this.storage.remove();
    this.notifyValue(null);
  }
}

export class TtlValueState<T> extends AbstractTtlSingleValueState implements ValueState<T> {
  value(): T | null {
    this.accessed();
    const tv = this.getWrappedWithTtlCheckAndUpdate();
    return tv === null ? null : (tv.value as T);
  }

  update(value: T | null): void {
    this.accessed();
    if (value === null || value === undefined) {
      this.clear();
      return;
    }
    this.storage.put(this.wrap(value, this.host.now()));
    this.notifyValue(value);
  }
}

export class TtlReducingState<T> extends AbstractTtlSingleValueState implements ReducingState<T> {
  constructor(
    host: StateHost,
    name: string,
    ttl: TtlSettings,
    accessed: () => void,
    storage: ValueStorage,
    private readonly reduce: (a: T, b: T) => T,
  ) {
    super(host, name, ttl, accessed, storage);
  }

  get(): T | null {
    this.accessed();
    const tv = this.getWrappedWithTtlCheckAndUpdate();
    return tv === null ? null : (tv.value as T);
  }

  add(value: T): void {
    this.accessed();
    if (value === null || value === undefined) {
      this.clear();
      return;
    }
    // Flink's TtlReduceFunction: an expired previous value is ignored (unless ReturnExpired...).
    const previous = this.getUnexpired();
    const next = previous === null ? value : this.reduce(previous.value as T, value);
    if (next === null || next === undefined) {
      this.clear();
      return;
    }
    this.storage.put(this.wrap(next, this.host.now()));
    this.notifyValue(next);
  }
}

export class TtlAggregatingState<IN, ACC, OUT>
  extends AbstractTtlSingleValueState
  implements AggregatingState<IN, OUT>
{
  constructor(
    host: StateHost,
    name: string,
    ttl: TtlSettings,
    accessed: () => void,
    storage: ValueStorage,
    private readonly fn: AggregateFunction<IN, ACC, OUT>,
  ) {
    super(host, name, ttl, accessed, storage);
  }

  get(): OUT | null {
    this.accessed();
    const tv = this.getWrappedWithTtlCheckAndUpdate();
    return tv === null ? null : this.fn.getResult(tv.value as ACC);
  }

  add(value: IN): void {
    this.accessed();
    if (value === null || value === undefined) {
      this.clear();
      return;
    }
    // Flink's TtlAggregateFunction: an expired accumulator is replaced by a new one.
    const previous = this.getUnexpired();
    const acc = this.fn.add(value, previous === null ? this.fn.createAccumulator() : (previous.value as ACC));
    this.storage.put(this.wrap(acc, this.host.now()));
    this.notifyValue(acc);
  }
}

export class TtlListState<T> extends AbstractTtlState implements ListState<T> {
  constructor(
    host: StateHost,
    name: string,
    ttl: TtlSettings,
    accessed: () => void,
    private readonly storage: ListStorage,
  ) {
    super(host, name, ttl, accessed);
  }

  private notifyList(): void {
    if (this.host.listener === null) return;
    const list = this.host.silently(() => this.storage.get()) as TtlValue[] | undefined;
    this.notifyValue(list === undefined ? null : list.map((tv) => tv.value));
  }

  get(): T[] {
    this.accessed();
    const list = this.storage.get() as TtlValue<T>[] | undefined;
    if (list === undefined) return [];
    const now = this.host.now();
    const { ttl, updateOnRead, returnExpired } = this.ttl;
    const result: T[] = [];
    const kept: TtlValue<T>[] = [];
    for (const tv of list) {
      if (isExpired(tv, ttl, now)) {
        if (returnExpired) result.push(tv.value);
      } else {
        result.push(tv.value);
        kept.push(updateOnRead ? this.wrap(tv.value, now) : tv);
      }
    }
    if (kept.length === 0) {
      this.storage.remove();
      this.notifyValue(null);
    } else if (kept.length !== list.length) {
      this.storage.put(kept);
      this.notifyList();
    } else if (updateOnRead) {
      this.storage.put(kept);
    }
    return result;
  }

  add(value: T): void {
    checkNotNull(value, 'You cannot add null to a ListState.');
    this.accessed();
    this.storage.append([this.wrap(value, this.host.now())]);
    this.notifyList();
  }

  addAll(values: T[]): void {
    checkNotNull(values, 'List of values to add cannot be null.');
    if (values.length === 0) return;
    for (const v of values) checkNotNull(v, 'You cannot add null to a ListState.');
    this.accessed();
    const now = this.host.now();
    this.storage.append(values.map((v) => this.wrap(v, now)));
    this.notifyList();
  }

  update(values: T[]): void {
    checkNotNull(values, 'List of values to add cannot be null.');
    if (values.length === 0) {
      this.clear();
      return;
    }
    for (const v of values) checkNotNull(v, 'You cannot add null to a ListState.');
    this.accessed();
    const now = this.host.now();
    this.storage.put(values.map((v) => this.wrap(v, now)));
    if (this.host.listener !== null) this.notifyValue(values.slice());
  }

  clear(): void {
    this.storage.remove();
    this.notifyValue(null);
  }
}

export class TtlMapState<UK extends UserKey, UV> extends AbstractTtlState implements MapState<UK, UV> {
  constructor(
    host: StateHost,
    name: string,
    ttl: TtlSettings,
    accessed: () => void,
    private readonly storage: MapStorage,
  ) {
    super(host, name, ttl, accessed);
  }

  private notifyMap(): void {
    if (this.host.listener === null) return;
    const pairs = this.host.silently(() => this.storage.entries()) as Array<[UK, TtlValue<UV>]>;
    this.notifyValue(pairs.length === 0 ? null : pairs.map(([uk, tv]) => [uk, tv.value]));
  }

  /** `getWithTtlCheckAndUpdate` on one entry. */
  private getWrapped(userKey: UK): TtlValue<UV> | null {
    this.accessed();
    const tv = this.storage.get(userKey) as TtlValue<UV> | undefined;
    if (tv === undefined) return null;
    const now = this.host.now();
    if (isExpired(tv, this.ttl.ttl, now)) {
      this.storage.remove(userKey);
      this.notifyMap();
      return this.ttl.returnExpired ? tv : null;
    }
    if (this.ttl.updateOnRead) this.storage.put(userKey, this.wrap(tv.value, now));
    return tv;
  }

  get(userKey: UK): UV | null {
    const tv = this.getWrapped(userKey);
    return tv === null ? null : tv.value;
  }

  contains(userKey: UK): boolean {
    return this.getWrapped(userKey) !== null;
  }

  put(userKey: UK, value: UV): void {
    this.accessed();
    this.storage.put(userKey, this.wrap(value, this.host.now()));
    this.notifyMap();
  }

  putAll(map: ReadonlyMap<UK, UV> | (UK extends string ? Readonly<Record<UK, UV>> : never)): void {
    this.accessed();
    if (map === null || map === undefined) return;
    const pairs = pairsOf<UK, UV>(map as ReadonlyMap<UK, UV>);
    if (pairs.length === 0) return;
    const now = this.host.now();
    this.storage.putAll(pairs.map(([uk, uv]) => [uk, this.wrap(uv, now)] as const));
    this.notifyMap();
  }

  remove(userKey: UK): void {
    this.accessed();
    this.storage.remove(userKey);
    this.notifyMap();
  }

  /** The visible entries, removing expired ones and refreshing timestamps as configured. */
  entries(): Array<[UK, UV]> {
    this.accessed();
    const all = this.storage.entries() as Array<[UK, TtlValue<UV>]>;
    if (all.length === 0) return [];
    const now = this.host.now();
    const { ttl, updateOnRead, returnExpired } = this.ttl;
    const out: Array<[UK, UV]> = [];
    let removed = false;
    const refreshed: Array<readonly [UK, TtlValue<UV>]> = [];
    for (const [uk, tv] of all) {
      if (isExpired(tv, ttl, now)) {
        this.storage.remove(uk);
        removed = true;
        if (returnExpired) out.push([uk, tv.value]);
      } else {
        out.push([uk, tv.value]);
        if (updateOnRead) refreshed.push([uk, this.wrap(tv.value, now)]);
      }
    }
    if (refreshed.length > 0) this.storage.putAll(refreshed);
    if (removed) this.notifyMap();
    return out;
  }

  keys(): UK[] {
    return this.entries().map(([uk]) => uk);
  }

  values(): UV[] {
    return this.entries().map(([, uv]) => uv);
  }

  isEmpty(): boolean {
    return this.entries().length === 0;
  }

  clear(): void {
    this.storage.clear();
    this.notifyValue(null);
  }
}
