/**
 * Pure helpers of the output panel: how a sink value is shown, what the checker's verdict means in
 * numbers, and a throttle that keeps sink-report requests to a few per second while the job plays.
 */
import type { ExactlyOnceCheck } from '../../../worker/protocol';

/** A sink value as compact JSON (["be", 2]); strings quoted, undefined and functions spelled out. */
export function formatValue(value: unknown, maxChars = 120): string {
  let text: string;
  if (value === undefined) text = 'undefined';
  else {
    try {
      text =
        JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text;
}

export type Verdict = ExactlyOnceCheck['verdict'];

/** The banner's tone: good (green), neutral (blue: nothing wrong yet), bad (vermillion). */
export function verdictTone(verdict: Verdict): 'good' | 'neutral' | 'bad' {
  if (verdict === 'exactly-once') return 'good';
  if (verdict === 'so-far-so-good') return 'neutral';
  return 'bad';
}

/**
 * How many distinct values (rows) the checker found wrong, by kind: repeated (the failure-free run
 * writes the row too, fewer times), over-counted (it never writes that value), missing (0 while the
 * run goes on). `dups` = repeated + over-counted.
 */
export function verdictCounts(check: ExactlyOnceCheck): {
  dups: number;
  repeated: number;
  overCounts: number;
  missing: number;
} {
  const overCounts = check.overCounts?.length ?? check.duplicates.filter((d) => d.expected === 0).length;
  const repeated = check.repeated?.length ?? check.duplicates.length - overCounts;
  return { dups: check.duplicates.length, repeated, overCounts, missing: check.missing?.length ?? 0 };
}

export interface ThrottleClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: ThrottleClock = {
  now: () => (typeof performance !== 'undefined' ? performance.now() : Date.now()),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * Runs `task` on request, at most once per `intervalMs`, never two at a time; requests that come
 * while waiting or running are merged into one run afterwards (so the last state is always fetched).
 */
export class Throttle {
  private lastStart = -Infinity;
  private running = false;
  private dirty = false;
  private timer: unknown = null;
  private disposed = false;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly clock: ThrottleClock = realClock,
  ) {}

  request(): void {
    if (this.disposed) return;
    this.dirty = true;
    this.schedule();
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.running || this.timer !== null || !this.dirty || this.disposed) return;
    const wait = this.lastStart + this.intervalMs - this.clock.now();
    if (wait <= 0) void this.run();
    else
      this.timer = this.clock.setTimeout(() => {
        this.timer = null;
        this.schedule();
      }, wait);
  }

  private async run(): Promise<void> {
    this.dirty = false;
    this.running = true;
    this.lastStart = this.clock.now();
    try {
      await this.task();
    } catch {
      // the task reports its own errors
    } finally {
      this.running = false;
      this.schedule();
    }
  }
}
