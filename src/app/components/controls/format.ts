/** Display helpers of the controls: speeds, virtual time, and event descriptions for the run's log. */
import type { Message, TraceEvent } from '../../../engine/index';

/** Virtual ms per real second: slower and faster than real time. */
export const SPEEDS: ReadonlyArray<{ value: number; label: string }> = [
  { value: 100, label: '0.1×' },
  { value: 250, label: '0.25×' },
  { value: 500, label: '0.5×' },
  { value: 1000, label: '1×' },
  { value: 2000, label: '2×' },
  { value: 5000, label: '5×' },
  { value: 20000, label: '20×' },
];

/** `12.345 s` for virtual ms (three decimals: the engine's events are sub-millisecond apart). */
export function formatVirtualTime(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/** The log message key and its parameters for a notable trace event (null: not shown in the log). */
export function describeEvent(
  e: TraceEvent,
): { key: LogKey; params: Record<string, string | number | Message> } | null {
  switch (e.type) {
    case 'checkpoint-triggered':
      return {
        key: e.kind === 'savepoint' ? 'savepointTriggered' : 'checkpointTriggered',
        params: { id: e.checkpointId },
      };
    case 'checkpoint-completed':
      return { key: 'checkpointCompleted', params: { id: e.checkpointId, ms: formatMs(e.stats.endToEndMs) } };
    case 'checkpoint-failed':
      return { key: 'checkpointFailed', params: { id: e.checkpointId, reason: e.reason } };
    case 'task-failed':
      return { key: 'taskFailed', params: { task: e.task, reason: e.reason } };
    case 'job-status':
      return { key: 'jobStatus', params: { status: e.status, reason: e.reason ?? '' } };
    case 'job-restarting':
      return {
        key: 'jobRestarting',
        params: { n: e.tasks.length, attempt: e.attempt, ms: formatMs(e.delayMs) },
      };
    case 'task-restored':
      return e.checkpointId === null
        ? { key: 'taskRestoredScratch', params: { task: e.task } }
        : { key: 'taskRestored', params: { task: e.task, id: e.checkpointId } };
    case 'engine-crashed':
      return { key: 'engineCrashed', params: {} };
    case 'engine-recovered':
      return { key: 'engineRecovered', params: { id: e.checkpointId ?? '—' } };
    case 'alignment-aborted':
      // The same id: a CancelCheckpointMarker ended it; a higher one: that checkpoint's barrier.
      return e.byCheckpointId === e.checkpointId
        ? { key: 'alignmentCancelled', params: { task: e.task, id: e.checkpointId } }
        : { key: 'alignmentAborted', params: { task: e.task, id: e.checkpointId, by: e.byCheckpointId } };
    case 'taskmanager-lost':
      return { key: 'taskManagerLost', params: { tm: e.taskManager, n: e.tasks.length } };
    case 'taskmanager-registered':
      return { key: 'taskManagerRegistered', params: { tm: e.taskManager, slots: e.slots } };
    case 'transaction-aborted':
      return { key: 'transactionAborted', params: { task: e.task, txn: e.txn, rows: e.rows } };
    case 'sources-paused':
      return { key: 'sourcesPaused', params: { id: e.checkpointId } };
    case 'sources-resumed':
      return { key: 'sourcesResumed', params: { id: e.checkpointId } };
    default:
      return null;
  }
}

export type LogKey =
  | 'checkpointTriggered'
  | 'savepointTriggered'
  | 'checkpointCompleted'
  | 'checkpointFailed'
  | 'taskFailed'
  | 'jobStatus'
  | 'jobRestarting'
  | 'taskRestored'
  | 'taskRestoredScratch'
  | 'engineCrashed'
  | 'engineRecovered'
  | 'alignmentCancelled'
  | 'taskManagerLost'
  | 'taskManagerRegistered'
  | 'alignmentAborted'
  | 'transactionAborted'
  | 'sourcesPaused'
  | 'sourcesResumed';
