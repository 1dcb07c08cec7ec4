/**
 * A task's reaction to checkpoint barriers on its input channels. One implementation per mode:
 *
 * - SingleCheckpointBarrierHandler (exactly-once, aligned): blocks each channel that delivered
 *   barrier n until all have; then snapshots and forwards barrier n.
 * - CheckpointBarrierTracker (at-least-once): never blocks; snapshots when barrier n was seen on every
 *   channel. Records that overtook the barrier are in the state and will be replayed: duplicates.
 * - UnalignedCheckpointBarrierHandler: reacts to the first barrier on arrival, forwards it ahead of
 *   buffered data, and persists the overtaken in-flight records as channel state.
 * - ChandyLamportMarkerHandler: the seed's §4.1 markers: snapshot at the first marker, then record the
 *   messages arriving on each other channel until that channel's marker.
 */
import type { Channel } from '../../network/Channel';
import type { CheckpointBarrier } from '../../runtime/StreamElement';
import type { StreamTask } from '../../tasks/StreamTask';
import type { Message } from '../../messages/Message';

export interface SnapshotRequest {
  checkpointId: number;
  alignmentMs: number;
  unaligned: boolean;
  /** Channel-state modes: record in-flight records of every input channel until its barrier. */
  recordChannelState: boolean;
  /** Chandy-Lamport: the channel whose marker triggered the snapshot has nothing in flight to record. */
  triggerChannel: Channel | null;
  /** Channels whose barrier was already read (nothing of this checkpoint is in flight on them). */
  completedChannels?: ReadonlySet<Channel>;
  savepoint?: boolean;
  /** false: stop-the-world snapshots, taken with nothing in flight and no barrier to send. */
  forwardBarrier?: boolean;
}

/** What handlers need from the runtime (implemented by MiniCluster). */
export interface BarrierHandlerHost {
  /** Takes the task's snapshot and forwards the barrier; returns the task's time after the synchronous part. */
  triggerCheckpointOnBarrier(task: StreamTask, request: SnapshotRequest, t: number): number;
  declineCheckpoint(task: StreamTask, checkpointId: number, reason: Message, t: number): void;
  /**
   * Flink's `SubtaskCheckpointCoordinator.abortCheckpointOnBarrier`: the handler gave up checkpoint
   * `checkpointId` (subsumed by a newer barrier, or a CancelCheckpointMarker came): the task declines
   * it and sends a CancelCheckpointMarker downstream, in line with its records.
   */
  abortCheckpointOnBarrier(task: StreamTask, checkpointId: number, reason: Message, t: number): void;
  setChannelBlocked(
    task: StreamTask,
    channel: Channel,
    blocked: boolean,
    checkpointId: number,
    t: number,
  ): void;
  traceAlignment(
    task: StreamTask,
    event: 'alignment-completed' | 'alignment-aborted',
    checkpointId: number,
    value: number,
    t: number,
  ): void;
  traceBarrierReceived(task: StreamTask, channel: Channel, checkpointId: number, t: number): void;
  checkpointTriggerTime(checkpointId: number): number;
  /** Calls the task's handler `onAlignmentTimeout` at `at` (aligned-checkpoint timeout). */
  scheduleAlignmentTimeout(task: StreamTask, checkpointId: number, at: number): void;
}

export interface CheckpointBarrierHandler {
  /** A barrier reached the head of `channel` and was read by the task (in-band); returns the task's new time. */
  processBarrier(channel: Channel, barrier: CheckpointBarrier, t: number): number;
  /** Unaligned only: a priority barrier arrived in the input buffer (handled at once). */
  processPriorityBarrier(channel: Channel, barrier: CheckpointBarrier, t: number): number;
  /**
   * EndOfPartition on `channel` (its sender finished): no barrier will come on it any more, so an
   * alignment waiting for it may now be complete (Flink's `processEndOfPartition`). Returns the task's time.
   */
  processEndOfPartition(channel: Channel, t: number): number;
  /**
   * A CancelCheckpointMarker for `checkpointId` was read from `channel` (Flink's
   * `processCancellationBarrier`): an alignment for it ends (channels unblocked), the task declines and
   * forwards the marker (once), and later barriers of that checkpoint are ignored. Returns the task's time.
   */
  processCancellationBarrier(channel: Channel, checkpointId: number, t: number): number;
  /** The latest checkpoint id this task took part in (-1 if none). */
  readonly lastCheckpointId: number;
}

/** Input channels still open: a channel whose sender finished (EndOfPartition read) sends no barrier. */
export function openInputs(task: StreamTask): number {
  let n = 0;
  for (const ch of task.inputs) if (!ch.finished) n++;
  return n;
}
