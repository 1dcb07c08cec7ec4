/**
 * Flink's DefaultScheduler: deploys the subtasks, and on a failure cancels the failed subtask's
 * pipelined region, asks the restart strategy (Flink's RestartBackoffTimeStrategy) for a delay, and
 * redeploys the region from the latest completed checkpoint (Flink's
 * RestartPipelinedRegionFailoverStrategy + CheckpointCoordinator.restoreLatestCheckpointedState;
 * the strategy's bookkeeping is `failover/ExecutionFailureHandler`).
 *
 * Deploying a subtask creates a fresh operator chain (operator, keyed state backend, timers) and
 * restores it from the checkpoint: keyed state and timers by key-group range, operator state, source
 * offsets (rewind), pending sink transactions, channel state (replayed first).
 *
 * Subtasks run in TaskManager slots (`SlotPool`, `ResourceManager`): a set of subtasks is deployed
 * once all of its slot sharing groups have slots, and waits SCHEDULED until then. Losing a
 * TaskManager fails every subtask in its slots at once (one failover of their regions).
 */
import type { CompletedCheckpoint, TaskStateSnapshot } from '../checkpointing/CompletedCheckpoint';
import { restoreChannelState } from '../checkpointing/SequentialChannelStateReader';
import { ExecutionFailureHandler } from '../failover/ExecutionFailureHandler';
import { isUnrecoverableError } from '../failover/SuppressRestartsException';
import type { ClusterRuntime } from '../runtime/ClusterRuntime';
import { SourceOperator } from '../runtime/operators';
import type { Random } from '../runtime/Random';
import { failedOperator, OperatorChain, snapshotsOf } from '../tasks/OperatorChain';
import type { StreamTask } from '../tasks/StreamTask';
import type { JobStatus, TaskStatus } from '../trace/TraceEvent';
import type { TaskManager, TaskSlot } from './TaskManager';
import { messageOf, msg, type Message } from '../messages/Message';

export interface FailureRecord {
  time: number;
  task: string;
  reason: Message;
  restoredFrom: number | null;
  restartDelayMs: number | null;
}

export class DefaultScheduler {
  jobStatus: JobStatus = 'RUNNING';
  readonly failures: FailureRecord[] = [];
  /** Regions whose restart is scheduled but has not happened yet. */
  restartsPending = 0;
  /** Id of the checkpoint this engine instance started from (0: none). */
  restoreBase = 0;
  private readonly restartStrategy: ExecutionFailureHandler;
  private restartToken = 0;

  constructor(
    private readonly rt: ClusterRuntime,
    random: Random,
  ) {
    this.restartStrategy = new ExecutionFailureHandler(rt.job.restartStrategy, random.fork('restart'));
  }

  /**
   * Every subtask is running or finished, and not all finished (checkpoints are only triggered then;
   * FLIP-147: finished tasks do not stop checkpointing).
   */
  isJobRunning(): boolean {
    if (this.jobStatus !== 'RUNNING') return false;
    let running = false;
    for (const t of this.rt.graph.tasks) {
      if (t.status === 'RUNNING') running = true;
      else if (t.status !== 'FINISHED') return false;
    }
    return running;
  }

  /** A task finished: when every task has, the job is FINISHED. */
  onTaskFinished(): void {
    if (this.jobStatus !== 'RUNNING' || !this.rt.graph.tasks.every((t) => t.status === 'FINISHED')) return;
    this.jobStatus = 'FINISHED';
    this.rt.loop.emit({ type: 'job-status', t: this.rt.loop.now, status: 'FINISHED', reason: null });
  }

  // ------------------------------------------------------------------ deployment

  /** (Re)creates the task's operator chain and state and restores them from `checkpoint` (null = fresh start). */
  deployTask(task: StreamTask, checkpoint: CompletedCheckpoint | null, isRestart: boolean): void {
    const rt = this.rt;
    const loop = rt.loop;
    task.resetForDeployment(loop.now, isRestart);
    const chain = OperatorChain.deploy(rt, task, this.restoreBase);
    rt.subtaskCheckpoints.createBarrierHandlers(task);
    task.status = 'RUNNING';
    loop.emitTaskStatus(task, 'RUNNING');
    try {
      if (chain.initializeState(checkpoint, rt.checkpointStorage)) rt.timers.scheduleProcessingTimer(task);
      chain.open();
    } catch (e) {
      // A user function that throws in open() fails the task, as in Flink (not the whole engine).
      const failed = failedOperator(e, task.vertex);
      loop.control.push(loop.now, {
        kind: 'fail-task',
        taskId: task.id,
        reason: msg('task.threw-in-open', {
          operator: failed.vertex.name,
          task: task.id,
          error: messageOf(failed.error),
        }),
        unrecoverable: isUnrecoverableError(failed.error),
      });
    }
    if (loop.traceListener) {
      for (const op of chain.operators) {
        const backend = op.keyedBackend;
        if (!backend) continue;
        const operator = op.isHead ? {} : { operator: op.vertex.uid };
        backend.listener = loop.recordTrace
          ? (state, key, value, namespace) =>
              loop.emit({
                type: 'state-changed',
                t: task.clock,
                task: task.id,
                state,
                key,
                value,
                ...operator,
                ...(namespace === undefined ? {} : { namespace }),
              })
          : null;
      }
    }
    // This subtask's own snapshot of each chained operator (same index and parallelism).
    const own = chain.operators.map((op) =>
      snapshotsOf(checkpoint, op.vertex)?.find(
        (s) => s.subtaskIndex === task.subtaskIndex && s.parallelism === op.vertex.parallelism,
      ),
    );
    for (const mine of own) if (mine) restoreChannelState(rt, task, mine);
    rt.sourceWatermarks.start(task);
    if (checkpoint || isRestart) {
      loop.emit({
        type: 'task-restored',
        t: loop.now,
        task: task.id,
        checkpointId: checkpoint ? checkpoint.checkpointId : null,
        offsets: task.operator instanceof SourceOperator ? task.operator.offsets() : [],
      });
    }
    // FLIP-147: a subtask whose every operator had finished is deployed as finished (its input ends at once).
    const finished = own.every((s) => s?.finished === true) ? (own as TaskStateSnapshot[]) : null;
    if (finished && task.status === 'RUNNING') rt.endOfInput.deployAsFinished(task, finished, loop.now);
    else loop.scheduleWake(task, loop.now);
  }

  /** Output channel state goes out once every receiver is deployed (after the receivers' input channel state). */
  flushRestoredOutput(tasks: readonly StreamTask[]): void {
    for (const task of tasks) this.rt.network.drainBacklogs(task, this.rt.loop.now);
  }

  // ------------------------------------------------------------------ failures and recovery

  /** Fails a subtask now: its pipelined region is cancelled and restarted per the restart strategy. */
  failTask(task: StreamTask, reason: Message, global = false, unrecoverable = false): void {
    // A task waiting for a slot (SCHEDULED) is not running anywhere: nothing to fail.
    if (task.status !== 'RUNNING') return;
    this.failTasks([task], task.id, reason, global, unrecoverable);
  }

  /**
   * Fails subtasks at once (those of a lost TaskManager, or a slot request that timed out): one
   * failover of the union of their regions, one failure for the restart strategy. `source` names
   * what failed in the failure record (a task id, or `taskmanager-<n>`). `unrecoverable` (Flink's
   * `ThrowableType.NonRecoverableError`, see SuppressRestartsException): the job fails without
   * asking the restart strategy.
   */
  failTasks(
    tasks: readonly StreamTask[],
    source: string,
    reason: Message,
    global = false,
    unrecoverable = false,
  ): void {
    const failed = tasks.filter((x) => x.status === 'RUNNING' || x.status === 'SCHEDULED');
    if (failed.length === 0 || this.jobStatus === 'FAILED' || this.jobStatus === 'FINISHED') return;
    const task = failed[0];
    const rt = this.rt;
    const loop = rt.loop;
    const t = loop.now;
    for (const x of failed) {
      x.status = 'FAILED';
      loop.emit({ type: 'task-failed', t, task: x.id, reason });
      loop.emitTaskStatus(x, 'FAILED');
    }
    const regions = new Set(failed.map((x) => x.region));
    const region = rt.graph.tasks.filter((x) =>
      global
        ? x.status === 'RUNNING' || x.status === 'SCHEDULED' || x.status === 'FINISHED' || failed.includes(x)
        : regions.has(x.region),
    );
    for (const x of region) this.cancelTask(x, failed.includes(x) ? 'FAILED' : 'CANCELED');
    rt.coordinator.abortAll(msg('checkpoint.task-failure', { task: task.id, reason }), t);
    const delay = unrecoverable ? null : this.restartStrategy.notifyFailure(t);
    const record: FailureRecord = {
      time: t,
      task: source,
      reason,
      restoredFrom: null,
      restartDelayMs: delay,
    };
    this.failures.push(record);
    if (delay === null) {
      for (const x of rt.graph.tasks) this.cancelTask(x, x.status === 'FAILED' ? 'FAILED' : 'CANCELED');
      this.jobStatus = 'FAILED';
      loop.emit({
        type: 'job-status',
        t,
        status: 'FAILED',
        reason: unrecoverable
          ? msg('job.unrecoverable', { reason })
          : msg('job.recovery-suppressed', {
              strategy: rt.job.restartStrategy.type,
              failures: this.restartStrategy.numberOfFailures,
              reason,
            }),
      });
      return;
    }
    this.jobStatus = 'RESTARTING';
    for (const x of region) {
      x.status = 'RESTARTING';
      loop.emitTaskStatus(x, 'RESTARTING');
    }
    loop.emit({ type: 'job-status', t, status: 'RESTARTING', reason });
    loop.emit({
      type: 'job-restarting',
      t,
      tasks: region.map((x) => x.id),
      delayMs: delay,
      attempt: this.restartStrategy.numberOfRestarts,
    });
    this.restartsPending++;
    loop.control.push(t + delay, { kind: 'restart', tasks: region, token: ++this.restartToken });
  }

  /** Checkpoint failures beyond the tolerable number fail the job over (every region restarts). */
  failJobOnCheckpointFailures(reason: Message): void {
    const running = this.rt.graph.tasks.find((t) => t.status === 'RUNNING');
    if (running) this.failTask(running, reason, true);
  }

  /** Cancels a task: its in-flight data (channels in and out) is discarded. */
  private cancelTask(task: StreamTask, status: TaskStatus): void {
    const rt = this.rt;
    if (task.status !== status) {
      task.status = status;
      rt.loop.emitTaskStatus(task, status);
    }
    task.attempt++;
    task.wakeAt = Infinity;
    task.pendingSnapshots.clear();
    for (const ch of task.inputs) rt.network.discardChannel(ch);
    for (const gate of task.outputs) for (const ch of gate.channels) rt.network.discardChannel(ch);
    task.backloggedChannels = 0;
    rt.stopTheWorld.cancel();
  }

  /** The restart event: the newest restart, or one whose whole region is still waiting, redeploys. */
  onRestartEvent(tasks: StreamTask[], token: number): void {
    if (token === this.restartToken || tasks.every((t) => t.status === 'RESTARTING'))
      this.restartTasks(tasks);
  }

  private restartTasks(region: StreamTask[]): void {
    this.restartsPending--;
    if (this.jobStatus === 'FAILED') return;
    const rt = this.rt;
    this.allocateSlotsAndDeploy(region, true);
    // Flink: the job is RUNNING again even while its tasks wait SCHEDULED for slots.
    if (
      this.restartsPending === 0 &&
      rt.graph.tasks.every(
        (t) => t.status === 'RUNNING' || t.status === 'SCHEDULED' || t.status === 'FINISHED',
      )
    ) {
      this.jobStatus = 'RUNNING';
      rt.loop.emit({ type: 'job-status', t: rt.loop.now, status: 'RUNNING', reason: null });
      this.onTaskFinished(); // every task was restored as finished
    }
  }

  // ------------------------------------------------------------------ slots and TaskManagers

  /**
   * Deploys `tasks` (restored from the latest checkpoint) once every slot sharing group among them has
   * a slot; until then they wait SCHEDULED, and fail with NoResourceAvailableException after
   * `slot.request.timeout`.
   */
  allocateSlotsAndDeploy(tasks: StreamTask[], isRestart: boolean): void {
    const rt = this.rt;
    const loop = rt.loop;
    const taken = rt.slotPool.allocate(tasks);
    if (taken) {
      this.announceSlots(taken);
      this.deploy(tasks, isRestart);
      return;
    }
    for (const task of tasks) {
      task.status = 'SCHEDULED';
      loop.emitTaskStatus(task, 'SCHEDULED');
    }
    const request = rt.slotPool.addPending(tasks, isRestart, loop.now);
    loop.control.push(loop.now + rt.slotPool.resourceManager.config.slotRequestTimeoutMs, {
      kind: 'slot-request-timeout',
      request: request.id,
    });
  }

  /** Initial deployment happens in the MiniCluster's constructor: its placement is not a trace event. */
  announceSlotsFromNowOn = false;

  private announceSlots(taken: readonly TaskSlot[]): void {
    if (!this.announceSlotsFromNowOn || taken.length === 0) return;
    const slots = taken.flatMap((s) =>
      (s.group?.tasks ?? []).map((t) => ({ task: t.id, taskManager: s.taskManager.id, slot: s.index })),
    );
    this.rt.loop.emit({ type: 'slots-allocated', t: this.rt.loop.now, slots });
  }

  private deploy(tasks: readonly StreamTask[], isRestart: boolean): void {
    const rt = this.rt;
    const checkpoint = rt.coordinator.latestCompleted;
    // Recovery figures: how far the sources rewind (records they will read a second time).
    const readBefore = sourcePosition(tasks);
    for (const task of tasks) this.deployTask(task, checkpoint, isRestart);
    if (isRestart) {
      rt.metrics.restarts++;
      rt.metrics.recordsReplayed += Math.max(0, readBefore - sourcePosition(tasks));
    }
    this.flushRestoredOutput(tasks);
    if (checkpoint) rt.coordinator.counts.restored++;
    if (isRestart) {
      const last = this.failures[this.failures.length - 1];
      if (last) last.restoredFrom = checkpoint?.checkpointId ?? null;
    }
  }

  /** Waiting slot requests get slots, oldest first, as long as there are enough free ones. */
  private fulfilPendingRequests(): void {
    const pool = this.rt.slotPool;
    for (const r of pool.pendingRequests()) {
      const taken = pool.allocate(r.tasks);
      if (!taken) break;
      pool.remove(r);
      this.announceSlots(taken);
      this.deploy(r.tasks, r.isRestart);
    }
  }

  onSlotRequestTimeout(requestId: number): void {
    const pool = this.rt.slotPool;
    const r = pool.live(requestId);
    if (!r) return;
    pool.remove(r);
    const rm = pool.resourceManager;
    const { needed, available } = pool.shortfall(r.tasks);
    const reason = msg('scheduler.no-resource', {
      slotsNeeded: pool.slotsNeeded,
      needed,
      waiting: r.tasks.length,
      available,
      total: rm.totalSlots(),
      taskManagers: describeTaskManagers(rm.taskManagers),
      timeoutMs: rm.config.slotRequestTimeoutMs,
    });
    this.failTasks(r.tasks, r.tasks[0].id, reason);
  }

  /**
   * A TaskManager is lost: its slots are gone and every subtask running in them fails at once. A
   * process supervisor starts it again after the configured delay.
   */
  onTaskManagerLost(index: number, reason: Message): void {
    const rt = this.rt;
    const loop = rt.loop;
    const rm = rt.slotPool.resourceManager;
    const tm = rm.get(index);
    if (!tm || tm.status !== 'RUNNING') return;
    const groups = rm.lose(tm);
    const victims = rt.graph.tasks.filter(
      (t) => t.status === 'RUNNING' && t.slotSharingGroup !== null && groups.includes(t.slotSharingGroup),
    );
    const delay = rm.config.taskManagerRestartDelayMs;
    const restartAt = Number.isFinite(delay) ? loop.now + delay : null;
    loop.emit({
      type: 'taskmanager-lost',
      t: loop.now,
      taskManager: tm.id,
      tasks: victims.map((t) => t.id),
      restartAt,
    });
    if (victims.length > 0) this.failTasks(victims, tm.id, reason);
    if (restartAt !== null) loop.control.push(restartAt, { kind: 'taskmanager-start', taskManager: index });
  }

  /** A TaskManager (re)registers (`index` null: a new one is added): waiting tasks may get its slots. */
  onTaskManagerStarted(index: number | null): TaskManager | null {
    const rm = this.rt.slotPool.resourceManager;
    let tm: TaskManager;
    if (index === null) tm = rm.addTaskManager();
    else {
      const existing = rm.get(index);
      if (!existing || existing.status === 'RUNNING') return null;
      rm.reregister(existing);
      tm = existing;
    }
    this.rt.loop.emit({
      type: 'taskmanager-registered',
      t: this.rt.loop.now,
      taskManager: tm.id,
      slots: tm.slots.length,
    });
    if (this.jobStatus !== 'FAILED') this.fulfilPendingRequests();
    return tm;
  }
}

/** `taskmanager-1=2;taskmanager-2=lost`: each catalogue words the list (see 'scheduler.no-resource'). */
function describeTaskManagers(tms: readonly TaskManager[]): string {
  return tms.map((tm) => `${tm.id}=${tm.status === 'RUNNING' ? tm.slots.length : 'lost'}`).join(';');
}

/** Records read so far by the sources among `tasks` (sum of their offsets). */
export function sourcePosition(tasks: readonly StreamTask[]): number {
  let n = 0;
  for (const task of tasks)
    if (task.operator instanceof SourceOperator) for (const s of task.operator.offsets()) n += s.offset;
  return n;
}
