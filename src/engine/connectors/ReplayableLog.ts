/**
 * A Kafka-like partitioned log: the replayable source every exactly-once guarantee starts from.
 * Records stay in the log; a reader keeps only an offset per partition, so after a failure the source
 * rewinds to the offsets stored in the checkpoint and reads the same records again.
 *
 * The log lives outside the engine (like a Kafka cluster): an engine crash does not lose it.
 */
export interface LogRecord<T> {
  value: T;
  /** Event time of the record (ms). */
  timestamp: number;
}

export class ReplayableLog<T> {
  readonly partitions: LogRecord<T>[][];

  constructor(
    readonly topic: string,
    partitions: LogRecord<T>[][],
  ) {
    if (partitions.length === 0) throw new Error(`log '${topic}' needs at least one partition`);
    this.partitions = partitions.map((p) => p.slice());
  }

  static ofValues<T>(topic: string, values: readonly T[]): ReplayableLog<T> {
    return new ReplayableLog(topic, [values.map((value, i) => ({ value, timestamp: i }))]);
  }

  get numPartitions(): number {
    return this.partitions.length;
  }

  /** Appends a record, as a producer would; returns its offset. */
  append(partition: number, record: LogRecord<T>): number {
    const p = this.partitions[partition];
    if (!p) throw new Error(`log '${this.topic}' has no partition ${partition}`);
    p.push(record);
    return p.length - 1;
  }

  /** Offsets committed by consumer groups, per partition: kept by the log, as a broker keeps them. */
  private readonly committed = new Map<string, number[]>();

  /** A consumer group commits its position in a partition (Kafka's commitSync/auto-commit). */
  commitOffset(groupId: string, partition: number, offset: number): void {
    let offsets = this.committed.get(groupId);
    if (!offsets) this.committed.set(groupId, (offsets = []));
    offsets[partition] = offset;
  }

  /** The group's committed offset in a partition, or undefined (none committed yet). */
  committedOffset(groupId: string, partition: number): number | undefined {
    return this.committed.get(groupId)?.[partition];
  }

  endOffsets(): number[] {
    return this.partitions.map((p) => p.length);
  }

  totalRecords(): number {
    return this.partitions.reduce((n, p) => n + p.length, 0);
  }
}

/**
 * A record that makes the first user function it reaches throw, every time it is replayed: the
 * "poison pill" of Flink's failure-recovery docs. It stays in the log, so a restart replays it.
 */
export class PoisonRecord {
  readonly poison = true;
  constructor(readonly label: string) {}
  toString(): string {
    return `poison(${this.label})`;
  }
}

export function isPoison(value: unknown): value is PoisonRecord {
  return value instanceof PoisonRecord;
}
