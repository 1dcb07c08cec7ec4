/**
 * Processing-time windows in the running engine, as Flink fires them. Flink's
 * `ProcessingTimeServiceUtil.getProcessingTimeDelay` delays a future processing-time timer by 1 ms
 * ("to align the semantics with watermark": a timer for T fires once the clock is past T), and
 * `InternalTimerServiceImpl.onProcessingTime` fires every timer with timestamp <= T. So the window
 * [0, 100) (maxTimestamp 99, ProcessingTimeTrigger + cleanup timer at 99) fires at 100, holds every
 * record that reached it while the clock was below 100, and fires exactly once.
 */
import { describe, expect, it } from 'vitest';
import {
  Duration,
  MiniCluster,
  NonTransactionalSink,
  ReplayableLog,
  StreamExecutionEnvironment,
  TumblingProcessingTimeWindows,
  type Collector,
  type LogRecord,
  type ProcessWindowContext,
  type TimeWindow,
  type TraceEvent,
} from '../../../src/engine/index';
import { ofType } from '../helpers';

interface Row {
  start: number;
  end: number;
  n: number;
  /** ctx.currentProcessingTime() when the window function ran. */
  firedAt: number;
}

function job(records: number, emitMs: number) {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  const part: LogRecord<number>[] = [];
  for (let i = 0; i < records; i++) part.push({ value: i, timestamp: i }); // event time plays no part here
  env
    .fromSource(new ReplayableLog('in', [part]), 'Source: in', emitMs, null)
    .uid('src')
    .keyBy(() => 'k')
    .window(TumblingProcessingTimeWindows.of(Duration.ofMillis(100)))
    .process<Row>({
      process(_k: string, ctx: ProcessWindowContext<TimeWindow>, els: number[], out: Collector<Row>) {
        const w = ctx.window();
        out.collect({ start: w.start, end: w.end, n: els.length, firedAt: ctx.currentProcessingTime() });
      },
    })
    .uid('window')
    .addSink(new NonTransactionalSink<Row>())
    .uid('sink');
  return env.getJobGraph('processing-time windows');
}

describe('processing-time windows in the engine (Flink: a timer for T fires after T, once)', () => {
  it('each window fires exactly once, after its end, and every record is in one window', () => {
    const events: TraceEvent[] = [];
    const cluster = new MiniCluster(job(1000, 0.5), { seed: 3, trace: (e) => events.push(e) });
    cluster.runUntil(2000);
    const rows = cluster.external.committedValues('sink') as Row[];
    expect(rows.length).toBeGreaterThan(3);
    const ids = rows.map((r) => r.start);
    expect(new Set(ids).size).toBe(ids.length); // no window fires twice
    for (const r of rows) {
      expect(r.end - r.start).toBe(100);
      // Flink: the window's timer (maxTimestamp = end - 1) fires 1 ms after it, at `end`.
      expect(r.firedAt).toBeGreaterThanOrEqual(r.end);
    }
    expect(rows.reduce((s, r) => s + r.n, 0)).toBe(1000);
    const fired = ofType(events, 'timer-fired').filter((e) => e.domain === 'PROCESSING_TIME');
    for (const e of fired) expect(e.t).toBeGreaterThanOrEqual(e.timestamp + 1);
  });
});
