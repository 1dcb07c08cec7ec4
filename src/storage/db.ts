/// <reference lib="dom" />
/**
 * The browser's persistent store: one IndexedDB database, versioned, with an explicit upgrade path.
 *
 * Stores (schema version 3):
 * - `jobs`           one record per job the app has run: scenario, seed, configuration, status,
 *                    engine incarnation (so a reloaded page knows which job was running).
 * - `checkpoints`    checkpoint metadata, keyed [jobName, checkpointId]; `status` is PENDING while its
 *                    chunks are being written and COMPLETED only after all of them are (atomic completion).
 * - `chunks`         state chunks: one value per [jobName, checkpointId, operatorUid, subtaskIndex],
 *                    holding that subtask's key-group range, its keyed state packed into ONE ArrayBuffer
 *                    (codec.ts, chunk format 2), operator state and channel state. A checkpoint is a few
 *                    large values, never one put per key.
 * - `sharedFiles`    files shared between incremental checkpoints (the RocksDB-like backend's SST files),
 *                    keyed [jobName, name]: kind, size and the reference count of the completed
 *                    checkpoints using them. Small, so counting references never rewrites file contents.
 * - `sharedFileData` the contents of those files, same key (an SST file packed like a chunk).
 * - `savepoints`     self-contained savepoints (metadata and chunks in one record), kept until deleted.
 * - `progress`       the learner's progress per lesson.
 * - `editorFiles`    the job files of the editor (`#/editor`), by id: source, file name, when saved.
 *
 * To change the schema: bump DB_VERSION and add `MIGRATIONS[newVersion]`; never edit an old step (a
 * browser may still hold a database of any earlier version, and upgrades run every step after it).
 *
 * History:
 * 1. the stores above without `sharedFileData`; chunks as structured-clone columns (codec-v1.ts),
 *    shared files with their bytes inline, incremental handles stored whole.
 * 2. chunks and savepoints CONVERTED to chunk format 2 (keyed state in one ArrayBuffer); shared files'
 *    bytes moved to `sharedFileData`. Checkpoints that cannot be converted are DISCARDED, with the
 *    reason in the migration report (`OpenReport.migration`): incremental checkpoints (schema 1 kept only
 *    each checkpoint's new SST files, so they could not be restored anyway) and unreadable chunks.
 * 3. `editorFiles` added; nothing else changes (checkpoints, savepoints and progress are kept as they are).
 */
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import type { CheckpointingMode, CheckpointStats } from '../engine/index';
import { encodeTask, type EncodedSstFile, type EncodedTask } from './codec';
import { decodeTaskV1, isEncodedTaskV1 } from './codec-v1';

export const DB_NAME = 'stream-state-lab';
export const DB_VERSION = 3;

export type CheckpointStatusInDb = 'PENDING' | 'COMPLETED';

export interface JobRecord {
  jobName: string;
  scenario: string;
  seed: number;
  /** The configuration the job was loaded with (mode, interval, backend, ...), as the worker got it. */
  config: Record<string, unknown>;
  /** RUNNING: a reloaded page restores it; STOPPED: the learner unloaded it or it finished. */
  status: 'RUNNING' | 'STOPPED';
  /** Engine instances so far (a new worker after a crash is the next incarnation). */
  incarnation: number;
  /** Virtual time the job last reported (restored jobs continue from here). */
  lastSeenTime: number;
  updatedAt: number;
}

export interface CheckpointMeta {
  jobName: string;
  checkpointId: number;
  kind: 'checkpoint';
  status: CheckpointStatusInDb;
  mode: CheckpointingMode;
  triggerTime: number;
  completionTime: number;
  stats: CheckpointStats;
  /** Task ids in the order of the checkpoint's tasks (one chunk each). */
  taskIds: string[];
  /** Shared files this checkpoint references (reference-counted once it is COMPLETED). */
  sharedFiles: string[];
  writtenAt: number;
}

export interface ChunkRecord {
  jobName: string;
  checkpointId: number;
  operatorUid: string;
  subtaskIndex: number;
  /** -1..-1 for a subtask without keyed state. */
  keyGroupStart: number;
  keyGroupEnd: number;
  data: EncodedTask;
}

export interface SharedFileRecord {
  jobName: string;
  name: string;
  /** sst: an SST file of an incremental checkpoint (EncodedSstFile); raw: bytes from `putSharedFile`. */
  kind: 'sst' | 'raw';
  /** Stored bytes. */
  size: number;
  refCount: number;
  createdAt: number;
}

export interface SharedFileDataRecord {
  jobName: string;
  name: string;
  data: EncodedSstFile | Uint8Array;
}

export interface SavepointRecord {
  jobName: string;
  checkpointId: number;
  createdAt: number;
  meta: Omit<CheckpointMeta, 'status' | 'kind'> & { kind: 'savepoint' };
  tasks: EncodedTask[];
}

export interface ProgressRecord {
  id: string;
  [field: string]: unknown;
}

/** A job file of the editor (`#/editor`), saved as the learner types. */
export interface EditorFileRecord {
  id: string;
  fileName: string;
  source: string;
  savedAt: number;
}

export interface LabDB extends DBSchema {
  jobs: { key: string; value: JobRecord };
  checkpoints: { key: [string, number]; value: CheckpointMeta; indexes: { byStatus: CheckpointStatusInDb } };
  chunks: { key: [string, number, string, number]; value: ChunkRecord };
  sharedFiles: { key: [string, string]; value: SharedFileRecord; indexes: { byRefCount: number } };
  sharedFileData: { key: [string, string]; value: SharedFileDataRecord };
  savepoints: { key: [string, number]; value: SavepointRecord };
  progress: { key: string; value: ProgressRecord };
  editorFiles: { key: string; value: EditorFileRecord };
}

export type LabDatabase = IDBPDatabase<LabDB>;
type UpgradeTx = IDBPTransaction<LabDB, StoreNames<LabDB>[], 'versionchange'>;

/** What an upgrade converted or discarded (`OpenReport.migration`). */
export interface MigrationReport {
  fromVersion: number;
  toVersion: number;
  convertedChunks: number;
  convertedSavepoints: number;
  /** Checkpoints and savepoints removed because they could not be converted, with the reason. */
  discarded: Array<{
    jobName: string;
    checkpointId: number;
    kind: 'checkpoint' | 'savepoint';
    reason: string;
  }>;
}

export function emptyMigrationReport(fromVersion: number, toVersion: number): MigrationReport {
  return { fromVersion, toVersion, convertedChunks: 0, convertedSavepoints: 0, discarded: [] };
}

type MigrationStep = (db: LabDatabase, tx: UpgradeTx, report: MigrationReport) => void | Promise<void>;

/** One step per schema version: `MIGRATIONS[v]` turns a version v−1 database into version v. */
export const MIGRATIONS: Record<number, MigrationStep> = {
  1: (db) => {
    db.createObjectStore('jobs', { keyPath: 'jobName' });
    const checkpoints = db.createObjectStore('checkpoints', { keyPath: ['jobName', 'checkpointId'] });
    checkpoints.createIndex('byStatus', 'status');
    db.createObjectStore('chunks', { keyPath: ['jobName', 'checkpointId', 'operatorUid', 'subtaskIndex'] });
    const files = db.createObjectStore('sharedFiles', { keyPath: ['jobName', 'name'] });
    files.createIndex('byRefCount', 'refCount');
    db.createObjectStore('savepoints', { keyPath: ['jobName', 'checkpointId'] });
    db.createObjectStore('progress', { keyPath: 'id' });
  },
  2: (db, tx, report) => {
    db.createObjectStore('sharedFileData', { keyPath: ['jobName', 'name'] });
    return convertToChunkFormat2(tx, report);
  },
  3: (db) => {
    db.createObjectStore('editorFiles', { keyPath: 'id' });
  },
};

/** Schema 1 → 2: chunks and savepoints re-encoded, shared-file bytes moved out (see the module comment). */
async function convertToChunkFormat2(tx: UpgradeTx, report: MigrationReport): Promise<void> {
  const files = tx.objectStore('sharedFiles');
  const data = tx.objectStore('sharedFileData');
  for (let c = await files.openCursor(); c; c = await c.continue()) {
    const old = c.value as SharedFileRecord & { bytes?: Uint8Array };
    const bytes = old.bytes instanceof Uint8Array ? old.bytes : new Uint8Array(0);
    await data.put({ jobName: old.jobName, name: old.name, data: bytes });
    await c.update({
      jobName: old.jobName,
      name: old.name,
      kind: 'raw',
      size: bytes.byteLength,
      refCount: old.refCount,
      createdAt: old.createdAt,
    });
  }

  const discard = new Map<string, { jobName: string; checkpointId: number; reason: string }>();
  const chunks = tx.objectStore('chunks');
  for (let c = await chunks.openCursor(); c; c = await c.continue()) {
    const rec = c.value;
    const id = JSON.stringify([rec.jobName, rec.checkpointId]);
    if (discard.has(id)) continue;
    const converted = convertV1(rec.data as unknown);
    if (typeof converted === 'string')
      discard.set(id, { jobName: rec.jobName, checkpointId: rec.checkpointId, reason: converted });
    else if (converted) {
      await c.update({ ...rec, data: converted });
      report.convertedChunks++;
    }
  }
  const checkpoints = tx.objectStore('checkpoints');
  for (const d of discard.values()) {
    const meta = await checkpoints.get([d.jobName, d.checkpointId]);
    await checkpoints.delete([d.jobName, d.checkpointId]);
    await chunks.delete(IDBKeyRange.bound([d.jobName, d.checkpointId], [d.jobName, d.checkpointId, []]));
    if (meta?.status === 'COMPLETED') {
      // Its references go; files left at 0 are removed when the storage opens.
      for (const name of meta.sharedFiles) {
        const f = await files.get([d.jobName, name]);
        if (f) await files.put({ ...f, refCount: Math.max(0, f.refCount - 1) });
      }
    }
    report.discarded.push({ ...d, kind: 'checkpoint' });
  }

  const savepoints = tx.objectStore('savepoints');
  for (let c = await savepoints.openCursor(); c; c = await c.continue()) {
    const sp = c.value;
    const tasks: EncodedTask[] = [];
    let reason: string | null = null;
    for (const t of sp.tasks as unknown[]) {
      const converted = convertV1(t);
      if (typeof converted === 'string') {
        reason = converted;
        break;
      }
      tasks.push(converted ?? (t as EncodedTask));
    }
    if (reason !== null) {
      await c.delete();
      report.discarded.push({
        jobName: sp.jobName,
        checkpointId: sp.checkpointId,
        kind: 'savepoint',
        reason,
      });
    } else {
      await c.update({ ...sp, tasks });
      report.convertedSavepoints++;
    }
  }
}

/** A schema-1 chunk value in chunk format 2; null if it is not schema 1; a string: why it cannot be converted. */
function convertV1(value: unknown): EncodedTask | null | string {
  if (!isEncodedTaskV1(value)) return null;
  try {
    const task = decodeTaskV1(value);
    const ks = task.keyedState as { kind?: unknown } | null;
    if (ks && ks.kind === 'incremental')
      return 'an incremental checkpoint of schema 1, which stored only the SST files new in each checkpoint (its older files are gone): it cannot be restored';
    return encodeTask(task);
  } catch (e) {
    return `its schema-1 chunk ${String(value.taskId)} could not be read (${(e as Error).message})`;
  }
}

/**
 * Runs every migration step after `oldVersion` up to `newVersion`, in order (a step that returns a
 * promise — it converts records with cursors — delays the steps after it). If an asynchronous step
 * fails, the upgrade transaction is aborted: the database stays at its old version, unchanged.
 */
export function runMigrations(
  db: LabDatabase,
  oldVersion: number,
  newVersion: number,
  tx: UpgradeTx,
  migrations: Record<number, (...args: Parameters<MigrationStep>) => unknown> = MIGRATIONS,
  report: MigrationReport = emptyMigrationReport(oldVersion, newVersion),
): number[] {
  const ran: number[] = [];
  let chain: Promise<void> | null = null;
  for (let v = oldVersion + 1; v <= newVersion; v++) {
    const step = migrations[v];
    if (!step) throw new Error(`no migration to schema version ${v}`);
    if (chain) chain = chain.then(() => step(db, tx, report)).then(() => {});
    else {
      const r = step(db, tx, report);
      if (r instanceof Promise) chain = r.then(() => {});
    }
    ran.push(v);
  }
  chain?.catch(() => {
    try {
      tx.abort();
    } catch {
      // already finished
    }
  });
  return ran;
}

export class DatabaseVersionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseVersionError';
  }
}

/**
 * Opens (creating or upgrading) the database. A database of a newer version is an error, not a
 * downgrade. When `onUpgrade` is given, it receives what an upgrade of an existing database did.
 */
export async function openLabDatabase(
  name = DB_NAME,
  version = DB_VERSION,
  onUpgrade?: (report: MigrationReport) => void,
): Promise<LabDatabase> {
  let db: LabDatabase | null = null;
  try {
    db = await openDB<LabDB>(name, version, {
      upgrade(database, oldVersion, newVersion, tx) {
        const report = emptyMigrationReport(oldVersion, newVersion ?? version);
        runMigrations(database, oldVersion, newVersion ?? version, tx, MIGRATIONS, report);
        if (oldVersion > 0) onUpgrade?.(report);
      },
      blocking() {
        // A newer version (another tab) wants to upgrade: step aside.
        db?.close();
      },
    });
    return db;
  } catch (e) {
    if ((e as { name?: string }).name === 'VersionError')
      throw new DatabaseVersionError(
        `IndexedDB database '${name}' was written by a newer version of Stream State Lab; this build reads schema version ${version}`,
      );
    throw e;
  }
}

/** A key range over every key of `[jobName, checkpointId, ...]` (chunks of one checkpoint). */
export function checkpointKeyRange(jobName: string, checkpointId: number): IDBKeyRange {
  return IDBKeyRange.bound([jobName, checkpointId], [jobName, checkpointId, []]);
}

/** A key range over every key starting with `[jobName, ...]`. */
export function jobKeyRange(jobName: string): IDBKeyRange {
  return IDBKeyRange.bound([jobName], [jobName, []]);
}
