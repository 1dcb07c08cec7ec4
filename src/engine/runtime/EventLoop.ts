/**
 * The simulator's kernel: virtual time, the two event queues and the trace output, shared by every
 * part of the MiniCluster (scheduler, network, tasks, checkpointing, time). Flink has no single class
 * for this — its components run on real threads and clocks; here one discrete-event loop stands in
 * for all of them, which is what makes a run a pure function of its seed.
 *
 * - `control`: checkpoint triggers, acks, notifications, failures, priority barriers, restarts,
 *   timers. At equal times control events run before task wake-ups, so that both execution modes
 *   (one event at a time, fast-forward batches) see them at the same point.
 * - `wakes`: a task has input (or credit, or its next record to emit) at that time.
 * Ties within and across the queues run in scheduling order (one shared sequence counter).
 */
import type { CoordinatorEvent } from '../checkpointing/CheckpointCoordinator';
import type { Channel } from '../network/Channel';
import type { StreamTask } from '../tasks/StreamTask';
import type { TaskStatus, TraceEvent, TraceListener } from '../trace/TraceEvent';
import { EventQueue } from './EventQueue';
import type { CheckpointBarrier } from './StreamElement';
import type { Message } from '../messages/Message';

export type ControlEvent =
  | { kind: 'coordinator'; event: CoordinatorEvent }
  | { kind: 'source-trigger'; task: StreamTask; attempt: number; checkpointId: number }
  | {
      kind: 'priority-barrier';
      task: StreamTask;
      attempt: number;
      channel: Channel;
      barrier: CheckpointBarrier;
    }
  | { kind: 'ack'; task: StreamTask; attempt: number; checkpointId: number }
  | { kind: 'notify'; task: StreamTask; attempt: number; checkpointId: number }
  | { kind: 'fail-task'; taskId: string; reason: Message; unrecoverable?: boolean }
  | { kind: 'restart'; tasks: StreamTask[]; token: number }
  | { kind: 'taskmanager-lost'; taskManager: number; reason: Message }
  | { kind: 'taskmanager-start'; taskManager: number | null }
  | { kind: 'slot-request-timeout'; request: number }
  | { kind: 'stw-snapshot'; checkpointId: number }
  | { kind: 'watermark-tick'; task: StreamTask; attempt: number }
  | { kind: 'processing-timer'; task: StreamTask; attempt: number }
  | { kind: 'alignment-timeout'; task: StreamTask; attempt: number; checkpointId: number }
  | {
      kind: 'announced-barrier-timeout';
      task: StreamTask;
      attempt: number;
      channel: Channel;
      barrier: CheckpointBarrier;
    }
  | { kind: 'trace'; event: TraceEvent }
  | { kind: 'call'; fn: () => void };

export interface WakeEvent {
  task: StreamTask;
  attempt: number;
}

export class EventLoop {
  /** Current virtual time. */
  now: number;
  private readonly seq = { n: 0 };
  readonly control = new EventQueue<ControlEvent>(this.seq);
  readonly wakes = new EventQueue<WakeEvent>(this.seq);
  readonly traceListener: TraceListener | null;
  /** Per-record trace events wanted (a listener, and not fast-forward). */
  readonly recordTrace: boolean;
  /**
   * Fast-forward: the smallest channel or RPC latency (0 = one event at a time). Nothing sent after
   * `now` arrives before `now + lookahead`, so a task may process its input up to there in one go.
   */
  readonly lookahead: number;
  /** runUntil's bound: no batch starts work after it. */
  runLimit = Infinity;
  /** Ids of records, watermarks and barriers (unique within the engine instance). */
  elementIds = 0;
  /** Ingestion time of the record being processed: inherited by the records it produces. */
  ingestTime = 0;
  /** Records in channels (queues and backlogs): 0 means the dataflow is drained. */
  recordsInFlight = 0;
  /** Virtual time at which the last record finished processing anywhere. */
  lastRecordTime = 0;
  /** Records that entered a task (for throughput figures). */
  recordsProcessed = 0;

  constructor(
    startTime: number,
    traceListener: TraceListener | null,
    recordTrace: boolean,
    lookahead: number,
  ) {
    this.now = startTime;
    this.traceListener = traceListener;
    this.recordTrace = recordTrace;
    this.lookahead = lookahead;
  }

  emit(e: TraceEvent): void {
    if (this.traceListener) this.traceListener(e);
  }

  emitTaskStatus(task: StreamTask, status: TaskStatus): void {
    if (this.traceListener) this.emit({ type: 'task-status', t: this.now, task: task.id, status });
  }

  /** Wakes `task` at `time` unless it is already due to wake earlier. */
  scheduleWake(task: StreamTask, time: number): void {
    if (time < task.wakeAt) {
      task.wakeAt = time;
      this.wakes.push(time, { task, attempt: task.attempt });
    }
  }

  /** Time of the next event, or Infinity when nothing is scheduled. */
  nextEventTime(): number {
    return Math.min(this.control.peekTime(), this.wakes.peekTime());
  }
}
