/** Flink's CoStreamMap: `connect(..).map(CoMapFunction)`, map1 for the first input, map2 for the second. */
import type { CoMapFunction } from '../../api/CoProcessFunction';
import { UserFunctionOperator } from '../operators';

export class CoStreamMap extends UserFunctionOperator<CoMapFunction<unknown, unknown, unknown>> {
  processElement(value: unknown): void {
    this.ctx.emit(this.fn.map1(value), this.ctx.currentTimestamp());
  }
  override processElement2(value: unknown): void {
    this.ctx.emit(this.fn.map2(value), this.ctx.currentTimestamp());
  }
}
