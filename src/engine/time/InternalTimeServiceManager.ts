/**
 * Flink's InternalTimeServiceManager: registers and fires the timers of keyed operators. Each keyed
 * operator of a task's chain has its own `InternalTimerService` (per key and timestamp, snapshotted
 * per key group).
 *
 * - Processing-time timers fire 1 ms after their timestamp, as Flink's
 *   `ProcessingTimeServiceUtil.getProcessingTimeDelay` delays them "to align the semantics with
 *   watermark" (a timer for T fires once the clock is past T, so the processing-time window
 *   [0, 100), maxTimestamp 99, fires at 100 with every record assigned to it); a timer already in the
 *   past fires at once. One control event for the earliest, rescheduled as timers come and go.
 * - Event-time timers fire when the task's watermark passes them (`StatusWatermarkValve` calls
 *   `fireEventTimeTimers` before forwarding the watermark, as Flink's `InternalTimerServiceImpl
 *   .advanceWatermark` does).
 * A timer runs `onTimer` with its key set, costs the operator's processing time, and its outputs carry
 * the timer's timestamp (event time) or none (processing time).
 */
import { assignToKeyGroup } from '../keygroups/KeyGroupRangeAssignment';
import type { Key } from '../keygroups/hashCode';
import type { ClusterRuntime } from '../runtime/ClusterRuntime';
import type { StreamTask } from '../tasks/StreamTask';
import type { InternalTimerService, TimeDomain } from './InternalTimerService';
import { failedOperator, type ChainedOperator } from '../tasks/OperatorChain';
import { messageOf, msg } from '../messages/Message';
import { isUnrecoverableError } from '../failover/SuppressRestartsException';

/** When a processing-time timer for `timestamp` fires (Flink: 1 ms after it; see the header). */
export function processingTimerFiresAt(timestamp: number): number {
  return timestamp + 1;
}

export class InternalTimeServiceManager {
  constructor(private readonly rt: ClusterRuntime) {}

  registerTimer(
    task: StreamTask,
    op: ChainedOperator,
    domain: TimeDomain,
    timestamp: number,
    namespace?: string,
  ): void {
    const backend = op.keyedBackend;
    const timers = op.timerService;
    if (!backend || !timers) throw new Error('Timers can only be used on keyed operators (after keyBy).');
    const key = backend.getCurrentKey();
    if (key === null) throw new Error('No key set: timers are registered for the current key.');
    const keyGroup = assignToKeyGroup(key, op.vertex.maxParallelism);
    if (timers.register(domain, key, keyGroup, timestamp, namespace) && domain === 'PROCESSING_TIME')
      this.scheduleProcessingTimer(task);
  }

  deleteTimer(op: ChainedOperator, domain: TimeDomain, timestamp: number, namespace?: string): void {
    const key = op.keyedBackend?.getCurrentKey();
    if (key !== null && key !== undefined) op.timerService?.delete(domain, key, timestamp, namespace);
  }

  /** Makes sure a control event fires the earliest processing-time timer of the task's operators. */
  scheduleProcessingTimer(task: StreamTask): void {
    let next = Infinity;
    for (const op of task.chain.keyed) {
      const head = (op.timerService as InternalTimerService).processingTime.peek();
      if (head && head.timestamp < next) next = head.timestamp;
    }
    if (next === Infinity) return;
    const loop = this.rt.loop;
    const at = Math.max(loop.now, processingTimerFiresAt(next));
    if (at >= task.processingTimerAt) return;
    task.processingTimerAt = at;
    loop.control.push(at, {
      kind: 'processing-timer',
      task,
      attempt: task.attempt,
    });
  }

  /** The processing-time timer event: fires every timer due by now (operator by operator, head first), after the task's current work. */
  fireProcessingTimers(task: StreamTask): void {
    task.processingTimerAt = Infinity;
    const now = this.rt.loop.now;
    let t = Math.max(now, task.busyUntil);
    for (const op of task.chain.keyed) {
      const queue = (op.timerService as InternalTimerService).processingTime;
      while (task.status === 'RUNNING') {
        const next = queue.peek();
        if (!next || processingTimerFiresAt(next.timestamp) > now) break;
        queue.poll();
        t = this.fireTimer(task, op, next.key, next.timestamp, 'PROCESSING_TIME', t, next.namespace);
      }
    }
    if (task.status === 'RUNNING') task.busyUntil = Math.max(task.busyUntil, t);
    this.scheduleProcessingTimer(task);
  }

  /**
   * Fires the event-time timers up to `watermark`, starting at `t`, operator by operator down the
   * chain (each operator's processWatermark fires its timers before passing the watermark on);
   * returns the task's time after them.
   */
  fireEventTimeTimers(task: StreamTask, watermark: number, t: number): number {
    for (const op of task.chain.keyed) {
      const queue = (op.timerService as InternalTimerService).eventTime;
      while (task.status === 'RUNNING') {
        const next = queue.peek();
        if (!next || next.timestamp > watermark) break;
        queue.poll();
        t = this.fireTimer(task, op, next.key, next.timestamp, 'EVENT_TIME', t, next.namespace);
      }
    }
    return t;
  }

  private fireTimer(
    task: StreamTask,
    op: ChainedOperator,
    key: Key,
    timestamp: number,
    domain: TimeDomain,
    t: number,
    namespace: string | undefined,
  ): number {
    const loop = this.rt.loop;
    const end = t + op.vertex.processingTimeMs;
    task.clock = end;
    task.workStartedAt = t;
    // A timer's outputs derive from no single input record: their ingestion time is the firing.
    loop.ingestTime = t;
    // Records emitted from an event-time timer carry the timer's timestamp (as in Flink).
    task.currentTimestamp = domain === 'EVENT_TIME' ? timestamp : null;
    if (loop.traceListener)
      loop.emit({
        type: 'timer-fired',
        t: end,
        task: task.id,
        key,
        timestamp,
        domain,
        ...(namespace === undefined ? {} : { namespace }),
        ...(op.isHead ? {} : { operator: op.vertex.uid }),
      });
    try {
      op.keyedBackend?.setCurrentKey(key);
      op.operator.onTimer(timestamp, domain, namespace);
    } catch (e) {
      const failed = failedOperator(e, op.vertex);
      this.rt.scheduler.failTask(
        task,
        msg('task.threw-in-on-timer', {
          operator: failed.vertex.name,
          task: task.id,
          error: messageOf(failed.error),
        }),
        false,
        isUnrecoverableError(failed.error),
      );
    }
    // Chained operators the timer's outputs reached worked on the task's clock too.
    const after = Math.max(end, task.clock);
    if (after > loop.lastRecordTime) loop.lastRecordTime = after;
    return after;
  }
}
