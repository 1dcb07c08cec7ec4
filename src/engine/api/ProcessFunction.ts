/**
 * Flink's ProcessFunction: `process()` on a non-keyed stream. It sees each record with its timestamp
 * and the current time; keyed state and timers need a keyed stream (registering a timer throws
 * "Setting timers is only supported on a keyed streams.", as Flink's ProcessOperator does).
 */
import type { Collector, RichFunction, TimerService } from './functions';

export interface ProcessContext {
  timestamp(): number | null;
  timerService(): TimerService;
}

export interface ProcessFunction<IN, OUT> extends RichFunction {
  processElement(value: IN, ctx: ProcessContext, out: Collector<OUT>): void;
}
