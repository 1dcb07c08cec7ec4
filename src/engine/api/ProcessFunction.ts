/**
 * Flink's ProcessFunction: `process()` on a non-keyed stream. It sees each record with its timestamp
 * and the current time; keyed state and timers need a keyed stream (registering a timer throws
 * "Setting timers is only supported on a keyed streams.", as Flink's ProcessOperator does).
 */
import type { Collector, RichFunction, TimerService } from './functions';
import type { OutputTag } from './OutputTag';

export interface ProcessContext {
  timestamp(): number | null;
  timerService(): TimerService;
  /** Emits `value` to the side output `outputTag` (read with `getSideOutput(outputTag)`). */
  output<X>(outputTag: OutputTag<X>, value: X): void;
}

export interface ProcessFunction<IN, OUT> extends RichFunction {
  processElement(value: IN, ctx: ProcessContext, out: Collector<OUT>): void;
}
