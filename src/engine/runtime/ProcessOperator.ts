/** Flink's ProcessOperator: a ProcessFunction on a non-keyed stream. */
import type { ProcessContext, ProcessFunction } from '../api/ProcessFunction';
import { UserFunctionOperator } from './operators';
import { nonKeyedTimerService, timestampedCollector } from './SimpleTimerService';

export class ProcessOperator extends UserFunctionOperator<ProcessFunction<unknown, unknown>> {
  private readonly collector = timestampedCollector(this.ctx);
  private readonly context: ProcessContext = {
    timestamp: () => this.ctx.currentTimestamp(),
    timerService: () => nonKeyedTimerService(this.ctx),
    output: (tag, value) => this.ctx.output(tag.id, value, this.ctx.currentTimestamp()),
  };
  processElement(value: unknown): void {
    this.fn.processElement(value, this.context, this.collector);
  }
}
