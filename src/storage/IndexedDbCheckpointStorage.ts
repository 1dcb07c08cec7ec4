/// <reference lib="dom" />
/**
 * The engine's CheckpointStorage backed by IndexedDB: checkpoints that survive a killed worker and a
 * reloaded page (Flink's FileSystemCheckpointStorage, with the browser's database as the file system).
 *
 * The engine is synchronous, IndexedDB is not. So:
 * - an in-memory mirror of the completed checkpoints is loaded at `open()`; `latest()` and `list()`
 *   answer from it, synchronously;
 * - `store(checkpoint, done)` queues the write and returns; `done(error)` is called when the write is
 *   durable (or failed). The host must `await storage.flush()` — every queued write finished and its
 *   `done` called — before stepping the engine again, so the engine sees the checkpoint complete (or
 *   fail) at the same point of its virtual time as with an in-memory storage: same seed, same run.
 *
 * Atomic completion, in two transactions: (1) the metadata as PENDING plus every state chunk (one large
 * value per subtask); (2) the metadata marked COMPLETED, reference counts of shared files raised, and
 * the checkpoints it subsumes deleted (retention: the latest `retained`, default 1). Restore reads only
 * COMPLETED checkpoints; `open()` first deletes what an interrupted write left behind (PENDING metadata,
 * chunks without completed metadata, unreferenced shared files). A failed write (quota, I/O error, or a
 * fault injected with `injectFault`) calls `done(error)`: the engine declines the checkpoint with the
 * reason, and everything stored before stays as it was.
 */
import type { CheckpointStorage, CompletedCheckpoint } from '../engine/index';
import { decodeTask, encodeTask, type EncodedTask } from './codec';
import {
  checkpointKeyRange,
  DB_NAME,
  jobKeyRange,
  openLabDatabase,
  type CheckpointMeta,
  type ChunkRecord,
  type JobRecord,
  type LabDatabase,
  type ProgressRecord,
  type SavepointRecord,
  type SharedFileRecord,
} from './db';

export type StorageFault = 'quota' | 'write-error';

export interface IndexedDbStorageOptions {
  /** Database name (tests use one per test). */
  dbName?: string;
  /** Completed checkpoints kept per job (Flink's `state.checkpoints.num-retained`, default 1). */
  retained?: number;
  /** The shared files a checkpoint references (default: `sharedFiles` on each task's keyed state). */
  sharedFilesOf?: (checkpoint: CompletedCheckpoint) => string[];
  /** Called as a write progresses (the UI shows it; the crash test kills the worker right then). */
  onWrite?: (event: StorageWriteEvent) => void;
  /** Test hook: wait this long between the chunk transaction and the completion transaction. */
  pauseBetweenTransactionsMs?: number;
}

export type StorageWriteEvent =
  | { phase: 'writing-chunks'; jobName: string; checkpointId: number; chunks: number }
  | { phase: 'chunks-written'; jobName: string; checkpointId: number }
  | { phase: 'completed'; jobName: string; checkpointId: number; deleted: number[] }
  | { phase: 'failed'; jobName: string; checkpointId: number; reason: string };

export interface OpenReport {
  /** PENDING checkpoints of interrupted writes whose metadata and chunks were deleted. */
  removedPending: Array<{ jobName: string; checkpointId: number }>;
  /** Chunks deleted because no metadata (or only PENDING metadata) referenced them. */
  removedChunks: number;
  /** Shared files deleted because no completed checkpoint referenced them. */
  removedSharedFiles: number;
}

/** `sharedFiles: string[]` on a task's keyed state: the convention for incremental (RocksDB-like) snapshots. */
export function defaultSharedFilesOf(checkpoint: CompletedCheckpoint): string[] {
  const names = new Set<string>();
  for (const t of checkpoint.tasks) {
    const files = (t.keyedState as { sharedFiles?: unknown } | null)?.sharedFiles;
    if (Array.isArray(files)) for (const f of files) if (typeof f === 'string') names.add(f);
  }
  return [...names].sort();
}

function faultError(kind: StorageFault): Error {
  const e =
    kind === 'quota'
      ? new Error('QuotaExceededError: the browser refused to store more data (IndexedDB quota exceeded)')
      : new Error('UnknownError: writing the checkpoint metadata to IndexedDB failed');
  e.name = kind === 'quota' ? 'QuotaExceededError' : 'UnknownError';
  return e;
}

function asError(e: unknown): Error {
  if (e instanceof Error) {
    // DOMException messages do not include the name ("QuotaExceededError") a learner should see.
    return e.message.startsWith(e.name)
      ? e
      : Object.assign(new Error(`${e.name}: ${e.message}`), { name: e.name });
  }
  return new Error(String(e));
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class IndexedDbCheckpointStorage implements CheckpointStorage {
  readonly durable = true;
  readonly name = 'IndexedDbCheckpointStorage';
  readonly retained: number;
  /** What `open()` cleaned up. */
  openReport: OpenReport = { removedPending: [], removedChunks: 0, removedSharedFiles: 0 };
  /** Writes queued or in progress. */
  pendingWrites = 0;
  /** The last write error (for the UI), or null. */
  lastError: string | null = null;
  /** Test hook: when set, a write stops after its chunk transaction and never completes (a killed worker). */
  haltAfterChunks = false;
  /** Test hook: wait this long between the chunk transaction and the completion transaction. */
  pauseBetweenTransactionsMs: number;

  private readonly byJob = new Map<string, CompletedCheckpoint[]>();
  private readonly faults: StorageFault[] = [];
  private queue: Promise<void> = Promise.resolve();
  private readonly sharedFilesOf: (checkpoint: CompletedCheckpoint) => string[];

  private constructor(
    readonly db: LabDatabase,
    private readonly options: IndexedDbStorageOptions,
  ) {
    this.retained = Math.max(1, options.retained ?? 1);
    this.sharedFilesOf = options.sharedFilesOf ?? defaultSharedFilesOf;
    this.pauseBetweenTransactionsMs = options.pauseBetweenTransactionsMs ?? 0;
  }

  /** Opens the database, removes what interrupted writes left behind, and loads the completed checkpoints. */
  static async open(options: IndexedDbStorageOptions = {}): Promise<IndexedDbCheckpointStorage> {
    const db = await openLabDatabase(options.dbName ?? DB_NAME);
    const storage = new IndexedDbCheckpointStorage(db, options);
    storage.openReport = await storage.removeOrphans();
    await storage.loadMirror();
    return storage;
  }

  close(): void {
    this.db.close();
  }

  // ------------------------------------------------------------------ CheckpointStorage (sync, from the mirror)

  latest(jobName: string): CompletedCheckpoint | null {
    const list = (this.byJob.get(jobName) ?? []).filter((c) => c.kind === 'checkpoint');
    return list.length > 0 ? list[list.length - 1] : null;
  }

  list(jobName: string): CompletedCheckpoint[] {
    return [...(this.byJob.get(jobName) ?? [])];
  }

  store(checkpoint: CompletedCheckpoint, done: (error: Error | null) => void): void {
    this.pendingWrites++;
    const fault = this.faults.shift() ?? null;
    const write = this.queue.then(async () => {
      let error: Error | null = null;
      try {
        if (checkpoint.kind === 'savepoint') await this.writeSavepoint(checkpoint, fault);
        else await this.writeCheckpoint(checkpoint, fault);
        this.lastError = null;
      } catch (e) {
        error = asError(e);
        this.lastError = error.message;
        this.options.onWrite?.({
          phase: 'failed',
          jobName: checkpoint.jobName,
          checkpointId: checkpoint.checkpointId,
          reason: error.message,
        });
      }
      this.pendingWrites--;
      done(error);
    });
    this.queue = write.catch(() => {});
  }

  /** Resolves when every write queued so far is finished and its `done` callback has run. */
  async flush(): Promise<void> {
    let current: Promise<void>;
    do {
      current = this.queue;
      await current;
    } while (current !== this.queue);
  }

  /** Makes the next `count` writes fail: 'quota' while writing chunks, 'write-error' when completing. */
  injectFault(kind: StorageFault, count = 1): void {
    for (let i = 0; i < count; i++) this.faults.push(kind);
  }

  get injectedFaults(): readonly StorageFault[] {
    return this.faults;
  }

  // ------------------------------------------------------------------ writing

  private async writeCheckpoint(cp: CompletedCheckpoint, fault: StorageFault | null): Promise<void> {
    const { jobName, checkpointId } = cp;
    const encoded = cp.tasks.map(encodeTask);
    const sharedFiles = this.sharedFilesOf(cp);
    const meta: CheckpointMeta = {
      jobName,
      checkpointId,
      kind: 'checkpoint',
      status: 'PENDING',
      mode: cp.mode,
      triggerTime: cp.triggerTime,
      completionTime: cp.completionTime,
      stats: cp.stats,
      taskIds: cp.tasks.map((t) => t.taskId),
      sharedFiles,
      writtenAt: Date.now(),
    };
    this.options.onWrite?.({ phase: 'writing-chunks', jobName, checkpointId, chunks: encoded.length });

    // Transaction 1: PENDING metadata and every chunk. All or nothing (IndexedDB transactions are atomic).
    {
      const tx = this.db.transaction(['checkpoints', 'chunks', 'sharedFiles'], 'readwrite');
      const done = tx.done;
      try {
        for (const name of sharedFiles) {
          if (!(await tx.objectStore('sharedFiles').get([jobName, name])))
            throw new Error(`shared file '${name}' was never uploaded (putSharedFile)`);
        }
        const chunks = tx.objectStore('chunks');
        if (fault === 'quota') {
          // The browser refuses part-way through: the first chunk is in, then the transaction aborts.
          await chunks.put(chunkRecord(jobName, checkpointId, encoded[0]));
          throw faultError('quota');
        }
        await Promise.all([
          tx.objectStore('checkpoints').put(meta),
          ...encoded.map((e) => chunks.put(chunkRecord(jobName, checkpointId, e))),
        ]);
      } catch (e) {
        abortQuietly(tx);
        await done.catch(() => {});
        throw e;
      }
      await done;
    }
    this.options.onWrite?.({ phase: 'chunks-written', jobName, checkpointId });
    if (this.pauseBetweenTransactionsMs > 0) await sleep(this.pauseBetweenTransactionsMs);
    if (this.haltAfterChunks) await new Promise<never>(() => {}); // a worker killed right here

    // Transaction 2: mark COMPLETED, count references, delete what the new checkpoint subsumes.
    let deleted: number[] = [];
    try {
      if (fault === 'write-error') throw faultError('write-error');
      deleted = await this.commit(meta);
    } catch (e) {
      await this.deleteCheckpoint(jobName, checkpointId).catch(() => {}); // else open() removes it
      throw e;
    }
    // Only now does the engine's view change.
    const list = this.byJob.get(jobName) ?? [];
    list.push(cp);
    list.sort((a, b) => a.checkpointId - b.checkpointId);
    this.byJob.set(
      jobName,
      list.filter((c) => !(c.kind === 'checkpoint' && deleted.includes(c.checkpointId))),
    );
    this.options.onWrite?.({ phase: 'completed', jobName, checkpointId, deleted });
  }

  private async commit(meta: CheckpointMeta): Promise<number[]> {
    const tx = this.db.transaction(['checkpoints', 'chunks', 'sharedFiles'], 'readwrite');
    const done = tx.done;
    const deleted: number[] = [];
    try {
      const checkpoints = tx.objectStore('checkpoints');
      const files = tx.objectStore('sharedFiles');
      await checkpoints.put({ ...meta, status: 'COMPLETED' });
      for (const name of meta.sharedFiles) {
        const f = (await files.get([meta.jobName, name])) as SharedFileRecord;
        await files.put({ ...f, refCount: f.refCount + 1 });
      }
      const completed = (await checkpoints.getAll(jobKeyRange(meta.jobName))).filter(
        (c) => c.status === 'COMPLETED',
      );
      completed.sort((a, b) => a.checkpointId - b.checkpointId);
      const subsumed = completed.slice(0, Math.max(0, completed.length - this.retained));
      for (const old of subsumed) {
        await checkpoints.delete([old.jobName, old.checkpointId]);
        await tx.objectStore('chunks').delete(checkpointKeyRange(old.jobName, old.checkpointId));
        for (const name of old.sharedFiles) {
          const f = await files.get([old.jobName, name]);
          if (!f) continue;
          if (f.refCount <= 1) await files.delete([old.jobName, name]);
          else await files.put({ ...f, refCount: f.refCount - 1 });
        }
        deleted.push(old.checkpointId);
      }
    } catch (e) {
      abortQuietly(tx);
      await done.catch(() => {});
      throw e;
    }
    await done;
    return deleted;
  }

  /** Deletes a checkpoint that never completed (its metadata and chunks; it holds no references). */
  private async deleteCheckpoint(jobName: string, checkpointId: number): Promise<void> {
    const tx = this.db.transaction(['checkpoints', 'chunks'], 'readwrite');
    const meta = await tx.objectStore('checkpoints').get([jobName, checkpointId]);
    if (meta && meta.status !== 'COMPLETED')
      await tx.objectStore('checkpoints').delete([jobName, checkpointId]);
    if (!meta || meta.status !== 'COMPLETED')
      await tx.objectStore('chunks').delete(checkpointKeyRange(jobName, checkpointId));
    await tx.done;
  }

  private async writeSavepoint(cp: CompletedCheckpoint, fault: StorageFault | null): Promise<void> {
    if (fault) throw faultError(fault);
    const record: SavepointRecord = {
      jobName: cp.jobName,
      checkpointId: cp.checkpointId,
      createdAt: Date.now(),
      meta: {
        jobName: cp.jobName,
        checkpointId: cp.checkpointId,
        kind: 'savepoint',
        mode: cp.mode,
        triggerTime: cp.triggerTime,
        completionTime: cp.completionTime,
        stats: cp.stats,
        taskIds: cp.tasks.map((t) => t.taskId),
        sharedFiles: [],
        writtenAt: Date.now(),
      },
      tasks: cp.tasks.map(encodeTask),
    };
    await this.db.put('savepoints', record);
    const list = this.byJob.get(cp.jobName) ?? [];
    list.push(cp);
    list.sort((a, b) => a.checkpointId - b.checkpointId);
    this.byJob.set(cp.jobName, list);
  }

  // ------------------------------------------------------------------ open: cleanup and mirror

  /** Deletes PENDING checkpoints with their chunks, chunks of no completed checkpoint, unreferenced shared files. */
  private async removeOrphans(): Promise<OpenReport> {
    const tx = this.db.transaction(['checkpoints', 'chunks', 'sharedFiles'], 'readwrite');
    const report: OpenReport = { removedPending: [], removedChunks: 0, removedSharedFiles: 0 };
    const completed = new Set<string>();
    for (const meta of await tx.objectStore('checkpoints').getAll()) {
      if (meta.status === 'COMPLETED') completed.add(JSON.stringify([meta.jobName, meta.checkpointId]));
      else {
        await tx.objectStore('checkpoints').delete([meta.jobName, meta.checkpointId]);
        report.removedPending.push({ jobName: meta.jobName, checkpointId: meta.checkpointId });
      }
    }
    let cursor = await tx.objectStore('chunks').openKeyCursor();
    while (cursor) {
      const [jobName, checkpointId] = cursor.key;
      if (!completed.has(JSON.stringify([jobName, checkpointId]))) {
        await tx.objectStore('chunks').delete(cursor.primaryKey);
        report.removedChunks++;
      }
      cursor = await cursor.continue();
    }
    // Nothing is being written while the storage opens: a file no completed checkpoint references is garbage.
    const unreferenced = await tx
      .objectStore('sharedFiles')
      .index('byRefCount')
      .getAllKeys(IDBKeyRange.upperBound(0));
    for (const key of unreferenced) await tx.objectStore('sharedFiles').delete(key);
    report.removedSharedFiles = unreferenced.length;
    await tx.done;
    return report;
  }

  private async loadMirror(): Promise<void> {
    this.byJob.clear();
    const metas = (await this.db.getAllFromIndex('checkpoints', 'byStatus', 'COMPLETED')).sort(
      (a, b) => a.checkpointId - b.checkpointId,
    );
    for (const meta of metas) {
      const cp = await this.readCheckpoint(meta);
      if (!cp) continue;
      const list = this.byJob.get(meta.jobName) ?? [];
      list.push(cp);
      this.byJob.set(meta.jobName, list);
    }
    for (const sp of await this.db.getAll('savepoints')) {
      const list = this.byJob.get(sp.jobName) ?? [];
      list.push(savepointToCheckpoint(sp));
      list.sort((a, b) => a.checkpointId - b.checkpointId);
      this.byJob.set(sp.jobName, list);
    }
  }

  /** A completed checkpoint from its metadata and chunks; null when a chunk is missing (never partial). */
  private async readCheckpoint(meta: CheckpointMeta): Promise<CompletedCheckpoint | null> {
    const chunks = await this.db.getAll('chunks', checkpointKeyRange(meta.jobName, meta.checkpointId));
    const byTask = new Map(chunks.map((c) => [c.data.taskId, c.data]));
    const tasks: EncodedTask[] = [];
    for (const id of meta.taskIds) {
      const t = byTask.get(id);
      if (!t) return null;
      tasks.push(t);
    }
    return {
      jobName: meta.jobName,
      checkpointId: meta.checkpointId,
      kind: 'checkpoint',
      mode: meta.mode,
      triggerTime: meta.triggerTime,
      completionTime: meta.completionTime,
      tasks: tasks.map(decodeTask),
      stats: meta.stats,
    };
  }

  // ------------------------------------------------------------------ shared files (incremental checkpoints)

  /**
   * Uploads a file that checkpoints may reference (a RocksDB SST file). It starts unreferenced; a
   * checkpoint that lists it (see `sharedFilesOf`) raises its count when it completes, and the count
   * falls when that checkpoint is subsumed; at 0 the file is deleted. Uploading an existing name keeps
   * the stored file (SST files are immutable, their names unique).
   */
  async putSharedFile(jobName: string, name: string, bytes: Uint8Array): Promise<void> {
    const tx = this.db.transaction('sharedFiles', 'readwrite');
    const existing = await tx.store.get([jobName, name]);
    if (!existing)
      await tx.store.put({
        jobName,
        name,
        bytes,
        size: bytes.byteLength,
        refCount: 0,
        createdAt: Date.now(),
      });
    await tx.done;
  }

  async getSharedFile(jobName: string, name: string): Promise<Uint8Array | null> {
    return (await this.db.get('sharedFiles', [jobName, name]))?.bytes ?? null;
  }

  /** name → reference count, for one job. */
  async sharedFileRefCounts(jobName: string): Promise<Map<string, number>> {
    const files = await this.db.getAll('sharedFiles', jobKeyRange(jobName));
    return new Map(files.map((f) => [f.name, f.refCount]));
  }

  // ------------------------------------------------------------------ savepoints, jobs, progress

  async deleteSavepoint(jobName: string, checkpointId: number): Promise<void> {
    await this.db.delete('savepoints', [jobName, checkpointId]);
    const list = this.byJob.get(jobName) ?? [];
    this.byJob.set(
      jobName,
      list.filter((c) => !(c.kind === 'savepoint' && c.checkpointId === checkpointId)),
    );
  }

  /** Deletes a job's checkpoints, chunks and shared files (not its savepoints): a fresh start. */
  async discardCheckpoints(jobName: string): Promise<void> {
    await this.flush();
    const tx = this.db.transaction(['checkpoints', 'chunks', 'sharedFiles'], 'readwrite');
    await tx.objectStore('checkpoints').delete(jobKeyRange(jobName));
    await tx.objectStore('chunks').delete(jobKeyRange(jobName));
    await tx.objectStore('sharedFiles').delete(jobKeyRange(jobName));
    await tx.done;
    this.byJob.set(
      jobName,
      (this.byJob.get(jobName) ?? []).filter((c) => c.kind === 'savepoint'),
    );
  }

  async putJob(job: JobRecord): Promise<void> {
    await this.db.put('jobs', job);
  }

  async getJob(jobName: string): Promise<JobRecord | null> {
    return (await this.db.get('jobs', jobName)) ?? null;
  }

  /** The job a reloaded page should bring back: the most recently updated RUNNING one. */
  async runningJob(): Promise<JobRecord | null> {
    const running = (await this.db.getAll('jobs')).filter((j) => j.status === 'RUNNING');
    running.sort((a, b) => b.updatedAt - a.updatedAt);
    return running[0] ?? null;
  }

  async getProgress(id: string): Promise<ProgressRecord | null> {
    return (await this.db.get('progress', id)) ?? null;
  }

  async putProgress(record: ProgressRecord): Promise<void> {
    await this.db.put('progress', record);
  }

  async listProgress(): Promise<ProgressRecord[]> {
    return this.db.getAll('progress');
  }

  /** What is in the database for one job (tests and the UI's storage panel). */
  async inspect(jobName: string): Promise<{
    checkpoints: Array<{ checkpointId: number; status: string }>;
    chunks: Array<{ checkpointId: number; operatorUid: string; subtaskIndex: number }>;
    savepoints: number[];
  }> {
    const metas = await this.db.getAll('checkpoints', jobKeyRange(jobName));
    const chunkKeys = await this.db.getAllKeys('chunks', jobKeyRange(jobName));
    const savepoints = await this.db.getAllKeys('savepoints', jobKeyRange(jobName));
    return {
      checkpoints: metas.map((m) => ({ checkpointId: m.checkpointId, status: m.status })),
      chunks: chunkKeys.map(([, checkpointId, operatorUid, subtaskIndex]) => ({
        checkpointId,
        operatorUid,
        subtaskIndex,
      })),
      savepoints: savepoints.map(([, id]) => id),
    };
  }
}

function chunkRecord(jobName: string, checkpointId: number, data: EncodedTask): ChunkRecord {
  return {
    jobName,
    checkpointId,
    operatorUid: data.operatorUid,
    subtaskIndex: data.subtaskIndex,
    keyGroupStart: data.keyed ? data.keyed.start : -1,
    keyGroupEnd: data.keyed ? data.keyed.end : -1,
    data,
  };
}

function savepointToCheckpoint(sp: SavepointRecord): CompletedCheckpoint {
  return {
    jobName: sp.jobName,
    checkpointId: sp.checkpointId,
    kind: 'savepoint',
    mode: sp.meta.mode,
    triggerTime: sp.meta.triggerTime,
    completionTime: sp.meta.completionTime,
    tasks: sp.tasks.map(decodeTask),
    stats: sp.meta.stats,
  };
}

function abortQuietly(tx: { abort(): void }): void {
  try {
    tx.abort();
  } catch {
    // already finished or aborted
  }
}

export { DB_NAME };
