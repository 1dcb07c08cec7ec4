/**
 * What the UI and the engine worker say to each other (the worker is driven through comlink: the UI
 * calls these methods; each returns a promise). The engine runs only in the worker.
 *
 * Frames: the UI calls `frame(realMs)` once per animation frame; the worker runs the engine for that
 * frame's slice of virtual time (`realMs × speed / 1000`) and answers with ONE `FrameUpdate`: the
 * frame's trace events (record-level ones capped, the rest always), counts per event type, every
 * task's status, and the elements in flight as a transferred Float64Array. Never a message per record.
 */
import type {
  CheckpointingMode,
  CheckpointStats,
  Message,
  OperatorSpec,
  PlaygroundArguments,
  RestartStrategyConfig,
  SinkKind,
  TraceEvent,
} from '../engine/index';
import type { StorageFault, StorageWriteEvent } from '../storage/index';
import type { Check, CheckResult, LessonCheckSpec, LessonVerdict } from './lessonCheck';
import type { JobDiagnostic } from '../jobs/JobDiagnostic';
import type {
  ExperimentInfo,
  ExperimentResult,
  ParameterValues,
  ShapeAssessment,
} from '../engine/experiments/index';

export type { ExperimentInfo, ExperimentResult, ParameterValues, ShapeAssessment };
export type { Check, CheckResult, LessonCheckSpec, LessonVerdict };
/** An error in a job file at its `line:col` (src/jobs): syntax, type, build or runtime. */
export type { JobDiagnostic };

/** memory = JobManager storage (lost with the worker); fs / hashmap / rocksdb = IndexedDB (survives). */
export type BackendName = 'memory' | 'fs' | 'hashmap' | 'rocksdb';

/** Checkpoint settings beyond mode and interval (Flink's CheckpointConfig); unset = the scenario's. */
export interface CheckpointTuning {
  timeoutMs?: number;
  minPauseMs?: number;
  maxConcurrent?: number;
  tolerableFailed?: number;
  /** Unaligned mode: start aligned, switch to unaligned after this long (0 = always unaligned). */
  alignedTimeoutMs?: number;
  /** rocksdb only: incremental checkpoints. */
  incremental?: boolean;
}

/** Everything a run was configured with, resolved (the scenario's defaults filled in). */
export interface ResolvedConfig {
  mode: CheckpointingMode;
  /** null: checkpointing off. */
  intervalMs: number | null;
  timeoutMs: number;
  minPauseMs: number;
  maxConcurrent: number;
  tolerableFailed: number;
  alignedTimeoutMs: number;
  incremental: boolean;
  backend: BackendName;
  restartStrategy: RestartStrategyConfig;
  /** Operator uid -> parallelism. */
  parallelism: Record<string, number>;
  /** A log source keeps polling after its last record (LoadOptions.unbounded). */
  unbounded?: boolean;
  /** Operator chaining (LoadOptions.chaining; Flink's default: on). */
  chaining: boolean;
  /** The cluster the job runs on (at load). */
  taskManagers: number;
  slotsPerTaskManager: number;
  /** Slots the job needs: its highest parallelism. */
  slotsNeeded: number;
  /**
   * The run set the cluster's size (LoadOptions.taskManagers / slotsPerTaskManager: a lesson, a
   * permalink, the panel) rather than leaving it to the job: it stays as set when the job changes.
   */
  clusterSet?: boolean;
  /**
   * Only for a job that takes the Operations Playground's job arguments (clickcount): those it runs
   * with (LoadOptions.playground; {} = the Playground's own command line).
   */
  playground?: PlaygroundArguments;
}

export interface ScenarioInfo {
  name: string;
  description: string;
}

/** A job file written by the learner (the editor, `#/editor`): compiled and built in the worker. */
export interface UserJobSource {
  source: string;
  /** The name errors are reported against (`job.ts:3:7`). */
  fileName: string;
}

export type UserJobLoadResult = { ok: true; load: LoadInfo } | { ok: false; diagnostics: JobDiagnostic[] };

/** Flink SQL statements (the `#/sql` page, a lesson's SQL job): run in a TableEnvironment in the worker. */
export interface SqlJobSource {
  /** One or more statements separated by `;` (SET, CREATE TABLE, SHOW TABLES, DESCRIBE, EXPLAIN, one query or INSERT). */
  script: string;
}

/** A SQL error at its `line:col` in the script: the grammar rejects it, the lab does not run it, or Flink would not. */
export interface SqlDiagnostic {
  line: number;
  col: number;
  kind: 'parse' | 'unsupported' | 'validation' | 'internal';
  /** As Flink's SQL Client words it (`not supported here: …` for what the lab does not run). */
  message: string;
}

/** What a statement that runs no job answered (SET, SHOW TABLES, DESCRIBE, EXPLAIN, CREATE TABLE). */
export type SqlStatementOutput =
  | { statement: string; kind: 'ok'; message: string }
  | { statement: string; kind: 'rows'; columns: string[]; rows: string[][] }
  | { statement: string; kind: 'explain'; text: string }
  | { statement: string; kind: 'job' };

/** The query (or INSERT) of a script as a job: its result's schema and Flink's plan of it. */
export interface SqlJobInfo {
  columns: Array<{ name: string; type: string }>;
  /** Column indexes of an upsert sink's primary key; null: a retract result (every change shown). */
  primaryKey: number[] | null;
  /** Flink's EXPLAIN (`== Optimized Execution Plan ==` part). */
  plan: string;
  insertOnly: boolean;
  /** The operators that keep keyed state (GroupAggregate, WindowAggregate, Rank, Join): uid and Flink's name. */
  statefulOperators: Array<{ uid: string; name: string }>;
}

export type SqlLoadResult =
  | {
      ok: true;
      outputs: SqlStatementOutput[];
      /** null: the script has no query: nothing was loaded, the running simulation is as it was. */
      job: SqlJobInfo | null;
      load: LoadInfo | null;
    }
  | { ok: false; error: SqlDiagnostic };

export type SqlExplainResult = { ok: true; text: string } | { ok: false; error: SqlDiagnostic };
export type SqlExportResult = { ok: true; text: string } | { ok: false; error: SqlDiagnostic };

/** A built-in table as the SQL page shows it (completion, the DDL). */
export interface SqlTableInfo {
  name: string;
  columns: Array<{ name: string; type: string }>;
  ddl: string;
  origin: string;
}

export type SqlRowKind = '+I' | '-U' | '+U' | '-D';

/**
 * The SQL job's result in a frame: the committed changelog (what the SQL Client's changelog mode
 * prints) since the previous frame, and the materialized table (its table mode) when it changed.
 */
export interface SqlFrame {
  /** Start over: a new engine (a run, a replay from the start, an import); what came before is gone. */
  reset: boolean;
  /** Committed changes since the previous frame, oldest first (only the latest SQL_CHANGELOG_PER_FRAME). */
  changelog: Array<{ kind: SqlRowKind; row: string[]; time: number }>;
  /** Committed changes in all, and by kind. */
  total: number;
  counts: Record<SqlRowKind, number>;
  /** The materialized result (rows in place, at most SQL_TABLE_ROWS), when it changed; null: unchanged. */
  table: { rows: string[][]; size: number } | null;
  /** Keyed state entries (map and list elements counted one by one) per stateful SQL operator uid, now. */
  state: Record<string, number>;
}

export const SQL_CHANGELOG_PER_FRAME = 500;
export const SQL_TABLE_ROWS = 300;

export interface LoadOptions {
  /** A built-in or registered job; for a user job (`job`), the name the app shows for it. */
  scenario: string;
  /** A job file to compile and build instead of the named scenario (the editor's Run). */
  job?: UserJobSource;
  /** SQL statements whose query is the job instead of the named scenario (the SQL page's Run). */
  sql?: SqlJobSource;
  seed: number;
  /** Default: the scenario's own. */
  mode?: CheckpointingMode;
  /** Checkpoint interval in virtual ms (default: the scenario's own). */
  intervalMs?: number;
  /** memory = JobManager storage (checkpoints die with the worker); fs / hashmap = IndexedDB. Default: the scenario's. */
  backend?: BackendName;
  /** Virtual ms per real second (default 1000: real time). */
  speed?: number;
  /** true (default): a new run, the job's stored checkpoints are discarded; false: restore from the latest. */
  fresh?: boolean;
  /** Record-level events per frame beyond which they are only counted (default 2000). */
  maxRecordEventsPerFrame?: number;
  /** Test hook: delay between the storage's two transactions (to land a kill between them). */
  pauseBetweenTransactionsMs?: number;
  checkpoint?: CheckpointTuning;
  /** Operator uid -> parallelism (sources that cannot be parallel keep 1). */
  parallelism?: Record<string, number>;
  restartStrategy?: RestartStrategyConfig;
  /** Operator uid -> virtual ms per record: a slow operator from the start (backpressure demos). */
  processingTimeMs?: Record<string, number>;
  /**
   * Log sources keep polling after their last record, as a Kafka topic does (default false: bounded,
   * the job ends FINISHED after a final checkpoint). fromData sources are always bounded.
   */
  unbounded?: boolean;
  /** false: `env.disableOperatorChaining()`, every operator its own task (default: chained, as Flink). */
  chaining?: boolean;
  /** TaskManagers (default 1) and slots per TaskManager (default: enough for the job). */
  taskManagers?: number;
  slotsPerTaskManager?: number;
  /** How long a killed TaskManager takes to come back (default 3000 virtual ms). */
  taskManagerRestartDelayMs?: number;
  /**
   * The `clickcount` scenario's job arguments (the Operations Playground's: without `--checkpointing`,
   * without `--event-time`, `--backpressure`, the sink's guarantee); refused for a job that does not
   * take them (Scenario.playgroundArguments).
   */
  playground?: PlaygroundArguments;
}

/** One operator (job vertex) of the loaded job, for the job graph. */
export interface OperatorInfo {
  uid: string;
  name: string;
  kind: OperatorSpec['kind'];
  parallelism: number;
  maxParallelism: number;
  /** Virtual ms one record takes here (sources: between two records). */
  processingTimeMs: number;
  /** Has keyed state (its input is a keyed stream). */
  keyed: boolean;
  /** A non-parallel source (fromElements): parallelism is always 1. */
  nonParallel: boolean;
  /**
   * Upstream operators and how records are partitioned to this one. `input` (1 or 2): only into a
   * two-input operator (connect, broadcast state pattern, interval join). `sideOutput`: the edge reads
   * the source's side output with this OutputTag id (e.g. late data).
   */
  inputs: Array<{
    uid: string;
    partitioner: 'forward' | 'hash' | 'rebalance' | 'broadcast';
    input?: 1 | 2;
    sideOutput?: string;
  }>;
  /** sink operators only. */
  sinkKind?: SinkKind;
}

/**
 * One subtask: of a job vertex, an operator chain. `operatorUid` / `operatorName` are its head
 * operator's (the graph's box key); `operators` the chain's operators, head first (one without
 * chaining); `vertexName` Flink's name for the vertex (`Map: count -> Sink: print`).
 */
export interface TaskInfo {
  id: string;
  operatorUid: string;
  operatorName: string;
  subtaskIndex: number;
  parallelism: number;
  operators?: Array<{ uid: string; name: string }>;
  vertexName?: string;
}

export interface ChannelInfo {
  id: string;
  from: string;
  to: string;
}

/** How the job came to be where it is after `load` or `start`. */
export interface Recovery {
  /** The checkpoint the job was restored from, or null (started from scratch). */
  restoredFrom: number | null;
  /** Plainly: why (a message code, e.g. `recovery.memory-backend`; the page translates it). */
  reason: Message;
}

export interface LoadInfo {
  jobName: string;
  scenario: string;
  seed: number;
  mode: CheckpointingMode;
  backend: BackendName;
  /** Where checkpoints go: IndexedDbCheckpointStorage or JobManagerCheckpointStorage. */
  checkpointStorage: string;
  durable: boolean;
  /** Engine instances of this job so far (a recovered worker is the next incarnation). */
  incarnation: number;
  now: number;
  tasks: TaskInfo[];
  channels: ChannelInfo[];
  operators: OperatorInfo[];
  config: ResolvedConfig;
  recovery: Recovery;
}

export interface StartInfo {
  /** A job was running when the previous worker died (or the page was reloaded), and is back. */
  recovered: boolean;
  load: LoadInfo | null;
  /** What the storage cleaned up at start (an interrupted checkpoint write). */
  removedPendingCheckpoints: number[];
}

/** Layout of `FrameUpdate.inFlight`: IN_FLIGHT_STRIDE numbers per element. */
export const IN_FLIGHT_STRIDE = 6;
/**
 * [channel index, send time (NaN: still in the sender's output buffer, or not traced), arrival time,
 * kind (IN_FLIGHT_KIND), tag (barrier: checkpoint id; record: Java hashCode of its key, NaN if none;
 * watermark: its timestamp), element id]
 */
export const IN_FLIGHT_FIELDS = ['channel', 'sendTime', 'arriveTime', 'kind', 'tag', 'id'] as const;
export const IN_FLIGHT_KIND = {
  record: 0,
  barrier: 1,
  priorityBarrier: 2,
  /** A record waiting in the sender's output buffer (backpressure). */
  queuedRecord: 3,
  queuedBarrier: 4,
  /** tag = the watermark's timestamp. */
  watermark: 5,
  queuedWatermark: 6,
  /** A CancelCheckpointMarker (tag = the cancelled checkpoint's id), in a channel or an output buffer. */
  cancelBarrier: 7,
  queuedCancelBarrier: 8,
} as const;

export interface FrameUpdate {
  frame: number;
  /** Virtual time at the end of the frame. */
  now: number;
  playing: boolean;
  jobStatus: string;
  /** Trace events of the frame, in order (record-level ones only up to the cap). */
  events: TraceEvent[];
  /** Every event of the frame counted by type (including those not in `events`). */
  eventCounts: Record<string, number>;
  droppedEvents: number;
  /** Status of each task, in the order of `LoadInfo.tasks`. */
  taskStatuses: string[];
  /** Where each task runs, in the order of `LoadInfo.tasks`: [TaskManager index (1-based), slot]; null: no slot (SCHEDULED). */
  placement: Array<[number, number] | null>;
  /** The TaskManagers now: id, RUNNING or LOST, number of slots. */
  taskManagers: Array<{ id: string; index: number; status: 'RUNNING' | 'LOST'; slots: number }>;
  inFlight: Float64Array;
  checkpoints: {
    triggered: number;
    completed: number;
    failed: number;
    restored: number;
    latestCompletedId: number | null;
    pending: number[];
  };
  eventsProcessed: number;
  recordsProcessed: number;
  storage: {
    name: string;
    durable: boolean;
    pendingWrites: number;
    lastError: string | null;
    faultsQueued: number;
  };
  /** Nothing is left to do (all input processed and committed, or the job failed). */
  finished: boolean;
  /**
   * Where each task is in a checkpoint now, read from the engine (in the order of `LoadInfo.tasks`):
   * null when it is not aligning or snapshotting (see taskPhases.ts).
   */
  taskPhases?: Array<TaskCheckpointPhase | null>;
  /** The latest failure and what the restore brought back (restoreSummary.ts), or null. */
  restore?: RestoreSummary | null;
  /** The verdict on the lesson check registered with `setLessonCheck` (null: none). */
  lesson: LessonVerdict | null;
  /**
   * A user job (the editor's) that the loop guard stopped: a user function ran too long. The job is
   * stopped (not restarted into the same loop); the diagnostic names the operator.
   */
  jobStopped?: JobDiagnostic | null;
  /** The latest error a user function of a job file threw while the job ran (its line:col), or null. */
  jobError?: JobDiagnostic | null;
  /** A SQL job's changelog and result (null or absent: not a SQL job). */
  sql?: SqlFrame | null;
}

/** A task's part in a checkpoint, as the engine has it at the end of a frame. */
export interface TaskCheckpointPhase {
  phase: 'aligning' | 'snapshotting';
  /** The checkpoint (null if the engine does not say which). */
  checkpointId: number | null;
}

/**
 * Why a task failed, as a code with parameters (the page words it in the learner's language).
 * `message` is the engine's own text (the exception of a user function, a checkpoint failure).
 */
export type FailureCause =
  | { code: 'injected' }
  | { code: 'user-function-threw'; message: Message }
  | { code: 'checkpoint-failures'; message: Message }
  | { code: 'engine-crash' }
  | { code: 'other'; message: Message };

/**
 * What a failure did and what the restore brought back, computed in the worker from the trace
 * (`task-failed`, `job-restarting`, `task-restored`, `transaction-*`) and the engine's state just
 * before the failure against the state right after the restore.
 */
export interface RestoreSummary {
  /** Grows with every failure: the page keeps which one the learner dismissed. */
  id: number;
  /**
   * pending: injected, the engine has not reached it yet (paused); restarting: cancelled, waiting for
   * the restart delay; restored: running again; job-failed: the restart strategy gave up.
   */
  phase: 'pending' | 'restarting' | 'restored' | 'job-failed';
  failure: {
    /** The subtask that failed; null for an engine crash (every task at once). */
    task: string | null;
    at: number;
    cause: FailureCause;
  };
  restart: { delayMs: number; attempt: number; tasks: number; at: number } | null;
  /** Once restored: the checkpoint (null: from scratch) and when it completed. */
  restored: { at: number; checkpointId: number | null; checkpointCompletedAt: number | null } | null;
  /** Per restored source partition: the offset before the failure (null: unknown, e.g. after a crash) → the restored one. */
  sources: Array<{ task: string; partition: number; from: number | null; to: number; replay: number | null }>;
  /** Keyed state that went back: keys whose value changed (or vanished) between the failure and the restore. */
  state: {
    keysBefore: number;
    keysRewound: number;
    /** The rewound key that went back the furthest (numbers), or the first one. */
    example: { operator: string; state: string; key: string; before: unknown; after: unknown } | null;
  } | null;
  transactions: { aborted: number; abortedRows: number; committed: number; committedRows: number };
}

export interface CheckpointListing {
  storage: string;
  durable: boolean;
  /** Retained completed checkpoints and savepoints (what can be restored or exported). */
  stored: Array<{
    checkpointId: number;
    kind: 'checkpoint' | 'savepoint';
    triggerTime: number;
    completionTime: number;
    bytes: number;
  }>;
  /** Every checkpoint of this engine instance, as the Web UI's history tab. */
  history: CheckpointStats[];
}

export type ExportResult = { ok: true; fileName: string; text: string } | { ok: false; error: Message };

export type ImportResult =
  | { ok: true; restoredFrom: number; load: LoadInfo }
  | { ok: false; errors: Array<{ path: string; message: Message }> };

/** Operator uid → subtask index → broadcast state name → its `[key, value]` entries. */
export type BroadcastStateView = Record<string, Record<number, Record<string, Array<[unknown, unknown]>>>>;

export interface StatePage {
  operatorUid: string;
  stateName: string;
  stateNames: string[];
  total: number;
  offset: number;
  /**
   * `window`: for window state (a namespace other than VoidNamespace), the window the value belongs
   * to — `[start, end)` for a TimeWindow, `GlobalWindow` — as the engine's namespace describes it.
   */
  rows: Array<{ key: unknown; value: unknown; subtask: number; window?: string }>;
  /**
   * The operator's timers in window namespaces (a window operator's trigger and cleanup timers),
   * earliest first, at most a page of them; `total` counts them all.
   */
  windowTimers?: {
    total: number;
    rows: Array<{ key: unknown; window: string; timestamp: number; domain: string; subtask: number }>;
  };
}

/** event: one engine event; barrier: to the next barrier or checkpoint event; checkpoint: to the next trigger, completion or failure of a checkpoint. */
export type StepKind = 'event' | 'barrier' | 'checkpoint';

/** What a learner did, kept so that a replay (timeline scrub) repeats it at the same engine event. */
export type TimelineAction =
  | { type: 'fail-task'; taskId: string }
  | { type: 'kill-taskmanager'; taskManager: string }
  | { type: 'add-taskmanager' }
  | { type: 'poison'; sourceUid: string; partition: number }
  | { type: 'storage-fault'; kind: StorageFault; count: number }
  | { type: 'trigger'; kind: 'checkpoint' | 'savepoint' }
  | { type: 'processing-time'; uid: string; ms: number };

export interface TimelineEntry {
  /** Virtual time and engine event count at which the action was applied. */
  at: number;
  eventIndex: number;
  action: TimelineAction;
}

export interface TimelineInfo {
  /** Where the run's history begins (0, or the time of the checkpoint it was restored from). */
  start: number;
  now: number;
  /** The furthest virtual time this history has reached (scrubbing back keeps it until a new action forks). */
  horizon: number;
  actions: TimelineEntry[];
}

export interface SinkRowInfo {
  time: number;
  value: unknown;
  txn: string | null;
  /** A reader of the external system sees it (non-transactional: always; 2PC: committed). */
  visible: boolean;
  /** Seen more often than in the failure-free reference run. */
  duplicate: boolean;
  /** A duplicate's kind: the reference writes this row too (repeated) or never (over-count). */
  issue?: 'repeated' | 'over-count';
}

export interface SinkInfo {
  uid: string;
  name: string;
  kind: SinkKind;
  written: number;
  visible: number;
  openTransactions: number;
  abortedTransactions: number;
  /** The latest rows (at most `limit`), oldest first. */
  rows: SinkRowInfo[];
}

/** The live exactly-once checker: the outside reader's view against a failure-free run of the same job. */
export interface ExactlyOnceCheck {
  /** Rows the failure-free reference run makes visible in the end. */
  referenceRows: number;
  visibleRows: number;
  /** Values visible more often than in the reference (or not in it at all): `repeated` and `overCounts` together. */
  duplicates: Array<{ value: unknown; seen: number; expected: number }>;
  /** Rows the failure-free run writes too, written again (seen > expected ≥ 1). */
  repeated?: Array<{ value: unknown; seen: number; expected: number }>;
  /** Rows the failure-free run never writes (expected 0): e.g. a count that went too high because a record was counted twice. */
  overCounts?: Array<{ value: unknown; seen: number; expected: number }>;
  /** Only once the run has finished (before that, missing rows may still come): values seen less often than in the reference. */
  missing: Array<{ value: unknown; seen: number; expected: number }> | null;
  verdict: 'so-far-so-good' | 'exactly-once' | 'duplicates' | 'losses' | 'duplicates-and-losses';
}

export interface SinkReport {
  sinks: SinkInfo[];
  check: ExactlyOnceCheck;
  finished: boolean;
}

export type StateChange = 'same' | 'changed' | 'added' | 'removed';

/** The keyed state now against a completed checkpoint: what a restore would bring back. */
export interface StateDiffPage {
  operatorUid: string;
  stateName: string;
  checkpointId: number;
  total: number;
  offset: number;
  counts: Record<StateChange, number>;
  /** `window`: as in `StatePage` (window state is compared per key and window). */
  rows: Array<{
    key: unknown;
    subtask: number;
    current: unknown;
    checkpoint: unknown;
    change: StateChange;
    window?: string;
  }>;
}

/** A learner's progress in one lesson (IndexedDB `progress` store, keyed by the lesson's slug). */
export type LessonProgress = {
  /** The lesson's slug. */
  id: string;
  /** Ids of the steps whose check passed. */
  stepsDone: string[];
  completed: boolean;
  /** The step (1-based) the learner was on last. */
  lastStep: number;
  /** Date.now() of the last change. */
  updatedAt: number;
};

/** How far an experiment run is (sent at most every `EXPERIMENT_PROGRESS_INTERVAL_MS` of real time). */
export interface ExperimentProgress {
  experimentId: string;
  /** 0..1 over all sub-runs. */
  fraction: number;
  /** What is running (e.g. "Aligned (exactly-once) at 2 ms"). */
  label: string;
  /** Real ms since the run started. */
  elapsedMs: number;
}

/** Progress reports of one run are batched: at most one per this many real ms (plus the last, at 1). */
export const EXPERIMENT_PROGRESS_INTERVAL_MS = 100;

/** How a `runExperiment` call ended: the result with its shape assessment and downloads, or cancelled. */
export type ExperimentOutcome =
  | {
      status: 'completed';
      result: ExperimentResult;
      assessment: ShapeAssessment;
      /** The result's table as CSV (`resultToCsv`). */
      csv: string;
      /** The result and its assessment as JSON (`resultToJson`). */
      json: string;
      /** Real ms the run took in the worker. */
      wallMs: number;
    }
  | { status: 'cancelled'; experimentId: string };

/** The worker's API (every method is async through comlink). */
export interface EngineWorkerApi {
  /**
   * `recover: false` (after the page's watchdog killed a worker that stopped answering): the job that
   * was running is marked stopped instead of loaded again, so a job stuck in a loop is not restarted
   * into the same loop. Its checkpoints stay in IndexedDB.
   */
  start(options?: { recover?: boolean }): Promise<StartInfo>;
  load(options: LoadOptions): Promise<LoadInfo>;
  /** Compiles and builds a job file and loads it; errors come back as diagnostics, nothing changes. */
  loadUserJob(options: LoadOptions & { job: UserJobSource }): Promise<UserJobLoadResult>;
  /**
   * Runs SQL statements: their answers, and the query (or INSERT) loaded as the job. A SQL error
   * comes back at its line:col and changes nothing (the running simulation and its checkpoints stay).
   */
  loadSql(options: LoadOptions & { sql: SqlJobSource }): Promise<SqlLoadResult>;
  /** Flink's EXPLAIN of the script's query (after its SET and CREATE statements); loads nothing. */
  explainSql(sql: SqlJobSource): Promise<SqlExplainResult>;
  /**
   * "Export for Flink": the statements as a script for Flink's SQL Client (`sql-client.sh -f`), the
   * built-in tables declared over CSV files, with a note of what differs (src/sql/FlinkExport.ts).
   */
  exportSqlForFlink(sql: SqlJobSource): Promise<SqlExportResult>;
  /** A built-in table's rows as the CSV file an exported script reads (`npm run sim -- --dump-table NAME --csv`). */
  sqlTableCsv(name: string): Promise<string | null>;
  /** The loaded SQL job's schema and plan (a page reloaded while it ran asks again); null: not a SQL job. */
  sqlJobInfo(): Promise<SqlJobInfo | null>;
  /** The built-in tables (the SQL page's completion and DDL). */
  sqlTables(): Promise<SqlTableInfo[]>;
  unload(): Promise<void>;
  play(): Promise<void>;
  pause(): Promise<void>;
  setSpeed(virtualMsPerSecond: number): Promise<void>;
  frame(realMs: number): Promise<FrameUpdate>;
  step(kind: StepKind): Promise<FrameUpdate>;
  failTask(taskId: string): Promise<void>;
  /** Kills a TaskManager (`taskmanager-<n>`): every subtask in its slots fails; it is back after the configured delay. */
  killTaskManager(id: string): Promise<void>;
  /** A new TaskManager registers now. */
  addTaskManager(): Promise<void>;
  injectPoisonRecord(sourceUid?: string, partition?: number): Promise<void>;
  injectStorageFault(kind: StorageFault, count?: number): Promise<void>;
  triggerCheckpoint(kind?: 'checkpoint' | 'savepoint'): Promise<number | null>;
  listCheckpoints(): Promise<CheckpointListing>;
  exportSnapshot(checkpointId?: number): Promise<ExportResult>;
  importSnapshot(text: string): Promise<ImportResult>;
  /** `search`: only keys whose text contains it (case-insensitive); `subtask`: only that subtask. */
  readState(
    operatorUid: string,
    stateName?: string,
    offset?: number,
    limit?: number,
    search?: string,
    subtask?: number,
  ): Promise<StatePage>;
  stateDiff(
    operatorUid: string,
    stateName: string,
    checkpointId: number,
    offset?: number,
    limit?: number,
    search?: string,
  ): Promise<StateDiffPage>;
  /** Source offsets per source subtask (task id, e.g. `source#0`) and partition. */
  sourceOffsets(): Promise<Record<string, Array<{ partition: number; offset: number }>>>;
  /** Broadcast state (the broadcast state pattern) of every subtask: each holds its own copy. */
  broadcastState(): Promise<BroadcastStateView>;
  listScenarios(): Promise<ScenarioInfo[]>;
  /** A slow operator (backpressure): virtual ms per record from now on. */
  setProcessingTime(operatorUid: string, ms: number): Promise<void>;
  /** Deterministic replay to virtual time `t` of this history (same seed, same actions at the same events). */
  seek(t: number): Promise<FrameUpdate>;
  timeline(): Promise<TimelineInfo>;
  sinkReport(limit?: number): Promise<SinkReport>;
  /** The whole keyed state and source offsets now (tests, small jobs). */
  inspect(): Promise<{
    now: number;
    state: Record<string, Record<string, Record<string, unknown>>>;
    offsets: Record<string, Array<{ partition: number; offset: number }>>;
  }>;
  /** Storage write progress (checkpoint being written / completed / failed), pushed as it happens. */
  onStorageEvent(listener: (event: StorageWriteEvent) => void): Promise<void>;
  /**
   * The lesson step's check, evaluated in the worker on every engine event from now on (null: none);
   * answers the verdict now. Later verdicts come with every FrameUpdate (`lesson`).
   */
  setLessonCheck(spec: LessonCheckSpec | null): Promise<LessonVerdict | null>;
  /** The learner answered the step's prediction (the check's `answered`). */
  answerLessonPrediction(): Promise<LessonVerdict | null>;
  /** Stops playback at the engine event at which `check` holds ("Show me": play until); null clears. */
  pauseWhen(check: Check | null): Promise<LessonVerdict | null>;
  /** The learner's progress in every lesson (IndexedDB `progress` store). */
  listProgress(): Promise<LessonProgress[]>;
  putProgress(record: LessonProgress): Promise<void>;
  /** The experiments (plain data: ids, titles, claims, citations, parameter specs). */
  listExperiments(): Promise<ExperimentInfo[]>;
  /**
   * Runs one experiment fast-forward, in chunks that let other calls (frames, `cancelExperiment`) in
   * between. Missing parameters take their defaults; invalid ones reject. A run already going is
   * cancelled first (one run at a time).
   */
  runExperiment(
    id: string,
    params: ParameterValues,
    onProgress?: (progress: ExperimentProgress) => void,
  ): Promise<ExperimentOutcome>;
  /** Stop playing when a task fails, and again once the restore is done (lessons turn it on). */
  setPauseOnFailure(on: boolean): Promise<void>;
  /** The engine's task statuses and checkpoint phases now, straight from the engine (tests compare the badges with them). */
  engineTaskStatuses(): Promise<Array<{ id: string; status: string; phase: TaskCheckpointPhase | null }>>;
  /** Stops the running experiment at its next chunk (its `runExperiment` resolves as cancelled); false if none runs. */
  cancelExperiment(): Promise<boolean>;
}
