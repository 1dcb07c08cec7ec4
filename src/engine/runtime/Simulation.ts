/**
 * A simulation session: the world around one job. It owns what outlives an engine instance — the
 * durable checkpoint storage, the source logs (inside the job), the external systems the sinks write
 * to — and the current MiniCluster. A whole-engine crash throws the MiniCluster away with everything
 * it held in memory (including JobManager-held checkpoints) and starts a new one, which restores from
 * the latest checkpoint the durable storage kept (or from scratch if there is none).
 */
import type { JobGraph } from '../api/JobGraph';
import { ExternalSystem } from '../connectors/ExternalSystem';
import { DurableCheckpointStorage, type CheckpointStorage } from '../checkpointing/CheckpointStorage';
import type { CheckpointStats, CompletedCheckpoint } from '../checkpointing/CompletedCheckpoint';
import type { TraceListener } from '../trace/TraceEvent';
import type { ClusterOptions } from '../scheduler/ResourceManager';
import { parseTaskManagerId } from '../scheduler/TaskManager';
import { MiniCluster, type FailureRecord, type TaskManagerInfo } from './MiniCluster';
import { msg, renderEnglish } from '../messages/Message';

export interface ScheduledFailure {
  /**
   * `<operator uid>#<subtask>`, `engine`, `taskmanager-<n>` (kill TaskManager n) or `add-taskmanager`
   * (a new TaskManager registers: not a failure, but scheduled the same way).
   */
  target: string;
  at: number;
}

export interface SimulationOptions {
  seed: number;
  fastForward?: boolean;
  trace?: TraceListener | null;
  checkpointStorage?: CheckpointStorage;
  external?: ExternalSystem;
  /** Time an engine takes to come back after a crash (process restart, job resubmission). */
  engineRestartDelayMs?: number;
  /**
   * Start from this checkpoint or savepoint (e.g. an imported snapshot file), as Flink's `run -s`.
   * Every engine instance falls back to it until the durable storage has a newer checkpoint.
   */
  restoreFrom?: CompletedCheckpoint;
  /** TaskManagers and slots (see `MiniClusterOptions.cluster`); every engine instance starts with them. */
  cluster?: ClusterOptions;
}

export class Simulation {
  readonly checkpointStorage: CheckpointStorage;
  readonly external: ExternalSystem;
  cluster: MiniCluster;
  private incarnation = 0;
  /** Failures of earlier engine instances, and the crashes themselves. */
  private readonly pastFailures: FailureRecord[] = [];
  private readonly pastFailuresOfFinishedTasks: MiniCluster['failuresOfFinishedTasks'] = [];
  private readonly pastCheckpoints: CheckpointStats[] = [];

  constructor(
    readonly job: JobGraph,
    private readonly options: SimulationOptions,
  ) {
    this.checkpointStorage = options.checkpointStorage ?? new DurableCheckpointStorage();
    this.external = options.external ?? new ExternalSystem();
    this.cluster = this.newCluster(0);
  }

  private newCluster(startTime: number): MiniCluster {
    return new MiniCluster(this.job, {
      seed: this.options.seed + this.incarnation * 7919,
      checkpointStorage: this.checkpointStorage,
      external: this.external,
      trace: this.options.trace ?? null,
      fastForward: this.options.fastForward ?? false,
      startTime,
      incarnation: this.incarnation,
      // Flink keeps the checkpoint id counter in HA storage: ids never repeat across a crash.
      firstCheckpointId: Math.max(0, ...this.pastCheckpoints.map((c) => c.id)) + 1,
      restoreFrom: this.checkpointStorage.latest(this.job.name) ? undefined : this.options.restoreFrom,
      cluster: this.options.cluster,
    });
  }

  /** Kills the engine now: everything it held in memory is gone; a new one restores from durable storage. */
  crashEngine(): void {
    const old = this.cluster;
    const t = old.now;
    this.options.trace?.({ type: 'engine-crashed', t });
    this.pastFailuresOfFinishedTasks.push(...old.failuresOfFinishedTasks);
    this.pastFailures.push(...old.failures, {
      time: t,
      task: 'engine',
      reason: msg('task.engine-crash'),
      restoredFrom: null,
      restartDelayMs: this.options.engineRestartDelayMs ?? 1000,
    });
    old.coordinator.abortAll(msg('checkpoint.engine-crashed'), t);
    this.pastCheckpoints.push(...old.coordinator.history);
    this.incarnation++;
    this.cluster = this.newCluster(t + (this.options.engineRestartDelayMs ?? 1000));
    const restored = this.cluster.coordinator.latestCompleted?.checkpointId ?? null;
    this.pastFailures[this.pastFailures.length - 1].restoredFrom = restored;
    this.options.trace?.({ type: 'engine-recovered', t: this.cluster.now, checkpointId: restored });
  }

  /**
   * Runs with the given failures injected, until `until` or (without it) until the job has finished
   * all its input and committed it.
   */
  run(failures: readonly ScheduledFailure[] = [], until?: number): void {
    const crashes = failures.filter((f) => f.target === 'engine').sort((a, b) => a.at - b.at);
    for (const f of failures) if (f.target !== 'engine') this.schedule(f.target, f.at);
    for (const crash of crashes) {
      if (until !== undefined && crash.at > until) break;
      this.cluster.runUntil(crash.at);
      if (this.cluster.jobStatus === 'FAILED') break;
      const pendingTaskFailures = failures.filter((f) => f.target !== 'engine' && f.at > crash.at);
      this.crashEngine();
      for (const f of pendingTaskFailures) this.schedule(f.target, Math.max(f.at, this.cluster.now));
    }
    if (until !== undefined) this.cluster.runUntil(until);
    else this.cluster.runToCompletion();
  }

  /** Schedules a subtask failure, a TaskManager kill or a new TaskManager on the current engine. */
  private schedule(target: string, at: number): void {
    if (target === 'add-taskmanager') this.cluster.scheduleAddTaskManager(at);
    else if (parseTaskManagerId(target) !== null) this.cluster.scheduleTaskManagerFailure(target, at);
    else this.cluster.scheduleTaskFailure(target, at);
  }

  get failures(): FailureRecord[] {
    return [...this.pastFailures, ...this.cluster.failures];
  }

  get checkpoints(): CheckpointStats[] {
    return [...this.pastCheckpoints, ...this.cluster.coordinator.history];
  }

  /** The result as `npm run sim --json` prints it. */
  result(): SimulationResult {
    const sinks: SimulationResult['sinks'] = {};
    for (const [uid] of this.external.tables) {
      sinks[uid] = {
        committed: this.external.committedValues(uid),
        written: this.external.writtenValues(uid),
      };
    }
    return {
      job: this.job.name,
      mode: this.job.checkpointConfig.mode,
      time: this.cluster.now,
      jobStatus: this.cluster.jobStatus,
      tasks: Object.fromEntries(this.cluster.tasks.map((t) => [t.id, t.status])),
      state: this.cluster.keyedStateByOperator(),
      ...broadcastStateOf(this.cluster.broadcastStateByOperator()),
      sinks,
      checkpoints: this.checkpoints.map((c) => ({
        id: c.id,
        status: c.status,
        triggerTime: c.triggerTime,
        endToEndMs: c.endToEndMs,
        acks: `${c.numAcknowledged}/${c.numTasks}`,
        checkpointedBytes: c.checkpointedBytes,
        persistedInFlightBytes: c.persistedInFlightBytes,
        alignmentMsMax: Math.max(0, ...c.subtasks.map((s) => s.alignmentMs)),
        failureReason: c.failureReason && renderEnglish(c.failureReason),
      })),
      failures: this.failures.map((f) => ({ ...f, reason: renderEnglish(f.reason) })),
      failuresOfFinishedTasks: [...this.pastFailuresOfFinishedTasks, ...this.cluster.failuresOfFinishedTasks],
      taskManagers: this.cluster.taskManagerInfo(),
      slotsNeeded: this.cluster.slotsNeeded,
      // Per job vertex (an operator chain), as Flink's Web UI lists them.
      vertices: this.cluster.vertexInfo().map((v) => ({
        name: v.name,
        operators: v.operators,
        parallelism: v.parallelism,
        subtasks: v.subtasks.map((t) => ({
          index: t.index,
          status: t.status,
          taskManager: t.taskManager,
          slot: t.slot,
        })),
      })),
    };
  }
}

export interface SimulationResult {
  job: string;
  mode: string;
  time: number;
  jobStatus: string;
  /** Status of every subtask by id (FINISHED after a bounded input ended). */
  tasks?: Record<string, string>;
  state: Record<string, Record<string, Record<string, unknown>>>;
  /** Jobs with the broadcast state pattern: uid → subtask → state name → entries (absent otherwise). */
  broadcastState?: Record<string, Record<number, Record<string, Array<[unknown, unknown]>>>>;
  sinks: Record<string, { committed: unknown[]; written: unknown[] }>;
  checkpoints: Array<{
    id: number;
    status: string;
    triggerTime: number;
    endToEndMs: number | null;
    acks: string;
    checkpointedBytes: number;
    persistedInFlightBytes: number;
    alignmentMsMax: number;
    failureReason: string | null;
  }>;
  /** As the command line prints them: reasons in English. */
  failures: Array<Omit<FailureRecord, 'reason'> & { reason: string }>;
  /**
   * `--fail` requests that reached a subtask already FINISHED (FLIP-147): ignored, as Flink ignores a
   * failure of a finished execution; `finishedAt` is when it finished.
   */
  failuresOfFinishedTasks?: Array<{ task: string; time: number; finishedAt: number }>;
  /** The TaskManagers at the end of the run: status and the subtasks in each slot. */
  taskManagers: TaskManagerInfo[];
  /** Slots the job needs (its highest vertex parallelism). */
  slotsNeeded: number;
  /** Per job vertex, its subtasks with their status and placement (null: no slot). */
  vertices: Array<{
    name: string;
    operators: string[];
    parallelism: number;
    subtasks: Array<{ index: number; status: string; taskManager: string | null; slot: number | null }>;
  }>;
}

function broadcastStateOf(b: Record<string, Record<number, Record<string, Array<[unknown, unknown]>>>>): {
  broadcastState?: typeof b;
} {
  return Object.keys(b).length === 0 ? {} : { broadcastState: b };
}
