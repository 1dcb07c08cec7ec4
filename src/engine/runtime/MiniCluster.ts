/**
 * The engine: runs one job as a discrete-event simulation in virtual time (Flink's MiniCluster is a
 * whole cluster in one process; so is this). This class is the facade the rest of the lab uses
 * (Simulation, the worker, the CLI, experiments, tests); it wires the parts, each named after the
 * Flink class that does the same job:
 *
 * - `EventLoop` (here): virtual time, the control and wake-up queues, the trace output;
 * - `scheduler/`: `ExecutionGraph` (subtasks, channels, pipelined regions), `DefaultScheduler`
 *   (deploy, fail, cancel, restart from the latest checkpoint);
 * - `network/`: `Channel` (ResultSubpartition + InputChannel), `RecordWriter` (partitioners),
 *   `CreditBasedFlowControl` (credit, output buffers, backpressure);
 * - `tasks/`: `StreamTask` (a subtask), `StreamInputProcessor` (what a woken task does),
 *   `OperatorChain` (the operators a task runs, their state, restore, snapshot);
 * - `checkpointing/`: `CheckpointCoordinator` (JobManager side), `SubtaskCheckpointCoordinator`
 *   (task side: barriers, snapshots, acks), `ChannelStateWriter`, `SequentialChannelStateReader`,
 *   `StopTheWorldCheckpoint` (the article's §3.2);
 * - `time/`: `StatusWatermarkValve`, `InternalTimeServiceManager`, `ProgressiveTimestampsAndWatermarks`.
 *
 * Determinism: every random draw comes from the seed (each channel has its own stream); events at the
 * same time run in a fixed order (control events first, then task wake-ups, each by scheduling order).
 *
 * Batching ("fast-forward"): when no per-record trace is wanted, a woken task keeps processing input
 * up to a horizon = min(now + lookahead, next control event). The lookahead is the smallest channel
 * or RPC latency: nothing sent by anyone after `now` can reach the task before `now + lookahead`, so
 * the task sees exactly the input it would see one event at a time. Results are identical in both
 * modes (tested).
 */
import type { CheckpointingMode, JobGraph } from '../api/JobGraph';
import { taskIdOfOperatorSubtask, type OperatorChainInfo } from '../api/StreamingJobGraphGenerator';
import {
  CheckpointCoordinator,
  type CoordinatorEvent,
  type CoordinatorHost,
  type TaskAcknowledgement,
} from '../checkpointing/CheckpointCoordinator';
import {
  DurableCheckpointStorage,
  JobManagerCheckpointStorage,
  type CheckpointStorage,
} from '../checkpointing/CheckpointStorage';
import { adoptRestoredMaxParallelism, validateRestore } from '../checkpointing/Checkpoints';
import { validateCheckpointConfig } from '../checkpointing/CheckpointCoordinatorConfiguration';
import type { CheckpointStats, CompletedCheckpoint } from '../checkpointing/CompletedCheckpoint';
import { ExternalSystem } from '../connectors/ExternalSystem';
import { PoisonRecord, type LogRecord } from '../connectors/ReplayableLog';
import type { Channel } from '../network/Channel';
import { buildExecutionGraph } from '../scheduler/ExecutionGraph';
import { buildSlotSharingGroups } from '../scheduler/LocalInputPreferredSlotSharingStrategy';
import {
  ResourceManager,
  resolveClusterConfiguration,
  type ClusterOptions,
  type TaskManagerInfo,
} from '../scheduler/ResourceManager';
import { parseTaskManagerId, taskManagerId } from '../scheduler/TaskManager';
import type { StreamTask } from '../tasks/StreamTask';
import type { JobStatus, TraceListener } from '../trace/TraceEvent';
import { createClusterRuntime, type ClusterRuntime } from './ClusterRuntime';
import { EventLoop, type ControlEvent } from './EventLoop';
import { JobMetrics } from './JobMetrics';
import { SourceOperator, UserFunctionOperator } from './operators';
import { Random } from './Random';

// Kept importable from here: callers know these as the MiniCluster's.
import type { FailureRecord } from '../scheduler/DefaultScheduler';
import { msg, type Message } from '../messages/Message';
export type { FailureRecord, TaskManagerInfo };
export { MAX_MEMORY_STATE_SIZE } from '../checkpointing/SubtaskCheckpointCoordinator';
export { JobMetrics, LatencyHistogram, type LatencySummary } from './JobMetrics';

export interface MiniClusterOptions {
  seed: number;
  /** Durable checkpoint storage living outside the engine (used unless the job keeps checkpoints in the JobManager). */
  checkpointStorage?: CheckpointStorage;
  /** The systems sinks write to; they outlive the engine. */
  external?: ExternalSystem;
  trace?: TraceListener | null;
  /** No per-record trace events; tasks process input in batches. */
  fastForward?: boolean;
  /** Virtual time at which the engine starts (after an engine crash, the crash time). */
  startTime?: number;
  /** Counts engine instances of one session; keeps transaction ids unique across crashes. */
  incarnation?: number;
  /** Lowest checkpoint id to use (the id counter survives engine crashes, as in Flink's HA services). */
  firstCheckpointId?: number;
  /**
   * Start from this checkpoint or savepoint (e.g. an imported snapshot) instead of the storage's latest.
   * Until a newer checkpoint completes, failovers restore from it too (as Flink does after `-s`).
   */
  restoreFrom?: CompletedCheckpoint;
  /** Skip state of operators the job no longer has (Flink's --allowNonRestoredState). */
  allowNonRestoredState?: boolean;
  /**
   * TaskManagers and slots (default: one TaskManager with as many slots as the job needs, as Flink's
   * local MiniCluster), the restart delay of a lost TaskManager and `slot.request.timeout`.
   */
  cluster?: ClusterOptions;
}

/** A job vertex (an operator chain) as the CLI's --json and the app show it. */
export interface VertexInfo {
  /** Its head operator's uid (its subtasks are `<id>#<i>`). */
  id: string;
  name: string;
  /** The uids of its operators, head first. */
  operators: string[];
  parallelism: number;
  subtasks: Array<{
    index: number;
    id: string;
    status: string;
    taskManager: string | null;
    slot: number | null;
  }>;
}

export class MiniCluster implements CoordinatorHost {
  readonly job: JobGraph;
  readonly jobName: string;
  readonly tasks: StreamTask[];
  readonly channels: Channel[];
  readonly external: ExternalSystem;
  readonly checkpointStorage: CheckpointStorage;
  readonly coordinator: CheckpointCoordinator;
  readonly failures: FailureRecord[];
  /** Failures aimed at a subtask that had already FINISHED (FLIP-147): ignored, and recorded here. */
  readonly failuresOfFinishedTasks: Array<{ task: string; time: number; finishedAt: number }> = [];
  readonly incarnation: number;
  /** Count of events processed (for step-wise UIs and benchmarks). */
  eventsProcessed = 0;
  /** End-to-end latency, sink throughput and recovery figures (see `JobMetrics`). */
  readonly metrics = new JobMetrics();

  private readonly loop: EventLoop;
  private readonly rt: ClusterRuntime;
  private readonly taskById: Map<string, StreamTask>;

  constructor(job: JobGraph, options: MiniClusterOptions) {
    this.job = job;
    this.jobName = job.name;
    const random = new Random(options.seed);
    const traceListener = options.trace ?? null;
    const costs = job.costs;
    this.loop = new EventLoop(
      options.startTime ?? 0,
      traceListener,
      traceListener !== null && !options.fastForward,
      options.fastForward || !traceListener ? Math.min(costs.channelLatencyMinMs, costs.rpcLatencyMs) : 0,
    );
    this.incarnation = options.incarnation ?? 0;
    this.external = options.external ?? new ExternalSystem();
    this.checkpointStorage =
      job.stateBackend.checkpointStorage === 'jobmanager'
        ? new JobManagerCheckpointStorage()
        : (options.checkpointStorage ?? new DurableCheckpointStorage());
    validateCheckpointConfig(job);
    adoptRestoredMaxParallelism(job, options.restoreFrom ?? this.checkpointStorage.latest(job.name));
    const graph = buildExecutionGraph(job, random);
    const groups = buildSlotSharingGroups(graph.tasks);
    for (const g of groups) for (const t of g.tasks) t.slotSharingGroup = g;
    const resourceManager = new ResourceManager(
      resolveClusterConfiguration(options.cluster ?? {}, groups.length),
    );
    this.tasks = graph.tasks;
    this.channels = graph.channels;
    this.taskById = graph.taskById;

    const rt = createClusterRuntime(
      {
        job,
        loop: this.loop,
        graph,
        external: this.external,
        checkpointStorage: this.checkpointStorage,
        metrics: this.metrics,
      },
      { random, resourceManager, groups },
      () =>
        new CheckpointCoordinator(
          this,
          job.checkpointConfig,
          this.checkpointStorage,
          random.fork('coordinator'),
          Math.max(options.firstCheckpointId ?? 1, (options.restoreFrom?.checkpointId ?? 0) + 1),
        ),
    );
    this.coordinator = rt.coordinator;
    this.rt = rt;
    const scheduler = rt.scheduler;
    this.failures = scheduler.failures;

    if (options.restoreFrom) this.coordinator.latestCompleted = options.restoreFrom;
    const restoreFrom = this.coordinator.latestCompleted;
    scheduler.restoreBase = restoreFrom?.checkpointId ?? 0;
    if (restoreFrom) validateRestore(job, restoreFrom, options.allowNonRestoredState ?? false);
    scheduler.allocateSlotsAndDeploy(this.tasks, false);
    scheduler.announceSlotsFromNowOn = true;
    // (Every task restored as finished: the job is FINISHED already.)
    if (this.jobStatus === 'RUNNING')
      this.loop.emit({ type: 'job-status', t: this.now, status: 'RUNNING', reason: null });
    this.coordinator.startScheduler(this.now);
  }

  /** Current virtual time. */
  get now(): number {
    return this.loop.now;
  }

  get jobStatus(): JobStatus {
    return this.rt.scheduler.jobStatus;
  }

  /** Records that entered a task (for throughput figures). */
  get recordsProcessed(): number {
    return this.loop.recordsProcessed;
  }

  taskIds(): string[] {
    return this.tasks.map((t) => t.id);
  }

  /**
   * A subtask by its id (`<head uid>#<i>`), or by the id of an operator subtask it runs (`print#1`
   * runs in `count#1` when print is chained to count).
   */
  getTask(id: string): StreamTask {
    const t = this.taskById.get(id) ?? this.taskById.get(taskIdOfOperatorSubtask(this.chains, id) ?? '');
    if (!t) throw new Error(`unknown task '${id}' (known: ${this.taskIds().join(', ')})`);
    return t;
  }

  /** The job vertices: operator chains (one, per operator, with chaining disabled). */
  get chains(): readonly OperatorChainInfo[] {
    return this.rt.graph.chains;
  }

  /** Per job vertex, as the Web UI and the CLI's --json show it: name, operators, subtasks and placement. */
  vertexInfo(): VertexInfo[] {
    return this.chains.map((c) => ({
      id: c.id,
      name: c.name,
      operators: c.operators.map((v) => v.uid),
      parallelism: c.parallelism,
      subtasks: this.tasks
        .filter((t) => t.jobVertex === c)
        .map((t) => {
          const p = this.rt.slotPool.placement(t);
          return {
            index: t.subtaskIndex,
            id: t.id,
            status: t.status,
            taskManager: p?.taskManager ?? null,
            slot: p?.slot ?? null,
          };
        }),
    }));
  }

  // ------------------------------------------------------------------ event loop

  /** Time of the next event, or Infinity when nothing is scheduled. */
  nextEventTime(): number {
    return this.loop.nextEventTime();
  }

  /** Processes one event. Returns false when there is nothing left to do. */
  step(): boolean {
    const loop = this.loop;
    const ct = loop.control.peekTime();
    const wt = loop.wakes.peekTime();
    if (ct === Infinity && wt === Infinity) return false;
    this.eventsProcessed++;
    // Control events go first at equal times, so both execution modes see them at the same point.
    if (ct <= wt) {
      const ev = loop.control.pop()!;
      loop.now = Math.max(loop.now, ev.time);
      this.handleControl(ev.event);
    } else {
      const ev = loop.wakes.pop()!;
      loop.now = Math.max(loop.now, ev.time);
      const task = ev.event.task;
      if (ev.event.attempt === task.attempt && task.wakeAt === ev.time) {
        task.wakeAt = Infinity;
        this.rt.inputProcessor.processInput(task);
      }
    }
    const stw = this.rt.stopTheWorld;
    if (stw.draining) stw.checkDrained();
    return true;
  }

  /** Runs every event up to and including virtual time `until`. */
  runUntil(until: number): void {
    const loop = this.loop;
    // Batches must not start work after `until`: what runUntil shows is the state at `until`.
    loop.runLimit = until;
    try {
      while (this.nextEventTime() <= until) this.step();
    } finally {
      loop.runLimit = Infinity;
    }
    loop.now = Math.max(loop.now, until);
  }

  /**
   * Runs until the job is FINISHED (bounded sources: every task finished after its final checkpoint),
   * or — unbounded — has processed all input that is in its sources and the last checkpoint that
   * covers it completed (so transactional sinks committed), or the job failed, or `maxTime` passed.
   */
  runToCompletion(maxTime = 3_600_000): void {
    let checks = 0;
    while (this.now <= maxTime && this.jobStatus !== 'FAILED') {
      if (!this.step()) break;
      if (++checks % 64 === 0 || this.loop.recordsInFlight === 0) {
        if (this.isFinished()) break;
      }
    }
  }

  /** All input consumed, nothing in flight, and (with checkpointing) a completed checkpoint covering it all. */
  isFinished(): boolean {
    if (this.jobStatus === 'FAILED' || this.jobStatus === 'FINISHED') return true;
    if (!this.isDrained()) return false;
    const lastRecordTime = this.loop.lastRecordTime;
    if (this.job.checkpointConfig.intervalMs === null) return this.now >= lastRecordTime;
    const cp = this.coordinator.latestCompleted;
    // The checkpoint must have been triggered after the last record was processed, and every task notified.
    if (!cp || cp.triggerTime < lastRecordTime) return false;
    return this.rt.subtaskCheckpoints.notifiedCheckpoint >= cp.checkpointId;
  }

  /** No records anywhere, every source at the end of its log, every task running. */
  isDrained(): boolean {
    if (this.loop.recordsInFlight > 0 || this.rt.scheduler.restartsPending > 0) return false;
    // Watermarks and barriers still travelling, or a source watermark not sent yet, are work too.
    for (const ch of this.channels) if (ch.queue.length > 0 || ch.backlog.length > 0) return false;
    for (const t of this.tasks) if (this.rt.sourceWatermarks.hasPendingWatermark(t)) return false;
    for (const t of this.tasks) {
      if (t.status === 'FINISHED') continue;
      if (t.status !== 'RUNNING') return false;
      // A bounded job is done when it is FINISHED, not when its channels are empty.
      if (t.endOfInput) return false;
      // A bounded source at its end still has to end its input (MAX_WATERMARK, EndOfData).
      if (t.operator instanceof SourceOperator && (t.operator.hasMore() || t.operator.reachedEnd()))
        return false;
    }
    return true;
  }

  private handleControl(ev: ControlEvent): void {
    const rt = this.rt;
    switch (ev.kind) {
      case 'coordinator':
        this.coordinator.handleEvent(ev.event, this.now);
        return;
      case 'source-trigger':
        if (ev.attempt !== ev.task.attempt || ev.task.status !== 'RUNNING') return;
        if (ev.task.isSource) rt.subtaskCheckpoints.triggerSource(ev.task, ev.checkpointId);
        else rt.subtaskCheckpoints.triggerUnfinishedChannels(ev.task, ev.checkpointId);
        return;
      case 'priority-barrier':
        if (ev.attempt === ev.task.attempt && ev.task.status === 'RUNNING')
          rt.subtaskCheckpoints.onPriorityBarrier(ev.task, ev.channel, ev.barrier);
        return;
      case 'ack':
        if (ev.attempt === ev.task.attempt) rt.subtaskCheckpoints.sendAck(ev.task, ev.checkpointId);
        return;
      case 'notify':
        rt.subtaskCheckpoints.onNotify(ev.task, ev.attempt, ev.checkpointId);
        return;
      case 'fail-task': {
        const task = this.taskById.get(ev.taskId);
        // A FINISHED execution cannot fail (Flink ignores it: a terminal state); the request is kept
        // so that the command line can say why it did nothing.
        if (task?.status === 'FINISHED')
          this.failuresOfFinishedTasks.push({
            task: task.id,
            time: this.now,
            finishedAt: task.finishedAt ?? this.now,
          });
        else if (task) rt.scheduler.failTask(task, ev.reason, false, ev.unrecoverable === true);
        return;
      }
      case 'restart':
        rt.scheduler.onRestartEvent(ev.tasks, ev.token);
        return;
      case 'taskmanager-lost':
        rt.scheduler.onTaskManagerLost(ev.taskManager, ev.reason);
        return;
      case 'taskmanager-start':
        rt.scheduler.onTaskManagerStarted(ev.taskManager);
        return;
      case 'slot-request-timeout':
        rt.scheduler.onSlotRequestTimeout(ev.request);
        return;
      case 'stw-snapshot':
        rt.stopTheWorld.snapshot(ev.checkpointId);
        return;
      case 'trace':
        this.loop.emit(ev.event);
        return;
      case 'alignment-timeout':
        if (ev.attempt === ev.task.attempt && ev.task.status === 'RUNNING')
          rt.subtaskCheckpoints.onAlignmentTimeout(ev.task, ev.checkpointId);
        return;
      case 'announced-barrier-timeout':
        rt.subtaskCheckpoints.onAnnouncedBarrierTimeout(ev.task, ev.attempt, ev.channel, ev.barrier);
        return;
      case 'watermark-tick':
        if (ev.attempt === ev.task.attempt && ev.task.status === 'RUNNING') rt.sourceWatermarks.tick(ev.task);
        return;
      case 'processing-timer':
        // After its end of input a task's processing-time service is quiesced (Flink: no more timers fire).
        if (ev.attempt === ev.task.attempt && ev.task.status === 'RUNNING' && !ev.task.endOfInput)
          rt.timers.fireProcessingTimers(ev.task);
        return;
      case 'call':
        ev.fn();
        return;
    }
  }

  // ------------------------------------------------------------------ CoordinatorHost: the JobManager side talks to the tasks

  scheduleCoordinatorEvent(time: number, event: CoordinatorEvent): void {
    this.loop.control.push(time, { kind: 'coordinator', event });
  }

  onCheckpointTriggered(checkpointId: number, kind: 'checkpoint' | 'savepoint', t: number): void {
    this.loop.emit({ type: 'checkpoint-triggered', t, checkpointId, kind });
  }

  isJobRunning(): boolean {
    return this.rt.scheduler.isJobRunning();
  }

  startCheckpoint(
    checkpointId: number,
    mode: CheckpointingMode,
    kind: 'checkpoint' | 'savepoint',
    t: number,
  ): void {
    this.rt.subtaskCheckpoints.startCheckpoint(checkpointId, mode, kind, t);
  }

  abortCheckpointInTasks(checkpointId: number, t: number): void {
    this.rt.subtaskCheckpoints.abortCheckpointInTasks(checkpointId, t);
  }

  onCheckpointCompleted(checkpoint: CompletedCheckpoint, t: number): void {
    this.loop.emit({
      type: 'checkpoint-completed',
      t,
      checkpointId: checkpoint.checkpointId,
      stats: checkpoint.stats,
    });
    this.rt.stopTheWorld.finish(checkpoint.checkpointId, t);
  }

  onCheckpointFailed(stats: CheckpointStats, t: number): void {
    this.loop.emit({
      type: 'checkpoint-failed',
      t,
      checkpointId: stats.id,
      reason: stats.failureReason ?? msg('unknown'),
    });
  }

  notifyCheckpointComplete(checkpointId: number, t: number): void {
    this.rt.subtaskCheckpoints.notifyCheckpointComplete(checkpointId, t);
  }

  /** Checkpoint failures beyond the tolerable number fail the job over (every region restarts). */
  finishedTaskAcks(t: number): TaskAcknowledgement[] {
    return this.rt.endOfInput.finishedTaskAcks(t);
  }

  failJobOnCheckpointFailures(reason: Message): void {
    this.rt.scheduler.failJobOnCheckpointFailures(reason);
  }

  // ------------------------------------------------------------------ commands

  /**
   * Triggers a savepoint now: always aligned, kept until deleted, not used for automatic failover.
   * Returns its id, or null when it was queued behind a running checkpoint (it starts right after).
   */
  triggerSavepoint(): number | null {
    return this.coordinator.triggerCheckpoint(this.now, 'savepoint');
  }

  /** Schedules a subtask failure at virtual time `time` (e.g. `count#1`). */
  scheduleTaskFailure(taskId: string, time: number, reason: Message = msg('task.injected')): void {
    // An operator subtask fails the task that runs it (its whole chain).
    const task = this.getTask(taskId);
    this.loop.control.push(time, { kind: 'fail-task', taskId: task.id, reason });
  }

  /**
   * Kills TaskManager `id` (`taskmanager-<n>` or n) at virtual time `time`: every subtask in its slots
   * fails at once; it comes back after `cluster.taskManagerRestartDelayMs`.
   */
  scheduleTaskManagerFailure(id: string | number, time: number): void {
    // (Not checked against the TaskManagers there are now: one added later may be meant.)
    const index = typeof id === 'number' ? id : parseTaskManagerId(id);
    if (index === null || !(index >= 1)) throw new Error(`'${id}' is not a TaskManager id (taskmanager-<n>)`);
    this.loop.control.push(time, {
      kind: 'taskmanager-lost',
      taskManager: index,
      reason: msg('taskmanager.unreachable', { id: taskManagerId(index) }),
    });
  }

  /** Kills TaskManager `id` now (the app's "kill TaskManager"). */
  killTaskManager(id: string | number): void {
    const index = typeof id === 'number' ? id : parseTaskManagerId(id);
    if (index === null || !this.rt.slotPool.resourceManager.get(index))
      throw new Error(
        `unknown TaskManager '${id}' (known: ${this.taskManagerInfo()
          .map((tm) => tm.id)
          .join(', ')})`,
      );
    this.scheduleTaskManagerFailure(index, this.now);
  }

  /** A new TaskManager with `slotsPerTaskManager` slots registers at `time` (default: now). */
  scheduleAddTaskManager(time = this.now): void {
    this.loop.control.push(time, { kind: 'taskmanager-start', taskManager: null });
  }

  /** Slots the job needs: its highest vertex parallelism (one slot sharing group per slot). */
  get slotsNeeded(): number {
    return this.rt.slotPool.slotsNeeded;
  }

  /** The TaskManagers, their status and what runs in each slot. */
  taskManagerInfo(): TaskManagerInfo[] {
    return this.rt.slotPool.resourceManager.info();
  }

  /** Where a subtask runs now (null: no slot, e.g. SCHEDULED waiting for one). */
  placement(taskId: string): { taskManager: string; slot: number } | null {
    return this.rt.slotPool.placement(this.getTask(taskId));
  }

  /** Schedules an arbitrary action at virtual time `time`, in line with other control events. */
  scheduleAction(time: number, fn: () => void): void {
    this.loop.control.push(time, { kind: 'call', fn });
  }

  /** Fails a subtask now: its pipelined region is cancelled and restarted per the restart strategy. */
  failTask(task: StreamTask, reason: Message, global = false): void {
    this.rt.scheduler.failTask(task, reason, global);
  }

  /**
   * Appends a poison record to a source's log: the first user function it reaches throws, every time
   * it is replayed. With a bounded restart strategy the job ends FAILED (Flink's classic poison pill).
   */
  injectPoisonRecord(sourceUid: string, partition = 0, label = 'poison'): void {
    this.appendToSource(sourceUid, partition, [{ value: new PoisonRecord(label), timestamp: this.now }]);
  }

  /**
   * A producer appends records to a source's log while the job runs (as into a Kafka topic); the
   * source subtasks wake up at once instead of at their next poll. Call it from a scheduled action
   * to keep runs deterministic.
   */
  appendToSource(sourceUid: string, partition: number, records: readonly LogRecord<unknown>[]): void {
    const vertex = this.job.vertices.find((v) => v.uid === sourceUid);
    if (!vertex || vertex.spec.kind !== 'source')
      throw new Error(`'${sourceUid}' is not a source of this job`);
    const log = vertex.spec.log;
    for (const r of records) log.append(partition, r);
    for (const task of this.tasks) {
      if (task.jobVertex.head === vertex && task.status === 'RUNNING')
        this.loop.scheduleWake(task, Math.max(this.now, task.busyUntil));
    }
  }

  // ------------------------------------------------------------------ inspection

  /**
   * Per operator uid → state name → key (and namespace, for window state) → value, merged over
   * subtasks (what `npm run sim --json` prints).
   */
  keyedStateByOperator(): Record<string, Record<string, Record<string, unknown>>> {
    const out: Record<string, Record<string, Record<string, unknown>>> = {};
    for (const task of this.tasks) {
      for (const chained of task.chain?.operators ?? []) {
        const backend = chained.keyedBackend;
        if (!backend) continue;
        const op = (out[chained.vertex.uid] ??= {});
        for (const name of backend.stateNames()) {
          const st = (op[name] ??= {});
          // Window state: one entry per (key, window), written `key TimeWindow{start=…, end=…}`.
          for (const [key, value, ns] of backend.entries(name))
            st[ns === undefined ? String(key) : `${String(key)} ${ns}`] = value;
        }
      }
    }
    return out;
  }

  /**
   * Broadcast state per operator uid → subtask index → state name → entries (`[key, value]` in
   * insertion order): every subtask holds its own copy (Flink's broadcast state pattern).
   */
  broadcastStateByOperator(): Record<string, Record<number, Record<string, Array<[unknown, unknown]>>>> {
    const out: Record<string, Record<number, Record<string, Array<[unknown, unknown]>>>> = {};
    for (const task of this.tasks) {
      const op = task.operator;
      const backend = op instanceof UserFunctionOperator ? op.getOperatorStateBackend() : null;
      if (!backend || backend.getBroadcastStates().size === 0) continue;
      const states: Record<string, Array<[unknown, unknown]>> = {};
      for (const [name, b] of backend.getBroadcastStates()) states[name] = b.snapshotItems();
      (out[task.vertex.uid] ??= {})[task.subtaskIndex] = states;
    }
    return out;
  }

  sourceOffsets(): Record<string, Array<{ partition: number; offset: number }>> {
    const out: Record<string, Array<{ partition: number; offset: number }>> = {};
    for (const task of this.tasks)
      if (task.operator instanceof SourceOperator) out[task.id] = task.operator.offsets();
    return out;
  }
}
