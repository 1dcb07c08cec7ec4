/** Flink's CoProcessOperator: a CoProcessFunction on two non-keyed connected streams (no timers). */
import type { CoProcessContext, CoProcessFunction } from '../../api/CoProcessFunction';
import { UserFunctionOperator } from '../operators';
import { nonKeyedTimerService, timestampedCollector } from '../SimpleTimerService';

export class CoProcessOperator extends UserFunctionOperator<CoProcessFunction<unknown, unknown, unknown>> {
  private readonly collector = timestampedCollector(this.ctx);
  private readonly context: CoProcessContext = {
    timestamp: () => this.ctx.currentTimestamp(),
    timerService: () => nonKeyedTimerService(this.ctx),
    output: (tag, value) => this.ctx.output(tag.id, value, this.ctx.currentTimestamp()),
  };
  processElement(value: unknown): void {
    this.fn.processElement1(value, this.context, this.collector);
  }
  override processElement2(value: unknown): void {
    this.fn.processElement2(value, this.context, this.collector);
  }
}
