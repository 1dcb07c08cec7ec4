/**
 * Flink's OperatorChain: the operators one task runs (its job vertex's chain, head first), each in a
 * `ChainedOperator` (Flink's StreamOperatorWrapper) with what it needs around it — its own keyed state
 * backend and timer service (Flink's StreamTaskStateInitializer creates them per operator), its
 * context, and its outputs: the operators chained to it (called directly: Flink's ChainingOutput, no
 * channel, no latency, no credit) and its network outputs (the RecordWriter; Flink's
 * RecordWriterOutput). The chain-wide steps follow Flink's RegularOperatorChain:
 *
 * - restore and open: tail first (`initializeStateAndOpenOperators`), so an operator is open before
 *   the one before it can emit to it;
 * - end of input: head first (`finishOperators`);
 * - snapshot: every operator, tail first (`snapshotState`), each under its own uid — the head's
 *   snapshot carries the input channel state, an operator with network outputs its output channel
 *   state — so a checkpoint restores into the same job with or without chaining;
 * - checkpoint notifications: tail first.
 *
 * A record handed to a chained operator costs that operator's processing time on the task's clock:
 * the chain's work for one input record is the sum of its operators' work for it.
 */
import type { JobVertex } from '../api/JobGraph';
import type { CheckpointStorage } from '../checkpointing/CheckpointStorage';
import { resolveIncrementalState } from '../checkpointing/CheckpointStorage';
import type { CompletedCheckpoint, TaskStateSnapshot } from '../checkpointing/CompletedCheckpoint';
import { isPoison } from '../connectors/ReplayableLog';
import { jsonLength, type Key } from '../keygroups/hashCode';
import { computeKeyGroupRangeForOperatorIndex } from '../keygroups/KeyGroupRangeAssignment';
import { EngineError, msg } from '../messages/Message';
import type { OutputGate } from '../network/RecordWriter';
import type { ClusterRuntime } from '../runtime/ClusterRuntime';
import { type OperatorContext, type StreamOperator } from '../runtime/operators';
import { createStreamOperator } from '../runtime/StreamOperatorFactory';
import { estimateSnapshotBytes, HeapKeyedStateBackend } from '../state/HeapKeyedStateBackend';
import type { KeyedStateBackend, RestorableKeyedState } from '../state/KeyedStateBackend';
import { RocksDBKeyedStateBackend } from '../state/rocksdb/RocksDBKeyedStateBackend';
import { incrementalHandleSizes } from '../state/rocksdb/types';
import { InternalTimerService } from '../time/InternalTimerService';
import type { OperatorSnapshot, StreamTask } from './StreamTask';

/** What the chain's state looked like at a barrier (the synchronous part of a snapshot). */
export interface ChainSnapshot {
  /** One per operator, head first. */
  operators: OperatorSnapshot[];
  /** Bytes to upload (incremental: the new files only) and the full state size, summed. */
  stateBytes: number;
  fullStateBytes: number;
  /** Entries the synchronous part touches (heap: every key; RocksDB-like: the memtable it flushes). */
  syncEntries: number;
}

/**
 * Flink's ExceptionInChainedOperatorException: a chained operator threw while its predecessor was
 * emitting to it; the task fails naming that operator.
 */
export class ExceptionInChainedOperatorException extends Error {
  constructor(
    readonly vertex: JobVertex,
    readonly error: unknown,
  ) {
    super(`Could not forward element to next operator (${vertex.name})`);
  }
}

/** The operator a failure came from (a chained one, or `fallback`: the one the task called) and its error. */
export function failedOperator(e: unknown, fallback: JobVertex): { vertex: JobVertex; error: unknown } {
  return e instanceof ExceptionInChainedOperatorException
    ? { vertex: e.vertex, error: e.error }
    : { vertex: fallback, error: e };
}

/** One operator in a chain (Flink's StreamOperatorWrapper). */
export class ChainedOperator {
  operator!: StreamOperator;
  /** Its network outputs: the edges from it to other chains. */
  readonly outputs: OutputGate[] = [];
  /** The operators it calls directly (its chained outputs). */
  readonly chained: ChainedOperator[] = [];
  /** Per chained output: the side output (`OutputTag` id) it reads, or null for the main output. */
  readonly chainedTags: Array<string | null> = [];
  readonly isSink: boolean;

  constructor(
    readonly vertex: JobVertex,
    readonly isHead: boolean,
    readonly keyedBackend: KeyedStateBackend | null,
    readonly timerService: InternalTimerService | null,
  ) {
    this.isSink = vertex.spec.kind === 'sink';
  }
}

export class OperatorChain {
  /** Head first, then depth first along the chained edges (forward topological order). */
  readonly operators: readonly ChainedOperator[];
  readonly mainOperator: StreamOperator;
  /** The operators with a timer service (keyed ones), head first. */
  readonly keyed: readonly ChainedOperator[];

  private constructor(
    private readonly rt: ClusterRuntime,
    private readonly task: StreamTask,
    operators: ChainedOperator[],
  ) {
    this.operators = operators;
    this.mainOperator = operators[0].operator;
    this.keyed = operators.filter((op) => op.timerService !== null);
  }

  /**
   * Builds the chain for a new deployment of `task` and installs it: the task's `keyedBackend`,
   * `timerService` and `operator` are the head operator's. `restoreBase` keeps transaction ids of
   * this deployment unique.
   */
  static deploy(rt: ClusterRuntime, task: StreamTask, restoreBase: number): OperatorChain {
    const info = task.jobVertex;
    const byVertex = new Map<JobVertex, ChainedOperator>();
    const ops = info.operators.map((v, i) => {
      const backend = v.keySelector ? createKeyedStateBackend(rt, task, v) : null;
      const op = new ChainedOperator(v, i === 0, backend, backend ? new InternalTimerService() : null);
      byVertex.set(v, op);
      return op;
    });
    for (const e of info.chainedEdges) {
      const from = byVertex.get(e.source) as ChainedOperator;
      from.chained.push(byVertex.get(e.target) as ChainedOperator);
      from.chainedTags.push(e.outputTag ?? null);
    }
    for (const gate of task.outputs) (byVertex.get(gate.edge.source) as ChainedOperator).outputs.push(gate);
    for (const op of ops) op.operator = createStreamOperator(operatorContext(rt, task, op, restoreBase));
    const head = ops[0];
    task.keyedBackend = head.keyedBackend;
    task.timerService = head.timerService;
    task.operator = head.operator;
    const chain = new OperatorChain(rt, task, ops);
    task.chain = chain;
    return chain;
  }

  /** The operator `uid` of this chain, or null. */
  get(uid: string): ChainedOperator | null {
    for (const op of this.operators) if (op.vertex.uid === uid) return op;
    return null;
  }

  /**
   * Restores each operator's keyed state, operator state and timers from its own snapshots in
   * `checkpoint` (matched by uid; none: a fresh start), tail first. Throws what a user function
   * throws; `open()` follows. Returns whether any operator restored timers.
   */
  initializeState(checkpoint: CompletedCheckpoint | null, storage: CheckpointStorage): boolean {
    let timers = false;
    for (let i = this.operators.length - 1; i >= 0; i--) {
      const op = this.operators[i];
      const snapshots = snapshotsOf(checkpoint, op.vertex);
      const backend = op.keyedBackend;
      if (snapshots && backend) {
        const restorable: RestorableKeyedState[] = [];
        for (const s of snapshots) {
          const ks = s.keyedState;
          if (ks) restorable.push('kind' in ks ? resolveIncrementalState(storage, ks) : ks);
        }
        backend.restore(restorable);
      }
      op.operator.initializeState(snapshots);
      if (snapshots && op.timerService && backend) {
        const range = backend.keyGroupRange;
        for (const s of snapshots) op.timerService.restore(s.timers ?? [], (kg) => range.contains(kg));
        timers = true;
      }
    }
    return timers;
  }

  /** End of input: the operators finish, head first (Flink's `finishOperators`). */
  finish(): void {
    for (const op of this.operators) op.operator.finish();
  }

  /** Opens the operators, tail first; set-up and restore are not charged to the first record. */
  open(): void {
    for (let i = this.operators.length - 1; i >= 0; i--) {
      const op = this.operators[i];
      op.operator.open();
      op.keyedBackend?.takeCost();
    }
  }

  /**
   * The synchronous part of a checkpoint, per operator (tail first, as Flink's snapshotState): keyed
   * state (RocksDB-like backends with incremental checkpoints upload only new SST files — never for
   * savepoints, which use the full format), operator state and timers.
   */
  snapshotState(checkpointId: number, incrementalAllowed: boolean, t: number): ChainSnapshot {
    const operators: OperatorSnapshot[] = new Array<OperatorSnapshot>(this.operators.length);
    let stateBytes = 0;
    let fullStateBytes = 0;
    let syncEntries = 0;
    for (let i = this.operators.length - 1; i >= 0; i--) {
      const op = this.operators[i];
      const s = this.snapshotOperator(op, checkpointId, incrementalAllowed, t);
      operators[i] = s.snapshot;
      stateBytes += s.snapshot.stateBytes;
      fullStateBytes += s.snapshot.fullStateBytes;
      syncEntries += s.syncEntries;
    }
    return { operators, stateBytes, fullStateBytes, syncEntries };
  }

  private snapshotOperator(
    op: ChainedOperator,
    checkpointId: number,
    incrementalAllowed: boolean,
    t: number,
  ): { snapshot: OperatorSnapshot; syncEntries: number } {
    const backend = op.keyedBackend;
    const rocks = backend instanceof RocksDBKeyedStateBackend ? backend : null;
    const useIncremental = rocks !== null && incrementalAllowed;
    const flushedEntries = useIncremental ? rocks.lsmStats().memtableEntries : 0;
    const incremental = useIncremental
      ? rocks.snapshotIncremental(checkpointId, rocks.getConfirmedFiles())
      : null;
    const keyedState = incremental ?? (backend ? backend.snapshot() : null);
    this.task.clock = t;
    const operatorState = op.operator.snapshotState(checkpointId);
    const numKeys = backend ? backend.numKeys() : 0;
    const operatorBytes = operatorState ? jsonLength(operatorState) : 0;
    let stateBytes: number;
    let fullStateBytes: number;
    if (incremental) {
      const sizes = incrementalHandleSizes(incremental);
      stateBytes = sizes.checkpointedBytes + operatorBytes;
      fullStateBytes = sizes.fullBytes + operatorBytes;
    } else {
      stateBytes =
        (keyedState && !('kind' in keyedState) ? estimateSnapshotBytes(keyedState) : 0) + operatorBytes;
      fullStateBytes = stateBytes;
    }
    // Synchronous part: the heap backend copies its state (per key). Flink's RocksDB backend does not
    // touch every key there: a full snapshot takes a RocksDB snapshot (constant) and reads the data in
    // the asynchronous part; an incremental one flushes the memtable (per entry) and links the files.
    const syncEntries = rocks === null ? numKeys : flushedEntries;
    return {
      snapshot: {
        vertex: op.vertex,
        keyedState,
        operatorState,
        timers: op.timerService ? op.timerService.snapshot() : [],
        stateBytes,
        fullStateBytes,
      },
      syncEntries,
    };
  }

  notifyCheckpointComplete(checkpointId: number): void {
    for (let i = this.operators.length - 1; i >= 0; i--) {
      const op = this.operators[i];
      op.operator.notifyCheckpointComplete(checkpointId);
      const backend = op.keyedBackend;
      if (backend instanceof RocksDBKeyedStateBackend) backend.notifyCheckpointComplete(checkpointId);
    }
  }

  notifyCheckpointAborted(checkpointId: number): void {
    for (let i = this.operators.length - 1; i >= 0; i--) {
      const backend = this.operators[i].keyedBackend;
      if (backend instanceof RocksDBKeyedStateBackend) backend.notifyCheckpointAborted(checkpointId);
    }
  }

  /**
   * A record emitted by `op`'s predecessor reaches `op` directly (Flink's ChainingOutput): it runs
   * on the task's clock for the operator's processing time, with the record's timestamp; what `op`
   * emits goes on from there. An exception names `op` (ExceptionInChainedOperatorException).
   */
  pushToOperator(op: ChainedOperator, value: unknown, ts: number | null): void {
    const task = this.task;
    const loop = this.rt.loop;
    const savedTs = task.currentTimestamp;
    task.currentTimestamp = ts;
    const start = task.clock;
    task.clock = start + (op.vertex.processingTimeFn?.(start) ?? op.vertex.processingTimeMs);
    if (task.clock > loop.lastRecordTime) loop.lastRecordTime = task.clock;
    try {
      if (isPoison(value)) throw new EngineError(msg('task.poison', { record: String(value) }));
      const backend = op.keyedBackend;
      if (backend !== null) backend.setCurrentKey((op.vertex.keySelector as (v: unknown) => Key)(value));
      op.operator.processElement(value);
      if (backend !== null) task.clock += backend.takeCost();
    } catch (e) {
      throw e instanceof ExceptionInChainedOperatorException
        ? e
        : new ExceptionInChainedOperatorException(op.vertex, e);
    }
    if (op.isSink) this.rt.metrics.recordSinkOf(loop, task); // ts is task.currentTimestamp here
    task.currentTimestamp = savedTs;
  }
}

/** The snapshots of operator `v` in `checkpoint` (every subtask of it), or null: not in it. */
export function snapshotsOf(
  checkpoint: CompletedCheckpoint | null,
  v: JobVertex,
): TaskStateSnapshot[] | null {
  if (!checkpoint) return null;
  const own = checkpoint.tasks.filter((s) => s.operatorUid === v.uid);
  // An operator the checkpoint does not know (added to the job) starts fresh: isRestored() is false.
  return own.length > 0 ? own : null;
}

/** Flink's HashMapStateBackend or the RocksDB-like LSM backend, as the job's state backend says. */
function createKeyedStateBackend(rt: ClusterRuntime, task: StreamTask, v: JobVertex): KeyedStateBackend {
  const range = computeKeyGroupRangeForOperatorIndex(v.maxParallelism, v.parallelism, task.subtaskIndex);
  const backend: KeyedStateBackend =
    rt.job.stateBackend.stateBackend === 'rocksdb'
      ? new RocksDBKeyedStateBackend(v.maxParallelism, range, {
          // Unique per deployment: a restored older checkpoint must not reuse a newer file's id.
          ownerId: `${v.uid}#${task.subtaskIndex}@${rt.external.nextDeployment()}`,
        })
      : new HeapKeyedStateBackend(v.maxParallelism, range);
  backend.setTimeProvider(() => task.clock);
  return backend;
}

/**
 * Where what `op` emits to its main output (`outputTag` null) or to a side output goes: its network
 * outputs (RecordWriter) first, then its chained operators, as Flink's output collector lists them —
 * only those reading that output (a side output nobody reads is dropped, as in Flink). A source's own
 * records also drive its watermarks.
 */
function operatorOutput(
  rt: ClusterRuntime,
  task: StreamTask,
  op: ChainedOperator,
  outputTag: string | null,
): (value: unknown, ts: number | null) => void {
  const writer = rt.recordWriter;
  const gates = op.outputs.filter((g) => (g.edge.outputTag ?? null) === outputTag);
  const chained = op.chained.filter((_c, i) => op.chainedTags[i] === outputTag);
  const sourceHead = op.isHead && op.vertex.spec.kind === 'source' && outputTag === null;
  return (value, ts) => {
    if (sourceHead) rt.sourceWatermarks.onRecord(task, ts, task.clock);
    if (gates.length > 0) writer.emit(task, gates, value, ts);
    // One thread: several chained outputs run one after the other.
    for (let i = 0; i < chained.length; i++) task.chain.pushToOperator(chained[i], value, ts);
  };
}

/** What a user function reaches through its runtime context (Flink's StreamingRuntimeContext + Output). */
function operatorContext(
  rt: ClusterRuntime,
  task: StreamTask,
  op: ChainedOperator,
  restoreBase: number,
): OperatorContext {
  const loop = rt.loop;
  const operatorField = op.isHead ? {} : { operator: op.vertex.uid };
  const sideOutputs = new Map<string, (value: unknown, ts: number | null) => void>();
  return {
    taskId: `${op.vertex.uid}#${task.subtaskIndex}`,
    vertex: op.vertex,
    subtaskIndex: task.subtaskIndex,
    attemptNumber: task.restarts,
    // Unique in this external system (deployment counter) and against the transactions of the
    // checkpoint this engine started from, which another process may have written (restore base).
    transactionScope: `r${restoreBase}.d${rt.external.nextDeployment()}`,
    keyedBackend: op.keyedBackend,
    now: () => task.clock,
    currentTimestamp: () => task.currentTimestamp,
    emit: operatorOutput(rt, task, op, null),
    output: (tag, value, ts) => {
      let out = sideOutputs.get(tag);
      if (!out) sideOutputs.set(tag, (out = operatorOutput(rt, task, op, tag)));
      out(value, ts);
    },
    external: rt.external,
    trace: (_kind, value, txn) => {
      if (loop.recordTrace)
        loop.emit({ type: 'sink-written', t: task.clock, task: task.id, value, txn, ...operatorField });
    },
    registerTimer: (domain, timestamp, ns) => rt.timers.registerTimer(task, op, domain, timestamp, ns),
    deleteTimer: (domain, timestamp, ns) => rt.timers.deleteTimer(op, domain, timestamp, ns),
    currentWatermark: () => task.currentWatermark,
    traceTxn: (type, txn, rows) => {
      if (loop.traceListener) loop.emit({ type, t: task.clock, task: task.id, txn, rows });
    },
  };
}
