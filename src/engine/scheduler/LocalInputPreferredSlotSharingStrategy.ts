/**
 * Flink's LocalInputPreferredSlotSharingStrategy: builds the ExecutionSlotSharingGroups, each of
 * which needs one slot. A job vertex is an operator chain (its subtasks are the tasks); vertices are
 * visited in topological order (job order here); for each subtask, in order:
 *  1. the group of its producer — the producer of the first partition it consumes (for a forward
 *     edge the subtask with its own index, for an all-to-all edge subtask 0) — if that group is of
 *     the vertex's slot sharing group and has no subtask of this vertex yet;
 *  2. otherwise (after all subtasks of the vertex had their try at 1.) the first existing group of
 *     its slot sharing group without a subtask of this vertex;
 *  3. otherwise a new group.
 * So a job needs, per slot sharing group (`slotSharingGroup(name)`; all in 'default' unless set),
 * the highest parallelism of its vertices in slots, and one slot holds one subtask of each vertex.
 */
import type { JobVertex } from '../api/JobGraph';
import type { StreamTask } from '../tasks/StreamTask';
import type { ExecutionSlotSharingGroup } from './TaskManager';

export function buildSlotSharingGroups(tasks: readonly StreamTask[]): ExecutionSlotSharingGroup[] {
  const groups: ExecutionSlotSharingGroup[] = [];
  const groupOf = new Map<StreamTask, ExecutionSlotSharingGroup>();
  const vertices = new Set<JobVertex>(tasks.map((t) => t.vertex));
  const has = (g: ExecutionSlotSharingGroup, v: JobVertex): boolean => g.tasks.some((t) => t.vertex === v);
  const sameGroup = (g: ExecutionSlotSharingGroup, v: JobVertex): boolean =>
    g.tasks[0].vertex.slotSharingGroup === v.slotSharingGroup;
  const add = (t: StreamTask, g: ExecutionSlotSharingGroup): void => {
    g.tasks.push(t);
    groupOf.set(t, g);
  };
  for (const v of vertices) {
    const subtasks = tasks.filter((t) => t.vertex === v);
    const remaining: StreamTask[] = [];
    for (const t of subtasks) {
      const first = t.inputs[0];
      const producerGroup = first ? groupOf.get(first.from) : undefined;
      if (producerGroup && sameGroup(producerGroup, v) && !has(producerGroup, v)) add(t, producerGroup);
      else remaining.push(t);
    }
    for (const t of remaining) {
      let g = groups.find((x) => sameGroup(x, v) && !has(x, v));
      if (!g) {
        g = { index: groups.length, tasks: [], slot: null };
        groups.push(g);
      }
      add(t, g);
    }
  }
  return groups;
}
