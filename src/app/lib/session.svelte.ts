/**
 * The UI's one connection to the engine worker, as reactive state. Components read its fields and
 * call its methods; none of them talks to the worker directly, and none simulates anything: every
 * number shown comes from the engine's reports (FrameUpdate, listings, pages).
 *
 * Worker traffic: one `frame()` request per animation frame while playing (FrameLoop); everything
 * else is asked for when the user acts, or when a frame's events say it changed (a checkpoint
 * completed -> refresh the checkpoint listing once, not per event).
 */
/* eslint-disable svelte/prefer-svelte-reactivity -- `flashes` is a $state.raw Map replaced whole, never mutated once published */
import { msg, type Message } from '../../engine/messages/Message';
import type { Remote } from 'comlink';
import type { TraceEvent } from '../../engine/index';
import type { StorageFault, StorageWriteEvent } from '../../storage/index';
import {
  EngineHangError,
  FrameLoop,
  startEngineWorker,
  withWatchdog,
  type EngineWorker,
} from '../../worker/client';
import type {
  CheckpointListing,
  EngineWorkerApi,
  ExportResult,
  FrameUpdate,
  ImportResult,
  LessonProgress,
  LoadInfo,
  LoadOptions,
  ScenarioInfo,
  SinkReport,
  StateDiffPage,
  StatePage,
  StepKind,
  TimelineInfo,
  BroadcastStateView,
  UserJobLoadResult,
  UserJobSource,
  SqlJobSource,
  SqlLoadResult,
} from '../../worker/protocol';

/** Events worth keeping in the run's log (the record-level ones are only animated). */
const NOTABLE =
  /^(checkpoint-|task-failed|job-|task-restored|engine-|alignment-aborted|transaction-aborted|sources-)/;
const LOG_LIMIT = 400;
const UI_RECORD_EVENTS_PER_FRAME = 400;
const FLASH_MS = 900;
/**
 * How long the page waits for the worker while a user job (the editor's) loads or runs before it
 * terminates the worker and starts a new one. The worker's loop guard stops a looping user function
 * after about 2 s; this is the backstop for what the guard cannot see.
 */
export const WATCHDOG_MS = 6000;

export interface LogEntry {
  seq: number;
  event: TraceEvent;
  /** After scrubbing back: an event of the run's future (shown greyed until the replay reaches it again). */
  future?: boolean;
}

export type SessionStatus = 'starting' | 'ready' | 'crashed' | 'error';

/** How a job came to be loaded: by `loadScenario`, recovered by a new worker, or restored from a snapshot. */
export type LoadCause = 'load' | 'recovered' | 'imported';
export type FrameListener = (update: FrameUpdate) => void;
export type LoadListener = (info: LoadInfo, cause: LoadCause) => void;

export class Session {
  status = $state<SessionStatus>('starting');
  error = $state<string | null>(null);
  /** What the app tells the learner about recovery (e.g. "restored from checkpoint 4 in IndexedDB"). */
  /** A one-line notice above the graph: an engine message (translated on the page) or an error's text. */
  notice = $state<Message | string | null>(null);
  scenarios = $state.raw<ScenarioInfo[]>([]);
  load = $state.raw<LoadInfo | null>(null);
  /** The latest frame: replaced whole every animation frame. */
  frame = $state.raw<FrameUpdate | null>(null);
  playing = $state(false);
  /** Virtual ms per real second. */
  speed = $state(1000);
  checkpoints = $state.raw<CheckpointListing | null>(null);
  timeline = $state.raw<TimelineInfo | null>(null);
  /** Notable events of the run (checkpoints, failures, restores), newest last. */
  log = $state.raw<LogEntry[]>([]);
  /** Bumped whenever keyed state may have changed: inspectors re-read their page. */
  stateVersion = $state(0);
  /** Bumped whenever sink output may have changed. */
  sinkVersion = $state(0);
  /** `${operatorUid}|${stateName}|${JSON key}` -> real time (performance.now) of the last change, for flashing. */
  flashes = $state.raw<Map<string, number>>(new Map());
  storageEvents = $state.raw<StorageWriteEvent[]>([]);
  /** The options of the last `loadScenario` (a lesson merges its `configure` actions into them). */
  loadOptions = $state.raw<LoadOptions | null>(null);
  /** Why the engine is held (a lesson's prediction not answered yet): play, step and seek do nothing. */
  held = $state<string | null>(null);
  /** Playing stops at a failure and again once the restore is done (on in lessons; a toggle in the controls). */
  pauseOnFailure = $state(false);
  /** The restore summary the learner dismissed (its id): it stays hidden, a newer one shows. */
  dismissedRestore = $state(0);

  private readonly frameListeners = new Set<FrameListener>();
  private readonly loadListeners = new Set<LoadListener>();
  private engine: EngineWorker | null = null;
  private loop: FrameLoop | null = null;
  private seq = 0;

  get api(): Remote<EngineWorkerApi> {
    if (!this.engine) throw new Error('the engine worker is not running');
    return this.engine.api;
  }

  get now(): number {
    return this.frame?.now ?? this.load?.now ?? 0;
  }

  /** Starts the worker; it brings back a job that was running when the page was closed or the worker died. */
  async init(recover = true): Promise<void> {
    this.status = 'starting';
    try {
      const { engine, start } = await startEngineWorker((e) => this.onStorageEvent(e), { recover });
      this.engine = engine;
      this.loop = new FrameLoop(
        engine.api,
        (u) => this.applyFrame(u),
        (e) => (e instanceof EngineHangError ? undefined : this.fail(e)),
        (request) => this.watch(request),
      );
      // A lesson's own job (`lesson-<slug>`) is internal: its lesson loads it, the picker does not list it.
      this.scenarios = (await engine.api.listScenarios()).filter((s) => !s.name.startsWith('lesson-'));
      await engine.api.setPauseOnFailure(this.pauseOnFailure);
      this.status = 'ready';
      if (start.load) {
        this.adoptLoad(start.load, 'recovered');
        this.notice = start.load.recovery.reason;
        // The crash and the recovery at once (log, restore summary), not at the next Play.
        this.applyFrame(await engine.api.frame(0));
        await this.refresh();
      }
    } catch (e) {
      this.fail(e);
    }
  }

  async loadScenario(options: LoadOptions): Promise<LoadInfo> {
    this.stopLoop();
    const info = await this.api.load({
      // The UI needs record-level events only for flashes and lesson checks: fewer per frame keeps
      // the structured clone of each frame small (counts still include every event).
      maxRecordEventsPerFrame: UI_RECORD_EVENTS_PER_FRAME,
      ...options,
      speed: options.speed ?? this.speed,
    });
    this.loadOptions = options;
    this.adoptLoad(info, 'load');
    this.notice = null;
    await this.refresh();
    this.applyFrame(await this.api.frame(0));
    return info;
  }

  /**
   * The editor's Run: the worker compiles and builds the job file and loads it (user code never runs
   * on the page). A broken file changes nothing here and answers its diagnostics.
   */
  async loadJob(job: UserJobSource, seed = 1): Promise<UserJobLoadResult> {
    this.stopLoop();
    const options: LoadOptions = { scenario: job.fileName, seed, job };
    const result = await this.watch<UserJobLoadResult>(
      this.api.loadUserJob({
        maxRecordEventsPerFrame: UI_RECORD_EVENTS_PER_FRAME,
        ...options,
        job,
        speed: this.speed,
      }),
      true,
    );
    if (!result.ok) return result;
    this.loadOptions = options;
    this.adoptLoad(result.load, 'load');
    this.notice = null;
    await this.refresh();
    this.applyFrame(await this.api.frame(0));
    return result;
  }

  /**
   * The SQL page's Run: the worker runs the statements and loads the query as the job. A SQL error,
   * or a script without a query, changes nothing here (the running job stays).
   */
  async loadSql(sql: SqlJobSource, seed = 1): Promise<SqlLoadResult> {
    const options: LoadOptions = { scenario: 'sql', seed, sql };
    const result = await this.api.loadSql({
      maxRecordEventsPerFrame: UI_RECORD_EVENTS_PER_FRAME,
      ...options,
      sql,
      speed: this.speed,
    });
    if (!result.ok || !result.load) return result;
    this.stopLoop();
    this.loadOptions = options;
    this.adoptLoad(result.load, 'load');
    this.notice = null;
    await this.refresh();
    this.applyFrame(await this.api.frame(0));
    return result;
  }

  /** Guards a request while a user job is loaded (or being loaded): see WATCHDOG_MS. */
  private watch<T>(request: Promise<T>, userJob = this.loadOptions?.job !== undefined): Promise<T> {
    if (!userJob) return request;
    return withWatchdog(request, WATCHDOG_MS, () => void this.replaceHungWorker());
  }

  /** The worker stopped answering: kill it, start a new one that does not load the stuck job again. */
  private async replaceHungWorker(): Promise<void> {
    this.stopLoop();
    this.engine?.terminate();
    this.engine = null;
    this.frame = null;
    this.load = null;
    this.loadOptions = null;
    this.timeline = null;
    this.checkpoints = null;
    this.status = 'crashed';
    await this.init(false);
    this.notice = msg('editor.worker-hung', { seconds: WATCHDOG_MS / 1000 });
  }

  /** Calls `fn` with every FrameUpdate (played frames, steps, seeks); returns the unsubscribe. */
  onFrame(fn: FrameListener): () => void {
    this.frameListeners.add(fn);
    return () => this.frameListeners.delete(fn);
  }

  /** Calls `fn` whenever a job is loaded, recovered after a crash or restored from a snapshot. */
  onLoad(fn: LoadListener): () => void {
    this.loadListeners.add(fn);
    return () => this.loadListeners.delete(fn);
  }

  private adoptLoad(info: LoadInfo, cause: LoadCause): void {
    this.load = info;
    this.log = [];
    this.dismissedRestore = 0;
    this.flashes = new Map();
    this.storageEvents = [];
    this.playing = false;
    this.stateVersion++;
    this.sinkVersion++;
    for (const fn of this.loadListeners) fn(info, cause);
  }

  // ---------------------------------------------------------------- running

  async play(): Promise<void> {
    if (!this.load || this.held) return;
    await this.api.play();
    this.playing = true;
    this.loop?.start();
  }

  async pause(): Promise<void> {
    this.stopLoop();
    if (this.engine) await this.api.pause();
    await this.refresh();
  }

  togglePlay(): Promise<void> {
    return this.playing ? this.pause() : this.play();
  }

  /** The job ended: the same options again from the start, and play. */
  async rerun(): Promise<void> {
    if (!this.loadOptions || this.held) return;
    await this.loadScenario(this.loadOptions);
    await this.play();
  }

  async setPauseOnFailure(on: boolean): Promise<void> {
    this.pauseOnFailure = on;
    if (this.engine) await this.api.setPauseOnFailure(on);
  }

  async step(kind: StepKind = 'event'): Promise<void> {
    if (!this.load || this.held) return;
    this.stopLoop();
    this.applyFrame(await this.api.step(kind));
    await this.refresh();
  }

  /**
   * Runs the engine for one frame of `realMs` (at the current speed) and stops again: a lesson's
   * "Show me" plays in such slices, checking its goal between them as the headless driver does.
   */
  async playSlice(realMs: number): Promise<FrameUpdate | null> {
    if (!this.load || this.held) return null;
    this.stopLoop();
    await this.api.play();
    let update: FrameUpdate;
    try {
      update = await this.api.frame(realMs);
    } finally {
      await this.api.pause();
    }
    this.applyFrame(update);
    return update;
  }

  /** Scrubs the timeline: a deterministic replay to virtual time t. */
  async seek(t: number): Promise<void> {
    if (!this.load || this.held) return;
    this.stopLoop();
    this.flashes = new Map();
    const update = await this.api.seek(t);
    // Keep the past; what comes after the new moment is the future, greyed until the replay reaches it.
    this.log = this.log.map((l) => ({ ...l, future: l.event.t > update.now }));
    this.applyFrame(update);
    this.stateVersion++;
    this.sinkVersion++;
    await this.refresh();
  }

  async setSpeed(virtualMsPerSecond: number): Promise<void> {
    this.speed = virtualMsPerSecond;
    if (this.engine) await this.api.setSpeed(virtualMsPerSecond);
  }

  private stopLoop(): void {
    this.loop?.stop();
    this.playing = false;
  }

  // ---------------------------------------------------------------- failures

  async failTask(taskId: string): Promise<void> {
    await this.api.failTask(taskId);
    await this.afterAction();
  }

  /** Kills a TaskManager (`taskmanager-<n>`): every subtask in its slots fails at once. */
  async killTaskManager(id: string): Promise<void> {
    await this.api.killTaskManager(id);
    await this.afterAction();
  }

  async addTaskManager(): Promise<void> {
    await this.api.addTaskManager();
    await this.afterAction();
  }

  async poison(sourceUid?: string, partition?: number): Promise<void> {
    await this.api.injectPoisonRecord(sourceUid, partition);
    await this.afterAction();
  }

  async storageFault(kind: StorageFault, count = 1): Promise<void> {
    try {
      await this.api.injectStorageFault(kind, count);
    } catch (e) {
      this.notice = (e as Error).message;
    }
    await this.afterAction();
  }

  async setProcessingTime(operatorUid: string, ms: number): Promise<void> {
    await this.api.setProcessingTime(operatorUid, ms);
    await this.afterAction();
  }

  /**
   * An engine crash: the worker is terminated whatever it is doing; a new worker recovers the job
   * from IndexedDB (or, with the memory backend, cannot: the app says so).
   */
  async crashEngine(): Promise<void> {
    const wasPlaying = this.playing;
    this.stopLoop();
    this.engine?.terminate();
    this.engine = null;
    this.status = 'crashed';
    this.frame = null;
    await this.init();
    if (!this.load) this.notice = msg('recovery.no-job-after-crash');
    if (wasPlaying && this.load) await this.play();
  }

  // ---------------------------------------------------------------- checkpoints

  async triggerCheckpoint(kind: 'checkpoint' | 'savepoint' = 'checkpoint'): Promise<number | null> {
    const id = await this.api.triggerCheckpoint(kind);
    await this.afterAction();
    return id;
  }

  exportSnapshot(checkpointId?: number): Promise<ExportResult> {
    return this.api.exportSnapshot(checkpointId);
  }

  /** An invalid file changes nothing; a valid one restores the job from it. */
  async importSnapshot(text: string): Promise<ImportResult> {
    this.stopLoop();
    const result = await this.api.importSnapshot(text);
    if (result.ok) {
      this.adoptLoad(result.load, 'imported');
      this.notice = result.load.recovery.reason;
      this.applyFrame(await this.api.frame(0));
      await this.refresh();
    } else this.applyFrame(await this.api.frame(0)); // the lesson verdict on the refusal comes with it
    return result;
  }

  /** Restores the job from one of its retained checkpoints (export + import, as `flink run -s`). */
  async restoreFrom(checkpointId: number): Promise<ImportResult> {
    const exported = await this.exportSnapshot(checkpointId);
    if (!exported.ok) return { ok: false, errors: [{ path: '', message: exported.error }] };
    return this.importSnapshot(exported.text);
  }

  // ---------------------------------------------------------------- reading

  readState(
    operatorUid: string,
    stateName?: string,
    offset = 0,
    limit = 100,
    search?: string,
    subtask?: number,
  ): Promise<StatePage> {
    return this.api.readState(operatorUid, stateName, offset, limit, search, subtask);
  }

  stateDiff(
    operatorUid: string,
    stateName: string,
    checkpointId: number,
    offset = 0,
    limit = 100,
    search?: string,
  ): Promise<StateDiffPage> {
    return this.api.stateDiff(operatorUid, stateName, checkpointId, offset, limit, search);
  }

  sourceOffsets(): Promise<Record<string, Array<{ partition: number; offset: number }>>> {
    return this.api.sourceOffsets();
  }

  broadcastState(): Promise<BroadcastStateView> {
    return this.api.broadcastState();
  }

  sinkReport(limit = 200): Promise<SinkReport> {
    return this.api.sinkReport(limit);
  }

  /** The learner's lesson progress, kept in IndexedDB by the worker. */
  listProgress(): Promise<LessonProgress[]> {
    return this.api.listProgress();
  }

  putProgress(record: LessonProgress): Promise<void> {
    return this.api.putProgress(record);
  }

  /** Checkpoint listing and timeline, asked for once after something that may change them. */
  async refresh(): Promise<void> {
    if (!this.engine || !this.load) return;
    const [checkpoints, timeline] = await Promise.all([this.api.listCheckpoints(), this.api.timeline()]);
    this.checkpoints = checkpoints;
    this.timeline = timeline;
  }

  private async afterAction(): Promise<void> {
    // An action in the past forks a new future (the worker drops the recorded one): so does the log.
    if (this.log.some((l) => l.future)) this.log = this.log.filter((l) => !l.future);
    if (!this.playing) this.applyFrame(await this.api.frame(0));
    await this.refresh();
  }

  // ---------------------------------------------------------------- frames

  private applyFrame(update: FrameUpdate): void {
    this.frame = update;
    if (!update.playing && this.playing) {
      this.loop?.stop();
      this.playing = false;
    }
    let notable = false;
    let stateChanged = false;
    let sinkChanged = false;
    let flashes: Map<string, number> | null = null;
    const added: LogEntry[] = [];
    const tasks = this.load?.tasks ?? [];
    for (const e of update.events) {
      if (e.type === 'state-changed') {
        stateChanged = true;
        flashes ??= new Map(this.flashes);
        const uid = tasks.find((t) => t.id === e.task)?.operatorUid ?? e.task;
        flashes.set(`${uid}|${e.state}|${JSON.stringify(e.key)}`, performance.now());
      } else if (e.type === 'sink-written' || e.type.startsWith('transaction-')) sinkChanged = true;
      if (NOTABLE.test(e.type)) {
        added.push({ seq: this.seq++, event: e });
        if (e.type !== 'checkpoint-acknowledged') notable = true;
        if (e.type === 'task-restored' || e.type === 'engine-recovered') stateChanged = sinkChanged = true;
      }
    }
    // Record-level events beyond the per-frame cap are only counted: state may have changed unseen.
    if (update.droppedEvents > 0) stateChanged = sinkChanged = true;
    if (stateChanged) this.stateVersion++;
    if (sinkChanged) this.sinkVersion++;
    if (flashes) {
      const cutoff = performance.now() - FLASH_MS;
      for (const [k, at] of flashes) if (at < cutoff) flashes.delete(k);
      this.flashes = flashes;
    }
    // Replaying the greyed future: those events are happening again and come back in this frame.
    if (this.log.some((l) => l.future)) {
      const keep = this.log.filter((l) => !(l.future && l.event.t <= update.now));
      this.log = [...keep.filter((l) => !l.future), ...added, ...keep.filter((l) => l.future)].slice(
        -LOG_LIMIT,
      );
    } else if (added.length) this.log = [...this.log, ...added].slice(-LOG_LIMIT);
    if (notable) void this.refresh();
    for (const fn of this.frameListeners) fn(update);
  }

  private onStorageEvent(event: StorageWriteEvent): void {
    this.storageEvents = [...this.storageEvents, event].slice(-50);
  }

  private fail(e: unknown): void {
    this.stopLoop();
    this.status = 'error';
    this.error = e instanceof Error ? e.message : String(e);
  }
}

/** The app's session (one worker per page). */
export const session = new Session();

// Test hook: the e2e tests compare what the page shows with the engine itself (engineTaskStatuses).
if (typeof window !== 'undefined')
  (window as unknown as { __streamStateLab?: Session }).__streamStateLab = session;

export const FLASH_DURATION_MS = FLASH_MS;
