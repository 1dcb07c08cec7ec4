/**
 * Flink's SubtaskCheckpointCoordinator: the task side of a checkpoint. The CheckpointCoordinator
 * (JobManager side) triggers checkpoint n; here —
 *
 * - a source records its offsets and emits barrier n into every output channel (`triggerSource`);
 * - a task reads barriers through its barrier handler (`barriers/`: aligned, at-least-once,
 *   unaligned, Chandy-Lamport); when the handler decides, `triggerCheckpointOnBarrier` forwards the
 *   barrier first (ahead of the output buffer when unaligned: the overtaken records become output
 *   channel state), then takes the synchronous snapshot of the operator chain;
 * - the task acknowledges after the synchronous part (modelled cost per key), the asynchronous upload
 *   (modelled bandwidth) and, for channel-state modes, once every input channel's state is recorded;
 * - `notifyCheckpointComplete` / abort reach every task (two-phase-commit sinks commit then);
 * - an aborted checkpoint travels as a CancelCheckpointMarker (`CANCEL_BARRIER`) in line with records:
 *   a task that gives a checkpoint up on barrier (subsumed, or a marker came) declines it and sends the
 *   marker on; a task told of the abort before it took part sends the marker instead of the barrier
 *   when its trigger or alignment comes (Flink's `abortedCheckpointIds`). The marker ends alignments
 *   downstream (`processCancellationBarrier` in the handlers).
 */
import type { CheckpointingMode } from '../api/JobGraph';
import type { Channel } from '../network/Channel';
import type { ClusterRuntime } from '../runtime/ClusterRuntime';
import {
  BARRIER,
  END_OF_PARTITION,
  RECORD,
  type CancelCheckpointMarker,
  type CheckpointBarrier,
} from '../runtime/StreamElement';
import type { PendingSnapshot, StreamTask } from '../tasks/StreamTask';
import { msg, type Message } from '../messages/Message';
import type { ChannelStateSnapshot } from './CompletedCheckpoint';
import type {
  BarrierHandlerHost,
  CheckpointBarrierHandler,
  SnapshotRequest,
} from './barriers/CheckpointBarrierHandler';
import { ChandyLamportMarkerHandler } from './barriers/ChandyLamportMarkerHandler';
import { CheckpointBarrierTracker } from './barriers/CheckpointBarrierTracker';
import { SingleCheckpointBarrierHandler } from './barriers/SingleCheckpointBarrierHandler';
import { UnalignedCheckpointBarrierHandler } from './barriers/UnalignedCheckpointBarrierHandler';
import { ChannelStateWriter } from './ChannelStateWriter';
import { reportCompletedSnapshot, scheduleAcknowledgement } from './AsyncCheckpointRunnable';
import {
  checkAndClearAbortedStatus,
  dropSnapshot,
  notifyCheckpointAborted,
  sendCancelMarkers,
  traceCancelMarkerSent,
} from './CancelCheckpointMarkers';

export { MAX_MEMORY_STATE_SIZE } from './AsyncCheckpointRunnable';

export class SubtaskCheckpointCoordinator implements BarrierHandlerHost {
  /** Ids of savepoints in progress (their barriers are always aligned). */
  private readonly savepointIds = new Set<number>();
  /** Latest checkpoint whose completion every task was notified of (-1: none). */
  notifiedCheckpoint = -1;
  private notificationsOutstanding = 0;
  /** Unaligned mode with an aligned-checkpoint timeout: the timeout (0 otherwise). */
  private readonly announcedTimeoutMs: number;
  private readonly channelState: ChannelStateWriter;

  constructor(private readonly rt: ClusterRuntime) {
    const cfg = rt.job.checkpointConfig;
    this.announcedTimeoutMs = cfg.mode === 'unaligned' ? cfg.alignedCheckpointTimeoutMs : 0;
    this.channelState = new ChannelStateWriter(rt);
  }

  /** A new deployment of `task` gets fresh barrier handlers for the job's mode (savepoints: aligned). */
  createBarrierHandlers(task: StreamTask): void {
    task.barrierHandler = this.createBarrierHandler(task, this.rt.job.checkpointConfig.mode);
    task.savepointHandler = new SingleCheckpointBarrierHandler(task, this);
  }

  private createBarrierHandler(task: StreamTask, mode: CheckpointingMode): CheckpointBarrierHandler {
    switch (mode) {
      case 'exactly-once':
      case 'stop-the-world':
        return new SingleCheckpointBarrierHandler(task, this);
      case 'at-least-once':
        return new CheckpointBarrierTracker(task, this);
      case 'unaligned':
        return new UnalignedCheckpointBarrierHandler(
          task,
          this,
          this.rt.job.checkpointConfig.alignedCheckpointTimeoutMs,
        );
      case 'chandy-lamport':
        return new ChandyLamportMarkerHandler(task, this);
    }
  }

  // ------------------------------------------------------------------ trigger

  /** The coordinator started checkpoint n: barriers at the sources, or (stop-the-world) pause and drain. */
  startCheckpoint(
    checkpointId: number,
    mode: CheckpointingMode,
    kind: 'checkpoint' | 'savepoint',
    t: number,
  ): void {
    if (kind === 'savepoint') this.savepointIds.add(checkpointId);
    if (mode === 'stop-the-world') {
      this.rt.stopTheWorld.start(checkpointId, t);
      return;
    }
    // Flink's DefaultCheckpointPlanCalculator: trigger the running tasks whose upstream tasks all
    // finished (the sources, and after FLIP-147 any task whose inputs are all closed); finished
    // tasks are not triggered (the coordinator reports their final state).
    for (const task of this.rt.graph.tasks) {
      if (
        task.status === 'RUNNING' &&
        (task.isSource || task.inputs.every((ch) => ch.from.status === 'FINISHED'))
      )
        this.rt.loop.control.push(t + this.rt.job.costs.rpcLatencyMs, {
          kind: 'source-trigger',
          task,
          attempt: task.attempt,
          checkpointId,
        });
    }
  }

  /** A source records its offsets and emits barrier n into every output channel, in line with its records. */
  triggerSource(task: StreamTask, checkpointId: number): void {
    const loop = this.rt.loop;
    if (checkAndClearAbortedStatus(task, checkpointId)) {
      sendCancelMarkers(this.rt, task, checkpointId, Math.max(loop.now, task.busyUntil));
      return;
    }
    const t = Math.max(loop.now, task.busyUntil);
    loop.emit({ type: 'barrier-injected', t, task: task.id, checkpointId });
    this.noteFirstBarrier(task, checkpointId, loop.now);
    // With an aligned-checkpoint timeout, barriers start aligned (in line) and may switch later.
    const cfg = this.rt.job.checkpointConfig;
    const unaligned =
      cfg.mode === 'unaligned' &&
      !this.savepointIds.has(checkpointId) &&
      !(
        cfg.alignedCheckpointTimeoutMs > 0 &&
        loop.now - this.triggerTimeOf(checkpointId, loop.now) < cfg.alignedCheckpointTimeoutMs
      );
    task.busyUntil = this.triggerCheckpointOnBarrier(
      task,
      { checkpointId, alignmentMs: 0, unaligned, recordChannelState: unaligned, triggerChannel: null },
      t,
    );
  }

  /**
   * FLIP-147: a running task whose upstream tasks all finished is triggered directly. It may still
   * have input queued (with unaligned checkpoints its upstream finished before it read everything):
   * the barrier goes at the end of each input channel that is still open, before its EndOfPartition,
   * where the finished upstream task would have put it (Flink's `triggerUnfinishedChannelsCheckpoint`).
   * With every channel closed already, the task snapshots at once, as a source does.
   */
  triggerUnfinishedChannels(task: StreamTask, checkpointId: number): void {
    const open = task.inputs.filter((ch) => !ch.finished);
    if (open.length === 0) {
      this.triggerSource(task, checkpointId);
      return;
    }
    const loop = this.rt.loop;
    const cfg = this.rt.job.checkpointConfig;
    const savepoint = this.savepointIds.has(checkpointId);
    const priority = cfg.mode === 'unaligned' && !savepoint && cfg.alignedCheckpointTimeoutMs === 0;
    loop.emit({ type: 'barrier-injected', t: loop.now, task: task.id, checkpointId });
    for (const ch of open) {
      const tail = ch.queue.pop();
      const arrival = Math.max(loop.now, tail?.arrival ?? loop.now);
      const barrier: CheckpointBarrier = {
        kind: BARRIER,
        id: loop.elementIds++,
        checkpointId,
        arrival,
        priority,
        savepoint,
      };
      if (tail !== undefined && tail.kind === END_OF_PARTITION) {
        ch.queue.push(barrier);
        tail.arrival = arrival;
        ch.queue.push(tail);
      } else {
        if (tail !== undefined) ch.queue.push(tail);
        ch.queue.push(barrier);
      }
      if (priority)
        loop.control.push(arrival, {
          kind: 'priority-barrier',
          task,
          attempt: task.attempt,
          channel: ch,
          barrier,
        });
    }
    loop.scheduleWake(task, Math.max(loop.now, task.busyUntil));
  }

  noteFirstBarrier(task: StreamTask, checkpointId: number, t: number): void {
    if (!task.firstBarrierAt.has(checkpointId)) task.firstBarrierAt.set(checkpointId, t);
  }

  /** The task read an in-line barrier from `channel` at `t`; returns the task's time after it. */
  processBarrier(task: StreamTask, channel: Channel, barrier: CheckpointBarrier, t: number): number {
    this.noteFirstBarrier(task, barrier.checkpointId, t);
    const handler = barrier.savepoint ? task.savepointHandler : task.barrierHandler;
    return (handler as CheckpointBarrierHandler).processBarrier(channel, barrier, t);
  }

  // ------------------------------------------------------------------ snapshot

  triggerCheckpointOnBarrier(task: StreamTask, req: SnapshotRequest, t: number): number {
    const id = req.checkpointId;
    // Told of the abort before taking part: no snapshot; the marker goes instead of the barrier
    // ("to avoid downstream back-pressure due to checkpoint barrier align", Flink's checkpointState).
    if (req.forwardBarrier !== false && checkAndClearAbortedStatus(task, id)) {
      sendCancelMarkers(this.rt, task, id, t);
      return t;
    }
    const costs = this.rt.job.costs;
    const loop = this.rt.loop;
    const network = this.rt.network;
    // Forward the barrier first (as Flink does), then take the synchronous snapshot.
    const outputChannelState: Array<{ uid: string; state: ChannelStateSnapshot }> = [];
    for (const gate of req.forwardBarrier === false ? [] : task.outputs) {
      for (const ch of gate.channels) {
        const barrier: CheckpointBarrier = {
          kind: BARRIER,
          id: loop.elementIds++,
          checkpointId: id,
          arrival: 0,
          priority: req.unaligned,
          savepoint: this.savepointIds.has(id),
        };
        if (req.unaligned) {
          // The barrier overtakes the output buffer; the overtaken records become channel state.
          const overtaken = ch.backlog
            .toArray()
            .flatMap((e) => (e.kind === RECORD ? [{ value: e.value, ts: e.ts }] : []));
          if (overtaken.length > 0)
            outputChannelState.push({
              uid: gate.edge.source.uid,
              state: { peer: ch.toOperator, records: structuredClone(overtaken) },
            });
          network.transmit(ch, barrier, t);
        } else {
          network.send(ch, barrier, t);
        }
      }
    }
    this.rt.endOfInput.onSnapshot(task, id);
    // Savepoints use the canonical full format (known by id: their barriers carry the savepoint flag).
    const incrementalAllowed = this.rt.job.stateBackend.incrementalCheckpoints && !this.savepointIds.has(id);
    const state = task.chain.snapshotState(id, incrementalAllowed, t);
    const syncMs = costs.syncSnapshotBaseMs + state.syncEntries * costs.syncSnapshotPerKeyMs;
    const asyncMs = costs.asyncSnapshotBaseMs + state.stateBytes / costs.storageBytesPerMs;
    const pending: PendingSnapshot = {
      checkpointId: id,
      triggeredAt: t,
      syncMs,
      asyncMs,
      alignmentMs: req.alignmentMs,
      startDelayMs: (task.firstBarrierAt.get(id) ?? t) - this.triggerTimeOf(id, t),
      unaligned: req.unaligned,
      operators: state.operators,
      stateBytes: state.stateBytes,
      fullStateBytes: state.fullStateBytes,
      inputChannelState: new Map(),
      outputChannelState,
      channelsRecording: 0,
      readyAt: t + syncMs + asyncMs,
      recordingDoneAt: t,
    };
    task.pendingSnapshots.set(id, pending);
    if (req.recordChannelState) {
      const done = new Set(req.completedChannels ?? []);
      if (req.triggerChannel) done.add(req.triggerChannel);
      this.channelState.start(task, pending, done, t);
    }
    loop.emit({
      type: 'snapshot-taken',
      t,
      task: task.id,
      checkpointId: id,
      syncMs,
      stateBytes: state.stateBytes,
    });
    if (pending.channelsRecording === 0) this.scheduleAck(task, pending);
    return t + syncMs;
  }

  private triggerTimeOf(checkpointId: number, fallback: number): number {
    return this.rt.coordinator.triggerTimeOf(checkpointId) ?? fallback;
  }

  // ------------------------------------------------------------------ acknowledge

  scheduleAck(task: StreamTask, pending: PendingSnapshot): void {
    scheduleAcknowledgement(this.rt, task, pending);
  }

  /** The async part is done: acknowledge (or decline) to the coordinator (AsyncCheckpointRunnable). */
  sendAck(task: StreamTask, checkpointId: number): void {
    reportCompletedSnapshot(this.rt, task, checkpointId);
  }

  // ------------------------------------------------------------------ what barrier handlers call (BarrierHandlerHost)

  abortCheckpointOnBarrier(task: StreamTask, checkpointId: number, reason: Message, t: number): void {
    task.abortedCheckpointIds.delete(checkpointId);
    dropSnapshot(task, checkpointId);
    this.declineCheckpoint(task, checkpointId, reason, t);
    sendCancelMarkers(this.rt, task, checkpointId, t);
  }

  /** The task read a CancelCheckpointMarker from `channel`; returns the task's time after it. */
  processCancellationBarrier(
    task: StreamTask,
    channel: Channel,
    marker: CancelCheckpointMarker,
    t: number,
  ): number {
    const id = marker.checkpointId;
    const loop = this.rt.loop;
    if (loop.traceListener)
      loop.emit({ type: 'cancel-barrier-received', t, task: task.id, channel: channel.id, checkpointId: id });
    const handler = this.savepointIds.has(id) ? task.savepointHandler : task.barrierHandler;
    return handler ? handler.processCancellationBarrier(channel, id, t) : t;
  }

  /** The network put a CancelCheckpointMarker on `channel` at `t`; it arrives at `arrival`. */
  onCancelMarkerSent(channel: Channel, el: CancelCheckpointMarker, arrival: number, t: number): void {
    traceCancelMarkerSent(this.rt, channel, el, arrival, t);
  }

  declineCheckpoint(task: StreamTask, checkpointId: number, reason: Message, t: number): void {
    this.rt.loop.control.push(t + this.rt.job.costs.rpcLatencyMs, {
      kind: 'call',
      fn: () =>
        this.rt.coordinator.declineCheckpoint(
          checkpointId,
          msg('checkpoint.declined', { task: task.id, reason }),
          this.rt.loop.now,
        ),
    });
  }

  setChannelBlocked(
    task: StreamTask,
    channel: Channel,
    blocked: boolean,
    checkpointId: number,
    t: number,
  ): void {
    const loop = this.rt.loop;
    channel.blocked = blocked;
    if (!blocked) loop.scheduleWake(task, Math.max(t, loop.now));
    if (loop.traceListener)
      loop.emit({
        type: blocked ? 'channel-blocked' : 'channel-unblocked',
        t,
        task: task.id,
        channel: channel.id,
        checkpointId,
      });
  }

  traceAlignment(
    task: StreamTask,
    event: 'alignment-completed' | 'alignment-aborted',
    checkpointId: number,
    value: number,
    t: number,
  ): void {
    const loop = this.rt.loop;
    if (!loop.traceListener) return;
    if (event === 'alignment-completed')
      loop.emit({ type: event, t, task: task.id, checkpointId, alignmentMs: value });
    else loop.emit({ type: event, t, task: task.id, checkpointId, byCheckpointId: value });
  }

  checkpointTriggerTime(checkpointId: number): number {
    return this.triggerTimeOf(checkpointId, this.rt.loop.now);
  }

  scheduleAlignmentTimeout(task: StreamTask, checkpointId: number, at: number): void {
    this.rt.loop.control.push(at, { kind: 'alignment-timeout', task, attempt: task.attempt, checkpointId });
  }

  traceBarrierReceived(task: StreamTask, channel: Channel, checkpointId: number, t: number): void {
    const loop = this.rt.loop;
    if (loop.traceListener)
      loop.emit({ type: 'barrier-received', t, task: task.id, channel: channel.id, checkpointId });
  }

  // ------------------------------------------------------------------ barriers on the wire

  /** The network put barrier `el` on `channel` at `t`; it arrives at `arrival`. */
  onBarrierSent(channel: Channel, el: CheckpointBarrier, arrival: number, t: number): void {
    const loop = this.rt.loop;
    if (channel.recording !== null && el.checkpointId >= channel.recording.checkpointId) {
      this.channelState.finish(channel, arrival);
    }
    if (loop.traceListener) {
      loop.emit({
        type: 'barrier-sent',
        t,
        id: el.id,
        channel: channel.id,
        checkpointId: el.checkpointId,
        arriveAt: arrival,
        priority: el.priority,
      });
      loop.control.push(arrival, {
        kind: 'trace',
        event: {
          type: 'barrier-arrived',
          t: arrival,
          id: el.id,
          channel: channel.id,
          checkpointId: el.checkpointId,
        },
      });
    }
    if (el.priority) {
      loop.control.push(arrival, {
        kind: 'priority-barrier',
        task: channel.to,
        attempt: channel.to.attempt,
        channel,
        barrier: el,
      });
    } else if (this.announcedTimeoutMs > 0 && !el.savepoint) {
      // Aligned-checkpoint timeout: the receiver learns of an in-line barrier when it is sent (Flink's
      // EventAnnouncement overtakes the buffers), so a barrier stuck behind buffered records can time
      // out and be overtaken there, not only once it is read.
      const deadline = this.triggerTimeOf(el.checkpointId, t) + this.announcedTimeoutMs;
      loop.control.push(Math.max(deadline, arrival), {
        kind: 'announced-barrier-timeout',
        task: channel.to,
        attempt: channel.to.attempt,
        channel,
        barrier: el,
      });
    }
  }

  /** EndOfPartition went out on a channel whose state is being recorded: nothing more will come. */
  onEndOfPartitionSent(channel: Channel, arrival: number): void {
    this.channelState.finish(channel, arrival);
  }

  /** Unaligned: a priority barrier arrived in the input buffer; the handler reacts at once. */
  onPriorityBarrier(task: StreamTask, channel: Channel, barrier: CheckpointBarrier): void {
    const now = this.rt.loop.now;
    const t = Math.max(now, task.busyUntil);
    this.noteFirstBarrier(task, barrier.checkpointId, now);
    task.busyUntil = (task.barrierHandler as CheckpointBarrierHandler).processPriorityBarrier(
      channel,
      barrier,
      t,
    );
  }

  /** The aligned-checkpoint timeout passed while the task was still aligning. */
  onAlignmentTimeout(task: StreamTask, checkpointId: number): void {
    const handler = task.barrierHandler;
    if (handler instanceof UnalignedCheckpointBarrierHandler) {
      const t = Math.max(this.rt.loop.now, task.busyUntil);
      task.busyUntil = handler.onAlignmentTimeout(checkpointId, t);
    }
  }

  /**
   * The aligned-checkpoint timeout passed while an announced in-line barrier still waits in the
   * receiver's input buffer behind records: the receiver switches to unaligned now, as if the barrier
   * had been a priority one (the records ahead of it become channel state; reading it later is a no-op).
   */
  onAnnouncedBarrierTimeout(
    task: StreamTask,
    attempt: number,
    channel: Channel,
    barrier: CheckpointBarrier,
  ): void {
    if (attempt !== task.attempt || task.status !== 'RUNNING' || barrier.priority) return;
    const handler = task.barrierHandler;
    if (!(handler instanceof UnalignedCheckpointBarrierHandler)) return;
    if (handler.lastCheckpointId >= barrier.checkpointId) return;
    let queued = false;
    const queue = channel.queue;
    for (let i = 0; i < queue.length && !queued; i++) queued = queue.at(i) === barrier;
    if (!queued) return; // already read: the handler's own alignment timeout applies
    barrier.priority = true;
    const now = this.rt.loop.now;
    const t = Math.max(now, task.busyUntil);
    this.noteFirstBarrier(task, barrier.checkpointId, now);
    task.busyUntil = handler.processPriorityBarrier(channel, barrier, t);
  }

  // ------------------------------------------------------------------ complete, abort

  /** The coordinator's abort notification reaches every task (see CancelCheckpointMarkers). */
  abortCheckpointInTasks(checkpointId: number, t: number): void {
    notifyCheckpointAborted(this.rt, checkpointId, t);
  }

  /** notifyCheckpointComplete reaches every task one RPC later. */
  notifyCheckpointComplete(checkpointId: number, t: number): void {
    for (const task of this.rt.graph.tasks) {
      this.notificationsOutstanding++;
      this.rt.loop.control.push(t + this.rt.job.costs.rpcLatencyMs, {
        kind: 'notify',
        task,
        attempt: task.attempt,
        checkpointId,
      });
    }
  }

  /** The notification reached `task` (ignored by a newer attempt, still counted). */
  onNotify(task: StreamTask, attempt: number, checkpointId: number): void {
    this.notificationsOutstanding--;
    const loop = this.rt.loop;
    if (attempt === task.attempt && task.status === 'RUNNING') {
      task.clock = loop.now;
      task.chain.notifyCheckpointComplete(checkpointId);
      if (loop.traceListener)
        loop.emit({ type: 'checkpoint-notified', t: loop.now, task: task.id, checkpointId });
      this.rt.endOfInput.onCheckpointComplete(task, checkpointId);
    }
    if (this.notificationsOutstanding === 0) this.notifiedCheckpoint = checkpointId;
  }
}
