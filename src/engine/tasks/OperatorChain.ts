/**
 * Flink's OperatorChain: the operators one task runs, head first, with what each needs around it —
 * its keyed state backend and timer service (Flink's StreamTaskStateInitializer creates them per
 * operator), its context (the chain's Output: what the last operator emits goes to the RecordWriter)
 * — and the chain-wide steps: restore and open, snapshot, checkpoint notifications.
 *
 * Today every chain holds one operator (each JobGraph vertex is one operator). Operator chaining will
 * append operators here; a non-tail operator's output then calls the next operator directly instead
 * of the RecordWriter, and `snapshotState` returns one entry per operator.
 */
import type { CheckpointStorage } from '../checkpointing/CheckpointStorage';
import { resolveIncrementalState } from '../checkpointing/CheckpointStorage';
import type { OperatorStateSnapshot, TaskStateSnapshot } from '../checkpointing/CompletedCheckpoint';
import { jsonLength } from '../keygroups/hashCode';
import { computeKeyGroupRangeForOperatorIndex } from '../keygroups/KeyGroupRangeAssignment';
import type { ClusterRuntime } from '../runtime/ClusterRuntime';
import { type OperatorContext, type StreamOperator } from '../runtime/operators';
import { createStreamOperator } from '../runtime/StreamOperatorFactory';
import { estimateSnapshotBytes, HeapKeyedStateBackend } from '../state/HeapKeyedStateBackend';
import type { KeyedStateBackend, KeyedStateSnapshot, RestorableKeyedState } from '../state/KeyedStateBackend';
import { RocksDBKeyedStateBackend } from '../state/rocksdb/RocksDBKeyedStateBackend';
import { incrementalHandleSizes, type IncrementalKeyedStateHandle } from '../state/rocksdb/types';
import { InternalTimerService, type TimerSnapshot } from '../time/InternalTimerService';
import type { StreamTask } from './StreamTask';

/** What the chain's state looked like at a barrier (the synchronous part of a snapshot). */
export interface ChainSnapshot {
  keyedState: KeyedStateSnapshot | IncrementalKeyedStateHandle | null;
  operatorState: OperatorStateSnapshot | null;
  timers: TimerSnapshot[];
  /** Bytes to upload (incremental: the new files only) and the full state size. */
  stateBytes: number;
  fullStateBytes: number;
  /** Entries the synchronous part touches (heap: every key; RocksDB-like: the memtable it flushes). */
  syncEntries: number;
}

export class OperatorChain {
  /** Head first. One operator today (see above). */
  readonly operators: readonly StreamOperator[];

  private constructor(
    private readonly task: StreamTask,
    readonly mainOperator: StreamOperator,
  ) {
    this.operators = [mainOperator];
  }

  /**
   * Builds the chain for a new deployment of `task` and installs it: the task's `keyedBackend`,
   * `timerService` and `operator` are the head operator's. `transactionScope` keeps transaction ids
   * of this deployment unique.
   */
  static deploy(rt: ClusterRuntime, task: StreamTask, restoreBase: number): OperatorChain {
    task.keyedBackend = task.vertex.keySelector ? createKeyedStateBackend(rt, task) : null;
    task.timerService = task.keyedBackend ? new InternalTimerService() : null;
    task.operator = createStreamOperator(operatorContext(rt, task, restoreBase));
    const chain = new OperatorChain(task, task.operator);
    task.chain = chain;
    return chain;
  }

  /**
   * Restores keyed state, operator state and timers from this operator's snapshots (null: fresh
   * start). Throws what a user function throws; `open()` follows.
   */
  initializeState(snapshots: TaskStateSnapshot[] | null, storage: CheckpointStorage): void {
    const task = this.task;
    if (snapshots && task.keyedBackend) {
      const restorable: RestorableKeyedState[] = [];
      for (const s of snapshots) {
        const ks = s.keyedState;
        if (ks) restorable.push('kind' in ks ? resolveIncrementalState(storage, ks) : ks);
      }
      task.keyedBackend.restore(restorable);
    }
    this.mainOperator.initializeState(snapshots);
    if (snapshots && task.timerService) {
      const range = (task.keyedBackend as KeyedStateBackend).keyGroupRange;
      for (const s of snapshots) task.timerService.restore(s.timers ?? [], (kg) => range.contains(kg));
    }
  }

  /** End of input: the operators finish, head first (Flink's `finishOperators`). */
  finish(): void {
    for (const op of this.operators) op.finish();
  }

  open(): void {
    this.mainOperator.open();
    this.task.keyedBackend?.takeCost(); // set-up and restore are not charged to the first record
  }

  /**
   * The synchronous part of a checkpoint: keyed state (RocksDB-like backends with incremental
   * checkpoints upload only new SST files — never for savepoints, which use the full format),
   * operator state and timers.
   */
  snapshotState(checkpointId: number, incrementalAllowed: boolean, t: number): ChainSnapshot {
    const task = this.task;
    const backend = task.keyedBackend;
    const rocks = backend instanceof RocksDBKeyedStateBackend ? backend : null;
    const useIncremental = rocks !== null && incrementalAllowed;
    const flushedEntries = useIncremental ? rocks.lsmStats().memtableEntries : 0;
    const incremental = useIncremental
      ? rocks.snapshotIncremental(checkpointId, rocks.getConfirmedFiles())
      : null;
    const keyedState = incremental ?? (backend ? backend.snapshot() : null);
    task.clock = t;
    const operatorState = this.mainOperator.snapshotState(checkpointId);
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
      keyedState,
      operatorState,
      timers: task.timerService ? task.timerService.snapshot() : [],
      stateBytes,
      fullStateBytes,
      syncEntries,
    };
  }

  notifyCheckpointComplete(checkpointId: number): void {
    this.mainOperator.notifyCheckpointComplete(checkpointId);
    const backend = this.task.keyedBackend;
    if (backend instanceof RocksDBKeyedStateBackend) backend.notifyCheckpointComplete(checkpointId);
  }

  notifyCheckpointAborted(checkpointId: number): void {
    const backend = this.task.keyedBackend;
    if (backend instanceof RocksDBKeyedStateBackend) backend.notifyCheckpointAborted(checkpointId);
  }
}

/** Flink's HashMapStateBackend or the RocksDB-like LSM backend, as the job's state backend says. */
function createKeyedStateBackend(rt: ClusterRuntime, task: StreamTask): KeyedStateBackend {
  const v = task.vertex;
  const range = computeKeyGroupRangeForOperatorIndex(v.maxParallelism, v.parallelism, task.subtaskIndex);
  const backend: KeyedStateBackend =
    rt.job.stateBackend.stateBackend === 'rocksdb'
      ? new RocksDBKeyedStateBackend(v.maxParallelism, range, {
          // Unique per deployment: a restored older checkpoint must not reuse a newer file's id.
          ownerId: `${task.id}@${rt.external.nextDeployment()}`,
        })
      : new HeapKeyedStateBackend(v.maxParallelism, range);
  backend.setTimeProvider(() => task.clock);
  return backend;
}

/** What a user function reaches through its runtime context (Flink's StreamingRuntimeContext + Output). */
function operatorContext(rt: ClusterRuntime, task: StreamTask, restoreBase: number): OperatorContext {
  const loop = rt.loop;
  return {
    taskId: task.id,
    vertex: task.vertex,
    subtaskIndex: task.subtaskIndex,
    attemptNumber: task.restarts,
    // Unique in this external system (deployment counter) and against the transactions of the
    // checkpoint this engine started from, which another process may have written (restore base).
    transactionScope: `r${restoreBase}.d${rt.external.nextDeployment()}`,
    keyedBackend: task.keyedBackend,
    now: () => task.clock,
    currentTimestamp: () => task.currentTimestamp,
    emit: (value, ts) => rt.recordWriter.emit(task, value, ts),
    output: (tag, value, ts) => rt.recordWriter.emitToSideOutput(task, tag, value, ts),
    external: rt.external,
    trace: (_kind, value, txn) => {
      if (loop.recordTrace) loop.emit({ type: 'sink-written', t: task.clock, task: task.id, value, txn });
    },
    registerTimer: (domain, timestamp, ns) => rt.timers.registerTimer(task, domain, timestamp, ns),
    deleteTimer: (domain, timestamp, ns) => rt.timers.deleteTimer(task, domain, timestamp, ns),
    currentWatermark: () => task.currentWatermark,
    traceTxn: (type, txn, rows) => {
      if (loop.traceListener) loop.emit({ type, t: task.clock, task: task.id, txn, rows });
    },
  };
}
