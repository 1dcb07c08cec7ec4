/**
 * One channel between an upstream subtask and a downstream subtask (Flink: a ResultSubpartition on the
 * sender side and an InputChannel on the receiver side, joined by the network).
 *
 * - `queue`: elements in transit and in the receiver's input buffer, FIFO, with their arrival times.
 * - `backlog`: the sender's output buffer: elements produced but not yet sent because the channel has
 *   no credit left (its capacity is used up). A non-empty backlog blocks the sender: backpressure.
 */
import { Deque, NumberDeque } from '../runtime/Deque';
import type { Random } from '../runtime/Random';
import type { StreamElement } from '../runtime/StreamElement';
import type { PersistedRecord } from '../checkpointing/CompletedCheckpoint';
import type { StreamTask } from '../tasks/StreamTask';

export class Channel {
  readonly queue = new Deque<StreamElement>();
  readonly backlog = new Deque<StreamElement>();
  /** Records (not barriers) in `queue`. */
  records = 0;
  /**
   * Credit-based flow control, as Flink's: records sent whose credit has not come back to the sender
   * yet. A credit returns `creditReturns` time after the receiver consumed the record (it travels
   * over the network too), so the sender only ever reacts to consumption it could have heard of.
   */
  outstanding = 0;
  readonly creditReturns = new NumberDeque();
  lastArrival = 0;
  /** Event time: the last watermark read from this channel, and whether its sender declared itself idle. */
  watermark = -Infinity;
  idle = false;
  /** The receiver read EndOfData (no more records) / EndOfPartition (the sender finished: no barrier either). */
  endOfData = false;
  finished = false;
  /** Aligned checkpoints: the receiver stopped reading this channel until alignment completes. */
  blocked = false;
  /**
   * Which input of the receiver this channel belongs to (its edge's typeNumber): 0 for a one-input
   * task, 1 or 2 for a two-input task (Flink's two input gates of a StreamTwoInputProcessor).
   */
  typeNumber: 0 | 1 | 2 = 0;
  /** Unaligned / Chandy-Lamport: records being persisted as this channel's state for a checkpoint. */
  recording: { checkpointId: number; records: PersistedRecord[] } | null = null;
  /**
   * The operator subtasks the channel joins (`<uid>#<i>`): the chained operator that emits into it and
   * the head operator that reads it. Without chaining they are `from.id` and `to.id`.
   */
  fromOperator: string;
  toOperator: string;

  constructor(
    readonly id: string,
    readonly from: StreamTask,
    readonly to: StreamTask,
    /** Index of this channel among the receiver's input channels. */
    readonly inputIndex: number,
    readonly rng: Random,
  ) {
    this.fromOperator = from.id;
    this.toOperator = to.id;
  }

  /** Whether the sender may send one more record at time `t` (credits that arrived by `t` are counted). */
  hasCredit(t: number, capacity: number): boolean {
    this.outstanding -= this.creditReturns.removeUpTo(t);
    return this.outstanding < capacity;
  }

  clear(): void {
    this.queue.clear();
    this.backlog.clear();
    this.records = 0;
    this.outstanding = 0;
    this.creditReturns.clear();
    this.lastArrival = 0;
    this.blocked = false;
    this.recording = null;
    this.watermark = -Infinity;
    this.idle = false;
    this.endOfData = false;
    this.finished = false;
  }
}
