/** Flink's `NoRestartBackoffTimeStrategy`: the first failure fails the job. */
import type { RestartBackoffTimeStrategy } from './RestartBackoffTimeStrategy';

export class NoRestartBackoffTimeStrategy implements RestartBackoffTimeStrategy {
  canRestart(): boolean {
    return false;
  }
  getBackoffTime(): number {
    return 0;
  }
  notifyFailure(): boolean {
    return true;
  }
}
