/**
 * What travels through channels: records and checkpoint barriers, in one FIFO per channel.
 * `arrival` is the virtual time the element reaches the receiver's input buffer; a receiver only
 * sees elements whose arrival time has passed.
 */
import type { Key } from '../keygroups/hashCode';

export const RECORD = 0;
export const BARRIER = 1;
export const WATERMARK = 2;
/** Flink's EndOfData event (StopMode.DRAIN): the sender's input ended; no record follows on this channel. */
export const END_OF_DATA = 3;
/** Flink's EndOfPartitionEvent: the sender finished; nothing at all follows (no barrier either). */
export const END_OF_PARTITION = 4;
/** Flink's CancelCheckpointMarker: checkpoint n was cancelled upstream; it ends an alignment for n. */
export const CANCEL_BARRIER = 5;

/** Flink's `Watermark.MAX_WATERMARK` (Long.MAX_VALUE there): the end of event time; every timer fires. */
export const MAX_WATERMARK = Number.MAX_SAFE_INTEGER;

export interface StreamRecord {
  kind: typeof RECORD;
  id: number;
  value: unknown;
  ts: number | null;
  key: Key | null;
  /** The key's key group (computed once, by the sender's partitioner), or -1 without a key. */
  keyGroup: number;
  arrival: number;
  /**
   * Ingestion time: the virtual time the source emitted the record this one derives from (inherited
   * by every record an operator emits while processing it). Sinks measure end-to-end latency from it.
   */
  ingest: number;
}

export interface CheckpointBarrier {
  kind: typeof BARRIER;
  id: number;
  checkpointId: number;
  arrival: number;
  /** Unaligned checkpoints: the barrier overtakes buffered data and is handled on arrival. */
  priority: boolean;
  /** A savepoint's barrier: always aligned. */
  savepoint: boolean;
}

/**
 * Flink's CancelCheckpointMarker: sent in line with records (not a priority event) instead of barrier n
 * by a task that declined or learnt of the abort of checkpoint n; a receiver aligning for n stops,
 * unblocks its channels, declines and forwards it.
 */
export interface CancelCheckpointMarker {
  kind: typeof CANCEL_BARRIER;
  id: number;
  checkpointId: number;
  arrival: number;
}

/** Event-time progress (or, with `idle`, Flink's WatermarkStatus.IDLE: leave this input out of the minimum). */
export interface Watermark {
  kind: typeof WATERMARK;
  id: number;
  timestamp: number;
  idle: boolean;
  arrival: number;
}

/** The end of a channel's input (FLIP-147): EndOfData, then — after the final checkpoint — EndOfPartition. */
export interface EndOfDataEvent {
  kind: typeof END_OF_DATA;
  id: number;
  arrival: number;
}
export interface EndOfPartitionEvent {
  kind: typeof END_OF_PARTITION;
  id: number;
  arrival: number;
}
export type EndOfInputEvent = EndOfDataEvent | EndOfPartitionEvent;

export type StreamElement =
  StreamRecord | CheckpointBarrier | Watermark | EndOfInputEvent | CancelCheckpointMarker;
