/**
 * Flink's RowTimeIntervalJoin (flink-table-runtime, operators/join/interval, over TimeIntervalJoin):
 * an interval join on rowtime, `a JOIN b ON a.k = b.k AND b.ts BETWEEN a.ts - INTERVAL … AND a.ts + …`,
 * keyed by the equi-join key. The bounds are normalised to `l.ts BETWEEN r.ts + leftLowerBound AND
 * r.ts + leftUpperBound`.
 *
 * State, per key: each side's rows by rowtime (`IntervalJoinLeftCache` / `IntervalJoinRightCache`, a
 * row with whether it has joined yet) and a cleanup timer per side. Unlike a regular join the state
 * does not grow with the input: a row is cached only while rows of the other side can still join it
 * (the watermark has not passed its window), and an event-time timer removes it once the watermark
 * passes `rowtime + the other side's relative size` (plus half the window, Flink's
 * `minCleanUpInterval`, so that cleanup runs per batch of rows). A row that arrives when the other
 * side's watermark is already beyond its window is not cached at all. LEFT JOIN: a left row that never
 * joined is emitted NULL-padded when it leaves the state (or at once if it is not cached).
 *
 * The expiration times and the operator time are fields, not state, as in Flink: after a restore they
 * start again from 0 and are updated by the next row or timer.
 */
import type { Collector, RuntimeContext } from '../../engine/api/functions';
import type {
  KeyedCoProcessContext,
  KeyedCoProcessFunction,
  KeyedCoProcessOnTimerContext,
} from '../../engine/api/CoProcessFunction';
import { Types } from '../../engine/api/typeinfo/Types';
import type { MapState, ValueState } from '../../engine/state/State';
import { MapStateDescriptor, ValueStateDescriptor } from '../../engine/state/StateDescriptor';
import { MAX_WATERMARK } from '../../engine/runtime/StreamElement';
import type { SqlValue } from '../ast';
import type { Row } from '../planner/expressions';
import type { RowData } from './RowData';

type JoinKey = string | number | boolean;
/** A cached row and whether it has joined (Flink's Tuple2<RowData, Boolean>). */
type Cached = [SqlValue[], boolean];

export interface IntervalJoinSpec {
  joinType: 'INNER' | 'LEFT';
  /** l.ts >= r.ts + leftLowerBound, l.ts <= r.ts + leftUpperBound (ms). */
  leftLowerBound: number;
  leftUpperBound: number;
  leftTimeIndex: number;
  rightTimeIndex: number;
  leftArity: number;
  rightArity: number;
}

export class RowTimeIntervalJoin implements KeyedCoProcessFunction<JoinKey, RowData, RowData, RowData> {
  private leftCache!: MapState<number, Cached[]>;
  private rightCache!: MapState<number, Cached[]>;
  private leftTimerState!: ValueState<number>;
  private rightTimerState!: ValueState<number>;
  private readonly leftRelativeSize: number;
  private readonly rightRelativeSize: number;
  private readonly minCleanUpInterval: number;
  // Not state (Flink: fields of the function): how far each cache has been cleaned, the input time.
  private leftExpirationTime = 0;
  private rightExpirationTime = 0;
  private operatorTime = 0;

  constructor(
    private readonly spec: IntervalJoinSpec,
    /** The non-equi part of ON (with the time bounds) over the joined row; null when none. */
    private readonly condition: ((row: Row) => SqlValue) | null,
  ) {
    this.leftRelativeSize = -spec.leftLowerBound;
    this.rightRelativeSize = spec.leftUpperBound;
    // Flink's StreamExecIntervalJoin: minCleanUpInterval = (leftRelativeSize + rightRelativeSize) / 2
    this.minCleanUpInterval = Math.max(0, Math.trunc((this.leftRelativeSize + this.rightRelativeSize) / 2));
  }

  open(ctx: RuntimeContext): void {
    const cache = (name: string) =>
      ctx.getMapState(new MapStateDescriptor<number, Cached[]>(name, Types.LONG, Types.GENERIC<Cached[]>()));
    this.leftCache = cache('IntervalJoinLeftCache');
    this.rightCache = cache('IntervalJoinRightCache');
    this.leftTimerState = ctx.getState(
      new ValueStateDescriptor<number>('IntervalJoinLeftTimerState', Types.LONG),
    );
    this.rightTimerState = ctx.getState(
      new ValueStateDescriptor<number>('IntervalJoinRightTimerState', Types.LONG),
    );
  }

  private updateOperatorTime(ctx: KeyedCoProcessContext<JoinKey>): void {
    const wm = ctx.timerService().currentWatermark();
    this.operatorTime = wm > 0 ? wm : 0;
  }

  private calExpirationTime(operatorTime: number, relativeSize: number): number {
    return operatorTime < MAX_WATERMARK ? operatorTime - relativeSize - 1 : MAX_WATERMARK;
  }

  private join(l: SqlValue[], r: SqlValue[], out: Collector<RowData>): boolean {
    const row = [...l, ...r];
    if (this.condition !== null && this.condition(row) !== true) return false;
    out.collect({ kind: '+I', row });
    return true;
  }

  private padLeft(l: SqlValue[]): RowData {
    return { kind: '+I', row: [...l, ...new Array<SqlValue>(this.spec.rightArity).fill(null)] };
  }

  processElement1(input: RowData, ctx: KeyedCoProcessContext<JoinKey>, out: Collector<RowData>): void {
    if (input.kind !== '+I') throw new Error('IntervalJoin needs insert-only inputs');
    this.updateOperatorTime(ctx);
    const leftRow = input.row;
    const t = leftRow[this.spec.leftTimeIndex];
    if (typeof t !== 'number') return; // a NULL rowtime joins nothing (Flink drops it too)
    const lower = t - this.rightRelativeSize;
    const upper = t + this.leftRelativeSize;
    let emitted = false;
    if (this.rightExpirationTime < upper) {
      this.rightExpirationTime = this.calExpirationTime(this.operatorTime, this.rightRelativeSize);
      for (const [rightTime, rows] of [...this.rightCache.entries()]) {
        if (rightTime >= lower && rightTime <= upper)
          for (const [r] of rows) emitted = this.join(leftRow, r, out) || emitted;
        if (rightTime <= this.rightExpirationTime) this.rightCache.remove(rightTime);
      }
    }
    if (this.operatorTime < upper) {
      // Rows of the right side may still come for it: cache it.
      this.leftCache.put(t, [...(this.leftCache.get(t) ?? []), [leftRow, emitted]]);
      if (this.rightTimerState.value() === null) this.registerCleanUpTimer(ctx, t, true);
    } else if (!emitted && this.spec.joinType === 'LEFT') out.collect(this.padLeft(leftRow));
  }

  processElement2(input: RowData, ctx: KeyedCoProcessContext<JoinKey>, out: Collector<RowData>): void {
    if (input.kind !== '+I') throw new Error('IntervalJoin needs insert-only inputs');
    this.updateOperatorTime(ctx);
    const rightRow = input.row;
    const t = rightRow[this.spec.rightTimeIndex];
    if (typeof t !== 'number') return;
    const lower = t - this.leftRelativeSize;
    const upper = t + this.rightRelativeSize;
    let emitted = false;
    if (this.leftExpirationTime < upper) {
      this.leftExpirationTime = this.calExpirationTime(this.operatorTime, this.leftRelativeSize);
      for (const [leftTime, rows] of [...this.leftCache.entries()]) {
        let updated = false;
        if (leftTime >= lower && leftTime <= upper)
          for (const tuple of rows) {
            const joined = this.join(tuple[0], rightRow, out);
            emitted = emitted || joined;
            if (this.spec.joinType === 'LEFT' && joined && !tuple[1]) {
              tuple[1] = true;
              updated = true;
            }
          }
        if (leftTime <= this.leftExpirationTime) {
          if (this.spec.joinType === 'LEFT')
            for (const [l, joined] of rows) if (!joined) out.collect(this.padLeft(l));
          this.leftCache.remove(leftTime);
        } else if (updated) this.leftCache.put(leftTime, rows);
      }
    }
    if (this.operatorTime < upper) {
      this.rightCache.put(t, [...(this.rightCache.get(t) ?? []), [rightRow, emitted]]);
      if (this.leftTimerState.value() === null) this.registerCleanUpTimer(ctx, t, false);
    }
  }

  onTimer(timestamp: number, ctx: KeyedCoProcessOnTimerContext<JoinKey>, out: Collector<RowData>): void {
    this.updateOperatorTime(ctx);
    if (this.leftTimerState.value() === timestamp) {
      this.rightExpirationTime = this.calExpirationTime(this.operatorTime, this.rightRelativeSize);
      this.removeExpiredRows(out, this.rightExpirationTime, this.rightCache, this.leftTimerState, ctx, false);
    }
    if (this.rightTimerState.value() === timestamp) {
      this.leftExpirationTime = this.calExpirationTime(this.operatorTime, this.leftRelativeSize);
      this.removeExpiredRows(out, this.leftExpirationTime, this.leftCache, this.rightTimerState, ctx, true);
    }
  }

  private registerCleanUpTimer(ctx: KeyedCoProcessContext<JoinKey>, rowTime: number, leftRow: boolean): void {
    const size = leftRow ? this.leftRelativeSize : this.rightRelativeSize;
    const cleanUpTime = rowTime + size + this.minCleanUpInterval + 1;
    ctx.timerService().registerEventTimeTimer(cleanUpTime);
    (leftRow ? this.rightTimerState : this.leftTimerState).update(cleanUpTime);
  }

  private removeExpiredRows(
    out: Collector<RowData>,
    expirationTime: number,
    cache: MapState<number, Cached[]>,
    timerState: ValueState<number>,
    ctx: KeyedCoProcessContext<JoinKey>,
    removeLeft: boolean,
  ): void {
    let earliest = -1;
    for (const [rowTime, rows] of [...cache.entries()]) {
      if (rowTime <= expirationTime) {
        if (removeLeft && this.spec.joinType === 'LEFT')
          for (const [l, joined] of rows) if (!joined) out.collect(this.padLeft(l));
        cache.remove(rowTime);
      } else if (rowTime < earliest || earliest < 0) earliest = rowTime;
    }
    if (earliest > 0) this.registerCleanUpTimer(ctx, earliest, removeLeft);
    else {
      timerState.clear();
      for (const k of [...cache.keys()]) cache.remove(k);
    }
  }
}
