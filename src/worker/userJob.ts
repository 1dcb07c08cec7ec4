/**
 * Jobs written by the learner (the editor's Run), in the engine worker: a job file compiled and built
 * with src/jobs (the same code `npm run sim -- --job` uses), kept as a Scenario so that everything that
 * builds a scenario — a load, a replay, a restore, the exactly-once checker's reference run — builds it
 * the same way; and the watchdog's report when it stopped a user function.
 *
 * User code runs only here, in the engine worker: never on the page.
 */
import type { Scenario, TraceEvent } from '../engine/index';
import { buildJob, compileJob, type BuiltJob } from '../jobs/index';
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
  private current: { key: string; built: BuiltJob } | null = null;
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
    this.current = { key, built };
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
   * The watchdog's report, once: it stopped a user function that ran too long (the engine failed the
   * job without a restart, naming the operator). Null when nothing new tripped.
   */
  takeWatchdogTrip(events: readonly TraceEvent[]): JobDiagnostic | null {
    const built = this.current?.built;
    const timeout = built?.watchdog.timedOut;
    if (!built || !timeout || timeout === this.reported) return null;
    this.reported = timeout;
    return withOperator(
      {
        file: built.scenario.name,
        line: timeout.line,
        col: timeout.col,
        message: timeout.message,
        phase: 'runtime',
      },
      events,
    );
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
