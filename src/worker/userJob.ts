/**
 * Jobs written by the learner (the editor's Run): how the engine worker turns a job file into a
 * JobGraph, and how it stops one that a loop guard caught. The compiler and builder themselves are
 * src/jobs (shared with `npm run sim -- --job`); the worker's entry point plugs them in as a
 * `UserJobBuilder`, so that EngineHost (and its Node tests) need not import them.
 *
 * User code runs only here, in the engine worker: never on the page.
 */
import type { JobGraph, Scenario, ScenarioOptions, TraceEvent } from '../engine/index';
import type { JobDiagnostic, UserJobSource } from './protocol';

export interface UserJobBuilder {
  /**
   * Compiles (cached per source) and builds the job file with the lab's scenario options applied.
   * Must be deterministic: the worker builds the same job again for a replay, a restore or the
   * exactly-once checker's reference run.
   */
  build(job: UserJobSource, options: ScenarioOptions): { ok: true; job: JobGraph } | { ok: false; diagnostics: JobDiagnostic[] };
  /**
   * The loop guard's report, once: a user function that ran too long threw (the engine failed the
   * task with that error). Null when nothing tripped since the last call.
   */
  takeLoopGuardTrip?(): JobDiagnostic | null;
}

/** A build that failed: the diagnostics travel to the page (`UserJobLoadResult`). */
export class UserJobBuildError extends Error {
  constructor(readonly diagnostics: JobDiagnostic[]) {
    super(diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.message}`).join('\n'));
    this.name = 'UserJobBuildError';
  }
}

/** A job file as a Scenario, so that everything that builds a scenario builds it the same way. */
export function userJobScenario(builder: UserJobBuilder | undefined, name: string, job: UserJobSource): Scenario {
  return {
    name,
    description: job.fileName,
    build(options?: ScenarioOptions): JobGraph {
      if (!builder)
        throw new UserJobBuildError([
          { file: job.fileName, line: 1, col: 1, message: 'this engine cannot build job files', phase: 'build' },
        ]);
      const result = builder.build(job, options ?? {});
      if (!result.ok) throw new UserJobBuildError(result.diagnostics);
      return result.job;
    },
  };
}

/**
 * The loop guard's diagnostic with the operator it stopped, from the task failure the engine traced
 * for it (the guard's error went through the operator as any exception of a user function does).
 */
export function withOperator(trip: JobDiagnostic, events: readonly TraceEvent[]): JobDiagnostic {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.type !== 'task-failed') continue;
    const operator = e.reason.params?.operator;
    if (typeof operator === 'string' && !trip.message.includes(operator))
      return { ...trip, message: `${operator} (${e.task}): ${trip.message}` };
    return trip;
  }
  return trip;
}
