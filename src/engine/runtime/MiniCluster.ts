/**
 * The engine: runs one job as a discrete-event simulation in virtual time (Flink's MiniCluster is a
 * whole cluster in one process; so is this). It owns the clock, the event queues, the subtasks and
 * channels, the CheckpointCoordinator and failover.
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
import type { CheckpointingMode, JobGraph, JobVertex } from '../api/JobGraph';
import {
  assignKeyToParallelOperator,
  assignToKeyGroup,
  computeKeyGroupRangeForOperatorIndex,
} from '../keygroups/KeyGroupRangeAssignment';
import { jsonLength, type Key } from '../keygroups/hashCode';
import { HeapKeyedStateBackend, estimateSnapshotBytes } from '../state/HeapKeyedStateBackend';
import { isPoison, PoisonRecord, type LogRecord } from '../connectors/ReplayableLog';
import { ExternalSystem } from '../connectors/ExternalSystem';
import {
  CheckpointCoordinator,
  type CoordinatorEvent,
  type CoordinatorHost,
} from '../checkpointing/CheckpointCoordinator';
import {
  DurableCheckpointStorage,
  JobManagerCheckpointStorage,
  resolveIncrementalState,
  type CheckpointStorage,
} from '../checkpointing/CheckpointStorage';
import type {
  ChannelStateSnapshot,
  CheckpointStats,
  CompletedCheckpoint,
  PersistedRecord,
  TaskStateSnapshot,
} from '../checkpointing/CompletedCheckpoint';
import type {
  BarrierHandlerHost,
  CheckpointBarrierHandler,
  SnapshotRequest,
} from '../checkpointing/barriers/CheckpointBarrierHandler';
import { SingleCheckpointBarrierHandler } from '../checkpointing/barriers/SingleCheckpointBarrierHandler';
import { CheckpointBarrierTracker } from '../checkpointing/barriers/CheckpointBarrierTracker';
import { UnalignedCheckpointBarrierHandler } from '../checkpointing/barriers/UnalignedCheckpointBarrierHandler';
import { ChandyLamportMarkerHandler } from '../checkpointing/barriers/ChandyLamportMarkerHandler';
import { ExecutionFailureHandler } from '../failover/ExecutionFailureHandler';
import type { JobStatus, TaskStatus, TraceEvent, TraceListener } from '../trace/TraceEvent';
import { Channel } from './Channel';
import { EventQueue } from './EventQueue';
import { Random } from './Random';
import {
  BARRIER,
  RECORD,
  WATERMARK,
  type CheckpointBarrier,
  type StreamElement,
  type StreamRecord,
  type Watermark,
} from './StreamElement';
import { InternalTimerService, type TimeDomain } from '../time/InternalTimerService';
import type { KeyedStateBackend, RestorableKeyedState } from '../state/KeyedStateBackend';
import { validateRestore } from '../checkpointing/Checkpoints';
import { RocksDBKeyedStateBackend } from '../state/rocksdb/RocksDBKeyedStateBackend';
import { incrementalHandleSizes } from '../state/rocksdb/types';
import { StreamTask, type OutputGate, type PendingSnapshot } from './StreamTask';
import { createOperator, SourceOperator, type OperatorContext } from './operators';
import { EngineError, messageOf, msg, type Message } from '../messages/Message';

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
}

type ControlEvent =
  | { kind: 'coordinator'; event: CoordinatorEvent }
  | { kind: 'source-trigger'; task: StreamTask; attempt: number; checkpointId: number }
  | {
      kind: 'priority-barrier';
      task: StreamTask;
      attempt: number;
      channel: Channel;
      barrier: CheckpointBarrier;
    }
  | { kind: 'ack'; task: StreamTask; attempt: number; checkpointId: number }
  | { kind: 'notify'; task: StreamTask; attempt: number; checkpointId: number }
  | { kind: 'fail-task'; taskId: string; reason: Message }
  | { kind: 'restart'; tasks: StreamTask[]; token: number }
  | { kind: 'stw-snapshot'; checkpointId: number }
  | { kind: 'watermark-tick'; task: StreamTask; attempt: number }
  | { kind: 'processing-timer'; task: StreamTask; attempt: number }
  | { kind: 'alignment-timeout'; task: StreamTask; attempt: number; checkpointId: number }
  | {
      kind: 'announced-barrier-timeout';
      task: StreamTask;
      attempt: number;
      channel: Channel;
      barrier: CheckpointBarrier;
    }
  | { kind: 'trace'; event: TraceEvent }
  | { kind: 'call'; fn: () => void };

interface WakeEvent {
  task: StreamTask;
  attempt: number;
}

export interface FailureRecord {
  time: number;
  task: string;
  reason: Message;
  restoredFrom: number | null;
  restartDelayMs: number | null;
}

export class MiniCluster implements BarrierHandlerHost, CoordinatorHost {
  readonly job: JobGraph;
  readonly jobName: string;
  readonly tasks: StreamTask[] = [];
  readonly channels: Channel[] = [];
  readonly external: ExternalSystem;
  readonly checkpointStorage: CheckpointStorage;
  readonly coordinator: CheckpointCoordinator;
  readonly failures: FailureRecord[] = [];
  jobStatus: JobStatus = 'RUNNING';
  now: number;
  /** Count of events processed (for step-wise UIs and benchmarks). */
  eventsProcessed = 0;
  /** Records that entered a task (for throughput figures). */
  recordsProcessed = 0;
  /** End-to-end latency, sink throughput and recovery figures (see `JobMetrics`). */
  readonly metrics = new JobMetrics();

  private readonly taskById = new Map<string, StreamTask>();
  private readonly seq = { n: 0 };
  private readonly control = new EventQueue<ControlEvent>(this.seq);
  private readonly wakes = new EventQueue<WakeEvent>(this.seq);
  private readonly random: Random;
  private readonly restartStrategy: ExecutionFailureHandler;
  private readonly recordTrace: boolean;
  private readonly traceListener: TraceListener | null;
  private readonly lookahead: number;
  /** Unaligned mode with an aligned-checkpoint timeout: the timeout (0 otherwise). */
  private readonly announcedTimeoutMs: number;
  private readonly incarnation: number;
  private elementIds = 0;
  /** Ingestion time of the record being processed: inherited by the records it produces. */
  private ingestTime = 0;
  /** Records in channels (queues and backlogs): 0 means the dataflow is drained. */
  private recordsInFlight = 0;
  private restartToken = 0;
  /** Stop-the-world: sources paused until this checkpoint completes. */
  private stopTheWorld: { checkpointId: number; phase: 'draining' | 'snapshotting' } | null = null;
  private restartsPending = 0;
  /** Id of the checkpoint this engine instance started from (0: none). */
  private restoreBase = 0;
  /** runUntil's bound: no batch starts work after it. */
  private runLimit = Infinity;
  /** Ids of savepoints in progress (their barriers are always aligned). */
  private readonly savepointIds = new Set<number>();

  constructor(job: JobGraph, options: MiniClusterOptions) {
    this.job = job;
    this.jobName = job.name;
    this.now = options.startTime ?? 0;
    this.random = new Random(options.seed);
    this.traceListener = options.trace ?? null;
    this.recordTrace = this.traceListener !== null && !options.fastForward;
    this.incarnation = options.incarnation ?? 0;
    this.external = options.external ?? new ExternalSystem();
    this.checkpointStorage =
      job.stateBackend.checkpointStorage === 'jobmanager'
        ? new JobManagerCheckpointStorage()
        : (options.checkpointStorage ?? new DurableCheckpointStorage());
    const costs = job.costs;
    this.lookahead =
      options.fastForward || !this.traceListener
        ? Math.min(costs.channelLatencyMinMs, costs.rpcLatencyMs)
        : 0;
    this.restartStrategy = new ExecutionFailureHandler(job.restartStrategy, this.random.fork('restart'));
    this.announcedTimeoutMs =
      job.checkpointConfig.mode === 'unaligned' ? job.checkpointConfig.alignedCheckpointTimeoutMs : 0;
    validateCheckpointConfig(job);
    adoptRestoredMaxParallelism(job, options.restoreFrom ?? this.checkpointStorage.latest(job.name));
    this.buildExecutionGraph();
    this.coordinator = new CheckpointCoordinator(
      this,
      job.checkpointConfig,
      this.checkpointStorage,
      this.random.fork('coordinator'),
      Math.max(options.firstCheckpointId ?? 1, (options.restoreFrom?.checkpointId ?? 0) + 1),
    );
    if (options.restoreFrom) this.coordinator.latestCompleted = options.restoreFrom;
    const restoreFrom = this.coordinator.latestCompleted;
    this.restoreBase = restoreFrom?.checkpointId ?? 0;
    if (restoreFrom) validateRestore(job, restoreFrom, options.allowNonRestoredState ?? false);
    for (const task of this.tasks) this.deployTask(task, restoreFrom, false);
    this.sendRestoredOutputState(this.tasks);
    if (restoreFrom) this.coordinator.counts.restored++;
    this.emit({ type: 'job-status', t: this.now, status: 'RUNNING', reason: null });
    this.coordinator.startScheduler(this.now);
  }

  // ------------------------------------------------------------------ graph

  private buildExecutionGraph(): void {
    const byVertex = new Map<JobVertex, StreamTask[]>();
    for (const v of this.job.vertices) {
      const subtasks: StreamTask[] = [];
      for (let i = 0; i < v.parallelism; i++) {
        const t = new StreamTask(v, i);
        subtasks.push(t);
        this.tasks.push(t);
        this.taskById.set(t.id, t);
      }
      byVertex.set(v, subtasks);
    }
    for (const v of this.job.vertices) {
      const targets = byVertex.get(v) as StreamTask[];
      for (const edge of v.inputs) {
        const sources = byVertex.get(edge.source) as StreamTask[];
        for (const from of sources) {
          const gate: OutputGate = { edge, channels: [], nextChannel: 0 };
          const to = edge.partitioner === 'forward' ? [targets[from.subtaskIndex]] : targets;
          for (const target of to) {
            const id = `${from.id}->${target.id}`;
            const ch = new Channel(id, from, target, target.inputs.length, this.random.fork(`channel:${id}`));
            target.inputs.push(ch);
            gate.channels.push(ch);
            this.channels.push(ch);
          }
          gate.nextChannel = this.random
            .fork(`rebalance:${from.id}:${v.uid}`)
            .int(0, gate.channels.length - 1);
          from.outputs.push(gate);
        }
      }
    }
    // Pipelined regions = connected components of the subtask graph: Flink's region failover unit.
    const parent = new Map<StreamTask, StreamTask>(this.tasks.map((t) => [t, t]));
    const find = (t: StreamTask): StreamTask => {
      let r = t;
      while (parent.get(r) !== r) r = parent.get(r) as StreamTask;
      parent.set(t, r);
      return r;
    };
    for (const c of this.channels) parent.set(find(c.from), find(c.to));
    const roots = new Map<StreamTask, number>();
    for (const t of this.tasks) {
      const r = find(t);
      if (!roots.has(r)) roots.set(r, roots.size);
      t.region = roots.get(r) as number;
    }
  }

  taskIds(): string[] {
    return this.tasks.map((t) => t.id);
  }

  getTask(id: string): StreamTask {
    const t = this.taskById.get(id);
    if (!t) throw new Error(`unknown task '${id}' (known: ${this.taskIds().join(', ')})`);
    return t;
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
          this.job.checkpointConfig.alignedCheckpointTimeoutMs,
        );
      case 'chandy-lamport':
        return new ChandyLamportMarkerHandler(task, this);
    }
  }

  /** (Re)creates the task's operator and state and restores them from `checkpoint` (null = fresh start). */
  private deployTask(task: StreamTask, checkpoint: CompletedCheckpoint | null, isRestart: boolean): void {
    task.attempt++;
    if (isRestart) task.restarts++;
    task.busyUntil = this.now;
    task.clock = this.now;
    task.currentTimestamp = null;
    task.wakeAt = Infinity;
    task.backloggedChannels = 0;
    task.pendingSnapshots.clear();
    task.firstBarrierAt.clear();
    const v = task.vertex;
    task.keyedBackend = v.keySelector ? this.createKeyedStateBackend(task) : null;
    task.barrierHandler = this.createBarrierHandler(task, this.job.checkpointConfig.mode);
    task.savepointHandler = new SingleCheckpointBarrierHandler(task, this);
    task.timerService = task.keyedBackend ? new InternalTimerService() : null;
    task.processingTimerAt = Infinity;
    task.currentWatermark = -Infinity;
    task.maxTimestamp = -Infinity;
    task.lastEmittedWatermark = -Infinity;
    task.lastRecordAt = this.now;
    task.nextEmitAt = this.now;
    task.idle = false;
    task.operator = createOperator(this.operatorContext(task));
    task.status = 'RUNNING';
    this.emitTaskStatus(task, 'RUNNING');
    const own = checkpoint ? checkpoint.tasks.filter((s) => s.operatorUid === v.uid) : [];
    // An operator the checkpoint does not know (added to the job) starts fresh: isRestored() is false.
    const snapshots = own.length > 0 ? own : null;
    try {
      if (snapshots && task.keyedBackend) {
        const restorable: RestorableKeyedState[] = [];
        for (const s of snapshots) {
          const ks = s.keyedState;
          if (ks) restorable.push('kind' in ks ? resolveIncrementalState(this.checkpointStorage, ks) : ks);
        }
        task.keyedBackend.restore(restorable);
      }
      task.operator.initializeState(snapshots);
      if (snapshots && task.timerService) {
        const range = (task.keyedBackend as KeyedStateBackend).keyGroupRange;
        for (const s of snapshots) task.timerService.restore(s.timers ?? [], (kg) => range.contains(kg));
        this.scheduleProcessingTimer(task);
      }
      task.operator.open();
      task.keyedBackend?.takeCost(); // set-up and restore are not charged to the first record
    } catch (e) {
      // A user function that throws in open() fails the task, as in Flink (not the whole engine).
      this.control.push(this.now, {
        kind: 'fail-task',
        taskId: task.id,
        reason: msg('task.threw-in-open', { operator: v.name, task: task.id, error: messageOf(e) }),
      });
    }
    if (this.traceListener && task.keyedBackend) {
      task.keyedBackend.listener = this.recordTrace
        ? (state, key, value) =>
            this.emit({ type: 'state-changed', t: task.clock, task: task.id, state, key, value })
        : null;
    }
    if (snapshots) {
      const own = snapshots.find(
        (s) => s.subtaskIndex === task.subtaskIndex && s.parallelism === v.parallelism,
      );
      if (own) this.restoreChannelState(task, own);
    }
    const spec = v.spec;
    if (spec.kind === 'source' && spec.watermarkStrategy) {
      this.control.push(this.now + spec.watermarkStrategy.autoWatermarkIntervalMs, {
        kind: 'watermark-tick',
        task,
        attempt: task.attempt,
      });
    }
    if (checkpoint || isRestart) {
      this.emit({
        type: 'task-restored',
        t: this.now,
        task: task.id,
        checkpointId: checkpoint ? checkpoint.checkpointId : null,
        offsets: task.operator instanceof SourceOperator ? task.operator.offsets() : [],
      });
    }
    this.scheduleWake(task, this.now);
  }

  /** Output channel state goes out once every receiver is deployed (after the receivers' input channel state). */
  private sendRestoredOutputState(tasks: StreamTask[]): void {
    for (const task of tasks) {
      for (const gate of task.outputs)
        for (const ch of gate.channels) if (ch.backlog.length > 0) this.drainBacklog(ch, this.now);
    }
  }

  /** Unaligned / Chandy-Lamport: in-flight records of the checkpoint are replayed before new input. */
  private restoreChannelState(task: StreamTask, snapshot: TaskStateSnapshot): void {
    for (const cs of snapshot.inputChannelState) {
      const ch = task.inputs.find((c) => c.from.id === cs.peer);
      if (!ch) continue;
      ch.queue.unshiftAll(cs.records.map((r) => this.newRecord(r.value, r.ts, null, this.now, this.now)));
      ch.records += cs.records.length;
      ch.outstanding += cs.records.length;
      this.recordsInFlight += cs.records.length;
    }
    for (const cs of snapshot.outputChannelState) {
      const ch = task.outputs.flatMap((g) => g.channels).find((c) => c.to.id === cs.peer);
      if (!ch || cs.records.length === 0) continue;
      if (ch.backlog.length === 0) task.backloggedChannels++;
      for (const r of cs.records) ch.backlog.push(this.newRecord(r.value, r.ts, null, this.now, this.now));
      this.recordsInFlight += cs.records.length;
    }
  }

  private newRecord(
    value: unknown,
    ts: number | null,
    key: Key | null,
    arrival: number,
    ingest: number,
  ): StreamRecord {
    return { kind: RECORD, id: this.elementIds++, value, ts, key, arrival, ingest };
  }

  /** Flink's HashMapStateBackend or the RocksDB-like LSM backend, as the job's state backend says. */
  private createKeyedStateBackend(task: StreamTask): KeyedStateBackend {
    const v = task.vertex;
    const range = computeKeyGroupRangeForOperatorIndex(v.maxParallelism, v.parallelism, task.subtaskIndex);
    const backend: KeyedStateBackend =
      this.job.stateBackend.stateBackend === 'rocksdb'
        ? new RocksDBKeyedStateBackend(v.maxParallelism, range, {
            // Unique per deployment: a restored older checkpoint must not reuse a newer file's id.
            ownerId: `${task.id}@${this.external.nextDeployment()}`,
          })
        : new HeapKeyedStateBackend(v.maxParallelism, range);
    backend.setTimeProvider(() => task.clock);
    return backend;
  }

  private operatorContext(task: StreamTask): OperatorContext {
    return {
      taskId: task.id,
      vertex: task.vertex,
      subtaskIndex: task.subtaskIndex,
      attemptNumber: task.restarts,
      // Unique in this external system (deployment counter) and against the transactions of the
      // checkpoint this engine started from, which another process may have written (restore base).
      transactionScope: `r${this.restoreBase}.d${this.external.nextDeployment()}`,
      keyedBackend: task.keyedBackend,
      now: () => task.clock,
      currentTimestamp: () => task.currentTimestamp,
      emit: (value, ts) => this.emitRecord(task, value, ts),
      external: this.external,
      trace: (_kind, value, txn) => {
        if (this.recordTrace) this.emit({ type: 'sink-written', t: task.clock, task: task.id, value, txn });
      },
      registerTimer: (domain, timestamp) => this.registerTimer(task, domain, timestamp),
      deleteTimer: (domain, timestamp) => {
        const key = task.keyedBackend?.getCurrentKey();
        if (key !== null && key !== undefined) task.timerService?.delete(domain, key, timestamp);
      },
      currentWatermark: () => task.currentWatermark,
      traceTxn: (type, txn, rows) => {
        if (this.traceListener) this.emit({ type, t: task.clock, task: task.id, txn, rows });
      },
    };
  }

  // ------------------------------------------------------------------ event loop

  private emit(e: TraceEvent): void {
    if (this.traceListener) this.traceListener(e);
  }

  private emitTaskStatus(task: StreamTask, status: TaskStatus): void {
    if (this.traceListener) this.emit({ type: 'task-status', t: this.now, task: task.id, status });
  }

  scheduleCoordinatorEvent(time: number, event: CoordinatorEvent): void {
    this.control.push(time, { kind: 'coordinator', event });
  }

  private scheduleWake(task: StreamTask, time: number): void {
    if (time < task.wakeAt) {
      task.wakeAt = time;
      this.wakes.push(time, { task, attempt: task.attempt });
    }
  }

  /** Time of the next event, or Infinity when nothing is scheduled. */
  nextEventTime(): number {
    return Math.min(this.control.peekTime(), this.wakes.peekTime());
  }

  /** Processes one event. Returns false when there is nothing left to do. */
  step(): boolean {
    const ct = this.control.peekTime();
    const wt = this.wakes.peekTime();
    if (ct === Infinity && wt === Infinity) return false;
    this.eventsProcessed++;
    // Control events go first at equal times, so both execution modes see them at the same point.
    if (ct <= wt) {
      const ev = this.control.pop()!;
      this.now = Math.max(this.now, ev.time);
      this.handleControl(ev.event);
    } else {
      const ev = this.wakes.pop()!;
      this.now = Math.max(this.now, ev.time);
      const task = ev.event.task;
      if (ev.event.attempt === task.attempt && task.wakeAt === ev.time) {
        task.wakeAt = Infinity;
        this.runTask(task);
      }
    }
    if (this.stopTheWorld?.phase === 'draining') this.checkStopTheWorldDrained();
    return true;
  }

  /** Runs every event up to and including virtual time `until`. */
  runUntil(until: number): void {
    // Batches must not start work after `until`: what runUntil shows is the state at `until`.
    this.runLimit = until;
    try {
      while (this.nextEventTime() <= until) this.step();
    } finally {
      this.runLimit = Infinity;
    }
    this.now = Math.max(this.now, until);
  }

  /**
   * Runs until the job has processed all input that is in its sources and the last checkpoint that
   * covers it completed (so transactional sinks committed), or the job failed, or `maxTime` passed.
   */
  runToCompletion(maxTime = 3_600_000): void {
    let checks = 0;
    while (this.now <= maxTime && this.jobStatus !== 'FAILED') {
      if (!this.step()) break;
      if (++checks % 64 === 0 || this.recordsInFlight === 0) {
        if (this.isFinished()) break;
      }
    }
  }

  /** All input consumed, nothing in flight, and (with checkpointing) a completed checkpoint covering it all. */
  isFinished(): boolean {
    if (this.jobStatus === 'FAILED') return true;
    if (!this.isDrained()) return false;
    if (this.job.checkpointConfig.intervalMs === null) return this.now >= this.lastRecordTime;
    const cp = this.coordinator.latestCompleted;
    // The checkpoint must have been triggered after the last record was processed, and every task notified.
    if (!cp || cp.triggerTime < this.lastRecordTime) return false;
    return this.notifiedCheckpoint >= cp.checkpointId;
  }

  /** Virtual time at which the last record finished processing anywhere. */
  private lastRecordTime = 0;
  private notifiedCheckpoint = -1;
  private notificationsOutstanding = 0;

  /** No records anywhere, every source at the end of its log, every task running. */
  isDrained(): boolean {
    if (this.recordsInFlight > 0 || this.restartsPending > 0) return false;
    // Watermarks and barriers still travelling, or a source watermark not sent yet, are work too.
    for (const ch of this.channels) if (ch.queue.length > 0 || ch.backlog.length > 0) return false;
    for (const t of this.tasks) {
      const spec = t.vertex.spec;
      if (spec.kind === 'source' && spec.watermarkStrategy && !t.idle) {
        if (t.maxTimestamp - spec.watermarkStrategy.boundMs - 1 > t.lastEmittedWatermark) return false;
        // withIdleness: a source at the end of its input is about to go idle, which can release the
        // downstream watermark (the minimum over the active inputs) and fire event-time timers.
        if (spec.watermarkStrategy.idlenessMs !== null) return false;
      }
    }
    for (const t of this.tasks) {
      if (t.status !== 'RUNNING') return false;
      if (t.operator instanceof SourceOperator && t.operator.hasMore()) return false;
    }
    return true;
  }

  private handleControl(ev: ControlEvent): void {
    switch (ev.kind) {
      case 'coordinator':
        this.coordinator.handleEvent(ev.event, this.now);
        return;
      case 'source-trigger':
        if (ev.attempt === ev.task.attempt && ev.task.status === 'RUNNING')
          this.triggerSource(ev.task, ev.checkpointId);
        return;
      case 'priority-barrier': {
        const task = ev.task;
        if (ev.attempt !== task.attempt || task.status !== 'RUNNING') return;
        const t = Math.max(this.now, task.busyUntil);
        this.noteFirstBarrier(task, ev.barrier.checkpointId, this.now);
        task.busyUntil = (task.barrierHandler as CheckpointBarrierHandler).processPriorityBarrier(
          ev.channel,
          ev.barrier,
          t,
        );
        return;
      }
      case 'ack':
        if (ev.attempt === ev.task.attempt) this.sendAck(ev.task, ev.checkpointId);
        return;
      case 'notify':
        this.notificationsOutstanding--;
        if (ev.attempt === ev.task.attempt && ev.task.status === 'RUNNING') {
          ev.task.clock = this.now;
          ev.task.operator.notifyCheckpointComplete(ev.checkpointId);
          const backend = ev.task.keyedBackend;
          if (backend instanceof RocksDBKeyedStateBackend) backend.notifyCheckpointComplete(ev.checkpointId);
          if (this.traceListener)
            this.emit({
              type: 'checkpoint-notified',
              t: this.now,
              task: ev.task.id,
              checkpointId: ev.checkpointId,
            });
        }
        if (this.notificationsOutstanding === 0) this.notifiedCheckpoint = ev.checkpointId;
        return;
      case 'fail-task': {
        const task = this.taskById.get(ev.taskId);
        if (task) this.failTask(task, ev.reason);
        return;
      }
      case 'restart':
        if (ev.token === this.restartToken || ev.tasks.every((t) => t.status === 'RESTARTING'))
          this.restartTasks(ev.tasks);
        return;
      case 'stw-snapshot':
        this.snapshotStoppedWorld(ev.checkpointId);
        return;
      case 'trace':
        this.emit(ev.event);
        return;
      case 'alignment-timeout': {
        const task = ev.task;
        const handler = task.barrierHandler;
        if (ev.attempt !== task.attempt || task.status !== 'RUNNING') return;
        if (handler instanceof UnalignedCheckpointBarrierHandler) {
          const t = Math.max(this.now, task.busyUntil);
          task.busyUntil = handler.onAlignmentTimeout(ev.checkpointId, t);
        }
        return;
      }
      case 'announced-barrier-timeout':
        this.onAnnouncedBarrierTimeout(ev.task, ev.attempt, ev.channel, ev.barrier);
        return;
      case 'watermark-tick':
        if (ev.attempt === ev.task.attempt && ev.task.status === 'RUNNING') this.sourceWatermarkTick(ev.task);
        return;
      case 'processing-timer':
        if (ev.attempt === ev.task.attempt && ev.task.status === 'RUNNING') {
          ev.task.processingTimerAt = Infinity;
          this.fireProcessingTimers(ev.task);
        }
        return;
      case 'call':
        ev.fn();
        return;
    }
  }

  // ------------------------------------------------------------------ processing

  private runTask(task: StreamTask): void {
    if (task.status !== 'RUNNING') return;
    const now = this.now;
    let t = Math.max(now, task.busyUntil);
    if (t > now) {
      this.scheduleWake(task, t);
      return;
    }
    if (task.backloggedChannels > 0) {
      for (const gate of task.outputs)
        for (const ch of gate.channels) if (ch.backlog.length > 0) this.drainBacklog(ch, t);
    }
    const horizon =
      this.lookahead > 0
        ? Math.min(now + this.lookahead, this.control.peekTime(), this.runLimit + 1e-9)
        : now;
    const pt = task.vertex.processingTimeMs;
    const isSource = task.operator instanceof SourceOperator;
    const isSink = task.vertex.spec.kind === 'sink';
    let processed = 0;
    let sticky: Channel | null = null;
    let limitArrival = Infinity;
    let limitIndex = Infinity;
    for (;;) {
      if (task.status !== 'RUNNING' || task.backloggedChannels > 0) break;
      if (processed > 0 && t >= horizon) {
        this.scheduleWake(task, t);
        break;
      }
      if (isSource) {
        if (this.stopTheWorld !== null) break;
        // A source emits one record every `pt` ms and is idle in between (it is not busy): an idle
        // status or a barrier can go out between two records.
        if (t < task.nextEmitAt) {
          if (task.nextEmitAt >= horizon) {
            this.scheduleWake(task, task.nextEmitAt);
            break;
          }
          t = task.nextEmitAt;
        }
        task.clock = t;
        task.workStartedAt = t;
        task.currentTimestamp = null;
        this.ingestTime = t;
        let emitted: boolean;
        try {
          emitted = (task.operator as SourceOperator).emitNext();
        } catch (e) {
          // e.g. a key selector that throws while partitioning the record
          this.failTask(
            task,
            msg('task.threw', { operator: task.vertex.name, task: task.id, error: messageOf(e) }),
          );
          break;
        }
        if (!emitted) {
          // At the end of the log: poll again later, as a Kafka consumer does (records may be appended).
          this.scheduleWake(task, t + SOURCE_POLL_INTERVAL_MS);
          break;
        }
        task.nextEmitAt = t + pt;
        if (t > this.lastRecordTime) this.lastRecordTime = t;
        this.metrics.sourceRecords++;
        processed++;
        continue;
      }
      // Pick the input element that arrived first (ties: lower channel index), skipping blocked channels.
      // Fast path: keep reading the channel chosen last while its head still beats every other head
      // (other queues cannot change during this call, except through a barrier, which resets it).
      let best: Channel | null = null;
      let bestArrival = Infinity;
      if (sticky !== null) {
        const head = sticky.queue.peek();
        if (
          head !== undefined &&
          (head.arrival < limitArrival || (head.arrival === limitArrival && sticky.inputIndex < limitIndex))
        ) {
          best = sticky;
          bestArrival = head.arrival;
        }
      }
      if (best === null) {
        limitArrival = Infinity;
        limitIndex = Infinity;
        const inputs = task.inputs;
        for (let i = 0; i < inputs.length; i++) {
          const ch = inputs[i];
          if (ch.blocked) continue;
          const head = ch.queue.peek();
          if (head === undefined) continue;
          if (head.arrival < bestArrival) {
            if (best !== null) {
              limitArrival = bestArrival;
              limitIndex = best.inputIndex;
            }
            best = ch;
            bestArrival = head.arrival;
          } else if (head.arrival < limitArrival) {
            limitArrival = head.arrival;
            limitIndex = i;
          }
        }
        sticky = best;
      }
      if (best === null) break;
      if (bestArrival > t) {
        this.scheduleWake(task, bestArrival);
        break;
      }
      const el = best.queue.shift() as StreamElement;
      processed++;
      if (el.kind === RECORD) {
        this.consumeCredit(best, t);
        task.workStartedAt = t;
        t = this.processRecord(task, best, el, t + pt);
        if (isSink && task.status === 'RUNNING') this.metrics.recordSink(el, t);
      } else if (el.kind === WATERMARK) {
        t = this.processWatermark(task, best, el, t);
      } else {
        sticky = null; // a barrier may block or unblock channels
        if (el.priority) continue; // unaligned: already handled when it arrived
        this.noteFirstBarrier(task, el.checkpointId, t);
        const handler = el.savepoint ? task.savepointHandler : task.barrierHandler;
        t = (handler as CheckpointBarrierHandler).processBarrier(best, el, t);
      }
    }
    if (task.status === 'RUNNING') task.busyUntil = Math.max(task.busyUntil, t);
  }

  private processRecord(task: StreamTask, channel: Channel, record: StreamRecord, end: number): number {
    task.clock = end;
    task.currentTimestamp = record.ts;
    this.ingestTime = record.ingest;
    this.recordsProcessed++;
    if (end > this.lastRecordTime) this.lastRecordTime = end;
    if (this.recordTrace)
      this.emit({ type: 'record-processed', t: end, id: record.id, task: task.id, channel: channel.id });
    try {
      if (isPoison(record.value)) throw new EngineError(msg('task.poison', { record: String(record.value) }));
      const backend = task.keyedBackend;
      if (backend !== null) {
        // A record that came through keyBy carries its key: no need to run the selector again.
        backend.setCurrentKey(record.key ?? (task.vertex.keySelector as (v: unknown) => Key)(record.value));
      }
      task.operator.processElement(record.value);
      // RocksDB-like backend: reads and writes (de)serialize, which takes virtual time.
      if (backend !== null) return end + backend.takeCost();
    } catch (e) {
      this.failTask(
        task,
        msg('task.threw', { operator: task.vertex.name, task: task.id, error: messageOf(e) }),
      );
    }
    return end;
  }

  /** Partitions a record to the output channels of every output gate. */
  private emitRecord(task: StreamTask, value: unknown, ts: number | null): void {
    const t = task.clock;
    const ingest = this.ingestTime;
    if (task.isSource) {
      if (ts !== null && ts > task.maxTimestamp) task.maxTimestamp = ts;
      task.lastRecordAt = t;
      if (task.idle) this.setSourceIdle(task, false, t);
    }
    const outputs = task.outputs;
    for (let g = 0; g < outputs.length; g++) {
      const gate = outputs[g];
      const channels = gate.channels;
      switch (gate.edge.partitioner) {
        case 'forward':
          this.send(channels[0], this.newRecord(value, ts, null, 0, ingest), t);
          break;
        case 'hash': {
          const key = (gate.edge.keySelector as (v: unknown) => Key)(value);
          const target = gate.edge.target;
          const idx = assignKeyToParallelOperator(key, target.maxParallelism, target.parallelism);
          this.send(channels[idx], this.newRecord(value, ts, key, 0, ingest), t);
          break;
        }
        case 'rebalance': {
          const idx = gate.nextChannel;
          gate.nextChannel = (idx + 1) % channels.length;
          this.send(channels[idx], this.newRecord(value, ts, null, 0, ingest), t);
          break;
        }
        case 'broadcast':
          for (const ch of channels) this.send(ch, this.newRecord(value, ts, null, 0, ingest), t);
          break;
      }
    }
  }

  /** Sends an element, or queues it in the sender's output buffer when the channel has no credit. */
  private send(channel: Channel, el: StreamElement, t: number): void {
    if (el.kind === RECORD) this.recordsInFlight++;
    if (
      channel.backlog.length > 0 ||
      // Credit is judged at the start of the work that produced the record: every credit that can have
      // arrived by then is known, in batched and one-at-a-time execution alike.
      (el.kind === RECORD && !channel.hasCredit(channel.from.workStartedAt, this.job.costs.channelCapacity))
    ) {
      if (channel.backlog.length === 0) {
        channel.from.backloggedChannels++;
        this.wakeOnNextCredit(channel);
        if (this.recordTrace)
          this.emit({ type: 'backpressure', t, task: channel.from.id, channel: channel.id, blocked: true });
      }
      channel.backlog.push(el);
      return;
    }
    this.transmit(channel, el, t);
  }

  private transmit(channel: Channel, el: StreamElement, t: number): void {
    const costs = this.job.costs;
    const latency =
      costs.channelLatencyMinMs +
      channel.rng.next() * (costs.channelLatencyMaxMs - costs.channelLatencyMinMs);
    const arrival = Math.max(t + latency, channel.lastArrival);
    channel.lastArrival = arrival;
    el.arrival = arrival;
    channel.queue.push(el);
    if (el.kind === RECORD) {
      channel.records++;
      channel.outstanding++;
      if (channel.recording !== null) channel.recording.records.push({ value: el.value, ts: el.ts });
      if (this.recordTrace) {
        this.emit({
          type: 'record-sent',
          t,
          id: el.id,
          channel: channel.id,
          key: el.key,
          value: el.value,
          arriveAt: arrival,
        });
        this.control.push(arrival, {
          kind: 'trace',
          event: { type: 'record-arrived', t: arrival, id: el.id, channel: channel.id },
        });
      }
    } else if (el.kind === WATERMARK) {
      // Watermarks travel in line with records but need no credit.
    } else {
      if (channel.recording !== null && el.checkpointId >= channel.recording.checkpointId) {
        this.finishChannelRecording(channel, arrival);
      }
      if (this.traceListener) {
        this.emit({
          type: 'barrier-sent',
          t,
          id: el.id,
          channel: channel.id,
          checkpointId: el.checkpointId,
          arriveAt: arrival,
          priority: el.priority,
        });
        this.control.push(arrival, {
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
        this.control.push(arrival, {
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
        this.control.push(Math.max(deadline, arrival), {
          kind: 'announced-barrier-timeout',
          task: channel.to,
          attempt: channel.to.attempt,
          channel,
          barrier: el,
        });
      }
    }
    const to = channel.to;
    if (to.status === 'RUNNING') this.scheduleWake(to, Math.max(arrival, to.busyUntil));
  }

  /**
   * The aligned-checkpoint timeout passed while an announced in-line barrier still waits in the
   * receiver's input buffer behind records: the receiver switches to unaligned now, as if the barrier
   * had been a priority one (the records ahead of it become channel state; reading it later is a no-op).
   */
  private onAnnouncedBarrierTimeout(
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
    const t = Math.max(this.now, task.busyUntil);
    this.noteFirstBarrier(task, barrier.checkpointId, this.now);
    task.busyUntil = handler.processPriorityBarrier(channel, barrier, t);
  }

  /** The receiver took a record: its credit travels back to the sender, who may then send more. */
  private consumeCredit(channel: Channel, t: number): void {
    channel.records--;
    this.recordsInFlight--;
    const creditAt = t + this.job.costs.channelLatencyMinMs;
    channel.creditReturns.push(creditAt);
    // The sender drains its output buffer when it wakes up at the credit's arrival.
    if (channel.backlog.length > 0 && channel.from.status === 'RUNNING')
      this.scheduleWake(channel.from, creditAt);
  }

  /** A credit already on its way wakes the blocked sender when it arrives. */
  private wakeOnNextCredit(channel: Channel): void {
    const next = channel.creditReturns.peek();
    if (next !== undefined && channel.from.status === 'RUNNING') this.scheduleWake(channel.from, next);
  }

  /** Sends what the channel's credit allows from the sender's output buffer; unblocks the sender when empty. */
  private drainBacklog(channel: Channel, t: number): void {
    const backlog = channel.backlog;
    const capacity = this.job.costs.channelCapacity;
    while (backlog.length > 0) {
      const head = backlog.peek() as StreamElement;
      if (head.kind === RECORD && !channel.hasCredit(t, capacity)) break;
      backlog.shift();
      this.transmit(channel, head, t);
    }
    if (backlog.length > 0) {
      this.wakeOnNextCredit(channel);
    } else {
      const from = channel.from;
      from.backloggedChannels--;
      if (this.recordTrace)
        this.emit({ type: 'backpressure', t, task: from.id, channel: channel.id, blocked: false });
      if (from.backloggedChannels === 0 && from.status === 'RUNNING')
        this.scheduleWake(from, Math.max(t, from.busyUntil));
    }
  }

  // ------------------------------------------------------------------ checkpointing (task side)

  onCheckpointTriggered(checkpointId: number, kind: 'checkpoint' | 'savepoint', t: number): void {
    this.emit({ type: 'checkpoint-triggered', t, checkpointId, kind });
  }

  isJobRunning(): boolean {
    return this.jobStatus === 'RUNNING' && this.tasks.every((t) => t.status === 'RUNNING');
  }

  startCheckpoint(
    checkpointId: number,
    mode: CheckpointingMode,
    kind: 'checkpoint' | 'savepoint',
    t: number,
  ): void {
    if (kind === 'savepoint') this.savepointIds.add(checkpointId);
    if (mode === 'stop-the-world') {
      this.stopTheWorld = { checkpointId, phase: 'draining' };
      this.emit({ type: 'sources-paused', t, checkpointId });
      this.checkStopTheWorldDrained();
      return;
    }
    for (const task of this.tasks) {
      if (task.isSource)
        this.control.push(t + this.job.costs.rpcLatencyMs, {
          kind: 'source-trigger',
          task,
          attempt: task.attempt,
          checkpointId,
        });
    }
  }

  /** A source records its offsets and emits barrier n into every output channel, in line with its records. */
  private triggerSource(task: StreamTask, checkpointId: number): void {
    const t = Math.max(this.now, task.busyUntil);
    this.emit({ type: 'barrier-injected', t, task: task.id, checkpointId });
    this.noteFirstBarrier(task, checkpointId, this.now);
    // With an aligned-checkpoint timeout, barriers start aligned (in line) and may switch later.
    const cfg = this.job.checkpointConfig;
    const unaligned =
      cfg.mode === 'unaligned' &&
      !this.savepointIds.has(checkpointId) &&
      !(
        cfg.alignedCheckpointTimeoutMs > 0 &&
        this.now - this.triggerTimeOf(checkpointId, this.now) < cfg.alignedCheckpointTimeoutMs
      );
    task.busyUntil = this.triggerCheckpointOnBarrier(
      task,
      { checkpointId, alignmentMs: 0, unaligned, recordChannelState: unaligned, triggerChannel: null },
      t,
    );
  }

  private noteFirstBarrier(task: StreamTask, checkpointId: number, t: number): void {
    if (!task.firstBarrierAt.has(checkpointId)) task.firstBarrierAt.set(checkpointId, t);
  }

  triggerCheckpointOnBarrier(task: StreamTask, req: SnapshotRequest, t: number): number {
    const id = req.checkpointId;
    const costs = this.job.costs;
    // Forward the barrier first (as Flink does), then take the synchronous snapshot.
    const outputChannelState: ChannelStateSnapshot[] = [];
    for (const gate of req.forwardBarrier === false ? [] : task.outputs) {
      for (const ch of gate.channels) {
        const barrier: CheckpointBarrier = {
          kind: BARRIER,
          id: this.elementIds++,
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
            outputChannelState.push({ peer: ch.to.id, records: structuredClone(overtaken) });
          this.transmit(ch, barrier, t);
        } else {
          this.send(ch, barrier, t);
        }
      }
    }
    const backend = task.keyedBackend;
    const rocks = backend instanceof RocksDBKeyedStateBackend ? backend : null;
    // RocksDB-like backends with incremental checkpoints upload only new SST files (never for savepoints,
    // which use the canonical full format).
    const useIncremental =
      rocks !== null && this.job.stateBackend.incrementalCheckpoints && !this.savepointIds.has(id);
    const flushedEntries = useIncremental ? rocks.lsmStats().memtableEntries : 0;
    const incremental = useIncremental ? rocks.snapshotIncremental(id, rocks.getConfirmedFiles()) : null;
    const keyedState = incremental ?? (backend ? backend.snapshot() : null);
    task.clock = t;
    const operatorState = task.operator.snapshotState(id);
    const numKeys = backend ? backend.numKeys() : 0;
    const operatorBytes = operatorState ? jsonLength(operatorState) : 0;
    let stateBytes: number;
    let fullStateBytes: number;
    if (incremental) {
      const sizes = incrementalHandleSizes(incremental);
      stateBytes = sizes.checkpointedBytes + operatorBytes;
      fullStateBytes = sizes.fullBytes + operatorBytes;
    } else {
      stateBytes =
        (keyedState && !('kind' in keyedState) ? estimateSnapshotBytes(keyedState) : 0) + operatorBytes;
      fullStateBytes = stateBytes;
    }
    // Synchronous part: the heap backend copies its state (per key). Flink's RocksDB backend does not
    // touch every key there: a full snapshot takes a RocksDB snapshot (constant) and reads the data in
    // the asynchronous part; an incremental one flushes the memtable (per entry) and links the files.
    const syncKeys = rocks === null ? numKeys : flushedEntries;
    const syncMs = costs.syncSnapshotBaseMs + syncKeys * costs.syncSnapshotPerKeyMs;
    const asyncMs = costs.asyncSnapshotBaseMs + stateBytes / costs.storageBytesPerMs;
    const pending: PendingSnapshot = {
      checkpointId: id,
      triggeredAt: t,
      syncMs,
      asyncMs,
      alignmentMs: req.alignmentMs,
      startDelayMs: (task.firstBarrierAt.get(id) ?? t) - this.triggerTimeOf(id, t),
      unaligned: req.unaligned,
      keyedState,
      operatorState,
      timers: task.timerService ? task.timerService.snapshot() : [],
      stateBytes,
      fullStateBytes,
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
      this.startChannelRecording(task, pending, done, t);
    }
    this.emit({ type: 'snapshot-taken', t, task: task.id, checkpointId: id, syncMs, stateBytes });
    if (pending.channelsRecording === 0) this.scheduleAck(task, pending);
    return t + syncMs;
  }

  private triggerTimeOf(checkpointId: number, fallback: number): number {
    return this.coordinator.triggerTimeOf(checkpointId) ?? fallback;
  }

  /**
   * Channel state: for every input channel, the records queued before barrier n that the task has not
   * processed; where barrier n has not been sent yet, records keep being added until it is.
   */
  private startChannelRecording(
    task: StreamTask,
    pending: PendingSnapshot,
    done: ReadonlySet<Channel>,
    t: number,
  ): void {
    for (const ch of task.inputs) {
      const records: PersistedRecord[] = [];
      pending.inputChannelState.set(ch, { peer: ch.from.id, records });
      if (done.has(ch)) continue;
      let sawBarrier = false;
      for (let i = 0; i < ch.queue.length; i++) {
        const e = ch.queue.at(i);
        if (e.kind === BARRIER && e.checkpointId >= pending.checkpointId) {
          sawBarrier = true;
          // Queued but maybe not arrived yet: the channel's state is complete only when it arrives.
          pending.recordingDoneAt = Math.max(pending.recordingDoneAt, e.arrival);
          break;
        }
        if (e.kind === RECORD) records.push({ value: e.value, ts: e.ts });
      }
      if (!sawBarrier) {
        ch.recording = { checkpointId: pending.checkpointId, records };
        pending.channelsRecording++;
      } else if (this.traceListener) {
        this.emit({
          type: 'channel-state-recorded',
          t,
          task: task.id,
          channel: ch.id,
          checkpointId: pending.checkpointId,
          records: records.length,
        });
      }
    }
  }

  private finishChannelRecording(channel: Channel, at: number): void {
    const rec = channel.recording;
    if (!rec) return;
    channel.recording = null;
    const task = channel.to;
    const pending = task.pendingSnapshots.get(rec.checkpointId);
    if (!pending) return;
    if (this.traceListener)
      this.emit({
        type: 'channel-state-recorded',
        t: at,
        task: task.id,
        channel: channel.id,
        checkpointId: rec.checkpointId,
        records: rec.records.length,
      });
    pending.recordingDoneAt = Math.max(pending.recordingDoneAt, at);
    if (--pending.channelsRecording === 0) this.scheduleAck(task, pending);
  }

  private scheduleAck(task: StreamTask, pending: PendingSnapshot): void {
    const at = Math.max(pending.readyAt, pending.recordingDoneAt) + this.job.costs.rpcLatencyMs;
    this.control.push(at, { kind: 'ack', task, attempt: task.attempt, checkpointId: pending.checkpointId });
  }

  private sendAck(task: StreamTask, checkpointId: number): void {
    const p = task.pendingSnapshots.get(checkpointId);
    if (!p) return;
    task.pendingSnapshots.delete(checkpointId);
    task.firstBarrierAt.delete(checkpointId);
    const v = task.vertex;
    // JobManagerCheckpointStorage (the seed's MemoryStateBackend) refuses state over its max size:
    // the async phase fails, which counts towards the tolerable checkpoint failures.
    if (this.job.stateBackend.checkpointStorage === 'jobmanager' && p.stateBytes > MAX_MEMORY_STATE_SIZE) {
      this.coordinator.declineCheckpoint(
        checkpointId,
        msg('checkpoint.memory-state-too-large', {
          task: task.id,
          size: p.stateBytes,
          maxSize: MAX_MEMORY_STATE_SIZE,
        }),
        this.now,
        true,
      );
      return;
    }
    const inputChannelState = [...p.inputChannelState.values()].filter((c) => c.records.length > 0);
    const channelStateBytes =
      inputChannelState.length + p.outputChannelState.length > 0
        ? jsonLength(inputChannelState) + jsonLength(p.outputChannelState)
        : 0;
    const snapshot: TaskStateSnapshot = {
      taskId: task.id,
      operatorUid: v.uid,
      operatorName: v.name,
      subtaskIndex: task.subtaskIndex,
      parallelism: v.parallelism,
      maxParallelism: v.maxParallelism,
      keyedState: p.keyedState,
      operatorState: p.operatorState,
      timers: p.timers,
      inputChannelState: structuredClone(inputChannelState),
      outputChannelState: p.outputChannelState,
      stateBytes: p.stateBytes,
      // Only incremental snapshots differ between what was uploaded and the full size.
      ...(p.fullStateBytes !== p.stateBytes ? { fullStateBytes: p.fullStateBytes } : {}),
      channelStateBytes,
    };
    const triggerTime = this.triggerTimeOf(checkpointId, p.triggeredAt);
    this.emit({ type: 'checkpoint-acknowledged', t: this.now, task: task.id, checkpointId });
    this.coordinator.acknowledgeTask(
      task.id,
      checkpointId,
      {
        snapshot,
        stats: {
          taskId: task.id,
          ackTime: this.now,
          endToEndMs: this.now - triggerTime,
          stateBytes: p.stateBytes,
          syncMs: p.syncMs,
          asyncMs: p.asyncMs,
          alignmentMs: p.alignmentMs,
          startDelayMs: p.startDelayMs,
          persistedInFlightBytes: channelStateBytes,
          unaligned: p.unaligned,
        },
      },
      this.now,
    );
  }

  declineCheckpoint(task: StreamTask, checkpointId: number, reason: Message, t: number): void {
    this.control.push(t + this.job.costs.rpcLatencyMs, {
      kind: 'call',
      fn: () =>
        this.coordinator.declineCheckpoint(
          checkpointId,
          msg('checkpoint.declined', { task: task.id, reason }),
          this.now,
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
    channel.blocked = blocked;
    if (!blocked) this.scheduleWake(task, Math.max(t, this.now));
    if (this.traceListener)
      this.emit({
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
    if (!this.traceListener) return;
    if (event === 'alignment-completed')
      this.emit({ type: event, t, task: task.id, checkpointId, alignmentMs: value });
    else this.emit({ type: event, t, task: task.id, checkpointId, byCheckpointId: value });
  }

  checkpointTriggerTime(checkpointId: number): number {
    return this.triggerTimeOf(checkpointId, this.now);
  }

  scheduleAlignmentTimeout(task: StreamTask, checkpointId: number, at: number): void {
    this.control.push(at, { kind: 'alignment-timeout', task, attempt: task.attempt, checkpointId });
  }

  traceBarrierReceived(task: StreamTask, channel: Channel, checkpointId: number, t: number): void {
    if (this.traceListener)
      this.emit({ type: 'barrier-received', t, task: task.id, channel: channel.id, checkpointId });
  }

  abortCheckpointInTasks(checkpointId: number, t: number): void {
    for (const task of this.tasks) {
      task.barrierHandler?.abortCheckpoint(checkpointId, t);
      if (task.keyedBackend instanceof RocksDBKeyedStateBackend)
        task.keyedBackend.notifyCheckpointAborted(checkpointId);
      if (task.pendingSnapshots.delete(checkpointId)) {
        for (const ch of task.inputs) if (ch.recording?.checkpointId === checkpointId) ch.recording = null;
      }
    }
    if (this.stopTheWorld?.checkpointId === checkpointId) this.resumeStoppedWorld(checkpointId, t);
  }

  onCheckpointCompleted(checkpoint: CompletedCheckpoint, t: number): void {
    this.emit({
      type: 'checkpoint-completed',
      t,
      checkpointId: checkpoint.checkpointId,
      stats: checkpoint.stats,
    });
    if (this.stopTheWorld?.checkpointId === checkpoint.checkpointId)
      this.resumeStoppedWorld(checkpoint.checkpointId, t);
  }

  onCheckpointFailed(stats: CheckpointStats, t: number): void {
    this.emit({
      type: 'checkpoint-failed',
      t,
      checkpointId: stats.id,
      reason: stats.failureReason ?? msg('unknown'),
    });
  }

  notifyCheckpointComplete(checkpointId: number, t: number): void {
    for (const task of this.tasks) {
      this.notificationsOutstanding++;
      this.control.push(t + this.job.costs.rpcLatencyMs, {
        kind: 'notify',
        task,
        attempt: task.attempt,
        checkpointId,
      });
    }
  }

  // ------------------------------------------------------------------ stop-the-world (the seed's §3.2)

  private checkStopTheWorldDrained(): void {
    const stw = this.stopTheWorld;
    if (!stw || stw.phase !== 'draining' || this.recordsInFlight > 0) return;
    let quietAt = this.now;
    for (const t of this.tasks) quietAt = Math.max(quietAt, t.busyUntil);
    stw.phase = 'snapshotting';
    this.control.push(quietAt, { kind: 'stw-snapshot', checkpointId: stw.checkpointId });
  }

  /** Every task snapshots at once, with nothing in flight: no barriers, no channel state. */
  private snapshotStoppedWorld(checkpointId: number): void {
    if (this.stopTheWorld?.checkpointId !== checkpointId) return;
    if (this.recordsInFlight > 0) {
      this.stopTheWorld.phase = 'draining';
      return;
    }
    for (const task of this.tasks) {
      if (task.status !== 'RUNNING') continue;
      const t = Math.max(this.now, task.busyUntil);
      task.firstBarrierAt.set(checkpointId, this.now);
      // Nothing is in flight: no barrier to forward, no channel state.
      task.busyUntil = this.triggerCheckpointOnBarrier(
        task,
        {
          checkpointId,
          alignmentMs: 0,
          unaligned: false,
          recordChannelState: false,
          triggerChannel: null,
          forwardBarrier: false,
        },
        t,
      );
    }
  }

  private resumeStoppedWorld(checkpointId: number, t: number): void {
    this.stopTheWorld = null;
    this.emit({ type: 'sources-resumed', t, checkpointId });
    for (const task of this.tasks)
      if (task.isSource && task.status === 'RUNNING') this.scheduleWake(task, Math.max(t, task.busyUntil));
  }

  // ------------------------------------------------------------------ event time and timers

  /** Sends a watermark (or an idle status) on every output channel of `task`, in line with its records. */
  private broadcastWatermark(task: StreamTask, timestamp: number, idle: boolean, t: number): void {
    for (const gate of task.outputs) {
      for (const ch of gate.channels) {
        const wm: Watermark = { kind: WATERMARK, id: this.elementIds++, timestamp, idle, arrival: 0 };
        this.send(ch, wm, t);
      }
    }
  }

  /** Periodic watermark generation at a source (bounded out-of-orderness), and the idleness rule. */
  private sourceWatermarkTick(task: StreamTask): void {
    const spec = task.vertex.spec;
    if (spec.kind !== 'source' || !spec.watermarkStrategy) return;
    const strategy = spec.watermarkStrategy;
    const t = Math.max(this.now, task.busyUntil);
    const wm = task.maxTimestamp - strategy.boundMs - 1;
    if (!task.idle && wm > task.lastEmittedWatermark) {
      task.lastEmittedWatermark = wm;
      this.broadcastWatermark(task, wm, false, t);
    }
    if (strategy.idlenessMs !== null && !task.idle && this.now - task.lastRecordAt >= strategy.idlenessMs) {
      this.setSourceIdle(task, true, t);
    }
    this.control.push(this.now + strategy.autoWatermarkIntervalMs, {
      kind: 'watermark-tick',
      task,
      attempt: task.attempt,
    });
  }

  private setSourceIdle(task: StreamTask, idle: boolean, t: number): void {
    task.idle = idle;
    this.emit({ type: 'source-idle', t, task: task.id, idle });
    // Becoming active again puts the channels back into the downstream minimum.
    this.broadcastWatermark(task, task.lastEmittedWatermark, idle, t);
  }

  /** A watermark or idle status read from `channel`: the task's watermark is the min over active inputs. */
  private processWatermark(task: StreamTask, channel: Channel, wm: Watermark, t: number): number {
    if (wm.idle) {
      channel.idle = true;
    } else {
      channel.idle = false;
      if (wm.timestamp > channel.watermark) channel.watermark = wm.timestamp;
    }
    let min = Infinity;
    let anyActive = false;
    for (const ch of task.inputs) {
      if (ch.idle) continue;
      anyActive = true;
      if (ch.watermark < min) min = ch.watermark;
    }
    if (!anyActive) {
      // The last active input went idle: Flink's StatusWatermarkValve flushes the max watermark over
      // all channels, then the task is idle downstream too (WatermarkStatus.IDLE).
      let max = -Infinity;
      for (const ch of task.inputs) if (ch.watermark > max) max = ch.watermark;
      if (max > task.currentWatermark) {
        task.currentWatermark = max;
        if (this.traceListener) this.emit({ type: 'watermark-advanced', t, task: task.id, watermark: max });
        t = this.fireEventTimeTimers(task, max, t);
        this.broadcastWatermark(task, max, false, t);
      }
      if (!task.idle) {
        task.idle = true;
        this.broadcastWatermark(task, task.currentWatermark, true, t);
      }
      return t;
    }
    if (task.idle) {
      task.idle = false;
      this.broadcastWatermark(task, task.currentWatermark, false, t);
    }
    if (min <= task.currentWatermark) return t;
    task.currentWatermark = min;
    if (this.traceListener) this.emit({ type: 'watermark-advanced', t, task: task.id, watermark: min });
    t = this.fireEventTimeTimers(task, min, t);
    this.broadcastWatermark(task, min, false, t);
    return t;
  }

  private registerTimer(task: StreamTask, domain: TimeDomain, timestamp: number): void {
    const backend = task.keyedBackend;
    const timers = task.timerService;
    if (!backend || !timers) throw new Error('Timers can only be used on keyed operators (after keyBy).');
    const key = backend.getCurrentKey();
    if (key === null) throw new Error('No key set: timers are registered for the current key.');
    const keyGroup = assignToKeyGroup(key, task.vertex.maxParallelism);
    if (timers.register(domain, key, keyGroup, timestamp) && domain === 'PROCESSING_TIME')
      this.scheduleProcessingTimer(task);
  }

  private scheduleProcessingTimer(task: StreamTask): void {
    const next = task.timerService?.processingTime.peek();
    if (!next || next.timestamp >= task.processingTimerAt) return;
    task.processingTimerAt = next.timestamp;
    this.control.push(Math.max(this.now, next.timestamp), {
      kind: 'processing-timer',
      task,
      attempt: task.attempt,
    });
  }

  private fireProcessingTimers(task: StreamTask): void {
    const queue = task.timerService?.processingTime;
    if (!queue) return;
    let t = Math.max(this.now, task.busyUntil);
    while (task.status === 'RUNNING') {
      const next = queue.peek();
      if (!next || next.timestamp > this.now) break;
      queue.poll();
      t = this.fireTimer(task, next.key, next.timestamp, 'PROCESSING_TIME', t);
    }
    if (task.status === 'RUNNING') task.busyUntil = Math.max(task.busyUntil, t);
    this.scheduleProcessingTimer(task);
  }

  private fireEventTimeTimers(task: StreamTask, watermark: number, t: number): number {
    const queue = task.timerService?.eventTime;
    if (!queue) return t;
    while (task.status === 'RUNNING') {
      const next = queue.peek();
      if (!next || next.timestamp > watermark) break;
      queue.poll();
      t = this.fireTimer(task, next.key, next.timestamp, 'EVENT_TIME', t);
    }
    return t;
  }

  private fireTimer(task: StreamTask, key: Key, timestamp: number, domain: TimeDomain, t: number): number {
    const end = t + task.vertex.processingTimeMs;
    task.clock = end;
    task.workStartedAt = t;
    // A timer's outputs derive from no single input record: their ingestion time is the firing.
    this.ingestTime = t;
    // Records emitted from an event-time timer carry the timer's timestamp (as in Flink).
    task.currentTimestamp = domain === 'EVENT_TIME' ? timestamp : null;
    if (this.traceListener) this.emit({ type: 'timer-fired', t: end, task: task.id, key, timestamp, domain });
    try {
      task.keyedBackend?.setCurrentKey(key);
      task.operator.onTimer(timestamp, domain);
    } catch (e) {
      this.failTask(
        task,
        msg('task.threw-in-on-timer', { operator: task.vertex.name, task: task.id, error: messageOf(e) }),
      );
    }
    if (end > this.lastRecordTime) this.lastRecordTime = end;
    return end;
  }

  // ------------------------------------------------------------------ failures and recovery

  /**
   * Triggers a savepoint now: always aligned, kept until deleted, not used for automatic failover.
   * Returns its id, or null when it was queued behind a running checkpoint (it starts right after).
   */
  triggerSavepoint(): number | null {
    return this.coordinator.triggerCheckpoint(this.now, 'savepoint');
  }

  /** Schedules a subtask failure at virtual time `time` (e.g. `count#1`). */
  scheduleTaskFailure(taskId: string, time: number, reason: Message = msg('task.injected')): void {
    this.getTask(taskId);
    this.control.push(time, { kind: 'fail-task', taskId, reason });
  }

  /** Schedules an arbitrary action at virtual time `time`, in line with other control events. */
  scheduleAction(time: number, fn: () => void): void {
    this.control.push(time, { kind: 'call', fn });
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
      if (task.vertex === vertex && task.status === 'RUNNING')
        this.scheduleWake(task, Math.max(this.now, task.busyUntil));
    }
  }

  /** Checkpoint failures beyond the tolerable number fail the job over (every region restarts). */
  failJobOnCheckpointFailures(reason: Message): void {
    const running = this.tasks.find((t) => t.status === 'RUNNING');
    if (running) this.failTask(running, reason, true);
  }

  /** Fails a subtask now: its pipelined region is cancelled and restarted per the restart strategy. */
  failTask(task: StreamTask, reason: Message, global = false): void {
    if (task.status !== 'RUNNING' || this.jobStatus === 'FAILED') return;
    const t = this.now;
    task.status = 'FAILED';
    this.emit({ type: 'task-failed', t, task: task.id, reason });
    this.emitTaskStatus(task, 'FAILED');
    const region = this.tasks.filter((x) =>
      global ? x.status === 'RUNNING' || x === task : x.region === task.region,
    );
    for (const x of region) this.cancelTask(x, x === task ? 'FAILED' : 'CANCELED');
    this.coordinator.abortAll(msg('checkpoint.task-failure', { task: task.id, reason }), t);
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
      for (const x of this.tasks) this.cancelTask(x, x.status === 'FAILED' ? 'FAILED' : 'CANCELED');
      this.jobStatus = 'FAILED';
      this.emit({
        type: 'job-status',
        t,
        status: 'FAILED',
        reason: msg('job.recovery-suppressed', {
          strategy: this.job.restartStrategy.type,
          failures: this.restartStrategy.numberOfFailures,
          reason,
        }),
      });
      return;
    }
    this.jobStatus = 'RESTARTING';
    for (const x of region) {
      x.status = 'RESTARTING';
      this.emitTaskStatus(x, 'RESTARTING');
    }
    this.emit({ type: 'job-status', t, status: 'RESTARTING', reason });
    this.emit({
      type: 'job-restarting',
      t,
      tasks: region.map((x) => x.id),
      delayMs: delay,
      attempt: this.restartStrategy.numberOfRestarts,
    });
    this.restartsPending++;
    this.control.push(t + delay, { kind: 'restart', tasks: region, token: ++this.restartToken });
  }

  /** Cancels a task: its in-flight data (channels in and out) is discarded. */
  private cancelTask(task: StreamTask, status: TaskStatus): void {
    if (task.status !== status) {
      task.status = status;
      this.emitTaskStatus(task, status);
    }
    task.attempt++;
    task.wakeAt = Infinity;
    task.pendingSnapshots.clear();
    for (const ch of task.inputs) this.discardChannel(ch);
    for (const gate of task.outputs) for (const ch of gate.channels) this.discardChannel(ch);
    task.backloggedChannels = 0;
    if (this.stopTheWorld) this.stopTheWorld = null;
  }

  private discardChannel(ch: Channel): void {
    let n = ch.records;
    ch.backlog.toArray().forEach((e) => {
      if (e.kind === RECORD) n++;
    });
    this.recordsInFlight -= n;
    if (ch.backlog.length > 0 && ch.from.backloggedChannels > 0) ch.from.backloggedChannels--;
    ch.clear();
  }

  private restartTasks(region: StreamTask[]): void {
    this.restartsPending--;
    if (this.jobStatus === 'FAILED') return;
    const checkpoint = this.coordinator.latestCompleted;
    // Recovery figures: how far the sources rewind (records they will read a second time).
    const readBefore = sourcePosition(region);
    for (const task of region) this.deployTask(task, checkpoint, true);
    this.metrics.restarts++;
    this.metrics.recordsReplayed += Math.max(0, readBefore - sourcePosition(region));
    this.sendRestoredOutputState(region);
    if (checkpoint) this.coordinator.counts.restored++;
    const last = this.failures[this.failures.length - 1];
    if (last) last.restoredFrom = checkpoint?.checkpointId ?? null;
    if (this.restartsPending === 0 && this.tasks.every((t) => t.status === 'RUNNING')) {
      this.jobStatus = 'RUNNING';
      this.emit({ type: 'job-status', t: this.now, status: 'RUNNING', reason: null });
    }
  }

  // ------------------------------------------------------------------ inspection

  /** Per operator uid → state name → key → value, merged over subtasks (what `npm run sim --json` prints). */
  keyedStateByOperator(): Record<string, Record<string, Record<string, unknown>>> {
    const out: Record<string, Record<string, Record<string, unknown>>> = {};
    for (const task of this.tasks) {
      const backend = task.keyedBackend;
      if (!backend) continue;
      const op = (out[task.vertex.uid] ??= {});
      for (const name of backend.stateNames()) {
        const st = (op[name] ??= {});
        for (const [key, value] of backend.entries(name)) st[String(key)] = value;
      }
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

/**
 * Flink: an operator whose max parallelism was not set explicitly takes the one its state was
 * checkpointed with (key groups must stay the same); an explicit, different one fails the restore.
 */
function adoptRestoredMaxParallelism(job: JobGraph, checkpoint: CompletedCheckpoint | null): void {
  if (!checkpoint) return;
  for (const v of job.vertices) {
    if (v.maxParallelismConfigured) continue;
    const snap = checkpoint.tasks.find((t) => t.operatorUid === v.uid);
    if (snap && snap.maxParallelism !== v.maxParallelism && v.parallelism <= snap.maxParallelism)
      v.maxParallelism = snap.maxParallelism;
  }
}

/** Records read so far by the sources among `tasks` (sum of their offsets). */
function sourcePosition(tasks: readonly StreamTask[]): number {
  let n = 0;
  for (const task of tasks)
    if (task.operator instanceof SourceOperator) for (const s of task.operator.offsets()) n += s.offset;
  return n;
}

/** Lower bound of the first latency bucket (ms) and buckets per doubling: about ±2.2 % per bucket. */
const HISTOGRAM_MIN_MS = 0.01;
const BUCKETS_PER_DOUBLING = 16;
const HISTOGRAM_BUCKETS = 512; // up to 0.01 ms * 2^32: beyond any run

export interface LatencySummary {
  count: number;
  meanMs: number;
  maxMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
}

/**
 * A latency distribution in fixed log-spaced buckets (16 per doubling from 0.01 ms): constant memory,
 * one `Math.log2` per value; quantiles are read at a bucket's geometric middle (about ±2.2 %).
 */
export class LatencyHistogram {
  count = 0;
  sum = 0;
  max = 0;
  min = Infinity;
  readonly buckets = new Float64Array(HISTOGRAM_BUCKETS);

  add(ms: number): void {
    this.count++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
    if (ms < this.min) this.min = ms;
    let i = ms > HISTOGRAM_MIN_MS ? (Math.log2(ms / HISTOGRAM_MIN_MS) * BUCKETS_PER_DOUBLING) | 0 : 0;
    if (i >= HISTOGRAM_BUCKETS) i = HISTOGRAM_BUCKETS - 1;
    this.buckets[i]++;
  }

  /** The q-quantile (0..1), NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < HISTOGRAM_BUCKETS; i++) {
      seen += this.buckets[i];
      if (seen >= rank) {
        const mid = HISTOGRAM_MIN_MS * Math.pow(2, (i + 0.5) / BUCKETS_PER_DOUBLING);
        return Math.min(this.max, Math.max(this.min, mid));
      }
    }
    return this.max;
  }

  summary(): LatencySummary {
    return {
      count: this.count,
      meanMs: this.count > 0 ? this.sum / this.count : NaN,
      maxMs: this.count > 0 ? this.max : NaN,
      p50Ms: this.quantile(0.5),
      p90Ms: this.quantile(0.9),
      p99Ms: this.quantile(0.99),
    };
  }

  reset(): void {
    this.count = 0;
    this.sum = 0;
    this.max = 0;
    this.min = Infinity;
    this.buckets.fill(0);
  }
}

/**
 * Measurements of one engine instance, for experiments and benchmarks (cheap enough to be always on):
 *
 * - `latency`: source → sink, from the record's ingestion time (when a source emitted it; inherited
 *   through every operator) to the end of the sink's write. Like Flink's latency markers it does not
 *   see time a record waited in the log before the source read it.
 * - `eventTimeLag`: record timestamp → sink write. When a producer stamps records with the virtual
 *   time it appended them (`appendToSource`), this is the end-to-end latency including the wait in the
 *   log (a paused or rewound source shows here).
 * - `sinkRecords` / `sourceRecords`: records written by sinks / emitted by sources (replays included);
 *   throughput = difference between two samples / virtual time between them.
 * - `recordsReplayed`: records the sources read again after restarts (offset at failure − restored offset).
 */
export class JobMetrics {
  sinkRecords = 0;
  sourceRecords = 0;
  readonly latency = new LatencyHistogram();
  readonly eventTimeLag = new LatencyHistogram();
  recordsReplayed = 0;
  restarts = 0;

  /** @internal a sink finished writing `record` at virtual time `end`. */
  recordSink(record: StreamRecord, end: number): void {
    this.sinkRecords++;
    this.latency.add(end - record.ingest);
    if (record.ts !== null) this.eventTimeLag.add(end - record.ts);
  }

  /** Clears the latency distributions (e.g. after a warm-up); counters keep counting. */
  resetLatency(): void {
    this.latency.reset();
    this.eventTimeLag.reset();
  }
}

/** How often a source at the end of its log looks for new records. */
const SOURCE_POLL_INTERVAL_MS = 100;

/** JobManagerCheckpointStorage's default max state size (5 MiB), as in Flink. */
export const MAX_MEMORY_STATE_SIZE = 5 * 1024 * 1024;

function validateCheckpointConfig(job: JobGraph): void {
  const c = job.checkpointConfig;
  if (c.alignedCheckpointTimeoutMs > 0 && c.mode !== 'unaligned')
    throw new Error('an aligned-checkpoint timeout needs unaligned checkpoints (mode "unaligned")');
  if (c.intervalMs !== null && !(c.intervalMs > 0)) throw new Error('checkpoint interval must be > 0');
  if (c.maxConcurrentCheckpoints < 1) throw new Error('maxConcurrentCheckpoints must be >= 1');
  if (c.minPauseBetweenCheckpointsMs > 0 && c.maxConcurrentCheckpoints !== 1) {
    // Flink: a min pause forces one checkpoint at a time.
    (c as { maxConcurrentCheckpoints: number }).maxConcurrentCheckpoints = 1;
  }
  if (c.mode === 'unaligned' && c.maxConcurrentCheckpoints !== 1)
    throw new Error('unaligned checkpoints require max concurrent checkpoints = 1');
}
