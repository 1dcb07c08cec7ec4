/**
 * A source over a Kafka-like `ReplayableLog`, built as Flink's KafkaSource is:
 *
 *   KafkaSource.builder<Login>().setLog(logins).setBounded(OffsetsInitializer.latest()).build()
 *
 * Unbounded by default (Boundedness.CONTINUOUS_UNBOUNDED: at the end of the log it polls for new
 * records for ever). `setBounded(OffsetsInitializer.latest())` makes it bounded: each split stops at
 * the log's end offset as of the source's first start (records appended later are not read), and at
 * the end of its input the source emits MAX_WATERMARK and end-of-data, and finishes (FLIP-147).
 */
import type { ReplayableLog } from './ReplayableLog';

/** Flink's OffsetsInitializer, for stopping offsets. Only `latest()` is modelled. */
export class OffsetsInitializer {
  private constructor(readonly kind: 'latest') {}
  /** The end of each partition, resolved when the split is first assigned. */
  static latest(): OffsetsInitializer {
    return new OffsetsInitializer('latest');
  }
}

export type Boundedness = 'BOUNDED' | 'CONTINUOUS_UNBOUNDED';

export class KafkaSource<T> {
  private constructor(
    readonly log: ReplayableLog<T>,
    readonly stoppingOffsets: OffsetsInitializer | null,
    /** The consumer group's auto-commit (`enable.auto.commit`), or null: offsets only in checkpoints. */
    readonly autoCommit: { groupId: string; intervalMs: number } | null = null,
  ) {}

  static builder<T>(): KafkaSourceBuilder<T> {
    return new KafkaSourceBuilder<T>();
  }

  getBoundedness(): Boundedness {
    return this.stoppingOffsets ? 'BOUNDED' : 'CONTINUOUS_UNBOUNDED';
  }

  /** @internal */
  static create<T>(
    log: ReplayableLog<T>,
    stoppingOffsets: OffsetsInitializer | null,
    autoCommit: { groupId: string; intervalMs: number } | null = null,
  ): KafkaSource<T> {
    return new KafkaSource(log, stoppingOffsets, autoCommit);
  }
}

export class KafkaSourceBuilder<T> {
  private log: ReplayableLog<T> | null = null;
  private stopping: OffsetsInitializer | null = null;
  private groupId = 'KafkaSource';
  private readonly properties = new Map<string, string>();

  /** The topic to read (here: the log itself; partition i goes to subtask i % parallelism). */
  setLog(log: ReplayableLog<T>): this {
    this.log = log;
    return this;
  }

  setGroupId(groupId: string): this {
    this.groupId = groupId;
    return this;
  }

  /**
   * A Kafka consumer property. Modelled: `enable.auto.commit` ('true': the consumer commits its
   * position to the log every `auto.commit.interval.ms`, default 5000, and a start without
   * checkpointed offsets resumes from the committed ones, as a Kafka consumer group does).
   */
  setProperty(key: string, value: string): this {
    this.properties.set(key, value);
    return this;
  }

  setBounded(stoppingOffsets: OffsetsInitializer): this {
    this.stopping = stoppingOffsets;
    return this;
  }

  /** Back to the default: keep polling after the last record (as a Kafka topic does). */
  setUnbounded(): this {
    this.stopping = null;
    return this;
  }

  build(): KafkaSource<T> {
    if (!this.log) throw new Error('KafkaSource: setLog(log) is required');
    const autoCommit = this.properties.get('enable.auto.commit') === 'true';
    const intervalMs = Number(this.properties.get('auto.commit.interval.ms') ?? '5000');
    if (autoCommit && !(intervalMs > 0))
      throw new Error(
        `KafkaSource: auto.commit.interval.ms must be > 0, got '${this.properties.get('auto.commit.interval.ms')}'`,
      );
    return KafkaSource.create(
      this.log,
      this.stopping,
      autoCommit ? { groupId: this.groupId, intervalMs } : null,
    );
  }
}
