/**
 * What the learner sees of a checkpointed run with a failure, against the engine itself (EngineHost
 * in Node, as the worker runs it): every subtask badge at every frame equals the engine's task status
 * and checkpoint phase; the restore summary's numbers equal the engine's state and offsets at the
 * failure and after the restore; "pause on failure" stops playback at both moments.
 */
import { msg, text } from '../../src/engine/messages/Message';
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { MiniCluster } from '../../src/engine/index';
import { displayStatus } from '../../src/app/components/graph/flags';
import type { DisplayStatus } from '../../src/app/components/graph/palette';
import type { EngineHost } from '../../src/worker/EngineHost';
import type { FrameUpdate } from '../../src/worker/protocol';
import { failureCause } from '../../src/worker/restoreSummary';
import { freshDbName } from '../storage/helpers';
import { newHost } from './host-helpers';

const clusterOf = (host: EngineHost) => (host as unknown as { cluster: MiniCluster }).cluster;

/** The engine's own view of a task, read from its objects (not from the frame). */
function engineBadge(cluster: MiniCluster, i: number, finished: boolean): DisplayStatus {
  const task = cluster.tasks[i];
  if (finished && task.status === 'RUNNING') return 'finished';
  switch (task.status) {
    case 'FAILED':
      return 'failed';
    case 'CANCELED':
      return 'canceled';
    case 'FINISHED':
      return 'finished';
    case 'RESTARTING':
    case 'CREATED':
      return 'restarting';
  }
  if (task.inputs.some((c) => c.blocked)) return 'aligning';
  return task.pendingSnapshots.size > 0 ? 'snapshotting' : 'running';
}

describe('badges and the restore summary against the engine', () => {
  it('visits: every badge at every frame is the engine status; the summary is what the restore did', async () => {
    const host = newHost(freshDbName(), [], Number.POSITIVE_INFINITY);
    await host.start();
    await host.load({ scenario: 'visits', seed: 1, mode: 'exactly-once', speed: 1000 });
    await host.setPauseOnFailure(true);
    const seen = new Map<DisplayStatus, number>();
    let compared = 0;
    const check = (u: FrameUpdate) => {
      const cluster = clusterOf(host);
      const finished = u.finished && u.jobStatus !== 'FAILED';
      u.taskStatuses.forEach((status, i) => {
        const badge = displayStatus(status, u.taskPhases?.[i], finished);
        expect(badge, `${cluster.tasks[i].id} at ${u.now}`).toBe(engineBadge(cluster, i, finished));
        // The defect seen: "snapshot" with no checkpoint in progress.
        if (badge === 'snapshotting' || badge === 'aligning')
          expect(cluster.coordinator.pendingIds().length).toBeGreaterThan(0);
        seen.set(badge, (seen.get(badge) ?? 0) + 1);
        compared++;
      });
    };
    const play = async (until: (u: FrameUpdate) => boolean, max = 3000) => {
      await host.play();
      for (let i = 0; i < max; i++) {
        const u = await host.frame(16);
        check(u);
        if (until(u)) return u;
      }
      throw new Error('condition not reached');
    };

    // Two checkpoints complete; then, event by event through the third one (an alignment lasts a
    // few virtual ms: shorter than a frame at 1×, so it is compared step by step too).
    await play((u) => u.checkpoints.completed >= 2);
    await host.pause();
    check(await host.step('checkpoint')); // to the trigger of checkpoint 3
    for (let i = 0; i < 5000; i++) {
      const step = await host.step('event');
      check(step);
      if (step.checkpoints.completed >= 3) break;
    }

    // Fail count#3 while paused: the summary shows it at once, as pending.
    await host.failTask('count#3');
    let u = await host.frame(0);
    check(u);
    expect(u.restore?.phase).toBe('pending');
    expect(u.restore?.failure.task).toBe('count#3');
    const before = await host.inspect();
    const latest = u.checkpoints.latestCompletedId;

    // Play: playback stops right at the failure.
    u = await play((f) => !f.playing);
    expect(u.events.some((e) => e.type === 'task-failed' && e.task === 'count#3')).toBe(true);
    expect(u.restore?.phase).toBe('restarting');
    expect(u.restore?.failure.cause).toEqual({ code: 'injected' });
    const restarting = u.events.find((e) => e.type === 'job-restarting');
    expect(restarting?.type === 'job-restarting' && restarting.delayMs).toBe(u.restore?.restart?.delayMs);
    expect(u.restore?.restart?.delayMs).toBeGreaterThan(0);
    expect(u.taskStatuses.every((s) => s === 'RESTARTING')).toBe(true);

    // Play again: it stops once the restore is done.
    u = await play((f) => !f.playing);
    const s = u.restore!;
    expect(s.phase).toBe('restored');
    expect(s.restored?.checkpointId).toBe(latest);
    expect(u.events.filter((e) => e.type === 'task-restored')).toHaveLength(u.taskStatuses.length);
    const after = await host.inspect();
    // Per source partition: the offset at the failure → the restored one, and the records to replay.
    expect(s.sources).toHaveLength(4);
    for (const p of s.sources) {
      const was = before.offsets[p.task].find((o) => o.partition === p.partition)?.offset;
      const now = after.offsets[p.task].find((o) => o.partition === p.partition)?.offset;
      expect(p.from).toBe(was);
      expect(p.to).toBe(now);
      expect(p.replay).toBe((was ?? 0) - (now ?? 0));
      expect(p.replay).toBeGreaterThan(0);
    }
    // Keys whose value went back, and the example.
    const changed = Object.keys(before.state.count.visits).filter(
      (k) => before.state.count.visits[k] !== after.state.count?.visits?.[k],
    );
    expect(s.state?.keysBefore).toBe(Object.keys(before.state.count.visits).length);
    expect(s.state?.keysRewound).toBe(changed.length);
    expect(changed.length).toBeGreaterThan(0);
    const ex = s.state!.example!;
    expect(ex.before).toBe(before.state.count.visits[ex.key]);
    expect(ex.after).toBe(after.state.count.visits[ex.key]);
    expect(ex.before as number).toBeGreaterThan(ex.after as number);
    // The 2PC sink: the open transactions aborted by the restore.
    expect(s.transactions.aborted).toBe(u.events.filter((e) => e.type === 'transaction-aborted').length);
    expect(s.transactions.aborted).toBeGreaterThan(0);

    // To the end.
    u = await play((f) => f.finished, 5000);
    expect(u.restore?.id).toBe(s.id); // stays until the next failure
    expect(compared).toBeGreaterThan(1000);
    for (const status of ['running', 'aligning', 'snapshotting', 'restarting', 'finished'] as const)
      expect(seen.get(status) ?? 0, status).toBeGreaterThan(0);
    expect(seen.get('restoring') ?? 0).toBe(0);
    await host.unload();
  }, 120_000);

  it('"Next checkpoint" stops at a trigger or a completion, never at an ack', async () => {
    const host = newHost(freshDbName(), [], Number.POSITIVE_INFINITY);
    await host.start();
    await host.load({ scenario: 'visits', seed: 1 });
    const stops: string[] = [];
    for (let i = 0; i < 4; i++) {
      const u = await host.step('checkpoint');
      const last = u.events.filter((e) => e.type.startsWith('checkpoint-')).at(-1);
      stops.push(last?.type ?? 'none');
    }
    expect(stops).toEqual([
      'checkpoint-triggered',
      'checkpoint-completed',
      'checkpoint-triggered',
      'checkpoint-completed',
    ]);
    await host.unload();
  });

  it('an engine crash: the new worker says what it restored (the old state died with the old worker)', async () => {
    const db = freshDbName();
    const first = newHost(db);
    await first.start();
    await first.load({ scenario: 'visits', seed: 1, speed: 1000 });
    await first.play();
    let u = await first.frame(16);
    while (u.checkpoints.completed < 2) u = await first.frame(16);
    const latest = u.checkpoints.latestCompletedId;
    // The worker dies without a word; a new one starts on the same database.
    const second = newHost(db);
    const start = await second.start();
    expect(start.recovered).toBe(true);
    u = await second.frame(0);
    const s = u.restore!;
    expect(s.phase).toBe('restored');
    expect(s.failure).toMatchObject({ task: null, cause: { code: 'engine-crash' } });
    expect(s.restored?.checkpointId).toBe(latest);
    const offsets = (await second.inspect()).offsets;
    expect(s.sources).toHaveLength(4);
    for (const p of s.sources) {
      expect(p.from).toBeNull();
      expect(p.to).toBe(offsets[p.task].find((o) => o.partition === p.partition)?.offset);
    }
    await second.unload();
  });

  it('names the cause of a failure by code', () => {
    expect(failureCause(msg('task.injected-by-learner'))).toEqual({ code: 'injected' });
    expect(
      failureCause(msg('task.threw', { operator: 'Process: count', task: 'count#1', error: text('poison') }))
        .code,
    ).toBe('user-function-threw');
    expect(
      failureCause(msg('checkpoint.tolerable-exceeded', { tolerable: 0, id: 3, reason: text('declined') }))
        .code,
    ).toBe('checkpoint-failures');
    expect(failureCause(text('something else'))).toEqual({ code: 'other', message: text('something else') });
  });
});
