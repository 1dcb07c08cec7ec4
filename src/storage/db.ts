/// <reference lib="dom" />
/**
 * The browser's persistent store: one IndexedDB database, versioned, with an explicit upgrade path.
 *
 * Stores (schema version 1):
 * - `jobs`         one record per job the app has run: scenario, seed, configuration, status,
 *                  engine incarnation (so a reloaded page knows which job was running).
 * - `checkpoints`  checkpoint metadata, keyed [jobName, checkpointId]; `status` is PENDING while its
 *                  chunks are being written and COMPLETED only after all of them are (atomic completion).
 * - `chunks`       state chunks: one large value per [jobName, checkpointId, operatorUid, subtaskIndex],
 *                  holding that subtask's key-group range and keyed state (columnar), operator state and
 *                  channel state. A checkpoint is a few large values, never one put per key.
 * - `sharedFiles`  files shared between incremental checkpoints (the RocksDB-like backend's SST files),
 *                  keyed [jobName, name], with a reference count of the completed checkpoints using them.
 * - `savepoints`   self-contained savepoints (metadata and chunks in one record), kept until deleted.
 * - `progress`     the learner's progress per lesson.
 *
 * To change the schema: bump DB_VERSION and add `MIGRATIONS[newVersion]`; never edit an old step (a
 * browser may still hold a database of any earlier version, and upgrades run every step after it).
 */
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import type { CheckpointingMode, CheckpointStats } from '../engine/index';
import type { EncodedTask } from './codec';

export const DB_NAME = 'stream-state-lab';
export const DB_VERSION = 1;

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
  bytes: Uint8Array;
  size: number;
  refCount: number;
  createdAt: number;
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

export interface LabDB extends DBSchema {
  jobs: { key: string; value: JobRecord };
  checkpoints: { key: [string, number]; value: CheckpointMeta; indexes: { byStatus: CheckpointStatusInDb } };
  chunks: { key: [string, number, string, number]; value: ChunkRecord };
  sharedFiles: { key: [string, string]; value: SharedFileRecord; indexes: { byRefCount: number } };
  savepoints: { key: [string, number]; value: SavepointRecord };
  progress: { key: string; value: ProgressRecord };
}

export type LabDatabase = IDBPDatabase<LabDB>;
type UpgradeTx = IDBPTransaction<LabDB, StoreNames<LabDB>[], 'versionchange'>;

/** One step per schema version: `MIGRATIONS[v]` turns a version v−1 database into version v. */
export const MIGRATIONS: Record<number, (db: LabDatabase, tx: UpgradeTx) => void> = {
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
};

/** Runs every migration step after `oldVersion` up to `newVersion`, in order. */
export function runMigrations(
  db: LabDatabase,
  oldVersion: number,
  newVersion: number,
  tx: UpgradeTx,
  migrations = MIGRATIONS,
): number[] {
  const ran: number[] = [];
  for (let v = oldVersion + 1; v <= newVersion; v++) {
    const step = migrations[v];
    if (!step) throw new Error(`no migration to schema version ${v}`);
    step(db, tx);
    ran.push(v);
  }
  return ran;
}

export class DatabaseVersionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseVersionError';
  }
}

/** Opens (creating or upgrading) the database. A database of a newer version is an error, not a downgrade. */
export async function openLabDatabase(name = DB_NAME, version = DB_VERSION): Promise<LabDatabase> {
  let db: LabDatabase | null = null;
  try {
    db = await openDB<LabDB>(name, version, {
      upgrade(database, oldVersion, newVersion, tx) {
        runMigrations(database, oldVersion, newVersion ?? version, tx);
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
