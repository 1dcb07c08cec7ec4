/**
 * The restart decision of Flink's `ExecutionFailureHandler.handleFailure`: notify the strategy, ask
 * whether it can restart, and if so after what delay. A failure merged into a pending restart
 * (`isNewAttempt` false) does not count as a restart.
 */
import type { RestartStrategyConfig } from '../api/JobGraph';
import type { Random } from '../runtime/Random';
import {
  createRestartBackoffTimeStrategy,
  type RestartBackoffTimeStrategy,
} from './RestartBackoffTimeStrategy';

export interface FailureHandlingResult {
  /** Delay until the restart, or null when recovery is suppressed and the job fails. */
  restartDelayMs: number | null;
  /** False when the failure was merged into a restart already pending (no new attempt). */
  isNewAttempt: boolean;
}

export class ExecutionFailureHandler {
  private readonly strategy: RestartBackoffTimeStrategy;
  private failures = 0;
  private restarts = 0;

  constructor(
    readonly config: RestartStrategyConfig,
    random: Random,
  ) {
    this.strategy = createRestartBackoffTimeStrategy(config, random);
  }

  handleFailure(now: number): FailureHandlingResult {
    this.failures++;
    const isNewAttempt = this.strategy.notifyFailure(now);
    if (!this.strategy.canRestart(now)) return { restartDelayMs: null, isNewAttempt };
    if (isNewAttempt) this.restarts++;
    return { restartDelayMs: this.strategy.getBackoffTime(now), isNewAttempt };
  }

  /** Records a failure at `now`; returns the delay before restart, or null when the job must fail. */
  notifyFailure(now: number): number | null {
    return this.handleFailure(now).restartDelayMs;
  }

  /** Every failure handled so far, merged ones included. */
  get numberOfFailures(): number {
    return this.failures;
  }

  /** Restart attempts so far (Flink's `numberOfRestarts`): failures merged into a pending restart do not count. */
  get numberOfRestarts(): number {
    return this.restarts;
  }
}
