/**
 * The worker's engine host, driven directly in Node (no worker, no comlink) on fake-indexeddb: frames,
 * steps, failures, checkpoints, snapshots, paged state, and crash survival — a new host on the same
 * database brings the job back from its latest completed checkpoint, equal to the reference run's.
 */
import { msg, renderEnglish } from '../../src/engine/messages/Message';
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { IndexedDbCheckpointStorage } from '../../src/storage/index';
import { MEMORY_BACKEND_REASON } from '../../src/worker/EngineHost';
import { IN_FLIGHT_KIND, IN_FLIGHT_STRIDE } from '../../src/worker/protocol';
import { freshDbName } from '../storage/helpers';
import { newHost, nonEmpty, playUntil } from './host-helpers';
import { keyedStateOf, referenceCheckpoints, sourceOffsetsOf } from './reference';

describe('EngineHost', () => {
  it('answers each frame with one update: events, counts, task statuses, in-flight elements as a Float64Array', async () => {
    const host = newHost(freshDbName());
    expect(await host.start()).toEqual({ recovered: false, load: null, removedPendingCheckpoints: [] });
    const info = await host.load({ scenario: 'visits', seed: 1, speed: 1000 });
    expect(info).toMatchObject({
      jobName: 'Visits',
      backend: 'fs',
      checkpointStorage: 'IndexedDbCheckpointStorage',
      durable: true,
      recovery: { restoredFrom: null, reason: msg('recovery.new-run') },
    });
    // 4 sources, 4 chains count -> sink (the sink is chained to the keyed process function).
    expect(info.tasks).toHaveLength(8);
    expect(info.tasks.find((t) => t.id === 'count#0')).toMatchObject({
      operators: [
        { uid: 'count', name: 'Process: count visits per user' },
        { uid: 'sink', name: 'Sink: two-phase commit' },
      ],
      vertexName: 'Process: count visits per user -> Sink: two-phase commit',
    });
    expect(info.config.chaining).toBe(true);
    expect(info.channels.length).toBeGreaterThan(0);

    const updates = await playUntil(host, (u) => u.now >= 600);
    const u = updates[updates.length - 1];
    expect(u.taskStatuses).toEqual(Array(8).fill('RUNNING'));
    expect(u.inFlight).toBeInstanceOf(Float64Array);
    expect(u.inFlight.length % IN_FLIGHT_STRIDE).toBe(0);
    const all = updates.flatMap((x) => x.events);
    expect(all.some((e) => e.type === 'record-processed')).toBe(true);
    expect(all.some((e) => e.type === 'checkpoint-completed')).toBe(true);
    // Each frame advanced ~16 virtual ms (speed 1000 = real time); counts cover every event.
    expect(updates[1].now - updates[0].now).toBeCloseTo(16, 5);
    const counted = updates.reduce((n, x) => n + Object.values(x.eventCounts).reduce((a, b) => a + b, 0), 0);
    expect(counted).toBe(all.length + updates.reduce((n, x) => n + x.droppedEvents, 0));
    // In flight: records carry the hash of their key, barriers their checkpoint id.
    const rows = Array.from({ length: u.inFlight.length / IN_FLIGHT_STRIDE }, (_, i) =>
      Array.from(u.inFlight.subarray(i * IN_FLIGHT_STRIDE, (i + 1) * IN_FLIGHT_STRIDE)),
    );
    for (const [ch, sent, arrive, kind] of rows) {
      expect(ch).toBeLessThan(info.channels.length);
      if (kind === IN_FLIGHT_KIND.record) expect(arrive).toBeGreaterThanOrEqual(sent);
    }
  });

  it('caps record-level events per frame but never drops checkpoint events', async () => {
    const host = newHost(freshDbName());
    await host.start();
    await host.load({ scenario: 'visits', seed: 1, speed: 100_000, maxRecordEventsPerFrame: 50 });
    const updates = await playUntil(host, (u) => u.checkpoints.completed >= 2, 16, 200);
    const u = updates.find((x) => x.droppedEvents > 0)!;
    expect(
      u.events.filter((e) =>
        [
          'record-sent',
          'record-processed',
          'record-arrived',
          'state-changed',
          'sink-written',
          'backpressure',
        ].includes(e.type),
      ).length,
    ).toBe(50);
    const completed = updates
      .flatMap((x) => x.events)
      .filter((e) => e.type === 'checkpoint-completed').length;
    expect(completed).toBe(updates[updates.length - 1].checkpoints.completed);
  });

  it('steps one event, or to the next barrier or checkpoint event', async () => {
    const host = newHost(freshDbName());
    await host.start();
    await host.load({ scenario: 'visits', seed: 1 });
    const a = await host.step('event');
    const b = await host.step('event');
    expect(b.eventsProcessed - a.eventsProcessed).toBe(1);
    const c = await host.step('barrier');
    expect(c.events.some((e) => /^(barrier-|checkpoint-)/.test(e.type))).toBe(true);
    expect(c.playing).toBe(false);
  });

  it('survives a crash: a new host on the same database restores the latest completed checkpoint, equal to the reference', async () => {
    const dbName = freshDbName();
    const first = newHost(dbName);
    await first.start();
    await first.load({ scenario: 'visits', seed: 5 });
    const updates = await playUntil(first, (u) => u.checkpoints.completed >= 2 && u.now > 2300);
    const latest = updates[updates.length - 1].checkpoints.latestCompletedId!;
    const before = await first.inspect();
    // The worker dies here (no unload): a new one starts on the same database.
    const second = newHost(dbName);
    const start = await second.start();
    expect(start.recovered).toBe(true);
    expect(start.load?.recovery).toEqual({
      restoredFrom: latest,
      reason: msg('recovery.from-indexeddb', { id: latest }),
    });
    expect(start.load?.incarnation).toBe(1);
    const restored = await second.inspect();
    const reference = referenceCheckpoints('visits', 5, before.now).get(latest)!;
    expect(nonEmpty(restored.state)).toEqual(nonEmpty(keyedStateOf(reference)));
    expect(restored.offsets).toEqual(sourceOffsetsOf(reference)); // sources rewound
    expect(restored.now).toBeGreaterThanOrEqual(reference.completionTime);
    // And it runs on, checkpointing with ids after the restored one.
    const more = await playUntil(second, (u) => u.checkpoints.completed >= 1);
    expect(more[more.length - 1].checkpoints.latestCompletedId).toBeGreaterThan(latest);
  });

  it('a crash in the middle of a checkpoint write: the half-written checkpoint is removed and never restored', async () => {
    const dbName = freshDbName();
    const opened: IndexedDbCheckpointStorage[] = [];
    const first = newHost(dbName, opened);
    await first.start();
    await first.load({ scenario: 'visits', seed: 2 });
    const done = await playUntil(first, (u) => u.checkpoints.completed >= 1);
    const good = done[done.length - 1].checkpoints.latestCompletedId!;
    opened[0].haltAfterChunks = true; // the next write stops between its two transactions
    await first.play();
    let stuck = false; // a frame that never answers: its engine waits for a write that never completes
    for (let i = 0; i < 400 && !stuck; i++) {
      const frame = first.frame(250);
      stuck = (await Promise.race([
        frame.then(() => false),
        new Promise((r) => setTimeout(r, 200, true)),
      ])) as boolean;
    }
    expect(stuck).toBe(true);
    const during = await opened[0].inspect('Visits');
    expect(during.checkpoints).toEqual([
      { checkpointId: good, status: 'COMPLETED' },
      { checkpointId: good + 1, status: 'PENDING' },
    ]);

    const second = newHost(dbName);
    const start = await second.start();
    expect(start.removedPendingCheckpoints).toEqual([good + 1]);
    expect(start.load?.recovery.restoredFrom).toBe(good);
  });

  it('with the memory backend the checkpoints die with the worker, and the API says so', async () => {
    const dbName = freshDbName();
    const first = newHost(dbName);
    await first.start();
    const info = await first.load({ scenario: 'visits', seed: 1, backend: 'memory' });
    expect(info).toMatchObject({
      backend: 'memory',
      checkpointStorage: 'JobManagerCheckpointStorage',
      durable: false,
    });
    await playUntil(first, (u) => u.checkpoints.completed >= 2);
    await expect(first.injectStorageFault('quota')).rejects.toThrow(
      /memory backend keeps checkpoints in the JobManager/,
    );
    const second = newHost(dbName);
    const start = await second.start();
    expect(start.recovered).toBe(true);
    expect(start.load?.recovery).toEqual({ restoredFrom: null, reason: MEMORY_BACKEND_REASON });
    expect(nonEmpty((await second.inspect()).state)).toEqual({});
  });

  it('a storage fault declines the checkpoint with the reason, visible in the frame events', async () => {
    const host = newHost(freshDbName());
    await host.start();
    await host.load({ scenario: 'visits', seed: 1 });
    await host.injectStorageFault('quota');
    const updates = await playUntil(host, (u) => u.events.some((e) => e.type === 'checkpoint-failed'));
    const failed = updates.flatMap((u) => u.events).find((e) => e.type === 'checkpoint-failed');
    expect(failed?.type === 'checkpoint-failed' && renderEnglish(failed.reason)).toMatch(
      /Checkpoint storage write failed: QuotaExceededError/,
    );
  });

  it('exports a snapshot, imports it back, and an invalid file changes nothing', async () => {
    const host = newHost(freshDbName());
    await host.start();
    await host.load({ scenario: 'visits', seed: 3 });
    await playUntil(host, (u) => u.checkpoints.completed >= 2);
    const exported = await host.exportSnapshot();
    if (!exported.ok) throw new Error(renderEnglish(exported.error));
    expect(exported.fileName).toMatch(/^Visits-checkpoint-\d+\.json$/);
    const json = JSON.parse(exported.text) as {
      operators: Array<{ uid: string; subtasks: Array<{ keyGroupRange: unknown }> }>;
    };

    const stateBefore = await host.inspect();
    const listBefore = await host.listCheckpoints();
    json.operators[1].subtasks[2].keyGroupRange = { start: 64, end: 140 };
    const bad = await host.importSnapshot(JSON.stringify(json));
    expect(bad).toEqual({
      ok: false,
      errors: expect.arrayContaining([
        {
          path: 'operators[1].subtasks[2].keyGroupRange',
          message: msg('snapshot.range-beyond', { value: 140, maxP: 128, last: 127 }),
        },
      ]),
    });
    expect(await host.inspect()).toEqual(stateBefore);
    expect(await host.listCheckpoints()).toEqual(listBefore);

    const good = await host.importSnapshot(exported.text);
    expect(good.ok).toBe(true);
    const id = JSON.parse(exported.text).checkpointId as number;
    expect(good.ok && good.restoredFrom).toBe(id);
    const page = await host.readState('count', 'visits', 0, 10);
    expect(page.total).toBeGreaterThan(10);
    expect(page.rows).toHaveLength(10);
    expect(page.stateNames).toEqual(['visits']);
    const next = await host.readState('count', 'visits', 10, 10);
    expect(next.rows[0].key).not.toEqual(page.rows[0].key);
  });
});
