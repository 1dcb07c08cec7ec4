/**
 * The DataStream API as a learner uses it: what it accepts and rejects, the defaults it picks, how
 * user functions are instantiated per subtask, and the seed's WordCount end to end.
 */
import { renderEnglish } from '../../src/engine/messages/Message';
import { describe, expect, it } from 'vitest';
import {
  MiniCluster,
  NonTransactionalSink,
  ReplayableLog,
  RestartStrategies,
  Simulation,
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  getScenario,
  type JobGraph,
  type LogRecord,
  type RuntimeContext,
  type TraceEvent,
} from '../../src/engine/index';
import { ofType } from './helpers';

const NON_KEYED = "Keyed state can only be used on a 'keyed stream', i.e., after a 'keyBy()' operation.";

function twoPartitionLog(n: number): ReplayableLog<number> {
  const parts: LogRecord<number>[][] = [[], []];
  for (let i = 0; i < n; i++) parts[i % 2].push({ value: i, timestamp: i });
  return new ReplayableLog('numbers', parts);
}

/** A rich map that uses keyed state in map(): fine after keyBy(), an error on a non-keyed stream. */
class StatefulMap {
  private ctx: RuntimeContext | null = null;
  open(ctx: RuntimeContext): void {
    this.ctx = ctx;
  }
  map(x: number): number {
    (this.ctx as RuntimeContext).getState(new ValueStateDescriptor<number>('n')).update(x);
    return x;
  }
}

describe('keyed state on a non-keyed stream', () => {
  it("throws Flink's message when used in map() and fails the task (and, without restarts, the job)", () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env
      .fromElements(1, 2, 3)
      .map(new StatefulMap())
      .uid('stateful-map')
      .addSink(new NonTransactionalSink<number>())
      .uid('out');
    const events: TraceEvent[] = [];
    const mc = new MiniCluster(env.getJobGraph(), { seed: 1, trace: (e) => events.push(e) });
    mc.runToCompletion();
    const failed = ofType(events, 'task-failed');
    expect(failed).toHaveLength(1);
    // The map is chained to the source: their task fails, its reason names the map.
    expect(failed[0].task).toBe('source#0');
    expect(renderEnglish(failed[0].reason)).toContain('Map');
    expect(renderEnglish(failed[0].reason)).toContain(NON_KEYED);
    expect(mc.jobStatus).toBe('FAILED');
    expect(mc.external.committedValues('out')).toEqual([]);
  });

  it('state access in open() on a non-keyed stream fails the task instead of throwing out of the engine', () => {
    // Flink calls open() inside the running task: the exception fails the task like any other.
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env
      .fromElements(1, 2, 3)
      .map({
        open(ctx: RuntimeContext) {
          ctx.getState(new ValueStateDescriptor<number>('n'));
        },
        map: (x: number) => x,
      })
      .uid('stateful-map')
      .addSink(new NonTransactionalSink<number>());
    const job = env.getJobGraph();
    const events: TraceEvent[] = [];
    let mc: MiniCluster | null = null;
    expect(() => {
      mc = new MiniCluster(job, { seed: 1, trace: (e) => events.push(e) });
      mc.runToCompletion();
    }).not.toThrow();
    const failed = ofType(events, 'task-failed');
    expect(failed.map((e) => e.task)).toEqual(['source#0']); // the map is chained to the source
    expect(renderEnglish(failed[0].reason)).toContain(NON_KEYED);
    expect((mc as MiniCluster | null)?.jobStatus).toBe('FAILED');
  });

  it('works after keyBy()', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env
      .fromElements('a', 'b', 'a')
      .keyBy((w: string) => w)
      .map({
        open(ctx: RuntimeContext) {
          (this as { ctx?: RuntimeContext }).ctx = ctx;
        },
        map(w: string) {
          const s = ((this as { ctx?: RuntimeContext }).ctx as RuntimeContext).getState(
            new ValueStateDescriptor<number>('n'),
          );
          s.update((s.value() ?? 0) + 1);
          return [w, s.value()];
        },
      })
      .uid('count')
      .addSink(new NonTransactionalSink())
      .uid('out');
    const mc = new MiniCluster(env.getJobGraph(), { seed: 1 });
    mc.runToCompletion();
    expect(mc.jobStatus).toBe('FINISHED');
    expect(mc.keyedStateByOperator().count.n).toEqual({ a: 2, b: 1 });
  });
});

describe('job graph validation', () => {
  it('rejects duplicate uids', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env
      .fromElements(1)
      .uid('same')
      .map((x: number) => x)
      .uid('same');
    expect(() => env.getJobGraph()).toThrow(/same/);
    expect(() => env.getJobGraph()).toThrow(/uid/i);
  });

  it('generates distinct uids when none are given', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env
      .fromElements(1)
      .map((x: number) => x)
      .map((x: number) => x)
      .print();
    const uids = env.getJobGraph().vertices.map((v) => v.uid);
    expect(new Set(uids).size).toBe(uids.length);
  });

  it('rejects uids with characters Flink would not round-trip', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    expect(() => env.fromElements(1).uid('a b')).toThrow();
  });

  it('rejects parallelism greater than maxParallelism', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setMaxParallelism(4);
    env
      .fromElements(1)
      .map((x: number) => x)
      .setParallelism(5);
    expect(() => env.getJobGraph()).toThrow(/parallelism 5 exceeds maxParallelism 4/);
  });

  it('rejects non-positive parallelism and maxParallelism above 32768', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    expect(() => env.setParallelism(0)).toThrow();
    expect(() => env.setParallelism(1.5)).toThrow();
    expect(() => env.setMaxParallelism(32769)).toThrow();
    expect(() =>
      env
        .fromElements(1)
        .map((x: number) => x)
        .setParallelism(-1),
    ).toThrow();
  });

  it('rejects a checkpoint interval <= 0 and an unknown mode', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    expect(() => env.enableCheckpointing(0)).toThrow();
    expect(() => env.enableCheckpointing(100, 'eventually' as never)).toThrow(/unknown checkpointing mode/);
  });

  it('rejects unaligned checkpoints with more than one concurrent checkpoint', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.enableCheckpointing(100, 'unaligned').configureCheckpointing({ maxConcurrentCheckpoints: 2 });
    env.fromElements(1).print();
    expect(() => new MiniCluster(env.getJobGraph(), { seed: 1 })).toThrow(/unaligned/);
  });
});

describe('defaults', () => {
  it('fromElements is a non-parallel source (parallelism 1), whatever the environment parallelism', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(4);
    env
      .fromElements('a', 'b', 'c')
      .map((x: string) => x)
      .print();
    const job = env.getJobGraph();
    expect(job.vertices[0].parallelism).toBe(1);
    expect(job.vertices[1].parallelism).toBe(4);
    // 1 -> 4 without an explicit partitioner: rebalance.
    expect(job.vertices[1].inputs[0].partitioner).toBe('rebalance');
  });

  it('as Flink: setParallelism(>1) on fromElements is rejected (non-parallel source)', () => {
    // Flink: IllegalArgumentException "The parallelism of non parallel operator must be 1."
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    expect(() => env.fromElements(1, 2).setParallelism(2)).toThrow(/must be 1/);
  });

  it('default maxParallelism is 128 for small parallelism, and follows Flink’s formula above 85', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env
      .fromElements(1)
      .map((x: number) => x)
      .setParallelism(85)
      .map((x: number) => x)
      .setParallelism(86)
      .map((x: number) => x)
      .setParallelism(200);
    const maxPs = env.getJobGraph().vertices.map((v) => v.maxParallelism);
    // roundUpToPowerOfTwo(p + p/2), at least 128: 1 -> 128, 85 -> 128, 86 -> 256 (129 -> 256), 200 -> 512.
    expect(maxPs).toEqual([128, 128, 256, 512]);
  });

  it('checkpointing defaults are Flink’s: off, exactly-once, 10 min timeout, no pause, 1 concurrent, 0 tolerable failures', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    expect(env.getCheckpointConfig()).toEqual({
      intervalMs: null,
      mode: 'exactly-once',
      timeoutMs: 600_000,
      minPauseBetweenCheckpointsMs: 0,
      maxConcurrentCheckpoints: 1,
      tolerableFailedCheckpoints: 0,
      alignedCheckpointTimeoutMs: 0,
    });
  });

  it('restart strategy defaults: none without checkpointing, exponential-delay (1 s, x1.5, 1 min) with it', () => {
    const off = StreamExecutionEnvironment.getExecutionEnvironment();
    off.fromElements(1).print();
    expect(off.getJobGraph().restartStrategy).toEqual({ type: 'none' });

    const on = StreamExecutionEnvironment.getExecutionEnvironment().enableCheckpointing(1000);
    on.fromElements(1).print();
    expect(on.getJobGraph().restartStrategy).toEqual({
      type: 'exponential-delay',
      initialBackoffMs: 1000,
      backoffMultiplier: 1.5,
      maxBackoffMs: 60_000,
      resetBackoffThresholdMs: 3_600_000,
      jitterFactor: 0.1,
    });
  });
});

describe('rich functions', () => {
  /** A map that counts in a plain field and reports its subtask and count. */
  class FieldCounter {
    n = 0;
    subtask = -1;
    open(ctx: RuntimeContext): void {
      this.subtask = ctx.getIndexOfThisSubtask();
    }
    map(_x: number): [number, number] {
      this.n++;
      return [this.subtask, this.n];
    }
  }

  function runCounter(fn: object, n = 20): { out: unknown[]; job: JobGraph } {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
    env
      .fromSource(twoPartitionLog(n))
      .map(fn as FieldCounter)
      .uid('m')
      .addSink(new NonTransactionalSink())
      .uid('out');
    const job = env.getJobGraph();
    const mc = new MiniCluster(job, { seed: 3 });
    mc.runToCompletion();
    return { out: mc.external.committedValues('out'), job };
  }

  it('each subtask gets its own copy: primitive fields are not shared, the original is untouched', () => {
    const fn = new FieldCounter();
    const { out } = runCounter(fn);
    const bySubtask = [0, 1].map((s) =>
      (out as [number, number][]).filter(([sub]) => sub === s).map(([, n]) => n),
    );
    expect(bySubtask[0]).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(bySubtask[1]).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(fn.n).toBe(0);
    expect(fn.subtask).toBe(-1);
  });

  it('object fields (arrays, maps) are not shared between subtasks either', () => {
    // Flink deserialises one copy of the function per subtask: a `private buffer = new ArrayList<>()`
    // is per subtask. The engine's shallow copy shares the array between all subtasks (and attempts).
    const fn = {
      seen: [] as number[],
      map(x: number) {
        this.seen.push(x);
        return this.seen.length;
      },
    };
    const { out } = runCounter(fn);
    // Each subtask sees 10 records, so no subtask's buffer can hold more than 10.
    expect(Math.max(...(out as number[]))).toBe(10);
    expect(fn.seen).toEqual([]);
  });

  it('the runtime context reports the task name, subtask index, parallelism and max parallelism', () => {
    const seen: unknown[] = [];
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(3).setMaxParallelism(64);
    env
      .fromSource(twoPartitionLog(6))
      .map({
        open(ctx: RuntimeContext) {
          seen.push([
            ctx.getTaskName(),
            ctx.getIndexOfThisSubtask(),
            ctx.getNumberOfParallelSubtasks(),
            ctx.getMaxNumberOfParallelSubtasks(),
          ]);
        },
        map: (x: number) => x,
      })
      .name('My Map');
    new MiniCluster(env.getJobGraph(), { seed: 1 }).runToCompletion();
    expect(seen).toHaveLength(3);
    expect(seen).toEqual(
      expect.arrayContaining([
        ['My Map', 0, 3, 64],
        ['My Map', 1, 3, 64],
        ['My Map', 2, 3, 64],
      ]),
    );
  });

  it('as Flink: getAttemptNumber() is 0 for the first attempt and 1 after one restart', () => {
    const attempts: number[] = [];
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 10));
    env
      .fromSource(
        ReplayableLog.ofValues(
          't',
          Array.from({ length: 50 }, (_, i) => i),
        ),
      )
      .map({
        open(ctx: RuntimeContext) {
          attempts.push(ctx.getAttemptNumber());
        },
        map: (x: number) => x,
      })
      .uid('m');
    const mc = new MiniCluster(env.getJobGraph(), { seed: 1 });
    mc.scheduleTaskFailure('m#0', 20);
    mc.runToCompletion();
    expect(mc.failures).toHaveLength(1);
    expect(attempts).toEqual([0, 1]);
  });
});

describe("the seed's WordCount", () => {
  const EXPECTED = { to: 2, be: 2, or: 1, not: 1, that: 1, is: 1, the: 1, question: 1 };

  function finalCounts(rows: unknown[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [w, n] of rows as [string, number][]) out[w] = Math.max(out[w] ?? 0, n);
    return out;
  }

  it('counts to=2, be=2, or=1, not=1, that=1, is=1, the=1, question=1', () => {
    const sim = new Simulation(getScenario('wordcount').build(), { seed: 1 });
    sim.run();
    const r = sim.result();
    expect(r.jobStatus).toBe('FINISHED');
    expect(r.state.count.count).toEqual(EXPECTED);
    expect(finalCounts(r.sinks.print.committed)).toEqual(EXPECTED);
    // Without failures the print sink shows every update once: 10 words.
    expect(r.sinks.print.committed).toHaveLength(10);
  });

  it('has Flink’s shape: fromElements p=1, split, keyBy(word) into a count with parallelism 2', () => {
    const job = getScenario('wordcount').build();
    expect(job.vertices.map((v) => [v.uid, v.parallelism])).toEqual([
      ['source', 1],
      ['split', 2],
      ['count', 2],
      ['print', 2],
    ]);
    expect(job.vertices[2].inputs[0].partitioner).toBe('hash');
    expect(job.checkpointConfig.intervalMs).toBe(1000);
  });

  it('keeps exact counts in state after a failure of a counting subtask', () => {
    const sim = new Simulation(getScenario('wordcount').build(), { seed: 2 });
    sim.run([{ target: 'count#1', at: 1000 }]);
    const r = sim.result();
    expect(r.failures).toHaveLength(1);
    expect(r.state.count.count).toEqual(EXPECTED);
  });
});
