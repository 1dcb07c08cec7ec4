/**
 * Flink's `FailureRateRestartBackoffTimeStrategy`: restarts while at most `maxFailuresPerInterval`
 * failures fall within the interval. It keeps the last max+1 failure times; with all of them
 * present, a restart needs the oldest to be *more* than the interval ago (`now - earliest >
 * interval`): at exactly the interval the job fails.
 */
import type { RestartBackoffTimeStrategy } from './RestartBackoffTimeStrategy';

export class FailureRateRestartBackoffTimeStrategy implements RestartBackoffTimeStrategy {
  private readonly failureTimestamps: number[] = [];

  constructor(
    private readonly maxFailuresPerInterval: number,
    private readonly failuresIntervalMs: number,
    private readonly backoffTimeMs: number,
  ) {
    if (!(maxFailuresPerInterval > 0))
      throw new Error('Maximum number of restart attempts per time unit must be greater than 0.');
    if (!(failuresIntervalMs > 0)) throw new Error('Failures interval must be greater than 0 ms.');
    if (!(backoffTimeMs >= 0)) throw new Error('Backoff time must be at least 0 ms.');
  }

  canRestart(now: number): boolean {
    if (!this.isFailureTimestampsQueueFull()) return true;
    return now - this.failureTimestamps[0] > this.failuresIntervalMs;
  }

  getBackoffTime(): number {
    return this.backoffTimeMs;
  }

  notifyFailure(now: number): boolean {
    if (this.isFailureTimestampsQueueFull()) this.failureTimestamps.shift();
    this.failureTimestamps.push(now);
    return true;
  }

  private isFailureTimestampsQueueFull(): boolean {
    return this.failureTimestamps.length > this.maxFailuresPerInterval;
  }
}
