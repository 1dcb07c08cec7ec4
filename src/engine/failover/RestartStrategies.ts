/**
 * Restart strategies with Flink's names and defaults (RestartStrategyOptions). With checkpointing on
 * and no strategy set, Flink uses exponential-delay: 1 s initial, x1.5, max 1 min, reset after 1 h
 * without failure, jitter 0.1.
 */
import type { RestartStrategyConfig } from '../api/JobGraph';
import type { Random } from '../runtime/Random';

export const RestartStrategies = {
  noRestart(): RestartStrategyConfig {
    return { type: 'none' };
  },
  fixedDelayRestart(attempts: number, delayMs = 1000): RestartStrategyConfig {
    return { type: 'fixed-delay', attempts, delayMs };
  },
  failureRateRestart(
    maxFailuresPerInterval: number,
    failureRateIntervalMs: number,
    delayMs = 1000,
  ): RestartStrategyConfig {
    return { type: 'failure-rate', maxFailuresPerInterval, failureRateIntervalMs, delayMs };
  },
  exponentialDelayRestart(
    patch: Partial<Omit<Extract<RestartStrategyConfig, { type: 'exponential-delay' }>, 'type'>> = {},
  ): RestartStrategyConfig {
    return {
      type: 'exponential-delay',
      initialBackoffMs: 1000,
      backoffMultiplier: 1.5,
      maxBackoffMs: 60_000,
      resetBackoffThresholdMs: 3_600_000,
      jitterFactor: 0.1,
      ...patch,
    };
  },
};

/** Decides, at each failure, whether to restart and after what delay (Flink's RestartBackoffTimeStrategy). */
export class RestartBackoffTimeStrategy {
  private failures = 0;
  private failureTimes: number[] = [];
  private currentBackoff = 0;
  private lastRestartAt = -Infinity;

  constructor(
    readonly config: RestartStrategyConfig,
    private readonly random: Random,
  ) {}

  /** Records a failure at `now`; returns the delay before restart, or null when the job must fail. */
  notifyFailure(now: number): number | null {
    const c = this.config;
    this.failures++;
    switch (c.type) {
      case 'none':
        return null;
      case 'fixed-delay':
        return this.failures <= c.attempts ? c.delayMs : null;
      case 'failure-rate': {
        this.failureTimes.push(now);
        this.failureTimes = this.failureTimes.filter((t) => now - t < c.failureRateIntervalMs);
        return this.failureTimes.length <= c.maxFailuresPerInterval ? c.delayMs : null;
      }
      case 'exponential-delay': {
        // Reset after the job ran stably (since its last restart) for the threshold.
        if (this.currentBackoff === 0 || now - this.lastRestartAt >= c.resetBackoffThresholdMs) {
          this.currentBackoff = c.initialBackoffMs;
        } else {
          this.currentBackoff = Math.min(this.currentBackoff * c.backoffMultiplier, c.maxBackoffMs);
        }
        // Flink: jitter, then clamp to [initial, max].
        const jitter = this.currentBackoff * c.jitterFactor * (this.random.next() * 2 - 1);
        const delay = Math.max(
          c.initialBackoffMs,
          Math.min(Math.round(this.currentBackoff + jitter), c.maxBackoffMs),
        );
        this.lastRestartAt = now + delay;
        return delay;
      }
    }
  }

  get numberOfFailures(): number {
    return this.failures;
  }
}
