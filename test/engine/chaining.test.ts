/**
 * Operator chaining, as Flink's StreamingJobGraphGenerator builds chains and its OperatorChain runs
 * them: the rule (isChainable), the names (createChainedName), what the Web UI counts (vertices,
 * subtasks, acks), what a chain does at runtime (direct calls: no channel, no alignment; the summed
 * processing time; a snapshot per operator; one ack per task; failures of a chained operator), and
 * that checkpoints move between a job with chaining and one without.
 */
import { describe, expect, it } from 'vitest';
import {
  MiniCluster,
  NonTransactionalSink,
  ReplayableLog,
  RestoreError,
  Simulation,
  StreamExecutionEnvironment,
  createChains,
  getScenario,
  type CheckpointingMode,
  type JobGraph,
  type TraceEvent,
} from '../../src/engine/index';
import { buildVisits } from '../../src/engine/scenarios/visits';
import { CountByK, ofType } from './helpers';

function names(job: JobGraph): string[] {
  return createChains(job).map((c) => c.name);
}

function ops(job: JobGraph): string[][] {
  return createChains(job).map((c) => c.operators.map((v) => v.uid));
}

function log(p = 2, n = 20): ReplayableLog<{ k: string }> {
  return new ReplayableLog(
    't',
    Array.from({ length: p }, (_, i) =>
      Array.from({ length: n }, (_, j) => ({ value: { k: `k${(i * n + j) % 5}` }, timestamp: j })),
    ),
  );
}

describe("the chaining rule (Flink's isChainable)", () => {
  it('chains forward edges of equal parallelism; a keyBy edge breaks the chain', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
    env
      .fromSource(log(), 'Source: t')
      .uid('src')
      .map((x: { k: string }) => x)
      .uid('m')
      .name('Map')
      .keyBy((x) => x.k)
      .map(new CountByK())
      .uid('count')
      .name('Map: count')
      .addSink(new NonTransactionalSink())
      .uid('sink')
      .name('Sink: out');
    const job = env.getJobGraph();
    expect(ops(job)).toEqual([
      ['src', 'm'],
      ['count', 'sink'],
    ]);
    expect(names(job)).toEqual(['Source: t -> Map', 'Map: count -> Sink: out']);
  });

  it('rebalance breaks the chain, and so does a change of parallelism (the edge becomes rebalance)', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
    env
      .fromSource(log(), 'S')
      .uid('src')
      .rebalance()
      .map((x: unknown) => x)
      .uid('a')
      .name('A');
    env
      .fromSource(log(), 'S2')
      .uid('src2')
      .map((x: unknown) => x)
      .uid('b')
      .setParallelism(3)
      .name('B');
    const job = env.getJobGraph();
    expect(ops(job)).toEqual([['src'], ['a'], ['src2'], ['b']]);
    expect(job.vertices.find((v) => v.uid === 'b')?.inputs[0].partitioner).toBe('rebalance');
  });

  it('startNewChain() starts a chain, disableChaining() isolates the operator', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env
      .fromSource(log(1), 'S')
      .uid('s')
      .map((x: unknown) => x)
      .uid('a')
      .map((x: unknown) => x)
      .uid('b')
      .startNewChain()
      .map((x: unknown) => x)
      .uid('c')
      .map((x: unknown) => x)
      .uid('d')
      .disableChaining()
      .map((x: unknown) => x)
      .uid('e');
    expect(ops(env.getJobGraph())).toEqual([['s', 'a'], ['b', 'c'], ['d'], ['e']]);
  });

  it('an operator with two input edges (a union) is never chained; different slot sharing groups break', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    const a = env.fromSource(log(1), 'A').uid('a');
    const b = env.fromSource(log(1), 'B').uid('b');
    a.union(b)
      .map((x: unknown) => x)
      .uid('u');
    env
      .fromSource(log(1), 'C')
      .uid('c')
      .map((x: unknown) => x)
      .uid('other')
      .slotSharingGroup('other');
    expect(ops(env.getJobGraph())).toEqual([['a'], ['b'], ['u'], ['c'], ['other']]);
  });

  it("HEAD_WITH_SOURCES chains only to a source; an operator with two chained outputs is named 'A -> (B, C)'", () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    const s = env.fromSource(log(1), 'S').uid('s');
    const m = s
      .map((x: unknown) => x)
      .uid('m')
      .name('M');
    m.map((x: unknown) => x)
      .uid('x')
      .name('X');
    m.map((x: unknown) => x)
      .uid('y')
      .name('Y');
    const job = env.getJobGraph();
    expect(names(job)).toEqual(['S -> M -> (X, Y)']);
    (job.vertices.find((v) => v.uid === 'm') as { chainingStrategy: string }).chainingStrategy =
      'HEAD_WITH_SOURCES';
    (job.vertices.find((v) => v.uid === 'y') as { chainingStrategy: string }).chainingStrategy =
      'HEAD_WITH_SOURCES';
    expect(ops(job)).toEqual([['s', 'm', 'x'], ['y']]);
  });

  it('env.disableOperatorChaining(): one vertex per operator', () => {
    const job = getScenario('wordcount').build({ chaining: false });
    expect(ops(job)).toEqual([['source'], ['split'], ['count'], ['print']]);
  });
});

describe('WordCount as the Web UI shows it', () => {
  function run(chaining: boolean) {
    const job = getScenario('wordcount').build({ chaining, checkpointIntervalMs: 100 });
    const sim = new Simulation(job, { seed: 3 });
    sim.run();
    return sim.result();
  }

  it('3 vertices, 5 subtasks, 5/5 acks per checkpoint; chaining off: 4 vertices, 7 subtasks, 7/7', () => {
    const chained = run(true);
    expect(chained.vertices.map((v) => [v.name, v.operators, v.parallelism])).toEqual([
      ['Source: fromElements', ['source'], 1],
      ['Flat Map: split words', ['split'], 2],
      ['Map: count with ValueState -> Sink: print', ['count', 'print'], 2],
    ]);
    expect(Object.keys(chained.tasks ?? {})).toHaveLength(5);
    const completed = chained.checkpoints.filter((c) => c.status === 'COMPLETED');
    expect(completed.length).toBeGreaterThan(0);
    expect(completed.every((c) => c.acks === '5/5')).toBe(true);

    const unchained = run(false);
    expect(unchained.vertices).toHaveLength(4);
    expect(Object.keys(unchained.tasks ?? {})).toHaveLength(7);
    expect(unchained.checkpoints.filter((c) => c.status === 'COMPLETED').every((c) => c.acks === '7/7')).toBe(
      true,
    );
    // Same words, same counts, same output either way.
    expect(chained.state).toEqual(unchained.state);
    expect(chained.sinks.print.committed.map(String).sort()).toEqual(
      unchained.sinks.print.committed.map(String).sort(),
    );
  });
});

describe('a chain at runtime', () => {
  function sourceMapSink(checkpointing: boolean): JobGraph {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    if (checkpointing) env.enableCheckpointing(50);
    env
      .fromSource(log(1, 200), 'S', 1)
      .uid('s')
      .map((x: { k: string }) => x)
      .uid('a')
      .setProcessingTime(0.25)
      .addSink(new NonTransactionalSink())
      .uid('sink')
      .setProcessingTime(0.5);
    return env.getJobGraph();
  }

  it('calls chained operators directly: no channel, the processing times add up', () => {
    const events: TraceEvent[] = [];
    const mc = new MiniCluster(sourceMapSink(false), { seed: 1, trace: (e) => events.push(e) });
    mc.runToCompletion();
    expect(mc.tasks.map((t) => t.id)).toEqual(['s#0']);
    expect(mc.channels).toEqual([]);
    expect(ofType(events, 'record-sent')).toEqual([]);
    // The source emits one record per ms; map and sink work 0.25 + 0.5 ms on it in the same task.
    const written = ofType(events, 'sink-written');
    expect(written).toHaveLength(200);
    written.forEach((w, i) => expect(w.t).toBeCloseTo(i + 0.75, 9));
    expect(written.every((w) => w.task === 's#0' && w.operator === 'sink')).toBe(true);
  });

  it('a checkpoint: no barrier between chained operators, one ack per task, a snapshot per operator', () => {
    const events: TraceEvent[] = [];
    const mc = new MiniCluster(sourceMapSink(true), { seed: 1, trace: (e) => events.push(e) });
    mc.runToCompletion();
    expect(ofType(events, 'barrier-sent')).toEqual([]);
    expect(ofType(events, 'checkpoint-acknowledged').length).toBe(
      ofType(events, 'checkpoint-completed').length,
    );
    // One ack per checkpoint (one task), a snapshot per operator in the checkpoint.
    const cp = mc.coordinator.latestCompleted;
    expect(cp?.stats.numTasks).toBe(1);
    expect(cp?.tasks.map((t) => t.operatorUid)).toEqual(['s', 'a', 'sink']);
  });

  it('a failure aimed at a chained operator (its uid#i) fails the task that runs it', () => {
    const job = getScenario('wordcount').build({ checkpointIntervalMs: 100 });
    const sim = new Simulation(job, { seed: 3 });
    sim.run([{ target: 'print#1', at: 300 }]);
    expect(sim.failures.map((f) => f.task)).toEqual(['count#1']);
    expect(sim.cluster.jobStatus).toBe('FINISHED');
    expect(sim.cluster.getTask('print#0').id).toBe('count#0');
    expect(() => sim.cluster.getTask('print#7')).toThrow(/unknown task/);
  });

  it('chains take one slot per chain subtask: WordCount needs 2 slots, each holding a subtask of each vertex', () => {
    const job = getScenario('wordcount').build({});
    const mc = new MiniCluster(job, { seed: 1 });
    expect(mc.slotsNeeded).toBe(2);
    expect(mc.taskManagerInfo()[0].slots).toEqual([
      ['source#0', 'split#0', 'count#0'],
      ['split#1', 'count#1'],
    ]);
  });
});

describe('restore across chaining on and off (state is kept per operator uid)', () => {
  const MODES: CheckpointingMode[] = ['exactly-once', 'unaligned'];
  for (const mode of MODES) {
    for (const [from, to] of [
      [true, false],
      [false, true],
    ] as const) {
      it(`${mode}: a checkpoint taken ${from ? 'with' : 'without'} chaining restores ${to ? 'with' : 'without'} it, with the failure-free result`, () => {
        const build = (chaining: boolean) =>
          buildVisits({ events: 2000, mode, checkpointIntervalMs: 100, chaining });
        const reference = new Simulation(build(to), { seed: 5 });
        reference.run();
        const first = new Simulation(build(from), { seed: 5 });
        first.run([], 350);
        const cp = first.cluster.coordinator.latestCompleted;
        expect(cp).not.toBeNull();
        const uids = new Set(cp?.tasks.map((t) => t.operatorUid));
        expect([...uids].sort()).toEqual(['count', 'sink', 'source']);
        const second = new Simulation(build(to), {
          seed: 6,
          external: first.external,
          restoreFrom: cp ?? undefined,
        });
        second.run();
        expect(second.cluster.jobStatus).toBe('FINISHED');
        expect(second.cluster.keyedStateByOperator()).toEqual(reference.cluster.keyedStateByOperator());
        const rows = (s: Simulation) =>
          s.external
            .committedValues('sink')
            .map((v) => JSON.stringify(v))
            .sort();
        expect(rows(second)).toEqual(rows(reference));
      });
    }
  }

  it('in-flight records of an edge that the new job chains: a clear RestoreError, nothing restored', () => {
    // Unaligned, unchained, with a slow sink: records wait between count and sink at the barrier.
    const build = (chaining: boolean) => {
      const job = buildVisits({ events: 2000, mode: 'unaligned', checkpointIntervalMs: 100, chaining });
      for (const v of job.vertices) if (v.uid === 'sink') v.processingTimeMs = 20;
      return job;
    };
    const first = new Simulation(build(false), { seed: 5 });
    first.run([], 400);
    const cp = first.cluster.coordinator.latestCompleted;
    const onEdge = cp?.tasks.some((t) => t.operatorUid === 'sink' && t.inputChannelState.length > 0);
    expect(onEdge).toBe(true);
    expect(() => new MiniCluster(build(true), { seed: 1, restoreFrom: cp ?? undefined })).toThrow(
      RestoreError,
    );
    expect(() => new MiniCluster(build(true), { seed: 1, restoreFrom: cp ?? undefined })).toThrow(
      /'(count|sink)' has in-flight channel state .* on its edge with '(sink|count)'.* now chained/,
    );
  });
});
