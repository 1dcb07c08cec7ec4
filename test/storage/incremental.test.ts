/**
 * Incremental (RocksDB-like) checkpoints on IndexedDB: each SST file is written once, as a shared file
 * with a reference count, and only files new to the storage are written per checkpoint; chunks hold
 * the handles (file references) only; restore reads the files back — in the same worker (failover,
 * from the mirror) and after a crash (a new storage on the same database). Plus: a stored chunk that
 * was damaged is skipped and reported at open, never restored and never a crash.
 */
import { text } from '../../src/engine/messages/Message';
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import {
  DurableCheckpointStorage,
  KeyGroupRange,
  MiniCluster,
  RocksDBKeyedStateBackend,
  RocksDBStateBackend,
  ValueStateDescriptor,
  assignToKeyGroup,
  type CompletedCheckpoint,
  type IncrementalKeyedStateHandle,
  type JobGraph,
  type TaskStateSnapshot,
  type TraceEvent,
  type ValueState,
} from '../../src/engine/index';
import { IndexedDbCheckpointStorage, type StorageWriteEvent } from '../../src/storage/index';
import { visitsJob } from '../snapshot/helpers';
import { freshDbName, runWithStorage } from './helpers';

const MAX_P = 128;
const JOB = 'Inc';

function store(storage: IndexedDbCheckpointStorage, cp: CompletedCheckpoint): Promise<Error | null> {
  return new Promise((resolve) => storage.store(cp, resolve));
}

/** Two RocksDB-like subtasks (key groups 0..63, 64..127) with small memtables: many SST files. */
function backends(): RocksDBKeyedStateBackend[] {
  return [0, 1].map(
    (s) =>
      new RocksDBKeyedStateBackend(MAX_P, new KeyGroupRange(s * 64, s * 64 + 63), {
        ownerId: `count#${s}`,
        memtableEntries: 40,
        compactionTrigger: 3,
      }),
  );
}

function write(bs: RocksDBKeyedStateBackend[], from: number, to: number, round: number): void {
  for (let i = from; i < to; i++) {
    const key = `user-${i}`;
    const b = bs[assignToKeyGroup(key, MAX_P) < 64 ? 0 : 1];
    b.setCurrentKey(key);
    b.getPartitionedState<ValueState<number>>(new ValueStateDescriptor<number>('count')).update(
      i * 10 + round,
    );
  }
}

function incrementalCheckpoint(bs: RocksDBKeyedStateBackend[], id: number): CompletedCheckpoint {
  const tasks: TaskStateSnapshot[] = bs.map((b, s) => ({
    taskId: `count#${s}`,
    operatorUid: 'count',
    operatorName: 'count',
    subtaskIndex: s,
    parallelism: 2,
    maxParallelism: MAX_P,
    keyedState: b.snapshotIncremental(id, b.getConfirmedFiles()),
    operatorState: null,
    timers: [],
    inputChannelState: [],
    outputChannelState: [],
    stateBytes: 1,
    channelStateBytes: 0,
  }));
  return {
    jobName: JOB,
    checkpointId: id,
    kind: 'checkpoint',
    mode: 'exactly-once',
    triggerTime: id * 100,
    completionTime: id * 100 + 5,
    tasks,
    stats: { id } as CompletedCheckpoint['stats'],
  };
}

const handles = (cp: CompletedCheckpoint) => cp.tasks.map((t) => t.keyedState as IncrementalKeyedStateHandle);
const fileIds = (cp: CompletedCheckpoint) => handles(cp).flatMap((h) => h.files.map((f) => f.id));

describe('incremental checkpoints on IndexedDB: SST files as shared files', () => {
  it('writes each file once, counts references, deletes files no retained checkpoint uses', async () => {
    for (const retained of [1, 2]) {
      const events: StorageWriteEvent[] = [];
      const storage = await IndexedDbCheckpointStorage.open({
        dbName: freshDbName(),
        retained,
        onWrite: (e) => events.push(e),
      });
      const bs = backends();
      write(bs, 0, 300, 0);
      const kept: CompletedCheckpoint[] = [];
      const written = new Set<string>();
      let reused = 0;
      for (let id = 1; id <= 6; id++) {
        if (id > 1) write(bs, (id * 37) % 250, ((id * 37) % 250) + 30, id); // ~10% of the keys change
        const cp = incrementalCheckpoint(bs, id);
        const newIds = handles(cp).flatMap((h) => h.newFiles.map((f) => f.id));
        expect(await store(storage, cp)).toBeNull();
        for (const b of bs) b.notifyCheckpointComplete(id);
        kept.push(cp);
        if (kept.length > retained) kept.shift();

        // Only files new to the storage were written; the rest were referenced.
        const ev = events.filter((e) => e.phase === 'chunks-written').at(-1) as Extract<
          StorageWriteEvent,
          { phase: 'chunks-written' }
        >;
        const fresh = newIds.filter((f) => !written.has(f));
        expect(ev.newSharedFiles).toBe(fresh.length);
        expect(ev.reusedSharedFiles).toBe(fileIds(cp).length - fresh.length);
        reused += ev.reusedSharedFiles ?? 0;
        for (const f of newIds) written.add(f);

        // Counts: one per retained checkpoint referencing the file; nothing else is stored.
        const expected = new Map<string, number>();
        for (const c of kept)
          for (const f of new Set(fileIds(c))) expected.set(f, (expected.get(f) ?? 0) + 1);
        expect(Object.fromEntries(await storage.sharedFileRefCounts(JOB))).toEqual(
          Object.fromEntries(expected),
        );
        const inDb = await storage.inspect(JOB);
        expect(inDb.checkpoints.map((c) => c.checkpointId)).toEqual(kept.map((c) => c.checkpointId));
        expect(inDb.sharedFiles.every((f) => f.kind === 'sst' && f.size > 0)).toBe(true);
        expect((await storage.db.getAllKeys('sharedFileData')).length).toBe(expected.size);
      }

      expect(reused).toBeGreaterThan(0); // later checkpoints referenced files written before

      // The chunks hold references, not the files; the mirror's handles too (as in-memory storage).
      const chunks = await storage.db.getAll('chunks');
      for (const c of chunks) expect(c.data.incremental?.newFiles).toEqual([]);
      const latest = storage.latest(JOB)!;
      expect(handles(latest).every((h) => h.newFiles.length === 0)).toBe(true);

      // A stored file reads back as the backend wrote it.
      const last = kept.at(-1)!;
      const anyFile = handles(last)[0].files[0].id;
      const original = [...bs[0]['lsm'].files()].find((f) => f.id === anyFile);
      expect(await storage.getSstFile(JOB, anyFile)).toStrictEqual(original);
      storage.close();

      // After a crash: the files come back from IndexedDB and restore the same state.
      const reopened = await IndexedDbCheckpointStorage.open({ dbName: storage.db.name });
      expect(reopened.openReport.unreadable).toEqual([]);
      const restored = backends().map((b, s) => {
        b.restore([reopened.resolveIncremental(handles(reopened.latest(JOB)!)[s])]);
        return b;
      });
      expect(restored.map((b) => b.entries('count'))).toEqual(bs.map((b) => b.entries('count')));
      reopened.close();
    }
  });

  it('a failed completion removes the files it wrote; a reference to a file never stored is refused', async () => {
    const storage = await IndexedDbCheckpointStorage.open({ dbName: freshDbName() });
    const bs = backends();
    write(bs, 0, 200, 0);
    const cp1 = incrementalCheckpoint(bs, 1);
    expect(await store(storage, cp1)).toBeNull();
    for (const b of bs) b.notifyCheckpointComplete(1);
    const before = await storage.inspect(JOB);

    write(bs, 0, 50, 2);
    const cp2 = incrementalCheckpoint(bs, 2);
    expect(handles(cp2).some((h) => h.newFiles.length > 0)).toBe(true);
    storage.injectFault('write-error');
    expect((await store(storage, cp2))?.message).toMatch(/^UnknownError: /);
    for (const b of bs) b.notifyCheckpointAborted(2);
    expect(await storage.inspect(JOB)).toEqual(before);
    expect((await storage.db.getAllKeys('sharedFileData')).length).toBe(before.sharedFiles.length);

    // A handle whose new files were dropped (as if uploaded earlier) but are not stored: refused, nothing changes.
    const cp3 = incrementalCheckpoint(bs, 3);
    const stripped: CompletedCheckpoint = {
      ...cp3,
      tasks: cp3.tasks.map((t) => ({
        ...t,
        keyedState: { ...(t.keyedState as IncrementalKeyedStateHandle), newFiles: [] },
      })),
    };
    expect((await store(storage, stripped))?.message).toMatch(/shared file '.*\.sst' was never uploaded/);
    expect(await storage.inspect(JOB)).toEqual(before);

    // The real one goes through (its new files re-uploaded) and restores.
    expect(await store(storage, cp3)).toBeNull();
    const restored = backends().map((b, s) => {
      b.restore([storage.resolveIncremental(handles(storage.latest(JOB)!)[s])]);
      return b;
    });
    expect(restored.map((b) => b.entries('count'))).toEqual(bs.map((b) => b.entries('count')));
    storage.close();
  });
});

describe('the engine with RocksDB incremental checkpoints on IndexedDB', () => {
  const rocksJob = (): JobGraph => ({
    ...visitsJob({ events: 1500, extraStates: true }),
    stateBackend: new RocksDBStateBackend('file:///tmp/checkpoints', true).config,
  });
  const countTask = (c: MiniCluster) =>
    c.tasks.find((t) => t.vertex.uid === 'count' && t.subtaskIndex === 1)!;

  it('runs, fails over and survives a crash exactly like the in-memory storage', async () => {
    const memTrace: TraceEvent[] = [];
    const memStorage = new DurableCheckpointStorage();
    const mem = new MiniCluster(rocksJob(), {
      seed: 7,
      checkpointStorage: memStorage,
      trace: (e) => memTrace.push(e),
    });
    mem.runUntil(1000);
    mem.failTask(countTask(mem), text('test failure')); // restores from the latest checkpoint: shared files needed
    mem.runUntil(3500);

    const dbName = freshDbName();
    const storage = await IndexedDbCheckpointStorage.open({ dbName });
    const idbTrace: TraceEvent[] = [];
    const idb = new MiniCluster(rocksJob(), {
      seed: 7,
      checkpointStorage: storage,
      trace: (e) => idbTrace.push(e),
    });
    await runWithStorage(idb, storage, 1000);
    idb.runUntil(1000); // no event left before 1000: only the clock moves, as in runUntil above
    idb.failTask(countTask(idb), text('test failure'));
    await runWithStorage(idb, storage, 3500);

    expect(idbTrace.filter((e) => e.type === 'task-restored').length).toBeGreaterThan(0);
    expect(idbTrace).toEqual(memTrace);
    expect(idb.keyedStateByOperator()).toEqual(mem.keyedStateByOperator());
    const latest = storage.latest('Visits')!;
    expect(latest).toEqual(memStorage.latest('Visits'));
    const refs = await storage.sharedFileRefCounts('Visits');
    expect([...refs.keys()].sort()).toEqual(memStorage.sharedState.fileIds());
    storage.close();

    // A new worker: the same database, a new engine restored from it, equal to one restored in memory.
    const reopened = await IndexedDbCheckpointStorage.open({ dbName });
    expect(reopened.latest('Visits')?.checkpointId).toBe(latest.checkpointId);
    const fromDb = new MiniCluster(rocksJob(), { seed: 8, checkpointStorage: reopened });
    const fromMem = new MiniCluster(rocksJob(), { seed: 8, checkpointStorage: memStorage });
    expect(fromDb.keyedStateByOperator()).toEqual(fromMem.keyedStateByOperator());
    await runWithStorage(fromDb, reopened, 5000);
    fromMem.runUntil(5000);
    expect(fromDb.keyedStateByOperator()).toEqual(fromMem.keyedStateByOperator());
    reopened.close();
  });
});

describe('damaged chunks at start', () => {
  it('a checkpoint whose chunk was damaged is reported and skipped (the older one is restored), not a crash', async () => {
    const dbName = freshDbName();
    const storage = await IndexedDbCheckpointStorage.open({ dbName, retained: 2 });
    const bs = backends();
    write(bs, 0, 100, 0);
    // Full snapshots this time: one per subtask.
    const full = (id: number): CompletedCheckpoint => ({
      ...incrementalCheckpoint(bs, id),
      tasks: incrementalCheckpoint(bs, id).tasks.map((t, s) => ({ ...t, keyedState: bs[s].snapshot() })),
    });
    expect(await store(storage, full(1))).toBeNull();
    expect(await store(storage, full(2))).toBeNull();
    const [chunk] = await storage.db.getAll('chunks', IDBKeyRange.bound([JOB, 2], [JOB, 2, []]));
    const body = chunk.data.body.slice(0);
    new Uint8Array(body)[40] ^= 1;
    await storage.db.put('chunks', { ...chunk, data: { ...chunk.data, body } });
    storage.close();

    const reopened = await IndexedDbCheckpointStorage.open({ dbName });
    expect(reopened.openReport.unreadable).toEqual([
      {
        jobName: JOB,
        checkpointId: 2,
        reason: expect.stringMatching(/^state chunk count#\d is corrupted: checksum mismatch/),
      },
    ]);
    expect(reopened.latest(JOB)?.checkpointId).toBe(1);
    reopened.close();
  });
});
