/**
 * The end of a bounded input, as Flink 2.x's StreamTask handles it (FLIP-147, with
 * `execution.checkpointing.checkpoints-after-tasks-finish` = true, the default since 1.15):
 *
 * 1. A bounded source that read everything up to its stopping offsets (`SourceOperator.reachedEnd`)
 *    emits MAX_WATERMARK — every event-time timer downstream fires — then EndOfData on every output
 *    channel (`StreamTask.endData(StopMode.DRAIN)`: `advanceToEndOfEventTime`, `finishOperators`).
 * 2. A task that read EndOfData on all its input channels has seen MAX_WATERMARK on all of them (its
 *    timers fired); its operators `finish()`, and it sends EndOfData on.
 * 3. Such a task keeps running until a checkpoint it took part in after its end of input (its
 *    `finalCheckpointMinId`) completes — so two-phase-commit sinks commit their last transaction —
 *    and until every input channel delivered EndOfPartition. Then it sends EndOfPartition and is
 *    FINISHED. Without checkpointing it finishes at once.
 * 4. The job is FINISHED when every task is.
 *
 * A finished task is left out of later checkpoints' triggering and reports its last acknowledged
 * state, marked finished (`CheckpointCoordinator`); restored from it, the task is deployed as
 * finished (`deployAsFinished`): it sends MAX_WATERMARK, EndOfData and EndOfPartition and finishes.
 */
import type { TaskAcknowledgement } from '../checkpointing/CheckpointCoordinator';
import type { TaskStateSnapshot } from '../checkpointing/CompletedCheckpoint';
import type { Channel } from '../network/Channel';
import type { ClusterRuntime } from '../runtime/ClusterRuntime';
import { END_OF_DATA, END_OF_PARTITION, MAX_WATERMARK, type EndOfInputEvent } from '../runtime/StreamElement';
import type { StreamTask } from './StreamTask';

export class EndOfInput {
  constructor(private readonly rt: ClusterRuntime) {}

  private get checkpointing(): boolean {
    return this.rt.job.checkpointConfig.intervalMs !== null;
  }

  /** A bounded source read its last record: MAX_WATERMARK, EndOfData, finish (Flink's SourceStreamTask). */
  sourceReachedEnd(task: StreamTask, t: number): void {
    const writer = this.rt.recordWriter;
    task.idle = false;
    task.lastEmittedWatermark = MAX_WATERMARK;
    writer.broadcastWatermark(task, MAX_WATERMARK, false, t);
    this.endData(task, t);
  }

  /** EndOfData read from `channel`; returns the task's time. */
  onEndOfData(task: StreamTask, channel: Channel, t: number): number {
    channel.endOfData = true;
    const input = channel.typeNumber;
    if (input !== 0 && !task.endOfInput) {
      // A two-input operator learns of each input's end (Flink's BoundedMultiInput.endInput(1|2)).
      if (task.inputs.every((ch) => ch.typeNumber !== input || ch.endOfData)) task.operator.endInput(input);
    }
    if (!task.endOfInput && task.inputs.every((ch) => ch.endOfData)) {
      // MAX_WATERMARK came before EndOfData on every channel: the valve already fired every timer.
      this.endData(task, t);
    }
    return t;
  }

  /** EndOfPartition read from `channel`: it is closed (no barrier will come on it). */
  onEndOfPartition(task: StreamTask, channel: Channel, t: number): number {
    channel.finished = true;
    channel.endOfData = true;
    if (task.barrierHandler) t = task.barrierHandler.processEndOfPartition(channel, t);
    if (task.savepointHandler) t = task.savepointHandler.processEndOfPartition(channel, t);
    if (task.status === 'RUNNING') this.maybeFinish(task, t);
    return t;
  }

  /** The task takes part in checkpoint `id`: the first one after its end of input is its final checkpoint. */
  onSnapshot(task: StreamTask, checkpointId: number): void {
    if (task.endOfInput && task.finalCheckpointMinId === null) task.finalCheckpointMinId = checkpointId;
  }

  /** notifyCheckpointComplete reached the task. */
  onCheckpointComplete(task: StreamTask, checkpointId: number): void {
    if (task.finalCheckpointMinId !== null && checkpointId >= task.finalCheckpointMinId) {
      task.finalCheckpointDone = true;
      this.maybeFinish(task, Math.max(this.rt.loop.now, task.busyUntil));
    }
  }

  /**
   * A restored subtask whose checkpoint says it had finished: its input ends at once, and later
   * checkpoints report `snapshot` for it again.
   */
  deployAsFinished(task: StreamTask, snapshots: TaskStateSnapshot[], t: number): void {
    task.lastAcknowledged = snapshots;
    if (task.isSource) this.sourceReachedEnd(task, t);
    else {
      this.rt.recordWriter.broadcastWatermark(task, MAX_WATERMARK, false, t);
      for (const ch of task.inputs) ch.endOfData = ch.finished = true;
      this.endData(task, t);
    }
    task.finalCheckpointDone = true;
    this.maybeFinish(task, t);
  }

  /**
   * FLIP-147: what the finished tasks report for a new checkpoint — their last acknowledged state,
   * marked finished; they are not triggered and take no snapshot.
   */
  finishedTaskAcks(t: number): TaskAcknowledgement[] {
    const acks: TaskAcknowledgement[] = [];
    for (const task of this.rt.graph.tasks) {
      const last = task.lastAcknowledged;
      if (task.status !== 'FINISHED' || !last) continue;
      // Its final state; nothing in flight (it finished with empty output buffers and closed inputs).
      acks.push({
        snapshots: last.map((s) => ({
          ...s,
          inputChannelState: [],
          outputChannelState: [],
          stateBytes: 0,
          fullStateBytes: s.fullStateBytes ?? s.stateBytes,
          channelStateBytes: 0,
          finished: true,
        })),
        stats: {
          taskId: task.id,
          ackTime: t,
          endToEndMs: 0,
          stateBytes: 0,
          syncMs: 0,
          asyncMs: 0,
          alignmentMs: 0,
          startDelayMs: 0,
          persistedInFlightBytes: 0,
          unaligned: false,
          finished: true,
        },
      });
    }
    return acks;
  }

  /** Flink's `StreamTask.endData(DRAIN)`: operators finish, EndOfData goes downstream. */
  private endData(task: StreamTask, t: number): void {
    const loop = this.rt.loop;
    task.endOfInput = true;
    task.chain.finish();
    this.broadcastEvent(task, END_OF_DATA, t);
    if (loop.traceListener) loop.emit({ type: 'end-of-input', t, task: task.id });
    if (!this.checkpointing) task.finalCheckpointDone = true;
    this.maybeFinish(task, t);
  }

  /**
   * FINISHED once the input ended, the final checkpoint completed, every input channel delivered
   * EndOfPartition and the output buffers are empty (what is still in them would be lost).
   */
  maybeFinish(task: StreamTask, t: number): void {
    if (!task.endOfInput || !task.finalCheckpointDone || task.status !== 'RUNNING') return;
    if (task.backloggedChannels > 0 || !task.inputs.every((ch) => ch.finished)) return;
    const rt = this.rt;
    this.broadcastEvent(task, END_OF_PARTITION, t);
    task.status = 'FINISHED';
    task.finishedAt = t;
    task.wakeAt = Infinity;
    rt.loop.emitTaskStatus(task, 'FINISHED');
    rt.coordinator.onTaskFinished(task.id, new Set(task.pendingSnapshots.keys()), rt.loop.now);
    // The receivers read EndOfPartition when it arrives (the send woke them).
    rt.scheduler.onTaskFinished();
  }

  private broadcastEvent(
    task: StreamTask,
    kind: typeof END_OF_DATA | typeof END_OF_PARTITION,
    t: number,
  ): void {
    const loop = this.rt.loop;
    for (const gate of task.outputs)
      for (const ch of gate.channels) {
        const el: EndOfInputEvent =
          kind === END_OF_DATA
            ? { kind: END_OF_DATA, id: loop.elementIds++, arrival: 0 }
            : { kind: END_OF_PARTITION, id: loop.elementIds++, arrival: 0 };
        this.rt.network.send(ch, el, t);
      }
  }
}
