/**
 * The keyed state interfaces, with Flink's method names and semantics. Every method reads or writes
 * the value of the backend's *current key* only; `clear()` removes just that key's value.
 */
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  StateDescriptor,
  ValueStateDescriptor,
} from './StateDescriptor';

export interface State {
  /** Removes the current key's value of this state. */
  clear(): void;
}

/**
 * Flink's InternalKvState: a state handle whose values are per (key, namespace). The window operator
 * sets a window's namespace (`windowing/Namespaces.ts`) before it touches that window's contents;
 * handles from `getRuntimeContext()` stay in VoidNamespace (`undefined`).
 */
export interface InternalKvState {
  setCurrentNamespace(namespace: string | undefined): void;
  getCurrentNamespace(): string | undefined;
}

export interface ValueState<T> extends State {
  /** The current key's value; else a copy of the descriptor's default value, else `null`. */
  value(): T | null;
  /** Sets the current key's value; `update(null)` clears it, as in Flink. */
  update(value: T | null): void;
}

/**
 * `get()` never returns `null`: Flink's HashMap backend returns `null` internally for an empty list,
 * which its user-facing wrapper turns into an empty list; we return `[]`. The result is a copy:
 * later writes do not change it. `add`, `addAll` and `update` reject `null` elements (Flink's
 * NullPointerException); `update([])` clears.
 */
export interface ListState<T> extends State {
  get(): Iterable<T>;
  add(value: T): void;
  addAll(values: T[]): void;
  update(values: T[]): void;
}

/**
 * A map per key. `get` of a missing user key returns `null`; removing the last entry clears the key
 * (as Flink's HashMap backend does). `entries/keys/values` are copies in insertion order.
 */
export interface MapState<UK extends string | number, UV> extends State {
  get(userKey: UK): UV | null;
  put(userKey: UK, value: UV): void;
  /** A `Map`, or (for string user keys) a plain object. */
  putAll(map: ReadonlyMap<UK, UV> | (UK extends string ? Readonly<Record<UK, UV>> : never)): void;
  remove(userKey: UK): void;
  contains(userKey: UK): boolean;
  entries(): Iterable<[UK, UV]>;
  keys(): Iterable<UK>;
  values(): Iterable<UV>;
  isEmpty(): boolean;
}

/** `add(v)` stores `v` if empty, else `reduce(current, v)`. `add(null)` clears, as in Flink. */
export interface ReducingState<T> extends State {
  get(): T | null;
  add(value: T): void;
}

/** Keeps an accumulator; `get()` is `getResult(acc)` or `null` when empty. `add(null)` clears. */
export interface AggregatingState<IN, OUT> extends State {
  get(): OUT | null;
  add(value: IN): void;
}

/** The state handle a descriptor yields, e.g. `StateOf<ValueStateDescriptor<number>>` = `ValueState<number>`. */
export type StateOf<D extends StateDescriptor> =
  D extends ValueStateDescriptor<infer T>
    ? ValueState<T>
    : D extends ListStateDescriptor<infer T>
      ? ListState<T>
      : D extends MapStateDescriptor<infer UK, infer UV>
        ? MapState<UK, UV>
        : D extends ReducingStateDescriptor<infer T>
          ? ReducingState<T>
          : D extends AggregatingStateDescriptor<infer IN, infer _ACC, infer OUT>
            ? AggregatingState<IN, OUT>
            : State;
