/**
 * Operator (non-keyed) state through Flink's CheckpointedFunction: `initializeState` (with
 * `isRestored()`) and `snapshotState`; `getListState` (even-split redistribution) and
 * `getUnionListState` (union redistribution). Restoring at the same parallelism keeps each subtask's
 * list; restoring with another parallelism redistributes exactly as Flink's
 * RoundRobinOperatorStateRepartitioner: the lists of all old subtasks concatenated in subtask order
 * and cut into contiguous chunks, total/newP each, the first total%newP one more.
 */
import { renderEnglish } from '../../src/engine/messages/Message';
import { describe, expect, it } from 'vitest';
import {
  DurableCheckpointStorage,
  ExternalSystem,
  FsStateBackend,
  ListStateDescriptor,
  MiniCluster,
  NonTransactionalSink,
  ReplayableLog,
  RestartStrategies,
  StreamExecutionEnvironment,
  type CheckpointedFunction,
  type CompletedCheckpoint,
  type FunctionInitializationContext,
  type FunctionSnapshotContext,
  type JobGraph,
  type ListState,
  type LogRecord,
  type MapFunctionObject,
  type RuntimeContext,
  type TraceEvent,
} from '../../src/engine/index';
import { ofType, type Ev } from './helpers';

/** What each subtask saw in open(), after initializeState. Module-level (functions are copied per subtask). */
interface Init {
  run: string;
  subtask: number;
  parallelism: number;
  attempt: number;
  restored: boolean;
  split: number[];
  union: string[];
}
let INITS: Init[] = [];
let RUN = 'a';

/**
 * Buffers every value it maps (Flink's BufferingSink pattern): the buffer is split list state
 * 'buffer'; every subtask also writes one tag `s<i>:<buffer size>` to the union list state 'tags'.
 */
class Buffering implements MapFunctionObject<number, number>, CheckpointedFunction {
  private buffer: number[] = [];
  private split!: ListState<number>;
  private union!: ListState<string>;
  private restored = false;
  private subtask = -1;
  constructor(
    private readonly options: {
      registerUnion?: boolean;
      registerBuffer?: boolean;
      unionForBuffer?: boolean;
      alsoUnionOfBuffer?: boolean;
    } = {},
  ) {}
  initializeState(ctx: FunctionInitializationContext): void {
    const store = ctx.getOperatorStateStore();
    const d = new ListStateDescriptor<number>('buffer');
    if (this.options.registerBuffer !== false)
      this.split = this.options.unionForBuffer ? store.getUnionListState(d) : store.getListState(d);
    if (this.options.alsoUnionOfBuffer) store.getUnionListState(d);
    if (this.options.registerUnion !== false)
      this.union = store.getUnionListState(new ListStateDescriptor<string>('tags'));
    this.restored = ctx.isRestored();
    this.buffer = this.split ? [...this.split.get()] : [];
  }
  open(ctx: RuntimeContext): void {
    this.subtask = ctx.getIndexOfThisSubtask();
    INITS.push({
      run: RUN,
      subtask: this.subtask,
      parallelism: ctx.getNumberOfParallelSubtasks(),
      attempt: ctx.getAttemptNumber(),
      restored: this.restored,
      split: this.split ? [...this.split.get()] : [],
      union: this.union ? [...this.union.get()] : [],
    });
  }
  map(x: number): number {
    this.buffer.push(x);
    return x;
  }
  snapshotState(_ctx: FunctionSnapshotContext): void {
    this.split?.update(this.buffer.slice());
    this.union?.update([`s${this.subtask}:${this.buffer.length}`]);
  }
}

interface JobOptions {
  p: number;
  records?: number;
  fn?: () => Buffering;
  checkpointMs?: number;
  name?: string;
}

/** source (p=1, one record per ms) → rebalance → Buffering 'buffer' (p) → print sink (p=1). */
function bufferingJob(o: JobOptions): JobGraph {
  const n = o.records ?? 200;
  const part: LogRecord<number>[] = Array.from({ length: n }, (_, i) => ({ value: i, timestamp: i }));
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.enableCheckpointing(o.checkpointMs ?? 40).setStateBackend(new FsStateBackend());
  env.setRestartStrategy(RestartStrategies.fixedDelayRestart(5, 10));
  env
    .fromSource(new ReplayableLog('numbers', [part]), 'Source: numbers', 1)
    .uid('src')
    .setParallelism(1)
    .rebalance()
    .map((o.fn ?? (() => new Buffering()))())
    .uid('buffer')
    .setParallelism(o.p)
    .rebalance()
    .addSink(new NonTransactionalSink<number>())
    .uid('sink')
    .setParallelism(1);
  return env.getJobGraph(o.name ?? 'OperatorState');
}

function start(
  job: JobGraph,
  run: string,
  opts: { storage: DurableCheckpointStorage; restoreFrom?: CompletedCheckpoint; seed?: number },
) {
  RUN = run;
  const events: TraceEvent[] = [];
  const cluster = new MiniCluster(job, {
    seed: opts.seed ?? 11,
    trace: (e) => events.push(e),
    checkpointStorage: opts.storage,
    external: new ExternalSystem(),
    restoreFrom: opts.restoreFrom,
  });
  return { cluster, events };
}

/**
 * Triggers a savepoint at `at` and runs until it completed; returns it. (triggerSavepoint returns
 * null when a checkpoint is running: the savepoint then starts right after it, under an id the
 * caller learns only from the trace or the storage.)
 */
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
  throw new Error(`savepoint ${id} did not complete (job ${cluster.jobStatus})`);
}

function oldLists(cp: CompletedCheckpoint, name: string): unknown[][] {
  return cp.tasks
    .filter((t) => t.operatorUid === 'buffer')
    .sort((a, b) => a.subtaskIndex - b.subtaskIndex)
    .map((t) => t.operatorState?.lists?.[name]?.items ?? []);
}

/** Flink's RoundRobinOperatorStateRepartitioner for one split list, written out independently. */
function roundRobinChunks<T>(all: T[], newP: number): T[][] {
  const base = Math.floor(all.length / newP);
  let remainder = all.length % newP;
  const out: T[][] = [];
  let pos = 0;
  for (let i = 0; i < newP; i++) {
    let n = base;
    if (remainder > 0) {
      n++;
      remainder--;
    }
    out.push(all.slice(pos, pos + n));
    pos += n;
  }
  return out;
}

function initsOf(run: string): Init[] {
  return INITS.filter((i) => i.run === run).sort((a, b) => a.subtask - b.subtask);
}

describe('CheckpointedFunction: fresh start', () => {
  it('initializeState runs before open(); isRestored() is false and the lists are empty', () => {
    INITS = [];
    const storage = new DurableCheckpointStorage();
    const { cluster } = start(bufferingJob({ p: 3 }), 'fresh', { storage });
    cluster.runUntil(5);
    const inits = initsOf('fresh');
    expect(inits.map((i) => i.subtask)).toEqual([0, 1, 2]);
    for (const i of inits) {
      expect(i.restored).toBe(false);
      expect(i.split).toEqual([]);
      expect(i.union).toEqual([]);
      expect(i.parallelism).toBe(3);
    }
  });

  it("the checkpoint holds each subtask's lists with their redistribution mode", () => {
    INITS = [];
    const storage = new DurableCheckpointStorage();
    const { cluster } = start(bufferingJob({ p: 2 }), 'cp', { storage });
    cluster.runUntil(120);
    const cp = storage.latest('OperatorState') as CompletedCheckpoint;
    expect(cp).not.toBeNull();
    const tasks = cp.tasks
      .filter((t) => t.operatorUid === 'buffer')
      .sort((a, b) => a.subtaskIndex - b.subtaskIndex);
    expect(tasks).toHaveLength(2);
    let total = 0;
    for (const t of tasks) {
      const lists = t.operatorState?.lists ?? {};
      expect(Object.keys(lists).sort()).toEqual(['buffer', 'tags']);
      expect(lists.buffer.mode).toBe('split');
      expect(lists.tags.mode).toBe('union');
      expect(lists.tags.items).toEqual([`s${t.subtaskIndex}:${lists.buffer.items.length}`]);
      total += lists.buffer.items.length;
    }
    // Every value the source had emitted before its barrier is in exactly one subtask's buffer.
    const offset = cp.tasks.find((t) => t.operatorUid === 'src')?.operatorState?.sourceOffsets?.[0]
      .offset as number;
    expect(total).toBe(offset);
    expect(
      oldLists(cp, 'buffer')
        .flat()
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: offset }, (_, i) => i));
  });
});

describe('CheckpointedFunction: restore at the same parallelism (failover)', () => {
  it("every subtask gets back its own split list and everyone's union list; isRestored() is true", () => {
    INITS = [];
    const storage = new DurableCheckpointStorage(100);
    const { cluster, events } = start(bufferingJob({ p: 3 }), 'failover', { storage });
    cluster.scheduleTaskFailure('buffer#1', 130);
    cluster.runUntil(400);
    const restoredEv = ofType(events, 'task-restored').find(
      (e) => e.task === 'buffer#1',
    ) as Ev<'task-restored'>;
    expect(restoredEv.checkpointId).not.toBeNull();
    const cp = storage
      .list('OperatorState')
      .find((c) => c.checkpointId === restoredEv.checkpointId) as CompletedCheckpoint;
    const before = oldLists(cp, 'buffer');
    expect(before.flat().length).toBeGreaterThan(30);
    const tags = oldLists(cp, 'tags').flat();
    expect(tags).toHaveLength(3);
    const after = initsOf('failover').filter((i) => i.attempt === 1);
    expect(after.map((i) => i.subtask)).toEqual([0, 1, 2]);
    for (const i of after) {
      expect(i.restored).toBe(true);
      expect(i.split).toEqual(before[i.subtask]);
      expect(i.union).toEqual(tags);
    }
  });

  it('isRestored() is false after a failover that had no checkpoint to restore', () => {
    INITS = [];
    const storage = new DurableCheckpointStorage();
    const { cluster, events } = start(bufferingJob({ p: 2, checkpointMs: 10_000 }), 'nocp', { storage });
    cluster.scheduleTaskFailure('buffer#0', 30);
    cluster.runUntil(200);
    expect(ofType(events, 'checkpoint-completed')).toHaveLength(0);
    const after = initsOf('nocp').filter((i) => i.attempt === 1);
    expect(after).toHaveLength(2);
    for (const i of after) {
      expect(i.restored).toBe(false);
      expect(i.split).toEqual([]);
    }
  });
});

describe('CheckpointedFunction: rescaling', () => {
  const cases: Array<[number, number]> = [
    [3, 2],
    [3, 4],
    [3, 1],
    [2, 5],
    [1, 3],
    [4, 4],
  ];
  it.each(cases)(
    'savepoint at p=%i restored at p=%i: split lists in round-robin chunks, union lists whole',
    (p1, p2) => {
      INITS = [];
      const storage = new DurableCheckpointStorage();
      const first = start(bufferingJob({ p: p1, records: 300 }), `r${p1}`, { storage });
      const sp = savepointAt(first.cluster, storage, 97);
      const old = oldLists(sp, 'buffer') as number[][];
      const all = old.flat();
      expect(all.length).toBeGreaterThan(50);
      const tags = oldLists(sp, 'tags').flat() as string[];
      expect(tags).toEqual(old.map((l, i) => `s${i}:${l.length}`));

      start(bufferingJob({ p: p2, records: 300 }), `to${p2}`, { storage, restoreFrom: sp }).cluster.runUntil(
        sp.completionTime + 5,
      );
      const inits = initsOf(`to${p2}`);
      expect(inits.map((i) => i.subtask)).toEqual(Array.from({ length: p2 }, (_, i) => i));
      const chunks = roundRobinChunks(all, p2);
      const base = Math.floor(all.length / p2);
      for (const i of inits) {
        expect(i.restored).toBe(true);
        expect(i.parallelism).toBe(p2);
        if (p1 === p2) expect(i.split).toEqual(old[i.subtask]);
        else {
          expect(i.split).toEqual(chunks[i.subtask]);
          expect(i.split.length).toBe(base + (i.subtask < all.length % p2 ? 1 : 0));
        }
        expect(i.union).toEqual(tags);
      }
      // Nothing lost, nothing duplicated.
      expect(inits.flatMap((i) => i.split).sort((a, b) => a - b)).toEqual([...all].sort((a, b) => a - b));
    },
  );

  it('a retained checkpoint (not only a savepoint) can be restored with another parallelism', () => {
    INITS = [];
    const storage = new DurableCheckpointStorage();
    const first = start(bufferingJob({ p: 2 }), 'ck2', { storage });
    first.cluster.runUntil(150);
    const cp = storage.latest('OperatorState') as CompletedCheckpoint;
    expect(cp.kind).toBe('checkpoint');
    const all = oldLists(cp, 'buffer').flat() as number[];
    start(bufferingJob({ p: 3 }), 'ck3', { storage, restoreFrom: cp }).cluster.runUntil(
      cp.completionTime + 5,
    );
    const chunks = roundRobinChunks(all, 3);
    for (const i of initsOf('ck3')) expect(i.split).toEqual(chunks[i.subtask]);
  });

  it('a restored subtask keeps its chunk and adds new values: the next checkpoint holds both', () => {
    INITS = [];
    const storage = new DurableCheckpointStorage(100);
    const first = start(bufferingJob({ p: 3, records: 300 }), 'grow3', { storage });
    const sp = savepointAt(first.cluster, storage, 60);
    const second = start(bufferingJob({ p: 2, records: 300 }), 'grow2', { storage, restoreFrom: sp });
    second.cluster.runToCompletion();
    const last = storage.latest('OperatorState') as CompletedCheckpoint;
    expect(last.checkpointId).toBeGreaterThan(sp.checkpointId);
    const lists = oldLists(last, 'buffer') as number[][];
    // Every record 0..299 in exactly one list: the savepoint's chunks plus what was read afterwards.
    expect(lists.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    const restored = initsOf('grow2');
    for (const i of restored) for (const v of i.split) expect(lists[i.subtask]).toContain(v);
  });
});

describe('CheckpointedFunction: registration errors', () => {
  it('one name cannot be both split and union list state: the task fails with a clear error', () => {
    INITS = [];
    const storage = new DurableCheckpointStorage();
    const job = bufferingJob({ p: 1, fn: () => new Buffering({ alsoUnionOfBuffer: true }) });
    (job as { restartStrategy: unknown }).restartStrategy = RestartStrategies.noRestart();
    const { cluster, events } = start(job, 'both', { storage });
    cluster.runUntil(50);
    const failed = ofType(events, 'task-failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].task).toBe('buffer#0');
    expect(renderEnglish(failed[0].reason)).toContain(
      "operator state 'buffer' is registered as split list state, not union",
    );
  });

  it('a split list restored as union list state fails the task (the mode is part of the snapshot)', () => {
    INITS = [];
    const storage = new DurableCheckpointStorage();
    const first = start(bufferingJob({ p: 2 }), 'mode1', { storage });
    const sp = savepointAt(first.cluster, storage, 60);
    const job = bufferingJob({ p: 2, fn: () => new Buffering({ unionForBuffer: true }) });
    (job as { restartStrategy: unknown }).restartStrategy = RestartStrategies.noRestart();
    const { cluster, events } = start(job, 'mode2', { storage, restoreFrom: sp });
    cluster.runUntil(cluster.now + 20);
    const failed = ofType(events, 'task-failed');
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(renderEnglish(failed[0].reason)).toContain(
      "operator state 'buffer' was checkpointed as split list state, not union",
    );
  });
});

describe('CheckpointedFunction: state the new version does not use', () => {
  it('restored list state the function does not register again is carried over to later snapshots (as Flink)', () => {
    // Flink's OperatorStateRestoreOperation puts every restored state into the backend's
    // registeredOperatorStates, and snapshots write all registered states: a state a job version
    // does not access is carried over, so a later version can still read it. A split list stays
    // with its subtask (same parallelism); a union list was restored whole into every subtask, so
    // every subtask writes the whole list back (Flink users clear union state they do not want).
    INITS = [];
    const storage = new DurableCheckpointStorage(100);
    const first = start(bufferingJob({ p: 2 }), 'v1', { storage });
    const sp1 = savepointAt(first.cluster, storage, 60);
    const tags1 = oldLists(sp1, 'tags').flat();
    expect(tags1).toHaveLength(2);
    const v2 = start(
      bufferingJob({ p: 2, fn: () => new Buffering({ registerUnion: false, registerBuffer: false }) }),
      'v2',
      { storage, restoreFrom: sp1 },
    );
    const sp2 = savepointAt(v2.cluster, storage, v2.cluster.now + 30);
    expect(sp2.checkpointId).toBeGreaterThan(sp1.checkpointId);
    expect(oldLists(sp2, 'buffer')).toEqual(oldLists(sp1, 'buffer'));
    expect(oldLists(sp2, 'tags')).toEqual([tags1, tags1]);
    for (const t of sp2.tasks.filter((x) => x.operatorUid === 'buffer')) {
      expect(t.operatorState?.lists?.buffer.mode).toBe('split');
      expect(t.operatorState?.lists?.tags.mode).toBe('union');
    }
    // Version 3 uses them again: each subtask gets its own buffer back.
    start(bufferingJob({ p: 2 }), 'v3', { storage, restoreFrom: sp2 }).cluster.runUntil(
      sp2.completionTime + 5,
    );
    const v3 = initsOf('v3');
    expect(v3.map((i) => i.split)).toEqual(oldLists(sp1, 'buffer'));
    expect(v3[0].union).toEqual([...tags1, ...tags1]);
  });
});
