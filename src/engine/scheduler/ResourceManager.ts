/**
 * Flink's ResourceManager for a standalone cluster, with its process supervisor: the TaskManagers,
 * their slots, and what happens when one is lost (its slots are gone; it is started again after
 * `taskManagerRestartDelayMs` and registers with fresh slots) or added (`docker-compose scale
 * taskmanager=2` in the Operations Playground).
 *
 * Free slots are handed out TaskManager by TaskManager, slot by slot (Flink's default slot matching
 * takes any free slot; with `cluster.evenly-spread-out-slots: false` a small cluster in practice fills
 * one TaskManager before the next — here always, so that placement is deterministic).
 */
import { TaskManager, type ExecutionSlotSharingGroup, type TaskSlot } from './TaskManager';

export interface ClusterConfiguration {
  /** Number of TaskManagers at start. */
  taskManagers: number;
  /** Task slots per TaskManager (Flink's `taskmanager.numberOfTaskSlots`). */
  slotsPerTaskManager: number;
  /** Time until a lost TaskManager is back (a supervisor restarting the process); Infinity: never. */
  taskManagerRestartDelayMs: number;
  /** Flink's `slot.request.timeout` (default 5 min): how long tasks wait SCHEDULED for slots. */
  slotRequestTimeoutMs: number;
}

/** Defaults: a process supervisor restarts a TaskManager in a few seconds; Flink's slot.request.timeout. */
export const DEFAULT_TASK_MANAGER_RESTART_DELAY_MS = 3000;
export const DEFAULT_SLOT_REQUEST_TIMEOUT_MS = 300_000;

/** What a caller may leave out; `resolveClusterConfiguration` fills it in from the job's needs. */
export type ClusterOptions = Partial<ClusterConfiguration>;

/**
 * Without a size the cluster is sized for the job (as Flink's local MiniCluster: one TaskManager with
 * as many slots as the job needs); with only one of the two numbers, the other makes the job fit.
 */
export function resolveClusterConfiguration(
  options: ClusterOptions,
  slotsNeeded: number,
): ClusterConfiguration {
  const need = Math.max(1, slotsNeeded);
  const tms = options.taskManagers;
  const slots = options.slotsPerTaskManager;
  for (const [name, v] of [
    ['taskManagers', tms],
    ['slotsPerTaskManager', slots],
  ] as const) {
    if (v !== undefined && !(Number.isInteger(v) && v >= 1 && v <= 128))
      throw new Error(`${name} must be an integer from 1 to 128 (got ${v})`);
  }
  const restart = options.taskManagerRestartDelayMs ?? DEFAULT_TASK_MANAGER_RESTART_DELAY_MS;
  const timeout = options.slotRequestTimeoutMs ?? DEFAULT_SLOT_REQUEST_TIMEOUT_MS;
  if (!(restart >= 0)) throw new Error(`taskManagerRestartDelayMs must be >= 0 (got ${restart})`);
  if (!(timeout > 0)) throw new Error(`slotRequestTimeoutMs must be > 0 (got ${timeout})`);
  return {
    taskManagers: tms ?? (slots === undefined ? 1 : Math.ceil(need / slots)),
    slotsPerTaskManager: slots ?? Math.ceil(need / (tms ?? 1)),
    taskManagerRestartDelayMs: restart,
    slotRequestTimeoutMs: timeout,
  };
}

/** A TaskManager as the CLI's --json and the app show it. */
export interface TaskManagerInfo {
  id: string;
  index: number;
  status: 'RUNNING' | 'LOST';
  /** What each slot holds: the ids of the subtasks in it (empty: free). */
  slots: string[][];
}

export class ResourceManager {
  readonly taskManagers: TaskManager[] = [];

  constructor(readonly config: ClusterConfiguration) {
    for (let i = 0; i < config.taskManagers; i++) this.addTaskManager();
  }

  /** A new TaskManager registers (numbered after the existing ones). */
  addTaskManager(): TaskManager {
    const tm = new TaskManager(this.taskManagers.length + 1, this.config.slotsPerTaskManager);
    this.taskManagers.push(tm);
    return tm;
  }

  get(index: number): TaskManager | undefined {
    return this.taskManagers[index - 1];
  }

  /** The TaskManager is gone: its slots with it. Returns the slot sharing groups it held. */
  lose(tm: TaskManager): ExecutionSlotSharingGroup[] {
    const groups: ExecutionSlotSharingGroup[] = [];
    for (const slot of tm.slots) {
      if (slot.group) {
        slot.group.slot = null;
        groups.push(slot.group);
        slot.group = null;
      }
    }
    tm.status = 'LOST';
    return groups;
  }

  /** A lost TaskManager's process is back and registers with fresh, free slots. */
  reregister(tm: TaskManager): void {
    tm.status = 'RUNNING';
    tm.slots = tm.freshSlots();
    tm.registrations++;
  }

  /** Free slots of the running TaskManagers, TaskManager by TaskManager. */
  freeSlots(): TaskSlot[] {
    const out: TaskSlot[] = [];
    for (const tm of this.taskManagers)
      if (tm.status === 'RUNNING') for (const s of tm.slots) if (!s.group) out.push(s);
    return out;
  }

  /** Slots of the running TaskManagers. */
  totalSlots(): number {
    let n = 0;
    for (const tm of this.taskManagers) if (tm.status === 'RUNNING') n += tm.slots.length;
    return n;
  }

  /** The TaskManagers, their status and what runs in each slot. */
  info(): TaskManagerInfo[] {
    return this.taskManagers.map((tm) => ({
      id: tm.id,
      index: tm.index,
      status: tm.status,
      slots:
        tm.status === 'RUNNING' ? tm.slots.map((s) => (s.group ? s.group.tasks.map((t) => t.id) : [])) : [],
    }));
  }
}
