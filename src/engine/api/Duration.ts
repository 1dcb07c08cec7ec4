/**
 * Java's `java.time.Duration`, as Flink 2.x's window assigners take it (`Duration.ofSeconds(10)`), in
 * virtual milliseconds.
 */
export class Duration {
  private constructor(private readonly ms: number) {}

  static ofMillis(ms: number): Duration {
    if (!Number.isFinite(ms)) throw new Error(`a duration must be a finite number of ms, got ${ms}`);
    return new Duration(ms);
  }
  static ofSeconds(s: number): Duration {
    return Duration.ofMillis(s * 1000);
  }
  static ofMinutes(m: number): Duration {
    return Duration.ofMillis(m * 60_000);
  }
  static ofHours(h: number): Duration {
    return Duration.ofMillis(h * 3_600_000);
  }
  static ofDays(d: number): Duration {
    return Duration.ofMillis(d * 86_400_000);
  }
  static readonly ZERO = new Duration(0);

  toMillis(): number {
    return this.ms;
  }

  toString(): string {
    return `PT${this.ms / 1000}S`;
  }
}

/** A `Duration`, or a number of ms (the lab's shorthand). */
export type DurationLike = Duration | number;

export function toMillis(d: DurationLike): number {
  return typeof d === 'number' ? d : d.toMillis();
}
