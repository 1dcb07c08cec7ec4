/**
 * Job files: a job is a program (issue 14). Compile (sucrase, with the watchdog's guards), build
 * (run it, collect the job given to `env.execute`), report errors at the user's line and column.
 * Not part of the engine: the engine only knows jobs, not how a program becomes one. The type check
 * with the TypeScript compiler is Node-only: `src/jobs/typecheck.ts`.
 */
export { compileJob, originalPosition, type CompiledJob, type CompileResult } from './compileJob';
export {
  buildJob,
  errorDiagnostic,
  positionInJobFile,
  LAB_PACKAGE,
  type BuildJobOptions,
  type BuildResult,
  type BuiltJob,
} from './buildJob';
export { formatDiagnostic, type JobDiagnostic } from './JobDiagnostic';
export { Watchdog, JobTimeoutError, DEFAULT_WATCHDOG_BUDGET_MS } from './watchdog';
