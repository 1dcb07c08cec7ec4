/**
 * A TaskManager (Flink's TaskExecutor) and its task slots (Flink's TaskSlotTable). A slot holds one
 * ExecutionSlotSharingGroup: at most one subtask of each job vertex (slot sharing). TaskManagers are
 * numbered from 1 (`taskmanager-1`, shown as "TM 1"), slots from 0 within their TaskManager.
 *
 * A lost TaskManager (process killed) takes its slots with it; the `ResourceManager` starts it again
 * after a delay, as a process supervisor (Docker, Kubernetes) would, and it registers with fresh slots.
 */
import type { StreamTask } from '../tasks/StreamTask';

export type TaskManagerStatus = 'RUNNING' | 'LOST';

export class TaskSlot {
  /** The slot sharing group placed in this slot (null: free). */
  group: ExecutionSlotSharingGroup | null = null;

  constructor(
    readonly taskManager: TaskManager,
    readonly index: number,
  ) {}
}

export class TaskManager {
  readonly id: string;
  status: TaskManagerStatus = 'RUNNING';
  slots: TaskSlot[];
  /** Times this TaskManager registered (1 at start; +1 after every restart). */
  registrations = 1;

  constructor(
    readonly index: number,
    readonly numberOfSlots: number,
  ) {
    this.id = taskManagerId(index);
    this.slots = this.freshSlots();
  }

  freshSlots(): TaskSlot[] {
    return Array.from({ length: this.numberOfSlots }, (_, i) => new TaskSlot(this, i));
  }
}

/** Flink's ExecutionSlotSharingGroup: the subtasks (of different vertices) that share one slot. */
export interface ExecutionSlotSharingGroup {
  readonly index: number;
  readonly tasks: StreamTask[];
  /** The slot this group occupies; kept while its tasks restart (null: none, or its TaskManager was lost). */
  slot: TaskSlot | null;
}

export function taskManagerId(index: number): string {
  return `taskmanager-${index}`;
}

/** `taskmanager-<n>` → n, or null when `id` is not a TaskManager id. */
export function parseTaskManagerId(id: string): number | null {
  const m = /^taskmanager-(\d+)$/.exec(id);
  return m ? Number(m[1]) : null;
}
