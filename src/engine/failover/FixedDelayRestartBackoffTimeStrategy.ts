/** Flink's `FixedDelayRestartBackoffTimeStrategy`: up to `maxNumberRestartAttempts` restarts, each after the same delay. */
import type { RestartBackoffTimeStrategy } from './RestartBackoffTimeStrategy';

export class FixedDelayRestartBackoffTimeStrategy implements RestartBackoffTimeStrategy {
  private currentRestartAttempt = 0;

  constructor(
    private readonly maxNumberRestartAttempts: number,
    private readonly backoffTimeMs: number,
  ) {
    if (!(maxNumberRestartAttempts >= 0))
      throw new Error('Maximum number of restart attempts must be at least 0.');
    if (!(backoffTimeMs >= 0))
      throw new Error('Backoff time between restart attempts must be at least 0 ms.');
  }

  canRestart(): boolean {
    return this.currentRestartAttempt <= this.maxNumberRestartAttempts;
  }

  getBackoffTime(): number {
    return this.backoffTimeMs;
  }

  notifyFailure(): boolean {
    this.currentRestartAttempt++;
    return true;
  }
}
