/**
 * Flink's IntervalJoinOperator: `left.keyBy(..).intervalJoin(right.keyBy(..)).between(lower, upper)
 * .process(ProcessJoinFunction)`. A left element at time l joins every right element of its key at
 * time r with `l + lower <= r <= l + upper` (exclusive bounds move the bound by 1 ms at construction).
 *
 * Both sides are buffered in keyed MapState (`LEFT_BUFFER`, `RIGHT_BUFFER`: timestamp → elements) so
 * that they are in every checkpoint. A new element is buffered, joined with every buffered element of
 * the other side in range, and registers an event-time cleanup timer for when no future element of
 * the other side can match it any more; a late element (timestamp < watermark) is dropped, or sent
 * to the side output of `sideOutputLeftLateData` / `sideOutputRightLateData`.
 *
 * The cleanup timers live in two namespaces, as in Flink: `CLEANUP_LEFT` removes
 * `LEFT_BUFFER[T - upper]` (upper > 0) or `[T]`, `CLEANUP_RIGHT` removes `RIGHT_BUFFER[T + lower]`
 * (lower <= 0) or `[T]`.
 */
import type { ProcessJoinContext, ProcessJoinFunction } from '../../api/ProcessJoinFunction';
import type { Collector } from '../../api/functions';
import { Types } from '../../api/typeinfo/Types';
import type { MapState } from '../../state/State';
import { MapStateDescriptor } from '../../state/StateDescriptor';
import type { TimeDomain } from '../../time/InternalTimerService';
import { NON_KEYED_MESSAGE, UserFunctionOperator, type OperatorContext } from '../operators';

/** Flink's IntervalJoinOperator.BufferEntry. */
export interface BufferEntry {
  element: unknown;
  hasBeenJoined: boolean;
}

/** Flink's IntervalJoinOperator.CLEANUP_NAMESPACE_LEFT / _RIGHT. */
export const CLEANUP_NAMESPACE_LEFT = 'CLEANUP_LEFT';
export const CLEANUP_NAMESPACE_RIGHT = 'CLEANUP_RIGHT';

export interface IntervalJoinBounds {
  lowerBound: number;
  upperBound: number;
  lowerBoundInclusive: boolean;
  upperBoundInclusive: boolean;
  leftLateDataOutputTag?: string | null;
  rightLateDataOutputTag?: string | null;
}

export class IntervalJoinOperator extends UserFunctionOperator<
  ProcessJoinFunction<unknown, unknown, unknown>
> {
  readonly lowerBound: number;
  readonly upperBound: number;
  private leftBuffer!: MapState<number, BufferEntry[]>;
  private rightBuffer!: MapState<number, BufferEntry[]>;
  private leftTs = 0;
  private rightTs = 0;
  private resultTs = 0;
  private readonly context: ProcessJoinContext = {
    getLeftTimestamp: () => this.leftTs,
    getRightTimestamp: () => this.rightTs,
    getTimestamp: () => this.resultTs,
    output: (tag, value) => this.ctx.output(tag.id, value, this.resultTs),
  };
  private readonly collector: Collector<unknown> = {
    collect: (v) => this.ctx.emit(v, this.resultTs),
  };

  constructor(
    ctx: OperatorContext,
    fn: ProcessJoinFunction<unknown, unknown, unknown>,
    private readonly bounds: IntervalJoinBounds,
  ) {
    super(ctx, fn);
    const { lowerBound, upperBound } = normalizeBounds(bounds);
    this.lowerBound = lowerBound;
    this.upperBound = upperBound;
  }

  override open(): void {
    const backend = this.ctx.keyedBackend;
    if (!backend) throw new Error(NON_KEYED_MESSAGE);
    const entries = Types.LIST(
      Types.POJO<BufferEntry>('BufferEntry', { element: Types.GENERIC(), hasBeenJoined: Types.BOOLEAN }),
    );
    this.leftBuffer = backend.getPartitionedState(new MapStateDescriptor('LEFT_BUFFER', Types.LONG, entries));
    this.rightBuffer = backend.getPartitionedState(
      new MapStateDescriptor('RIGHT_BUFFER', Types.LONG, entries),
    );
    super.open();
  }

  processElement(value: unknown): void {
    this.process(value, this.leftBuffer, this.rightBuffer, this.lowerBound, this.upperBound, true);
  }

  override processElement2(value: unknown): void {
    this.process(value, this.rightBuffer, this.leftBuffer, -this.upperBound, -this.lowerBound, false);
  }

  private process(
    value: unknown,
    ourBuffer: MapState<number, BufferEntry[]>,
    otherBuffer: MapState<number, BufferEntry[]>,
    relativeLowerBound: number,
    relativeUpperBound: number,
    isLeft: boolean,
  ): void {
    const ourTimestamp = this.ctx.currentTimestamp();
    if (ourTimestamp === null)
      throw new Error(
        'Long.MIN_VALUE timestamp: Elements used in interval stream joins need to have timestamps meaningful timestamps.',
      );
    const watermark = this.ctx.currentWatermark();
    if (watermark !== -Infinity && ourTimestamp < watermark) {
      // Late (Flink's isLate): to the side output if one was asked for, else dropped.
      const tag = isLeft ? this.bounds.leftLateDataOutputTag : this.bounds.rightLateDataOutputTag;
      if (tag) this.ctx.output(tag, value, ourTimestamp);
      return;
    }
    ourBuffer.put(ourTimestamp, [
      ...(ourBuffer.get(ourTimestamp) ?? []),
      { element: value, hasBeenJoined: false },
    ]);
    // Ascending timestamps (what Flink's RocksDB backend iterates; its heap MapState is a HashMap).
    const buckets = [...otherBuffer.entries()].sort((a, b) => a[0] - b[0]);
    for (const [timestamp, bucket] of buckets) {
      if (timestamp < ourTimestamp + relativeLowerBound || timestamp > ourTimestamp + relativeUpperBound)
        continue;
      for (const entry of bucket) {
        if (isLeft) this.collect(value, entry.element, ourTimestamp, timestamp);
        else this.collect(entry.element, value, timestamp, ourTimestamp);
      }
    }
    const cleanupTime = relativeUpperBound > 0 ? ourTimestamp + relativeUpperBound : ourTimestamp;
    this.ctx.registerTimer(
      'EVENT_TIME',
      cleanupTime,
      isLeft ? CLEANUP_NAMESPACE_LEFT : CLEANUP_NAMESPACE_RIGHT,
    );
  }

  private collect(left: unknown, right: unknown, leftTs: number, rightTs: number): void {
    this.leftTs = leftTs;
    this.rightTs = rightTs;
    this.resultTs = Math.max(leftTs, rightTs);
    this.fn.processElement(left, right, this.context, this.collector);
  }

  /** Flink's onEventTime: a cleanup timer removes the bucket no future element can join any more. */
  override onTimer(timestamp: number, domain: TimeDomain, namespace?: string): void {
    if (domain !== 'EVENT_TIME') return;
    switch (namespace) {
      case CLEANUP_NAMESPACE_LEFT:
        this.leftBuffer.remove(this.upperBound <= 0 ? timestamp : timestamp - this.upperBound);
        break;
      case CLEANUP_NAMESPACE_RIGHT:
        this.rightBuffer.remove(this.lowerBound <= 0 ? timestamp + this.lowerBound : timestamp);
        break;
      default:
        throw new Error(`Invalid namespace ${String(namespace)}`);
    }
  }
}

/** Exclusive bounds become inclusive ones 1 ms inside, as Flink's IntervalJoinOperator constructor does. */
export function normalizeBounds(b: IntervalJoinBounds): { lowerBound: number; upperBound: number } {
  const lowerBound = b.lowerBoundInclusive ? b.lowerBound : b.lowerBound + 1;
  const upperBound = b.upperBoundInclusive ? b.upperBound : b.upperBound - 1;
  if (!(lowerBound <= upperBound)) throw new Error('lowerBound <= upperBound must be fulfilled');
  return { lowerBound, upperBound };
}
