/**
 * Two-input operators as a Flink user checks them: `connect` with CoMap / CoProcess /
 * KeyedCoProcess (keyed state shared by both inputs, timers), the task's watermark is the minimum of
 * both inputs' watermarks, each input's end reaches the operator (`endInput(1|2)`), and checkpoints
 * align across the channels of both inputs in every mode.
 */
import { describe, expect, it } from 'vitest';
import {
  CHECKPOINTING_MODES,
  ExternalSystem,
  MiniCluster,
  ReplayableLog,
  RestartStrategies,
  StreamExecutionEnvironment,
  TwoPhaseCommitSink,
  NonTransactionalSink,
  MapStateDescriptor,
  OutputTag,
  ValueStateDescriptor,
  Types,
  type Collector,
  type CoMapFunction,
  type JobGraph,
  type KeyedCoProcessContext,
  type KeyedCoProcessFunction,
  type KeyedCoProcessOnTimerContext,
  type LogRecord,
  type RuntimeContext,
  type TraceEvent,
  type ValueState,
} from '../../src/engine/index';
import { WatermarkStrategies } from '../../src/engine/time/WatermarkStrategy';
import { ofType } from './helpers';

interface Order {
  user: string;
  amount: number;
}
interface Payment {
  user: string;
  paid: number;
}

const order = (user: string, amount: number, ts: number): LogRecord<Order> => ({
  value: { user, amount },
  timestamp: ts,
});
const payment = (user: string, paid: number, ts: number): LogRecord<Payment> => ({
  value: { user, paid },
  timestamp: ts,
});

/** Keeps the open balance per user in one ValueState both inputs update; event-time timer reports it. */
class Balance implements KeyedCoProcessFunction<string, Order, Payment, string> {
  private balance!: ValueState<number>;
  open(ctx: RuntimeContext): void {
    this.balance = ctx.getState(new ValueStateDescriptor('balance', Types.INT));
  }
  processElement1(o: Order, ctx: KeyedCoProcessContext<string>): void {
    this.balance.update((this.balance.value() ?? 0) + o.amount);
    ctx.timerService().registerEventTimeTimer(1000);
  }
  processElement2(p: Payment, ctx: KeyedCoProcessContext<string>): void {
    this.balance.update((this.balance.value() ?? 0) - p.paid);
    ctx.timerService().registerEventTimeTimer(1000);
  }
  onTimer(ts: number, ctx: KeyedCoProcessOnTimerContext<string>, out: Collector<string>): void {
    out.collect(`${ctx.getCurrentKey()} owes ${this.balance.value()} at ${ts} (${ctx.timeDomain()})`);
  }
}

function balanceJob(
  opts: { parallelism?: number; checkpointMs?: number; mode?: (typeof CHECKPOINTING_MODES)[number] } = {},
): JobGraph {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(opts.parallelism ?? 2);
  if (opts.checkpointMs) env.enableCheckpointing(opts.checkpointMs, opts.mode ?? 'exactly-once');
  env.setRestartStrategy(RestartStrategies.fixedDelayRestart(5, 10));
  const wm = WatermarkStrategies.forBoundedOutOfOrderness(0);
  const orders = env
    .fromSource(
      new ReplayableLog('orders', [
        [order('ann', 10, 1), order('bob', 5, 2), order('ann', 7, 3)],
        [order('cid', 4, 1), order('bob', 1, 5)],
      ]),
      'Source: orders',
      5,
      wm,
    )
    .uid('orders');
  const payments = env
    .fromSource(
      new ReplayableLog('payments', [[payment('ann', 12, 2), payment('bob', 6, 4), payment('cid', 4, 6)]]),
      'Source: payments',
      7,
      wm,
    )
    .uid('payments')
    .setParallelism(1);
  orders
    .connect(payments)
    .keyBy(
      (o: Order) => o.user,
      (p: Payment) => p.user,
    )
    .process(new Balance())
    .uid('balance')
    .addSink(new TwoPhaseCommitSink<string>())
    .uid('sink');
  env.setLogSourcesBounded(true);
  return env.getJobGraph('Balance');
}

function finish(job: JobGraph, seed = 3) {
  const external = new ExternalSystem();
  const events: TraceEvent[] = [];
  const cluster = new MiniCluster(job, { seed, external, trace: (e) => events.push(e) });
  cluster.runToCompletion();
  return { cluster, external, events };
}

describe('connect + KeyedCoProcessFunction', () => {
  it('both inputs of a key meet in one subtask and share its keyed state; the event-time timer fires at the end of input', () => {
    const { cluster, external } = finish(balanceJob({ checkpointMs: 50 }));
    expect(cluster.isFinished()).toBe(true);
    expect(cluster.keyedStateByOperator().balance.balance).toEqual({ ann: 5, bob: 0, cid: 0 });
    const rows = external
      .table('sink', 'two-phase-commit')
      .committed.map((r) => r.value)
      .sort();
    expect(rows).toEqual([
      'ann owes 5 at 1000 (EVENT_TIME)',
      'bob owes 0 at 1000 (EVENT_TIME)',
      'cid owes 0 at 1000 (EVENT_TIME)',
    ]);
  });

  it('the job graph has one vertex with two inputs: typeNumber 1 (orders, hash) and 2 (payments, hash)', () => {
    const job = balanceJob();
    const v = job.vertices.find((x) => x.uid === 'balance')!;
    expect(v.name).toBe('Co-Keyed-Process');
    expect(v.inputs.map((e) => [e.source.uid, e.partitioner, e.typeNumber])).toEqual([
      ['orders', 'hash', 1],
      ['payments', 'hash', 2],
    ]);
  });
});

describe('connect + CoMapFunction (non-keyed)', () => {
  it('map1 gets the first input, map2 the second', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
    const fn: CoMapFunction<number, string, string> = { map1: (n) => `n:${n}`, map2: (s) => `s:${s}` };
    env
      .fromData(1, 2)
      .connect(env.fromData('x'))
      .map(fn)
      .uid('co')
      .addSink(new NonTransactionalSink<string>())
      .uid('sink');
    const { external } = finish(env.getJobGraph('CoMap'));
    expect(
      external
        .table('sink', 'non-transactional')
        .committed.map((r) => r.value)
        .sort(),
    ).toEqual(['n:1', 'n:2', 's:x']);
  });
});

/** left (fast event time) and right (slow: one record every 8 ms, event time 0..90) into one CoFlatMap; watermarks from both sources. */
function watermarkJob(
  opts: { rightIdleAfter?: number; mode?: (typeof CHECKPOINTING_MODES)[number] } = {},
): JobGraph {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  env.enableCheckpointing(15, opts.mode ?? 'exactly-once');
  const left = new ReplayableLog<number>('left', [
    Array.from({ length: 100 }, (_, i) => ({ value: i, timestamp: 1000 + i * 10 })),
  ]);
  const right = new ReplayableLog<number>('right', [
    Array.from({ length: 10 }, (_, i) => ({ value: i, timestamp: i * 10 })),
  ]);
  const wm = WatermarkStrategies.forBoundedOutOfOrderness(0).withAutoWatermarkInterval(5);
  const rightWm = opts.rightIdleAfter
    ? WatermarkStrategies.forBoundedOutOfOrderness(0)
        .withAutoWatermarkInterval(5)
        .withIdleness(opts.rightIdleAfter)
    : wm;
  env
    .fromSource(left, 'Source: left', 1, wm)
    .uid('left')
    .connect(env.fromSource(right, 'Source: right', 8, rightWm).uid('right'))
    .flatMap<number>({ flatMap1: (v, out) => out.collect(v), flatMap2: (v, out) => out.collect(v) })
    .uid('co')
    .addSink(new NonTransactionalSink<number>())
    .uid('sink');
  return env.getJobGraph('Watermarks');
}

describe('two-input watermarks (StatusWatermarkValve per input, combined as AbstractStreamOperator.processWatermark1/2)', () => {
  it("the task's watermark is the minimum of both inputs': the slow right input holds it back", () => {
    const events: TraceEvent[] = [];
    const cluster = new MiniCluster(watermarkJob(), { seed: 1, trace: (e) => events.push(e) });
    cluster.runUntil(60);
    const co = ofType(events, 'watermark-advanced').filter((e) => e.task === 'co#0');
    expect(co.length).toBeGreaterThan(0);
    // Right's records carry 0..90: the combined watermark stays below 100 although left is past 1000.
    for (const e of co) expect(e.watermark).toBeLessThan(100);
    expect(cluster.getTask('co#0').inputWatermarks[0]).toBeGreaterThan(1000);
    expect(cluster.getTask('co#0').currentWatermark).toBe(cluster.getTask('co#0').inputWatermarks[1]);
  });

  it('an idle input is left out: the watermark follows the other input (IndexedCombinedWatermarkStatus)', () => {
    const cluster = new MiniCluster(watermarkJob({ rightIdleAfter: 20 }), { seed: 1 });
    cluster.runUntil(60);
    // While right sends records, it holds the watermark back; 20 ms after its last record it is idle.
    expect(cluster.getTask('co#0').currentWatermark).toBeLessThan(100);
    cluster.runUntil(150);
    const task = cluster.getTask('co#0');
    expect(task.inputIdle[1]).toBe(true);
    expect(task.currentWatermark).toBeGreaterThan(1000);
    expect(task.currentWatermark).toBe(task.inputWatermarks[0]);
  });

  it('each input ends on its own: endInput(2) when the right source finishes, endInput(1) later (FLIP-147 BoundedMultiInput)', () => {
    const job = watermarkJob();
    env_bound(job);
    const events: TraceEvent[] = [];
    const cluster = new MiniCluster(job, { seed: 1, trace: (e) => events.push(e) });
    const ended: Array<[number, number]> = [];
    cluster.runUntil(1);
    const op = cluster.getTask('co#0').operator;
    const original = op.endInput.bind(op);
    op.endInput = (i) => {
      ended.push([i, cluster.now]);
      original(i);
    };
    cluster.runToCompletion();
    expect(cluster.isFinished()).toBe(true);
    expect(ended.map(([i]) => i)).toEqual([2, 1]);
    const endOfInput = ofType(events, 'end-of-input').find((e) => e.task === 'co#0')!;
    expect(ended[1][1]).toBeLessThanOrEqual(endOfInput.t + 1e-9);
  });
});

/** Makes the job's log sources bounded (as env.setLogSourcesBounded would before getJobGraph). */
function env_bound(job: JobGraph): void {
  for (const v of job.vertices) if (v.spec.kind === 'source') v.spec.bounded = true;
}

describe('barrier alignment across both inputs', () => {
  it("exactly-once: the input whose barrier came first is blocked until the other input's barrier arrives; one snapshot per checkpoint", () => {
    const events: TraceEvent[] = [];
    const job = watermarkJob();
    env_bound(job);
    const cluster = new MiniCluster(job, { seed: 5, trace: (e) => events.push(e) });
    cluster.runToCompletion();
    // Whichever input's barrier comes first, its channel waits for the other input's barrier.
    const blocked = ofType(events, 'channel-blocked').filter((e) => e.task === 'co#0');
    expect(blocked.length).toBeGreaterThan(2);
    const received = ofType(events, 'barrier-received').filter((e) => e.task === 'co#0');
    const completed = ofType(events, 'alignment-completed').filter((e) => e.task === 'co#0');
    for (const b of blocked) {
      const other = b.channel === 'right#0->co#0' ? 'left#0->co#0' : 'right#0->co#0';
      const otherBarrier = received.find((r) => r.checkpointId === b.checkpointId && r.channel === other);
      const done = completed.find((c) => c.checkpointId === b.checkpointId);
      expect(otherBarrier && done).toBeTruthy();
      expect(done!.t).toBeGreaterThanOrEqual(otherBarrier!.t);
      expect(done!.alignmentMs).toBeCloseTo(otherBarrier!.t - b.t, 6);
      // Nothing of the blocked channel was processed during alignment.
      const processed = ofType(events, 'record-processed').filter(
        (r) => r.channel === b.channel && r.t > b.t && r.t < otherBarrier!.t,
      );
      expect(processed).toEqual([]);
    }
    const snapshots = ofType(events, 'snapshot-taken').filter((e) => e.task === 'co#0');
    expect(new Set(snapshots.map((s) => s.checkpointId)).size).toBe(snapshots.length);
  });

  it.each(CHECKPOINTING_MODES)(
    '%s: barriers from both inputs are received and every checkpoint completes with the two-input task',
    (mode) => {
      const events: TraceEvent[] = [];
      const job = watermarkJob({ mode });
      env_bound(job);
      const cluster = new MiniCluster(job, { seed: 5, trace: (e) => events.push(e) });
      cluster.runToCompletion();
      expect(cluster.isFinished()).toBe(true);
      const completed = ofType(events, 'checkpoint-completed');
      expect(completed.length).toBeGreaterThan(0);
      for (const c of completed) expect(c.stats.subtasks.some((s) => s.taskId === 'co#0')).toBe(true);
      if (mode !== 'stop-the-world') {
        const received = ofType(events, 'barrier-received').filter((e) => e.task === 'co#0');
        expect(received.some((e) => e.channel.startsWith('left#0->'))).toBe(true);
        expect(received.some((e) => e.channel.startsWith('right#0->'))).toBe(true);
      }
    },
  );
});

describe('non-keyed two-input operators', () => {
  it("a CoProcessFunction on non-keyed streams cannot set timers (Flink's message); the task fails", () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
    env
      .fromData(1)
      .connect(env.fromData('x'))
      .process<string>({
        processElement1(_v, ctx) {
          ctx.timerService().registerEventTimeTimer(5);
        },
        processElement2() {},
      })
      .uid('co')
      .print();
    const cluster = new MiniCluster(env.getJobGraph(), { seed: 1 });
    cluster.runUntil(50);
    expect(JSON.stringify(cluster.failures[0]?.reason)).toMatch(
      /Setting timers is only supported on a keyed streams/,
    );
  });

  it('process(ProcessFunction) on a non-keyed stream sees each record with its timestamp', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
    env
      .fromData('a', 'b')
      .process<string>({
        processElement(v, ctx, out) {
          out.collect(`${v}@${ctx.timestamp()}`);
        },
      })
      .uid('p')
      .addSink(new NonTransactionalSink<string>())
      .uid('sink');
    const job = env.getJobGraph();
    expect(job.vertices.find((v) => v.uid === 'p')?.spec.kind).toBe('nonKeyedProcess');
    const { external } = finish(job);
    expect(external.committedValues('sink')).toHaveLength(2);
  });
});

describe('side outputs from the two-input process functions (ctx.output)', () => {
  it('KeyedCoProcessFunction, BroadcastProcessFunction, ProcessJoinFunction and ProcessFunction emit to getSideOutput(tag)', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
    const tag = new OutputTag<string>('side');
    const a = env.fromData(1, 2);
    const b = env.fromData(10);
    const keyed = a
      .connect(b)
      .keyBy(
        (n: number) => n % 2,
        (n: number) => n % 2,
      )
      .process<number>({
        processElement1(v, ctx, out) {
          ctx.output(tag, `co1:${v}`);
          out.collect(v);
        },
        processElement2(v, ctx) {
          ctx.output(tag, `co2:${v}`);
        },
      })
      .uid('co');
    const rules = new MapStateDescriptor<string, number>('r', Types.STRING, Types.INT);
    const bc = a
      .connect(b.broadcast(rules))
      .process<number>({
        processElement(v, ctx) {
          ctx.output(tag, `bc:${v}`);
        },
        processBroadcastElement(v, ctx) {
          ctx.output(tag, `bc-rule:${v}`);
        },
      })
      .uid('bc');
    const proc = a
      .process<number>({
        processElement(v, ctx) {
          ctx.output(tag, `p:${v}`);
        },
      })
      .uid('p');
    const side = keyed.getSideOutput(tag).union(bc.getSideOutput(tag), proc.getSideOutput(tag));
    side.addSink(new NonTransactionalSink<string>()).uid('sink');
    keyed.addSink(new NonTransactionalSink<number>()).uid('main');
    const { external } = finish(env.getJobGraph('Side'));
    expect((external.committedValues('sink') as string[]).sort()).toEqual(
      ['bc-rule:10', 'bc:1', 'bc:2', 'co1:1', 'co1:2', 'co2:10', 'p:1', 'p:2'].sort(),
    );
    expect((external.committedValues('main') as number[]).sort()).toEqual([1, 2]);
  });
});
