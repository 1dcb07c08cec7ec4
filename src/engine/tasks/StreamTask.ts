/**
 * Flink's StreamTask: one subtask of a job vertex (an operator chain, `OperatorChainInfo`), what a
 * TaskManager slot runs. It holds its input channels (its InputGate), its output gates (one
 * RecordWriter per edge leaving the chain), the operator chain deployed into it (operators, each with
 * its keyed state backend and timers: `OperatorChain`), its barrier handlers and the snapshots it has
 * taken but not acknowledged yet. Its id is `<head uid>#<index>`; `vertex` is the chain's head
 * operator (the one its input reaches).
 *
 * Where its work happens:
 * - reading input and running the operator: `tasks/StreamInputProcessor` (Flink's mailbox loop and
 *   StreamInputProcessor; sources emit there too);
 * - (re)deployment and failure: `scheduler/DefaultScheduler`;
 * - barriers, snapshots, acks: `checkpointing/SubtaskCheckpointCoordinator`;
 * - watermarks and timers: `time/StatusWatermarkValve`, `time/InternalTimeServiceManager`.
 */
import type { JobVertex } from '../api/JobGraph';
import type { OperatorChainInfo } from '../api/StreamingJobGraphGenerator';
import type { CheckpointBarrierHandler } from '../checkpointing/barriers/CheckpointBarrierHandler';
import type {
  ChannelStateSnapshot,
  OperatorStateSnapshot,
  TaskStateSnapshot,
} from '../checkpointing/CompletedCheckpoint';
import type { KeyedStateBackend } from '../state/KeyedStateBackend';
import type { TaskStatus } from '../trace/TraceEvent';
import type { Channel } from '../network/Channel';
import type { OutputGate } from '../network/RecordWriter';
import type { StreamOperator } from '../runtime/operators';
import type { OperatorChain } from './OperatorChain';
import type { KeyedStateSnapshot } from '../state/KeyedStateBackend';
import type { IncrementalKeyedStateHandle } from '../state/rocksdb/types';
import type { InternalTimerService, TimerSnapshot } from '../time/InternalTimerService';
import { PausableRelativeClock } from '../time/PausableRelativeClock';
import type { SplitWatermarkOutput } from '../time/ProgressiveTimestampsAndWatermarks';
import type { ExecutionSlotSharingGroup } from '../scheduler/TaskManager';

/** A snapshot taken but not yet acknowledged (async upload, channel-state recording still running). */
export interface PendingSnapshot {
  checkpointId: number;
  triggeredAt: number;
  syncMs: number;
  asyncMs: number;
  alignmentMs: number;
  startDelayMs: number;
  unaligned: boolean;
  /** One entry per chained operator (Flink: an OperatorSnapshotFutures per operator id). */
  operators: OperatorSnapshot[];
  /** Summed over the operators. */
  stateBytes: number;
  fullStateBytes: number;
  inputChannelState: Map<Channel, ChannelStateSnapshot>;
  /** Output channel state, with the uid of the operator whose output the channel is. */
  outputChannelState: Array<{ uid: string; state: ChannelStateSnapshot }>;
  /** Input channels whose barrier has not been seen yet (channel state still being recorded). */
  channelsRecording: number;
  /** Time at which the async part is done. */
  readyAt: number;
  /** Time the last channel's recording finished. */
  recordingDoneAt: number;
}

/** One chained operator's part of a snapshot. */
export interface OperatorSnapshot {
  vertex: JobVertex;
  keyedState: KeyedStateSnapshot | IncrementalKeyedStateHandle | null;
  operatorState: OperatorStateSnapshot | null;
  timers: TimerSnapshot[];
  stateBytes: number;
  fullStateBytes: number;
}

export class StreamTask {
  readonly id: string;
  readonly inputs: Channel[] = [];
  readonly outputs: OutputGate[] = [];
  status: TaskStatus = 'CREATED';
  /** Incremented on every (re)deployment; events of an older attempt are ignored. */
  attempt = 0;
  /** Restarts of this subtask (Flink's attempt number, shown to user functions: 0 for the first run). */
  restarts = 0;
  /** The operators deployed into this attempt; `operator` is its head (the one input reaches). */
  chain!: OperatorChain;
  operator!: StreamOperator;
  /** The head operator's keyed state backend and timers (each chained operator has its own: `chain`). */
  keyedBackend: KeyedStateBackend | null = null;
  barrierHandler: CheckpointBarrierHandler | null = null;
  /** Savepoint barriers are always aligned, whatever the checkpointing mode. */
  savepointHandler: CheckpointBarrierHandler | null = null;
  /** Virtual time until which the task is busy. */
  busyUntil = 0;
  /** Time of the wake-up event currently scheduled (Infinity if none). */
  wakeAt = Infinity;
  /** Number of output channels with a non-empty backlog: > 0 means backpressured. */
  backloggedChannels = 0;
  /** Index of the connected component of the subtask graph: Flink's pipelined region, the unit of failover. */
  region = 0;
  /** The slot sharing group this subtask belongs to (its slot: `slotSharingGroup.slot`). */
  slotSharingGroup: ExecutionSlotSharingGroup | null = null;
  /** Processing time of the record being processed (its outputs leave at this time). */
  clock = 0;
  /** When the work whose outputs are being emitted started (credit is checked as of then). */
  workStartedAt = 0;
  currentTimestamp: number | null = null;
  readonly pendingSnapshots = new Map<number, PendingSnapshot>();
  /** Keyed operators: timers per key. */
  timerService: InternalTimerService | null = null;
  /** Time of the scheduled processing-time timer event (Infinity if none). */
  processingTimerAt = Infinity;
  /** Event time: min over the active input channels' watermarks. */
  currentWatermark = -Infinity;
  /** Sources with a watermark strategy: highest record timestamp, last watermark sent, idleness. */
  maxTimestamp = -Infinity;
  /** Sources with a watermark strategy: one watermark generator per split still read (FLIP-27). */
  readonly splitWatermarks = new Map<number, SplitWatermarkOutput>();
  lastEmittedWatermark = -Infinity;
  /** Sources: when the last record was emitted, on `inputActivityClock` (idleness is measured on it). */
  lastRecordAt = 0;
  /** Stands still while the task is backpressured (Flink's PausableRelativeClock). */
  readonly inputActivityClock = new PausableRelativeClock();
  /** Sources: virtual time of the next record (one every processingTimeMs). */
  nextEmitAt = 0;
  idle = false;
  /**
   * End of input (FLIP-147): every input ended (a source: reached its stopping offsets), MAX_WATERMARK
   * and EndOfData went downstream, the operators finished. The task then waits for its final checkpoint.
   */
  endOfInput = false;
  /** The first checkpoint this task took part in after its end of input (Flink's finalCheckpointMinId). */
  finalCheckpointMinId: number | null = null;
  /** That checkpoint completed (or checkpointing is off): FINISHED once every input channel ended too. */
  finalCheckpointDone = false;
  /**
   * What this task acknowledged last (one snapshot per chained operator): a finished task reports it
   * again, marked finished, in later checkpoints.
   */
  lastAcknowledged: TaskStateSnapshot[] | null = null;
  /** When this attempt went FINISHED (null: it has not). */
  finishedAt: number | null = null;
  /**
   * Checkpoints the coordinator aborted before this task took part (Flink's
   * SubtaskCheckpointCoordinatorImpl `abortedCheckpointIds`): their trigger or alignment sends a
   * CancelCheckpointMarker instead of the barrier.
   */
  readonly abortedCheckpointIds = new Set<number>();
  /** First time a barrier of a checkpoint reached this task (for the "start delay" statistic). */
  readonly firstBarrierAt = new Map<number, number>();

  /** Two-input tasks (Flink's StreamTwoInputProcessor): the watermark each input's valve emitted, and whether the input is idle. */
  readonly inputWatermarks: [number, number] = [-Infinity, -Infinity];
  readonly inputIdle: [boolean, boolean] = [false, false];
  /** 2 for a two-input operator (connect, intervalJoin, broadcast state pattern), else 1. */
  readonly numberOfInputs: 1 | 2;

  /** The chain's head operator. */
  readonly vertex: JobVertex;

  constructor(
    /** The job vertex this is a subtask of: its chain of operators. */
    readonly jobVertex: OperatorChainInfo,
    readonly subtaskIndex: number,
  ) {
    this.vertex = jobVertex.head;
    this.id = `${jobVertex.id}#${subtaskIndex}`;
    // A two-input operator is always a chain head (it has two input edges): its inputs are the task's.
    this.numberOfInputs = jobVertex.head.inputs.some((e) => e.typeNumber === 2) ? 2 : 1;
  }

  /** The job vertex's name (Flink's chained name: `Map: count with ValueState -> Sink: print`). */
  get name(): string {
    return this.jobVertex.name;
  }

  get isSource(): boolean {
    return this.vertex.spec.kind === 'source';
  }

  /** A new attempt: everything of the previous one (clock, buffers' bookkeeping, event time) starts over. */
  resetForDeployment(now: number, isRestart: boolean): void {
    this.attempt++;
    if (isRestart) this.restarts++;
    this.busyUntil = now;
    this.clock = now;
    this.currentTimestamp = null;
    this.wakeAt = Infinity;
    this.backloggedChannels = 0;
    this.pendingSnapshots.clear();
    this.firstBarrierAt.clear();
    this.abortedCheckpointIds.clear();
    this.processingTimerAt = Infinity;
    this.currentWatermark = -Infinity;
    this.inputWatermarks[0] = this.inputWatermarks[1] = -Infinity;
    this.inputIdle[0] = this.inputIdle[1] = false;
    this.maxTimestamp = -Infinity;
    this.splitWatermarks.clear();
    this.lastEmittedWatermark = -Infinity;
    this.inputActivityClock.reset();
    this.lastRecordAt = now;
    this.nextEmitAt = now;
    this.idle = false;
    this.endOfInput = false;
    this.finalCheckpointMinId = null;
    this.finalCheckpointDone = false;
    this.finishedAt = null;
    this.lastAcknowledged = null;
  }
}
