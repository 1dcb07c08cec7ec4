/**
 * The watchdog in a job file's code. `compileJob` puts a guard into every loop and every function
 * body of the user's code (as CodePen's and JS Bin's loop protection do); the guards call this object.
 * A "user call" starts when the engine (or the runner, for the program itself) calls into user code
 * and ends when that call returns; a guard that finds the current call running longer than the
 * budget throws a `JobTimeoutError`. That is a `SuppressRestartsException`: the engine fails the job
 * at once, naming the operator, instead of restarting into the same endless loop; stored checkpoints
 * are untouched (the job stops; nothing is written).
 */
import { SuppressRestartsException } from '../engine/index';

/** Wall time a single call into user code may take (a few seconds: a job's functions take microseconds). */
export const DEFAULT_WATCHDOG_BUDGET_MS = 3000;

export class JobTimeoutError extends SuppressRestartsException {
  constructor(
    message: string,
    /** Where in the user's file the guard fired (1-based): the loop or function that was running. */
    readonly line: number,
    readonly col: number,
  ) {
    super(message);
    this.name = 'JobTimeoutError';
  }
}

/** How often (in guard hits) a loop guard reads the clock: reading it every iteration costs too much. */
const CHECK_EVERY = 1024;

const now: () => number = typeof performance !== 'undefined' ? () => performance.now() : () => Date.now();

export class Watchdog {
  /** The first timeout, kept for whoever runs the job (the CLI reports its position). */
  timedOut: JobTimeoutError | null = null;
  /**
   * The last error a user function threw back to its caller outside the user's code (the engine):
   * with its stack, `errorDiagnostic` finds the line in the user's file (the engine's failure record
   * keeps only the message).
   */
  lastError: unknown = null;
  private depth = 0;
  private start = 0;
  private hits = 0;
  /** Set when a guard fired; every guard throws again until the call has unwound (a `catch` in user code cannot swallow it). */
  private tripped = false;

  constructor(public budgetMs: number = DEFAULT_WATCHDOG_BUDGET_MS) {}

  /** The runner starts a user call itself (the program's top level while it is built). */
  begin(): void {
    if (this.depth++ === 0) this.start = now();
  }

  end(): void {
    if (this.depth > 0 && --this.depth === 0) this.tripped = false;
  }

  /** Guard at the entry of a (synchronous) user function: a call from the engine starts the clock. */
  e(line: number, col: number): void {
    if (this.depth++ === 0) {
      this.start = now();
      return;
    }
    this.l(line, col);
  }

  /** Guard at the exit of a user function (in a `finally`). */
  x(): void {
    if (this.depth > 0 && --this.depth === 0) this.tripped = false;
  }

  /** An error leaving a guarded function (its `catch`): kept when it leaves the user's code. */
  t(e: unknown): unknown {
    if (this.depth === 1) this.lastError = e;
    return e;
  }

  /** Guard in a loop body (and in async functions and generators, which may resume later). */
  l(line: number, col: number): void {
    if (++this.hits % CHECK_EVERY !== 0 && !this.tripped) return;
    const elapsed = now() - this.start;
    if (!this.tripped && elapsed <= this.budgetMs) return;
    this.tripped = true;
    const e = new JobTimeoutError(
      `JobTimeoutError: the watchdog stopped user code at line ${line}:${col} after it ran ` +
        `${Math.round(elapsed)} ms in one call (budget ${this.budgetMs} ms): a loop that never ends?`,
      line,
      col,
    );
    this.timedOut ??= e;
    throw e;
  }
}
