/**
 * Flink's `ExponentialDelayRestartBackoffTimeStrategy` (1.19+ / 2.x), the default with checkpointing:
 *
 * - attempt n (from 0) waits `max(initial, min(initial·multiplier^n + jitter, max))`, the jitter drawn
 *   uniformly from `[-offset, offset]` with `offset = (long)(initial·multiplier^n · jitterFactor)`:
 *   the jitter applies to the uncapped backoff, so once that is far above the maximum every delay is
 *   exactly the maximum (60 s from the 12th failure with the defaults);
 * - a failure that arrives while a restart is pending (`now <= nextRestartTimestamp`) is merged into
 *   it: no new attempt, the backoff does not grow, its tasks restart at the same time;
 * - after `resetBackoffThreshold` of running since the last restart, attempts count from 0 again;
 * - at most `attemptsBeforeResetBackoff` attempts (Flink's default: unlimited).
 *
 * Flink draws the jitter from `ThreadLocalRandom.nextLong(-offset, offset + 1)`; here `uniform()`
 * (the job's seeded random stream) gives u in [0, 1) and the jitter is `-offset + floor(u·(2·offset+1))`.
 */
import type { RestartBackoffTimeStrategy } from './RestartBackoffTimeStrategy';

export interface ExponentialDelayOptions {
  initialBackoffMs: number;
  maxBackoffMs: number;
  backoffMultiplier: number;
  resetBackoffThresholdMs: number;
  jitterFactor: number;
  /** Flink's `restart-strategy.exponential-delay.attempts-before-reset-backoff` (default Integer.MAX_VALUE). */
  attemptsBeforeResetBackoff?: number;
}

const DEFAULT_NEXT_RESTART_TIMESTAMP = -(2 ** 31); // Flink: Integer.MIN_VALUE

export class ExponentialDelayRestartBackoffTimeStrategy implements RestartBackoffTimeStrategy {
  private readonly o: Required<ExponentialDelayOptions>;
  private currentRestartAttempt = 0;
  private nextRestartTimestamp = DEFAULT_NEXT_RESTART_TIMESTAMP;
  /** The last attempt's time and backoff: virtual time is fractional, so `next - now` would not give it back exactly. */
  private lastAttemptAt = NaN;
  private lastBackoffMs = 0;

  constructor(
    options: ExponentialDelayOptions,
    private readonly uniform: () => number,
  ) {
    this.o = { attemptsBeforeResetBackoff: 2 ** 31 - 1, ...options };
    const o = this.o;
    if (!(o.initialBackoffMs >= 1)) throw new Error('Initial backoff must be at least 1.');
    if (!(o.maxBackoffMs >= 1)) throw new Error('Maximum backoff must be at least 1.');
    if (!(o.initialBackoffMs <= o.maxBackoffMs))
      throw new Error('Initial backoff cannot be higher than maximum backoff.');
    if (!(o.backoffMultiplier > 1)) throw new Error('Backoff multiplier must be greater than 1.');
    if (!(o.resetBackoffThresholdMs >= 1))
      throw new Error('Threshold duration for exponential backoff reset must be at least 1.');
    if (!(o.jitterFactor >= 0 && o.jitterFactor <= 1))
      throw new Error('Jitter factor must be >= 0 and <= 1.');
    if (!(o.attemptsBeforeResetBackoff >= 1))
      throw new Error('The attemptsBeforeResetBackoff must be at least 1.');
  }

  canRestart(): boolean {
    return this.currentRestartAttempt <= this.o.attemptsBeforeResetBackoff;
  }

  getBackoffTime(now: number): number {
    if (this.nextRestartTimestamp === DEFAULT_NEXT_RESTART_TIMESTAMP)
      throw new Error('Please call notifyFailure first.');
    if (now === this.lastAttemptAt) return this.lastBackoffMs;
    return Math.max(0, this.nextRestartTimestamp - now);
  }

  notifyFailure(now: number): boolean {
    // Merge failures into one attempt while tasks are still waiting to be restarted.
    if (now <= this.nextRestartTimestamp) return false;
    if (now - this.nextRestartTimestamp >= this.o.resetBackoffThresholdMs) this.currentRestartAttempt = 0;
    this.lastAttemptAt = now;
    this.lastBackoffMs = this.calculateActualBackoffTime();
    this.nextRestartTimestamp = now + this.lastBackoffMs;
    this.currentRestartAttempt++;
    return true;
  }

  private calculateActualBackoffTime(): number {
    const o = this.o;
    const current = Math.trunc(
      o.initialBackoffMs * Math.pow(o.backoffMultiplier, this.currentRestartAttempt),
    );
    return Math.max(
      o.initialBackoffMs,
      Math.min(current + this.calculateJitterBackoffMs(current), o.maxBackoffMs),
    );
  }

  private calculateJitterBackoffMs(currentBackoffMs: number): number {
    if (this.o.jitterFactor === 0) return 0;
    const offset = Math.trunc(currentBackoffMs * this.o.jitterFactor);
    return -offset + Math.floor(this.uniform() * (2 * offset + 1));
  }
}
