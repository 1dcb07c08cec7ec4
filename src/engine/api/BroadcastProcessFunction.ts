/**
 * The broadcast state pattern's functions, as Flink's BroadcastProcessFunction (non-keyed side) and
 * KeyedBroadcastProcessFunction (keyed side). The broadcast side (`processBroadcastElement`) may
 * change the broadcast state; the other side (`processElement`) only reads it. Every subtask holds its
 * own copy, so the broadcast side must change it the same way everywhere (Flink's warning).
 */
import type { Key } from '../keygroups/hashCode';
import type { BroadcastState, ReadOnlyBroadcastState } from '../state/HeapBroadcastState';
import type { State } from '../state/State';
import type { MapStateDescriptor, StateDescriptor } from '../state/StateDescriptor';
import type { Collector, RichFunction, TimerService } from './functions';
import type { OutputTag } from './OutputTag';

export interface BroadcastReadOnlyContext {
  getBroadcastState<K extends string | number, V>(
    descriptor: MapStateDescriptor<K, V>,
  ): ReadOnlyBroadcastState<K, V>;
  timestamp(): number | null;
  currentProcessingTime(): number;
  currentWatermark(): number;
  /** Emits `value` to the side output `outputTag` (read with `getSideOutput(outputTag)`). */
  output<X>(outputTag: OutputTag<X>, value: X): void;
}

export interface BroadcastContext {
  getBroadcastState<K extends string | number, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V>;
  timestamp(): number | null;
  currentProcessingTime(): number;
  currentWatermark(): number;
  /** Emits `value` to the side output `outputTag` (read with `getSideOutput(outputTag)`). */
  output<X>(outputTag: OutputTag<X>, value: X): void;
}

export interface BroadcastProcessFunction<IN1, IN2, OUT> extends RichFunction {
  processElement(value: IN1, ctx: BroadcastReadOnlyContext, out: Collector<OUT>): void;
  processBroadcastElement(value: IN2, ctx: BroadcastContext, out: Collector<OUT>): void;
}

/** Flink's KeyedStateFunction: applied to one key's state by `applyToKeyedState`. */
export type KeyedStateFunction<K extends Key, S extends State> = (key: K, state: S) => void;

export interface KeyedBroadcastReadOnlyContext<K extends Key> extends BroadcastReadOnlyContext {
  getCurrentKey(): K;
  timerService(): TimerService;
}

export interface KeyedBroadcastContext extends BroadcastContext {
  /** Runs `fn` on the state `descriptor` of every key of this subtask that has a value for it. */
  applyToKeyedState<K extends Key, S extends State>(
    descriptor: StateDescriptor,
    fn: KeyedStateFunction<K, S>,
  ): void;
}

export interface KeyedBroadcastOnTimerContext<K extends Key> extends KeyedBroadcastReadOnlyContext<K> {
  timeDomain(): 'EVENT_TIME' | 'PROCESSING_TIME';
}

export interface KeyedBroadcastProcessFunction<K extends Key, IN1, IN2, OUT> extends RichFunction {
  processElement(value: IN1, ctx: KeyedBroadcastReadOnlyContext<K>, out: Collector<OUT>): void;
  processBroadcastElement(value: IN2, ctx: KeyedBroadcastContext, out: Collector<OUT>): void;
  onTimer?(timestamp: number, ctx: KeyedBroadcastOnTimerContext<K>, out: Collector<OUT>): void;
}
