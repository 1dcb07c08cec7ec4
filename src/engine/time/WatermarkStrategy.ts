/**
 * Watermarks as Flink generates them at the source: `forBoundedOutOfOrderness(bound)` emits
 * `maxTimestampSeen - bound - 1` periodically (every `autoWatermarkIntervalMs`, Flink's 200 ms), and
 * `withIdleness(timeout)` marks a source subtask idle after `timeout` without records, so a quiet
 * partition stops holding event time back downstream (watermark = min over the *active* inputs).
 */
export interface WatermarkStrategy {
  readonly boundMs: number;
  readonly idlenessMs: number | null;
  readonly autoWatermarkIntervalMs: number;
  /**
   * Flink's TimestampAssigner (`withTimestampAssigner((event, recordTimestamp) => ts)`): the event
   * time of a record; null = keep the timestamp the record has (the source log's).
   */
  readonly timestampAssigner?: ((event: unknown, recordTimestamp: number | null) => number) | null;
}

export const WatermarkStrategies = {
  forBoundedOutOfOrderness(boundMs: number): WatermarkStrategyBuilder {
    return new WatermarkStrategyBuilder(boundMs);
  },
  forMonotonousTimestamps(): WatermarkStrategyBuilder {
    return new WatermarkStrategyBuilder(0);
  },
};

export class WatermarkStrategyBuilder implements WatermarkStrategy {
  idlenessMs: number | null = null;
  autoWatermarkIntervalMs = 200;

  constructor(readonly boundMs: number) {
    if (!(boundMs >= 0)) throw new Error(`the out-of-orderness bound must be >= 0 ms, got ${boundMs}`);
  }

  withIdleness(timeoutMs: number): this {
    if (!(timeoutMs > 0)) throw new Error(`the idleness timeout must be > 0 ms, got ${timeoutMs}`);
    this.idlenessMs = timeoutMs;
    return this;
  }

  timestampAssigner: ((event: unknown, recordTimestamp: number | null) => number) | null = null;

  /** Flink's `withTimestampAssigner`: where a record's event time comes from. */
  withTimestampAssigner<T>(assigner: (event: T, recordTimestamp: number | null) => number): this {
    this.timestampAssigner = assigner as (event: unknown, recordTimestamp: number | null) => number;
    return this;
  }

  withAutoWatermarkInterval(intervalMs: number): this {
    if (!(intervalMs > 0)) throw new Error(`the watermark interval must be > 0 ms, got ${intervalMs}`);
    this.autoWatermarkIntervalMs = intervalMs;
    return this;
  }
}
