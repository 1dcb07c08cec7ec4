/**
 * What a checkpoint holds, per subtask: keyed state (per key group), operator state (source offsets,
 * pending sink transactions), and for unaligned / Chandy-Lamport checkpoints the in-flight records
 * persisted as channel state. Everything is plain data, deep-copied away from the live task.
 */
import type { CheckpointingMode } from '../api/JobGraph';
import type { KeyedStateSnapshot } from '../state/KeyedStateBackend';
import type { IncrementalKeyedStateHandle } from '../state/rocksdb/types';
import type { OperatorListSnapshot } from '../state/OperatorStateBackend';
import type { TimerSnapshot } from '../time/InternalTimerService';
import type { Message } from '../messages/Message';

export interface PersistedRecord {
  value: unknown;
  ts: number | null;
}

export interface ChannelStateSnapshot {
  /** The task at the other end of the channel (upstream for input channels, downstream for output). */
  peer: string;
  records: PersistedRecord[];
}

export interface SourceSplitState {
  partition: number;
  offset: number;
  /** A bounded source: the offset where this split ends (resolved when first assigned; Flink's KafkaPartitionSplit). */
  stoppingOffset?: number;
}

export interface PendingTransaction {
  checkpointId: number;
  txn: string;
  rows: unknown[];
}

export interface OperatorStateSnapshot {
  /** Source: the next offset to read, per log partition it owned (union redistribution). */
  sourceOffsets?: SourceSplitState[];
  /** CheckpointedFunction list states, by name, with their redistribution mode. */
  lists?: Record<string, OperatorListSnapshot>;
  /** Two-phase-commit sink: transactions pre-committed but not yet known to be committed. */
  pendingTransactions?: PendingTransaction[];
}

export interface TaskStateSnapshot {
  taskId: string;
  operatorUid: string;
  operatorName: string;
  subtaskIndex: number;
  parallelism: number;
  maxParallelism: number;
  /** Full (heap, savepoints) or incremental (RocksDB-like: SST files, shared with earlier checkpoints). */
  keyedState: KeyedStateSnapshot | IncrementalKeyedStateHandle | null;
  operatorState: OperatorStateSnapshot | null;
  /** Timers of keyed operators, with their key groups (they move with the key group on rescale). */
  timers: TimerSnapshot[];
  inputChannelState: ChannelStateSnapshot[];
  outputChannelState: ChannelStateSnapshot[];
  /** Size of what this checkpoint uploaded for the subtask (the delta for incremental checkpoints). */
  stateBytes: number;
  /** Full size of the subtask's state (equals stateBytes unless incremental). */
  fullStateBytes?: number;
  /** Estimated serialized size of the persisted in-flight records (bytes). */
  channelStateBytes: number;
  /**
   * FLIP-147: the subtask had FINISHED when the checkpoint was taken; this is what it acknowledged
   * last (its state at the end of its input). Restored, it is deployed as finished.
   */
  finished?: boolean;
}

export type CheckpointStatus = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

/** Per-subtask statistics, as Flink's Web UI shows them. */
export interface SubtaskCheckpointStats {
  taskId: string;
  ackTime: number | null;
  endToEndMs: number | null;
  stateBytes: number;
  syncMs: number;
  asyncMs: number;
  alignmentMs: number;
  startDelayMs: number;
  persistedInFlightBytes: number;
  unaligned: boolean;
  /** FLIP-147: the subtask had finished; it reported its final state without taking a snapshot. */
  finished?: true;
}

export interface CheckpointStats {
  id: number;
  status: CheckpointStatus;
  mode: CheckpointingMode;
  triggerTime: number;
  latestAckTime: number | null;
  endToEndMs: number | null;
  numAcknowledged: number;
  numTasks: number;
  checkpointedBytes: number;
  fullBytes: number;
  persistedInFlightBytes: number;
  failureReason: Message | null;
  subtasks: SubtaskCheckpointStats[];
}

export interface CompletedCheckpoint {
  jobName: string;
  checkpointId: number;
  kind: 'checkpoint' | 'savepoint';
  mode: CheckpointingMode;
  triggerTime: number;
  completionTime: number;
  tasks: TaskStateSnapshot[];
  stats: CheckpointStats;
}
