/**
 * The configuration form as plain data: initialised from what the engine reports (LoadInfo.config and
 * LoadInfo.operators), validated, and turned into the LoadOptions that restart the run. Pure: no
 * Svelte, no worker, no strings shown to the learner (errors are message keys, translated by the panel).
 *
 * Number fields are kept as the text the learner typed, so that "12a" or "" can be reported rather
 * than silently turned into 0. An empty tuning or restart field means "the default": the scenario's
 * own for checkpoint tuning, Flink's for the restart strategy (shown as the input's placeholder).
 */
import type { CheckpointingMode, RestartStrategyConfig } from '../../../engine/api/JobGraph';
import type { PlaygroundArguments } from '../../../engine/scenarios/Scenario';
import type {
  BackendName,
  CheckpointTuning,
  LoadInfo,
  LoadOptions,
  OperatorInfo,
  ResolvedConfig,
} from '../../../worker/protocol';

export type RestartType = RestartStrategyConfig['type'];
export const RESTART_TYPES: readonly RestartType[] = [
  'none',
  'fixed-delay',
  'failure-rate',
  'exponential-delay',
];

/** Flink's CheckpointConfig defaults (used as placeholders and when the engine does not report its config). */
export const FLINK_CHECKPOINT_DEFAULTS = {
  intervalMs: 1000,
  timeoutMs: 600_000,
  minPauseMs: 0,
  maxConcurrent: 1,
  tolerableFailed: 0,
  alignedTimeoutMs: 0,
} as const;

/** Flink's restart-strategy defaults (RestartStrategyOptions), as the engine's RestartStrategies. */
export const FLINK_RESTART_DEFAULTS = {
  fixedAttempts: 1,
  fixedDelayMs: 1000,
  rateMaxFailures: 1,
  rateIntervalMs: 60_000,
  rateDelayMs: 1000,
  expInitialMs: 1000,
  expMultiplier: 1.5,
  expMaxMs: 60_000,
  expResetMs: 3_600_000,
  expJitter: 0.1,
} as const;

export type RestartField = keyof typeof FLINK_RESTART_DEFAULTS;

/** Which restart fields each strategy uses, in display order. */
export const RESTART_FIELDS: Record<RestartType, readonly RestartField[]> = {
  none: [],
  'fixed-delay': ['fixedAttempts', 'fixedDelayMs'],
  'failure-rate': ['rateMaxFailures', 'rateIntervalMs', 'rateDelayMs'],
  'exponential-delay': ['expInitialMs', 'expMultiplier', 'expMaxMs', 'expResetMs', 'expJitter'],
};

export type TuningField =
  'timeoutMs' | 'minPauseMs' | 'maxConcurrent' | 'tolerableFailed' | 'alignedTimeoutMs';
export const TUNING_FIELDS: readonly TuningField[] = [
  'timeoutMs',
  'minPauseMs',
  'maxConcurrent',
  'tolerableFailed',
  'alignedTimeoutMs',
];

export interface ConfigForm {
  mode: CheckpointingMode;
  /** false: checkpointing off (intervalMs is kept, for switching it back on). */
  checkpointing: boolean;
  intervalMs: string;
  timeoutMs: string;
  minPauseMs: string;
  maxConcurrent: string;
  tolerableFailed: string;
  alignedTimeoutMs: string;
  backend: BackendName;
  /** rocksdb only. */
  incremental: boolean;
  /** Operator uid -> parallelism (every operator; sources are shown but not editable). */
  parallelism: Record<string, string>;
  restartType: RestartType;
  restart: Record<RestartField, string>;
  /** Log sources keep reading after their last record (a Kafka topic); default bounded. */
  unbounded?: boolean;
  /** Operator chaining (Flink's default on; off = env.disableOperatorChaining()). */
  chaining: boolean;
  /** TaskManagers and slots per TaskManager; empty: the default (one TaskManager, enough slots for the job). */
  taskManagers: string;
  slotsPerTaskManager: string;
  /**
   * The Operations Playground job's arguments, as its command line spells them (clickcount only;
   * absent for any other job): `--checkpointing`, `--event-time`, `--backpressure`, and the guarantee
   * of its Kafka producer.
   */
  playground?: PlaygroundForm;
}

export interface PlaygroundForm {
  checkpointing: boolean;
  eventTime: boolean;
  backpressure: boolean;
  sink: 'at-least-once' | 'exactly-once';
}

function playgroundForm(args: PlaygroundArguments | undefined): PlaygroundForm {
  return {
    checkpointing: args?.checkpointing !== false,
    eventTime: args?.processingTime !== true,
    backpressure: args?.backpressure === true,
    sink: args?.sink ?? 'at-least-once',
  };
}

/** The arguments that differ from the Playground's docker-compose command (empty: none). */
function playgroundArguments(f: PlaygroundForm): PlaygroundArguments {
  return {
    ...(f.checkpointing ? {} : { checkpointing: false }),
    ...(f.eventTime ? {} : { processingTime: true }),
    ...(f.backpressure ? { backpressure: true } : {}),
    ...(f.sink === 'exactly-once' ? { sink: 'exactly-once' as const } : {}),
  };
}

/** What the form needs to know about an operator. */
export interface FormOperator {
  uid: string;
  name: string;
  kind: OperatorInfo['kind'] | 'unknown';
  parallelism: number;
  maxParallelism: number;
  /** Sources follow their log's partitions (fromElements: 1): not changeable here. */
  fixed: boolean;
}

/** Flink's default max parallelism for small jobs (computeDefaultMaxParallelism: 128 for p <= 85). */
const DEFAULT_MAX_PARALLELISM = 128;

/**
 * The operators of the loaded job. From LoadInfo.operators when the engine reports them; otherwise
 * derived from the tasks (an operator none of whose tasks receives a channel is a source).
 */
export function formOperators(
  load: Pick<LoadInfo, 'tasks' | 'channels'> & { operators?: OperatorInfo[] },
): FormOperator[] {
  if (load.operators?.length)
    return load.operators.map((o) => ({
      uid: o.uid,
      name: o.name,
      kind: o.kind,
      parallelism: o.parallelism,
      maxParallelism: o.maxParallelism,
      fixed: o.kind === 'source',
    }));
  const receiving = new Set(load.channels.map((c) => c.to));
  const byUid = new Map<string, FormOperator>();
  for (const t of load.tasks) {
    const op = byUid.get(t.operatorUid) ?? {
      uid: t.operatorUid,
      name: t.operatorName,
      kind: 'unknown' as const,
      parallelism: t.parallelism,
      maxParallelism: Math.max(DEFAULT_MAX_PARALLELISM, t.parallelism),
      fixed: true,
    };
    if (receiving.has(t.id)) op.fixed = false;
    byUid.set(t.operatorUid, op);
  }
  return [...byUid.values()];
}

function restartForm(r: RestartStrategyConfig | undefined): Record<RestartField, string> {
  const f = Object.fromEntries(
    Object.entries(FLINK_RESTART_DEFAULTS).map(([k, v]) => [k, String(v)]),
  ) as Record<RestartField, string>;
  switch (r?.type) {
    case 'fixed-delay':
      f.fixedAttempts = String(r.attempts);
      f.fixedDelayMs = String(r.delayMs);
      break;
    case 'failure-rate':
      f.rateMaxFailures = String(r.maxFailuresPerInterval);
      f.rateIntervalMs = String(r.failureRateIntervalMs);
      f.rateDelayMs = String(r.delayMs);
      break;
    case 'exponential-delay':
      f.expInitialMs = String(r.initialBackoffMs);
      f.expMultiplier = String(r.backoffMultiplier);
      f.expMaxMs = String(r.maxBackoffMs);
      f.expResetMs = String(r.resetBackoffThresholdMs);
      f.expJitter = String(r.jitterFactor);
      break;
  }
  return f;
}

/**
 * The form for a run. `config` is the engine's resolved configuration; when it is missing (an older
 * engine), the form falls back to what LoadInfo says (mode, backend, parallelism) and Flink's defaults.
 */
export function formFromConfig(
  config: ResolvedConfig | undefined,
  operators: readonly FormOperator[],
  fallback: { mode: CheckpointingMode; backend: BackendName },
): ConfigForm {
  const d = FLINK_CHECKPOINT_DEFAULTS;
  const parallelism: Record<string, string> = {};
  for (const o of operators) parallelism[o.uid] = String(config?.parallelism[o.uid] ?? o.parallelism);
  return {
    mode: config?.mode ?? fallback.mode,
    // Off because the Playground job runs without --checkpointing: that argument says so, not this.
    checkpointing: config ? config.intervalMs !== null || config.playground?.checkpointing === false : true,
    intervalMs: String(config?.intervalMs ?? d.intervalMs),
    timeoutMs: String(config?.timeoutMs ?? d.timeoutMs),
    minPauseMs: String(config?.minPauseMs ?? d.minPauseMs),
    maxConcurrent: String(config?.maxConcurrent ?? d.maxConcurrent),
    tolerableFailed: String(config?.tolerableFailed ?? d.tolerableFailed),
    alignedTimeoutMs: String(config?.alignedTimeoutMs ?? d.alignedTimeoutMs),
    backend: config?.backend ?? fallback.backend,
    incremental: config?.incremental ?? false,
    parallelism,
    restartType: config?.restartStrategy.type ?? 'exponential-delay',
    restart: restartForm(config?.restartStrategy),
    unbounded: config?.unbounded ?? false,
    chaining: config?.chaining ?? true,
    ...clusterForm(config),
    // Only a job that takes them reports its Playground arguments (clickcount: {} by default).
    ...(config?.playground ? { playground: playgroundForm(config.playground) } : {}),
  };
}

/** Sizes that the default would give are shown empty, so that a new parallelism still fits. */
function clusterForm(
  config: ResolvedConfig | undefined,
): Pick<ConfigForm, 'taskManagers' | 'slotsPerTaskManager'> {
  if (!config || config.taskManagers === undefined) return { taskManagers: '', slotsPerTaskManager: '' };
  // Set by the run (lesson 13: the Playground's one TaskManager with 2 slots): a new parallelism must
  // wait for slots, as on that cluster, not get a bigger one.
  if (config.clusterSet)
    return {
      taskManagers: String(config.taskManagers),
      slotsPerTaskManager: String(config.slotsPerTaskManager),
    };
  const fits = config.slotsPerTaskManager === Math.ceil(config.slotsNeeded / config.taskManagers);
  return {
    taskManagers: config.taskManagers === 1 && fits ? '' : String(config.taskManagers),
    slotsPerTaskManager: fits ? '' : String(config.slotsPerTaskManager),
  };
}

// ------------------------------------------------------------------ validation

/** A message key of the panel's table, with its parameters. */
export interface FieldError {
  key:
    | 'errNumber'
    | 'errInteger'
    | 'errMin'
    | 'errMax'
    | 'errRequired'
    | 'errUnalignedConcurrent'
    | 'errMaxBackoff'
    | 'errParallelism';
  params?: Record<string, number | string>;
}

/** Field id -> error. Field ids: the ConfigForm field names, `parallelism.<uid>`, `restart.<field>`. */
export type FormErrors = Record<string, FieldError>;

interface NumberRule {
  min: number;
  max?: number;
  integer?: boolean;
  /** Empty is allowed (means the default). */
  optional?: boolean;
}

/** Parses a number field: the number, `undefined` for an allowed empty field, or the error. */
export function parseNumber(text: string, rule: NumberRule): number | undefined | FieldError {
  const s = text.trim();
  if (s === '') return rule.optional ? undefined : { key: 'errRequired' };
  const v = Number(s);
  if (!Number.isFinite(v)) return { key: 'errNumber' };
  if (rule.integer && !Number.isInteger(v)) return { key: 'errInteger' };
  if (v < rule.min) return { key: 'errMin', params: { min: rule.min } };
  if (rule.max !== undefined && v > rule.max) return { key: 'errMax', params: { max: rule.max } };
  return v;
}

const TUNING_RULES: Record<TuningField, NumberRule> = {
  timeoutMs: { min: 1, optional: true },
  minPauseMs: { min: 0, optional: true },
  maxConcurrent: { min: 1, integer: true, optional: true },
  tolerableFailed: { min: 0, integer: true, optional: true },
  alignedTimeoutMs: { min: 0, optional: true },
};

const RESTART_RULES: Record<RestartField, NumberRule> = {
  fixedAttempts: { min: 0, integer: true, optional: true },
  fixedDelayMs: { min: 0, optional: true },
  rateMaxFailures: { min: 1, integer: true, optional: true },
  rateIntervalMs: { min: 1, optional: true },
  rateDelayMs: { min: 0, optional: true },
  expInitialMs: { min: 0, optional: true },
  expMultiplier: { min: 1, optional: true },
  expMaxMs: { min: 0, optional: true },
  expResetMs: { min: 0, optional: true },
  expJitter: { min: 0, max: 1, optional: true },
};

export type ValidationResult = { ok: true; options: LoadOptions } | { ok: false; errors: FormErrors };

const isError = (v: number | undefined | FieldError): v is FieldError => typeof v === 'object';

/**
 * Validates the form and, when it is valid, builds the LoadOptions of the new run. Checkpointing off is
 * `intervalMs: 0`. Parallelism is sent for the operators that can change it; `incremental` only for rocksdb.
 */
export function formToOptions(
  form: ConfigForm,
  run: Pick<LoadOptions, 'scenario' | 'seed' | 'playground'>,
  operators: readonly FormOperator[],
): ValidationResult {
  const errors: FormErrors = {};
  const num = (id: string, text: string, rule: NumberRule): number | undefined => {
    const v = parseNumber(text, rule);
    if (isError(v)) {
      errors[id] = v;
      return undefined;
    }
    return v;
  };

  const intervalMs = form.checkpointing ? num('intervalMs', form.intervalMs, { min: 1 }) : 0;

  const checkpoint: CheckpointTuning = {};
  for (const f of TUNING_FIELDS) {
    const v = num(f, form[f], TUNING_RULES[f]);
    if (v !== undefined) checkpoint[f] = v;
  }
  // Flink: "Unaligned checkpoints are currently only supported for maxConcurrentCheckpoints = 1".
  if (
    form.mode === 'unaligned' &&
    !errors.maxConcurrent &&
    checkpoint.maxConcurrent !== undefined &&
    checkpoint.maxConcurrent !== 1
  )
    errors.maxConcurrent = { key: 'errUnalignedConcurrent' };
  if (form.backend === 'rocksdb') checkpoint.incremental = form.incremental;

  const parallelism: Record<string, number> = {};
  for (const o of operators) {
    if (o.fixed) continue;
    const text = form.parallelism[o.uid] ?? String(o.parallelism);
    const v = parseNumber(text, { min: 1, max: o.maxParallelism, integer: true });
    if (isError(v) || v === undefined) {
      errors[`parallelism.${o.uid}`] = { key: 'errParallelism', params: { max: o.maxParallelism } };
      continue;
    }
    parallelism[o.uid] = v;
  }

  const r: Partial<Record<RestartField, number>> = {};
  for (const f of RESTART_FIELDS[form.restartType]) {
    const v = num(`restart.${f}`, form.restart[f], RESTART_RULES[f]);
    r[f] = v ?? FLINK_RESTART_DEFAULTS[f];
  }
  const get = (f: RestartField): number => r[f] ?? FLINK_RESTART_DEFAULTS[f];
  let restartStrategy: RestartStrategyConfig;
  switch (form.restartType) {
    case 'none':
      restartStrategy = { type: 'none' };
      break;
    case 'fixed-delay':
      restartStrategy = { type: 'fixed-delay', attempts: get('fixedAttempts'), delayMs: get('fixedDelayMs') };
      break;
    case 'failure-rate':
      restartStrategy = {
        type: 'failure-rate',
        maxFailuresPerInterval: get('rateMaxFailures'),
        failureRateIntervalMs: get('rateIntervalMs'),
        delayMs: get('rateDelayMs'),
      };
      break;
    case 'exponential-delay':
      if (
        !errors['restart.expMaxMs'] &&
        !errors['restart.expInitialMs'] &&
        get('expMaxMs') < get('expInitialMs')
      )
        errors['restart.expMaxMs'] = { key: 'errMaxBackoff' };
      restartStrategy = {
        type: 'exponential-delay',
        initialBackoffMs: get('expInitialMs'),
        backoffMultiplier: get('expMultiplier'),
        maxBackoffMs: get('expMaxMs'),
        resetBackoffThresholdMs: get('expResetMs'),
        jitterFactor: get('expJitter'),
      };
      break;
  }

  const cluster: Pick<LoadOptions, 'taskManagers' | 'slotsPerTaskManager'> = {};
  for (const f of ['taskManagers', 'slotsPerTaskManager'] as const) {
    const v = num(f, form[f] ?? '', { min: 1, max: 128, integer: true, optional: true });
    if (v !== undefined) cluster[f] = v;
  }

  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    options: {
      scenario: run.scenario,
      seed: run.seed,
      mode: form.mode,
      intervalMs,
      backend: form.backend,
      checkpoint,
      parallelism,
      restartStrategy,
      ...(form.unbounded ? { unbounded: true } : {}),
      ...(form.chaining ? {} : { chaining: false }),
      ...cluster,
      ...playgroundOption(form, run),
    },
  };
}

/** The Playground's arguments: the form's when it shows them, else the run's (kept as they were). */
function playgroundOption(
  form: ConfigForm,
  run: Pick<LoadOptions, 'playground'>,
): Pick<LoadOptions, 'playground'> {
  const args = form.playground ? playgroundArguments(form.playground) : run.playground;
  return args && Object.keys(args).length > 0 ? { playground: args } : {};
}

/** Only the errors (for showing them while typing). */
export function validateForm(form: ConfigForm, operators: readonly FormOperator[]): FormErrors {
  const result = formToOptions(form, { scenario: '', seed: 0 }, operators);
  return result.ok ? {} : result.errors;
}
