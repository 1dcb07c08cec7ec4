/**
 * What the lab shows of a running job's state (the State panel, `npm run sim --json`): keyed state,
 * broadcast state and source offsets read from the subtasks' operators, merged per operator.
 */
import type { StreamTask } from '../tasks/StreamTask';
import { SourceOperator, UserFunctionOperator } from './operators';

/**
 * Per operator uid → state name → key (and namespace, for window state) → value, merged over
 * subtasks (what `npm run sim --json` prints).
 */
export function keyedStateByOperator(
  tasks: readonly StreamTask[],
): Record<string, Record<string, Record<string, unknown>>> {
  const out: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const task of tasks) {
    for (const chained of task.chain?.operators ?? []) {
      const backend = chained.keyedBackend;
      if (!backend) continue;
      const op = (out[chained.vertex.uid] ??= {});
      for (const name of backend.stateNames()) {
        const st = (op[name] ??= {});
        // Window state: one entry per (key, window), written `key TimeWindow{start=…, end=…}`.
        for (const [key, value, ns] of backend.entries(name))
          st[ns === undefined ? String(key) : `${String(key)} ${ns}`] = value;
      }
    }
  }
  return out;
}

/**
 * Broadcast state per operator uid → subtask index → state name → entries (`[key, value]` in
 * insertion order): every subtask holds its own copy (Flink's broadcast state pattern).
 */
export function broadcastStateByOperator(
  tasks: readonly StreamTask[],
): Record<string, Record<number, Record<string, Array<[unknown, unknown]>>>> {
  const out: Record<string, Record<number, Record<string, Array<[unknown, unknown]>>>> = {};
  for (const task of tasks) {
    const op = task.operator;
    const backend = op instanceof UserFunctionOperator ? op.getOperatorStateBackend() : null;
    if (!backend || backend.getBroadcastStates().size === 0) continue;
    const states: Record<string, Array<[unknown, unknown]>> = {};
    for (const [name, b] of backend.getBroadcastStates()) states[name] = b.snapshotItems();
    (out[task.vertex.uid] ??= {})[task.subtaskIndex] = states;
  }
  return out;
}

export function sourceOffsets(
  tasks: readonly StreamTask[],
): Record<string, Array<{ partition: number; offset: number }>> {
  const out: Record<string, Array<{ partition: number; offset: number }>> = {};
  for (const task of tasks)
    if (task.operator instanceof SourceOperator) out[task.id] = task.operator.offsets();
  return out;
}
