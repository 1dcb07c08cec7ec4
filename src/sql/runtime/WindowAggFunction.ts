/**
 * Flink SQL's window aggregation over a window TVF (`WindowAggregate`, flink-table-runtime's
 * WindowAggOperator with its slicing window processors): per key, one accumulator per window in keyed
 * state, an event-time timer at each window's last millisecond (`window_end - 1`). When the watermark
 * passes it the window's row is emitted once, insert-only (`+I [keys…, aggregates…, window_start,
 * window_end, window_time]`), and its state is freed. A row whose window has already fired (its
 * `window_end - 1` is at or before the current watermark) is late and dropped for that window, as in
 * Flink.
 *
 * The windows of a row (`assignWindows`): TUMBLE(size) one; HOP(slide, size) size/slide windows;
 * CUMULATE(step, max size) the windows of its max-size window that end after it. Window starts are
 * Flink's `TimeWindow.getWindowStartWithOffset(ts, 0, size)`: `ts - (ts + size) % size`.
 */
import type {
  Collector,
  KeyedProcessContext,
  KeyedProcessFunction,
  OnTimerContext,
  RuntimeContext,
} from '../../engine/api/functions';
import { Types } from '../../engine/api/typeinfo/Types';
import type { MapState } from '../../engine/state/State';
import { MapStateDescriptor } from '../../engine/state/StateDescriptor';
import type { SqlValue } from '../ast';
import { AggsHandler, type AggCall, type Accumulators } from './AggsHandler';
import type { RowData } from './RowData';

export type WindowKind = 'TUMBLE' | 'HOP' | 'CUMULATE' | 'SESSION';

export interface WindowSpec {
  kind: WindowKind;
  /** TUMBLE: size. HOP: size (slide in `step`). CUMULATE: max size (step in `step`). SESSION: gap. */
  size: number;
  step: number;
  /** SESSION only: the PARTITION BY columns (sessions are per key; SessionWindowAggFunction). */
  partitionKeys?: string[];
}

export function windowStart(ts: number, size: number): number {
  return ts - ((((ts + size) % size) + size) % size);
}

/** [start, end) of every window a timestamp belongs to. */
export function assignWindows(ts: number, w: WindowSpec): Array<[number, number]> {
  switch (w.kind) {
    case 'TUMBLE': {
      const start = windowStart(ts, w.size);
      return [[start, start + w.size]];
    }
    case 'HOP': {
      const out: Array<[number, number]> = [];
      for (let start = windowStart(ts, w.step); start > ts - w.size; start -= w.step)
        out.push([start, start + w.size]);
      return out.reverse();
    }
    case 'CUMULATE': {
      const start = windowStart(ts, w.size);
      const out: Array<[number, number]> = [];
      for (let end = start + w.step; end <= start + w.size; end += w.step)
        if (end > ts) out.push([start, end]);
      return out;
    }
    case 'SESSION':
      // Not aligned: a row's session depends on the other rows (SessionWindowAggFunction merges).
      throw new Error('session windows are assigned by merging, not per row');
  }
}

interface WindowAcc {
  start: number;
  acc: Accumulators;
  key: SqlValue[];
}

export class WindowAggFunction implements KeyedProcessFunction<string | number | boolean, RowData, RowData> {
  private windows!: MapState<number, WindowAcc>;
  private handler!: AggsHandler;

  constructor(
    private readonly keyIndexes: readonly number[],
    private readonly calls: readonly AggCall[],
    private readonly rowtimeIndex: number,
    private readonly window: WindowSpec,
  ) {}

  open(ctx: RuntimeContext): void {
    this.handler = new AggsHandler(this.calls);
    // Keyed by window end (ms); Flink keeps the accumulators in a namespace per slice.
    this.windows = ctx.getMapState(
      new MapStateDescriptor<number, WindowAcc>('window-accs', Types.LONG, Types.GENERIC<WindowAcc>()),
    );
  }

  processElement(
    input: RowData,
    ctx: KeyedProcessContext<string | number | boolean>,
    _out: Collector<RowData>,
  ): void {
    if (input.kind !== '+I') throw new Error('WindowAggregate needs an insert-only input');
    const ts = input.row[this.rowtimeIndex];
    if (typeof ts !== 'number') return; // a NULL rowtime belongs to no window
    const watermark = ctx.timerService().currentWatermark();
    for (const [start, end] of assignWindows(ts, this.window)) {
      if (end - 1 <= watermark) continue; // late: the window has fired
      const w = this.windows.get(end) ?? {
        start,
        acc: this.handler.createAccumulators(),
        key: this.keyIndexes.map((i) => input.row[i]),
      };
      this.windows.put(end, { ...w, acc: this.handler.accumulate(w.acc, input.row) });
      ctx.timerService().registerEventTimeTimer(end - 1);
    }
  }

  onTimer(timestamp: number, _ctx: OnTimerContext<string | number | boolean>, out: Collector<RowData>): void {
    const end = timestamp + 1;
    const w = this.windows.get(end);
    if (!w) return;
    out.collect({ kind: '+I', row: [...w.key, ...this.handler.getValue(w.acc), w.start, end, end - 1] });
    this.windows.remove(end);
  }
}
