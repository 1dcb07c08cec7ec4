/**
 * Runs a compiled job file and collects the job it hands to `env.execute(name)` — what `flink run`
 * does with a jar's main(): it installs a context environment (Flink's
 * `StreamExecutionEnvironment.initializeContextEnvironment`) whose `execute` gives the job to the
 * runner instead of running it. 'stream-state-lab' resolves to the engine's public API.
 *
 * Errors, each a JobDiagnostic at a position in the user's file: a throw while building (where it was
 * thrown), `execute` never called, called twice, or only after an `await` (building a job is
 * synchronous, as a Flink main() is until `execute`), and the watchdog (a loop that never ends).
 */
import * as api from '../engine/index';
import {
  applyScenarioOptions,
  StreamExecutionEnvironment,
  type JobExecutionResult,
  type JobGraph,
  type Scenario,
  type ScenarioOptions,
} from '../engine/index';
import { originalPosition, sourceUrl, type CompiledJob } from './compileJob';
import type { JobDiagnostic } from './JobDiagnostic';
import { JobTimeoutError, Watchdog } from './watchdog';

/** The package name job files import the lab's API from. */
export const LAB_PACKAGE = 'stream-state-lab';

export interface BuildJobOptions {
  /** --mode, --parallelism, --backend, --unbounded…: applied to the environment at `execute`, as for a scenario. */
  scenario?: ScenarioOptions;
  /** The watchdog the program's guards report to (default: a new one with the default budget). */
  watchdog?: Watchdog;
}

export interface BuiltJob {
  ok: true;
  job: JobGraph;
  /** The name given to `env.execute(name)`. */
  jobName: string;
  /**
   * The job as a Scenario: `build(options)` runs the program again (up to `execute`, synchronously)
   * with other options — how the command line and the worker load any job. Its user functions
   * report to `watchdog`.
   */
  scenario: Scenario;
  /** After a run, `watchdog.timedOut` says whether (and where) a user function was stopped. */
  watchdog: Watchdog;
}

export type BuildResult = BuiltJob | { ok: false; diagnostic: JobDiagnostic };

/** Flink's `DetachedJobExecutionResult`: the runner runs the job later, so there are no results yet. */
function detachedResult(jobName: string): JobExecutionResult {
  const unavailable = (): never => {
    throw new Error(
      'Job was submitted in detached mode. Results of job execution, such as accumulators, runtime, etc. are not available.',
    );
  };
  return { getJobName: () => jobName, getNetRuntime: unavailable, getSimulationResult: unavailable };
}

/** V8 (Chromium, Node) keeps this many frames; the user's frame may sit below many of the engine's. */
const V8Error = Error as ErrorConstructor & { stackTraceLimit?: number };

interface Position {
  line: number;
  col: number;
}

interface ExecuteCall {
  jobName: string;
  /** Called before the program's first await returned. */
  synchronous: boolean;
  at: Position | null;
  job: JobGraph | null;
}

interface Evaluation {
  calls: ExecuteCall[];
  /** Where the first environment was created (`getExecutionEnvironment()`). */
  envAt: Position | null;
  /** The program's end: resolves with the error it threw, or null. */
  done: Promise<unknown>;
}

/** The position in the user's file of the innermost stack frame in it. */
export function positionInJobFile(compiled: CompiledJob, stack: string | undefined): Position | null {
  if (!stack) return null;
  const url = sourceUrl(compiled.fileName).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const frame = new RegExp(`${url}:(\\d+):(\\d+)`, 'g');
  for (const m of stack.matchAll(frame)) {
    const p = originalPosition(compiled, Number(m[1]), Number(m[2]));
    if (p) return p;
  }
  return null;
}

/**
 * The user's own error inside the engine's wrapper: an operator chained behind another runs inside
 * its predecessor's `collect`, and the engine wraps what it throws (Flink's
 * ExceptionInChainedOperatorException, `{ vertex, error }`). The wrapper's stack ends in the
 * predecessor's `out.collect(…)` call: reported as such, the position was the caller's, not the throw.
 */
function userError(error: unknown): unknown {
  let e = error;
  while (e instanceof Error && 'vertex' in e && 'error' in e) e = e.error;
  return e;
}

/**
 * A diagnostic for an error thrown by the user's code (e.g. `Watchdog.lastError` after a task
 * failure): at the innermost frame in the user's file, or at 1:1 if its stack has none.
 */
export function errorDiagnostic(
  compiled: CompiledJob,
  error: unknown,
  phase: JobDiagnostic['phase'] = 'runtime',
): JobDiagnostic {
  if (error instanceof JobTimeoutError)
    return { file: compiled.fileName, line: error.line, col: error.col, message: error.message, phase };
  const thrown = userError(error);
  if (thrown !== error) return errorDiagnostic(compiled, thrown, phase);
  const e = error instanceof Error ? error : new Error(String(error));
  const at = positionInJobFile(compiled, e.stack);
  const name = e.name && e.name !== 'Error' ? `${e.name}: ` : '';
  return {
    file: compiled.fileName,
    line: at?.line ?? 1,
    col: at?.col ?? 1,
    message: `${name}${e.message}`,
    phase,
  };
}

function callerPosition(compiled: CompiledJob): Position | null {
  const limit = V8Error.stackTraceLimit;
  V8Error.stackTraceLimit = 100;
  try {
    return positionInJobFile(compiled, new Error().stack);
  } finally {
    V8Error.stackTraceLimit = limit;
  }
}

function evaluate(compiled: CompiledJob, options: ScenarioOptions, watchdog: Watchdog): Evaluation {
  const ev: Evaluation = { calls: [], envAt: null, done: Promise.resolve(null) };
  let synchronous = true;
  const executor = (env: StreamExecutionEnvironment, jobName: string): Promise<JobExecutionResult> => {
    const call: ExecuteCall = { jobName, synchronous, at: callerPosition(compiled), job: null };
    ev.calls.push(call);
    // Only the first job counts; a second call is reported by the build.
    if (ev.calls.length === 1) {
      applyScenarioOptions(env, options);
      call.job = env.getJobGraph(jobName);
    }
    return Promise.resolve(detachedResult(jobName));
  };
  const require = (name: string): unknown => {
    if (name === LAB_PACKAGE) return api;
    throw new Error(`a job file can import only '${LAB_PACKAGE}' (the lab's API), not '${name}'`);
  };
  StreamExecutionEnvironment.initializeContextEnvironment(() => {
    ev.envAt ??= callerPosition(compiled);
    return new StreamExecutionEnvironment(executor);
  });
  const limit = V8Error.stackTraceLimit;
  V8Error.stackTraceLimit = 100;
  watchdog.begin();
  try {
    // Indirect eval: global scope, and the program's first line is the file's first line.
    const program = (0, eval)(compiled.code) as (req: typeof require, wd: Watchdog) => Promise<void>;
    ev.done = program(require, watchdog).then(
      () => null,
      (e: unknown) => e ?? new Error(String(e)),
    );
  } catch (e) {
    ev.done = Promise.resolve(e);
  } finally {
    watchdog.end();
    synchronous = false;
    V8Error.stackTraceLimit = limit;
  }
  return ev;
}

/** One build at a time: the context environment is process-wide, as in Flink. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs the program and returns the job it executes, with `options` applied (as a scenario's). Waits
 * for the program to end (it may `await env.execute(…)` and go on) but not for timers: a program still
 * waiting when every pending promise job has run is reported.
 */
export function buildJob(
  compiled: CompiledJob,
  fileName: string = compiled.fileName,
  options: BuildJobOptions = {},
): Promise<BuildResult> {
  // Positions are found through the compiled code's own source URL; `fileName` only names the file.
  const run = queue
    .then(() => buildNow(compiled, options))
    .then((r): BuildResult => (r.ok ? r : { ok: false, diagnostic: { ...r.diagnostic, file: fileName } }));
  queue = run.catch(() => undefined);
  return run;
}

async function buildNow(compiled: CompiledJob, options: BuildJobOptions): Promise<BuildResult> {
  const watchdog = options.watchdog ?? new Watchdog();
  const scenarioOptions = options.scenario ?? {};
  const fail = (at: Position | null, message: string): BuildResult => ({
    ok: false,
    diagnostic: { file: compiled.fileName, line: at?.line ?? 1, col: at?.col ?? 1, message, phase: 'build' },
  });
  const ev = evaluate(compiled, scenarioOptions, watchdog);
  // Every promise job runs before a new task (macrotask): after one, the program has ended or is
  // waiting on a timer or a promise nobody resolves. The context environment stays installed until
  // then (a second execute() after an await goes to this build too).
  const error = await Promise.race([
    ev.done,
    new Promise<'waiting'>((r) => setTimeout(() => r('waiting'), 0)),
  ]).finally(() => StreamExecutionEnvironment.resetContextEnvironment());
  // A throw (or the watchdog) while building: where it happened in the file.
  if (error !== null && error !== 'waiting')
    return { ok: false, diagnostic: errorDiagnostic(compiled, error, 'build') };
  const [first, second] = ev.calls;
  if (second)
    return fail(
      second.at,
      `env.execute() called a second time ('${second.jobName}'; the first, '${first.jobName}', at line ${first.at?.line ?? '?'}): a job file describes one job`,
    );
  if (!first)
    return fail(
      ev.envAt,
      error === 'waiting'
        ? 'the program is still waiting (a timer, or a promise that never resolves) and never called env.execute(name)'
        : 'the program never called env.execute(name): nothing hands the job to the runner',
    );
  if (!first.synchronous || !first.job)
    return fail(
      first.at,
      'env.execute() was reached only after an await: build the job and call execute without awaiting anything before it, as a Flink main() does',
    );
  const job = first.job;
  const scenario: Scenario = {
    name: compiled.fileName.replace(/^.*[\\/]/, ''),
    description: `job file ${compiled.fileName} (${first.jobName})`,
    build: (opts?: ScenarioOptions) => rebuild(compiled, opts ?? {}, watchdog),
  };
  return { ok: true, job, jobName: first.jobName, scenario, watchdog };
}

/** The synchronous rebuild behind `BuiltJob.scenario.build` (the program was checked by buildJob). */
function rebuild(compiled: CompiledJob, options: ScenarioOptions, watchdog: Watchdog): JobGraph {
  const ev = evaluate(compiled, options, watchdog);
  StreamExecutionEnvironment.resetContextEnvironment();
  const first = ev.calls[0];
  if (!first?.job)
    throw new Error(`${compiled.fileName}: the program did not call env.execute() on rebuilding`);
  return first.job;
}
