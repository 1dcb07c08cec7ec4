/**
 * Flink's CheckpointCoordinator: triggers checkpoints at the sources on a timer, collects an
 * acknowledgement from *every* task (not only the sinks), and only then declares the checkpoint
 * complete: it stores the checkpoint (atomically: all task snapshots, then the metadata) and notifies
 * every task (`notifyCheckpointComplete`), which is when two-phase-commit sinks commit. Ids strictly
 * increase; a completed checkpoint subsumes older pending ones.
 */
import type { CheckpointConfig, CheckpointingMode } from '../api/JobGraph';
import type { Random } from '../runtime/Random';
import type { CheckpointStorage } from './CheckpointStorage';
import type {
  CheckpointStats,
  CompletedCheckpoint,
  SubtaskCheckpointStats,
  TaskStateSnapshot,
} from './CompletedCheckpoint';
import { messageOf, msg, type Message } from '../messages/Message';

export interface TaskAcknowledgement {
  /** One per operator of the task's chain (operator state is kept per operator uid). */
  snapshots: TaskStateSnapshot[];
  stats: SubtaskCheckpointStats;
}

interface PendingCheckpoint {
  id: number;
  kind: 'checkpoint' | 'savepoint';
  triggerTime: number;
  acks: Map<string, TaskAcknowledgement>;
  stats: CheckpointStats;
  /** All acks are in and the storage is writing it: a timeout no longer applies. */
  finalizing: boolean;
}

/** What the coordinator needs from the runtime (implemented by MiniCluster). */
export interface CoordinatorHost {
  readonly jobName: string;
  /** Current virtual time. */
  readonly now: number;
  taskIds(): string[];
  isJobRunning(): boolean;
  scheduleCoordinatorEvent(time: number, event: CoordinatorEvent): void;
  /** Start checkpoint n: barriers at the sources, or (stop-the-world) pause and drain. */
  startCheckpoint(
    checkpointId: number,
    mode: CheckpointingMode,
    kind: 'checkpoint' | 'savepoint',
    t: number,
  ): void;
  notifyCheckpointComplete(checkpointId: number, t: number): void;
  abortCheckpointInTasks(checkpointId: number, t: number): void;
  onCheckpointCompleted(checkpoint: CompletedCheckpoint, t: number): void;
  onCheckpointFailed(stats: CheckpointStats, t: number): void;
  onCheckpointTriggered(checkpointId: number, kind: 'checkpoint' | 'savepoint', t: number): void;
  /**
   * FLIP-147: what the finished tasks report for a new checkpoint (their final state, marked
   * finished); they take no snapshot.
   */
  finishedTaskAcks(t: number): TaskAcknowledgement[];
  /** More checkpoints failed in a row than tolerated: fail the job over (Flink's CheckpointFailureManager). */
  failJobOnCheckpointFailures(reason: Message, t: number): void;
}

export type CoordinatorEvent =
  { kind: 'periodic-trigger'; generation: number } | { kind: 'checkpoint-timeout'; checkpointId: number };

export class CheckpointCoordinator {
  private readonly pending = new Map<number, PendingCheckpoint>();
  private nextCheckpointId: number;
  private lastCompletionTime = -Infinity;
  private triggerQueued = false;
  /** A savepoint asked for while a checkpoint was running starts right after it. */
  savepointQueued = false;
  /** Bumped when the periodic scheduler is restarted, so stale timer events are ignored. */
  private generation = 0;
  readonly history: CheckpointStats[] = [];
  /** Trigger time by checkpoint id: looked up for every subtask snapshot and ack, so not a scan of history. */
  private readonly triggerTimes = new Map<number, number>();
  latestCompleted: CompletedCheckpoint | null;
  counts = { triggered: 0, completed: 0, failed: 0, restored: 0 };
  /** Failures that count towards the tolerable limit, since the last completed checkpoint. */
  private continuousFailures = 0;

  constructor(
    private readonly host: CoordinatorHost,
    readonly config: CheckpointConfig,
    readonly storage: CheckpointStorage,
    private readonly random: Random,
    firstCheckpointId = 1,
  ) {
    this.latestCompleted = storage.latest(host.jobName);
    // The id counter continues after the latest stored checkpoint (Flink keeps it in HA storage).
    this.nextCheckpointId = Math.max(firstCheckpointId, (this.latestCompleted?.checkpointId ?? 0) + 1);
  }

  triggerTimeOf(checkpointId: number): number | undefined {
    return this.triggerTimes.get(checkpointId);
  }

  get numPending(): number {
    return this.pending.size;
  }

  pendingIds(): number[] {
    return [...this.pending.keys()];
  }

  /** Starts the periodic scheduler; the first trigger comes after a random delay in [minPause, interval]. */
  startScheduler(now: number): void {
    const interval = this.config.intervalMs;
    if (interval === null) return;
    this.generation++;
    const min = Math.min(this.config.minPauseBetweenCheckpointsMs, interval);
    const delay = min + this.random.next() * (interval - min);
    this.host.scheduleCoordinatorEvent(now + delay, {
      kind: 'periodic-trigger',
      generation: this.generation,
    });
  }

  handleEvent(event: CoordinatorEvent, now: number): void {
    switch (event.kind) {
      case 'periodic-trigger':
        if (event.generation !== this.generation || this.config.intervalMs === null) return;
        this.host.scheduleCoordinatorEvent(now + this.config.intervalMs, {
          kind: 'periodic-trigger',
          generation: this.generation,
        });
        this.triggerCheckpoint(now, 'checkpoint');
        return;
      case 'checkpoint-timeout':
        if (this.pending.has(event.checkpointId) && !this.pending.get(event.checkpointId)?.finalizing)
          this.failCheckpoint(event.checkpointId, msg('checkpoint.expired'), now, true);
        return;
    }
  }

  /** Returns the new checkpoint id, or null when the trigger was declined or queued. */
  triggerCheckpoint(now: number, kind: 'checkpoint' | 'savepoint'): number | null {
    if (!this.host.isJobRunning()) return null; // Flink: "Not all required tasks are currently running."
    if (this.pending.size >= this.config.maxConcurrentCheckpoints) {
      if (kind === 'savepoint') this.savepointQueued = true;
      else this.triggerQueued = true;
      return null;
    }
    // Same arithmetic as the rescheduled time, so a trigger at exactly that time is never too early.
    if (kind === 'checkpoint' && now < this.lastCompletionTime + this.config.minPauseBetweenCheckpointsMs) {
      this.rescheduleAfterMinPause();
      return null;
    }
    const id = this.nextCheckpointId++;
    const numTasks = this.host.taskIds().length;
    const stats: CheckpointStats = {
      id,
      status: 'IN_PROGRESS',
      mode: this.config.mode,
      triggerTime: now,
      latestAckTime: null,
      endToEndMs: null,
      numAcknowledged: 0,
      numTasks,
      checkpointedBytes: 0,
      fullBytes: 0,
      persistedInFlightBytes: 0,
      failureReason: null,
      subtasks: [],
    };
    this.pending.set(id, { id, kind, triggerTime: now, acks: new Map(), stats, finalizing: false });
    this.history.push(stats);
    this.triggerTimes.set(id, now);
    this.counts.triggered++;
    this.host.onCheckpointTriggered(id, kind, now);
    for (const ack of this.host.finishedTaskAcks(now)) this.acknowledgeTask(ack.stats.taskId, id, ack, now);
    this.host.scheduleCoordinatorEvent(now + this.config.timeoutMs, {
      kind: 'checkpoint-timeout',
      checkpointId: id,
    });
    // Savepoints are always taken with aligned barriers, whatever the checkpointing mode.
    this.host.startCheckpoint(id, kind === 'savepoint' ? 'exactly-once' : this.config.mode, kind, now);
    return id;
  }

  acknowledgeTask(taskId: string, checkpointId: number, ack: TaskAcknowledgement, now: number): void {
    const p = this.pending.get(checkpointId);
    if (!p || p.acks.has(taskId)) return; // late ack of an aborted checkpoint
    p.acks.set(taskId, ack);
    p.stats.numAcknowledged = p.acks.size;
    p.stats.latestAckTime = now;
    p.stats.subtasks.push(ack.stats);
    for (const s of ack.snapshots) {
      p.stats.checkpointedBytes += s.stateBytes + s.channelStateBytes;
      p.stats.fullBytes += (s.fullStateBytes ?? s.stateBytes) + s.channelStateBytes;
      p.stats.persistedInFlightBytes += s.channelStateBytes;
    }
    if (p.acks.size === p.stats.numTasks) this.completePendingCheckpoint(p, now);
  }

  /** A task declined (e.g. its alignment was subsumed by a newer barrier): not counted as a failure, as in Flink. */
  declineCheckpoint(checkpointId: number, reason: Message, now: number, countsAsFailure = false): void {
    if (this.pending.has(checkpointId)) this.failCheckpoint(checkpointId, reason, now, countsAsFailure);
  }

  /**
   * A task finished (FLIP-147) while checkpoints that count on it were pending: those it has neither
   * acknowledged nor snapshotted (`inProgress`) can no longer complete — declined, as Flink declines a
   * trigger that reaches a finished task (not counted as a failure).
   */
  onTaskFinished(taskId: string, inProgress: ReadonlySet<number>, now: number): void {
    for (const [id, p] of [...this.pending]) {
      if (!p.acks.has(taskId) && !inProgress.has(id))
        this.failCheckpoint(id, msg('checkpoint.task-finished', { task: taskId, id }), now, false);
    }
  }

  /** Aborts every pending checkpoint (on failover: Flink fails them with TASK_FAILURE). */
  abortAll(reason: Message, now: number): void {
    for (const id of [...this.pending.keys()]) this.failCheckpoint(id, reason, now, false);
    this.triggerQueued = false;
  }

  private completePendingCheckpoint(p: PendingCheckpoint, now: number): void {
    const order = this.host.taskIds();
    // Per operator (in job order), then by subtask, as the snapshot format lists them: a chain's
    // snapshots arrive together per task (count#0, print#0, count#1, print#1).
    const tasks = groupByOperator(order.flatMap((id) => (p.acks.get(id) as TaskAcknowledgement).snapshots));
    p.stats.subtasks.sort((a, b) => order.indexOf(a.taskId) - order.indexOf(b.taskId));
    p.stats.endToEndMs = now - p.triggerTime;
    const checkpoint: CompletedCheckpoint = {
      jobName: this.host.jobName,
      checkpointId: p.id,
      kind: p.kind,
      mode: this.config.mode,
      triggerTime: p.triggerTime,
      completionTime: now,
      tasks,
      stats: p.stats,
    };
    p.finalizing = true;
    // Atomic completion: the storage calls back once every chunk and then the metadata are durable
    // (at once for in-memory storage; the browser's worker waits for IndexedDB before stepping on).
    this.storage.store({ ...checkpoint, stats: { ...p.stats, status: 'COMPLETED' } }, (error) =>
      this.finishCompletion(p, checkpoint, error),
    );
  }

  private finishCompletion(p: PendingCheckpoint, checkpoint: CompletedCheckpoint, error: Error | null): void {
    const now = this.host.now;
    p.finalizing = false;
    if (!this.pending.has(p.id)) return; // aborted (e.g. a task failed) while the write was in progress
    if (error) {
      this.failCheckpoint(
        p.id,
        msg('checkpoint.storage-write-failed', { error: messageOf(error) }),
        now,
        true,
      );
      return;
    }
    this.pending.delete(p.id);
    p.stats.status = 'COMPLETED';
    this.counts.completed++;
    this.continuousFailures = 0;
    this.lastCompletionTime = now;
    // Failover restores from the latest *checkpoint*; savepoints are the user's, kept apart (Flink 1.15+).
    if (checkpoint.kind === 'checkpoint') this.latestCompleted = checkpoint;
    // A completed checkpoint subsumes older pending ones.
    for (const id of [...this.pending.keys()]) {
      if (id < p.id) this.failCheckpoint(id, msg('checkpoint.subsumed', { id: p.id }), now, false);
    }
    this.host.onCheckpointCompleted(checkpoint, now);
    // Since Flink 1.15 an (intermediate) savepoint commits no side effects: no notifyCheckpointComplete.
    if (checkpoint.kind === 'checkpoint') this.host.notifyCheckpointComplete(p.id, now);
    this.runQueuedTrigger(now);
  }

  /**
   * `counts`: expired checkpoints and storage errors count towards tolerableFailedCheckpoints;
   * task-failure aborts and subsumed checkpoints do not (Flink's CheckpointFailureManager).
   */
  private failCheckpoint(id: number, reason: Message, now: number, counts: boolean): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.stats.status = 'FAILED';
    p.stats.failureReason = reason;
    p.stats.endToEndMs = now - p.triggerTime;
    this.counts.failed++;
    this.host.abortCheckpointInTasks(id, now);
    this.host.onCheckpointFailed(p.stats, now);
    if (counts && ++this.continuousFailures > this.config.tolerableFailedCheckpoints) {
      this.continuousFailures = 0;
      this.host.failJobOnCheckpointFailures(
        msg('checkpoint.tolerable-exceeded', {
          tolerable: this.config.tolerableFailedCheckpoints,
          id,
          reason,
        }),
        now,
      );
      return;
    }
    this.runQueuedTrigger(now);
  }

  /** Flink reschedules a trigger that came too early to lastCompletion + minPause, then every interval. */
  private rescheduleAfterMinPause(): void {
    if (this.config.intervalMs === null) return;
    this.generation++;
    this.host.scheduleCoordinatorEvent(this.lastCompletionTime + this.config.minPauseBetweenCheckpointsMs, {
      kind: 'periodic-trigger',
      generation: this.generation,
    });
  }

  private runQueuedTrigger(now: number): void {
    if (this.savepointQueued && this.pending.size < this.config.maxConcurrentCheckpoints) {
      this.savepointQueued = false;
      this.triggerCheckpoint(now, 'savepoint');
      return;
    }
    if (!this.triggerQueued || this.pending.size >= this.config.maxConcurrentCheckpoints) return;
    this.triggerQueued = false;
    const earliest = this.lastCompletionTime + this.config.minPauseBetweenCheckpointsMs;
    if (now >= earliest) this.triggerCheckpoint(now, 'checkpoint');
    else this.rescheduleAfterMinPause();
  }
}

/** Snapshots grouped by operator uid (first-seen order), keeping each operator's subtask order. */
function groupByOperator(snapshots: TaskStateSnapshot[]): TaskStateSnapshot[] {
  const byUid = new Map<string, TaskStateSnapshot[]>();
  for (const s of snapshots) {
    const list = byUid.get(s.operatorUid);
    if (list) list.push(s);
    else byUid.set(s.operatorUid, [s]);
  }
  return [...byUid.values()].flat();
}
