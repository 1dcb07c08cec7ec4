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
 */
import type { CompletedCheckpoint } from '../checkpointing/CompletedCheckpoint';
import { restoreChannelState } from '../checkpointing/SequentialChannelStateReader';
import { ExecutionFailureHandler } from '../failover/ExecutionFailureHandler';
import type { ClusterRuntime } from '../runtime/ClusterRuntime';
import { SourceOperator } from '../runtime/operators';
import type { Random } from '../runtime/Random';
import { OperatorChain } from '../tasks/OperatorChain';
import type { StreamTask } from '../tasks/StreamTask';
import type { JobStatus, TaskStatus } from '../trace/TraceEvent';

export interface FailureRecord {
  time: number;
  task: string;
  reason: string;
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
    const v = task.vertex;
    const chain = OperatorChain.deploy(rt, task, this.restoreBase);
    rt.subtaskCheckpoints.createBarrierHandlers(task);
    task.status = 'RUNNING';
    loop.emitTaskStatus(task, 'RUNNING');
    const own = checkpoint ? checkpoint.tasks.filter((s) => s.operatorUid === v.uid) : [];
    // An operator the checkpoint does not know (added to the job) starts fresh: isRestored() is false.
    const snapshots = own.length > 0 ? own : null;
    try {
      chain.initializeState(snapshots, rt.checkpointStorage);
      if (snapshots && task.timerService) rt.timers.scheduleProcessingTimer(task);
      chain.open();
    } catch (e) {
      // A user function that throws in open() fails the task, as in Flink (not the whole engine).
      loop.control.push(loop.now, {
        kind: 'fail-task',
        taskId: task.id,
        reason: `${v.name} (${task.id}) threw in open(): ${(e as Error).message}`,
      });
    }
    if (loop.traceListener && task.keyedBackend) {
      task.keyedBackend.listener = loop.recordTrace
        ? (state, key, value) =>
            loop.emit({ type: 'state-changed', t: task.clock, task: task.id, state, key, value })
        : null;
    }
    if (snapshots) {
      const mine = snapshots.find(
        (s) => s.subtaskIndex === task.subtaskIndex && s.parallelism === v.parallelism,
      );
      if (mine) restoreChannelState(rt, task, mine);
    }
    rt.sourceWatermarks.start(task);
    const finished = snapshots?.find(
      (s) => s.finished === true && s.subtaskIndex === task.subtaskIndex && s.parallelism === v.parallelism,
    );
    if (checkpoint || isRestart) {
      loop.emit({
        type: 'task-restored',
        t: loop.now,
        task: task.id,
        checkpointId: checkpoint ? checkpoint.checkpointId : null,
        offsets: task.operator instanceof SourceOperator ? task.operator.offsets() : [],
      });
    }
    // FLIP-147: a subtask that had finished is deployed as finished (its input ends at once).
    if (finished && task.status === 'RUNNING') rt.endOfInput.deployAsFinished(task, finished, loop.now);
    else loop.scheduleWake(task, loop.now);
  }

  /** Output channel state goes out once every receiver is deployed (after the receivers' input channel state). */
  flushRestoredOutput(tasks: readonly StreamTask[]): void {
    for (const task of tasks) this.rt.network.drainBacklogs(task, this.rt.loop.now);
  }

  // ------------------------------------------------------------------ failures and recovery

  /** Fails a subtask now: its pipelined region is cancelled and restarted per the restart strategy. */
  failTask(task: StreamTask, reason: string, global = false): void {
    if (task.status !== 'RUNNING' || this.jobStatus === 'FAILED' || this.jobStatus === 'FINISHED') return;
    const rt = this.rt;
    const loop = rt.loop;
    const t = loop.now;
    task.status = 'FAILED';
    loop.emit({ type: 'task-failed', t, task: task.id, reason });
    loop.emitTaskStatus(task, 'FAILED');
    const region = rt.graph.tasks.filter((x) =>
      global ? x.status === 'RUNNING' || x.status === 'FINISHED' || x === task : x.region === task.region,
    );
    for (const x of region) this.cancelTask(x, x === task ? 'FAILED' : 'CANCELED');
    rt.coordinator.abortAll(`Task failure: ${task.id}: ${reason}`, t);
    const delay = this.restartStrategy.notifyFailure(t);
    const record: FailureRecord = {
      time: t,
      task: task.id,
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
        reason: `Recovery is suppressed by ${rt.job.restartStrategy.type} restart strategy after ${this.restartStrategy.numberOfFailures} failure(s): ${reason}`,
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
  failJobOnCheckpointFailures(reason: string): void {
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
    const checkpoint = rt.coordinator.latestCompleted;
    // Recovery figures: how far the sources rewind (records they will read a second time).
    const readBefore = sourcePosition(region);
    for (const task of region) this.deployTask(task, checkpoint, true);
    rt.metrics.restarts++;
    rt.metrics.recordsReplayed += Math.max(0, readBefore - sourcePosition(region));
    this.flushRestoredOutput(region);
    if (checkpoint) rt.coordinator.counts.restored++;
    const last = this.failures[this.failures.length - 1];
    if (last) last.restoredFrom = checkpoint?.checkpointId ?? null;
    if (
      this.restartsPending === 0 &&
      rt.graph.tasks.every((t) => t.status === 'RUNNING' || t.status === 'FINISHED')
    ) {
      this.jobStatus = 'RUNNING';
      rt.loop.emit({ type: 'job-status', t: rt.loop.now, status: 'RUNNING', reason: null });
      this.onTaskFinished(); // every task was restored as finished
    }
  }
}

/** Records read so far by the sources among `tasks` (sum of their offsets). */
export function sourcePosition(tasks: readonly StreamTask[]): number {
  let n = 0;
  for (const task of tasks)
    if (task.operator instanceof SourceOperator) for (const s of task.operator.offsets()) n += s.offset;
  return n;
}
