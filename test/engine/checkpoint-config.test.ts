/**
 * The rest of the checkpoint configuration: aligned-checkpoint timeout (start aligned, switch to
 * unaligned), JobManager storage's 5 MiB limit, and the configuration rules Flink enforces.
 */
import { renderEnglish } from '../../src/engine/messages/Message';
import { describe, expect, it } from 'vitest';
import {
  MemoryStateBackend,
  MiniCluster,
  NonTransactionalSink,
  ReplayableLog,
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  type CheckpointConfig,
  type MapFunctionObject,
  type RuntimeContext,
  type TraceEvent,
  type ValueState,
} from '../../src/engine/index';
import { MAX_MEMORY_STATE_SIZE } from '../../src/engine/runtime/MiniCluster';

class Count implements MapFunctionObject<{ k: string; pad?: string }, [string, number]> {
  private n!: ValueState<number>;
  private pad!: ValueState<string>;
  open(ctx: RuntimeContext): void {
    this.n = ctx.getState(new ValueStateDescriptor<number>('n'));
    this.pad = ctx.getState(new ValueStateDescriptor<string>('pad'));
  }
  map(x: { k: string; pad?: string }): [string, number] {
    const n = (this.n.value() ?? 0) + 1;
    this.n.update(n);
    if (x.pad) this.pad.update(x.pad);
    return [x.k, n];
  }
}

/** Two sources, one fast and one slow path: a slow count under small buffers = long alignments. */
function job(
  patch: Partial<CheckpointConfig>,
  opts: { records?: number; pad?: number; memory?: boolean } = {},
) {
  const n = opts.records ?? 800;
  const pad = opts.pad ? 'x'.repeat(opts.pad) : undefined;
  const parts = [[], []] as { value: { k: string; pad?: string }; timestamp: number }[][];
  for (let i = 0; i < n; i++)
    parts[i % 2].push({ value: { k: `k${i % (opts.pad ? n : 13)}`, pad }, timestamp: i });
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  env.enableCheckpointing(100, 'unaligned');
  env.configureCheckpointing(patch);
  if (opts.memory) env.setStateBackend(new MemoryStateBackend());
  env.setCostModel({ channelCapacity: 4 });
  env
    .fromSource(new ReplayableLog('in', parts), 'src', 0.5)
    .uid('src')
    .keyBy((x: { k: string }) => x.k)
    .map(new Count())
    .uid('count')
    .setProcessingTime(3)
    .addSink(new NonTransactionalSink())
    .uid('sink');
  return env.getJobGraph('Config');
}

function run(j: ReturnType<typeof job>, until?: number) {
  const events: TraceEvent[] = [];
  const mc = new MiniCluster(j, { seed: 5, trace: (e) => events.push(e), fastForward: true });
  if (until === undefined) mc.runToCompletion();
  else mc.runUntil(until);
  return { mc, events };
}

describe('aligned-checkpoint timeout', () => {
  it('starts aligned and switches to unaligned when alignment outlasts the timeout', () => {
    const { mc, events } = run(job({ alignedCheckpointTimeoutMs: 10 }));
    const done = mc.coordinator.history.filter((s) => s.status === 'COMPLETED');
    expect(done.length).toBeGreaterThan(2);
    // Under backpressure some checkpoints time out of alignment and persist in-flight data...
    const switched = done.filter((s) => s.subtasks.some((st) => st.unaligned));
    expect(switched.length).toBeGreaterThan(0);
    expect(switched.some((s) => s.persistedInFlightBytes > 0)).toBe(true);
    // ...they began aligned: channels were blocked first (never in pure unaligned mode).
    expect(events.some((e) => e.type === 'channel-blocked')).toBe(true);
    // and the switch happened no earlier than the timeout after the trigger.
    for (const s of switched)
      for (const st of s.subtasks.filter((x) => x.unaligned && !x.taskId.startsWith('src')))
        expect((st.ackTime as number) - s.triggerTime).toBeGreaterThanOrEqual(10);
  });

  it('with a generous timeout every checkpoint stays aligned (no in-flight data persisted)', () => {
    const { mc } = run(job({ alignedCheckpointTimeoutMs: 60_000 }));
    const done = mc.coordinator.history.filter((s) => s.status === 'COMPLETED');
    expect(done.length).toBeGreaterThan(2);
    for (const s of done) expect(s.persistedInFlightBytes).toBe(0);
  });

  it('pure unaligned never blocks a channel', () => {
    const { events, mc } = run(job({ alignedCheckpointTimeoutMs: 0 }));
    expect(events.some((e) => e.type === 'channel-blocked')).toBe(false);
    expect(mc.coordinator.counts.completed).toBeGreaterThan(2);
  });

  it('the final state is exact whatever the switch', () => {
    for (const timeout of [0, 5, 10, 60_000]) {
      const { mc } = run(job({ alignedCheckpointTimeoutMs: timeout }));
      const counts = mc.keyedStateByOperator().count.n as Record<string, number>;
      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(800);
    }
  });

  it('needs unaligned mode, as Flink', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.enableCheckpointing(100, 'exactly-once');
    env.configureCheckpointing({ alignedCheckpointTimeoutMs: 5 });
    env.fromElements(1).print();
    expect(() => new MiniCluster(env.getJobGraph(), { seed: 1 })).toThrow(
      /aligned-checkpoint timeout needs unaligned/,
    );
  });

  it('unaligned needs max concurrent checkpoints = 1', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.enableCheckpointing(100, 'unaligned');
    env.configureCheckpointing({ maxConcurrentCheckpoints: 2 });
    env.fromElements(1).print();
    expect(() => new MiniCluster(env.getJobGraph(), { seed: 1 })).toThrow(/max concurrent checkpoints = 1/);
  });
});

describe("MemoryStateBackend / JobManager storage's 5 MiB limit", () => {
  it('a subtask state over 5 MiB fails the checkpoint with Flink’s message, and with 0 tolerable failures the job fails over', () => {
    // ~3,000 keys with 2 KB each per subtask ≈ 6 MB.
    const { mc, events } = run(
      job({ mode: 'exactly-once' }, { records: 6000, pad: 2000, memory: true }),
      12_500,
    );
    const failed = events.filter((e) => e.type === 'checkpoint-failed');
    expect(failed.length).toBeGreaterThan(0);
    const reason = failed
      .map((e) => (e.type === 'checkpoint-failed' ? renderEnglish(e.reason) : ''))
      .find((r) => /maximum permitted/.test(r));
    // Flink 1.13+ (MemCheckpointStreamFactory.checkSize), as a 1.x/2.x TaskManager log prints it.
    expect(reason).toMatch(
      new RegExp(
        `: Size of the state is larger than the maximum permitted memory-backed state\\. Size=\\d+, maxSize=${MAX_MEMORY_STATE_SIZE}\\. ` +
          `Consider using a different checkpoint storage, like the FileSystemCheckpointStorage\\.$`,
      ),
    );
    expect(mc.failures.some((f) => /tolerable failure threshold/.test(renderEnglish(f.reason)))).toBe(true);
  });

  it('the same state in durable (filesystem) checkpoint storage checkpoints fine', () => {
    const { mc } = run(
      job({ mode: 'exactly-once', intervalMs: 4000 }, { records: 6000, pad: 2000, memory: false }),
      12_500,
    );
    expect(mc.coordinator.counts.completed).toBeGreaterThan(0);
    expect(mc.coordinator.history.some((s) => s.fullBytes > MAX_MEMORY_STATE_SIZE)).toBe(true);
  });
});
