/**
 * Flink's ProcessJoinFunction: called by the interval join for every pair of a left and a right
 * element whose timestamps satisfy `right.ts ∈ [left.ts + lower, left.ts + upper]`.
 */
import type { Collector, RichFunction } from './functions';
import type { OutputTag } from './OutputTag';

export interface ProcessJoinContext {
  getLeftTimestamp(): number;
  getRightTimestamp(): number;
  /** max(left, right): the timestamp of what the function emits. */
  getTimestamp(): number;
  /** Emits `value` to the side output `outputTag` (read with `getSideOutput(outputTag)`). */
  output<X>(outputTag: OutputTag<X>, value: X): void;
}

export interface ProcessJoinFunction<IN1, IN2, OUT> extends RichFunction {
  processElement(left: IN1, right: IN2, ctx: ProcessJoinContext, out: Collector<OUT>): void;
}
