/**
 * `npm run sim -- --job FILE`: the job file is type-checked (TypeScript compiler, against the engine's
 * real types), compiled and built (src/jobs) with the command line's options, then runs as a scenario.
 * Every mistake in the file is printed as `FILE:LINE:COL: message` on stderr (exit 2).
 */
import { renderEnglish, isMessage, type Scenario, type Simulation } from '../engine/index';
import {
  buildJob,
  compileJob,
  errorDiagnostic,
  formatDiagnostic,
  JobTimeoutError,
  positionInJobFile,
  Watchdog,
  type CompiledJob,
  type JobDiagnostic,
} from '../jobs/index';
import { typecheckJob } from '../jobs/typecheck';
import type { SimOptions } from './args';
import type { CliIO } from './run';

export interface LoadedJob {
  compiled: CompiledJob;
  scenario: Scenario;
  watchdog: Watchdog;
}

function report(diagnostics: readonly JobDiagnostic[], io: CliIO): null {
  for (const d of diagnostics) io.err(formatDiagnostic(d) + '\n');
  return null;
}

/** Reads, checks, compiles and builds the job file; null (reported) when it has a mistake. */
export async function loadJobFile(options: SimOptions, io: CliIO): Promise<LoadedJob | null> {
  const file = options.jobFile as string;
  let source: string;
  try {
    if (!io.readFile) throw new Error('no file access here');
    source = io.readFile(file);
  } catch (e) {
    io.err(`sim: cannot read job file ${file}: ${(e as Error).message}\n`);
    return null;
  }
  const typeErrors = typecheckJob(file, source);
  if (typeErrors.length > 0) return report(typeErrors, io);
  const compiled = compileJob(source, file);
  if (!compiled.ok) return report(compiled.diagnostics, io);
  const built = await buildJob(compiled, file, {
    scenario: {
      mode: options.mode,
      backend: options.backend,
      parallelism: options.parallelism,
      unbounded: options.unbounded,
    },
    watchdog: new Watchdog(),
  });
  if (!built.ok) return report([built.diagnostic], io);
  return { compiled, scenario: built.scenario, watchdog: built.watchdog };
}

/**
 * After the run: a user function the watchdog stopped (the job FAILED without restarting) is reported
 * at its line, naming the operator it ran in. True when there was one.
 */
export function reportWatchdog(file: string, watchdog: Watchdog, sim: Simulation | null, io: CliIO): boolean {
  const e = watchdog.timedOut;
  if (!e) return false;
  const failure = sim?.failures.find((f) => {
    const error = f.reason.params.error;
    return isMessage(error) && renderEnglish(error).startsWith('JobTimeoutError');
  });
  const where = failure
    ? ` (in ${String(failure.reason.params.operator)}, subtask ${String(failure.reason.params.task)}: the job FAILED)`
    : '';
  io.err(
    formatDiagnostic({ file, line: e.line, col: e.col, message: e.message + where, phase: 'runtime' }) + '\n',
  );
  return true;
}

/**
 * An error that escaped the run from user code the engine calls without a guard of its own: reported
 * at its line in the file (true), or left to the caller when it did not come from the file (false).
 */
export function reportUserError(loaded: LoadedJob, e: unknown, io: CliIO): boolean {
  const fromFile =
    e instanceof JobTimeoutError ||
    (e instanceof Error && positionInJobFile(loaded.compiled, e.stack) !== null);
  if (!fromFile) return false;
  io.err(formatDiagnostic(errorDiagnostic(loaded.compiled, e)) + '\n');
  return true;
}
