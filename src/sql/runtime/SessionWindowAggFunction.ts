/**
 * Flink SQL's window aggregation over the `SESSION` window TVF (`WindowAggregate` with a
 * SessionWindowSpec: flink-table-runtime's UnsliceWindowAggProcessor with a MergingWindowSet). Session
 * windows are not aligned, so they cannot be sliced: per key, each row opens the window
 * `[ts, ts + gap)`, which is merged with every pending session it intersects (Flink's
 * `TimeWindow.intersects`: touching windows merge too) — their accumulators merged (AggsHandler.merge).
 * A session fires once, insert-only, when the watermark passes its last millisecond (`window_end - 1`),
 * and its state is freed. A row whose merged session would already have fired is late and dropped.
 *
 * State: `session-accs`, per key the pending sessions by start (end, accumulators), and an event-time
 * timer per session; a timer of a session that has since been merged into a later one finds nothing.
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

interface Session {
  end: number;
  acc: Accumulators;
  key: SqlValue[];
}

export class SessionWindowAggFunction implements KeyedProcessFunction<
  string | number | boolean,
  RowData,
  RowData
> {
  private sessions!: MapState<number, Session>;
  private handler!: AggsHandler;

  constructor(
    private readonly keyIndexes: readonly number[],
    private readonly calls: readonly AggCall[],
    private readonly rowtimeIndex: number,
    private readonly gap: number,
  ) {}

  open(ctx: RuntimeContext): void {
    this.handler = new AggsHandler(this.calls);
    this.sessions = ctx.getMapState(
      new MapStateDescriptor<number, Session>('session-accs', Types.LONG, Types.GENERIC<Session>()),
    );
  }

  processElement(
    input: RowData,
    ctx: KeyedProcessContext<string | number | boolean>,
    _out: Collector<RowData>,
  ): void {
    if (input.kind !== '+I') throw new Error('WindowAggregate needs an insert-only input');
    const ts = input.row[this.rowtimeIndex];
    if (typeof ts !== 'number') return;
    let start = ts;
    let end = ts + this.gap;
    const merged: Array<[number, Session]> = [];
    for (const [s, w] of this.sessions.entries()) if (s <= end && w.end >= start) merged.push([s, w]); // TimeWindow.intersects
    for (const [s, w] of merged) {
      start = Math.min(start, s);
      end = Math.max(end, w.end);
    }
    if (end - 1 <= ctx.timerService().currentWatermark()) return; // late: the session has fired
    let acc = this.handler.accumulate(this.handler.createAccumulators(), input.row);
    for (const [s, w] of merged) {
      acc = this.handler.merge(w.acc, acc);
      this.sessions.remove(s);
    }
    this.sessions.put(start, { end, acc, key: this.keyIndexes.map((i) => input.row[i]) });
    ctx.timerService().registerEventTimeTimer(end - 1);
  }

  onTimer(timestamp: number, _ctx: OnTimerContext<string | number | boolean>, out: Collector<RowData>): void {
    for (const [start, w] of [...this.sessions.entries()]) {
      if (w.end - 1 !== timestamp) continue;
      out.collect({ kind: '+I', row: [...w.key, ...this.handler.getValue(w.acc), start, w.end, w.end - 1] });
      this.sessions.remove(start);
    }
  }
}
