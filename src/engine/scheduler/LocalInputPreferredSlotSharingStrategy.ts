/**
 * Flink's LocalInputPreferredSlotSharingStrategy (all vertices in the default slot sharing group):
 * builds the ExecutionSlotSharingGroups, each of which needs one slot. Vertices are visited in
 * topological order (job order here); for each subtask, in order:
 *  1. the group of its producer — the producer of the first partition it consumes (for a forward
 *     edge the subtask with its own index, for an all-to-all edge subtask 0) — if that group has no
 *     subtask of this vertex yet;
 *  2. otherwise (after all subtasks of the vertex had their try at 1.) the first existing group
 *     without a subtask of this vertex;
 *  3. otherwise a new group.
 * So a job needs max(parallelism of its vertices) slots, and one slot holds one subtask of each vertex.
 */
import type { JobVertex } from '../api/JobGraph';
import type { StreamTask } from '../tasks/StreamTask';
import type { ExecutionSlotSharingGroup } from './TaskManager';

export function buildSlotSharingGroups(tasks: readonly StreamTask[]): ExecutionSlotSharingGroup[] {
  const groups: ExecutionSlotSharingGroup[] = [];
  const groupOf = new Map<StreamTask, ExecutionSlotSharingGroup>();
  const vertices = new Set<JobVertex>(tasks.map((t) => t.vertex));
  const has = (g: ExecutionSlotSharingGroup, v: JobVertex): boolean => g.tasks.some((t) => t.vertex === v);
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
      if (producerGroup && !has(producerGroup, v)) add(t, producerGroup);
      else remaining.push(t);
    }
    for (const t of remaining) {
      let g = groups.find((x) => !has(x, v));
      if (!g) {
        g = { index: groups.length, tasks: [], slot: null };
        groups.push(g);
      }
      add(t, g);
    }
  }
  return groups;
}
