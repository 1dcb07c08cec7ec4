/**
 * Bounded input ends as in Flink 2.x (FLIP-147; flink-facts.md "End of input"): bounded sources
 * (`fromData`, `KafkaSource.setBounded(OffsetsInitializer.latest())`, `DataGeneratorSource`) emit
 * MAX_WATERMARK and end-of-data at the end of their input; tasks go FINISHED after a final checkpoint;
 * the job goes FINISHED; checkpoints go on while some tasks are finished; a failure after some tasks
 * finished restores them as finished.
 */
import { describe, expect, it } from 'vitest';
import {
  DataGeneratorSource,
  FsStateBackend,
  KafkaSource,
  MAX_WATERMARK,
  MiniCluster,
  NonTransactionalSink,
  OffsetsInitializer,
  RateLimiterStrategy,
  ReplayableLog,
  Simulation,
  StreamExecutionEnvironment,
  TwoPhaseCommitSink,
  ValueStateDescriptor,
  getScenario,
  type JobGraph,
  type RuntimeContext,
  type TraceEvent,
  type ValueState,
} from '../../src/engine/index';

function collect(): { events: TraceEvent[]; trace: (e: TraceEvent) => void } {
  const events: TraceEvent[] = [];
  return { events, trace: (e) => events.push(e) };
}

class Count {
  private n!: ValueState<number>;
  open(ctx: RuntimeContext): void {
    this.n = ctx.getState(new ValueStateDescriptor<number>('n'));
  }
  map(w: string): [string, number] {
    const n = (this.n.value() ?? 0) + 1;
    this.n.update(n);
    return [w, n];
  }
}

/** Two sources of different lengths, both bounded, into a keyed count and a 2PC sink. */
function twoSourceJob(checkpointMs: number | null): JobGraph {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  env.setStateBackend(new FsStateBackend());
  if (checkpointMs !== null) env.enableCheckpointing(checkpointMs);
  const short = KafkaSource.builder<string>()
    .setLog(ReplayableLog.ofValues('short', ['a', 'b', 'a']))
    .setBounded(OffsetsInitializer.latest())
    .build();
  const long = KafkaSource.builder<string>()
    .setLog(
      ReplayableLog.ofValues(
        'long',
        Array.from({ length: 400 }, (_, i) => `k${i % 5}`),
      ),
    )
    .setBounded(OffsetsInitializer.latest())
    .build();
  const a = env.fromSource(short, 'Source: short', 1).uid('short');
  const b = env.fromSource(long, 'Source: long', 5).uid('long');
  a.union(b)
    .keyBy((w: string) => w)
    .map(new Count())
    .uid('count')
    .addSink(new TwoPhaseCommitSink<[string, number]>())
    .uid('sink');
  return env.getJobGraph('TwoSources');
}

describe('bounded sources end, tasks and the job go FINISHED', () => {
  it('fromData: WordCount ends FINISHED, every task FINISHED after end-of-input, in topological order', () => {
    const { events, trace } = collect();
    const sim = new Simulation(getScenario('wordcount').build(), { seed: 1, trace });
    sim.run();
    expect(sim.cluster.jobStatus).toBe('FINISHED');
    expect(sim.cluster.tasks.every((t) => t.status === 'FINISHED')).toBe(true);
    const finished = events.filter((e) => e.type === 'task-status' && e.status === 'FINISHED');
    const finishedAt = new Map(finished.map((e, i) => [(e as { task: string }).task, i]));
    // A task finishes only after every upstream task did (it waits for EndOfPartition on every input).
    for (const ch of sim.cluster.channels)
      expect(finishedAt.get(ch.from.id) as number).toBeLessThan(finishedAt.get(ch.to.id) as number);
    const ended = new Set(
      events.filter((e) => e.type === 'end-of-input').map((e) => (e as { task: string }).task),
    );
    expect(ended).toEqual(new Set(sim.cluster.taskIds()));
    const jobFinished = events.filter((e) => e.type === 'job-status' && e.status === 'FINISHED');
    expect(jobFinished).toHaveLength(1);
    // The final checkpoint completed before the first task finished.
    const completed = events.findIndex((e) => e.type === 'checkpoint-completed');
    expect(completed).toBeGreaterThanOrEqual(0);
    expect(completed).toBeLessThan(events.indexOf(finished[0]));
    expect(sim.result().tasks).toEqual(
      Object.fromEntries(sim.cluster.taskIds().map((id) => [id, 'FINISHED'])),
    );
  });

  it('fromElements is the deprecated alias of fromData (bounded too)', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.fromElements(1, 2, 3).print();
    const mc = new MiniCluster(env.getJobGraph(), { seed: 1 });
    mc.runToCompletion();
    expect(mc.jobStatus).toBe('FINISHED');
  });

  it('without checkpointing, tasks finish at once at the end of input', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env
      .fromData('x', 'y')
      .map((s: string) => s.toUpperCase())
      .print();
    const mc = new MiniCluster(env.getJobGraph(), { seed: 1 });
    mc.runToCompletion();
    expect(mc.jobStatus).toBe('FINISHED');
    expect(mc.now).toBeLessThan(50);
  });

  it('the end of input sends MAX_WATERMARK: every pending event-time timer fires', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    const fired: number[] = [];
    env
      .fromData(1, 2, 3)
      .keyBy((x: number) => x % 2)
      .process({
        processElement(x: number, ctx) {
          ctx.timerService().registerEventTimeTimer(1_000_000 + x);
        },
        onTimer(ts: number, ctx) {
          fired.push(ts);
          expect(ctx.timerService().currentWatermark()).toBe(MAX_WATERMARK);
        },
      })
      .print();
    const mc = new MiniCluster(env.getJobGraph(), { seed: 3 });
    mc.runToCompletion();
    expect(mc.jobStatus).toBe('FINISHED');
    expect(fired.sort()).toEqual([1_000_001, 1_000_002, 1_000_003]);
  });

  it('KafkaSource.setBounded(latest()): records appended after the start are not read; unbounded keeps polling', () => {
    for (const bounded of [true, false]) {
      const env = StreamExecutionEnvironment.getExecutionEnvironment();
      const log = ReplayableLog.ofValues('t', ['a', 'b']);
      const builder = KafkaSource.builder<string>().setLog(log);
      if (bounded) builder.setBounded(OffsetsInitializer.latest());
      env.fromSource(builder.build()).uid('src').addSink(new NonTransactionalSink<string>()).uid('out');
      const sim = new Simulation(env.getJobGraph(), { seed: 1 });
      sim.cluster.scheduleAction(1, () =>
        sim.cluster.appendToSource('src', 0, [{ value: 'late', timestamp: 9 }]),
      );
      sim.run([], bounded ? undefined : 500);
      expect(sim.cluster.jobStatus).toBe(bounded ? 'FINISHED' : 'RUNNING');
      expect(sim.external.committedValues('out')).toEqual(bounded ? ['a', 'b'] : ['a', 'b', 'late']);
    }
  });

  it('DataGeneratorSource(generator, count, RateLimiterStrategy.perSecond) emits count records at that rate, then ends', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    env
      .fromSource(new DataGeneratorSource((i: number) => `n${i}`, 100, RateLimiterStrategy.perSecond(1000)))
      .uid('gen')
      .addSink(new NonTransactionalSink<string>())
      .uid('out');
    const mc = new MiniCluster(env.getJobGraph(), { seed: 1 });
    mc.runToCompletion();
    expect(mc.jobStatus).toBe('FINISHED');
    const rows = mc.external.committedValues('out') as string[];
    expect([...rows].sort()).toEqual(Array.from({ length: 100 }, (_, i) => `n${i}`).sort());
    // 1000 records/s over 2 subtasks: 2 ms between two records of one subtask, 50 records each.
    expect(mc.now).toBeGreaterThanOrEqual(98);
    expect(mc.now).toBeLessThan(200);
  });
});

describe('FLIP-147: checkpoints with finished tasks, the final checkpoint, restore', () => {
  it('checkpoints go on after a source finished; it reports its final state, marked finished', () => {
    const { events, trace } = collect();
    const sim = new Simulation(twoSourceJob(300), { seed: 2, trace });
    sim.run();
    expect(sim.cluster.jobStatus).toBe('FINISHED');
    const shortDone = events.find(
      (e) => e.type === 'task-status' && e.task === 'short#0' && e.status === 'FINISHED',
    );
    expect(shortDone).toBeDefined();
    const later = sim.checkpoints.filter(
      (c) => c.status === 'COMPLETED' && c.triggerTime > (shortDone as { t: number }).t,
    );
    expect(later.length).toBeGreaterThan(0);
    for (const c of later) {
      expect(c.numAcknowledged).toBe(c.numTasks);
      expect(c.subtasks.find((s) => s.taskId === 'short#0')?.finished).toBe(true);
    }
    const cp = sim.checkpointStorage.latest('TwoSources');
    expect(cp?.tasks.find((t) => t.taskId === 'short#0')?.finished).toBe(true);
  });

  it('the final checkpoint commits the two-phase-commit sink’s last transaction before the job finishes', () => {
    const { events, trace } = collect();
    const sim = new Simulation(twoSourceJob(300), { seed: 2, trace });
    sim.run();
    const committed = sim.external.committedValues('sink');
    expect(committed).toHaveLength(403);
    expect(sim.external.table('sink', 'two-phase-commit').openTransactions.size).toBe(0);
    const lastCommit = events.map((e) => e.type).lastIndexOf('transaction-committed');
    const sinkFinished = events.findIndex(
      (e) =>
        e.type === 'task-status' && e.task === sim.cluster.getTask('sink#0').id && e.status === 'FINISHED',
    );
    expect(lastCommit).toBeLessThan(sinkFinished);
  });

  it('a failure after a source finished restores it as finished (its offsets at the end) and ends with the failure-free result', () => {
    const reference = new Simulation(twoSourceJob(300), { seed: 2 });
    reference.run();
    const { events, trace } = collect();
    const sim = new Simulation(twoSourceJob(300), { seed: 2, trace });
    const shortFinishedAt = (() => {
      const probe = collect();
      new Simulation(twoSourceJob(300), { seed: 2, trace: probe.trace }).run();
      const e = probe.events.find(
        (x) => x.type === 'task-status' && x.task === 'short#0' && x.status === 'FINISHED',
      );
      return (e as { t: number }).t;
    })();
    sim.run([{ target: 'count#1', at: Math.ceil(shortFinishedAt) + 200 }]);
    expect(sim.failures).toHaveLength(1);
    expect(sim.failures[0].restoredFrom).not.toBeNull();
    const restored = events.find((e) => e.type === 'task-restored' && e.task === 'short#0');
    expect(restored).toMatchObject({ offsets: [{ partition: 0, offset: 3, stoppingOffset: 3 }] });
    // Deployed as finished: FINISHED right after its restore, without reading anything.
    const after = events.slice(events.indexOf(restored as TraceEvent));
    expect(after.find((e) => e.type === 'task-status' && e.task === 'short#0')).toMatchObject({
      status: 'FINISHED',
    });
    expect(sim.cluster.jobStatus).toBe('FINISHED');
    expect(sim.result().state).toEqual(reference.result().state);
    expect([...sim.external.committedValues('sink')].map(String).sort()).toEqual(
      [...reference.external.committedValues('sink')].map(String).sort(),
    );
  });

  it('a failure aimed at a task that already finished does nothing', () => {
    const probe = collect();
    new Simulation(twoSourceJob(300), { seed: 2, trace: probe.trace }).run();
    const e = probe.events.find(
      (x) => x.type === 'task-status' && x.task === 'short#0' && x.status === 'FINISHED',
    );
    const sim = new Simulation(twoSourceJob(300), { seed: 2 });
    sim.run([{ target: 'short#0', at: Math.ceil((e as { t: number }).t) + 10 }]);
    expect(sim.failures).toEqual([]);
    expect(sim.cluster.jobStatus).toBe('FINISHED');
  });
});

/**
 * short source -> keyBy -> countShort (keyed state) -> union with the long source -> keyBy -> count ->
 * 2PC sink: one pipelined region, in which countShort finishes long before the rest.
 */
function finishedMiddleJob(): JobGraph {
  // Every operator its own task: the test reads the subtasks of label (chained, it would run in countShort's).
  const env = StreamExecutionEnvironment.getExecutionEnvironment().disableOperatorChaining();
  env.setParallelism(2);
  env.setStateBackend(new FsStateBackend());
  env.enableCheckpointing(300);
  const bounded = (name: string, values: string[]) =>
    KafkaSource.builder<string>()
      .setLog(ReplayableLog.ofValues(name, values))
      .setBounded(OffsetsInitializer.latest())
      .build();
  const short = env
    .fromSource(bounded('short', ['a', 'b', 'a', 'c']), 'Source: short', 1)
    .uid('short')
    .keyBy((w: string) => w)
    .map(new Count())
    .uid('countShort')
    .map(([w, n]: [string, number]) => `${w}${n}`)
    .uid('label');
  const long = env
    .fromSource(
      bounded(
        'long',
        Array.from({ length: 400 }, (_, i) => `k${i % 5}`),
      ),
      'Source: long',
      5,
    )
    .uid('long');
  short
    .union(long)
    .keyBy((w: string) => w)
    .map(new Count())
    .uid('count')
    .addSink(new TwoPhaseCommitSink<[string, number]>())
    .uid('sink');
  return env.getJobGraph('FinishedMiddle');
}

describe('FLIP-147: a subtask that had finished is restored as finished (TaskStateSnapshot.isTaskFinished)', () => {
  it('countShort keeps its final keyed state, sends no record again, and the output is the failure-free one', () => {
    const probe = collect();
    const reference = new Simulation(finishedMiddleJob(), { seed: 4, trace: probe.trace });
    reference.run();
    expect(reference.cluster.jobStatus).toBe('FINISHED');
    const doneAt = probe.events
      .filter((e) => e.type === 'task-status' && e.task.startsWith('countShort#') && e.status === 'FINISHED')
      .map((e) => e.t);
    expect(doneAt).toHaveLength(2);
    // A checkpoint completed after countShort finished: it is recorded there as finished.
    const cp = reference.checkpoints.find(
      (c) => c.status === 'COMPLETED' && c.triggerTime > Math.max(...doneAt),
    );
    expect(cp).toBeDefined();
    const failAt = Math.ceil((cp?.triggerTime ?? 0) + (cp?.endToEndMs ?? 0)) + 50;

    const { events, trace } = collect();
    const sim = new Simulation(finishedMiddleJob(), { seed: 4, trace });
    sim.run([{ target: 'count#0', at: failAt }]);
    expect(sim.failures).toHaveLength(1);
    expect(sim.failures[0].restoredFrom).not.toBeNull();
    const restoredAt = (
      events.find((e) => e.type === 'task-restored' && e.task === 'countShort#0') as TraceEvent
    ).t;
    // Deployed as finished: FINISHED at once, without sending a record again.
    for (const task of ['countShort#0', 'countShort#1', 'label#0', 'label#1']) {
      const statuses = events
        .filter((e) => e.type === 'task-status' && e.task === task && e.t >= restoredAt)
        .map((e) => `${(e as { status: string }).status}@${e.t}`);
      expect(statuses, task).toEqual([`RUNNING@${restoredAt}`, `FINISHED@${restoredAt}`]);
    }
    const resent = events.filter(
      (e) => e.type === 'record-sent' && e.t >= restoredAt && /^(countShort|label|short)#/.test(e.channel),
    );
    expect(resent).toEqual([]);
    // Its final keyed state is kept (restored), and the job ends with the failure-free result.
    expect(sim.cluster.jobStatus).toBe('FINISHED');
    expect(sim.result().state['countShort']).toEqual({ n: { a: 2, b: 1, c: 1 } });
    expect(sim.result().state).toEqual(reference.result().state);
    expect([...sim.external.committedValues('sink')].map(String).sort()).toEqual(
      [...reference.external.committedValues('sink')].map(String).sort(),
    );
  });
});

describe('regression: anomalies restored from a checkpoint keeps no streak the failure-free run cleared', () => {
  // Seen (issue 12 §1): `npm run sim -- anomalies --seed 21 --fail detect#0@2100` restored from its
  // second checkpoint kept 7 streaks: the restored watermark starts at −∞, and nothing marked the end
  // of input, so the pending timers never fired. Bounded, the end of input sends MAX_WATERMARK.
  const reference = new Simulation(getScenario('anomalies').build(), { seed: 21, fastForward: true });
  reference.run();

  it('the failure-free run clears every streak and commits the 46 alerts', () => {
    expect(reference.cluster.jobStatus).toBe('FINISHED');
    expect(reference.result().state['detect']?.['streak'] ?? {}).toEqual({});
    expect(reference.external.committedValues('alerts')).toHaveLength(46);
  });

  for (const at of [600, 1_100, 1_400, 1_560]) {
    it(`detect#0 failing at ${at} ms: same state (no streak) and the same alerts`, () => {
      const sim = new Simulation(getScenario('anomalies').build(), { seed: 21, fastForward: true });
      sim.run([{ target: 'detect#0', at }]);
      expect(sim.failures).toHaveLength(1);
      expect(sim.cluster.jobStatus).toBe('FINISHED');
      expect(sim.result().state).toEqual(reference.result().state);
      expect(
        sim.external
          .committedValues('alerts')
          .map((a) => JSON.stringify(a))
          .sort(),
      ).toEqual(
        reference.external
          .committedValues('alerts')
          .map((a) => JSON.stringify(a))
          .sort(),
      );
    });
  }

  it('--unbounded keeps the old behaviour: restored timers wait for new data (as with a Kafka topic)', () => {
    const sim = new Simulation(getScenario('anomalies').build({ unbounded: true }), {
      seed: 21,
      fastForward: true,
    });
    sim.run([{ target: 'detect#0', at: 2_100 }]);
    expect(sim.cluster.jobStatus).toBe('RUNNING');
    expect(Object.keys(sim.result().state['detect']?.['streak'] ?? {}).length).toBeGreaterThan(0);
  });
});
