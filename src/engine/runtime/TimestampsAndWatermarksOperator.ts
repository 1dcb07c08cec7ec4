/**
 * Flink's TimestampsAndWatermarksOperator: `stream.assignTimestampsAndWatermarks(strategy)` anywhere
 * in the pipeline. Each record gets its event time from the strategy's timestamp assigner (or keeps
 * its own); the operator tracks the highest timestamp and, every `autoWatermarkIntervalMs` of
 * processing time, emits `max − bound − 1` (`ProgressiveTimestampsAndWatermarks.tick`, as for
 * sources). Watermarks from upstream are swallowed — this operator is the new source of event time —
 * except the end of input's MAX_WATERMARK, which it forwards (as Flink's `processWatermark` does).
 */
import type { WatermarkStrategy } from '../time/WatermarkStrategy';
import { StreamOperator, type OperatorContext } from './operators';

export class TimestampsAndWatermarksOperator extends StreamOperator {
  /** Highest event time seen (what the periodic watermark is computed from). */
  maxTimestamp = -Infinity;

  constructor(
    ctx: OperatorContext,
    readonly strategy: WatermarkStrategy,
  ) {
    super(ctx);
  }

  processElement(value: unknown): void {
    const recordTimestamp = this.ctx.currentTimestamp();
    const assigner = this.strategy.timestampAssigner;
    const ts = assigner ? assigner(value, recordTimestamp) : recordTimestamp;
    if (ts !== null && ts > this.maxTimestamp) this.maxTimestamp = ts;
    this.ctx.emit(value, ts);
  }
}
