/**
 * Restart strategies with Flink's names and defaults (RestartStrategyOptions). With checkpointing on
 * and no strategy set, Flink uses exponential-delay: 1 s initial, x1.5, max 1 min, reset after 1 h
 * without failure, jitter 0.1. The strategies themselves are the *RestartBackoffTimeStrategy files
 * next to this one; `ExecutionFailureHandler` asks them at each failure.
 */
import type { RestartStrategyConfig } from '../api/JobGraph';

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
