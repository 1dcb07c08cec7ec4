/**
 * Flink's KeyedStream.IntervalJoin / IntervalJoined: `left.intervalJoin(right).between(lower, upper)
 * [.lowerBoundExclusive()][.upperBoundExclusive()].process(ProcessJoinFunction)`. Both sides must be
 * keyed; a left element at l joins the right elements of its key with r ∈ [l + lower, l + upper].
 * Runs an IntervalJoinOperator (event time: elements need timestamps).
 */
import type { Key } from '../keygroups/hashCode';
import { normalizeBounds } from '../runtime/co/IntervalJoinOperator';
import { twoInputTransform } from './ConnectedStreams';
import type { DataStream, KeyedStream, SingleOutputStreamOperator } from './DataStream';
import type { ProcessJoinFunction } from './ProcessJoinFunction';
import type { OutputTag } from './OutputTag';
import type { StreamExecutionEnvironment } from './StreamExecutionEnvironment';

export class IntervalJoin<T1, T2, K extends Key> {
  constructor(
    private readonly env: StreamExecutionEnvironment,
    private readonly left: KeyedStream<T1, K>,
    private readonly right: KeyedStream<T2, K>,
  ) {}

  /** Lower and upper bound in ms, both inclusive by default. */
  between(lowerBoundMs: number, upperBoundMs: number): IntervalJoined<T1, T2, K> {
    if (!Number.isFinite(lowerBoundMs) || !Number.isFinite(upperBoundMs))
      throw new Error('the interval join bounds must be finite numbers of ms');
    normalizeBounds({
      lowerBound: lowerBoundMs,
      upperBound: upperBoundMs,
      lowerBoundInclusive: true,
      upperBoundInclusive: true,
    });
    return new IntervalJoined(this.env, this.left, this.right, lowerBoundMs, upperBoundMs);
  }
}

export class IntervalJoined<T1, T2, K extends Key> {
  private lowerBoundInclusive = true;
  private upperBoundInclusive = true;
  private leftLateDataOutputTag: string | null = null;
  private rightLateDataOutputTag: string | null = null;

  constructor(
    private readonly env: StreamExecutionEnvironment,
    private readonly left: KeyedStream<T1, K>,
    private readonly right: KeyedStream<T2, K>,
    private readonly lowerBound: number,
    private readonly upperBound: number,
  ) {}

  lowerBoundExclusive(): this {
    this.lowerBoundInclusive = false;
    return this;
  }

  upperBoundExclusive(): this {
    this.upperBoundInclusive = false;
    return this;
  }

  /** Late left elements (timestamp below the watermark) go to this side output instead of being dropped. */
  sideOutputLeftLateData(tag: OutputTag<T1>): this {
    this.leftLateDataOutputTag = tag.id;
    return this;
  }

  sideOutputRightLateData(tag: OutputTag<T2>): this {
    this.rightLateDataOutputTag = tag.id;
    return this;
  }

  process<R>(fn: ProcessJoinFunction<T1, T2, R>): SingleOutputStreamOperator<R> {
    const bounds = {
      lowerBound: this.lowerBound,
      upperBound: this.upperBound,
      lowerBoundInclusive: this.lowerBoundInclusive,
      upperBoundInclusive: this.upperBoundInclusive,
      leftLateDataOutputTag: this.leftLateDataOutputTag,
      rightLateDataOutputTag: this.rightLateDataOutputTag,
    };
    normalizeBounds(bounds); // exclusive bounds may cross: Flink's "lowerBound <= upperBound must be fulfilled"
    return twoInputTransform<R>(
      this.env,
      this.left as unknown as DataStream<unknown>,
      this.right as unknown as DataStream<unknown>,
      { kind: 'intervalJoin', fn: fn as ProcessJoinFunction<unknown, unknown, unknown>, ...bounds },
      'Interval Join',
      true,
    );
  }
}
