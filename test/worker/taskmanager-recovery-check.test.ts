/**
 * The `taskmanager-recovered` lesson check (src/worker/taskManagerRecovery.ts) on event sequences:
 * it passes only when a lost TaskManager's subtasks all failed at once, waited SCHEDULED, and were
 * restored — after it registered again — from the checkpoint that was the latest when it was lost;
 * each missing stage is named. (Lesson 8's solution plays the real thing: solutions.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { renderEnglish, text, type TraceEvent } from '../../src/engine/index';
import { TaskManagerRecoveryTracker } from '../../src/worker/taskManagerRecovery';

const completed = (t: number, id: number): TraceEvent =>
  ({ type: 'checkpoint-completed', t, checkpointId: id, stats: {} }) as unknown as TraceEvent;
const lost: TraceEvent = {
  type: 'taskmanager-lost',
  t: 100,
  taskManager: 'taskmanager-1',
  tasks: ['a#0', 'b#0'],
  restartAt: 3100,
};
const failed = (task: string, t = 100): TraceEvent => ({ type: 'task-failed', t, task, reason: text('x') });
const scheduled = (task: string, t: number): TraceEvent => ({
  type: 'task-status',
  t,
  task,
  status: 'SCHEDULED',
});
const back: TraceEvent = { type: 'taskmanager-registered', t: 3100, taskManager: 'taskmanager-1', slots: 2 };
const restored = (task: string, id: number | null, t = 3100): TraceEvent => ({
  type: 'task-restored',
  t,
  task,
  checkpointId: id,
  offsets: [],
});

function run(events: TraceEvent[]) {
  const tracker = new TaskManagerRecoveryTracker();
  tracker.reset(null);
  for (const e of events) tracker.observe(e);
  const r = tracker.result();
  return { ok: r.ok, why: renderEnglish(r.why) };
}

describe('taskmanager-recovered', () => {
  const full = [
    completed(50, 1),
    completed(80, 2),
    lost,
    failed('a#0'),
    failed('b#0'),
    scheduled('a#0', 1100),
    scheduled('b#0', 1100),
    back,
    restored('a#0', 2),
    restored('b#0', 2),
  ];

  it('passes on the whole sequence, naming the checkpoint', () => {
    expect(run(full)).toEqual({
      ok: true,
      why: 'taskmanager-1 came back and its subtasks restored checkpoint 2',
    });
  });

  it('names each missing stage', () => {
    expect(run([completed(50, 1)]).why).toBe('no TaskManager with running subtasks was lost in this step');
    expect(run(full.slice(0, 4)).why).toBe(
      'only 1 of the 2 subtasks in the slots of taskmanager-1 failed when it was lost',
    );
    expect(run(full.slice(0, 5)).why).toBe(
      'no subtask has waited SCHEDULED for a slot since taskmanager-1 was lost',
    );
    expect(run(full.slice(0, 7)).why).toBe('taskmanager-1 has not registered again yet');
    expect(run(full.slice(0, 9)).why).toBe('taskmanager-1 is back; not restored yet: b#0');
  });

  it('a failure of a subtask at another moment does not count as failing with the TaskManager', () => {
    const r = run([lost, failed('a#0'), failed('b#0', 150), scheduled('a#0', 1100), back]);
    expect(r.ok).toBe(false);
    expect(r.why).toContain('only 1 of the 2');
  });

  it('restored from an older checkpoint, or from scratch, is not the latest: it fails', () => {
    const older = [...full.slice(0, 8), restored('a#0', 1), restored('b#0', 2)];
    expect(run(older).why).toBe(
      'a#0 restored checkpoint 1, not checkpoint 2 (the latest when taskmanager-1 was lost)',
    );
    const none = [
      lost,
      failed('a#0'),
      failed('b#0'),
      scheduled('a#0', 1100),
      back,
      restored('a#0', null),
      restored('b#0', null),
    ];
    expect(run(none).ok).toBe(false);
  });

  it('a restore before the TaskManager is back (another failure) does not count', () => {
    const early = [...full.slice(0, 7), restored('a#0', 2, 2000), back, restored('b#0', 2)];
    expect(run(early).why).toBe('taskmanager-1 is back; not restored yet: a#0');
  });
});
