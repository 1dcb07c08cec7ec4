/**
 * TaskManagers and slots, as a Flink operator sees them: where subtasks are placed (Flink's
 * LocalInputPreferredSlotSharingStrategy: one slot holds one subtask of each vertex, a job needs its
 * highest parallelism in slots), what losing a TaskManager fails (exactly the subtasks in its slots,
 * in one failover), tasks waiting SCHEDULED until it is back, Flink's NoResourceAvailableException
 * after slot.request.timeout, and a rescaled job waiting for a TaskManager to be added (the
 * Operations Playground's exercises).
 */
import { renderEnglish } from '../../src/engine/messages/Message';
import { describe, expect, it } from 'vitest';
import {
  FsStateBackend,
  MiniCluster,
  ReplayableLog,
  RestartStrategies,
  Simulation,
  StreamExecutionEnvironment,
  TwoPhaseCommitSink,
  type ClusterOptions,
  type CompletedCheckpoint,
  type JobGraph,
  type LogRecord,
  type TraceEvent,
} from '../../src/engine/index';
import { CountByK, ofType } from './helpers';

const RECORDS = 1200;
const KEYS = 9;

function log(): ReplayableLog<unknown> {
  const parts: LogRecord<unknown>[][] = [[], []];
  for (let i = 0; i < RECORDS; i++) parts[i % 2].push({ value: { k: `k${i % KEYS}` }, timestamp: i });
  return new ReplayableLog('in', parts);
}

function expectedCounts(): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < RECORDS; i++) out[`k${i % KEYS}`] = (out[`k${i % KEYS}`] ?? 0) + 1;
  return out;
}

/** src (p=2) -rebalance-> m (p) -keyBy-> count (p) -forward-> 2PC sink (p). */
function job(p = 3, restart = RestartStrategies.fixedDelayRestart(5, 500)): JobGraph {
  // Every operator its own task, so that slots hold several (chains in slots: chaining.test.ts).
  const env = StreamExecutionEnvironment.getExecutionEnvironment().disableOperatorChaining();
  env.enableCheckpointing(100);
  env.setStateBackend(new FsStateBackend());
  env.setRestartStrategy(restart);
  env
    .fromSource(log(), 'Source: in', 1)
    .uid('src')
    .setParallelism(2)
    .rebalance()
    .map((x: unknown) => x as { k: string })
    .uid('m')
    .setParallelism(p)
    .keyBy((x: { k: string }) => x.k)
    .map(new CountByK())
    .uid('count')
    .setParallelism(p)
    .setProcessingTime(0.5)
    .addSink(new TwoPhaseCommitSink<[string, number]>())
    .uid('sink')
    .setParallelism(p);
  return env.getJobGraph('Slots');
}

function simulate(
  j: JobGraph,
  cluster: ClusterOptions,
  failures: { target: string; at: number }[] = [],
  restoreFrom?: CompletedCheckpoint,
) {
  const events: TraceEvent[] = [];
  const sim = new Simulation(j, { seed: 3, trace: (e) => events.push(e), cluster, restoreFrom });
  sim.run(failures);
  return { sim, events, result: sim.result() };
}

function committedCounts(sim: Simulation): Record<string, number> {
  // The last committed count per key is the number of records with that key.
  const out: Record<string, number> = {};
  for (const [k, n] of sim.external.committedValues('sink') as [string, number][])
    out[k] = Math.max(out[k] ?? 0, n);
  return out;
}

function noDuplicates(values: readonly unknown[]): boolean {
  const keys = values.map((v) => JSON.stringify(v));
  return new Set(keys).size === keys.length;
}

describe('slot sharing and placement (LocalInputPreferredSlotSharingStrategy)', () => {
  it('a job needs its highest parallelism in slots; one slot holds one subtask of each vertex', () => {
    const c = new MiniCluster(job(3), { seed: 1, cluster: { taskManagers: 2, slotsPerTaskManager: 2 } });
    expect(c.slotsNeeded).toBe(3);
    // Flink's rule: src#0 opens group 0, src#1 group 1; m#0 joins its first producer's (src#0) group,
    // m#1 and m#2 find it taken and go to the first group without an m (1), then a new one (2);
    // count#i likewise (its first producer is m#0); sink#i joins count#i's group (forward edge).
    // Groups fill TaskManager 1's slots, then TaskManager 2's.
    expect(c.taskManagerInfo()).toEqual([
      {
        id: 'taskmanager-1',
        index: 1,
        status: 'RUNNING',
        slots: [
          ['src#0', 'm#0', 'count#0', 'sink#0'],
          ['src#1', 'm#1', 'count#1', 'sink#1'],
        ],
      },
      { id: 'taskmanager-2', index: 2, status: 'RUNNING', slots: [['m#2', 'count#2', 'sink#2'], []] },
    ]);
    expect(c.placement('count#2')).toEqual({ taskManager: 'taskmanager-2', slot: 0 });
  });

  it('by default the cluster has enough slots (one TaskManager, as a local cluster); one size given, the other fits the job', () => {
    expect(new MiniCluster(job(4), { seed: 1 }).taskManagerInfo().map((t) => t.slots.length)).toEqual([4]);
    const three = new MiniCluster(job(4), { seed: 1, cluster: { taskManagers: 3 } }).taskManagerInfo();
    expect(three.map((t) => t.slots.length)).toEqual([2, 2, 2]);
    const bySlots = new MiniCluster(job(4), {
      seed: 1,
      cluster: { slotsPerTaskManager: 1 },
    }).taskManagerInfo();
    expect(bySlots.map((t) => t.slots.length)).toEqual([1, 1, 1, 1]);
  });

  it('rejects a cluster size that is not a positive integer', () => {
    expect(() => new MiniCluster(job(2), { seed: 1, cluster: { taskManagers: 0 } })).toThrow(
      /taskManagers must be an integer from 1 to 128/,
    );
  });
});

describe('losing a TaskManager', () => {
  const cluster: ClusterOptions = {
    taskManagers: 2,
    slotsPerTaskManager: 2,
    taskManagerRestartDelayMs: 3000,
  };

  it('fails exactly the subtasks in its slots, at once, in one failover', () => {
    const { events, result } = simulate(job(3), cluster, [{ target: 'taskmanager-2', at: 400 }]);
    const lost = ofType(events, 'taskmanager-lost');
    expect(lost).toEqual([
      {
        type: 'taskmanager-lost',
        t: 400,
        taskManager: 'taskmanager-2',
        tasks: ['m#2', 'count#2', 'sink#2'],
        restartAt: 3400,
      },
    ]);
    const failed = ofType(events, 'task-failed');
    expect(failed.map((e) => e.task)).toEqual(['m#2', 'count#2', 'sink#2']);
    expect(new Set(failed.map((e) => e.t))).toEqual(new Set([400]));
    expect(renderEnglish(failed[0].reason)).toBe('TaskManager with id taskmanager-2 is no longer reachable.');
    expect(ofType(events, 'job-restarting')).toHaveLength(1);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0].task).toBe('taskmanager-2');
  });

  it('the restarted tasks wait SCHEDULED until the TaskManager is back, then restore the latest checkpoint', () => {
    const { events, sim, result } = simulate(job(3), cluster, [{ target: 'taskmanager-2', at: 400 }]);
    const restartAt = 400 + 500; // fixed-delay restart strategy: 500 ms
    const scheduled = ofType(events, 'task-status').filter((e) => e.status === 'SCHEDULED');
    expect(scheduled.map((e) => e.task).sort()).toEqual(sim.cluster.taskIds().sort());
    expect(new Set(scheduled.map((e) => e.t))).toEqual(new Set([restartAt]));
    // The job is RUNNING (as Flink's Web UI shows it) while its tasks wait for a slot ...
    const jobRunning = ofType(events, 'job-status').filter((e) => e.status === 'RUNNING');
    expect(jobRunning.map((e) => e.t)).toEqual([0, restartAt]);
    // ... but nothing runs and no checkpoint starts until the TaskManager registers again.
    const registered = ofType(events, 'taskmanager-registered');
    expect(registered).toEqual([
      { type: 'taskmanager-registered', t: 3400, taskManager: 'taskmanager-2', slots: 2 },
    ]);
    const running = ofType(events, 'task-status').filter((e) => e.status === 'RUNNING' && e.t > 400);
    expect(Math.min(...running.map((e) => e.t))).toBe(3400);
    const triggered = ofType(events, 'checkpoint-triggered').map((e) => e.t);
    expect(triggered.filter((t) => t > 400 && t < 3400)).toEqual([]);
    // The group that lost its slot gets one on the new TaskManager; the others kept theirs.
    expect(ofType(events, 'slots-allocated')).toEqual([
      {
        type: 'slots-allocated',
        t: 3400,
        slots: [
          { task: 'm#2', taskManager: 'taskmanager-2', slot: 0 },
          { task: 'count#2', taskManager: 'taskmanager-2', slot: 0 },
          { task: 'sink#2', taskManager: 'taskmanager-2', slot: 0 },
        ],
      },
    ]);
    const restored = ofType(events, 'task-restored');
    const latestBefore = Math.max(
      ...ofType(events, 'checkpoint-completed')
        .filter((e) => e.t < 400)
        .map((e) => e.checkpointId),
    );
    expect(restored.every((e) => e.t === 3400 && e.checkpointId === latestBefore)).toBe(true);
    expect(result.failures[0].restoredFrom).toBe(latestBefore);
    // Exactly once: final state and committed output as without the failure.
    expect(result.state.count.n).toEqual(expectedCounts());
    expect(committedCounts(sim)).toEqual(expectedCounts());
    expect(noDuplicates(sim.external.committedValues('sink'))).toBe(true);
    expect(result.jobStatus).toBe('RUNNING');
  });

  it('a TaskManager with nothing in its slots fails nothing', () => {
    const { events, result } = simulate(job(3), { taskManagers: 2, slotsPerTaskManager: 3 }, [
      { target: 'taskmanager-2', at: 400 },
    ]);
    expect(ofType(events, 'taskmanager-lost')[0].tasks).toEqual([]);
    expect(ofType(events, 'task-failed')).toEqual([]);
    expect(result.failures).toEqual([]);
    expect(result.state.count.n).toEqual(expectedCounts());
  });

  it('too few slots: NoResourceAvailableException after slot.request.timeout names the slots needed and available; the restart strategy decides', () => {
    const { events, result } = simulate(
      job(3, RestartStrategies.fixedDelayRestart(1, 500)),
      { ...cluster, taskManagerRestartDelayMs: Infinity, slotRequestTimeoutMs: 2000 },
      [{ target: 'taskmanager-2', at: 400 }],
    );
    expect(result.failures).toHaveLength(2);
    const timeout = result.failures[1];
    expect(timeout.time).toBe(400 + 500 + 2000);
    expect(timeout.reason).toBe(
      'NoResourceAvailableException: Could not acquire the minimum required resources. The job needs 3 slot(s); ' +
        '1 more for 11 task(s) waiting, 0 free (2 in the cluster: taskmanager-1 2 slot(s), taskmanager-2 lost); ' +
        'waited slot.request.timeout = 2000 ms.',
    );
    // fixed-delay with 1 attempt: the second failure fails the job.
    expect(result.jobStatus).toBe('FAILED');
    const failedJob = ofType(events, 'job-status').find((e) => e.status === 'FAILED');
    expect(failedJob?.reason ? renderEnglish(failedJob.reason) : '').toContain(
      'Could not acquire the minimum required resources',
    );
  });

  it('a slot request times out again and again while the TaskManager stays away; it comes back and the job recovers', () => {
    const { result, sim } = simulate(
      job(3),
      { ...cluster, taskManagerRestartDelayMs: 5000, slotRequestTimeoutMs: 1500 },
      [{ target: 'taskmanager-2', at: 400 }],
    );
    // 400: lost; 900: restart, waits; 2400: timeout, restart at 2900, waits; 4400: timeout; 5400: back.
    expect(result.failures.map((f) => f.time)).toEqual([400, 2400, 4400]);
    expect(result.failures.slice(1).every((f) => f.reason.startsWith('NoResourceAvailableException'))).toBe(
      true,
    );
    expect(result.state.count.n).toEqual(expectedCounts());
    expect(committedCounts(sim)).toEqual(expectedCounts());
  });
});

describe('rescaling to more slots than the cluster has', () => {
  it('waits SCHEDULED for a TaskManager to be added, then restores the rescaled state', () => {
    const first = new Simulation(job(2), { seed: 3, cluster: { taskManagers: 1, slotsPerTaskManager: 2 } });
    first.run([], 500);
    const checkpoint = first.cluster.coordinator.latestCompleted as CompletedCheckpoint;
    expect(checkpoint).not.toBeNull();

    const { events, result, sim } = simulate(
      job(3),
      { taskManagers: 1, slotsPerTaskManager: 2 },
      [{ target: 'add-taskmanager', at: 1000 }],
      checkpoint,
    );
    const scheduled = ofType(events, 'task-status').filter((e) => e.status === 'SCHEDULED');
    expect(scheduled).toHaveLength(sim.cluster.tasks.length);
    expect(scheduled.every((e) => e.t === 0)).toBe(true);
    expect(ofType(events, 'checkpoint-triggered').filter((e) => e.t < 1000)).toEqual([]);
    expect(ofType(events, 'taskmanager-registered')).toEqual([
      { type: 'taskmanager-registered', t: 1000, taskManager: 'taskmanager-2', slots: 2 },
    ]);
    const restored = ofType(events, 'task-restored');
    expect(restored.every((e) => e.t === 1000 && e.checkpointId === checkpoint.checkpointId)).toBe(true);
    expect(result.taskManagers.map((t) => t.slots.filter((s) => s.length > 0).length)).toEqual([2, 1]);
    expect(result.state.count.n).toEqual(expectedCounts());
  });
});
