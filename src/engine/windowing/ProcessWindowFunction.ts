/**
 * Flink's ProcessWindowFunction and its Context: called with a window's contents (all elements, or the
 * one pre-aggregated value of `reduce` / `aggregate`) when the window fires. `windowState()` is keyed
 * state in the window's namespace (cleared by `clear` when the window is purged for good),
 * `globalState()` keyed state of the key across windows (VoidNamespace).
 */
import type { Collector, RichFunction } from '../api/functions';
import type { OutputTag } from '../api/OutputTag';
import type { Key } from '../keygroups/hashCode';
import type { AggregatingState, ListState, MapState, ReducingState, ValueState } from '../state/State';
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../state/StateDescriptor';
import type { Window } from './windows/Window';

/** Flink's KeyedStateStore: where `windowState()` and `globalState()` give state. */
export interface KeyedStateStore {
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getMapState<UK extends string | number, UV>(descriptor: MapStateDescriptor<UK, UV>): MapState<UK, UV>;
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getAggregatingState<IN, ACC, OUT>(
    descriptor: AggregatingStateDescriptor<IN, ACC, OUT>,
  ): AggregatingState<IN, OUT>;
}

export interface ProcessWindowContext<W extends Window = Window> {
  window(): W;
  currentProcessingTime(): number;
  currentWatermark(): number;
  /** State of the current key in this window (not allowed with merging — session — windows). */
  windowState(): KeyedStateStore;
  /** State of the current key, shared by all its windows. */
  globalState(): KeyedStateStore;
  /** A record to a side output, with the window's max timestamp. */
  output<X>(outputTag: OutputTag<X>, value: X): void;
}

export interface ProcessWindowFunctionObject<
  IN,
  OUT,
  K extends Key,
  W extends Window = Window,
> extends RichFunction {
  process(key: K, context: ProcessWindowContext<W>, elements: IN[], out: Collector<OUT>): void;
  /** The window is purged for good: clear its `windowState()`. */
  clear?(context: ProcessWindowContext<W>): void;
}

export type ProcessWindowFunction<IN, OUT, K extends Key, W extends Window = Window> =
  | ProcessWindowFunctionObject<IN, OUT, K, W>
  | ((key: K, context: ProcessWindowContext<W>, elements: IN[], out: Collector<OUT>) => void);
