/**
 * Flink's DataGeneratorSource (flink-connector-datagen): `count` records made by a generator function
 * from their index 0…count−1, split into contiguous ranges, one per source subtask (as its
 * NumberSequenceSource splits), at the rate its RateLimiterStrategy allows. Bounded: after the last
 * record of its range a subtask's input ends (MAX_WATERMARK, end-of-data, FINISHED).
 *
 * Here the records are a ReplayableLog with one partition per range (so a restore rewinds to the
 * offset in the checkpoint, as Flink's split state does). The ranges follow the environment's
 * parallelism when the source is added; a record's event time is its index (ms), as `fromData`'s.
 */
import { ReplayableLog, type LogRecord } from './ReplayableLog';

export type GeneratorFunction<T> = (index: number) => T;

/** Flink's RateLimiterStrategy: `perSecond(r)` is the rate of the whole source, shared by its subtasks. */
export class RateLimiterStrategy {
  private constructor(readonly recordsPerSecond: number | null) {}
  static perSecond(recordsPerSecond: number): RateLimiterStrategy {
    if (!(recordsPerSecond > 0)) throw new Error(`recordsPerSecond must be > 0, got ${recordsPerSecond}`);
    return new RateLimiterStrategy(recordsPerSecond);
  }
  static noOp(): RateLimiterStrategy {
    return new RateLimiterStrategy(null);
  }
}

export class DataGeneratorSource<T> {
  constructor(
    readonly generator: GeneratorFunction<T>,
    readonly count: number,
    readonly rateLimiterStrategy: RateLimiterStrategy = RateLimiterStrategy.noOp(),
  ) {
    if (!Number.isInteger(count) || count < 0)
      throw new Error(`DataGeneratorSource: count must be a non-negative integer, got ${count}`);
  }

  /** @internal The records, split into `splits` contiguous ranges (one log partition each). */
  toLog(splits: number): ReplayableLog<T> {
    const partitions: LogRecord<T>[][] = [];
    for (let s = 0; s < splits; s++) {
      const from = Math.floor((s * this.count) / splits);
      const to = Math.floor(((s + 1) * this.count) / splits);
      const records: LogRecord<T>[] = [];
      for (let i = from; i < to; i++) records.push({ value: this.generator(i), timestamp: i });
      partitions.push(records);
    }
    return new ReplayableLog('datagen', partitions);
  }

  /** @internal Virtual ms between two records of one subtask (null: the simulator's default). */
  emitIntervalMs(parallelism: number): number | null {
    const r = this.rateLimiterStrategy.recordsPerSecond;
    return r === null ? null : (1000 * parallelism) / r;
  }
}
