/**
 * Flink's SlotPool (JobMaster side) with SlotSharingExecutionSlotAllocator: which slot sharing group
 * sits in which slot, and the slot requests that wait for slots.
 *
 * A set of subtasks to deploy (the job at start, a pipelined region at a restart) is one request: it
 * is deployed once every slot sharing group among its subtasks has a slot (Flink's
 * DefaultExecutionDeployer waits for all slots before deploying); until then its subtasks are
 * SCHEDULED. A group keeps its slot while its subtasks restart (Flink keeps the job's slots in the
 * pool); it needs a new one only when its TaskManager was lost. A request still waiting after
 * `slot.request.timeout` fails with Flink's NoResourceAvailableException.
 */
import type { StreamTask } from '../tasks/StreamTask';
import type { ResourceManager } from './ResourceManager';
import type { ExecutionSlotSharingGroup, TaskSlot } from './TaskManager';

export interface PendingSlotRequest {
  readonly id: number;
  readonly tasks: StreamTask[];
  /** The subtasks' attempts when the request was made: a later cancel makes the request stale. */
  readonly attempts: number[];
  readonly isRestart: boolean;
  readonly requestedAt: number;
}

export interface SlotAssignment {
  task: string;
  taskManager: string;
  slot: number;
}

export class SlotPool {
  private readonly pending: PendingSlotRequest[] = [];
  private nextRequestId = 1;

  constructor(
    readonly resourceManager: ResourceManager,
    readonly groups: readonly ExecutionSlotSharingGroup[],
  ) {}

  /** Slots the job needs: one per slot sharing group (its highest vertex parallelism). */
  get slotsNeeded(): number {
    return this.groups.length;
  }

  /** Groups among `tasks` without a slot. */
  private groupsWithoutSlot(tasks: readonly StreamTask[]): ExecutionSlotSharingGroup[] {
    const out: ExecutionSlotSharingGroup[] = [];
    for (const t of tasks) {
      const g = t.slotSharingGroup;
      if (g && !g.slot && !out.includes(g)) out.push(g);
    }
    return out;
  }

  /**
   * Gives every group among `tasks` a slot if there are enough free ones for all of them (nothing is
   * taken otherwise). Returns the new assignments, or null when the tasks must wait.
   */
  allocate(tasks: readonly StreamTask[]): TaskSlot[] | null {
    const groups = this.groupsWithoutSlot(tasks);
    const free = this.resourceManager.freeSlots();
    if (free.length < groups.length) return null;
    groups.sort((a, b) => a.index - b.index);
    const taken: TaskSlot[] = [];
    groups.forEach((g, i) => {
      const slot = free[i];
      slot.group = g;
      g.slot = slot;
      taken.push(slot);
    });
    return taken;
  }

  /** Free slots the job could use now, and the slots `tasks` still need. */
  shortfall(tasks: readonly StreamTask[]): { needed: number; available: number } {
    return {
      needed: this.groupsWithoutSlot(tasks).length,
      available: this.resourceManager.freeSlots().length,
    };
  }

  addPending(tasks: StreamTask[], isRestart: boolean, now: number): PendingSlotRequest {
    const r: PendingSlotRequest = {
      id: this.nextRequestId++,
      tasks,
      attempts: tasks.map((t) => t.attempt),
      isRestart,
      requestedAt: now,
    };
    this.pending.push(r);
    return r;
  }

  /** The request if it is still waiting (its subtasks were not cancelled meanwhile). */
  live(id: number): PendingSlotRequest | null {
    const r = this.pending.find((x) => x.id === id);
    if (!r) return null;
    if (r.tasks.some((t, i) => t.attempt !== r.attempts[i] || t.status !== 'SCHEDULED')) {
      this.remove(r);
      return null;
    }
    return r;
  }

  remove(r: PendingSlotRequest): void {
    const i = this.pending.indexOf(r);
    if (i >= 0) this.pending.splice(i, 1);
  }

  /** Waiting requests, oldest first (stale ones are dropped first: `live` removes them). */
  pendingRequests(): PendingSlotRequest[] {
    for (const r of [...this.pending]) this.live(r.id);
    return [...this.pending];
  }

  /** Where every subtask is placed (null: no slot now). */
  placement(task: StreamTask): { taskManager: string; slot: number } | null {
    const s = task.slotSharingGroup?.slot;
    return s ? { taskManager: s.taskManager.id, slot: s.index } : null;
  }
}
