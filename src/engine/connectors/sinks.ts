/**
 * The three sink kinds end-to-end exactly-once is taught with. They are descriptions; the engine's
 * SinkOperator does the writing, one instance per subtask.
 */
import type { SinkKind } from './ExternalSystem';

export interface SinkDefinition<T> {
  readonly sinkKind: SinkKind;
  /** Upsert sinks: the primary key of a row; a later write with the same key replaces the earlier. */
  readonly upsertKey?: (value: T) => string;
}

/** Writes every record the moment it arrives (like Flink's print() or a plain JDBC insert). Replays show as duplicates. */
export class NonTransactionalSink<T> implements SinkDefinition<T> {
  readonly sinkKind = 'non-transactional';
}

/** Writes by primary key: a replayed record overwrites the same row, so the final table is exact. */
export class IdempotentUpsertSink<T> implements SinkDefinition<T> {
  readonly sinkKind = 'idempotent-upsert';
  constructor(readonly upsertKey: (value: T) => string) {}
}

/**
 * Flink's TwoPhaseCommitSinkFunction: writes into a transaction; at the checkpoint barrier the
 * transaction is pre-committed and a new one opened; `notifyCheckpointComplete(n)` commits every
 * pending transaction up to n; on restore the pending transactions of the checkpoint are committed
 * and the one that was open is aborted.
 */
export class TwoPhaseCommitSink<T> implements SinkDefinition<T> {
  readonly sinkKind = 'two-phase-commit';
}
