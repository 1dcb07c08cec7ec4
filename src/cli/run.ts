/**
 * `npm run sim` without the process: parses argv, builds and runs the scenario, and writes the summary
 * or the JSON through `io`. Returns the exit code (0 ok, 1 a snapshot file that cannot be read, written
 * or restored, 2 usage error). Errors other than these (an engine exception) are thrown to the caller.
 */
import {
  formatSnapshotErrors,
  fromSnapshotJson,
  getScenario,
  SCENARIOS,
  Simulation,
  snapshotToText,
  type CompletedCheckpoint,
  type Scenario,
  type ScheduledFailure,
} from '../engine/index';
import { parseSimArgs, usage, UsageError, validateFailureTargets, type SimOptions } from './args';
import { ignoredFailures } from './ignoredFailures';
import { formatSummary, type SummaryInput } from './summary';
import { prepareSql, sqlJson, sqlSummary, SQL_SCENARIO } from './sql';

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** For `--restore FILE`; throws when the file cannot be read. */
  readFile?(path: string): string;
  /** For `--export FILE`; throws when the file cannot be written. */
  writeFile?(path: string, text: string): void;
}

/** A snapshot file that cannot be read, restored or written: reported without the usage, exit code 1. */
export class SnapshotFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotFileError';
  }
}

export function runCli(argv: readonly string[], io: CliIO): number {
  try {
    // --sql / --sql-file / --dump-table: statements without a job answer here; a query runs as 'sql'.
    const sql = prepareSql(argv, io);
    if (sql.exitCode !== undefined) return sql.exitCode;
    const parsed = sql.job
      ? parseSimArgs(sql.argv, [...Object.keys(SCENARIOS), SQL_SCENARIO])
      : parseSimArgs(sql.argv);
    if (parsed.help) {
      io.out(usage());
      return 0;
    }
    if (parsed.options.jobFile !== undefined && !parsed.options.job)
      throw new UsageError('--job needs the asynchronous entry point (runCliAsync)');
    return runParsed(parsed.options, io, undefined, sql.job ?? undefined);
  } catch (e) {
    return usageOrThrow(e, io);
  }
}

/**
 * The command line with `--job FILE` too: the job file is type-checked, compiled and built first
 * (src/cli/job.ts; building a program is asynchronous), then run as a scenario is.
 */
export async function runCliAsync(argv: readonly string[], io: CliIO): Promise<number> {
  let options: SimOptions;
  // A SQL statement (--sql / --sql-file / --dump-table) takes the synchronous path, which parses it.
  if (argv.some((a) => a === '--sql' || a === '--sql-file' || a === '--dump-table')) return runCli(argv, io);
  try {
    const parsed = parseSimArgs(argv);
    if (parsed.help) {
      io.out(usage());
      return 0;
    }
    options = parsed.options;
  } catch (e) {
    return usageOrThrow(e, io);
  }
  if (options.jobFile === undefined) return runCli(argv, io);
  const { loadJobFile, reportWatchdog, reportUserError } = await import('./job');
  const loaded = await loadJobFile(options, io);
  if (loaded === null) return 2;
  let code: number;
  let sim: Simulation | null = null;
  try {
    code = runParsed({ ...options, job: loaded.scenario }, io, (s) => (sim = s));
  } catch (e) {
    // User code the engine does not guard (e.g. snapshotState) threw out of the run: the file's error.
    if (reportUserError(loaded, e, io)) return 2;
    code = usageOrThrow(e, io);
  }
  // A user function the watchdog stopped is an error in the file, at its line: exit 2.
  return reportWatchdog(options.jobFile, loaded.watchdog, sim, io) ? 2 : code;
}

function usageOrThrow(e: unknown, io: CliIO): number {
  if (e instanceof SnapshotFileError) {
    io.err(`sim: ${e.message}\n`);
    return 1;
  }
  if (!(e instanceof UsageError)) throw e;
  io.err(`sim: ${e.message}\n\n${usage()}`);
  return 2;
}

/** The job the options name: the job file's, or the built-in scenario. */
export function scenarioOf(options: SimOptions): Scenario {
  return options.job ?? getScenario(options.scenario);
}

function runParsed(
  parsedOptions: SimOptions,
  io: CliIO,
  onSim?: (sim: Simulation) => void,
  /** A SQL query's job (--sql): its result table goes with the output. */
  sqlJob?: Parameters<typeof sqlJson>[1],
): number {
  try {
    const restored = parsedOptions.restoreFile !== undefined ? readSnapshot(parsedOptions, io) : undefined;
    const { sim, options } = prepare(parsedOptions, restored);
    onSim?.(sim);
    const savepoint = runWithSavepoint(sim, options);
    const exported =
      options.exportFile !== undefined ? writeSnapshot(sim, options.exportFile, io, savepoint) : null;
    if (options.json) {
      const result = sim.result();
      // The --fail requests that failed nothing (the run ended first, the task was restarting, ...).
      const ignored = ignoredFailures(options.failures, result, options.until, taskOf(sim));
      const extra = sqlJob ? { sql: sqlJson(sim, sqlJob) } : {};
      io.out(JSON.stringify({ ...result, ignoredFailures: ignored, ...extra }, null, 2) + '\n');
    } else {
      io.out(formatSummary(summaryInput(sim, options, restored)));
      if (sqlJob) io.out(sqlSummary(sim, sqlJob));
    }
    if (exported !== null) {
      const note = `Snapshot: checkpoint ${exported.checkpointId} (${exported.kind}) written to ${options.exportFile}\n`;
      if (options.json) io.err(note);
      else io.out(note);
    }
    return 0;
  } catch (e) {
    return usageOrThrow(e, io);
  }
}

/** A snapshot read from `--restore FILE` and validated against the scenario's job. */
export interface RestoredSnapshot {
  file: string;
  checkpoint: CompletedCheckpoint;
}

/** Reads and validates the `--restore` file; throws a SnapshotFileError listing every problem. */
export function readSnapshot(options: SimOptions, io: CliIO): RestoredSnapshot {
  const file = options.restoreFile as string;
  if (!io.readFile) throw new SnapshotFileError('--restore is not available here (no file access)');
  let text: string;
  try {
    text = io.readFile(file);
  } catch (e) {
    throw new SnapshotFileError(`cannot read snapshot ${file}: ${(e as Error).message}`);
  }
  const job = scenarioOf(options).build({
    mode: options.mode,
    backend: options.backend,
    parallelism: options.parallelism,
    unbounded: options.unbounded,
    chaining: options.chaining,
    ...options.playground,
  });
  const result = fromSnapshotJson(text, job);
  if (!result.ok) {
    const n = result.errors.length;
    throw new SnapshotFileError(
      `${file} cannot be restored into ${options.jobFile !== undefined ? 'job file' : 'scenario'} '${options.scenario}' (${n} problem${n === 1 ? '' : 's'}):\n` +
        formatSnapshotErrors(result.errors)
          .split('\n')
          .map((l) => `  ${l}`)
          .join('\n'),
    );
  }
  return { file, checkpoint: result.checkpoint };
}

/** The savepoint `--savepoint-at` asked for: when, and the ids that existed before it (to find it afterwards). */
export interface SavepointRequest {
  at: number;
  existing: Set<number>;
}

/**
 * Runs the simulation; with `--savepoint-at MS` in two parts: up to MS (with the failures due by
 * then), a savepoint triggered there (queued behind a running checkpoint if need be), then the rest.
 */
export function runWithSavepoint(sim: Simulation, options: SimOptions): SavepointRequest | null {
  const failures = failuresWithin(options.failures, options.until);
  const at = options.savepointAt;
  if (at === undefined) {
    sim.run(failures, options.until);
    return null;
  }
  sim.run(
    failures.filter((f) => f.at <= at),
    at,
  );
  const existing = new Set(sim.cluster.checkpointStorage.list(sim.job.name).map((c) => c.checkpointId));
  if (sim.cluster.jobStatus !== 'FAILED') sim.cluster.triggerSavepoint();
  sim.run(
    failures.filter((f) => f.at > at),
    options.until,
  );
  return { at, existing };
}

/**
 * Writes the latest completed checkpoint (or the restored snapshot, if none completed since) to
 * `file`; with `--savepoint-at`, the savepoint taken then.
 */
export function writeSnapshot(
  sim: Simulation,
  file: string,
  io: CliIO,
  savepoint: SavepointRequest | null = null,
): CompletedCheckpoint {
  const end = `the run ended at ${sim.cluster.now.toFixed(1)} ms`;
  let snapshot: CompletedCheckpoint | null;
  if (savepoint) {
    snapshot =
      sim.cluster.checkpointStorage
        .list(sim.job.name)
        .filter((c) => c.kind === 'savepoint' && !savepoint.existing.has(c.checkpointId))
        .pop() ?? null;
    if (!snapshot)
      throw new SnapshotFileError(
        `--export ${file}: the savepoint asked for at ${savepoint.at} ms did not complete (${end}` +
          (sim.cluster.jobStatus === 'FAILED' ? ', the job FAILED' : '') +
          '; see the checkpoint table)',
      );
  } else {
    snapshot = sim.cluster.coordinator.latestCompleted ?? sim.checkpointStorage.latest(sim.job.name);
    if (!snapshot)
      throw new SnapshotFileError(
        `--export ${file}: no completed checkpoint to export (${end}, before the first checkpoint completed)`,
      );
  }
  if (!io.writeFile) throw new SnapshotFileError('--export is not available here (no file access)');
  let text: string;
  try {
    text = snapshotToText(snapshot);
  } catch (e) {
    const incremental = /incremental/.test((e as Error).message);
    throw new SnapshotFileError(
      `cannot write snapshot ${file}: ${(e as Error).message}` +
        (incremental ? ` (add --savepoint-at MS: a savepoint taken at MS is exported instead)` : ''),
    );
  }
  try {
    io.writeFile(file, text);
  } catch (e) {
    throw new SnapshotFileError(`cannot write snapshot ${file}: ${(e as Error).message}`);
  }
  return snapshot;
}

/** Builds the job and the simulation, and checks the `--fail` targets against the job's tasks. */
export function prepare(
  options: SimOptions,
  restored?: RestoredSnapshot,
): { sim: Simulation; options: SimOptions } {
  const job = scenarioOf(options).build({
    mode: options.mode,
    backend: options.backend,
    parallelism: options.parallelism,
    unbounded: options.unbounded,
    chaining: options.chaining,
    ...options.playground,
  });
  const sim = new Simulation(job, {
    seed: options.seed,
    fastForward: true,
    restoreFrom: restored?.checkpoint,
    cluster: options.cluster,
  });
  // A task (`<head uid>#<i>`) or any operator subtask in it (`print#1`, chained into `count#1`).
  const operatorSubtasks = sim.cluster.chains.flatMap((c) =>
    c.operators.flatMap((v) => Array.from({ length: c.parallelism }, (_, i) => `${v.uid}#${i}`)),
  );
  validateFailureTargets(
    options.failures,
    [...new Set([...sim.cluster.taskIds(), ...operatorSubtasks])],
    job.name,
    sim.cluster.taskManagerInfo().length,
  );
  return { sim, options };
}

/**
 * Failures after `--until` cannot happen within the run, so they are not scheduled at all. (Passing
 * them to `Simulation.run` would be wrong: it runs up to every engine crash before looking at `until`.)
 */
export function failuresWithin(
  failures: readonly ScheduledFailure[],
  until: number | undefined,
): ScheduledFailure[] {
  return until === undefined ? [...failures] : failures.filter((f) => f.at <= until);
}

/** The task that runs an operator subtask (`print#1` → `count#1` when print is chained to count). */
export function taskOf(sim: Simulation): (target: string) => string {
  return (target) => {
    try {
      return sim.cluster.getTask(target).id;
    } catch {
      return target; // engine, taskmanager-<n>
    }
  };
}

export function summaryInput(
  sim: Simulation,
  options: SimOptions,
  restored?: RestoredSnapshot,
): SummaryInput {
  const sinkKinds: Record<string, string> = {};
  for (const [uid, table] of sim.external.tables) sinkKinds[uid] = table.kind;
  return {
    scenario: options.scenario,
    ...(options.jobFile !== undefined ? { jobFile: options.jobFile } : {}),
    seed: options.seed,
    until: options.until,
    requestedFailures: options.failures,
    operators: sim.job.vertices.map((v) => ({
      uid: v.uid,
      name: v.name,
      parallelism: v.parallelism,
      isSink: v.spec.kind === 'sink',
    })),
    sinkKinds,
    savepointIds: sim.cluster.checkpointStorage
      .list(sim.job.name)
      .filter((c) => c.kind === 'savepoint')
      .map((c) => c.checkpointId),
    result: sim.result(),
    taskOf: taskOf(sim),
    restoredFrom: restored
      ? {
          file: restored.file,
          checkpointId: restored.checkpoint.checkpointId,
          kind: restored.checkpoint.kind,
        }
      : undefined,
  };
}
