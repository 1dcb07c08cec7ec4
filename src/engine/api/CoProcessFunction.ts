/**
 * The user functions of two connected streams (`a.connect(b)`), as Flink's CoMapFunction,
 * CoFlatMapFunction, CoProcessFunction and KeyedCoProcessFunction: one callback per input. The
 * keyed variant (both inputs keyed) has the current key, keyed state shared by both inputs, and timers.
 */
import type { Key } from '../keygroups/hashCode';
import type { Collector, RichFunction, TimerService } from './functions';
import type { OutputTag } from './OutputTag';

export interface CoMapFunction<IN1, IN2, OUT> extends RichFunction {
  map1(value: IN1): OUT;
  map2(value: IN2): OUT;
}

export interface CoFlatMapFunction<IN1, IN2, OUT> extends RichFunction {
  flatMap1(value: IN1, out: Collector<OUT>): void;
  flatMap2(value: IN2, out: Collector<OUT>): void;
}

/** Flink's CoProcessFunction.Context. On non-keyed streams, registering a timer throws (as in Flink). */
export interface CoProcessContext {
  /** Event timestamp of the record being processed, or null. */
  timestamp(): number | null;
  timerService(): TimerService;
  /** Emits `value` to the side output `outputTag` (read with `getSideOutput(outputTag)`). */
  output<X>(outputTag: OutputTag<X>, value: X): void;
}

export interface CoProcessOnTimerContext extends CoProcessContext {
  timeDomain(): 'EVENT_TIME' | 'PROCESSING_TIME';
}

/** Flink's CoProcessFunction (non-keyed connected streams: no keyed state, no timers). */
export interface CoProcessFunction<IN1, IN2, OUT> extends RichFunction {
  processElement1(value: IN1, ctx: CoProcessContext, out: Collector<OUT>): void;
  processElement2(value: IN2, ctx: CoProcessContext, out: Collector<OUT>): void;
  onTimer?(timestamp: number, ctx: CoProcessOnTimerContext, out: Collector<OUT>): void;
}

export interface KeyedCoProcessContext<K extends Key> extends CoProcessContext {
  getCurrentKey(): K;
}

export interface KeyedCoProcessOnTimerContext<K extends Key> extends KeyedCoProcessContext<K> {
  timeDomain(): 'EVENT_TIME' | 'PROCESSING_TIME';
}

/** Flink's KeyedCoProcessFunction: both inputs keyed by keys of one type; state and timers per key. */
export interface KeyedCoProcessFunction<K extends Key, IN1, IN2, OUT> extends RichFunction {
  processElement1(value: IN1, ctx: KeyedCoProcessContext<K>, out: Collector<OUT>): void;
  processElement2(value: IN2, ctx: KeyedCoProcessContext<K>, out: Collector<OUT>): void;
  onTimer?(timestamp: number, ctx: KeyedCoProcessOnTimerContext<K>, out: Collector<OUT>): void;
}
