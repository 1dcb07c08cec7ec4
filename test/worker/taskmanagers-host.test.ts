/** The worker with TaskManagers: frames carry each subtask's TaskManager and slot; kill and add are timeline actions. */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { newHost, playUntil } from './host-helpers';

describe('EngineHost: TaskManagers', () => {
  it('frames carry placement; killing a TaskManager fails its subtasks, they wait SCHEDULED, and it comes back', async () => {
    const host = newHost('tm-host-1');
    await host.start();
    const info = await host.load({
      scenario: 'visits',
      seed: 1,
      speed: 20_000,
      taskManagers: 2,
      slotsPerTaskManager: 2,
      taskManagerRestartDelayMs: 2000,
    });
    expect(info.config).toMatchObject({ taskManagers: 2, slotsPerTaskManager: 2, slotsNeeded: 4 });
    const first = (await playUntil(host, (u) => u.now > 600)).pop()!;
    expect(first.taskManagers.map((tm) => [tm.id, tm.status, tm.slots])).toEqual([
      ['taskmanager-1', 'RUNNING', 2],
      ['taskmanager-2', 'RUNNING', 2],
    ]);
    const countIdx = info.tasks.findIndex((t) => t.id === 'count#3');
    expect(first.placement[countIdx]).toEqual([2, 1]);

    await host.killTaskManager('taskmanager-2');
    const after = await playUntil(
      host,
      (u) => u.taskManagers.every((tm) => tm.status === 'RUNNING') && u.now > 3000,
    );
    const events = after.flatMap((u) => u.events);
    const lost = events.find((e) => e.type === 'taskmanager-lost');
    expect(lost && lost.type === 'taskmanager-lost' && lost.tasks.sort()).toEqual(
      ['count#2', 'count#3', 'source#2', 'source#3'].sort(), // (the sinks are chained into count#i)
    );
    expect(after.some((u) => u.taskStatuses.includes('SCHEDULED') && u.placement.includes(null))).toBe(true);
    expect(events.some((e) => e.type === 'taskmanager-registered')).toBe(true);
    const timeline = await host.timeline();
    expect(timeline.actions.map((a) => a.action)).toEqual([
      { type: 'kill-taskmanager', taskManager: 'taskmanager-2' },
    ]);
    await expect(host.killTaskManager('taskmanager-9')).rejects.toThrow("no TaskManager 'taskmanager-9'");
  });
});
