/**
 * What the `taskmanager-recovered` lesson check follows, event by event since the step began: a
 * TaskManager is lost with subtasks in its slots; every one of them fails at the same moment (the
 * TaskManager was the failure unit); while it is away the job's subtasks wait SCHEDULED for slots;
 * it registers again; then the subtasks it ran are restored from the checkpoint that was the latest
 * completed one when it was lost (Flink's failover to the latest checkpoint).
 */
import { msg, type Message } from '../engine/messages/Message';
import type { TraceEvent } from '../engine/index';

interface Episode {
  taskManager: string;
  lostAt: number;
  tasks: string[];
  failedAtOnce: Set<string>;
  scheduled: Set<string>;
  registeredAt: number | null;
  /** The latest completed checkpoint when it was lost (null: none yet). */
  latest: number | null;
  /** Its subtasks restored after it came back, by the checkpoint they restored. */
  restored: Map<string, number | null>;
}

export class TaskManagerRecoveryTracker {
  private episodes: Episode[] = [];
  private latestCompleted: number | null = null;
  private readonly savepoints = new Set<number>();

  /** Starts over (a new step); `latest`: the latest completed checkpoint now. */
  reset(latest: number | null): void {
    this.episodes = [];
    this.latestCompleted = latest;
  }

  observe(e: TraceEvent): void {
    switch (e.type) {
      case 'checkpoint-triggered':
        if (e.kind === 'savepoint') this.savepoints.add(e.checkpointId);
        return;
      case 'checkpoint-completed':
        // Failover restores the latest checkpoint, never a savepoint.
        if (!this.savepoints.has(e.checkpointId)) this.latestCompleted = e.checkpointId;
        return;
      case 'taskmanager-lost':
        if (e.tasks.length > 0)
          this.episodes.push({
            taskManager: e.taskManager,
            lostAt: e.t,
            tasks: e.tasks,
            failedAtOnce: new Set(),
            scheduled: new Set(),
            registeredAt: null,
            latest: this.latestCompleted,
            restored: new Map(),
          });
        return;
    }
    const ep = this.episodes.at(-1);
    if (!ep) return;
    switch (e.type) {
      case 'task-failed':
        if (e.t === ep.lostAt && ep.tasks.includes(e.task)) ep.failedAtOnce.add(e.task);
        return;
      case 'task-status':
        if (e.status === 'SCHEDULED' && ep.registeredAt === null) ep.scheduled.add(e.task);
        return;
      case 'taskmanager-registered':
        if (e.taskManager === ep.taskManager && ep.registeredAt === null) ep.registeredAt = e.t;
        return;
      case 'task-restored':
        if (ep.registeredAt !== null && ep.tasks.includes(e.task) && !ep.restored.has(e.task))
          ep.restored.set(e.task, e.checkpointId);
        return;
    }
  }

  /** Passes when the last loss went through every stage; else says which one is missing. */
  result(): { ok: boolean; why: Message } {
    const ep = this.episodes.at(-1);
    if (!ep) return { ok: false, why: msg('check.tm-not-lost') };
    const tm = ep.taskManager;
    if (ep.failedAtOnce.size < ep.tasks.length)
      return {
        ok: false,
        why: msg('check.tm-not-all-failed', { tm, failed: ep.failedAtOnce.size, tasks: ep.tasks.length }),
      };
    if (ep.scheduled.size === 0) return { ok: false, why: msg('check.tm-not-scheduled', { tm }) };
    if (ep.registeredAt === null) return { ok: false, why: msg('check.tm-not-back', { tm }) };
    const missing = ep.tasks.filter((t) => !ep.restored.has(t));
    if (missing.length > 0)
      return { ok: false, why: msg('check.tm-not-restored', { tm, tasks: missing.join(', ') }) };
    const wrong = [...ep.restored].filter(([, id]) => id === null || id !== ep.latest);
    if (ep.latest === null || wrong.length > 0)
      return {
        ok: false,
        why: msg('check.tm-restored-other', {
          tm,
          latest: ep.latest ?? '—',
          task: wrong[0]?.[0] ?? ep.tasks[0],
          id: wrong[0]?.[1] ?? '—',
        }),
      };
    return { ok: true, why: msg('check.tm-recovered', { tm, id: ep.latest }) };
  }
}
