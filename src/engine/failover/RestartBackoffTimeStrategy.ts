/**
 * Flink's `RestartBackoffTimeStrategy`: told of every failure, it says whether the job may restart
 * and after what delay. `ExecutionFailureHandler` asks it in Flink's order: `notifyFailure`, then
 * `canRestart`, then `getBackoffTime`. Time is the simulator's virtual clock (Flink's `Clock`).
 */
import type { RestartStrategyConfig } from '../api/JobGraph';
import type { Random } from '../runtime/Random';
import { ExponentialDelayRestartBackoffTimeStrategy } from './ExponentialDelayRestartBackoffTimeStrategy';
import { FailureRateRestartBackoffTimeStrategy } from './FailureRateRestartBackoffTimeStrategy';
import { FixedDelayRestartBackoffTimeStrategy } from './FixedDelayRestartBackoffTimeStrategy';
import { NoRestartBackoffTimeStrategy } from './NoRestartBackoffTimeStrategy';

export interface RestartBackoffTimeStrategy {
  /** Whether the failure just notified may be recovered by a restart. */
  canRestart(now: number): boolean;
  /** The delay until the restart, from `now`. */
  getBackoffTime(now: number): number;
  /**
   * Records a failure at `now`. Returns false when it is merged into the restart already pending
   * (exponential-delay: it arrived during the backoff), true when it starts a new restart attempt.
   */
  notifyFailure(now: number): boolean;
}

/** Flink's `RestartBackoffTimeStrategyFactoryLoader`: the strategy a job's configuration names. */
export function createRestartBackoffTimeStrategy(
  config: RestartStrategyConfig,
  random: Random,
): RestartBackoffTimeStrategy {
  switch (config.type) {
    case 'none':
      return new NoRestartBackoffTimeStrategy();
    case 'fixed-delay':
      return new FixedDelayRestartBackoffTimeStrategy(config.attempts, config.delayMs);
    case 'failure-rate':
      return new FailureRateRestartBackoffTimeStrategy(
        config.maxFailuresPerInterval,
        config.failureRateIntervalMs,
        config.delayMs,
      );
    case 'exponential-delay':
      return new ExponentialDelayRestartBackoffTimeStrategy(
        {
          initialBackoffMs: config.initialBackoffMs,
          maxBackoffMs: config.maxBackoffMs,
          backoffMultiplier: config.backoffMultiplier,
          resetBackoffThresholdMs: config.resetBackoffThresholdMs,
          jitterFactor: config.jitterFactor,
        },
        () => random.next(),
      );
  }
}
