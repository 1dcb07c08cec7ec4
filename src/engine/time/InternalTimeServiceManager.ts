/**
 * Flink's InternalTimeServiceManager: registers and fires the timers of keyed operators. Each
 * task's timers live in its `InternalTimerService` (per key and timestamp, snapshotted per key group).
 *
 * - Processing-time timers fire when the virtual clock reaches them (one control event for the
 *   earliest, rescheduled as timers come and go).
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
import type { TimeDomain } from './InternalTimerService';
import { messageOf, msg } from '../messages/Message';
import { isUnrecoverableError } from '../failover/SuppressRestartsException';

export class InternalTimeServiceManager {
  constructor(private readonly rt: ClusterRuntime) {}

  registerTimer(task: StreamTask, domain: TimeDomain, timestamp: number): void {
    const backend = task.keyedBackend;
    const timers = task.timerService;
    if (!backend || !timers) throw new Error('Timers can only be used on keyed operators (after keyBy).');
    const key = backend.getCurrentKey();
    if (key === null) throw new Error('No key set: timers are registered for the current key.');
    const keyGroup = assignToKeyGroup(key, task.vertex.maxParallelism);
    if (timers.register(domain, key, keyGroup, timestamp) && domain === 'PROCESSING_TIME')
      this.scheduleProcessingTimer(task);
  }

  deleteTimer(task: StreamTask, domain: TimeDomain, timestamp: number): void {
    const key = task.keyedBackend?.getCurrentKey();
    if (key !== null && key !== undefined) task.timerService?.delete(domain, key, timestamp);
  }

  /** Makes sure a control event fires the earliest processing-time timer. */
  scheduleProcessingTimer(task: StreamTask): void {
    const next = task.timerService?.processingTime.peek();
    if (!next || next.timestamp >= task.processingTimerAt) return;
    task.processingTimerAt = next.timestamp;
    const loop = this.rt.loop;
    loop.control.push(Math.max(loop.now, next.timestamp), {
      kind: 'processing-timer',
      task,
      attempt: task.attempt,
    });
  }

  /** The processing-time timer event: fires every timer due by now, after the task's current work. */
  fireProcessingTimers(task: StreamTask): void {
    task.processingTimerAt = Infinity;
    const queue = task.timerService?.processingTime;
    if (!queue) return;
    const now = this.rt.loop.now;
    let t = Math.max(now, task.busyUntil);
    while (task.status === 'RUNNING') {
      const next = queue.peek();
      if (!next || next.timestamp > now) break;
      queue.poll();
      t = this.fireTimer(task, next.key, next.timestamp, 'PROCESSING_TIME', t);
    }
    if (task.status === 'RUNNING') task.busyUntil = Math.max(task.busyUntil, t);
    this.scheduleProcessingTimer(task);
  }

  /** Fires the event-time timers up to `watermark`, starting at `t`; returns the task's time after them. */
  fireEventTimeTimers(task: StreamTask, watermark: number, t: number): number {
    const queue = task.timerService?.eventTime;
    if (!queue) return t;
    while (task.status === 'RUNNING') {
      const next = queue.peek();
      if (!next || next.timestamp > watermark) break;
      queue.poll();
      t = this.fireTimer(task, next.key, next.timestamp, 'EVENT_TIME', t);
    }
    return t;
  }

  private fireTimer(task: StreamTask, key: Key, timestamp: number, domain: TimeDomain, t: number): number {
    const loop = this.rt.loop;
    const end = t + task.vertex.processingTimeMs;
    task.clock = end;
    task.workStartedAt = t;
    // A timer's outputs derive from no single input record: their ingestion time is the firing.
    loop.ingestTime = t;
    // Records emitted from an event-time timer carry the timer's timestamp (as in Flink).
    task.currentTimestamp = domain === 'EVENT_TIME' ? timestamp : null;
    if (loop.traceListener) loop.emit({ type: 'timer-fired', t: end, task: task.id, key, timestamp, domain });
    try {
      task.keyedBackend?.setCurrentKey(key);
      task.operator.onTimer(timestamp, domain);
    } catch (e) {
      this.rt.scheduler.failTask(
        task,
        msg('task.threw-in-on-timer', { operator: task.vertex.name, task: task.id, error: messageOf(e) }),
        false,
        isUnrecoverableError(e),
      );
    }
    if (end > loop.lastRecordTime) loop.lastRecordTime = end;
    return end;
  }
}
