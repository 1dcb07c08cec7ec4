/**
 * The event trace: a typed stream of everything that happens in a run, in virtual-time order. It is
 * the contract the UI animates (see docs/architecture.md). Task ids are `<operator uid>#<subtask>`,
 * channel ids `<from task>-><to task>`.
 *
 * In fast-forward mode the per-record events (marked "record-level") are not emitted.
 */
import type { Key } from '../keygroups/hashCode';
import type { CheckpointStats } from '../checkpointing/CompletedCheckpoint';
import type { Message } from '../messages/Message';

export type TaskStatus =
  'CREATED' | 'SCHEDULED' | 'RUNNING' | 'FAILED' | 'CANCELED' | 'RESTARTING' | 'FINISHED';
export type JobStatus = 'RUNNING' | 'RESTARTING' | 'FAILED' | 'FINISHED';

export type TraceEvent =
  // record-level
  | {
      type: 'record-sent';
      t: number;
      id: number;
      channel: string;
      key: Key | null;
      value: unknown;
      arriveAt: number;
    }
  | { type: 'record-arrived'; t: number; id: number; channel: string }
  | { type: 'record-processed'; t: number; id: number; task: string; channel: string | null }
  // `operator`: the uid of a chained operator that is not its task's head (absent for the head)
  | {
      type: 'state-changed';
      t: number;
      task: string;
      state: string;
      key: Key;
      value: unknown;
      /** Window state: the window's namespace (absent: VoidNamespace). */
      namespace?: string;
      operator?: string;
    }
  | { type: 'sink-written'; t: number; task: string; value: unknown; txn: string | null; operator?: string }
  | { type: 'backpressure'; t: number; task: string; channel: string; blocked: boolean }
  // barriers and alignment
  | { type: 'barrier-injected'; t: number; task: string; checkpointId: number }
  // CancelCheckpointMarker: sent instead of a barrier after an abort, read like one
  | {
      type: 'cancel-barrier-sent';
      t: number;
      id: number;
      channel: string;
      checkpointId: number;
      arriveAt: number;
    }
  | { type: 'cancel-barrier-received'; t: number; task: string; channel: string; checkpointId: number }
  | {
      type: 'barrier-sent';
      t: number;
      id: number;
      channel: string;
      checkpointId: number;
      arriveAt: number;
      priority: boolean;
    }
  | { type: 'barrier-arrived'; t: number; id: number; channel: string; checkpointId: number }
  | { type: 'barrier-received'; t: number; task: string; channel: string; checkpointId: number }
  | { type: 'channel-blocked'; t: number; task: string; channel: string; checkpointId: number }
  | { type: 'channel-unblocked'; t: number; task: string; channel: string; checkpointId: number }
  | { type: 'alignment-completed'; t: number; task: string; checkpointId: number; alignmentMs: number }
  | { type: 'alignment-aborted'; t: number; task: string; checkpointId: number; byCheckpointId: number }
  | {
      type: 'channel-state-recorded';
      t: number;
      task: string;
      channel: string;
      checkpointId: number;
      records: number;
    }
  | { type: 'watermark-advanced'; t: number; task: string; watermark: number }
  | { type: 'source-idle'; t: number; task: string; idle: boolean }
  | {
      type: 'timer-fired';
      t: number;
      task: string;
      key: Key;
      timestamp: number;
      domain: 'EVENT_TIME' | 'PROCESSING_TIME';
      operator?: string;
      /** A window operator's timer: the window's namespace (absent: VoidNamespace). */
      namespace?: string;
    }
  | { type: 'sources-paused'; t: number; checkpointId: number }
  | { type: 'sources-resumed'; t: number; checkpointId: number }
  // checkpoints
  | { type: 'checkpoint-triggered'; t: number; checkpointId: number; kind: 'checkpoint' | 'savepoint' }
  | {
      type: 'snapshot-taken';
      t: number;
      task: string;
      checkpointId: number;
      syncMs: number;
      stateBytes: number;
    }
  | { type: 'checkpoint-acknowledged'; t: number; task: string; checkpointId: number }
  | { type: 'checkpoint-completed'; t: number; checkpointId: number; stats: CheckpointStats }
  | { type: 'checkpoint-failed'; t: number; checkpointId: number; reason: Message }
  | { type: 'checkpoint-notified'; t: number; task: string; checkpointId: number }
  | { type: 'transaction-committed'; t: number; task: string; txn: string; rows: number }
  | { type: 'transaction-aborted'; t: number; task: string; txn: string; rows: number }
  // end of input (FLIP-147): MAX_WATERMARK and EndOfData sent, operators finished; FINISHED follows
  // after the final checkpoint (task-status)
  | { type: 'end-of-input'; t: number; task: string }
  // failures and recovery
  | { type: 'task-status'; t: number; task: string; status: TaskStatus }
  | { type: 'task-failed'; t: number; task: string; reason: Message }
  | { type: 'job-status'; t: number; status: JobStatus; reason: Message | null }
  | { type: 'job-restarting'; t: number; tasks: string[]; delayMs: number; attempt: number }
  | {
      type: 'task-restored';
      t: number;
      task: string;
      checkpointId: number | null;
      offsets: Array<{ partition: number; offset: number }>;
    }
  // TaskManagers and slots (only when the cluster changes: the initial placement is MiniCluster.placement())
  | {
      type: 'taskmanager-lost';
      t: number;
      taskManager: string;
      /** The subtasks that were running in its slots (they fail together). */
      tasks: string[];
      /** When it will be back (null: not restarted). */
      restartAt: number | null;
    }
  | { type: 'taskmanager-registered'; t: number; taskManager: string; slots: number }
  | {
      type: 'slots-allocated';
      t: number;
      slots: Array<{ task: string; taskManager: string; slot: number }>;
    }
  | { type: 'engine-crashed'; t: number }
  | { type: 'engine-recovered'; t: number; checkpointId: number | null };

export type TraceListener = (event: TraceEvent) => void;

export const RECORD_LEVEL_EVENTS: ReadonlySet<TraceEvent['type']> = new Set([
  'record-sent',
  'record-arrived',
  'record-processed',
  'state-changed',
  'sink-written',
  'backpressure',
]);
