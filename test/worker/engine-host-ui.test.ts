/**
 * What the app needs from the worker beyond running: the whole configuration, a timeline that scrubs
 * back by deterministic replay (and forks when the learner acts in the past), the sink report with the
 * exactly-once checker, the state diff against a checkpoint, searchable state pages, slow operators.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { EngineHost } from '../../src/worker/EngineHost';
import { freshDbName } from '../storage/helpers';
import { newHost, playUntil } from './host-helpers';

async function runTo(host: EngineHost, t: number) {
  return playUntil(host, (u) => u.now >= t || u.finished);
}

async function snapshotOf(host: EngineHost) {
  const [state, sink, cps, timeline] = await Promise.all([
    host.inspect(),
    host.sinkReport(1000),
    host.listCheckpoints(),
    host.timeline(),
  ]);
  return {
    now: state.now,
    state: state.state,
    offsets: state.offsets,
    sink: sink.sinks.map((s) => s.rows),
    history: cps.history.map((h) => [h.id, h.status, h.triggerTime]),
    actions: timeline.actions,
  };
}

describe('EngineHost for the app', () => {
  it('takes the whole configuration and reports it resolved, with the operators', async () => {
    const host = newHost(freshDbName());
    await host.start();
    const info = await host.load({
      scenario: 'wordcount',
      seed: 3,
      mode: 'at-least-once',
      intervalMs: 500,
      backend: 'rocksdb',
      checkpoint: { timeoutMs: 2000, minPauseMs: 100, tolerableFailed: 2, incremental: false },
      parallelism: { count: 3, print: 3 },
      restartStrategy: { type: 'fixed-delay', attempts: 5, delayMs: 250 },
      processingTimeMs: { split: 7 },
    });
    expect(info.operators.find((o) => o.uid === 'split')?.processingTimeMs).toBe(7);
    expect(info.config).toMatchObject({
      mode: 'at-least-once',
      intervalMs: 500,
      timeoutMs: 2000,
      minPauseMs: 100,
      tolerableFailed: 2,
      backend: 'rocksdb',
      incremental: false,
      restartStrategy: { type: 'fixed-delay', attempts: 5, delayMs: 250 },
      parallelism: { source: 1, split: 2, count: 3, print: 3 },
    });
    expect(info.tasks.filter((t) => t.operatorUid === 'count')).toHaveLength(3);
    const count = info.operators.find((o) => o.uid === 'count');
    expect(count).toMatchObject({ kind: 'map', keyed: true, processingTimeMs: 150 });
    expect(count?.inputs).toEqual([{ uid: 'split', partitioner: 'hash' }]);
    expect(info.operators.find((o) => o.uid === 'source')?.nonParallel).toBe(true);
    expect(info.operators.find((o) => o.uid === 'print')?.sinkKind).toBe('non-transactional');

    await expect(host.load({ scenario: 'wordcount', seed: 1, parallelism: { source: 2 } })).rejects.toThrow(
      /non-parallel source/,
    );
    await expect(
      host.load({ scenario: 'wordcount', seed: 1, mode: 'unaligned', checkpoint: { maxConcurrent: 2 } }),
    ).rejects.toThrow(/max concurrent checkpoints = 1/);
    const off = await host.load({ scenario: 'wordcount', seed: 1, intervalMs: 0 });
    expect(off.config.intervalMs).toBeNull();
  });

  it('scrubs back by replay: the past looks exactly as it did, and playing on repeats the same future', async () => {
    const host = newHost(freshDbName());
    await host.start();
    await host.load({ scenario: 'visits', seed: 5 });
    await runTo(host, 1500);
    await host.failTask('count#1');
    await runTo(host, 2600);
    await host.triggerCheckpoint('checkpoint');
    await runTo(host, 4000);
    const atEnd = await snapshotOf(host);

    await host.seek(1000);
    const back = await snapshotOf(host);
    expect(back.now).toBe(1000);
    expect((await host.timeline()).horizon).toBeGreaterThanOrEqual(4000);
    // The recorded actions are still there: forward again replays them at the same engine events.
    await host.seek(atEnd.now);
    expect(await snapshotOf(host)).toEqual(atEnd);
  });

  it('an action in the past forks a new future: later actions are dropped', async () => {
    const host = newHost(freshDbName());
    await host.start();
    await host.load({ scenario: 'visits', seed: 5 });
    await runTo(host, 800);
    await host.failTask('count#0');
    await runTo(host, 2000);
    await host.failTask('count#1');
    await runTo(host, 3000);
    expect((await host.timeline()).actions).toHaveLength(2);

    await host.seek(1200);
    await host.triggerCheckpoint('savepoint');
    const timeline = await host.timeline();
    expect(timeline.actions.map((a) => a.action.type)).toEqual(['fail-task', 'trigger']);
    expect(timeline.horizon).toBe(1200);
  });

  it('the exactly-once checker flags duplicates of a non-transactional sink and passes a two-phase-commit sink', async () => {
    // WordCount prints through a non-transactional sink: a failure replays records the sink already wrote.
    const wc = newHost(freshDbName());
    await wc.start();
    await wc.load({ scenario: 'wordcount', seed: 1 });
    // Before the first checkpoint completes (count#1 acknowledges it only after its queued words).
    await runTo(wc, 700);
    await wc.failTask('count#1');
    await playUntil(wc, (u) => u.finished, 50, 4000);
    const report = await wc.sinkReport();
    expect(report.finished).toBe(true);
    expect(report.check.verdict).toBe('duplicates');
    expect(report.check.duplicates.length).toBeGreaterThan(0);
    expect(report.check.missing).toEqual([]);
    const rows = report.sinks[0].rows;
    expect(rows.filter((r) => r.duplicate).length).toBe(
      report.check.duplicates.reduce((n, d) => n + d.seen - d.expected, 0),
    );
    // The reference: the same run without failures.
    expect(report.check.referenceRows).toBe(10);

    const visits = newHost(freshDbName());
    await visits.start();
    await visits.load({ scenario: 'visits', seed: 2 });
    await runTo(visits, 1500);
    await visits.failTask('count#0');
    await playUntil(visits, (u) => u.finished, 100, 20_000);
    const eo = await visits.sinkReport(50);
    expect(eo.sinks[0].kind).toBe('two-phase-commit');
    expect(eo.check.verdict).toBe('exactly-once');
    expect(eo.check.visibleRows).toBe(eo.check.referenceRows);
    expect(eo.sinks[0].rows.length).toBeLessThanOrEqual(50);
  });

  it('diffs the state now against a retained checkpoint, and pages state by search and subtask', async () => {
    const host = newHost(freshDbName());
    await host.start();
    // (unchained: the timing this test's checkpoints were chosen for)
    await host.load({ scenario: 'visits', seed: 4, chaining: false });
    await playUntil(host, (u) => u.checkpoints.completed >= 1);
    const cp = (await host.listCheckpoints()).stored.at(-1)!.checkpointId;
    const atCheckpoint = await host.stateDiff('count', 'visits', cp);
    await playUntil(host, (u) => u.checkpoints.pending.length > 0);
    const diff = await host.stateDiff('count', 'visits', cp, 0, 1_000_000);
    expect(diff.checkpointId).toBe(cp);
    const state = (await host.inspect()).state.count.visits;
    expect(diff.counts.changed + diff.counts.added).toBeGreaterThan(0);
    for (const row of diff.rows) {
      expect(row.current).toEqual(state[String(row.key)] ?? null);
      if (row.change === 'same') expect(row.current).toEqual(row.checkpoint);
      else expect(row.current).not.toEqual(row.checkpoint);
    }
    // The checkpoint side is what the checkpoint held when it was taken.
    for (const row of atCheckpoint.rows.filter((r) => r.change !== 'added'))
      expect(diff.rows.find((r) => r.key === row.key)?.checkpoint).toEqual(row.checkpoint);
    await expect(host.stateDiff('count', 'visits', 999)).rejects.toThrow(/not retained/);

    await host.load({ scenario: 'wordcount', seed: 1 });
    await playUntil(host, (u) => u.finished, 50, 4000);
    const be = await host.readState('count', 'count', 0, 10, 'B');
    expect(be.rows).toEqual([{ key: 'be', value: 2, subtask: expect.any(Number) }]);
    const all = await host.readState('count', 'count');
    const sub0 = await host.readState('count', 'count', 0, 100, undefined, 0);
    expect(sub0.rows.every((r) => r.subtask === 0)).toBe(true);
    expect(sub0.total).toBeGreaterThan(0);
    expect(sub0.total).toBeLessThan(all.total);
  });

  it('a slow operator causes backpressure, and the replay keeps it slow', async () => {
    const host = newHost(freshDbName());
    await host.start();
    await host.load({ scenario: 'visits', seed: 9 });
    await runTo(host, 500);
    await host.setProcessingTime('count', 40);
    const updates = await runTo(host, 2500);
    expect(updates.some((u) => u.events.some((e) => e.type === 'backpressure' && e.blocked))).toBe(true);
    const before = await snapshotOf(host);
    await host.seek(100);
    await host.seek(before.now);
    expect(await snapshotOf(host)).toEqual(before);
    await expect(host.setProcessingTime('nope', 1)).rejects.toThrow(/no operator/);
  });
});
