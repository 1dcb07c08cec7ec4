/**
 * Jobs written by the learner (the editor's Run), in the engine worker: a job file compiled and built
 * with src/jobs (the same code `npm run sim -- --job` uses), kept as a Scenario so that everything that
 * builds a scenario — a load, a replay, a restore, the exactly-once checker's reference run — builds it
 * the same way; and the watchdog's report when it stopped a user function.
 *
 * User code runs only here, in the engine worker: never on the page.
 */
import type { Scenario, TraceEvent } from '../engine/index';
import {
  JobTimeoutError,
  buildJob,
  compileJob,
  errorDiagnostic,
  type BuiltJob,
  type CompiledJob,
} from '../jobs/index';
import type { JobDiagnostic, UserJobSource } from './protocol';

/** A build that failed: the diagnostics travel to the page (`UserJobLoadResult`). */
export class UserJobBuildError extends Error {
  constructor(readonly diagnostics: JobDiagnostic[]) {
    super(diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.message}`).join('\n'));
    this.name = 'UserJobBuildError';
  }
}

/** The job files built in this worker, by file name and source (the latest one only). */
export class UserJobs {
  private current: { key: string; compiled: CompiledJob; built: BuiltJob } | null = null;
  private reported: unknown = null;

  /**
   * Compiles and builds the file (once per source): its scenario, or the diagnostics of the compile
   * or the build (syntax, a throw while building, `execute` missing or twice, the watchdog).
   */
  async prepare(job: UserJobSource): Promise<Scenario> {
    const key = `${job.fileName}\n${job.source}`;
    if (this.current?.key === key) return this.current.built.scenario;
    const compiled = compileJob(job.source, job.fileName);
    if (!compiled.ok) throw new UserJobBuildError(compiled.diagnostics);
    const built = await buildJob(compiled, job.fileName);
    if (!built.ok) throw new UserJobBuildError([built.diagnostic]);
    this.current = { key, compiled, built };
    this.reported = null;
    return built.scenario;
  }

  /** The prepared scenario of this file (prepare() must have run for this source). */
  scenario(job: UserJobSource): Scenario {
    const key = `${job.fileName}\n${job.source}`;
    if (this.current?.key !== key)
      throw new Error(`${job.fileName}: the job file was not built in this worker`);
    return this.current.built.scenario;
  }

  /**
   * The latest error of the user's code while the job ran, once, at its `line:col` in the file: a
   * function that threw (the engine failed the task and restarts it), or one the watchdog stopped
   * (`stopped`: the engine failed the job without a restart), with the operator named. Null when
   * nothing new happened.
   */
  takeRuntimeError(events: readonly TraceEvent[]): { diagnostic: JobDiagnostic; stopped: boolean } | null {
    const current = this.current;
    if (!current) return null;
    const { watchdog } = current.built;
    const error =
      watchdog.timedOut && watchdog.timedOut !== this.reported ? watchdog.timedOut : watchdog.lastError;
    if (!error || error === this.reported) return null;
    this.reported = error;
    // A chained operator's error comes wrapped ("Could not forward element to next operator"): the
    // user's own error is the innermost cause.
    let cause: unknown = error;
    for (;;) {
      if (cause instanceof Error && 'vertex' in cause && 'error' in cause) cause = cause.error;
      else if (cause instanceof Error && cause.cause !== undefined) cause = cause.cause;
      else break;
    }
    return {
      diagnostic: withOperator(errorDiagnostic(current.compiled, cause, 'runtime'), events),
      stopped: error instanceof JobTimeoutError,
    };
  }
}

/**
 * The watchdog's diagnostic with the operator it stopped, from the task failure the engine traced for
 * it (the guard's error went through the operator as any exception of a user function does).
 */
export function withOperator(trip: JobDiagnostic, events: readonly TraceEvent[]): JobDiagnostic {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.type !== 'task-failed') continue;
    const operator = e.reason.params?.operator;
    if (typeof operator === 'string') return { ...trip, message: `${operator} (${e.task}): ${trip.message}` };
    return trip;
  }
  return trip;
}
