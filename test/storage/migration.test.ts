/**
 * Upgrading a database written by the previous build (schema 1, chunks as structured-clone columns):
 * full checkpoints and savepoints are converted to chunk format 2 and restore as before; incremental
 * checkpoints (whose older SST files schema 1 never kept) and unreadable chunks are discarded with the
 * reason in `openReport.migration`; shared files keep their bytes and counts. Nothing crashes.
 */
import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import type { CompletedCheckpoint } from '../../src/engine/index';
import { decodeTaskV1 } from '../../src/storage/codec-v1';
import {
  DB_VERSION,
  IndexedDbCheckpointStorage,
  MIGRATIONS,
  type CheckpointMeta,
  type LabDB,
} from '../../src/storage/index';
import { emptyMigrationReport } from '../../src/storage/db';
import { runTo, visitsJob } from '../snapshot/helpers';
import { freshDbName } from './helpers';
import { encodeTaskV1 } from './v1-format';

const JOB = visitsJob({ events: 400, extraStates: true });
const CHECKPOINTS: CompletedCheckpoint[] = runTo(JOB, 1400).storage.list(JOB.name);

function metaOf(cp: CompletedCheckpoint, sharedFiles: string[] = []): CheckpointMeta {
  return {
    jobName: cp.jobName,
    checkpointId: cp.checkpointId,
    kind: 'checkpoint',
    status: 'COMPLETED',
    mode: cp.mode,
    triggerTime: cp.triggerTime,
    completionTime: cp.completionTime,
    stats: cp.stats,
    taskIds: cp.tasks.map((t) => t.taskId),
    sharedFiles,
    writtenAt: 1,
  };
}

/** What the previous build wrote for a checkpoint: schema-1 chunks. */
function v1Chunks(cp: CompletedCheckpoint) {
  return cp.tasks.map((t) => {
    const data = encodeTaskV1(t);
    return {
      jobName: cp.jobName,
      checkpointId: cp.checkpointId,
      operatorUid: t.operatorUid,
      subtaskIndex: t.subtaskIndex,
      keyGroupStart: data.keyed ? data.keyed.start : -1,
      keyGroupEnd: data.keyed ? data.keyed.end : -1,
      data,
    };
  });
}

/** What restoring a schema-1 checkpoint gave: the schema-1 round trip of its tasks. */
const asV1Restored = (cp: CompletedCheckpoint): CompletedCheckpoint => ({
  ...cp,
  tasks: cp.tasks.map((t) => decodeTaskV1(encodeTaskV1(t))),
});

async function writeV1Database(name: string): Promise<void> {
  const db = await openDB<LabDB>(name, 1, {
    upgrade(database, _old, _new, tx) {
      void MIGRATIONS[1](database, tx as never, emptyMigrationReport(0, 1));
    },
  });
  const [full, , older] = [CHECKPOINTS[2], CHECKPOINTS[1], CHECKPOINTS[0]];
  const tx = db.transaction(['checkpoints', 'chunks', 'sharedFiles', 'savepoints'], 'readwrite');
  const put = <T>(store: string, value: T) => tx.objectStore(store as 'chunks').put(value as never);
  // A full checkpoint referencing a raw shared file.
  await put('checkpoints', metaOf(full, ['notes.bin']));
  for (const c of v1Chunks(full)) await put('chunks', c);
  await put('sharedFiles', {
    jobName: JOB.name,
    name: 'notes.bin',
    bytes: new Uint8Array([1, 2, 3]),
    size: 3,
    refCount: 2,
    createdAt: 1,
  });
  // An incremental checkpoint of another job (its handle stored whole in keyedRaw), also using a file.
  const incremental = {
    ...older,
    jobName: 'Inc',
    tasks: older.tasks.map((t) => ({
      ...t,
      keyedState: t.keyedState
        ? ({
            kind: 'incremental',
            checkpointId: older.checkpointId,
            maxParallelism: 128,
            keyGroupRange: { start: 0, end: 31 },
            files: [{ id: 'a-1.sst', level: 0, keyGroupRange: { start: 0, end: 3 }, bytes: 10 }],
            newFiles: [],
            stateTypes: { count: 'value' },
            ttlStates: [],
          } as never)
        : null,
    })),
  };
  await put('checkpoints', metaOf(incremental, ['inc.bin']));
  for (const c of v1Chunks(incremental)) await put('chunks', c);
  await put('sharedFiles', {
    jobName: 'Inc',
    name: 'inc.bin',
    bytes: new Uint8Array([9]),
    size: 1,
    refCount: 1,
    createdAt: 1,
  });
  // A checkpoint of a third job with one unreadable chunk.
  const broken = { ...older, jobName: 'Broken' };
  await put('checkpoints', metaOf(broken));
  const chunks = v1Chunks(broken);
  chunks[4] = {
    ...chunks[4],
    data: {
      ...chunks[4].data,
      keyed: {
        ...chunks[4].data.keyed!,
        states: [
          {
            name: 'visits',
            type: 'value',
            keyGroups: new Int32Array(1),
            keys: { kind: 'zip' },
            values: { kind: 'zip' },
          },
        ],
      },
    } as never,
  };
  for (const c of chunks) await put('chunks', c);
  // A savepoint.
  const sp = { ...CHECKPOINTS[1], kind: 'savepoint' as const, checkpointId: 50 };
  await put('savepoints', {
    jobName: sp.jobName,
    checkpointId: sp.checkpointId,
    createdAt: 1,
    meta: { ...metaOf(sp), kind: 'savepoint' },
    tasks: sp.tasks.map(encodeTaskV1),
  });
  await tx.done;
  db.close();
}

describe('upgrading a schema-1 database', () => {
  it('converts full checkpoints and savepoints, discards what cannot be converted with the reason', async () => {
    const name = freshDbName();
    await writeV1Database(name);
    const storage = await IndexedDbCheckpointStorage.open({ dbName: name });
    expect(storage.db.version).toBe(DB_VERSION);
    const m = storage.openReport.migration!;
    expect(m).toMatchObject({ fromVersion: 1, toVersion: DB_VERSION, convertedSavepoints: 1 });
    // The other jobs are discarded at their first chunk in key order (count#0: the unreadable / incremental one).
    expect(m.convertedChunks).toBe(CHECKPOINTS[2].tasks.length);
    expect(m.discarded).toEqual(
      expect.arrayContaining([
        {
          jobName: 'Inc',
          checkpointId: CHECKPOINTS[0].checkpointId,
          kind: 'checkpoint',
          reason: expect.stringMatching(/incremental checkpoint of schema 1.*cannot be restored/),
        },
        {
          jobName: 'Broken',
          checkpointId: CHECKPOINTS[0].checkpointId,
          kind: 'checkpoint',
          reason: expect.stringMatching(
            /schema-1 chunk count#0 could not be read \(unknown schema-1 column kind 'zip'\)/,
          ),
        },
      ]),
    );
    expect(m.discarded).toHaveLength(2);

    // The converted checkpoint and savepoint restore what the previous build restored.
    expect(storage.latest(JOB.name)).toEqual(asV1Restored(CHECKPOINTS[2]));
    const savepoint = storage.list(JOB.name).find((c) => c.kind === 'savepoint')!;
    expect(savepoint).toEqual(asV1Restored({ ...CHECKPOINTS[1], kind: 'savepoint', checkpointId: 50 }));
    expect(storage.latest('Inc')).toBeNull();
    expect(storage.latest('Broken')).toBeNull();
    expect((await storage.inspect('Broken')).chunks).toEqual([]);
    expect(storage.openReport.unreadable).toEqual([]);

    // Shared files: bytes moved, counts kept; the discarded checkpoint's reference dropped (its file, at 0, removed).
    expect(await storage.getSharedFile(JOB.name, 'notes.bin')).toEqual(new Uint8Array([1, 2, 3]));
    expect(Object.fromEntries(await storage.sharedFileRefCounts(JOB.name))).toEqual({ 'notes.bin': 2 });
    expect(await storage.getSharedFile('Inc', 'inc.bin')).toBeNull();
    expect(storage.openReport.removedSharedFiles).toBe(1);
    storage.close();

    // Opening again: nothing to upgrade, the same content.
    const again = await IndexedDbCheckpointStorage.open({ dbName: name });
    expect(again.openReport.migration).toBeNull();
    expect(again.latest(JOB.name)).toEqual(asV1Restored(CHECKPOINTS[2]));
    again.close();
  });

  it('a new database runs every step from scratch without a report', async () => {
    const storage = await IndexedDbCheckpointStorage.open({ dbName: freshDbName() });
    expect(storage.db.version).toBe(DB_VERSION);
    expect(storage.openReport.migration).toBeNull();
    storage.close();
  });
});
