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
  javaHashCode,
  MiniCluster,
  RECORD_LEVEL_EVENTS,
  fromSnapshotJson,
  snapshotToText,
  stateBackendByName,
  type CompletedCheckpoint,
  type JobGraph,
  type Key,
  type TraceEvent,
} from '../engine/index';
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
  type ExportResult,
  type FrameUpdate,
  type ImportResult,
  type LoadInfo,
  type LoadOptions,
  type Recovery,
  type StartInfo,
  type StatePage,
  type StepKind,
} from './protocol';

export const MEMORY_BACKEND_REASON =
  'memory backend keeps checkpoints in the JobManager (lost with the worker)';

const BARRIER_EVENT =
  /^(barrier-|checkpoint-|alignment-|channel-(un)?blocked|channel-state-recorded|snapshot-taken|sources-)/;

export interface EngineHostOptions {
  openStorage(options: IndexedDbStorageOptions): Promise<IndexedDbCheckpointStorage>;
  /** Real time in ms (performance.now). */
  clock?: () => number;
  /** Real time a frame may spend running the engine; the rest of its slice waits for the next frame. */
  frameBudgetMs?: number;
}

type Cluster = MiniCluster;
type ChannelOf = Cluster['channels'][number];

function backendOf(job: JobGraph): BackendName {
  if (job.stateBackend.checkpointStorage === 'jobmanager') return 'memory';
  return job.stateBackend.legacyName === 'FsStateBackend' ? 'fs' : 'hashmap';
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
  private record: JobRecord | null = null;
  private info: LoadInfo | null = null;
  private playing = false;
  private speed = 1000;
  private frameNo = 0;
  private events: TraceEvent[] = [];
  private counts: Record<string, number> = {};
  private recordEvents = 0;
  private dropped = 0;
  private sendTimes = new Map<number, number>();
  private checkpointCompleted = false;
  private readonly listeners: Array<(event: StorageWriteEvent) => unknown> = [];
  private readonly clock: () => number;
  private readonly frameBudgetMs: number;

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

  async start(): Promise<StartInfo> {
    const storage = await this.openStorage();
    const removed = storage.openReport.removedPending.map((p) => p.checkpointId);
    const running = await storage.runningJob();
    if (!running) return { recovered: false, load: null, removedPendingCheckpoints: removed };
    const load = await this.loadJob(running.config as unknown as LoadOptions, running);
    return { recovered: true, load, removedPendingCheckpoints: removed };
  }

  load(options: LoadOptions): Promise<LoadInfo> {
    return this.loadJob(options, null);
  }

  private buildJob(options: LoadOptions): JobGraph {
    let job = getScenario(options.scenario).build({
      mode: options.mode,
      checkpointIntervalMs: options.intervalMs,
    });
    if (options.backend && options.backend !== backendOf(job))
      job = { ...job, stateBackend: stateBackendByName(options.backend).config };
    return job;
  }

  private async loadJob(options: LoadOptions, recover: JobRecord | null): Promise<LoadInfo> {
    const storage = await this.openStorage();
    await storage.flush();
    if (this.record && this.record.jobName !== recover?.jobName) await this.markStopped();
    this.playing = false;
    this.speed = options.speed ?? this.speed;
    storage.pauseBetweenTransactionsMs = options.pauseBetweenTransactionsMs ?? 0;
    const job = this.buildJob(options);
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
        reason: recover || !fresh ? MEMORY_BACKEND_REASON : 'a new run: started from scratch',
      };
    else if (latest)
      recovery = {
        restoredFrom: latest.checkpointId,
        reason: `restored from checkpoint ${latest.checkpointId} in IndexedDB`,
      };
    else
      recovery = {
        restoredFrom: null,
        reason: fresh
          ? 'a new run: started from scratch'
          : 'no completed checkpoint in IndexedDB yet: started from scratch',
      };
    const startTime =
      recover || !fresh ? Math.max(previous?.lastSeenTime ?? 0, latest?.completionTime ?? 0) : 0;

    this.resetFrame();
    let cluster: Cluster;
    try {
      cluster = this.newCluster(job, options.seed, incarnation, startTime, undefined);
    } catch (e) {
      // A stored checkpoint this build cannot restore (e.g. the job changed): say so, start over.
      await storage.discardCheckpoints(job.name);
      recovery = {
        restoredFrom: null,
        reason: `the stored checkpoint ${latest?.checkpointId ?? ''} cannot be restored (${(e as Error).message}): started from scratch`,
      };
      this.resetFrame();
      cluster = this.newCluster(job, options.seed, incarnation, startTime, undefined);
    }
    this.cluster = cluster;
    this.job = job;
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
      tasks: cluster.tasks.map((t) => ({
        id: t.id,
        operatorUid: t.vertex.uid,
        operatorName: t.vertex.name,
        subtaskIndex: t.subtaskIndex,
        parallelism: t.vertex.parallelism,
      })),
      channels: cluster.channels.map((c) => ({ id: c.id, from: c.from.id, to: c.to.id })),
      recovery,
    };
    return this.info;
  }

  private newCluster(
    job: JobGraph,
    seed: number,
    incarnation: number,
    startTime: number,
    restoreFrom: CompletedCheckpoint | undefined,
  ): Cluster {
    return new MiniCluster(job, {
      seed: seed + incarnation * 7919,
      checkpointStorage: this.storage as IndexedDbCheckpointStorage,
      external: new ExternalSystem(),
      trace: (e) => this.onTrace(e),
      fastForward: false,
      startTime,
      incarnation,
      restoreFrom,
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
      await this.advance(cluster, cluster.now + slice);
      if (cluster.jobStatus === 'FAILED' || cluster.isFinished()) this.playing = false;
    }
    return this.collect();
  }

  async step(kind: StepKind): Promise<FrameUpdate> {
    const cluster = this.cluster;
    if (!cluster) return this.collect();
    this.playing = false;
    if (kind === 'event') {
      if (cluster.step()) await this.afterStep();
    } else {
      const seen = () => this.events.some((e) => BARRIER_EVENT.test(e.type));
      for (let i = 0; i < 200_000 && !seen(); i++) {
        if (!cluster.step()) break;
        await this.afterStep();
        if (this.cluster !== cluster) break;
      }
    }
    return this.collect();
  }

  /** Runs the engine up to virtual time `target`, or until this frame's real-time budget is spent. */
  private async advance(cluster: Cluster, target: number): Promise<void> {
    const deadline = this.clock() + this.frameBudgetMs;
    let steps = 0;
    while (cluster.nextEventTime() <= target) {
      cluster.step();
      await this.afterStep();
      if (this.cluster !== cluster) return;
      if (++steps % 32 === 0 && this.clock() > deadline) return; // too much for one frame: continue next frame
    }
    cluster.runUntil(target);
  }

  /** The engine waits for IndexedDB: no step while a checkpoint write is in progress. */
  private async afterStep(): Promise<void> {
    const storage = this.storage;
    if (storage && storage.pendingWrites > 0) await storage.flush();
    if (this.checkpointCompleted && this.record && this.cluster && storage) {
      this.checkpointCompleted = false;
      this.record = { ...this.record, lastSeenTime: this.cluster.now, updatedAt: Date.now() };
      await storage.putJob(this.record);
    }
  }

  private onTrace(e: TraceEvent): void {
    this.counts[e.type] = (this.counts[e.type] ?? 0) + 1;
    if (e.type === 'record-sent' || e.type === 'barrier-sent') this.sendTimes.set(e.id, e.t);
    if (e.type === 'checkpoint-completed') this.checkpointCompleted = true;
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
    const storage = this.storage;
    const update: FrameUpdate = {
      frame: this.frameNo++,
      now: cluster?.now ?? 0,
      playing: this.playing,
      jobStatus: cluster?.jobStatus ?? 'NONE',
      events: this.events,
      eventCounts: this.counts,
      droppedEvents: this.dropped,
      taskStatuses: cluster ? cluster.tasks.map((t) => t.status) : [],
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
      if ('checkpointId' in el) {
        kind = queued
          ? IN_FLIGHT_KIND.queuedBarrier
          : el.priority
            ? IN_FLIGHT_KIND.priorityBarrier
            : IN_FLIGHT_KIND.barrier;
        tag = el.checkpointId;
      } else if ('key' in el) {
        kind = queued ? IN_FLIGHT_KIND.queuedRecord : IN_FLIGHT_KIND.record;
        tag = el.key === null ? Number.NaN : javaHashCode(el.key as Key);
      } else {
        kind = queued ? IN_FLIGHT_KIND.queuedWatermark : IN_FLIGHT_KIND.watermark;
        tag = el.timestamp;
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
    cluster.scheduleTaskFailure(taskId, cluster.now, 'failure injected by the learner');
  }

  async injectPoisonRecord(sourceUid?: string, partition = 0): Promise<void> {
    const cluster = this.requireCluster();
    const uid = sourceUid ?? cluster.job.vertices.find((v) => v.spec.kind === 'source')?.uid;
    if (!uid) throw new Error('the job has no source');
    cluster.injectPoisonRecord(uid, partition);
  }

  async injectStorageFault(kind: StorageFault, count = 1): Promise<void> {
    const cluster = this.requireCluster();
    if (!cluster.checkpointStorage.durable)
      throw new Error(
        `${MEMORY_BACKEND_REASON}: nothing is written to IndexedDB, so there is no storage to fail`,
      );
    (await this.openStorage()).injectFault(kind, count);
  }

  async triggerCheckpoint(kind: 'checkpoint' | 'savepoint' = 'checkpoint'): Promise<number | null> {
    const cluster = this.requireCluster();
    return cluster.coordinator.triggerCheckpoint(cluster.now, kind);
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
            ? 'no completed checkpoint yet'
            : `checkpoint ${checkpointId} is not retained (retained: ${all.map((c) => c.checkpointId).join(', ') || 'none'})`,
      };
    try {
      return {
        ok: true,
        fileName: `${cp.jobName}-${cp.kind}-${cp.checkpointId}.json`,
        text: snapshotToText(cp),
      };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  }

  /**
   * Validates the file against the loaded job; if valid, replaces the engine by one restored from it
   * (as `flink run -s`), and makes it the job's restore point in IndexedDB. An invalid file changes nothing.
   */
  async importSnapshot(text: string): Promise<ImportResult> {
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
      return { ok: false, errors: [{ path: '', message: (e as Error).message }] };
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
          errors: [{ path: '', message: `storing the snapshot failed: ${stored.message}` }],
        };
    }
    this.cluster = next;
    this.job = job;
    this.playing = false;
    this.record = {
      ...(this.record as JobRecord),
      incarnation,
      lastSeenTime: next.now,
      updatedAt: Date.now(),
    };
    await storage.putJob(this.record);
    const info: LoadInfo = {
      ...(this.info as LoadInfo),
      incarnation,
      now: next.now,
      recovery: {
        restoredFrom: checkpoint.checkpointId,
        reason: `restored from an imported ${checkpoint.kind} (${checkpoint.checkpointId})`,
      },
    };
    this.info = info;
    return { ok: true, restoredFrom: checkpoint.checkpointId, load: info };
  }

  // ------------------------------------------------------------------ inspection

  async readState(operatorUid: string, stateName?: string, offset = 0, limit = 100): Promise<StatePage> {
    const cluster = this.requireCluster();
    const tasks = cluster.tasks.filter((t) => t.vertex.uid === operatorUid && t.keyedBackend);
    const stateNames = [...new Set(tasks.flatMap((t) => t.keyedBackend?.stateNames() ?? []))].sort();
    const name = stateName ?? stateNames[0] ?? '';
    const rows: StatePage['rows'] = [];
    for (const t of tasks)
      for (const [key, value] of t.keyedBackend?.entries(name) ?? [])
        rows.push({ key, value, subtask: t.subtaskIndex });
    rows.sort((a, b) => compareKeys(a.key, b.key));
    return {
      operatorUid,
      stateName: name,
      stateNames,
      total: rows.length,
      offset,
      rows: rows.slice(Math.max(0, offset), Math.max(0, offset) + Math.max(0, limit)),
    };
  }

  async inspect() {
    const cluster = this.requireCluster();
    return { now: cluster.now, state: cluster.keyedStateByOperator(), offsets: cluster.sourceOffsets() };
  }

  async onStorageEvent(listener: (event: StorageWriteEvent) => unknown): Promise<void> {
    this.listeners.push(listener);
  }
}
