/** Flink's CoStreamFlatMap: `connect(..).flatMap(CoFlatMapFunction)`. */
import type { CoFlatMapFunction } from '../../api/CoProcessFunction';
import { UserFunctionOperator } from '../operators';
import { timestampedCollector } from '../SimpleTimerService';

export class CoStreamFlatMap extends UserFunctionOperator<CoFlatMapFunction<unknown, unknown, unknown>> {
  private readonly collector = timestampedCollector(this.ctx);
  processElement(value: unknown): void {
    this.fn.flatMap1(value, this.collector);
  }
  override processElement2(value: unknown): void {
    this.fn.flatMap2(value, this.collector);
  }
}
