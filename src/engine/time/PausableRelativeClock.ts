/**
 * Flink's PausableRelativeClock: a clock that stands still while its task is backpressured. A
 * source's idleness (`withIdleness`) is measured on it (Flink 1.18+: ProgressiveTimestampsAndWatermarks
 * registers it as the task's back-pressure listener), so a source that cannot emit because the
 * downstream is slow is not declared idle — it has records, it just cannot send them. Without the
 * pause, its channels would leave the downstream watermark minimum and its records would turn late.
 */
export class PausableRelativeClock {
  /** Virtual time the current pause began (null: running). */
  private pausedAt: number | null = null;
  /** Total paused time before the current pause. */
  private blockedMs = 0;

  /** Starts at virtual time `now` (the clock reads `now` then). */
  reset(): void {
    this.pausedAt = null;
    this.blockedMs = 0;
  }

  pause(t: number): void {
    if (this.pausedAt === null) this.pausedAt = t;
  }

  resume(t: number): void {
    if (this.pausedAt === null) return;
    this.blockedMs += Math.max(0, t - this.pausedAt);
    this.pausedAt = null;
  }

  /** The clock's time at virtual time `t`: `t` minus the time spent paused. */
  relativeTime(t: number): number {
    const current = this.pausedAt === null ? 0 : Math.max(0, t - this.pausedAt);
    return t - this.blockedMs - current;
  }
}
