/**
 * Savepoints as Flink defines them: triggered by the user, always aligned (even when checkpoints are
 * unaligned), owned by the user (kept by the storage however many checkpoints complete after them),
 * not used for automatic failover, and restorable into the same job or a changed one — operators are
 * matched by uid, an added operator starts empty, the state of a removed operator needs
 * allowNonRestoredState, and the max parallelism (the number of key groups) must not change.
 */
import { describe, expect, it } from 'vitest';
import {
  DurableCheckpointStorage,
  ExternalSystem,
  FsStateBackend,
  RocksDBStateBackend,
  ListStateDescriptor,
  MiniCluster,
  NonTransactionalSink,
  ReplayableLog,
  RestartStrategies,
  StreamExecutionEnvironment,
  TwoPhaseCommitSink,
  ValueStateDescriptor,
  type CheckpointedFunction,
  type CheckpointingMode,
  type CompletedCheckpoint,
  type DataStream,
  type FunctionInitializationContext,
  type JobGraph,
  type LogRecord,
  type RuntimeContext,
  type TraceEvent,
  type ValueState,
} from '../../src/engine/index';
// RestoreError is not exported from src/engine/index.ts (see the report).
import { RestoreError } from '../../src/engine/checkpointing/Checkpoints';
import { ofType } from './helpers';

interface Rec {
  k: string;
  v: number;
}

class Count {
  private n!: ValueState<number>;
  open(ctx: RuntimeContext): void {
    this.n = ctx.getState(new ValueStateDescriptor<number>('n'));
  }
  map(x: Rec): string {
    const n = (this.n.value() ?? 0) + 1;
    this.n.update(n);
    return `${x.k}:${n}`;
  }
}

/** isRestored() of every subtask of the 'added' operator (module-level: functions are copied). */
let ADDED_RESTORED: boolean[] = [];

/** A stateful operator with operator state too, added in version 2 of the job. */
class AddedCounter implements CheckpointedFunction {
  private n!: ValueState<number>;
  initializeState(ctx: FunctionInitializationContext): void {
    ctx.getOperatorStateStore().getListState(new ListStateDescriptor<number>('unused'));
    ADDED_RESTORED.push(ctx.isRestored());
  }
  snapshotState(): void {}
  open(ctx: RuntimeContext): void {
    this.n = ctx.getState(new ValueStateDescriptor<number>('seen'));
  }
  map(x: string): string {
    this.n.update((this.n.value() ?? 0) + 1);
    return x;
  }
}

const KEYS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];

function makeLog(records: number): ReplayableLog<Rec> {
  const parts: LogRecord<Rec>[][] = [[], []];
  for (let i = 0; i < records; i++)
    parts[i % 2].push({ value: { k: KEYS[i % KEYS.length], v: i }, timestamp: i });
  return new ReplayableLog('in', parts);
}

interface Shape {
  p?: number;
  countP?: number;
  maxP?: number;
  mode?: CheckpointingMode;
  intervalMs?: number;
  minPauseMs?: number;
  /** Version 1 has a stateless map 'parse' before keyBy. */
  withParse?: boolean;
  /** Version 2 adds a stateful operator 'added' after 'count'. */
  withAdded?: boolean;
  /** Version 2 drops the stateful 'count'. */
  withoutCount?: boolean;
  sink?: '2pc' | 'print';
  sinkMs?: number;
  capacity?: number;
  records?: number;
  log?: ReplayableLog<Rec>;
  /** The RocksDB-like backend with incremental checkpoints instead of FsStateBackend. */
  rocksdbIncremental?: boolean;
}

/** src (p) → [parse] → keyBy(k) → count (ValueState) → [keyBy → added] → sink; job name 'Job'. */
function countJob(s: Shape = {}): JobGraph {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(s.p ?? 2);
  if (s.maxP !== undefined) env.setMaxParallelism(s.maxP);
  env.enableCheckpointing(s.intervalMs ?? 50, s.mode ?? 'exactly-once');
  if (s.minPauseMs !== undefined) env.configureCheckpointing({ minPauseBetweenCheckpointsMs: s.minPauseMs });
  env.setStateBackend(s.rocksdbIncremental ? new RocksDBStateBackend(undefined, true) : new FsStateBackend());
  env.setRestartStrategy(RestartStrategies.fixedDelayRestart(5, 20));
  if (s.capacity !== undefined) env.setCostModel({ channelCapacity: s.capacity });
  let stream: DataStream<Rec> = env
    .fromSource(s.log ?? makeLog(s.records ?? 600), 'Source: in', 1)
    .uid('src');
  if (s.withParse) stream = stream.map((r: Rec) => r).uid('parse');
  let out: DataStream<string>;
  if (s.withoutCount) out = stream.map((r: Rec) => `${r.k}:raw`).uid('format');
  else {
    const counted = stream
      .keyBy((r: Rec) => r.k)
      .map(new Count())
      .uid('count');
    if (s.countP !== undefined) counted.setParallelism(s.countP);
    out = counted;
  }
  if (s.withAdded)
    out = out
      .keyBy((x: string) => x.split(':')[0])
      .map(new AddedCounter())
      .uid('added');
  const sink = out
    .addSink(s.sink === 'print' ? new NonTransactionalSink<string>() : new TwoPhaseCommitSink<string>())
    .uid('sink');
  if (s.countP !== undefined) sink.setParallelism(1);
  const job = env.getJobGraph('Job');
  if (s.sinkMs !== undefined)
    for (const v of job.vertices) if (v.spec.kind === 'sink') v.processingTimeMs = s.sinkMs;
  return job;
}

function start(
  job: JobGraph,
  o: {
    storage?: DurableCheckpointStorage;
    restoreFrom?: CompletedCheckpoint;
    allowNonRestoredState?: boolean;
    seed?: number;
    incarnation?: number;
    trace?: boolean;
  } = {},
) {
  const events: TraceEvent[] = [];
  const storage = o.storage ?? new DurableCheckpointStorage();
  const cluster = new MiniCluster(job, {
    seed: o.seed ?? 21,
    trace: o.trace === false ? null : (e) => events.push(e),
    checkpointStorage: storage,
    external: new ExternalSystem(),
    restoreFrom: o.restoreFrom,
    allowNonRestoredState: o.allowNonRestoredState,
    incarnation: o.incarnation,
  });
  return { cluster, events, storage };
}

/** Triggers a savepoint at `at` and runs until it completed. */
function savepointAt(
  cluster: MiniCluster,
  storage: DurableCheckpointStorage,
  at: number,
): CompletedCheckpoint {
  cluster.runUntil(at);
  const before = new Set(storage.list(cluster.jobName).map((c) => c.checkpointId));
  const id = cluster.triggerSavepoint();
  for (let guard = 0; guard < 2000; guard++) {
    const sp = storage
      .list(cluster.jobName)
      .find(
        (c) =>
          c.kind === 'savepoint' && !before.has(c.checkpointId) && (id === null || c.checkpointId === id),
      );
    if (sp) return sp;
    cluster.runUntil(cluster.now + 1);
  }
  throw new Error(`savepoint ${id} did not complete`);
}

function countsAt(cp: CompletedCheckpoint, uid: string, state: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of cp.tasks.filter((x) => x.operatorUid === uid)) {
    const ks = t.keyedState;
    // (heap backend: a full snapshot per key group; RocksDB's incremental handles are not read here)
    if (!ks || !('keyGroups' in ks)) throw new Error(`'${uid}' has no full keyed-state snapshot`);
    for (const kg of ks.keyGroups)
      for (const [k, v] of (kg.states[state]?.entries ?? []) as Array<[string, number]>) out[k] = v;
  }
  return out;
}

function expectedCounts(records: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < records; i++) out[KEYS[i % KEYS.length]] = (out[KEYS[i % KEYS.length]] ?? 0) + 1;
  return out;
}

describe('triggering a savepoint', () => {
  it("completes with kind 'savepoint', is stored, and the trace says so", () => {
    const { cluster, events, storage } = start(countJob());
    const sp = savepointAt(cluster, storage, 120);
    expect(sp.kind).toBe('savepoint');
    expect(sp.jobName).toBe('Job');
    expect(sp.stats.status).toBe('COMPLETED');
    // One snapshot per operator subtask (operator state is kept per uid, whatever the chaining).
    expect(sp.tasks).toHaveLength(cluster.job.vertices.reduce((n, v) => n + v.parallelism, 0));
    const triggered = ofType(events, 'checkpoint-triggered').find((e) => e.checkpointId === sp.checkpointId);
    expect(triggered?.kind).toBe('savepoint');
    expect(ofType(events, 'checkpoint-completed').map((e) => e.checkpointId)).toContain(sp.checkpointId);
    // Its state is consistent: counts per key match the source offsets it recorded.
    const offsets = sp.tasks
      .filter((t) => t.operatorUid === 'src')
      .map((t) => t.operatorState?.sourceOffsets?.[0].offset ?? 0);
    const counts = countsAt(sp, 'count', 'n');
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(offsets.reduce((a, b) => a + b, 0));
  });

  it('is kept by the storage while later checkpoints complete (checkpoints retained: 1); failover ignores it', () => {
    const storage = new DurableCheckpointStorage(1);
    const { cluster, events } = start(countJob(), { storage });
    const sp = savepointAt(cluster, storage, 100);
    cluster.runUntil(500);
    const completedAfter = ofType(events, 'checkpoint-completed').filter(
      (e) => e.checkpointId > sp.checkpointId,
    );
    expect(completedAfter.length).toBeGreaterThanOrEqual(3);
    const kept = storage.list('Job');
    expect(kept.map((c) => c.kind).sort()).toEqual(['checkpoint', 'savepoint']);
    expect(kept.find((c) => c.kind === 'savepoint')?.checkpointId).toBe(sp.checkpointId);
    expect(storage.latest('Job')?.kind).toBe('checkpoint');
    expect(cluster.coordinator.latestCompleted?.kind).toBe('checkpoint');
  });

  it('a savepoint asked for while a checkpoint runs is queued (null) and starts right after it', () => {
    const { cluster, events, storage } = start(countJob({ intervalMs: 50 }));
    // Run to the first checkpoint trigger, then ask for a savepoint while it is pending.
    while (cluster.coordinator.numPending === 0) cluster.step();
    const running = cluster.coordinator.pendingIds()[0];
    expect(cluster.triggerSavepoint()).toBeNull();
    cluster.runUntil(cluster.now + 100);
    const triggered = ofType(events, 'checkpoint-triggered');
    const completedRunning = ofType(events, 'checkpoint-completed').find((e) => e.checkpointId === running);
    const sp = triggered.find((e) => e.kind === 'savepoint');
    expect(sp?.checkpointId).toBe(running + 1);
    expect(sp?.t).toBe(completedRunning?.t);
    expect(storage.list('Job').some((c) => c.kind === 'savepoint' && c.checkpointId === running + 1)).toBe(
      true,
    );
  });

  it('is always aligned, even when checkpoints are unaligned: no priority barriers, no in-flight data', () => {
    // Backpressure (a slow sink, small buffers) so that the unaligned checkpoints do persist data.
    const { cluster, events, storage } = start(
      countJob({ mode: 'unaligned', intervalMs: 40, sinkMs: 2, capacity: 4, sink: 'print' }),
    );
    const sp = savepointAt(cluster, storage, 150);
    cluster.runUntil(400);
    const cps = cluster.coordinator.history.filter(
      (s) => s.status === 'COMPLETED' && s.id !== sp.checkpointId,
    );
    // The checkpoints around it are unaligned and persisted records...
    expect(cps.some((s) => s.persistedInFlightBytes > 0)).toBe(true);
    expect(ofType(events, 'barrier-sent').some((e) => e.priority && e.checkpointId !== sp.checkpointId)).toBe(
      true,
    );
    // ... the savepoint is aligned.
    const spBarriers = ofType(events, 'barrier-sent').filter((e) => e.checkpointId === sp.checkpointId);
    expect(spBarriers.length).toBeGreaterThan(0);
    for (const b of spBarriers) expect(b.priority).toBe(false);
    expect(sp.stats.persistedInFlightBytes).toBe(0);
    for (const s of sp.stats.subtasks) {
      expect(s.unaligned).toBe(false);
      expect(s.persistedInFlightBytes).toBe(0);
    }
    for (const t of sp.tasks) {
      expect(t.inputChannelState).toEqual([]);
      expect(t.outputChannelState).toEqual([]);
    }
    // Aligned: tasks with several inputs blocked channels for it.
    expect(ofType(events, 'channel-blocked').some((e) => e.checkpointId === sp.checkpointId)).toBe(true);
    expect(ofType(events, 'alignment-completed').some((e) => e.checkpointId === sp.checkpointId)).toBe(true);
  });

  it.each(['exactly-once', 'at-least-once', 'unaligned', 'stop-the-world', 'chandy-lamport'] as const)(
    'in %s mode a savepoint is aligned barriers, holds no in-flight data, and restores to the exact result',
    (mode) => {
      const storage = new DurableCheckpointStorage();
      const first = start(countJob({ mode, intervalMs: 40, sink: 'print' }), { storage });
      const sp = savepointAt(first.cluster, storage, 130);
      expect(sp.stats.persistedInFlightBytes).toBe(0);
      expect(
        ofType(first.events, 'barrier-sent').filter((e) => e.checkpointId === sp.checkpointId && e.priority),
      ).toEqual([]);
      // Every subtask's barrier: no stop-the-world pause for a savepoint.
      expect(
        ofType(first.events, 'sources-paused').filter((e) => e.checkpointId === sp.checkpointId),
      ).toEqual([]);
      const second = start(countJob({ mode, intervalMs: 40, sink: 'print' }), { storage, restoreFrom: sp });
      second.cluster.runToCompletion();
      expect(second.cluster.keyedStateByOperator().count.n).toEqual(expectedCounts(600));
    },
  );

  it('a failover after a savepoint restores from the latest checkpoint, not from the savepoint', () => {
    const { cluster, events, storage } = start(countJob({ intervalMs: 200, minPauseMs: 150 }));
    cluster.runUntil(230);
    const cpBefore = storage.latest('Job') as CompletedCheckpoint;
    expect(cpBefore.kind).toBe('checkpoint');
    const sp = savepointAt(cluster, storage, 230);
    expect(sp.checkpointId).toBeGreaterThan(cpBefore.checkpointId);
    cluster.scheduleTaskFailure('count#0', cluster.now + 5);
    cluster.runUntil(cluster.now + 60);
    const restored = ofType(events, 'task-restored');
    expect(restored.length).toBe(cluster.tasks.length);
    for (const e of restored) expect(e.checkpointId).toBe(cpBefore.checkpointId);
    cluster.runToCompletion();
    expect(cluster.keyedStateByOperator().count.n).toEqual(expectedCounts(600));
  });

  it('a savepoint commits no side effects (Flink 1.15+), so a failover after it keeps the 2PC output exact', () => {
    // Flink (CheckpointCoordinator.cleanupAfterCompletedCheckpoint): `if (!props.isSavepoint() ||
    // props.isSynchronous())` sendAcknowledgeMessages — tasks get notifyCheckpointComplete for
    // checkpoints only, not for (intermediate) savepoints, because failover never restores a
    // savepoint. Were the savepoint notified, the two-phase-commit sink would commit the
    // transactions up to it, the failover would restore the older checkpoint and the records
    // between the two would be committed a second time.
    const { cluster, events, storage } = start(countJob({ intervalMs: 200, minPauseMs: 150 }));
    cluster.runUntil(230);
    const sp = savepointAt(cluster, storage, 230);
    cluster.scheduleTaskFailure('count#0', cluster.now + 30);
    cluster.runToCompletion();
    const committed = cluster.external.committedValues('sink') as string[];
    expect(committed.length - new Set(committed).size).toBe(0);
    expect(committed).toHaveLength(600);
    expect(ofType(events, 'checkpoint-notified').filter((e) => e.checkpointId === sp.checkpointId)).toEqual(
      [],
    );
  });
});

describe('restoring a savepoint into a changed job', () => {
  it('the same job restores every operator and ends with the exact state (ids continue after the savepoint)', () => {
    const storage = new DurableCheckpointStorage();
    const first = start(countJob(), { storage });
    const sp = savepointAt(first.cluster, storage, 150);
    const second = start(countJob(), { storage, restoreFrom: sp, incarnation: 1 });
    const restored = ofType(second.events, 'task-restored');
    expect(restored).toHaveLength(second.cluster.tasks.length);
    for (const e of restored) expect(e.checkpointId).toBe(sp.checkpointId);
    second.cluster.runToCompletion();
    expect(second.cluster.keyedStateByOperator().count.n).toEqual(expectedCounts(600));
    const ids = ofType(second.events, 'checkpoint-triggered').map((e) => e.checkpointId);
    expect(Math.min(...ids)).toBe(sp.checkpointId + 1);
  });

  it('an added operator starts with empty state; the others are restored', () => {
    ADDED_RESTORED = [];
    const storage = new DurableCheckpointStorage();
    const first = start(countJob(), { storage });
    const sp = savepointAt(first.cluster, storage, 150);
    const atSavepoint = countsAt(sp, 'count', 'n');
    expect(Object.keys(atSavepoint).length).toBe(KEYS.length);
    const second = start(countJob({ withAdded: true }), { storage, restoreFrom: sp, incarnation: 1 });
    second.cluster.runToCompletion();
    const state = second.cluster.keyedStateByOperator();
    const total = expectedCounts(600);
    expect(state.count.n).toEqual(total);
    // 'added' saw only the records after the savepoint.
    const sinceSavepoint = Object.fromEntries(KEYS.map((k) => [k, total[k] - (atSavepoint[k] ?? 0)]));
    expect(state.added.seen).toEqual(sinceSavepoint);
    expect(sp.tasks.some((t) => t.operatorUid === 'added')).toBe(false);
  });

  it("an added operator's isRestored() is false: it has nothing to restore (as Flink)", () => {
    // Flink's StateAssignmentOperation skips tasks none of whose operators has state in the
    // snapshot ("skip tasks where no operator has any state"): they get no JobManagerTaskRestore,
    // so StateInitializationContext.isRestored() is false.
    ADDED_RESTORED = [];
    const storage = new DurableCheckpointStorage();
    const first = start(countJob(), { storage });
    const sp = savepointAt(first.cluster, storage, 150);
    start(countJob({ withAdded: true }), { storage, restoreFrom: sp, incarnation: 1 });
    expect(ADDED_RESTORED).toHaveLength(2);
    expect(ADDED_RESTORED).toEqual([false, false]);
  });

  it('a removed stateful operator is a RestoreError naming its uid', () => {
    const storage = new DurableCheckpointStorage();
    const first = start(countJob(), { storage });
    const sp = savepointAt(first.cluster, storage, 150);
    let error: unknown = null;
    try {
      start(countJob({ withoutCount: true }), { storage, restoreFrom: sp });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RestoreError);
    expect((error as Error).name).toBe('RestoreError');
    expect((error as Error).message).toContain("operator 'count'");
    expect((error as Error).message).toContain(`savepoint ${sp.checkpointId}`);
    expect((error as Error).message).toContain('allowNonRestoredState');
  });

  it("allowNonRestoredState: true skips the removed operator's state and restores the rest", () => {
    const storage = new DurableCheckpointStorage();
    const first = start(countJob(), { storage });
    const sp = savepointAt(first.cluster, storage, 150);
    const offsets = sp.tasks
      .filter((t) => t.operatorUid === 'src')
      .map((t) => t.operatorState?.sourceOffsets);
    const second = start(countJob({ withoutCount: true, sink: 'print' }), {
      storage,
      restoreFrom: sp,
      allowNonRestoredState: true,
    });
    const restoredSrc = ofType(second.events, 'task-restored').filter((e) => e.task.startsWith('src#'));
    expect(restoredSrc.map((e) => e.offsets)).toEqual(offsets);
    second.cluster.runToCompletion();
    // The sources went on from the savepoint's offsets: only the rest of the log was read.
    const read = offsets.reduce((n, o) => n + (o?.[0].offset ?? 0), 0);
    expect(second.cluster.external.committedValues('sink')).toHaveLength(600 - read);
  });

  it('a removed stateless operator needs no flag', () => {
    const storage = new DurableCheckpointStorage();
    const first = start(countJob({ withParse: true }), { storage });
    const sp = savepointAt(first.cluster, storage, 150);
    expect(sp.tasks.some((t) => t.operatorUid === 'parse')).toBe(true);
    const second = start(countJob(), { storage, restoreFrom: sp, incarnation: 1 });
    second.cluster.runToCompletion();
    expect(second.cluster.keyedStateByOperator().count.n).toEqual(expectedCounts(600));
  });

  it('an explicitly changed maxParallelism is a RestoreError naming the operator and both values', () => {
    const storage = new DurableCheckpointStorage();
    const first = start(countJob({ maxP: 128 }), { storage });
    const sp = savepointAt(first.cluster, storage, 150);
    expect(() => start(countJob({ maxP: 256 }), { storage, restoreFrom: sp })).toThrow(RestoreError);
    expect(() => start(countJob({ maxP: 256 }), { storage, restoreFrom: sp })).toThrow(
      /'src'.*128.*256|'count'.*128.*256/,
    );
    // The same max parallelism with another parallelism is fine.
    expect(() =>
      start(countJob({ maxP: 128, p: 3 }), { storage, restoreFrom: sp, incarnation: 1 }),
    ).not.toThrow();
  });

  it("a max parallelism derived from the parallelism (not set by the user) adopts the savepoint's (as Flink)", () => {
    // Flink's StateAssignmentOperation.checkParallelismPreconditions: when the max parallelism
    // differs and executionJobVertex.canRescaleMaxParallelism(restored) — i.e. the user did not set
    // it — Flink sets the vertex's max parallelism to the restored one. Default max parallelism is
    // 128 for p = 2 but 256 for p = 100 (roundUpToPowerOfTwo(p + p/2)), so scaling a job without an
    // explicit max parallelism from 2 to 100 works.
    const storage = new DurableCheckpointStorage();
    const first = start(countJob({ records: 300 }), { storage, trace: false });
    const sp = savepointAt(first.cluster, storage, 100);
    const job = countJob({ records: 300, countP: 100 });
    expect(job.vertices.find((v) => v.uid === 'count')?.maxParallelism).toBe(256);
    let second: ReturnType<typeof start> | null = null;
    expect(() => {
      second = start(job, { storage, restoreFrom: sp, incarnation: 1, trace: false });
    }).not.toThrow();
    const cluster = (second as ReturnType<typeof start> | null)?.cluster;
    cluster?.runToCompletion();
    expect(cluster?.keyedStateByOperator().count.n).toEqual(expectedCounts(300));
  });

  it('an unaligned checkpoint with in-flight data cannot be restored at another parallelism (clear RestoreError)', () => {
    // A documented simulator limit (Flink rescales unaligned checkpoints since 1.13).
    const storage = new DurableCheckpointStorage(100);
    const { cluster } = start(
      countJob({ mode: 'unaligned', intervalMs: 40, sinkMs: 2, capacity: 4, sink: 'print' }),
      {
        storage,
      },
    );
    cluster.runUntil(300);
    const withInFlight = storage
      .list('Job')
      .find((c) => c.tasks.some((t) => t.inputChannelState.length > 0 || t.outputChannelState.length > 0));
    expect(withInFlight).toBeDefined();
    expect(() =>
      start(countJob({ mode: 'unaligned', p: 3, sink: 'print' }), { storage, restoreFrom: withInFlight }),
    ).toThrow(/in-flight channel state/);
  });
});

describe('restoring into a new MiniCluster that shares the external system', () => {
  it('two-phase-commit transaction ids never repeat, so every row of the new cluster is committed', () => {
    // A new MiniCluster restored from a savepoint must not name its sink transactions like the
    // ones the first cluster already committed: SinkOperator.commit() skips an id that is in
    // committedTransactions, so the new rows would be lost (the bug: ids were e<incarnation>a<attempt>,
    // both 0/1 again in a second MiniCluster).
    const storage = new DurableCheckpointStorage();
    const external = new ExternalSystem();
    const first = new MiniCluster(countJob(), { seed: 1, checkpointStorage: storage, external });
    const sp = savepointAt(first, storage, 120);
    const second = new MiniCluster(countJob({ p: 3 }), {
      seed: 2,
      checkpointStorage: storage,
      external,
      restoreFrom: sp,
    });
    second.runToCompletion();
    expect(second.keyedStateByOperator().count.n).toEqual(expectedCounts(600));
    const committed = external.committedValues('sink') as string[];
    expect(new Set(committed).size).toBe(committed.length);
    expect(committed).toHaveLength(600);
  });

  it('with incremental RocksDB checkpoints, a new cluster sharing the storage uses new SST file ids', () => {
    // RocksDBKeyedStateBackend files are named `<ownerId>-NNNNNN.sst`; the owner id is unique per
    // deployment (drawn from the external system), so a second MiniCluster restored from a savepoint
    // into the same durable storage never reuses an id the SharedStateRegistry already holds.
    const storage = new DurableCheckpointStorage();
    const external = new ExternalSystem();
    const first = new MiniCluster(countJob({ rocksdbIncremental: true, intervalMs: 20 }), {
      seed: 1,
      checkpointStorage: storage,
      external,
    });
    const sp = savepointAt(first, storage, 120);
    const second = new MiniCluster(countJob({ rocksdbIncremental: true, intervalMs: 20 }), {
      seed: 2,
      checkpointStorage: storage,
      external,
      restoreFrom: sp,
    });
    expect(() => second.runToCompletion()).not.toThrow();
    expect(second.keyedStateByOperator().count.n).toEqual(expectedCounts(600));
  });
});

describe('deleting a savepoint', () => {
  it('a savepoint stays until the user deletes it; deleting leaves checkpoints alone', () => {
    const storage = new DurableCheckpointStorage();
    const sp = {
      jobName: 'J',
      checkpointId: 7,
      kind: 'savepoint' as const,
      mode: 'exactly-once' as const,
      triggerTime: 0,
      completionTime: 1,
      tasks: [],
      stats: {} as never,
    };
    storage.store(sp, () => {});
    storage.store({ ...sp, checkpointId: 8, kind: 'checkpoint' }, () => {});
    storage.store({ ...sp, checkpointId: 9, kind: 'checkpoint' }, () => {});
    expect(storage.list('J').map((c) => `${c.kind}:${c.checkpointId}`)).toEqual([
      'savepoint:7',
      'checkpoint:9',
    ]);
    expect(storage.deleteSavepoint('J', 9)).toBe(false);
    expect(storage.deleteSavepoint('J', 7)).toBe(true);
    expect(storage.list('J').map((c) => `${c.kind}:${c.checkpointId}`)).toEqual(['checkpoint:9']);
  });
});
