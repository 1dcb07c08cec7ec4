/**
 * Flink's `SuppressRestartsException` (org.apache.flink.runtime.execution): a failure the restart
 * strategy is not asked about. Flink's `ExecutionFailureHandler` classifies it as a
 * `ThrowableType.NonRecoverableError` (also when it is the cause of another error) and fails the job
 * at once. Here the job-file watchdog throws one (a user function that ran too long): restarting
 * would only run the same endless loop again.
 */
export class SuppressRestartsException extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SuppressRestartsException';
  }
}

/** Flink's `ExecutionFailureHandler.isUnrecoverableError`: the error or one of its causes. */
export function isUnrecoverableError(e: unknown): boolean {
  for (let x = e, depth = 0; x instanceof Error && depth < 32; x = x.cause, depth++)
    if (x instanceof SuppressRestartsException) return true;
  return false;
}
