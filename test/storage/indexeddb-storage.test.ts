/**
 * The IndexedDB checkpoint storage with fake-indexeddb: schema and upgrade path, atomic completion,
 * cleanup of interrupted writes, retention, shared-file reference counts, storage faults, and an engine
 * run on top of it that matches the in-memory run event for event.
 */
import { renderEnglish } from '../../src/engine/messages/Message';
import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import {
  DurableCheckpointStorage,
  MiniCluster,
  type CompletedCheckpoint,
  type TraceEvent,
} from '../../src/engine/index';
import {
  DB_VERSION,
  DatabaseVersionError,
  IndexedDbCheckpointStorage,
  MIGRATIONS,
  openLabDatabase,
  runMigrations,
  type LabDatabase,
} from '../../src/storage/index';
import { runTo, visitsJob } from '../snapshot/helpers';
import { freshDbName, runWithStorage } from './helpers';

/** Completed checkpoints of a visits run (ids 1..n), to feed the storage directly. */
const JOB = visitsJob({ events: 400, extraStates: true });
const CHECKPOINTS: CompletedCheckpoint[] = runTo(JOB, 1400).storage.list(JOB.name);

function store(storage: IndexedDbCheckpointStorage, cp: CompletedCheckpoint): Promise<Error | null> {
  return new Promise((resolve) => storage.store(cp, resolve));
}

function withSharedFiles(cp: CompletedCheckpoint, files: string[]): CompletedCheckpoint {
  const copy = structuredClone(cp);
  const t = copy.tasks.find((x) => x.keyedState)!;
  (t.keyedState as unknown as { sharedFiles: string[] }).sharedFiles = files;
  return copy;
}

describe('IndexedDB schema', () => {
  it('creates every store at the current version and keeps data when reopened', async () => {
    const name = freshDbName();
    const db = await openLabDatabase(name);
    expect(db.version).toBe(DB_VERSION);
    expect([...db.objectStoreNames].sort()).toEqual([
      'checkpoints',
      'chunks',
      'editorFiles',
      'jobs',
      'progress',
      'savepoints',
      'sharedFileData',
      'sharedFiles',
    ]);
    await db.put('progress', { id: 'lesson-1', step: 3 });
    db.close();
    const again = await openLabDatabase(name);
    expect(await again.get('progress', 'lesson-1')).toEqual({ id: 'lesson-1', step: 3 });
    again.close();
  });

  it('runs every migration step after the old version, in order', () => {
    const ran: number[] = [];
    const steps = { 1: () => ran.push(1), 2: () => ran.push(2), 3: () => ran.push(3) };
    expect(runMigrations({} as LabDatabase, 1, 3, {} as never, steps)).toEqual([2, 3]);
    expect(ran).toEqual([2, 3]);
    expect(() => runMigrations({} as LabDatabase, 0, 2, {} as never, { 1: () => {} })).toThrow(
      'no migration to schema version 2',
    );
    expect(Object.keys(MIGRATIONS).map(Number)).toEqual(Array.from({ length: DB_VERSION }, (_, i) => i + 1));
  });

  it('refuses a database written by a newer version instead of downgrading it', async () => {
    const name = freshDbName();
    (await openDB(name, DB_VERSION + 1)).close();
    await expect(openLabDatabase(name)).rejects.toBeInstanceOf(DatabaseVersionError);
  });
});

describe('IndexedDbCheckpointStorage', () => {
  it('stores a checkpoint durably: done after the write, latest() from the mirror, the same after reopening', async () => {
    const dbName = freshDbName();
    const storage = await IndexedDbCheckpointStorage.open({ dbName });
    const cp = CHECKPOINTS[0];
    let called = false;
    storage.store(cp, (e) => {
      expect(e).toBeNull();
      called = true;
    });
    expect(called).toBe(false); // asynchronous: the engine must wait (flush) before stepping on
    expect(storage.pendingWrites).toBe(1);
    await storage.flush();
    expect(called).toBe(true);
    expect(storage.latest(JOB.name)).toBe(cp);
    const chunks = (await storage.inspect(JOB.name)).chunks;
    expect(chunks).toHaveLength(cp.tasks.length); // one large value per subtask, not one per key
    storage.close();

    const reopened = await IndexedDbCheckpointStorage.open({ dbName });
    expect(reopened.latest(JOB.name)).toEqual(cp);
    expect(reopened.openReport).toEqual({
      removedPending: [],
      removedChunks: 0,
      removedSharedFiles: 0,
      unreadable: [],
      migration: null,
    });
    reopened.close();
  });

  it('atomic completion: a write interrupted after its chunks is never restored and is removed at start', async () => {
    const dbName = freshDbName();
    const storage = await IndexedDbCheckpointStorage.open({ dbName });
    expect(await store(storage, CHECKPOINTS[0])).toBeNull();
    storage.haltAfterChunks = true; // the worker dies between the two transactions
    let done = false;
    storage.store(CHECKPOINTS[1], () => (done = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(false);
    const during = await storage.inspect(JOB.name);
    expect(during.checkpoints).toEqual([
      { checkpointId: CHECKPOINTS[0].checkpointId, status: 'COMPLETED' },
      { checkpointId: CHECKPOINTS[1].checkpointId, status: 'PENDING' },
    ]);
    expect(during.chunks.filter((c) => c.checkpointId === CHECKPOINTS[1].checkpointId)).toHaveLength(12);
    expect(storage.latest(JOB.name)?.checkpointId).toBe(CHECKPOINTS[0].checkpointId);
    storage.close();

    const reopened = await IndexedDbCheckpointStorage.open({ dbName });
    expect(reopened.openReport.removedPending).toEqual([
      { jobName: JOB.name, checkpointId: CHECKPOINTS[1].checkpointId },
    ]);
    expect(reopened.openReport.removedChunks).toBe(12);
    expect(reopened.latest(JOB.name)).toEqual(CHECKPOINTS[0]);
    const after = await reopened.inspect(JOB.name);
    expect(after.checkpoints).toEqual([{ checkpointId: CHECKPOINTS[0].checkpointId, status: 'COMPLETED' }]);
    expect(new Set(after.chunks.map((c) => c.checkpointId))).toEqual(new Set([CHECKPOINTS[0].checkpointId]));
    reopened.close();
  });

  it('removes chunks that have no metadata at all (an interrupted cleanup)', async () => {
    const dbName = freshDbName();
    const storage = await IndexedDbCheckpointStorage.open({ dbName });
    await store(storage, CHECKPOINTS[0]);
    const [chunk] = await storage.db.getAll('chunks');
    await storage.db.put('chunks', { ...chunk, checkpointId: 77 });
    storage.close();
    const reopened = await IndexedDbCheckpointStorage.open({ dbName });
    expect(reopened.openReport.removedChunks).toBe(1);
    expect(reopened.latest(JOB.name)).toEqual(CHECKPOINTS[0]);
    reopened.close();
  });

  it('retention: keeps the latest N completed checkpoints (default 1); savepoints stay until deleted', async () => {
    const one = await IndexedDbCheckpointStorage.open({ dbName: freshDbName() });
    const savepoint: CompletedCheckpoint = { ...CHECKPOINTS[1], checkpointId: 100, kind: 'savepoint' };
    await store(one, CHECKPOINTS[0]);
    await store(one, savepoint);
    await store(one, CHECKPOINTS[1]);
    await store(one, CHECKPOINTS[2]);
    const inDb = await one.inspect(JOB.name);
    expect(inDb.checkpoints.map((c) => c.checkpointId)).toEqual([CHECKPOINTS[2].checkpointId]);
    expect(new Set(inDb.chunks.map((c) => c.checkpointId))).toEqual(new Set([CHECKPOINTS[2].checkpointId]));
    expect(inDb.savepoints).toEqual([100]);
    expect(one.list(JOB.name).map((c) => [c.kind, c.checkpointId])).toEqual([
      ['checkpoint', CHECKPOINTS[2].checkpointId],
      ['savepoint', 100],
    ]);
    expect(one.latest(JOB.name)?.checkpointId).toBe(CHECKPOINTS[2].checkpointId);
    await one.deleteSavepoint(JOB.name, 100);
    expect((await one.inspect(JOB.name)).savepoints).toEqual([]);
    one.close();

    const two = await IndexedDbCheckpointStorage.open({ dbName: freshDbName(), retained: 2 });
    for (const cp of CHECKPOINTS.slice(0, 3)) await store(two, cp);
    const kept = CHECKPOINTS.slice(1, 3).map((c) => c.checkpointId);
    expect((await two.inspect(JOB.name)).checkpoints.map((c) => c.checkpointId)).toEqual(kept);
    expect(two.list(JOB.name).map((c) => c.checkpointId)).toEqual(kept);
    two.close();
  });

  it('shared files: counted per completed checkpoint, deleted at 0, unreferenced uploads removed at start', async () => {
    const dbName = freshDbName();
    const storage = await IndexedDbCheckpointStorage.open({ dbName });
    const bytes = (n: number) => new Uint8Array([n, n, n]);
    const names = ['a.sst', 'b.sst', 'c.sst', 'd.sst'];
    for (const [i, f] of names.entries()) await storage.putSharedFile(JOB.name, f, bytes(i));
    const refs = async () => Object.fromEntries(await storage.sharedFileRefCounts(JOB.name));
    expect(await store(storage, withSharedFiles(CHECKPOINTS[0], ['a.sst', 'b.sst']))).toBeNull();
    expect(await refs()).toEqual({ 'a.sst': 1, 'b.sst': 1, 'c.sst': 0, 'd.sst': 0 });
    // Checkpoint 2 keeps b, adds c: checkpoint 1 is subsumed, a falls to 0 and goes; b stays (now only 2's).
    expect(await store(storage, withSharedFiles(CHECKPOINTS[1], ['b.sst', 'c.sst']))).toBeNull();
    expect(await refs()).toEqual({ 'b.sst': 1, 'c.sst': 1, 'd.sst': 0 });
    expect(await storage.getSharedFile(JOB.name, 'b.sst')).toEqual(bytes(1));
    // A checkpoint that references a file never uploaded is refused, and changes nothing.
    const err = await store(storage, withSharedFiles(CHECKPOINTS[2], ['b.sst', 'zzz.sst']));
    expect(err?.message).toMatch(/shared file 'zzz\.sst' was never uploaded/);
    expect(storage.latest(JOB.name)?.checkpointId).toBe(CHECKPOINTS[1].checkpointId);
    expect(await refs()).toEqual({ 'b.sst': 1, 'c.sst': 1, 'd.sst': 0 });
    storage.close();
    // d.sst was uploaded but no completed checkpoint uses it (its checkpoint never completed): garbage.
    const reopened = await IndexedDbCheckpointStorage.open({ dbName });
    expect(reopened.openReport.removedSharedFiles).toBe(1);
    expect(Object.fromEntries(await reopened.sharedFileRefCounts(JOB.name))).toEqual({
      'b.sst': 1,
      'c.sst': 1,
    });
    reopened.close();
  });

  it('a quota error or a failed write reports the reason and leaves older checkpoints untouched', async () => {
    const storage = await IndexedDbCheckpointStorage.open({ dbName: freshDbName() });
    await store(storage, CHECKPOINTS[0]);
    const before = await storage.inspect(JOB.name);

    storage.injectFault('quota');
    const quota = await store(storage, CHECKPOINTS[1]);
    expect(quota?.name).toBe('QuotaExceededError');
    expect(quota?.message).toMatch(/^QuotaExceededError: .*quota exceeded/);
    expect(await storage.inspect(JOB.name)).toEqual(before);

    storage.injectFault('write-error', 2);
    expect((await store(storage, CHECKPOINTS[1]))?.message).toMatch(/^UnknownError: /);
    expect((await store(storage, CHECKPOINTS[2]))?.message).toMatch(/^UnknownError: /);
    expect(await storage.inspect(JOB.name)).toEqual(before); // chunks written before the failure were removed
    expect(storage.latest(JOB.name)).toBe(CHECKPOINTS[0]);
    expect(storage.lastError).toMatch(/UnknownError/);

    expect(await store(storage, CHECKPOINTS[2])).toBeNull(); // faults used up: writes work again
    expect(storage.latest(JOB.name)).toBe(CHECKPOINTS[2]);
    storage.close();
  });

  it('keeps jobs and learner progress', async () => {
    const storage = await IndexedDbCheckpointStorage.open({ dbName: freshDbName() });
    const job = {
      jobName: 'Visits',
      scenario: 'visits',
      seed: 3,
      config: { mode: 'exactly-once' },
      status: 'RUNNING' as const,
      incarnation: 0,
      lastSeenTime: 0,
      updatedAt: 1,
    };
    await storage.putJob(job);
    await storage.putJob({
      ...job,
      jobName: 'WordCount',
      scenario: 'wordcount',
      status: 'STOPPED',
      updatedAt: 2,
    });
    expect(await storage.runningJob()).toEqual(job);
    await storage.putProgress({ id: 'lesson-barriers', step: 2, done: false });
    expect(await storage.listProgress()).toEqual([{ id: 'lesson-barriers', step: 2, done: false }]);
    storage.close();
  });
});

describe('the engine on IndexedDB storage', () => {
  it('runs exactly like the in-memory storage when the host awaits flush() between events', async () => {
    const job = visitsJob({ events: 400 });
    const memTrace: TraceEvent[] = [];
    const mem = new MiniCluster(job, {
      seed: 4,
      checkpointStorage: new DurableCheckpointStorage(),
      trace: (e) => memTrace.push(e),
    });
    mem.runUntil(2000);

    const storage = await IndexedDbCheckpointStorage.open({ dbName: freshDbName() });
    const idbTrace: TraceEvent[] = [];
    const idb = new MiniCluster(visitsJob({ events: 400 }), {
      seed: 4,
      checkpointStorage: storage,
      trace: (e) => idbTrace.push(e),
    });
    await runWithStorage(idb, storage, 2000);

    expect(idbTrace.length).toBe(memTrace.length);
    expect(idbTrace).toEqual(memTrace);
    expect(idb.keyedStateByOperator()).toEqual(mem.keyedStateByOperator());
    expect(storage.latest(job.name)).toEqual(mem.checkpointStorage.latest(job.name));
    storage.close();
  });

  it('a storage fault declines the checkpoint with the reason; with 0 tolerable failures the job fails over', async () => {
    for (const tolerable of [0, 1]) {
      const job = visitsJob({ events: 400 });
      (job.checkpointConfig as { tolerableFailedCheckpoints: number }).tolerableFailedCheckpoints = tolerable;
      const storage = await IndexedDbCheckpointStorage.open({ dbName: freshDbName() });
      const trace: TraceEvent[] = [];
      const cluster = new MiniCluster(job, {
        seed: 4,
        checkpointStorage: storage,
        trace: (e) => trace.push(e),
      });
      await runWithStorage(cluster, storage, 700);
      const good = storage.latest(job.name);
      expect(good).not.toBeNull();
      storage.injectFault('quota');
      while (!trace.some((e) => e.type === 'checkpoint-failed') && cluster.step())
        if (storage.pendingWrites > 0) await storage.flush();
      const failed = trace.filter((e) => e.type === 'checkpoint-failed');
      expect(failed).toHaveLength(1);
      expect(failed[0].type === 'checkpoint-failed' && renderEnglish(failed[0].reason)).toMatch(
        /^Checkpoint storage write failed: QuotaExceededError: /,
      );
      expect(storage.latest(job.name)).toBe(good); // the older checkpoint is untouched
      if (tolerable === 0) {
        expect(cluster.failures.map((f) => renderEnglish(f.reason))).toEqual([
          expect.stringMatching(/^Exceeded checkpoint tolerable failure threshold \(0\)/),
        ]);
        await runWithStorage(cluster, storage, 3000);
        const restored = trace.filter((e) => e.type === 'task-restored');
        expect(restored.length).toBeGreaterThan(0);
        expect(restored.every((e) => 'checkpointId' in e && e.checkpointId === good!.checkpointId)).toBe(
          true,
        );
      } else {
        expect(cluster.failures).toEqual([]);
      }
      storage.close();
    }
  });
});
