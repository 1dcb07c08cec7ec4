/**
 * `assignTimestampsAndWatermarks(strategy)` after the source (Flink's TimestampsAndWatermarksOperator):
 * records take their event time from the timestamp assigner, the operator emits bounded-out-of-
 * orderness watermarks from the highest timestamp it saw, upstream watermarks stop there (only the
 * end of input's MAX_WATERMARK goes on), and a keyed event-time timer downstream fires by them.
 */
import { describe, expect, it } from 'vitest';
import {
  ExternalSystem,
  MiniCluster,
  NonTransactionalSink,
  ReplayableLog,
  StreamExecutionEnvironment,
  WatermarkStrategies,
  type Collector,
  type KeyedProcessContext,
  type OnTimerContext,
  type TraceEvent,
} from '../../src/engine/index';
import { ofType } from './helpers';

interface Click {
  page: string;
  at: number;
}

function job(upstreamStrategy: boolean) {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  // The log's own timestamps are meaningless (0..); the event time is in the record.
  const log = new ReplayableLog<Click>('clicks', [
    Array.from({ length: 20 }, (_, i) => ({
      value: { page: i % 2 ? '/a' : '/b', at: 5000 + i * 100 },
      timestamp: i,
    })),
  ]);
  env
    .fromSource(
      log,
      'Source: clicks',
      2,
      upstreamStrategy ? WatermarkStrategies.forBoundedOutOfOrderness(0) : null,
    )
    .uid('src')
    .map((c: Click) => c)
    .uid('parse')
    .assignTimestampsAndWatermarks(
      WatermarkStrategies.forBoundedOutOfOrderness(200)
        .withTimestampAssigner((c: Click) => c.at)
        .withAutoWatermarkInterval(5),
    )
    .uid('ts')
    .keyBy((c: Click) => c.page)
    .process<string>({
      processElement(c: Click, ctx: KeyedProcessContext<string>) {
        if (c.at < 5500) ctx.timerService().registerEventTimeTimer(5500);
        expect(ctx.timestamp()).toBe(c.at);
      },
      onTimer(ts: number, ctx: OnTimerContext<string>, out: Collector<string>) {
        out.collect(`${ctx.getCurrentKey()}@${ts} wm=${ctx.timerService().currentWatermark()}`);
      },
    })
    .uid('timers')
    .addSink(new NonTransactionalSink<string>())
    .uid('sink');
  env.setLogSourcesBounded(true);
  return env.getJobGraph('Assign');
}

describe('assignTimestampsAndWatermarks', () => {
  it.each([false, true])(
    'timestamps from the assigner, watermarks max − 200 − 1, timers fire by them (upstream strategy: %s)',
    (upstream) => {
      const events: TraceEvent[] = [];
      const external = new ExternalSystem();
      const g = job(upstream);
      expect(g.vertices.find((v) => v.uid === 'ts')?.name).toBe('Timestamps/Watermarks');
      const cluster = new MiniCluster(g, { seed: 3, external, trace: (e) => events.push(e) });
      cluster.runToCompletion();
      expect(cluster.isFinished()).toBe(true);
      // The timer at 5500 fired on a watermark from the operator (record 5700 - 200 - 1 = 5499 is not
      // enough; 5800 - 201 = 5599 is), not from the source's log timestamps (0..19) nor MAX_WATERMARK.
      const rows = (external.committedValues('sink') as string[]).sort();
      expect(rows).toHaveLength(2);
      for (const r of rows) {
        const wm = Number(/wm=(\d+)/.exec(r)?.[1]);
        expect(wm).toBeGreaterThanOrEqual(5500);
        expect(wm).toBeLessThan(7000);
      }
      const tsWatermarks = ofType(events, 'watermark-advanced')
        .filter((e) => e.task === 'timers#0')
        .map((e) => e.watermark);
      // Only the operator's watermarks (≥ 4799 = 5000 − 201) and MAX reach downstream: none of the source's.
      for (const w of tsWatermarks) expect(w).toBeGreaterThanOrEqual(4799);
      expect(tsWatermarks.at(-1)).toBe(Number.MAX_SAFE_INTEGER);
    },
  );
});
