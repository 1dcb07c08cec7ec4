/**
 * Watermarks as Flink generates and propagates them: `forBoundedOutOfOrderness(b)` at the source
 * emits `maxTimestamp - b - 1` every autoWatermarkIntervalMs; an operator's watermark is the minimum
 * over its input channels (StatusWatermarkValve) and never goes back; a source without data holds
 * event time back unless `withIdleness` marks it idle; an idle source becomes active with its next
 * record.
 */
import { describe, expect, it } from 'vitest';
import {
  FsStateBackend,
  KafkaSource,
  MiniCluster,
  OffsetsInitializer,
  Simulation,
  getScenario,
  NonTransactionalSink,
  ReplayableLog,
  StreamExecutionEnvironment,
  TwoPhaseCommitSink,
  type Collector,
  type DataStream,
  type JobGraph,
  type KeyedProcessContext,
  type LogRecord,
  type OnTimerContext,
  type TraceEvent,
} from '../../src/engine/index';
// Not exported from src/engine/index.ts (see the report).
import { WatermarkStrategies, type WatermarkStrategy } from '../../src/engine/time/WatermarkStrategy';
import { ofType, type Ev } from './helpers';
import { EXPECTED_SESSIONS } from '../../src/engine/scenarios/sessions';

interface Rec {
  k: string;
  ts: number;
}

/** Registers an event-time timer at every record's timestamp; onTimer emits `key@ts`. */
const timerAtTimestamp = {
  processElement(r: Rec, ctx: KeyedProcessContext<string>): void {
    ctx.timerService().registerEventTimeTimer(r.ts);
  },
  onTimer(ts: number, ctx: OnTimerContext<string>, out: Collector<string>): void {
    out.collect(`${ctx.getCurrentKey()}@${ts}`);
  },
};

interface SourceSpec {
  uid: string;
  partitions: LogRecord<Rec>[][];
  parallelism?: number;
  emitMs?: number;
  strategy: WatermarkStrategy | null;
}

/** sources (unioned) → keyBy(k) → process 'proc' (parallelism p) → sink. Fixed channel latency. */
function job(
  sources: SourceSpec[],
  o: { p?: number; latencyMs?: number; checkpointMs?: number } = {},
): JobGraph {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(o.p ?? 1);
  env.setCostModel({ channelLatencyMinMs: o.latencyMs ?? 3, channelLatencyMaxMs: o.latencyMs ?? 3 });
  env.setStateBackend(new FsStateBackend());
  if (o.checkpointMs) env.enableCheckpointing(o.checkpointMs);
  const streams: DataStream<Rec>[] = sources.map((s) =>
    env
      .fromSource(new ReplayableLog<Rec>(s.uid, s.partitions), `Source: ${s.uid}`, s.emitMs ?? 1, s.strategy)
      .uid(s.uid)
      .setParallelism(s.parallelism ?? s.partitions.length),
  );
  const all = streams.length === 1 ? streams[0] : streams[0].union(...streams.slice(1));
  all
    .keyBy((r: Rec) => r.k)
    .process<string>(timerAtTimestamp)
    .uid('proc')
    .addSink(o.checkpointMs ? new TwoPhaseCommitSink<string>() : new NonTransactionalSink<string>())
    .uid('sink');
  return env.getJobGraph('Watermarks');
}

function run(j: JobGraph, until: number, seed = 3) {
  const events: TraceEvent[] = [];
  const cluster = new MiniCluster(j, { seed, trace: (e) => events.push(e) });
  cluster.runUntil(until);
  return { cluster, events };
}

function wmOf(events: readonly TraceEvent[], task: string): Ev<'watermark-advanced'>[] {
  return ofType(events, 'watermark-advanced').filter((e) => e.task === task);
}

function partition(
  n: number,
  ts: (i: number) => number,
  key: (i: number) => string = (i) => (i % 2 === 0 ? 'a' : 'b'),
) {
  return Array.from({ length: n }, (_, i): LogRecord<Rec> => ({
    value: { k: key(i), ts: ts(i) },
    timestamp: ts(i),
  }));
}

describe('watermark generation at the source (bounded out-of-orderness)', () => {
  it('watermark = max timestamp seen - bound - 1, emitted every autoWatermarkIntervalMs', () => {
    // One record every 2 ms with ts = 10 i (i < 100: 200 ms of data), bound 15, interval 50 ms.
    const strategy = WatermarkStrategies.forBoundedOutOfOrderness(15).withAutoWatermarkInterval(50);
    expect(strategy.boundMs).toBe(15);
    expect(strategy.autoWatermarkIntervalMs).toBe(50);
    const { events } = run(
      job([{ uid: 'src', partitions: [partition(100, (i) => i * 10)], emitMs: 2, strategy }]),
      1000,
    );
    const sent = ofType(events, 'record-sent').filter((e) => e.channel.startsWith('src#0'));
    const wms = wmOf(events, 'proc#0');
    expect(wms.length).toBeGreaterThanOrEqual(4);
    for (const e of wms) {
      // Generated at a tick k * 50 ms, arriving 3 ms (the channel latency) later.
      const tick = Math.round((e.t - 3) / 50) * 50;
      expect(e.t - tick).toBeGreaterThanOrEqual(3);
      expect(e.t - tick).toBeLessThan(3.5);
      // The max timestamp among the records the source had emitted by the tick.
      // (a record emitted at the tick's own time comes after it: control events run first)
      const maxTs = Math.max(...sent.filter((s) => s.t < tick).map((s) => (s.value as Rec).ts));
      expect(e.watermark).toBe(maxTs - 15 - 1);
    }
    // Strictly increasing, and the last one covers the whole input: 990 - 15 - 1.
    for (let i = 1; i < wms.length; i++) expect(wms[i].watermark).toBeGreaterThan(wms[i - 1].watermark);
    expect(wms[wms.length - 1].watermark).toBe(974);
    // No new watermark is sent while the max timestamp does not change (nothing after the data ends).
    expect(wms[wms.length - 1].t).toBeLessThan(260);
  });

  it('the default watermark interval is 200 ms (Flink: pipeline.auto-watermark-interval)', () => {
    const strategy = WatermarkStrategies.forBoundedOutOfOrderness(0);
    expect(strategy.autoWatermarkIntervalMs).toBe(200);
    expect(strategy.idlenessMs).toBeNull();
    const { events } = run(
      job([{ uid: 'src', partitions: [partition(300, (i) => i)], emitMs: 2, strategy }]),
      1000,
    );
    const ticks = wmOf(events, 'proc#0').map((e) => Math.round(e.t - 3));
    expect(ticks).toEqual([200, 400, 600]);
  });

  it('rejects a negative bound, a non-positive idleness timeout and interval', () => {
    expect(() => WatermarkStrategies.forBoundedOutOfOrderness(-1)).toThrow(/bound/);
    expect(() => WatermarkStrategies.forBoundedOutOfOrderness(0).withIdleness(0)).toThrow(/idleness/);
    expect(() => WatermarkStrategies.forBoundedOutOfOrderness(0).withAutoWatermarkInterval(0)).toThrow(
      /interval/,
    );
    expect(WatermarkStrategies.forMonotonousTimestamps().boundMs).toBe(0);
  });
});

describe('watermark propagation', () => {
  it("an operator's watermark is the minimum over its input channels (the slower partition holds it back)", () => {
    // Partition 1 is 5 s of event time ahead of partition 0.
    const strategy = WatermarkStrategies.forBoundedOutOfOrderness(5).withAutoWatermarkInterval(25);
    const slow = partition(100, (i) => i * 10);
    const fast = partition(100, (i) => 5000 + i * 10);
    const { events } = run(
      job([{ uid: 'src', partitions: [slow, fast], emitMs: 2, strategy }], { p: 2 }),
      1000,
    );
    const slowTs = new Set(slow.map((r) => r.timestamp));
    for (const task of ['proc#0', 'proc#1']) {
      const wms = wmOf(events, task);
      expect(wms.length).toBeGreaterThan(3);
      // Every value comes from the slow partition; the fast one never wins.
      for (const e of wms) {
        expect(slowTs.has(e.watermark + 5 + 1)).toBe(true);
        expect(e.watermark).toBeLessThan(5000);
      }
      expect(wms[wms.length - 1].watermark).toBe(990 - 5 - 1);
    }
  });

  it('a watermark never goes back, per task (the valve only moves forward)', () => {
    const strategy = WatermarkStrategies.forBoundedOutOfOrderness(20).withAutoWatermarkInterval(10);
    // Out-of-order input (within the bound) over four partitions and three source subtasks.
    const parts = [0, 1, 2, 3].map((p) => partition(80, (i) => i * 10 + ((i * 7 + p * 3) % 15)));
    const { events } = run(
      job([{ uid: 'src', partitions: parts, parallelism: 3, emitMs: 1, strategy }], { p: 3 }),
      2000,
    );
    const byTask = new Map<string, number>();
    let n = 0;
    for (const e of ofType(events, 'watermark-advanced')) {
      const before = byTask.get(e.task) ?? -Infinity;
      expect(e.watermark).toBeGreaterThan(before);
      byTask.set(e.task, e.watermark);
      n++;
    }
    expect(n).toBeGreaterThan(10);
  });

  it('event-time timers of every key fire once the watermark passes them; none is late with an adequate bound', () => {
    const strategy = WatermarkStrategies.forBoundedOutOfOrderness(20).withAutoWatermarkInterval(10);
    const parts = [0, 1].map((p) =>
      partition(
        60,
        (i) => i * 10 + ((i * 7 + p * 3) % 15),
        (i) => `k${(i + p) % 5}`,
      ),
    );
    const { cluster, events } = run(job([{ uid: 'src', partitions: parts, strategy }], { p: 2 }), 2000);
    const final = Math.min(...parts.map((p) => Math.max(...p.map((r) => r.timestamp)))) - 20 - 1;
    const expected = parts
      .flat()
      .filter((r) => r.timestamp <= final)
      .map((r) => `${r.value.k}@${r.timestamp}`);
    expect([...new Set(cluster.external.committedValues('sink') as string[])].sort()).toEqual(
      [...new Set(expected)].sort(),
    );
    for (const e of ofType(events, 'timer-fired')) expect(e.domain).toBe('EVENT_TIME');
  });
});

describe('idle sources', () => {
  const data = () => partition(200, (i) => i * 10); // 200 records, one every 5 ms: 1 s of data

  it('a source subtask without data holds event time back: the watermark does not advance', () => {
    const strategy = WatermarkStrategies.forBoundedOutOfOrderness(0).withAutoWatermarkInterval(50);
    const { cluster, events } = run(
      job([{ uid: 'src', partitions: [data(), []], emitMs: 5, strategy }]),
      2000,
    );
    expect(wmOf(events, 'proc#0')).toHaveLength(0);
    expect(ofType(events, 'source-idle')).toHaveLength(0);
    expect(ofType(events, 'timer-fired')).toHaveLength(0);
    expect(cluster.external.committedValues('sink')).toEqual([]);
  });

  it('withIdleness: the empty source is marked idle (source-idle), left out of the minimum, and the watermark advances', () => {
    const strategy = WatermarkStrategies.forBoundedOutOfOrderness(0)
      .withAutoWatermarkInterval(50)
      .withIdleness(100);
    expect(strategy.idlenessMs).toBe(100);
    const { cluster, events } = run(
      job([{ uid: 'src', partitions: [data(), []], emitMs: 5, strategy }]),
      2000,
    );
    const idle = ofType(events, 'source-idle');
    const src1 = idle.filter((e) => e.task === 'src#1');
    expect(src1.length).toBeGreaterThanOrEqual(1);
    expect(src1[0].idle).toBe(true);
    expect(src1[0].t).toBeGreaterThanOrEqual(100);
    expect(src1[0].t).toBeLessThanOrEqual(150);
    // src#0 is active while it has data: not idle before its last record (t ≈ 1000).
    expect(idle.filter((e) => e.task === 'src#0' && e.idle && e.t < 1000)).toEqual([]);
    const wms = wmOf(events, 'proc#0');
    expect(wms.length).toBeGreaterThan(5);
    expect(wms[0].t).toBeGreaterThan(src1[0].t);
    expect(wms[wms.length - 1].watermark).toBe(1990 - 1);
    // every timer up to the final watermark 1989 fired: 199 of the 200 records' timestamps
    expect((cluster.external.committedValues('sink') as string[]).length).toBe(199);
  });

  it('an idle source becomes active again with its next record and holds the watermark back again', () => {
    // src#1 has no data and goes idle; at t = 500 a record (ts 900) is appended to its partition.
    const strategy = WatermarkStrategies.forBoundedOutOfOrderness(0)
      .withAutoWatermarkInterval(50)
      .withIdleness(100);
    const log = new ReplayableLog<Rec>('in', [data(), []]);
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setCostModel({ channelLatencyMinMs: 3, channelLatencyMaxMs: 3 });
    env
      .fromSource(log, 'Source: in', 5, strategy)
      .uid('src')
      .setParallelism(2)
      .keyBy((r: Rec) => r.k)
      .process<string>(timerAtTimestamp)
      .uid('proc')
      .addSink(new NonTransactionalSink<string>())
      .uid('sink');
    const events: TraceEvent[] = [];
    const cluster = new MiniCluster(env.getJobGraph('Reactivate'), { seed: 2, trace: (e) => events.push(e) });
    cluster.scheduleAction(500, () => log.append(1, { value: { k: 'x', ts: 900 }, timestamp: 900 }));
    cluster.runUntil(2000);
    const src1 = ofType(events, 'source-idle').filter((e) => e.task === 'src#1');
    expect(src1.map((e) => e.idle)).toEqual([true, false, true]);
    const [idleAt, activeAt, idleAgainAt] = src1.map((e) => e.t);
    expect(idleAt).toBeLessThanOrEqual(150);
    // read at the source's next poll of its partitions
    expect(activeAt).toBeGreaterThanOrEqual(500);
    expect(activeAt).toBeLessThan(610);
    expect(idleAgainAt).toBeGreaterThanOrEqual(activeAt + 100);
    const wms = wmOf(events, 'proc#0');
    // Active again, src#1 holds the minimum back (at -inf, then at 899, below the current
    // watermark): the operator's watermark stalls until src#1 is idle again.
    expect(wms.filter((e) => e.t > activeAt + 3 && e.t < idleAgainAt + 3)).toEqual([]);
    expect(wms.filter((e) => e.t > 150 && e.t < activeAt).length).toBeGreaterThan(4);
    expect(wms.filter((e) => e.t > idleAgainAt).length).toBeGreaterThan(4);
    // The appended record was read and its timer (900) fired once the watermark passed it.
    expect(cluster.external.committedValues('sink')).toContain('x@900');
  });

  it('a source whose records are further apart than the idleness timeout is idle between them', () => {
    // Flink marks a split idle after `idleness` without records. A source with emitIntervalMs 300
    // (one record every 300 ms, the first at 0) and idleness 100 ms is idle in (100, 300), (400, 600), ...
    const idleness = WatermarkStrategies.forBoundedOutOfOrderness(0)
      .withAutoWatermarkInterval(20)
      .withIdleness(100);
    const fast = partition(
      600,
      (i) => i * 2,
      () => 'f',
    );
    const slow = partition(
      3,
      (i) => (i + 1) * 300 - 250,
      () => 's',
    );
    const { events } = run(
      job([
        { uid: 'fast', partitions: [fast], emitMs: 2, strategy: idleness },
        { uid: 'slow', partitions: [slow], emitMs: 300, strategy: idleness },
      ]),
      1300,
    );
    const slowRecords = ofType(events, 'record-sent').filter((e) => e.channel.startsWith('slow#0'));
    expect(slowRecords.map((e) => Math.round(e.t))).toEqual([0, 300, 600]);
    const slowIdle = ofType(events, 'source-idle').filter((e) => e.task === 'slow#0');
    expect(slowIdle.filter((e) => e.idle && e.t < 300)).toHaveLength(1);
  });

  it("when the last active input goes idle, the max watermark over all channels is flushed (Flink's StatusWatermarkValve)", () => {
    // StatusWatermarkValve.inputWatermarkStatus: when every input channel is idle "we should flush
    // all watermarks across all channels; effectively, this means emitting the max watermark across
    // all channels as the new watermark" (findAndOutputMaxWatermarkAcrossAllChannels).
    // Source A (data ts 0..190, read by t = 20) sends watermark 189 at t = 50 and goes idle at 150;
    // source B (no data) stays active, holding the minimum at -inf, until it goes idle at t = 200.
    // Then every input is idle and 189 is flushed: the timers up to 189 fire.
    const a = WatermarkStrategies.forBoundedOutOfOrderness(0).withAutoWatermarkInterval(50).withIdleness(120);
    const b = WatermarkStrategies.forBoundedOutOfOrderness(0).withAutoWatermarkInterval(50).withIdleness(200);
    const { cluster, events } = run(
      job([
        { uid: 'a', partitions: [partition(20, (i) => i * 10)], emitMs: 1, strategy: a },
        { uid: 'b', partitions: [[]], strategy: b },
      ]),
      1000,
    );
    const idle = ofType(events, 'source-idle').map((e) => `${e.task}:${e.idle}@${e.t}`);
    expect(idle).toEqual(['a#0:true@150', 'b#0:true@200']);
    const wms = wmOf(events, 'proc#0');
    expect(wms.map((e) => e.watermark)).toEqual([189]);
    expect(wms[0].t).toBeGreaterThan(200);
    // ts 0..180 are <= 189; the timer at 190 stays pending
    expect((cluster.external.committedValues('sink') as string[]).length).toBe(19);
  });

  it('records appended to the log while the job runs are read: the source polls its partitions, an idle one wakes up', () => {
    // ReplayableLog is "Kafka-like": a producer may append at any time (ReplayableLog.append). A
    // source subtask at the end of its partitions polls again later, as a Kafka consumer does.
    const strategy = WatermarkStrategies.forBoundedOutOfOrderness(0)
      .withAutoWatermarkInterval(50)
      .withIdleness(100);
    const log = new ReplayableLog<Rec>('in', [partition(10, (i) => i * 10), []]);
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
    env
      .fromSource(log, 'Source: in', 1, strategy)
      .uid('src')
      .keyBy((r: Rec) => r.k)
      .process<string>(timerAtTimestamp)
      .uid('proc')
      .addSink(new NonTransactionalSink<string>())
      .uid('sink');
    const events: TraceEvent[] = [];
    const cluster = new MiniCluster(env.getJobGraph('Append'), { seed: 1, trace: (e) => events.push(e) });
    cluster.runUntil(400);
    expect(ofType(events, 'source-idle').filter((e) => e.task === 'src#1' && e.idle)).toHaveLength(1);
    cluster.scheduleAction(500, () => {
      log.append(1, { value: { k: 'late', ts: 2000 }, timestamp: 2000 });
      log.append(0, { value: { k: 'late', ts: 2000 }, timestamp: 2000 });
    });
    cluster.runUntil(1500);
    const sentAfter = ofType(events, 'record-sent').filter((e) => e.t >= 500 && e.channel.startsWith('src#'));
    expect(sentAfter.map((e) => e.channel.split('->')[0]).sort()).toEqual(['src#0', 'src#1']);
    for (const e of sentAfter) expect(e.t).toBeLessThan(700);
    const reactivated = ofType(events, 'source-idle').filter((e) => e.task === 'src#1' && !e.idle);
    expect(reactivated).toHaveLength(1);
    expect(reactivated[0].t).toBeGreaterThanOrEqual(500);
  });
});

describe('event time and the end of the input', () => {
  it('runToCompletion waits until the sources sent their final watermark and the timers it fires are committed', () => {
    // 50 records (ts 0..490) are read by t = 50; the first watermark tick is at t = 200. The job is
    // finished only once the final watermark 490 - 5 - 1 = 484 reached the operator, the timers
    // 99..399 fired and a checkpoint after them committed their output. (The timer at 499 stays
    // pending: the source is unbounded, no later watermark comes.)
    const strategy = WatermarkStrategies.forBoundedOutOfOrderness(5);
    const part = partition(50, (i) => i * 10);
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.enableCheckpointing(50).setStateBackend(new FsStateBackend());
    env
      .fromSource(new ReplayableLog<Rec>('in', [part]), 'Source: in', 1, strategy)
      .uid('src')
      .keyBy(() => 'all')
      .process<string>({
        processElement(r: Rec, ctx: KeyedProcessContext<string>) {
          ctx.timerService().registerEventTimeTimer(Math.floor(r.ts / 100) * 100 + 99);
        },
        onTimer(ts: number, _ctx: OnTimerContext<string>, out: Collector<string>) {
          out.collect(`window ending ${ts}`);
        },
      })
      .uid('proc')
      .addSink(new TwoPhaseCommitSink<string>())
      .uid('sink');
    const cluster = new MiniCluster(env.getJobGraph('EndOfInput'), { seed: 1 });
    cluster.runToCompletion();
    expect(cluster.external.committedValues('sink')).toEqual([
      'window ending 99',
      'window ending 199',
      'window ending 299',
      'window ending 399',
    ]);
  });
});

describe('per-split watermarks (FLIP-27 SourceOperator: one generator per split, the minimum is emitted)', () => {
  /** Emits `late:<ts>` for a record at or behind the task's watermark, `ok:<ts>` otherwise. */
  const lateness = {
    processElement(r: Rec, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
      out.collect(`${r.ts <= ctx.timerService().currentWatermark() ? 'late' : 'ok'}:${r.ts}`);
    },
  };

  /** One source subtask over `partitions` (bounded or not) → keyBy → lateness → sink. */
  function splitJob(partitions: LogRecord<Rec>[][], strategy: WatermarkStrategy, bounded = false): JobGraph {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
    env.setCostModel({ channelLatencyMinMs: 3, channelLatencyMaxMs: 3 });
    const log = new ReplayableLog<Rec>('t', partitions);
    const source = bounded
      ? env.fromSource(
          KafkaSource.builder<Rec>().setLog(log).setBounded(OffsetsInitializer.latest()).build(),
          'Source: t',
          1,
          strategy,
        )
      : env.fromSource(log, 'Source: t', 1, strategy);
    source
      .uid('src')
      .keyBy((r: Rec) => r.k)
      .process<string>(lateness)
      .uid('proc')
      .addSink(new NonTransactionalSink<string>())
      .uid('sink');
    return env.getJobGraph('Splits');
  }

  const written = (events: readonly TraceEvent[]) =>
    ofType(events, 'sink-written').map((e) => e.value as string);

  it('a subtask reading a slow and a fast partition emits the slow one’s watermark: none of its records is late', () => {
    // Partition 1 is 500 ms of event time ahead of partition 0; both are in order, read round-robin.
    const strategy = WatermarkStrategies.forBoundedOutOfOrderness(5).withAutoWatermarkInterval(10);
    const { events } = run(
      splitJob([partition(60, (i) => i * 10), partition(60, (i) => 500 + i * 10)], strategy),
      1000,
    );
    const out = written(events);
    expect(out).toHaveLength(120);
    expect(out.filter((o) => o.startsWith('late'))).toEqual([]);
    // The watermark follows partition 0 while it has records: far below partition 1's timestamps.
    const wms = wmOf(events, 'proc#0').map((e) => e.watermark);
    expect(wms.length).toBeGreaterThan(3);
    expect(wms.filter((w) => w >= 500 && w < 590 - 5)).not.toEqual([]);
  });

  it('no watermark until every split has a record (a new split’s generator starts at Long.MIN_VALUE)', () => {
    const strategy = WatermarkStrategies.forBoundedOutOfOrderness(0).withAutoWatermarkInterval(10);
    // Partition 1 has no record (an unbounded topic): without idleness it holds the watermark back.
    const { events } = run(splitJob([partition(50, (i) => i * 10), []], strategy), 300);
    expect(written(events)).toHaveLength(50);
    expect(wmOf(events, 'proc#0')).toEqual([]);
  });

  it('withIdleness: the empty split goes idle alone and the other split’s watermark goes out', () => {
    const strategy = WatermarkStrategies.forBoundedOutOfOrderness(0)
      .withAutoWatermarkInterval(10)
      .withIdleness(30);
    const { events } = run(splitJob([partition(50, (i) => i * 10), []], strategy), 300);
    const wms = wmOf(events, 'proc#0').map((e) => e.watermark);
    expect(wms.length).toBeGreaterThan(0);
    expect(wms[wms.length - 1]).toBe(490 - 1);
    // The subtask itself stayed active while partition 0 had records.
    const idleAt = ofType(events, 'source-idle').find((e) => e.idle)?.t ?? Infinity;
    expect(idleAt).toBeGreaterThan(50);
  });

  it('a bounded split that ends is released: it no longer holds the other split’s watermark back', () => {
    const strategy = WatermarkStrategies.forBoundedOutOfOrderness(0).withAutoWatermarkInterval(10);
    // Partition 0 ends after 5 records (ts ≤ 40); partition 1 goes on to ts 990.
    const { events } = run(
      splitJob([partition(5, (i) => i * 10), partition(100, (i) => i * 10)], strategy, true),
      150,
    );
    const wms = wmOf(events, 'proc#0').map((e) => e.watermark);
    expect(wms[wms.length - 1]).toBeGreaterThan(100);
    expect(written(events).filter((o) => o.startsWith('late'))).toEqual([]);
  });
});

describe('sessions: per-split watermarks make the result independent of parallelism and seed', () => {
  it('at -p 1, 2 and 4, for several seeds, exactly the brute-force number of sessions is committed', () => {
    for (const p of [1, 2, 4])
      for (const seed of [1, 2, 7]) {
        const sim = new Simulation(getScenario('sessions').build({ parallelism: p }), {
          seed,
          fastForward: true,
        });
        sim.run();
        expect(sim.cluster.jobStatus, `p=${p} seed=${seed}`).toBe('FINISHED');
        expect(sim.external.committedValues('sessions'), `p=${p} seed=${seed}`).toHaveLength(
          EXPECTED_SESSIONS,
        );
      }
  });
});
