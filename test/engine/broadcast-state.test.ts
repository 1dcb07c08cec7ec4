/**
 * The broadcast state pattern as Flink's CoBroadcastWithKeyedOperatorTest /
 * CoBroadcastWithNonKeyedOperatorTest check it: the broadcast side writes the broadcast state on every
 * subtask, the other side reads it (read-only: no `put`), `applyToKeyedState` visits every key of the
 * subtask, an unregistered descriptor is refused, and a restore gives new subtask i old subtask
 * i mod oldParallelism's map (RoundRobinOperatorStateRepartitioner.repartitionBroadcastState) —
 * scaling up and down.
 */
import { describe, expect, it } from 'vitest';
import {
  DurableCheckpointStorage,
  ExternalSystem,
  FsStateBackend,
  MapStateDescriptor,
  MiniCluster,
  NonTransactionalSink,
  ReplayableLog,
  StreamExecutionEnvironment,
  Types,
  ValueStateDescriptor,
  type BroadcastContext,
  type BroadcastProcessFunction,
  type BroadcastReadOnlyContext,
  type Collector,
  type CompletedCheckpoint,
  type JobGraph,
  type KeyedBroadcastContext,
  type KeyedBroadcastProcessFunction,
  type KeyedBroadcastReadOnlyContext,
  type RuntimeContext,
  type ValueState,
} from '../../src/engine/index';
import { redistribute } from '../../src/engine/state/OperatorStateBackend';

interface Login {
  user: string;
  country: string;
}
interface Rule {
  country: string;
  blocked: boolean;
}

const RULES = new MapStateDescriptor<string, boolean>('rules', Types.STRING, Types.BOOLEAN);

/** Flags logins from a blocked country; counts logins per user; a rule also resets every user's count. */
class FraudCheck implements KeyedBroadcastProcessFunction<string, Login, Rule, string> {
  private logins!: ValueState<number>;
  open(ctx: RuntimeContext): void {
    this.logins = ctx.getState(new ValueStateDescriptor('logins', Types.INT));
  }
  processElement(l: Login, ctx: KeyedBroadcastReadOnlyContext<string>, out: Collector<string>): void {
    this.logins.update((this.logins.value() ?? 0) + 1);
    const rules = ctx.getBroadcastState(RULES);
    if (rules.get(l.country) === true) out.collect(`${ctx.getCurrentKey()} from ${l.country}`);
    expect('put' in rules).toBe(false);
  }
  processBroadcastElement(r: Rule, ctx: KeyedBroadcastContext, out: Collector<string>): void {
    ctx.getBroadcastState(RULES).put(r.country, r.blocked);
    ctx.applyToKeyedState(
      new ValueStateDescriptor('logins', Types.INT),
      (user: string, state: ValueState<number>) => {
        out.collect(`reset ${user} (${state.value()})`);
        state.clear();
      },
    );
  }
}

function fraudJob(
  logins: Array<{ value: Login; at: number }>,
  rules: Array<{ value: Rule; at: number }>,
  p = 2,
): JobGraph {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(p);
  const loginLog = new ReplayableLog<Login>('logins', [
    logins.map((l) => ({ value: l.value, timestamp: l.at })),
  ]);
  const ruleLog = new ReplayableLog<Rule>('rules', [rules.map((r) => ({ value: r.value, timestamp: r.at }))]);
  const ruleStream = env
    .fromSource(ruleLog, 'Source: rules', 10)
    .uid('rules')
    .setParallelism(1)
    .broadcast(RULES);
  env
    .fromSource(loginLog, 'Source: logins', 10)
    .uid('logins')
    .setParallelism(1)
    .keyBy((l: Login) => l.user)
    .connect(ruleStream)
    .process(new FraudCheck())
    .uid('fraud')
    .addSink(new NonTransactionalSink<string>())
    .uid('sink');
  env.setLogSourcesBounded(true);
  return env.getJobGraph('Fraud');
}

describe('KeyedBroadcastProcessFunction (CoBroadcastWithKeyedOperator)', () => {
  it('every subtask holds the broadcast rules; the keyed side reads them; applyToKeyedState visits each key of the subtask', () => {
    // Rules arrive first (t=0), logins later; a second rule at t=100 resets the counts.
    const job = fraudJob(
      [
        { value: { user: 'ann', country: 'NZ' }, at: 0 },
        { value: { user: 'bob', country: 'XX' }, at: 1 },
        { value: { user: 'cid', country: 'XX' }, at: 2 },
        { value: { user: 'ann', country: 'XX' }, at: 3 },
      ],
      [
        { value: { country: 'XX', blocked: true }, at: 0 },
        { value: { country: 'NZ', blocked: false }, at: 1 },
      ],
    );
    // Logins start after both rules went out (the rules source emits every 10 ms, the logins source later).
    job.vertices.find((v) => v.uid === 'logins')!.processingTimeMs = 10;
    (job.vertices.find((v) => v.uid === 'logins')!.spec as { emitIntervalMs: number }).emitIntervalMs = 10;
    const external = new ExternalSystem();
    const cluster = new MiniCluster(job, { seed: 2, external });
    cluster.runToCompletion();
    expect(cluster.isFinished()).toBe(true);
    const b = cluster.broadcastStateByOperator().fraud;
    expect(Object.keys(b)).toEqual(['0', '1']);
    for (const i of [0, 1])
      expect(b[i].rules).toEqual([
        ['XX', true],
        ['NZ', false],
      ]);
    const rows = external.committedValues('sink') as string[];
    expect(rows.filter((r) => !r.startsWith('reset')).sort()).toEqual([
      'ann from XX',
      'bob from XX',
      'cid from XX',
    ]);
  });

  it('the broadcast side can reset the keyed state of every key (applyToKeyedState)', () => {
    const job = fraudJob(
      [
        { value: { user: 'ann', country: 'NZ' }, at: 0 },
        { value: { user: 'bob', country: 'NZ' }, at: 1 },
        { value: { user: 'ann', country: 'NZ' }, at: 2 },
      ],
      [
        { value: { country: 'XX', blocked: true }, at: 0 },
        { value: { country: 'YY', blocked: true }, at: 1 },
      ],
    );
    // The first rule comes before any login (nothing to reset), the second long after the logins:
    // it sees ann with 2 logins and bob with 1.
    const rules = job.vertices.find((v) => v.uid === 'rules')!;
    (rules.spec as { emitIntervalMs: number }).emitIntervalMs = 200;
    rules.processingTimeMs = 200;
    const external = new ExternalSystem();
    const cluster = new MiniCluster(job, { seed: 2, external });
    cluster.runToCompletion();
    const rows = (external.committedValues('sink') as string[]).sort();
    expect(rows).toEqual(['reset ann (2)', 'reset bob (1)']);
    expect(cluster.keyedStateByOperator().fraud.logins).toEqual({});
  });

  it('the job graph: input 1 keyed (hash), input 2 broadcast; named as Flink names it', () => {
    const job = fraudJob(
      [{ value: { user: 'a', country: 'NZ' }, at: 0 }],
      [{ value: { country: 'NZ', blocked: true }, at: 0 }],
    );
    const v = job.vertices.find((x) => x.uid === 'fraud')!;
    expect(v.name).toBe('Co-Process-Broadcast-Keyed');
    expect(v.inputs.map((e) => [e.source.uid, e.partitioner, e.typeNumber])).toEqual([
      ['logins', 'hash', 1],
      ['rules', 'broadcast', 2],
    ]);
  });
});

describe('BroadcastProcessFunction (CoBroadcastWithNonKeyedOperator)', () => {
  it("a descriptor not given to broadcast() is refused with Flink's message", () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
    const other = new MapStateDescriptor<string, number>('other', Types.STRING, Types.INT);
    const fn: BroadcastProcessFunction<number, string, string> = {
      processElement(_v: number, ctx: BroadcastReadOnlyContext) {
        ctx.getBroadcastState(other);
      },
      processBroadcastElement(_v: string, _ctx: BroadcastContext) {},
    };
    env.fromData(1).connect(env.fromData('x').broadcast(RULES)).process(fn).uid('bc').print();
    const cluster = new MiniCluster(env.getJobGraph(), { seed: 1 });
    cluster.runUntil(50);
    expect(JSON.stringify(cluster.failures[0]?.reason)).toMatch(/The requested state does not exist/);
  });
});

/** Each subtask writes its own index under 'writer': after a restore we see whose map it got. */
class Marker implements BroadcastProcessFunction<number, number, string> {
  private index = 0;
  open(ctx: RuntimeContext): void {
    this.index = ctx.getIndexOfThisSubtask();
  }
  processElement(): void {}
  processBroadcastElement(v: number, ctx: BroadcastContext): void {
    const s = ctx.getBroadcastState(new MapStateDescriptor<string, number>('marks', Types.STRING, Types.INT));
    if (!s.contains('writer')) s.put('writer', this.index);
    s.put(`seen-${v}`, v);
  }
}
const MARKS = new MapStateDescriptor<string, number>('marks', Types.STRING, Types.INT);

function markerJob(p: number): JobGraph {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(p);
  env.enableCheckpointing(20);
  env.setStateBackend(new FsStateBackend());
  const values = new ReplayableLog<number>('values', [
    Array.from({ length: 200 }, (_, i) => ({ value: i, timestamp: i })),
  ]);
  const marks = env
    .fromSource(
      new ReplayableLog<number>('marks', [
        [
          { value: 1, timestamp: 0 },
          { value: 2, timestamp: 1 },
        ],
      ]),
      'Source: marks',
      1,
    )
    .uid('marks')
    .setParallelism(1);
  env
    .fromSource(values, 'Source: values', 1)
    .uid('values')
    .setParallelism(1)
    .connect(marks.broadcast(MARKS as never))
    .process(new Marker())
    .uid('bc')
    .addSink(new NonTransactionalSink<string>())
    .uid('sink');
  return env.getJobGraph('Marks');
}

describe('broadcast state in checkpoints and on rescale', () => {
  function checkpointOf(p: number): CompletedCheckpoint {
    const storage = new DurableCheckpointStorage();
    const cluster = new MiniCluster(markerJob(p), {
      seed: 4,
      checkpointStorage: storage,
      external: new ExternalSystem(),
    });
    cluster.runUntil(150);
    const cp = storage.latest('Marks') as CompletedCheckpoint;
    expect(cp).toBeTruthy();
    return cp;
  }

  it('every subtask snapshots its own map (operator state, mode broadcast)', () => {
    const cp = checkpointOf(3);
    const lists = cp.tasks
      .filter((t) => t.operatorUid === 'bc')
      .sort((a, b) => a.subtaskIndex - b.subtaskIndex)
      .map((t) => t.operatorState?.lists?.marks);
    expect(lists.map((l) => l?.mode)).toEqual(['broadcast', 'broadcast', 'broadcast']);
    expect(lists.map((l) => l?.items)).toEqual(
      [0, 1, 2].map((i) => [
        ['writer', i],
        ['seen-1', 1],
        ['seen-2', 2],
      ]),
    );
  });

  it.each([
    [3, 5],
    [3, 2],
    [2, 2],
  ])(
    "restored from parallelism %i into %i: new subtask i has old subtask i mod old parallelism's map",
    (from, to) => {
      const cp = checkpointOf(from);
      const cluster = new MiniCluster(markerJob(to), {
        seed: 4,
        restoreFrom: cp,
        checkpointStorage: new DurableCheckpointStorage(),
        external: new ExternalSystem(),
      });
      cluster.runUntil(cluster.now + 5);
      const b = cluster.broadcastStateByOperator().bc;
      for (let i = 0; i < to; i++) expect(b[i].marks[0]).toEqual(['writer', i % from]);
    },
  );

  it("redistribute(): Flink's testRepartitionBroadcastState shape — each new subtask gets one old subtask's entries", () => {
    const previous = [0, 1].map((i) => ({
      subtaskIndex: i,
      parallelism: 2,
      lists: {
        't-5': { mode: 'broadcast' as const, items: [[`k${i}`, i]] },
        't-6': { mode: 'broadcast' as const, items: [[`j${i}`, i]] },
      },
    }));
    for (const newP of [1, 2, 3, 4]) {
      for (let i = 0; i < newP; i++) {
        const got = redistribute(previous, i, newP);
        expect(got.get('t-5')?.items).toEqual([[`k${i % 2}`, i % 2]]);
        expect(got.get('t-6')?.items).toEqual([[`j${i % 2}`, i % 2]]);
      }
    }
  });
});
