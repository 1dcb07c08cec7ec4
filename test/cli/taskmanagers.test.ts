/** The command line with TaskManagers: --taskmanagers/--slots, --fail taskmanager-<n>@MS, --add-taskmanager, and the JSON fields. */
import { describe, expect, it } from 'vitest';
import { parseSimArgs, UsageError } from '../../src/cli/args';
import { runCli } from '../../src/cli/run';
import type { SimulationResult } from '../../src/engine/index';

function cli(...argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = runCli(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

function json(...argv: string[]): SimulationResult {
  const { code, out, err } = cli(...argv, '--json');
  expect(err).toBe('');
  expect(code).toBe(0);
  return JSON.parse(out) as SimulationResult;
}

describe('npm run sim with TaskManagers', () => {
  it('--json lists the TaskManagers with what each slot holds, and every subtask with its TaskManager and slot', () => {
    const r = json('visits', '--taskmanagers', '2', '--slots', '2');
    expect(r.slotsNeeded).toBe(4);
    expect(r.taskManagers.map((tm) => [tm.id, tm.status, tm.slots.length])).toEqual([
      ['taskmanager-1', 'RUNNING', 2],
      ['taskmanager-2', 'RUNNING', 2],
    ]);
    // One slot holds one subtask of each operator.
    for (const tm of r.taskManagers)
      for (const slot of tm.slots) expect(new Set(slot.map((id) => id.split('#')[0])).size).toBe(slot.length);
    const count = r.vertices.find((v) => v.operators[0] === 'count');
    expect(count?.subtasks).toEqual([
      { index: 0, status: 'FINISHED', taskManager: 'taskmanager-1', slot: 0 },
      { index: 1, status: 'FINISHED', taskManager: 'taskmanager-1', slot: 1 },
      { index: 2, status: 'FINISHED', taskManager: 'taskmanager-2', slot: 0 },
      { index: 3, status: 'FINISHED', taskManager: 'taskmanager-2', slot: 1 },
    ]);
  });

  it('--fail taskmanager-2@MS fails exactly its subtasks once; the job recovers exactly once', () => {
    const clean = json('visits', '--taskmanagers', '2', '--slots', '2');
    const r = json('visits', '--taskmanagers', '2', '--slots', '2', '--fail', 'taskmanager-2@1500');
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]).toMatchObject({
      time: 1500,
      task: 'taskmanager-2',
      reason: 'TaskManager with id taskmanager-2 is no longer reachable.',
    });
    expect(r.failures[0].restoredFrom).not.toBeNull();
    expect(r.state).toEqual(clean.state);
    const rows = (x: SimulationResult) => x.sinks.sink.committed.map((v) => JSON.stringify(v)).sort();
    expect(rows(r)).toEqual(rows(clean));
    expect(r.taskManagers.every((tm) => tm.status === 'RUNNING')).toBe(true);
  });

  it('ignoredFailures: a TaskManager kill that failed subtasks is not listed; one with empty slots is, and --add-taskmanager never', () => {
    const hit = cli(
      'visits',
      '--taskmanagers',
      '2',
      '--slots',
      '2',
      '--fail',
      'taskmanager-2@1500',
      '--json',
    );
    expect((JSON.parse(hit.out) as { ignoredFailures: unknown[] }).ignoredFailures).toEqual([]);
    const empty = cli(
      'visits',
      '--taskmanagers',
      '2',
      '--slots',
      '4',
      '--add-taskmanager',
      '100',
      '--fail',
      'taskmanager-2@1500',
      '--json',
    );
    expect((JSON.parse(empty.out) as { ignoredFailures: unknown[] }).ignoredFailures).toEqual([
      {
        target: 'taskmanager-2',
        at: 1500,
        reason: 'taskmanager-2 had no running subtask in its slots at 1500.0 ms (it was killed all the same)',
      },
    ]);
  });

  it('the summary shows the TaskManagers and the TaskManager failure', () => {
    const { code, out } = cli(
      'visits',
      '--taskmanagers',
      '2',
      '--slots',
      '2',
      '--fail',
      'taskmanager-1@1500',
    );
    expect(code).toBe(0);
    expect(out).toContain('TaskManagers (2, 4 slots running; the job needs 4)\n');
    expect(out).toMatch(/\n {2}taskmanager-1 {2}RUNNING {2}slot 0: source#0 count#0 · slot 1: /);
    expect(out).toMatch(/taskmanager-1 +TaskManager with id taskmanager-1 is no longer reachable\./);
  });

  it('too few slots and a TaskManager that never comes back: NoResourceAvailableException names the slots', () => {
    const r = json(
      'visits',
      '--taskmanagers',
      '2',
      '--slots',
      '2',
      '--fail',
      'taskmanager-2@1500',
      '--taskmanager-restart',
      '1000000',
      '--slot-request-timeout',
      '5000',
      '--until',
      '12000',
    );
    const nra = r.failures.find((f) => f.reason.startsWith('NoResourceAvailableException'));
    expect(nra?.reason).toContain('The job needs 4 slot(s); 2 more for 8 task(s) waiting, 0 free');
    expect(
      r.vertices.flatMap((v) => v.subtasks).some((s) => s.status === 'SCHEDULED' && s.taskManager === null),
    ).toBe(true);
  });

  it('--add-taskmanager: a job that needs more slots waits SCHEDULED, then runs', () => {
    // Bounded visits: every subtask ends FINISHED (it ran once the second TaskManager registered).
    const r = json('visits', '--taskmanagers', '1', '--slots', '2', '--add-taskmanager', '800');
    expect(r.taskManagers.map((tm) => tm.id)).toEqual(['taskmanager-1', 'taskmanager-2']);
    expect(r.vertices.flatMap((v) => v.subtasks).every((s) => s.status === 'FINISHED')).toBe(true);
    expect(r.checkpoints[0].triggerTime).toBeGreaterThan(800);
  });

  it('the summary lists added TaskManagers with the cluster, not with the failures', () => {
    const { out } = cli('visits', '--taskmanagers', '1', '--slots', '2', '--add-taskmanager', '800');
    expect(out).toContain('  added by --add-taskmanager at: 800.0 ms\n');
    expect(out).toContain('Failures (0)\n  (none)\n');
  });

  it('rejects a TaskManager the cluster does not have and bad sizes', () => {
    const { code, err } = cli('visits', '--taskmanagers', '2', '--fail', 'taskmanager-3@100');
    expect(code).toBe(2);
    expect(err).toContain(
      '--fail taskmanager-3@100: the cluster has 2 TaskManager(s): taskmanager-1 to taskmanager-2',
    );
    expect(
      cli('visits', '--taskmanagers', '2', '--add-taskmanager', '50', '--fail', 'taskmanager-3@100').code,
    ).toBe(0);
    expect(() => parseSimArgs(['visits', '--slots', '0'])).toThrow(UsageError);
    expect(() => parseSimArgs(['visits', '--slots', '0'])).toThrow(
      '--slots must be an integer from 1 to 128',
    );
    expect(parseSimArgs(['visits', '--fail', 'taskmanager-1@900'])).toMatchObject({
      options: { failures: [{ target: 'taskmanager-1', at: 900 }] },
    });
  });
});
