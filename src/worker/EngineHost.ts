/**
 * The engine's home in the worker: one job, its MiniCluster, the IndexedDB checkpoint storage, and the
 * API the UI drives (see protocol.ts). Free of worker and comlink APIs, so tests drive it directly
 * in Node (with fake-indexeddb); engine.worker.ts exposes it through comlink.
 *
 * The rule that makes IndexedDB and a synchronous engine agree: after every engine step that started a
 * storage write, the host awaits `storage.flush()` before the next step. The checkpoint then completes
 * (or fails) at the same point of the event sequence as with in-memory storage, so a run in the
 * browser is the run the command line computes for the same seed.
 *
 * Crash survival: `start()` opens the database (which removes half-written checkpoints), finds the job
 * that was RUNNING when the previous worker died, and loads it again; the new MiniCluster restores from
 * the latest completed checkpoint in IndexedDB (sources rewind to its offsets). With the memory backend
 * the checkpoints lived in the dead worker's JobManager: the job starts from scratch, and says so.
 */
import {
  ExternalSystem,
  getScenario,
  InMemoryCheckpointStorage,
  RocksDBStateBackend,
  allScenarios,
  toSnapshotJson,
  javaHashCode,
  MiniCluster,
  RECORD_LEVEL_EVENTS,
  fromSnapshotJson,
  snapshotToText,
  stateBackendByName,
  type ClusterOptions,
  type CompletedCheckpoint,
  type JobGraph,
  type Key,
  describeNamespace,
  type TraceEvent,
} from '../engine/index';
import {
  ExperimentCancelled,
  getExperiment,
  listExperiments,
  resultToCsv,
  resultToJson,
  type ExperimentInfo,
  type ParameterValues,
} from '../engine/experiments/index';
import type {
  IndexedDbCheckpointStorage,
  IndexedDbStorageOptions,
  JobRecord,
  StorageFault,
  StorageWriteEvent,
} from '../storage/index';
import {
  IN_FLIGHT_KIND,
  type BackendName,
  type CheckpointListing,
  type EngineWorkerApi,
  type ExactlyOnceCheck,
  type OperatorInfo,
  type ResolvedConfig,
  type ScenarioInfo,
  type SinkInfo,
  type SinkReport,
  type StateChange,
  type StateDiffPage,
  type BroadcastStateView,
  type TimelineAction,
  type TimelineEntry,
  type TimelineInfo,
  type ExportResult,
  type ExperimentOutcome,
  type ExperimentProgress,
  EXPERIMENT_PROGRESS_INTERVAL_MS,
  type FrameUpdate,
  type ImportResult,
  type LoadInfo,
  type LessonProgress,
  type LoadOptions,
  type Recovery,
  type StartInfo,
  type StatePage,
  type StepKind,
  type JobDiagnostic,
  type UserJobLoadResult,
  type UserJobSource,
  type SqlExplainResult,
  type SqlExportResult,
  type SqlFrame,
  type SqlJobInfo,
  type SqlJobSource,
  type SqlLoadResult,
  type SqlTableInfo,
} from './protocol';
import { EngineError, messageOf, msg, type Message } from '../engine/messages/Message';
import { RestoreTracker } from './restoreSummary';
import { taskPhases } from './taskPhases';
import { rowIssue, splitDuplicates } from './exactlyOnce';
import { plain } from './plain';
import { LessonCheckEvaluator } from './LessonCheckEvaluator';
import { UserJobBuildError, UserJobs } from './userJob';
import {
  SqlJobs,
  SqlResults,
  SqlScriptError,
  explainSqlScript,
  exportSqlScript,
  sqlTableCsv,
  sqlTables,
} from './sqlJob';
import type { Check, LessonCheckSpec, LessonVerdict } from './lessonCheck';

export const MEMORY_BACKEND_REASON: Message = msg('recovery.memory-backend');

const BARRIER_EVENT =
  /^(barrier-|checkpoint-|alignment-|channel-(un)?blocked|channel-state-recorded|snapshot-taken|sources-)/;
/** "Next checkpoint": a checkpoint is triggered, completes or fails (acks stay reachable with Step). */
const CHECKPOINT_STEP_EVENT = /^checkpoint-(triggered|completed|failed)$/;

export interface EngineHostOptions {
  openStorage(options: IndexedDbStorageOptions): Promise<IndexedDbCheckpointStorage>;
  /** Real time in ms (performance.now). */
  clock?: () => number;
  /** Real time a frame may spend running the engine; the rest of its slice waits for the next frame. */
  frameBudgetMs?: number;
  /** Real ms an experiment runs before it lets other calls in (a macrotask); default 20. */
  experimentSliceMs?: number;
  /** Real ms between two progress reports of an experiment run; default EXPERIMENT_PROGRESS_INTERVAL_MS. */
  experimentProgressIntervalMs?: number;
}

/** The experiment run in progress (one at a time). */
interface ExperimentRun {
  id: string;
  cancelled: boolean;
  /** Settles when the run has stopped (completed, cancelled or failed). */
  done: Promise<unknown>;
}

/** A macrotask: lets the worker's message queue (a cancel, a frame) in before the run goes on. */
const nextMacrotask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

type Cluster = MiniCluster;
type ChannelOf = Cluster['channels'][number];

function backendOf(job: JobGraph): BackendName {
  if (job.stateBackend.checkpointStorage === 'jobmanager') return 'memory';
  if (job.stateBackend.stateBackend === 'rocksdb') return 'rocksdb';
  return job.stateBackend.legacyName === 'FsStateBackend' ? 'fs' : 'hashmap';
}

function taskInfos(cluster: Cluster): LoadInfo['tasks'] {
  return cluster.tasks.map((t) => ({
    id: t.id,
    operatorUid: t.vertex.uid,
    operatorName: t.vertex.name,
    subtaskIndex: t.subtaskIndex,
    parallelism: t.vertex.parallelism,
    operators: t.jobVertex.operators.map((v) => ({ uid: v.uid, name: v.name })),
    vertexName: t.jobVertex.name,
  }));
}

function channelInfos(cluster: Cluster): LoadInfo['channels'] {
  return cluster.channels.map((c) => ({ id: c.id, from: c.from.id, to: c.to.id }));
}

function unwrapTtl(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapTtl);
  if (value && typeof value === 'object' && 'lastAccess' in value && 'value' in value)
    return (value as { value: unknown }).value;
  return value;
}

/** Case-insensitive substring match on the key's text; no search matches everything. */
function keyFilter(search: string | undefined): (key: unknown) => boolean {
  const q = search?.trim().toLowerCase();
  if (!q) return () => true;
  return (key) => String(key).toLowerCase().includes(q);
}

function page<T>(rows: T[], offset: number, limit: number): T[] {
  const from = Math.max(0, offset);
  return rows.slice(from, from + Math.max(0, limit));
}

function upsertKeyOf(sink: { upsertKey?: (value: unknown) => string }, value: unknown): string {
  return sink.upsertKey ? sink.upsertKey(value) : JSON.stringify(value);
}

function compareKeys(a: unknown, b: unknown): number {
  const rank = (k: unknown) => (typeof k === 'boolean' ? 0 : typeof k === 'number' ? 1 : 2);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

export class EngineHost implements EngineWorkerApi {
  private storage: IndexedDbCheckpointStorage | null = null;
  private cluster: Cluster | null = null;
  private job: JobGraph | null = null;
  private options: LoadOptions | null = null;
  /** The cluster of the job being loaded (every engine instance of it starts with this one). */
  private clusterOptions: ClusterOptions | undefined = undefined;
  private record: JobRecord | null = null;
  private info: LoadInfo | null = null;
  private playing = false;
  private speed = 1000;
  private frameNo = 0;
  private events: TraceEvent[] = [];
  /** The loop guard stopped the user job: nothing runs until the next load. */
  private jobStopped: JobDiagnostic | null = null;
  /** The latest error a user function of the job file threw, at its line:col. */
  private jobError: JobDiagnostic | null = null;
  /** Job files built here (the editor's Run). */
  private readonly userJobs = new UserJobs();
  /** SQL jobs prepared here (the SQL page's Run) and their result, frame by frame. */
  private readonly sqlJobs = new SqlJobs();
  private readonly sqlResults = new SqlResults();
  private counts: Record<string, number> = {};
  private recordEvents = 0;
  private dropped = 0;
  private sendTimes = new Map<number, number>();
  private checkpointCompleted = false;
  /** Where this run's history starts: a replay (timeline scrub) rebuilds the engine from here. */
  private history: { base: CompletedCheckpoint | null; startTime: number; incarnation: number } | null = null;
  /** The learner's actions in this history, in order; `cursor` = the next one a replay re-applies. */
  private actions: TimelineEntry[] = [];
  private cursor = 0;
  private horizon = 0;
  /** The failure-free reference run's visible sink output (value JSON -> count), computed on demand. */
  private replaying = false;
  private reference: { counts: Map<string, number>; rows: number } | null = null;
  private readonly listeners: Array<(event: StorageWriteEvent) => unknown> = [];
  /** The latest failure and its restore, built from the trace (restoreSummary.ts). */
  private readonly restoreTracker = new RestoreTracker();
  /** Playing stops at a failure and after its restore (setPauseOnFailure). */
  private pauseOnFailure = false;
  private experimentRun: ExperimentRun | null = null;
  private readonly clock: () => number;
  private readonly frameBudgetMs: number;
  /** The lesson step's check, evaluated on every engine event (LessonCheckEvaluator.ts). */
  private readonly lessonChecks = new LessonCheckEvaluator({
    cluster: () => this.cluster,
    config: () => this.info?.config ?? null,
    recovery: () => this.info?.recovery ?? null,
    referenceCounts: () => this.referenceOutput().counts,
    sawWholeRun: () => !this.history?.base,
  });

  constructor(private readonly hostOptions: EngineHostOptions) {
    this.clock = hostOptions.clock ?? (() => performance.now());
    this.frameBudgetMs = hostOptions.frameBudgetMs ?? 12;
  }

  // ------------------------------------------------------------------ lifecycle

  private async openStorage(): Promise<IndexedDbCheckpointStorage> {
    if (!this.storage)
      this.storage = await this.hostOptions.openStorage({
        onWrite: (event) => {
          for (const l of this.listeners) {
            try {
              void Promise.resolve(l(event)).catch(() => {});
            } catch {
              // a listener that went away
            }
          }
        },
      });
    return this.storage;
  }

  async start(options: { recover?: boolean } = {}): Promise<StartInfo> {
    const storage = await this.openStorage();
    const removed = storage.openReport.removedPending.map((p) => p.checkpointId);
    const running = await storage.runningJob();
    if (running && options.recover === false) {
      // The previous worker stopped answering (a job stuck in a loop): do not load it into the same loop.
      await storage.putJob({ ...running, status: 'STOPPED', updatedAt: Date.now() });
      return { recovered: false, load: null, removedPendingCheckpoints: removed };
    }
    if (!running) return { recovered: false, load: null, removedPendingCheckpoints: removed };
    const load = await this.loadJob(running.config as unknown as LoadOptions, running);
    // The previous worker died: the first frame says so, as Simulation's trace does for an engine crash.
    this.onTrace({ type: 'engine-crashed', t: load.now });
    this.onTrace({ type: 'engine-recovered', t: load.now, checkpointId: load.recovery.restoredFrom });
    return { recovered: true, load, removedPendingCheckpoints: removed };
  }

  load(options: LoadOptions): Promise<LoadInfo> {
    return this.loadJob(options, null);
  }

  /** The editor's Run: a job file compiled, built and loaded here; its errors as diagnostics. */
  async loadUserJob(options: LoadOptions & { job: UserJobSource }): Promise<UserJobLoadResult> {
    try {
      // Built before anything changes: a broken file leaves the running simulation as it was.
      await this.userJobs.prepare(options.job);
    } catch (e) {
      if (e instanceof UserJobBuildError) return { ok: false, diagnostics: e.diagnostics };
      throw e;
    }
    return { ok: true, load: await this.loadJob(options, null) };
  }

  /** The SQL page's Run: the statements run here, the query loaded as the job; an error changes nothing. */
  async loadSql(options: LoadOptions & { sql: SqlJobSource }): Promise<SqlLoadResult> {
    let prepared;
    try {
      // Planned before anything changes: a broken script leaves the running simulation as it was.
      prepared = await this.sqlJobs.prepare(options.sql.script);
    } catch (e) {
      if (e instanceof SqlScriptError) return { ok: false, error: e.diagnostic };
      throw e;
    }
    if (!prepared.scenario) return { ok: true, outputs: prepared.outputs, job: null, load: null };
    const load = await this.loadJob(options, null);
    return { ok: true, outputs: prepared.outputs, job: prepared.job, load };
  }

  async explainSql(sql: SqlJobSource): Promise<SqlExplainResult> {
    try {
      return { ok: true, text: await explainSqlScript(sql.script) };
    } catch (e) {
      if (e instanceof SqlScriptError) return { ok: false, error: e.diagnostic };
      throw e;
    }
  }

  async exportSqlForFlink(sql: SqlJobSource): Promise<SqlExportResult> {
    try {
      return { ok: true, text: await exportSqlScript(sql.script) };
    } catch (e) {
      if (e instanceof SqlScriptError) return { ok: false, error: e.diagnostic };
      throw e;
    }
  }

  async sqlJobInfo(): Promise<SqlJobInfo | null> {
    const script = this.options?.sql?.script;
    return script === undefined ? null : this.sqlJobs.prepared(script).job;
  }

  sqlTableCsv(name: string): Promise<string | null> {
    return sqlTableCsv(name);
  }

  sqlTables(): Promise<SqlTableInfo[]> {
    return sqlTables();
  }

  private sqlFrame(cluster: Cluster | null): SqlFrame | null {
    const script = this.options?.sql?.script;
    if (!cluster || script === undefined) return null;
    return this.sqlResults.frame(cluster, this.sqlJobs.prepared(script));
  }

  private buildJob(options: LoadOptions): JobGraph {
    const cp = options.checkpoint ?? {};
    const tuning: Partial<JobGraph['checkpointConfig']> = {};
    if (cp.timeoutMs !== undefined) tuning.timeoutMs = cp.timeoutMs;
    if (cp.minPauseMs !== undefined) tuning.minPauseBetweenCheckpointsMs = cp.minPauseMs;
    if (cp.maxConcurrent !== undefined) tuning.maxConcurrentCheckpoints = cp.maxConcurrent;
    if (cp.tolerableFailed !== undefined) tuning.tolerableFailedCheckpoints = cp.tolerableFailed;
    if (cp.alignedTimeoutMs !== undefined) tuning.alignedCheckpointTimeoutMs = cp.alignedTimeoutMs;
    const scenario = options.job
      ? this.userJobs.scenario(options.job)
      : options.sql
        ? this.sqlJobs.prepared(options.sql.script).scenario
        : getScenario(options.scenario);
    const playground = options.playground ?? {};
    // As the command line: the Playground's job arguments mean nothing to another job.
    if (Object.keys(playground).length > 0 && !scenario.playgroundArguments)
      throw new Error(
        `the Operations Playground's job arguments (checkpointing, processingTime, backpressure, sink) are the clickcount scenario's (got '${options.scenario}')`,
      );
    // The job without `--checkpointing` does not checkpoint, whatever mode and interval the
    // configuration panel sends along (they are what it would use with checkpointing on).
    const argumentsOff = playground.checkpointing === false;
    let job = scenario.build({
      ...playground,
      mode: argumentsOff ? undefined : options.mode,
      // 0 = checkpointing off (set below): the scenario builder only knows "on with an interval".
      checkpointIntervalMs: options.intervalMs === 0 || argumentsOff ? undefined : options.intervalMs,
      checkpoint: tuning,
      operatorParallelism: options.parallelism,
      restartStrategy: options.restartStrategy,
      unbounded: options.unbounded,
      chaining: options.chaining,
    });
    for (const [uid, ms] of Object.entries(options.processingTimeMs ?? {})) {
      const v = job.vertices.find((x) => x.uid === uid);
      if (!v) throw new Error(`processing time: no operator with uid '${uid}'`);
      if (!(ms >= 0) || !Number.isFinite(ms))
        throw new Error(`processing time of '${uid}' must be ≥ 0 ms, got ${ms}`);
      v.processingTimeMs = ms;
    }
    if (options.intervalMs === 0)
      job = { ...job, checkpointConfig: { ...job.checkpointConfig, intervalMs: null } };
    if (options.backend === 'rocksdb')
      job = {
        ...job,
        stateBackend: new RocksDBStateBackend('file:///tmp/checkpoints', cp.incremental ?? true).config,
      };
    else if (options.backend && options.backend !== backendOf(job))
      job = { ...job, stateBackend: stateBackendByName(options.backend).config };
    if (job.checkpointConfig.mode === 'unaligned' && job.checkpointConfig.maxConcurrentCheckpoints !== 1)
      throw new Error(
        `unaligned checkpoints need max concurrent checkpoints = 1 (got ${job.checkpointConfig.maxConcurrentCheckpoints}), as in Flink`,
      );
    return job;
  }

  private resolvedConfig(job: JobGraph): ResolvedConfig {
    const c = job.checkpointConfig;
    return {
      mode: c.mode,
      intervalMs: c.intervalMs,
      timeoutMs: c.timeoutMs,
      minPauseMs: c.minPauseBetweenCheckpointsMs,
      maxConcurrent: c.maxConcurrentCheckpoints,
      tolerableFailed: c.tolerableFailedCheckpoints,
      alignedTimeoutMs: c.alignedCheckpointTimeoutMs,
      incremental: job.stateBackend.incrementalCheckpoints,
      backend: backendOf(job),
      restartStrategy: job.restartStrategy,
      parallelism: Object.fromEntries(job.vertices.map((v) => [v.uid, v.parallelism])),
      unbounded: job.vertices.some((v) => v.spec.kind === 'source' && !v.spec.bounded),
      chaining: job.chainingEnabled,
      ...this.clusterConfig(),
      ...(this.takesPlaygroundArguments() ? { playground: this.options?.playground ?? {} } : {}),
    };
  }

  /** The loaded job is the Operations Playground's (clickcount, or a lesson's job built on it). */
  private takesPlaygroundArguments(): boolean {
    const o = this.options;
    return !!o && !o.job && !o.sql && getScenario(o.scenario).playgroundArguments === true;
  }

  /** The cluster of the current engine instance as configured at load (not after kills or additions). */
  private clusterConfig(): Pick<
    ResolvedConfig,
    'taskManagers' | 'slotsPerTaskManager' | 'slotsNeeded' | 'clusterSet'
  > {
    const cluster = this.cluster;
    const tms = cluster?.taskManagerInfo() ?? [];
    return {
      taskManagers: this.clusterOptions?.taskManagers ?? Math.max(1, tms.length),
      slotsPerTaskManager: this.clusterOptions?.slotsPerTaskManager ?? tms[0]?.slots.length ?? 1,
      slotsNeeded: cluster?.slotsNeeded ?? 1,
      ...(this.clusterOptions?.taskManagers !== undefined ||
      this.clusterOptions?.slotsPerTaskManager !== undefined
        ? { clusterSet: true }
        : {}),
    };
  }

  private operatorInfos(job: JobGraph): OperatorInfo[] {
    return job.vertices.map((v) => ({
      uid: v.uid,
      name: v.name,
      kind: v.spec.kind,
      parallelism: v.parallelism,
      maxParallelism: v.maxParallelism,
      processingTimeMs: v.processingTimeMs,
      keyed: v.keySelector !== null,
      nonParallel: v.nonParallel,
      inputs: v.inputs.map((e) => ({
        uid: e.source.uid,
        partitioner: e.partitioner,
        ...(e.typeNumber === 0 ? {} : { input: e.typeNumber }),
        ...(e.outputTag ? { sideOutput: e.outputTag } : {}),
      })),
      ...(v.spec.kind === 'sink' ? { sinkKind: v.spec.sink.sinkKind } : {}),
    }));
  }

  private async loadJob(options: LoadOptions, recover: JobRecord | null): Promise<LoadInfo> {
    // A job file (also one a new worker recovers): compiled and built once here, rebuilt synchronously below.
    if (options.job) await this.userJobs.prepare(options.job);
    if (options.sql) await this.sqlJobs.prepare(options.sql.script);
    const storage = await this.openStorage();
    await storage.flush();
    if (this.record && this.record.jobName !== recover?.jobName) await this.markStopped();
    this.playing = false;
    this.speed = options.speed ?? this.speed;
    storage.pauseBetweenTransactionsMs = options.pauseBetweenTransactionsMs ?? 0;
    const job = this.buildJob(options);
    this.clusterOptions = {
      taskManagers: options.taskManagers,
      slotsPerTaskManager: options.slotsPerTaskManager,
      taskManagerRestartDelayMs: options.taskManagerRestartDelayMs,
    };
    const backend = backendOf(job);
    const durable = job.stateBackend.checkpointStorage !== 'jobmanager';
    const previous = recover ?? (await storage.getJob(job.name));
    const fresh = recover ? false : (options.fresh ?? true);
    if (fresh) await storage.discardCheckpoints(job.name);
    const incarnation = fresh || !previous ? 0 : previous.incarnation + 1;
    const latest = durable ? storage.latest(job.name) : null;

    let recovery: Recovery;
    if (!durable)
      recovery = {
        restoredFrom: null,
        reason: recover || !fresh ? MEMORY_BACKEND_REASON : msg('recovery.new-run'),
      };
    else if (latest)
      recovery = {
        restoredFrom: latest.checkpointId,
        reason: msg('recovery.from-indexeddb', { id: latest.checkpointId }),
      };
    else
      recovery = {
        restoredFrom: null,
        reason: fresh ? msg('recovery.new-run') : msg('recovery.none-in-indexeddb'),
      };
    const startTime =
      recover || !fresh ? Math.max(previous?.lastSeenTime ?? 0, latest?.completionTime ?? 0) : 0;

    this.resetFrame();
    this.jobStopped = null;
    this.jobError = null;
    let cluster: Cluster;
    try {
      cluster = this.newCluster(job, options.seed, incarnation, startTime, undefined);
    } catch (e) {
      // A stored checkpoint this build cannot restore (e.g. the job changed): say so, start over.
      await storage.discardCheckpoints(job.name);
      recovery = {
        restoredFrom: null,
        reason: msg('recovery.stored-unrestorable', { id: latest?.checkpointId ?? '', error: messageOf(e) }),
      };
      this.resetFrame();
      cluster = this.newCluster(job, options.seed, incarnation, startTime, undefined);
    }
    this.cluster = cluster;
    this.job = job;
    this.history = {
      base: recovery.restoredFrom !== null ? latest : null,
      startTime,
      incarnation,
    };
    this.resetTimeline(cluster.now);
    const config: LoadOptions = { ...options };
    delete config.fresh;
    this.options = config;
    this.record = {
      jobName: job.name,
      scenario: options.scenario,
      seed: options.seed,
      config: config as unknown as Record<string, unknown>,
      status: 'RUNNING',
      incarnation,
      lastSeenTime: startTime,
      updatedAt: Date.now(),
    };
    await storage.putJob(this.record);
    this.info = {
      jobName: job.name,
      scenario: options.scenario,
      seed: options.seed,
      mode: job.checkpointConfig.mode,
      backend,
      checkpointStorage: cluster.checkpointStorage.name,
      durable,
      incarnation,
      now: cluster.now,
      tasks: taskInfos(cluster),
      channels: channelInfos(cluster),
      operators: this.operatorInfos(job),
      config: this.resolvedConfig(job),
      recovery,
    };
    this.lessonChecks.engineReplaced('load');
    return this.info;
  }

  private newCluster(
    job: JobGraph,
    seed: number,
    incarnation: number,
    startTime: number,
    restoreFrom: CompletedCheckpoint | undefined,
  ): Cluster {
    this.restoreTracker.reset();
    return new MiniCluster(job, {
      seed: seed + incarnation * 7919,
      checkpointStorage: this.storage as IndexedDbCheckpointStorage,
      external: new ExternalSystem(),
      trace: (e) => this.onTrace(e),
      fastForward: false,
      startTime,
      incarnation,
      restoreFrom,
      cluster: this.clusterOptions,
    });
  }

  async unload(): Promise<void> {
    await this.storage?.flush();
    await this.markStopped();
    this.cluster = null;
    this.job = null;
    this.info = null;
    this.playing = false;
  }

  private async markStopped(): Promise<void> {
    if (!this.record || !this.storage) return;
    this.record = { ...this.record, status: 'STOPPED', updatedAt: Date.now() };
    await this.storage.putJob(this.record);
  }

  // ------------------------------------------------------------------ running

  async play(): Promise<void> {
    this.playing = this.cluster !== null;
  }

  async pause(): Promise<void> {
    this.playing = false;
  }

  async setSpeed(virtualMsPerSecond: number): Promise<void> {
    if (!(virtualMsPerSecond > 0))
      throw new Error(`speed must be > 0 virtual ms per second, got ${virtualMsPerSecond}`);
    this.speed = virtualMsPerSecond;
  }

  async frame(realMs: number): Promise<FrameUpdate> {
    const cluster = this.cluster;
    if (cluster && this.playing) {
      const slice = (Math.min(Math.max(realMs, 0), 250) * this.speed) / 1000;
      await this.advance(cluster, cluster.now + slice, true);
      if (cluster.jobStatus === 'FAILED' || cluster.isFinished()) this.playing = false;
    }
    return this.collect();
  }

  async step(kind: StepKind): Promise<FrameUpdate> {
    const cluster = this.cluster;
    if (!cluster) return this.collect();
    this.playing = false;
    if (kind === 'event') {
      if (this.stepOnce(cluster)) await this.afterStep();
    } else {
      const stopAt = kind === 'checkpoint' ? CHECKPOINT_STEP_EVENT : BARRIER_EVENT;
      const seen = () => this.events.some((e) => stopAt.test(e.type));
      for (let i = 0; i < 200_000 && !seen(); i++) {
        if (!this.stepOnce(cluster)) break;
        await this.afterStep();
        if (this.cluster !== cluster) break;
      }
    }
    return this.collect();
  }

  /**
   * Runs the engine up to virtual time `target`; with `budget`, only until this frame's real-time
   * budget is spent (the rest continues next frame).
   */
  private async advance(cluster: Cluster, target: number, budget: boolean): Promise<void> {
    const deadline = this.clock() + this.frameBudgetMs;
    let steps = 0;
    this.restoreTracker.pauseRequested = false;
    while (cluster.nextEventTime() <= target) {
      if (this.jobStopped) return;
      this.stepOnce(cluster);
      await this.afterStep();
      if (this.cluster !== cluster) return;
      // Pause on failure: stop right after the event (the rest of the slice is not run).
      if (budget && this.pauseOnFailure && this.restoreTracker.pauseRequested) {
        this.restoreTracker.pauseRequested = false;
        this.playing = false;
        return;
      }
      if (budget && !this.playing) return; // a lesson check stopped playback at this event
      if (budget && ++steps % 32 === 0 && this.clock() > deadline) return; // continue next frame
    }
    this.applyDueActions(cluster, target);
    cluster.runUntil(target);
  }

  /** One engine event, after re-applying the learner's actions recorded at this point of the history. */
  private stepOnce(cluster: Cluster): boolean {
    if (this.jobStopped) return false;
    this.applyDueActions(cluster, cluster.nextEventTime());
    const stepped = cluster.step();
    const error = this.options?.job ? this.userJobs.takeRuntimeError(this.events) : null;
    if (error) {
      this.jobError = error.diagnostic;
      // The watchdog stopped a user function (the engine failed the job, no restart): say where.
      if (error.stopped) {
        this.jobStopped = error.diagnostic;
        this.playing = false;
      }
    }
    return stepped;
  }

  private applyDueActions(cluster: Cluster, limit: number): void {
    while (this.cursor < this.actions.length) {
      const entry = this.actions[this.cursor];
      if (entry.eventIndex !== cluster.eventsProcessed || entry.at > limit) return;
      // The action came after a frame that ended between events: time had moved on to `at`.
      if (cluster.now < entry.at) cluster.runUntil(entry.at);
      this.cursor++;
      this.apply(cluster, entry.action);
    }
  }

  private apply(cluster: Cluster, action: TimelineAction): number | null {
    switch (action.type) {
      case 'fail-task':
        cluster.scheduleTaskFailure(action.taskId, cluster.now, msg('task.injected-by-learner'));
        return null;
      case 'kill-taskmanager':
        cluster.killTaskManager(action.taskManager);
        return null;
      case 'add-taskmanager':
        cluster.scheduleAddTaskManager(cluster.now);
        return null;
      case 'poison':
        cluster.injectPoisonRecord(action.sourceUid, action.partition);
        return null;
      case 'storage-fault':
        this.storage?.injectFault(action.kind, action.count);
        return null;
      case 'trigger':
        return cluster.coordinator.triggerCheckpoint(cluster.now, action.kind);
      case 'processing-time': {
        const v = cluster.job.vertices.find((x) => x.uid === action.uid);
        if (v) v.processingTimeMs = action.ms;
        return null;
      }
    }
  }

  /**
   * A learner's action now. Taken in the past (after scrubbing back), it forks a new future: the
   * actions recorded after this point are dropped.
   */
  private act(action: TimelineAction): number | null {
    const cluster = this.requireCluster();
    this.actions.splice(this.cursor);
    this.actions.push({ at: cluster.now, eventIndex: cluster.eventsProcessed, action });
    this.cursor = this.actions.length;
    this.horizon = cluster.now;
    this.lessonChecks.acted();
    return this.apply(cluster, action);
  }

  private resetTimeline(now: number): void {
    this.actions = [];
    this.cursor = 0;
    this.horizon = now;
    this.reference = null;
  }

  async timeline(): Promise<TimelineInfo> {
    return {
      start: this.history?.startTime ?? 0,
      now: this.cluster?.now ?? 0,
      horizon: Math.max(this.horizon, this.cluster?.now ?? 0),
      actions: [...this.actions],
    };
  }

  /**
   * Scrubbing: forward runs on; backward rebuilds the engine from the start of this history (same
   * seed, same restored checkpoint) and replays every event and every recorded action up to `t`.
   * Deterministic, so the past looks exactly as it did; the stored checkpoints are rewritten as the
   * replay passes them.
   */
  async seek(t: number): Promise<FrameUpdate> {
    const cluster = this.requireCluster();
    const history = this.history;
    if (!history) throw new Error('no job loaded: call load() first');
    const target = Math.max(history.startTime, Math.min(t, Math.max(this.horizon, cluster.now)));
    this.playing = false;
    if (target >= cluster.now) {
      await this.advance(cluster, target, false);
      return this.collect();
    }
    const storage = await this.openStorage();
    await storage.flush();
    const job = this.buildJob(this.options as LoadOptions);
    const durable = job.stateBackend.checkpointStorage !== 'jobmanager';
    await storage.discardCheckpoints(job.name);
    if (history.base && durable) {
      const stored = await new Promise<Error | null>((resolve) =>
        storage.store({ ...history.base!, kind: 'checkpoint' }, resolve),
      );
      if (stored) throw new Error(`replay: storing the start checkpoint failed: ${stored.message}`);
    }
    this.resetFrame();
    this.sendTimes.clear();
    const next = this.newCluster(
      job,
      (this.options as LoadOptions).seed,
      history.incarnation,
      history.startTime,
      history.base ?? undefined,
    );
    this.cluster = next;
    this.job = job;
    this.cursor = 0;
    this.replaying = true;
    try {
      await this.advance(next, target, false);
    } finally {
      this.replaying = false;
    }
    this.lessonChecks.engineReplaced('replay');
    this.resetFrame();
    return this.collect();
  }

  /** The engine waits for IndexedDB: no step while a checkpoint write is in progress. */
  private async afterStep(): Promise<void> {
    const storage = this.storage;
    if (storage && storage.pendingWrites > 0) await storage.flush();
    if (this.cluster) this.restoreTracker.afterStep(this.cluster);
    if (this.checkpointCompleted && this.record && this.cluster && storage) {
      this.checkpointCompleted = false;
      this.record = { ...this.record, lastSeenTime: this.cluster.now, updatedAt: Date.now() };
      await storage.putJob(this.record);
    }
    if (!this.replaying && this.lessonChecks.settle()) this.playing = false;
  }

  private onTrace(e: TraceEvent): void {
    this.lessonChecks.observe(e, this.replaying);
    if (e.type === 'record-sent' || e.type === 'barrier-sent' || e.type === 'cancel-barrier-sent')
      this.sendTimes.set(e.id, e.t);
    if (e.type === 'checkpoint-completed') this.checkpointCompleted = true;
    this.restoreTracker.onEvent(e, this.cluster);
    // A replay re-creates the past: only what the elements in flight need is kept.
    if (this.replaying) return;
    this.counts[e.type] = (this.counts[e.type] ?? 0) + 1;
    if (RECORD_LEVEL_EVENTS.has(e.type)) {
      if (this.recordEvents >= (this.options?.maxRecordEventsPerFrame ?? 2000)) {
        this.dropped++;
        return;
      }
      this.recordEvents++;
    }
    this.events.push(e);
  }

  private resetFrame(): void {
    this.events = [];
    this.counts = {};
    this.recordEvents = 0;
    this.dropped = 0;
  }

  private collect(): FrameUpdate {
    const cluster = this.cluster;
    if (cluster && cluster.now > this.horizon && this.cursor >= this.actions.length)
      this.horizon = cluster.now;
    const storage = this.storage;
    if (this.lessonChecks.settle()) this.playing = false;
    const update: FrameUpdate = {
      frame: this.frameNo++,
      now: cluster?.now ?? 0,
      playing: this.playing,
      jobStatus: cluster?.jobStatus ?? 'NONE',
      events: this.events,
      eventCounts: this.counts,
      droppedEvents: this.dropped,
      taskStatuses: cluster ? cluster.tasks.map((t) => t.status) : [],
      placement: cluster ? cluster.tasks.map((t) => placementOf(cluster, t.id)) : [],
      taskManagers: cluster
        ? cluster.taskManagerInfo().map((tm) => ({
            id: tm.id,
            index: tm.index,
            status: tm.status,
            slots: tm.slots.length,
          }))
        : [],
      inFlight: cluster ? this.inFlight(cluster) : new Float64Array(0),
      checkpoints: cluster
        ? {
            ...cluster.coordinator.counts,
            latestCompletedId: cluster.coordinator.latestCompleted?.checkpointId ?? null,
            pending: cluster.coordinator.pendingIds(),
          }
        : { triggered: 0, completed: 0, failed: 0, restored: 0, latestCompletedId: null, pending: [] },
      eventsProcessed: cluster?.eventsProcessed ?? 0,
      recordsProcessed: cluster?.recordsProcessed ?? 0,
      storage: {
        name: cluster?.checkpointStorage.name ?? storage?.name ?? '',
        durable: cluster?.checkpointStorage.durable ?? true,
        pendingWrites: storage?.pendingWrites ?? 0,
        lastError: storage?.lastError ?? null,
        faultsQueued: storage?.injectedFaults.length ?? 0,
      },
      finished: cluster ? cluster.jobStatus === 'FAILED' || cluster.isFinished() : true,
      taskPhases: cluster ? taskPhases(cluster) : [],
      restore: this.restoreTracker.current ? structuredClone(this.restoreTracker.current) : null,
      lesson: this.lessonChecks.verdict(),
      jobStopped: this.jobStopped,
      jobError: this.jobError,
      sql: this.sqlFrame(cluster),
    };
    this.resetFrame();
    return update;
  }

  /** Every element in a channel or an output buffer, IN_FLIGHT_STRIDE numbers each (see protocol.ts). */
  private inFlight(cluster: Cluster): Float64Array {
    const rows: number[] = [];
    const keep = new Map<number, number>();
    const push = (ch: number, el: ReturnType<ChannelOf['queue']['at']>, queued: boolean) => {
      let kind: number;
      let tag: number;
      if ('checkpointId' in el && !('priority' in el)) {
        // A CancelCheckpointMarker: drawn as a barrier of another colour.
        kind = queued ? IN_FLIGHT_KIND.queuedCancelBarrier : IN_FLIGHT_KIND.cancelBarrier;
        tag = el.checkpointId;
      } else if ('checkpointId' in el) {
        kind = queued
          ? IN_FLIGHT_KIND.queuedBarrier
          : el.priority
            ? IN_FLIGHT_KIND.priorityBarrier
            : IN_FLIGHT_KIND.barrier;
        tag = el.checkpointId;
      } else if ('key' in el) {
        kind = queued ? IN_FLIGHT_KIND.queuedRecord : IN_FLIGHT_KIND.record;
        tag = el.key === null ? Number.NaN : javaHashCode(el.key as Key);
      } else if ('timestamp' in el) {
        kind = queued ? IN_FLIGHT_KIND.queuedWatermark : IN_FLIGHT_KIND.watermark;
        tag = el.timestamp;
      } else {
        return; // EndOfData / EndOfPartition: not drawn
      }
      const sent = this.sendTimes.get(el.id);
      if (sent !== undefined) keep.set(el.id, sent);
      rows.push(
        ch,
        queued ? Number.NaN : (sent ?? Number.NaN),
        queued ? Number.NaN : el.arrival,
        kind,
        tag,
        el.id,
      );
    };
    cluster.channels.forEach((ch, i) => {
      for (let j = 0; j < ch.queue.length; j++) push(i, ch.queue.at(j), false);
      for (let j = 0; j < ch.backlog.length; j++) push(i, ch.backlog.at(j), true);
    });
    this.sendTimes = keep;
    const out = new Float64Array(rows.length);
    out.set(rows);
    return out;
  }

  // ------------------------------------------------------------------ failures and checkpoints

  private requireCluster(): Cluster {
    if (!this.cluster) throw new Error('no job loaded: call load() first');
    return this.cluster;
  }

  async failTask(taskId: string): Promise<void> {
    const cluster = this.requireCluster();
    if (!cluster.tasks.some((t) => t.id === taskId)) throw new Error(`no subtask '${taskId}' in this job`);
    // A click after the end would otherwise wait, unseen, in the event queue of a job that never runs again.
    if (cluster.jobStatus === 'FAILED')
      throw new Error(
        `the job has FAILED for good: nothing runs to fail ${taskId}. Restart the job to fail a subtask.`,
      );
    if (cluster.isFinished())
      throw new Error(`the job has finished: ${taskId} runs no more. Restart the job to fail a subtask.`);
    this.act({ type: 'fail-task', taskId });
    if (cluster.tasks.find((t) => t.id === taskId)?.status === 'RUNNING')
      this.restoreTracker.pending(taskId, cluster.now);
  }

  async killTaskManager(id: string): Promise<void> {
    const cluster = this.requireCluster();
    if (!cluster.taskManagerInfo().some((tm) => tm.id === id)) throw new Error(`no TaskManager '${id}'`);
    this.act({ type: 'kill-taskmanager', taskManager: id });
  }

  async addTaskManager(): Promise<void> {
    this.requireCluster();
    this.act({ type: 'add-taskmanager' });
  }

  async injectPoisonRecord(sourceUid?: string, partition = 0): Promise<void> {
    const cluster = this.requireCluster();
    const uid = sourceUid ?? cluster.job.vertices.find((v) => v.spec.kind === 'source')?.uid;
    if (!uid) throw new Error('the job has no source');
    this.act({ type: 'poison', sourceUid: uid, partition });
  }

  async injectStorageFault(kind: StorageFault, count = 1): Promise<void> {
    const cluster = this.requireCluster();
    if (!cluster.checkpointStorage.durable) throw new EngineError(msg('recovery.memory-no-storage-fault'));
    await this.openStorage();
    this.act({ type: 'storage-fault', kind, count });
  }

  async triggerCheckpoint(kind: 'checkpoint' | 'savepoint' = 'checkpoint'): Promise<number | null> {
    return this.act({ type: 'trigger', kind });
  }

  private restorable(): CompletedCheckpoint[] {
    const cluster = this.requireCluster();
    const list = [...cluster.checkpointStorage.list(cluster.jobName)];
    const latest = cluster.coordinator.latestCompleted;
    if (latest && !list.some((c) => c.checkpointId === latest.checkpointId && c.kind === latest.kind))
      list.push(latest);
    return list.sort((a, b) => a.checkpointId - b.checkpointId);
  }

  async listCheckpoints(): Promise<CheckpointListing> {
    const cluster = this.requireCluster();
    return {
      storage: cluster.checkpointStorage.name,
      durable: cluster.checkpointStorage.durable,
      stored: this.restorable().map((c) => ({
        checkpointId: c.checkpointId,
        kind: c.kind,
        triggerTime: c.triggerTime,
        completionTime: c.completionTime,
        bytes: c.stats.fullBytes,
      })),
      history: cluster.coordinator.history,
    };
  }

  async exportSnapshot(checkpointId?: number): Promise<ExportResult> {
    const all = this.restorable();
    const cp =
      checkpointId === undefined ? all[all.length - 1] : all.find((c) => c.checkpointId === checkpointId);
    if (!cp)
      return {
        ok: false,
        error:
          checkpointId === undefined
            ? msg('export.none-yet')
            : msg('export.not-retained', {
                id: checkpointId,
                retained: all.map((c) => c.checkpointId).join(', ') || msg('snapshot.none'),
              }),
      };
    try {
      return {
        ok: true,
        fileName: `${cp.jobName}-${cp.kind}-${cp.checkpointId}.json`,
        text: snapshotToText(cp),
      };
    } catch (e) {
      return { ok: false, error: messageOf(e) };
    }
  }

  /**
   * Validates the file against the loaded job; if valid, replaces the engine by one restored from it
   * (as `flink run -s`), and makes it the job's restore point in IndexedDB. An invalid file changes nothing.
   */
  async importSnapshot(text: string): Promise<ImportResult> {
    const result = await this.restoreFromSnapshot(text);
    // A refused import is what a lesson's type-check step reads (`import-refused`).
    if (!result.ok) this.lessonChecks.importRefused(result.errors);
    return result;
  }

  private async restoreFromSnapshot(text: string): Promise<ImportResult> {
    const cluster = this.requireCluster();
    const options = this.options as LoadOptions;
    const storage = await this.openStorage();
    await storage.flush();
    const job = this.buildJob(options);
    const result = fromSnapshotJson(text, job);
    if (!result.ok) return { ok: false, errors: result.errors };
    const checkpoint: CompletedCheckpoint = { ...result.checkpoint, jobName: job.name };
    const incarnation = (this.record?.incarnation ?? 0) + 1;
    this.resetFrame();
    let next: Cluster;
    try {
      next = this.newCluster(job, options.seed, incarnation, cluster.now, checkpoint);
    } catch (e) {
      return { ok: false, errors: [{ path: '', message: messageOf(e) }] };
    }
    if (job.stateBackend.checkpointStorage !== 'jobmanager') {
      // The imported snapshot is now this job's restore point: a crash restores from it, not from the old run.
      await storage.discardCheckpoints(job.name);
      const stored = await new Promise<Error | null>((resolve) =>
        storage.store({ ...checkpoint, kind: 'checkpoint' }, resolve),
      );
      if (stored)
        return {
          ok: false,
          errors: [{ path: '', message: msg('snapshot.store-failed', { error: messageOf(stored) }) }],
        };
    }
    this.cluster = next;
    this.job = job;
    this.playing = false;
    this.history = { base: checkpoint, startTime: cluster.now, incarnation };
    this.resetTimeline(next.now);
    this.record = {
      ...(this.record as JobRecord),
      incarnation,
      lastSeenTime: next.now,
      updatedAt: Date.now(),
    };
    await storage.putJob(this.record);
    const info: LoadInfo = {
      ...(this.info as LoadInfo),
      tasks: taskInfos(next),
      channels: channelInfos(next),
      operators: this.operatorInfos(job),
      config: this.resolvedConfig(job),
      incarnation,
      now: next.now,
      recovery: {
        restoredFrom: checkpoint.checkpointId,
        reason: msg('recovery.imported', {
          kind: msg(`kind.${checkpoint.kind}`),
          id: checkpoint.checkpointId,
        }),
      },
    };
    this.info = info;
    this.lessonChecks.engineReplaced('import');
    return { ok: true, restoredFrom: checkpoint.checkpointId, load: info };
  }

  // ------------------------------------------------------------------ inspection

  async readState(
    operatorUid: string,
    stateName?: string,
    offset = 0,
    limit = 100,
    search?: string,
    subtask?: number,
  ): Promise<StatePage> {
    const cluster = this.requireCluster();
    const tasks = cluster.tasks.filter((t) => t.vertex.uid === operatorUid && t.keyedBackend);
    const stateNames = [...new Set(tasks.flatMap((t) => t.keyedBackend?.stateNames() ?? []))].sort();
    const name = stateName ?? stateNames[0] ?? '';
    const match = keyFilter(search);
    const rows: StatePage['rows'] = [];
    const timerRows: NonNullable<StatePage['windowTimers']>['rows'] = [];
    for (const t of tasks) {
      if (subtask !== undefined && t.subtaskIndex !== subtask) continue;
      for (const [key, value, ns] of t.keyedBackend?.entries(name) ?? [])
        if (match(key))
          rows.push(
            ns === undefined
              ? { key, value: plain(value), subtask: t.subtaskIndex }
              : { key, value: plain(value), subtask: t.subtaskIndex, window: describeNamespace(ns) },
          );
      for (const timer of t.timerService?.snapshot() ?? [])
        if (timer.namespace !== undefined && match(timer.key))
          timerRows.push({
            key: timer.key,
            window: describeNamespace(timer.namespace),
            timestamp: timer.timestamp,
            domain: timer.domain,
            subtask: t.subtaskIndex,
          });
    }
    // By key, then window start (a window's text sorts as its numbers would not).
    rows.sort((a, b) => compareKeys(a.key, b.key) || windowOrder(a.window, b.window));
    timerRows.sort((a, b) => a.timestamp - b.timestamp || compareKeys(a.key, b.key));
    return {
      operatorUid,
      stateName: name,
      stateNames,
      total: rows.length,
      offset,
      rows: page(rows, offset, limit),
      ...(timerRows.length > 0
        ? { windowTimers: { total: timerRows.length, rows: timerRows.slice(0, limit) } }
        : {}),
    };
  }

  /** The keyed state now against a retained checkpoint: what a restore from it would bring back. */
  async stateDiff(
    operatorUid: string,
    stateName: string,
    checkpointId: number,
    offset = 0,
    limit = 100,
    search?: string,
  ): Promise<StateDiffPage> {
    const cluster = this.requireCluster();
    const cp = this.restorable().find((c) => c.checkpointId === checkpointId);
    if (!cp) throw new Error(`checkpoint ${checkpointId} is not retained`);
    const match = keyFilter(search);
    type Side = { subtask: number; value: unknown; window?: string };
    // Window state: one row per (key, window).
    const idOf = (key: unknown, ns: string | undefined) =>
      ns === undefined ? JSON.stringify(key) : `${JSON.stringify(key)} ${ns}`;
    const win = (ns: string | undefined) => (ns === undefined ? {} : { window: describeNamespace(ns) });
    const before = new Map<string, { key: unknown } & Side>();
    const op = toSnapshotJson(cp).operators.find((o) => o.uid === operatorUid);
    op?.subtasks.forEach((st, index) => {
      const state = st.keyedState.find((k) => k.name === stateName);
      for (const e of state?.entries ?? []) {
        if (!match(e.key)) continue;
        // TTL state is stored with its last-access time: compare the user's values.
        const value = state?.ttl ? unwrapTtl(e.value) : e.value;
        before.set(idOf(e.key, e.namespace), { key: e.key, subtask: index, value, ...win(e.namespace) });
      }
    });
    const now = new Map<string, { key: unknown } & Side>();
    for (const t of cluster.tasks)
      if (t.vertex.uid === operatorUid)
        for (const [key, value, ns] of t.keyedBackend?.entries(stateName) ?? [])
          if (match(key))
            now.set(idOf(key, ns), { key, subtask: t.subtaskIndex, value: plain(value), ...win(ns) });
    const counts: Record<StateChange, number> = { same: 0, changed: 0, added: 0, removed: 0 };
    const rows: StateDiffPage['rows'] = [];
    for (const id of new Set([...before.keys(), ...now.keys()])) {
      const b = before.get(id);
      const c = now.get(id);
      const change: StateChange = !b
        ? 'added'
        : !c
          ? 'removed'
          : JSON.stringify(b.value) === JSON.stringify(c.value)
            ? 'same'
            : 'changed';
      counts[change]++;
      rows.push({
        key: (c ?? b)!.key,
        subtask: (c ?? b)!.subtask,
        current: c ? c.value : null,
        checkpoint: b ? b.value : null,
        change,
        ...((c ?? b)!.window !== undefined ? { window: (c ?? b)!.window } : {}),
      });
    }
    // Differences first: that is what the learner is looking for.
    const order: Record<StateChange, number> = { changed: 0, added: 1, removed: 2, same: 3 };
    rows.sort((a, b) => order[a.change] - order[b.change] || compareKeys(a.key, b.key));
    return {
      operatorUid,
      stateName,
      checkpointId,
      total: rows.length,
      offset,
      counts,
      rows: page(rows, offset, limit),
    };
  }

  async sourceOffsets(): Promise<Record<string, Array<{ partition: number; offset: number }>>> {
    return this.requireCluster().sourceOffsets();
  }

  async broadcastState(): Promise<BroadcastStateView> {
    return plain(this.requireCluster().broadcastStateByOperator()) as BroadcastStateView;
  }

  async listScenarios(): Promise<ScenarioInfo[]> {
    return allScenarios().map((s) => ({ name: s.name, description: s.description }));
  }

  async setProcessingTime(operatorUid: string, ms: number): Promise<void> {
    const cluster = this.requireCluster();
    if (!cluster.job.vertices.some((v) => v.uid === operatorUid))
      throw new Error(`no operator with uid '${operatorUid}'`);
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new Error(`processing time must be ≥ 0 ms, got ${ms}`);
    this.act({ type: 'processing-time', uid: operatorUid, ms });
    if (this.info)
      this.info = {
        ...this.info,
        operators: this.info.operators.map((o) =>
          o.uid === operatorUid ? { ...o, processingTimeMs: ms } : o,
        ),
      };
  }

  /**
   * What an outside reader of the sinks' external systems sees, and the exactly-once checker: the
   * visible rows against those of a failure-free run of the same job, seed and configuration.
   */
  async sinkReport(limit = 200): Promise<SinkReport> {
    const cluster = this.requireCluster();
    const reference = this.referenceOutput();
    const finished = cluster.jobStatus === 'FAILED' || cluster.isFinished();
    const seen = new Map<string, number>();
    const sinks: SinkInfo[] = [];
    const upsertSinks = new Set(
      cluster.job.vertices
        .filter((v) => v.spec.kind === 'sink' && v.spec.sink.sinkKind === 'idempotent-upsert')
        .map((v) => v.uid),
    );
    for (const v of cluster.job.vertices) {
      if (v.spec.kind !== 'sink') continue;
      const table = cluster.external.tables.get(v.uid);
      const kind = v.spec.sink.sinkKind;
      const visibleValues = cluster.external.committedValues(v.uid);
      const visibleCount = new Map<string, number>();
      for (const value of visibleValues) {
        const k = `${v.uid}|${JSON.stringify(plain(value))}`;
        seen.set(k, (seen.get(k) ?? 0) + 1);
        visibleCount.set(k, (visibleCount.get(k) ?? 0) + 1);
      }
      // Row flags, walking the written rows in order: the n-th visible copy of a value beyond the reference's count is a duplicate.
      const running = new Map<string, number>();
      const rows = (table?.written ?? []).map((r, i) => {
        const k = `${v.uid}|${JSON.stringify(plain(r.value))}`;
        const visible =
          kind === 'non-transactional'
            ? true
            : kind === 'two-phase-commit'
              ? r.txn !== undefined && table!.committedTransactions.has(r.txn)
              : table!.upserts.get(v.spec.kind === 'sink' ? upsertKeyOf(v.spec.sink, r.value) : '') === i;
        let duplicate = false;
        const expected = reference.counts.get(k) ?? 0;
        // An upsert table holds one row per key: a replayed write replaces, it never duplicates.
        if (visible && kind !== 'idempotent-upsert') {
          const n = (running.get(k) ?? 0) + 1;
          running.set(k, n);
          duplicate = n > expected;
        }
        return {
          time: r.time,
          value: plain(r.value),
          txn: r.txn ?? null,
          visible,
          duplicate,
          ...(duplicate ? { issue: rowIssue(expected) } : {}),
        };
      });
      sinks.push({
        uid: v.uid,
        name: v.name,
        kind,
        written: table?.written.length ?? 0,
        visible: visibleValues.length,
        openTransactions: table?.openTransactions.size ?? 0,
        abortedTransactions: table?.abortedTransactions.size ?? 0,
        rows: rows.slice(-Math.max(0, limit)),
      });
    }
    const duplicates: ExactlyOnceCheck['duplicates'] = [];
    for (const [k, n] of seen) {
      const expected = reference.counts.get(k) ?? 0;
      // Upsert rows are judged only at the end (missing below): mid-run, a key's row is just not final yet.
      if (upsertSinks.has(k.slice(0, k.indexOf('|')))) continue;
      if (n > expected)
        duplicates.push({ value: JSON.parse(k.slice(k.indexOf('|') + 1)), seen: n, expected });
    }
    // Losses are only certain once the run is over, and only when the external system saw the whole
    // run (after an engine crash its earlier rows were in the dead worker).
    let missing: ExactlyOnceCheck['missing'] = null;
    if (finished && !this.history?.base) {
      missing = [];
      for (const [k, expected] of reference.counts) {
        const n = seen.get(k) ?? 0;
        if (n < expected) missing.push({ value: JSON.parse(k.slice(k.indexOf('|') + 1)), seen: n, expected });
      }
    }
    const lost = (missing?.length ?? 0) > 0;
    const verdict: ExactlyOnceCheck['verdict'] =
      duplicates.length && lost
        ? 'duplicates-and-losses'
        : duplicates.length
          ? 'duplicates'
          : lost
            ? 'losses'
            : missing
              ? 'exactly-once'
              : 'so-far-so-good';
    return {
      sinks,
      finished,
      check: {
        referenceRows: reference.rows,
        visibleRows: [...seen.values()].reduce((a, b) => a + b, 0),
        duplicates: duplicates.slice(0, 200),
        ...(({ repeated, overCounts }) => ({
          repeated: repeated.slice(0, 200),
          overCounts: overCounts.slice(0, 200),
        }))(splitDuplicates(duplicates)),
        missing: missing?.slice(0, 200) ?? null,
        verdict,
      },
    };
  }

  /** The same job, seed and configuration run to the end without failures (in memory, fast-forward). */
  private referenceOutput(): { counts: Map<string, number>; rows: number } {
    if (this.reference) return this.reference;
    const options = this.options as LoadOptions;
    const job = this.buildJob(options);
    const ref = new MiniCluster(job, {
      seed: options.seed,
      checkpointStorage: new InMemoryCheckpointStorage('reference run', false),
      external: new ExternalSystem(),
      fastForward: true,
    });
    ref.runToCompletion();
    const counts = new Map<string, number>();
    let rows = 0;
    for (const v of job.vertices) {
      if (v.spec.kind !== 'sink') continue;
      for (const value of ref.external.committedValues(v.uid)) {
        const k = `${v.uid}|${JSON.stringify(plain(value))}`;
        counts.set(k, (counts.get(k) ?? 0) + 1);
        rows++;
      }
    }
    this.reference = { counts, rows };
    return this.reference;
  }

  async inspect() {
    const cluster = this.requireCluster();
    return { now: cluster.now, state: cluster.keyedStateByOperator(), offsets: cluster.sourceOffsets() };
  }

  async onStorageEvent(listener: (event: StorageWriteEvent) => unknown): Promise<void> {
    this.listeners.push(listener);
  }

  // ------------------------------------------------------------------ lesson checks

  async setLessonCheck(spec: LessonCheckSpec | null): Promise<LessonVerdict | null> {
    return this.lessonChecks.set(spec);
  }

  async answerLessonPrediction(): Promise<LessonVerdict | null> {
    return this.lessonChecks.answer();
  }

  async pauseWhen(check: Check | null): Promise<LessonVerdict | null> {
    return this.lessonChecks.pauseWhen(check);
  }

  // ------------------------------------------------------------------ learner progress (lessons)

  async listProgress(): Promise<LessonProgress[]> {
    const records = await (await this.openStorage()).listProgress();
    return records.flatMap((r) => {
      const p = r as Partial<LessonProgress>;
      if (typeof p.id !== 'string' || !Array.isArray(p.stepsDone)) return [];
      return [
        {
          id: p.id,
          stepsDone: p.stepsDone.filter((s): s is string => typeof s === 'string'),
          completed: p.completed === true,
          lastStep: typeof p.lastStep === 'number' ? p.lastStep : 1,
          updatedAt: typeof p.updatedAt === 'number' ? p.updatedAt : 0,
        },
      ];
    });
  }

  async putProgress(record: LessonProgress): Promise<void> {
    await (await this.openStorage()).putProgress({ ...record, stepsDone: [...record.stepsDone] });
  }

  // ------------------------------------------------------------------ experiments (fast-forward sweeps)

  async listExperiments(): Promise<ExperimentInfo[]> {
    return listExperiments();
  }

  /**
   * Runs an experiment in slices of `experimentSliceMs` real ms; between slices it waits for a
   * macrotask, so the worker answers other calls meanwhile (`cancelExperiment`, frames, listings).
   * Progress goes to `onProgress` at most every `experimentProgressIntervalMs` (the latest figure of
   * the interval), and once more at the end.
   */
  async runExperiment(
    id: string,
    params: ParameterValues = {},
    onProgress?: (progress: ExperimentProgress) => unknown,
  ): Promise<ExperimentOutcome> {
    const exp = getExperiment(id);
    const sliceMs = this.hostOptions.experimentSliceMs ?? 20;
    const intervalMs = this.hostOptions.experimentProgressIntervalMs ?? EXPERIMENT_PROGRESS_INTERVAL_MS;
    const run: ExperimentRun = { id, cancelled: false, done: Promise.resolve() };
    const previous = this.experimentRun;
    this.experimentRun = run;
    if (previous) {
      previous.cancelled = true;
      await previous.done.catch(() => {});
    }
    if (run.cancelled) {
      if (this.experimentRun === run) this.experimentRun = null;
      return { status: 'cancelled', experimentId: id };
    }
    const started = this.clock();
    // `now` is the time the throttle judged by, so reports are at least `intervalMs` apart by construction.
    const report = (fraction: number, label: string, now = this.clock()): void => {
      if (!onProgress) return;
      const progress = { experimentId: id, fraction, label, elapsedMs: now - started };
      try {
        // A comlink proxy returns a promise; a listener that went away must not stop the run.
        void Promise.resolve(onProgress(progress)).catch(() => {});
      } catch {
        // ignored, as above
      }
    };
    let lastReport = -Infinity;
    let sliceStart = started;
    const running = exp.runAsync(params, {
      onProgress: (fraction, label) => {
        const now = this.clock();
        if (now - lastReport < intervalMs) return;
        lastReport = now;
        report(fraction, label, now);
      },
      isCancelled: () => run.cancelled,
      yieldToHost: async () => {
        if (this.clock() - sliceStart < sliceMs) return;
        await nextMacrotask();
        sliceStart = this.clock();
      },
    });
    run.done = running;
    try {
      const result = await running;
      const assessment = exp.assessShape(result);
      report(1, 'done');
      return {
        status: 'completed',
        result,
        assessment,
        csv: resultToCsv(result),
        json: resultToJson(result, assessment),
        wallMs: this.clock() - started,
      };
    } catch (e) {
      if (e instanceof ExperimentCancelled) return { status: 'cancelled', experimentId: id };
      throw e;
    } finally {
      if (this.experimentRun === run) this.experimentRun = null;
    }
  }

  async setPauseOnFailure(on: boolean): Promise<void> {
    this.pauseOnFailure = on;
  }

  async engineTaskStatuses(): Promise<
    Array<{ id: string; status: string; phase: ReturnType<typeof taskPhases>[number] }>
  > {
    const cluster = this.requireCluster();
    const phases = taskPhases(cluster);
    return cluster.tasks.map((t, i) => ({ id: t.id, status: t.status, phase: phases[i] }));
  }

  async cancelExperiment(): Promise<boolean> {
    const run = this.experimentRun;
    if (!run || run.cancelled) return false;
    run.cancelled = true;
    return true;
  }
}

function placementOf(cluster: Cluster, taskId: string): [number, number] | null {
  const p = cluster.placement(taskId);
  return p ? [Number(p.taskManager.slice('taskmanager-'.length)), p.slot] : null;
}

/** `[start, end)` windows by start, then end; VoidNamespace (undefined) first. */
function windowOrder(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  const na = /^\[(-?\d+), (-?\d+)\)$/.exec(a);
  const nb = /^\[(-?\d+), (-?\d+)\)$/.exec(b);
  if (na && nb) return Number(na[1]) - Number(nb[1]) || Number(na[2]) - Number(nb[2]);
  return a < b ? -1 : 1;
}
