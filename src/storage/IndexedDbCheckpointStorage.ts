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
 * Atomic completion, in two transactions: (1) the metadata as PENDING plus every state chunk (one value
 * per subtask, its keyed state packed into one ArrayBuffer: codec.ts) and the new shared files; (2) the
 * metadata marked COMPLETED, the metadata of the checkpoints it subsumes deleted (retention: the latest
 * `retained`, default 1), reference counts of shared files changed. Only then is `done` called; the
 * subsumed checkpoints' chunks and the files left at count 0 are deleted right after, in a third
 * transaction the engine does not wait for (Flink, too, discards subsumed checkpoints asynchronously).
 * Restore reads only COMPLETED checkpoints; `open()` first deletes what an interrupted write or cleanup
 * left behind (PENDING metadata, chunks without completed metadata, unreferenced shared files). A failed
 * write (quota, I/O error, or a fault injected with `injectFault`) calls `done(error)`: the engine
 * declines the checkpoint with the reason, and everything stored before stays as it was.
 *
 * Written for speed (bench/indexeddb.ts, docs/performance.md): each chunk is put as soon as it is
 * encoded (the database process writes one while the next is encoded), what transaction 2 needs to know
 * is read at the start of transaction 1, and both ask for their commit as soon as the last request is
 * issued.
 *
 * Incremental (RocksDB-like) checkpoints: each SST file is written ONCE, as a shared file, in the chunk
 * transaction of the first checkpoint that has it among its handle's `newFiles`; the chunks keep only
 * the handles (file references). Completion raises each referenced file's count, subsumption lowers it,
 * and a file at 0 is deleted. The mirror keeps the files of the retained checkpoints in a
 * `SharedStateRegistry` per job, so `resolveIncremental` (the engine's restore) answers synchronously.
 */
import {
  SharedStateRegistry,
  type CheckpointStorage,
  type CompletedCheckpoint,
  type IncrementalKeyedStateHandle,
  type SstFile,
  type TaskStateSnapshot,
} from '../engine/index';
import {
  isIncrementalHandle,
  resolveIncrementalHandle,
  type ResolvedIncrementalKeyedStateHandle,
} from '../engine/state/rocksdb/types';
import {
  decodeSstFile,
  decodeTask,
  EncodeCache,
  encodeSstFile,
  encodeTask,
  type EncodedSstFile,
  type EncodedTask,
} from './codec';
import {
  checkpointKeyRange,
  DB_NAME,
  jobKeyRange,
  openLabDatabase,
  type CheckpointMeta,
  type ChunkRecord,
  type JobRecord,
  type LabDatabase,
  type MigrationReport,
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
  | {
      phase: 'chunks-written';
      jobName: string;
      checkpointId: number;
      /** Bytes written: the chunks' packed bodies plus the new shared files. */
      bytes?: number;
      /** Shared files this checkpoint wrote / referenced but found stored already (deduplicated). */
      newSharedFiles?: number;
      reusedSharedFiles?: number;
    }
  | { phase: 'completed'; jobName: string; checkpointId: number; deleted: number[] }
  | { phase: 'failed'; jobName: string; checkpointId: number; reason: string };

export interface OpenReport {
  /** PENDING checkpoints of interrupted writes whose metadata and chunks were deleted. */
  removedPending: Array<{ jobName: string; checkpointId: number }>;
  /** Chunks deleted because no metadata (or only PENDING metadata) referenced them. */
  removedChunks: number;
  /** Shared files deleted because no completed checkpoint referenced them (or had no contents). */
  removedSharedFiles: number;
  /** Completed checkpoints that could not be read (corrupted chunk or file): never restored, with why. */
  unreadable: Array<{ jobName: string; checkpointId: number; reason: string }>;
  /** What upgrading an older database did, or null when no upgrade ran. */
  migration: MigrationReport | null;
}

/**
 * The shared files a checkpoint references: the SST files of its incremental (RocksDB-like) handles,
 * plus any names in a `sharedFiles: string[]` field on a task's keyed state (files uploaded with
 * `putSharedFile`).
 */
export function defaultSharedFilesOf(checkpoint: CompletedCheckpoint): string[] {
  const names = new Set<string>();
  for (const t of checkpoint.tasks) {
    const ks = t.keyedState;
    if (isIncrementalHandle(ks)) for (const f of ks.files) names.add(f.id);
    const files = (ks as { sharedFiles?: unknown } | null)?.sharedFiles;
    if (Array.isArray(files)) for (const f of files) if (typeof f === 'string') names.add(f);
  }
  return [...names].sort();
}

/** A checkpoint's incremental handles: file ids referenced and the files they carry. */
function incrementalFiles(cp: CompletedCheckpoint): { ids: string[]; newFiles: Map<string, SstFile> } {
  const ids = new Set<string>();
  const newFiles = new Map<string, SstFile>();
  for (const t of cp.tasks) {
    const ks = t.keyedState;
    if (!isIncrementalHandle(ks)) continue;
    for (const f of ks.files) ids.add(f.id);
    for (const f of ks.newFiles) newFiles.set(f.id, f);
  }
  return { ids: [...ids], newFiles };
}

/** The checkpoint as the mirror keeps it: incremental handles without file contents (as stored). */
function withoutFileContents(cp: CompletedCheckpoint): CompletedCheckpoint {
  if (!cp.tasks.some((t) => isIncrementalHandle(t.keyedState) && t.keyedState.newFiles.length > 0)) return cp;
  return {
    ...cp,
    tasks: cp.tasks.map((t): TaskStateSnapshot =>
      isIncrementalHandle(t.keyedState) ? { ...t, keyedState: { ...t.keyedState, newFiles: [] } } : t,
    ),
  };
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
  /** What `open()` cleaned up, could not read, or converted. */
  openReport: OpenReport = {
    removedPending: [],
    removedChunks: 0,
    removedSharedFiles: 0,
    unreadable: [],
    migration: null,
  };
  /** Writes queued or in progress. */
  pendingWrites = 0;
  /** The last write error (for the UI), or null. */
  lastError: string | null = null;
  /** Test hook: when set, a write stops after its chunk transaction and never completes (a killed worker). */
  haltAfterChunks = false;
  /** Test hook: wait this long between the chunk transaction and the completion transaction. */
  pauseBetweenTransactionsMs: number;

  private readonly byJob = new Map<string, CompletedCheckpoint[]>();
  /** Per job: the SST files of the retained checkpoints and which checkpoints reference them. */
  private readonly sstByJob = new Map<string, SharedStateRegistry>();
  /** Per job and subtask: the encoded keys of its last snapshot (codec.ts, `EncodeCache`). */
  private readonly encodeCaches = new Map<string, EncodeCache>();
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

  /**
   * Opens (or upgrades) the database, removes what interrupted writes left behind, and loads the
   * completed checkpoints. A checkpoint that cannot be read is skipped and reported, never restored.
   */
  static async open(options: IndexedDbStorageOptions = {}): Promise<IndexedDbCheckpointStorage> {
    let migration: MigrationReport | null = null;
    const db = await openLabDatabase(options.dbName ?? DB_NAME, undefined, (r) => (migration = r));
    const storage = new IndexedDbCheckpointStorage(db, options);
    storage.openReport = { ...(await storage.removeOrphans()), migration };
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

  /** The engine's restore of incremental keyed state: the handle's SST files, from the mirror. */
  resolveIncremental(handle: IncrementalKeyedStateHandle): ResolvedIncrementalKeyedStateHandle {
    const own = new Set(handle.newFiles.map((f) => f.id));
    for (const registry of this.sstByJob.values())
      if (handle.files.every((f) => own.has(f.id) || registry.has(f.id))) return registry.resolve(handle);
    return resolveIncrementalHandle(handle, () => undefined); // throws, naming the missing file
  }

  store(checkpoint: CompletedCheckpoint, done: (error: Error | null) => void): void {
    this.pendingWrites++;
    const fault = this.faults.shift() ?? null;
    const write = this.queue.then(async () => {
      let error: Error | null = null;
      let cleanup: (() => Promise<void>) | null = null;
      try {
        if (checkpoint.kind === 'savepoint') await this.writeSavepoint(checkpoint, fault);
        else cleanup = await this.writeCheckpoint(checkpoint, fault);
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
      // Subsumed checkpoints' chunks and unreferenced files go after `done` (Flink discards subsumed
      // checkpoints asynchronously too); if that is interrupted, `open()` removes what is left.
      if (cleanup) await cleanup().catch(() => {});
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

  private encodeCache(jobName: string, taskId: string): EncodeCache {
    const id = `${jobName}\u0000${taskId}`;
    let c = this.encodeCaches.get(id);
    if (!c) this.encodeCaches.set(id, (c = new EncodeCache()));
    return c;
  }

  private registry(jobName: string): SharedStateRegistry {
    let r = this.sstByJob.get(jobName);
    if (!r) this.sstByJob.set(jobName, (r = new SharedStateRegistry()));
    return r;
  }

  /** Writes a checkpoint (two transactions); returns the cleanup to run after `done`. */
  private async writeCheckpoint(
    cp: CompletedCheckpoint,
    fault: StorageFault | null,
  ): Promise<(() => Promise<void>) | null> {
    const { jobName, checkpointId } = cp;
    const sst = incrementalFiles(cp);
    // Every SST file of its handles, whatever `sharedFilesOf` says: they must be stored and counted.
    const sharedFiles = [...new Set([...this.sharedFilesOf(cp), ...sst.ids])].sort();
    const registry = this.registry(jobName);
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
    this.options.onWrite?.({ phase: 'writing-chunks', jobName, checkpointId, chunks: cp.tasks.length });

    // Transaction 1: PENDING metadata, every chunk, and the SST files not stored yet. All or nothing.
    // Each chunk is put as soon as it is encoded: the database writes one while the next is encoded.
    let bytes = 0;
    const written: string[] = []; // shared files this checkpoint wrote (removed if it does not complete)
    const loaded: SstFile[] = []; // referenced SST files already stored but not in the mirror
    let completedBefore: CheckpointMeta[] = [];
    {
      const tx = this.db.transaction(['checkpoints', 'chunks', 'sharedFiles', 'sharedFileData'], 'readwrite');
      const done = tx.done;
      const puts: Array<Promise<unknown>> = [];
      const track = (p: Promise<unknown>) => {
        p.catch(() => {}); // an abort rejects every request; the transaction reports it once
        puts.push(p);
      };
      try {
        const chunks = tx.objectStore('chunks');
        // Read first what the completion needs: the answers arrive while the chunks are encoded.
        const metasRead = tx.objectStore('checkpoints').getAll(jobKeyRange(jobName));
        const filesRead =
          sharedFiles.length > 0 ? tx.objectStore('sharedFiles').getAll(jobKeyRange(jobName)) : null;
        track(metasRead);
        if (filesRead) track(filesRead);
        if (fault === 'quota') {
          // The browser refuses part-way through: the first chunk is in, then the transaction aborts.
          await chunks.put(chunkRecord(jobName, checkpointId, encodeTask(cp.tasks[0])));
          throw faultError('quota');
        }
        track(tx.objectStore('checkpoints').put(meta));
        for (const t of cp.tasks) {
          const e = encodeTask(t, this.encodeCache(jobName, t.taskId));
          bytes += e.body.byteLength;
          track(chunks.put(chunkRecord(jobName, checkpointId, e)));
        }
        const files = tx.objectStore('sharedFiles');
        const data = tx.objectStore('sharedFileData');
        const sstIds = new Set(sst.ids);
        const stored = new Set(filesRead ? (await filesRead).map((f) => f.name) : []);
        for (const name of sharedFiles) {
          // The mirror holds every file of the retained checkpoints: those are stored.
          if (registry.has(name)) continue;
          if (stored.has(name)) {
            if (sstIds.has(name) && !sst.newFiles.has(name)) {
              const rec = await data.get([jobName, name]);
              if (!rec) throw new Error(`shared file '${name}' has no contents`);
              loaded.push(decodeSstFile(rec.data as EncodedSstFile));
            }
            continue;
          }
          const file = sst.newFiles.get(name);
          if (!file) throw new Error(`shared file '${name}' was never uploaded (putSharedFile)`);
          const packed = encodeSstFile(file);
          const record: SharedFileRecord = {
            jobName,
            name,
            kind: 'sst',
            size: packed.body.byteLength,
            refCount: 0,
            createdAt: Date.now(),
          };
          track(files.put(record));
          track(data.put({ jobName, name, data: packed }));
          bytes += packed.body.byteLength;
          written.push(name);
        }
        commitNow(tx);
        await Promise.all(puts);
        completedBefore = (await metasRead).filter(
          (m) => m.status === 'COMPLETED' && m.checkpointId !== checkpointId,
        );
      } catch (e) {
        abortQuietly(tx);
        await done.catch(() => {});
        throw e;
      }
      await done;
    }
    this.options.onWrite?.({
      phase: 'chunks-written',
      jobName,
      checkpointId,
      bytes,
      newSharedFiles: written.length,
      reusedSharedFiles: sharedFiles.length - written.length,
    });
    if (this.pauseBetweenTransactionsMs > 0) await sleep(this.pauseBetweenTransactionsMs);
    if (this.haltAfterChunks) await new Promise<never>(() => {}); // a worker killed right here

    // Transaction 2: mark COMPLETED, count references, delete what the new checkpoint subsumes.
    let result: { deleted: number[]; cleanup: () => Promise<void> };
    let registered = false;
    try {
      if (sst.ids.length > 0) {
        // The mirror first (it checks every referenced file is known); undone below if completing fails.
        registered = true;
        registry.registerCheckpoint(checkpointId, sst.ids, [...sst.newFiles.values(), ...loaded]);
      }
      if (fault === 'write-error') throw faultError('write-error');
      result = await this.commit(meta, completedBefore);
    } catch (e) {
      if (registered) registry.releaseCheckpoint(checkpointId);
      await this.deleteCheckpoint(jobName, checkpointId, written).catch(() => {}); // else open() removes it
      throw e;
    }
    const { deleted, cleanup } = result;
    for (const id of deleted) registry.releaseCheckpoint(id);
    // Only now does the engine's view change.
    const list = this.byJob.get(jobName) ?? [];
    list.push(withoutFileContents(cp));
    list.sort((a, b) => a.checkpointId - b.checkpointId);
    this.byJob.set(
      jobName,
      list.filter((c) => !(c.kind === 'checkpoint' && deleted.includes(c.checkpointId))),
    );
    this.options.onWrite?.({ phase: 'completed', jobName, checkpointId, deleted });
    return cleanup;
  }

  /**
   * Transaction 2: the metadata marked COMPLETED, the metadata of the checkpoints it subsumes deleted,
   * shared-file counts changed. `completedBefore` (read in transaction 1; only this storage's queue
   * writes metadata) says what is subsumed, so a checkpoint without shared files reads nothing here:
   * every write is issued at once and the commit requested right away. Returns the subsumed ids and
   * the cleanup for after `done`: their chunks and the files left at count 0.
   */
  private async commit(
    meta: CheckpointMeta,
    completedBefore: CheckpointMeta[],
  ): Promise<{ deleted: number[]; cleanup: () => Promise<void> }> {
    const { jobName } = meta;
    const completed = [...completedBefore, meta].sort((a, b) => a.checkpointId - b.checkpointId);
    const subsumed = completed.slice(0, Math.max(0, completed.length - this.retained));
    const touchesFiles = meta.sharedFiles.length > 0 || subsumed.some((m) => m.sharedFiles.length > 0);
    const tx = this.db.transaction(['checkpoints', 'sharedFiles'], 'readwrite');
    const done = tx.done;
    const unreferenced: string[] = [];
    const writes: Array<Promise<unknown>> = [];
    const track = (p: Promise<unknown>) => {
      p.catch(() => {}); // an abort rejects every request; the transaction reports it once
      writes.push(p);
    };
    try {
      const checkpoints = tx.objectStore('checkpoints');
      const files = tx.objectStore('sharedFiles');
      track(checkpoints.put({ ...meta, status: 'COMPLETED' }));
      for (const old of subsumed) track(checkpoints.delete([jobName, old.checkpointId]));
      if (touchesFiles) {
        const counts = new Map((await files.getAll(jobKeyRange(jobName))).map((f) => [f.name, f]));
        const changed = new Set<string>();
        for (const name of meta.sharedFiles) {
          const f = counts.get(name);
          if (!f)
            throw new Error(
              `shared file '${name}' disappeared before checkpoint ${meta.checkpointId} completed`,
            );
          counts.set(name, { ...f, refCount: f.refCount + 1 });
          changed.add(name);
        }
        for (const old of subsumed) {
          for (const name of old.sharedFiles) {
            const f = counts.get(name);
            if (!f) continue;
            counts.set(name, { ...f, refCount: Math.max(0, f.refCount - 1) });
            changed.add(name);
          }
        }
        for (const name of changed) {
          const f = counts.get(name)!;
          track(files.put(f));
          if (f.refCount === 0) unreferenced.push(name);
        }
      }
      commitNow(tx);
      await Promise.all(writes);
    } catch (e) {
      abortQuietly(tx);
      await done.catch(() => {});
      throw e;
    }
    await done;
    const deleted = subsumed.map((m) => m.checkpointId);
    return { deleted, cleanup: () => this.removeSubsumed(jobName, deleted, unreferenced) };
  }

  /**
   * After a completion: the chunks of the checkpoints it subsumed (their metadata is gone already) and
   * the shared files whose count is still 0.
   */
  private async removeSubsumed(jobName: string, checkpointIds: number[], files: string[]): Promise<void> {
    if (checkpointIds.length === 0 && files.length === 0) return;
    const tx = this.db.transaction(['chunks', 'sharedFiles', 'sharedFileData'], 'readwrite');
    const done = tx.done;
    const requests: Array<Promise<unknown>> = [];
    const track = (p: Promise<unknown>) => {
      p.catch(() => {});
      requests.push(p);
    };
    try {
      for (const id of checkpointIds) track(tx.objectStore('chunks').delete(checkpointKeyRange(jobName, id)));
      for (const name of files) {
        const f = await tx.objectStore('sharedFiles').get([jobName, name]);
        if (f && f.refCount <= 0) {
          track(tx.objectStore('sharedFiles').delete([jobName, name]));
          track(tx.objectStore('sharedFileData').delete([jobName, name]));
        }
      }
      commitNow(tx);
      await Promise.all(requests);
    } catch (e) {
      abortQuietly(tx);
      await done.catch(() => {});
      throw e;
    }
    await done;
  }

  /**
   * Deletes a checkpoint that never completed: its metadata, chunks, and the shared files it wrote
   * that no completed checkpoint references (it holds no references itself).
   */
  private async deleteCheckpoint(
    jobName: string,
    checkpointId: number,
    written: string[] = [],
  ): Promise<void> {
    const tx = this.db.transaction(['checkpoints', 'chunks', 'sharedFiles', 'sharedFileData'], 'readwrite');
    const meta = await tx.objectStore('checkpoints').get([jobName, checkpointId]);
    if (!meta || meta.status !== 'COMPLETED') {
      await tx.objectStore('checkpoints').delete([jobName, checkpointId]);
      await tx.objectStore('chunks').delete(checkpointKeyRange(jobName, checkpointId));
      for (const name of written) {
        const f = await tx.objectStore('sharedFiles').get([jobName, name]);
        if (f && f.refCount <= 0) {
          await tx.objectStore('sharedFiles').delete([jobName, name]);
          await tx.objectStore('sharedFileData').delete([jobName, name]);
        }
      }
    }
    await tx.done;
  }

  private async writeSavepoint(cp: CompletedCheckpoint, fault: StorageFault | null): Promise<void> {
    if (fault) throw faultError(fault);
    if (cp.tasks.some((t) => isIncrementalHandle(t.keyedState)))
      throw new Error('a savepoint is self-contained: it cannot hold incremental (shared-file) keyed state');
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
      tasks: cp.tasks.map((t) => encodeTask(t)),
    };
    await this.db.put('savepoints', record);
    const list = this.byJob.get(cp.jobName) ?? [];
    list.push(cp);
    list.sort((a, b) => a.checkpointId - b.checkpointId);
    this.byJob.set(cp.jobName, list);
  }

  // ------------------------------------------------------------------ open: cleanup and mirror

  /**
   * Deletes PENDING checkpoints with their chunks, chunks of no completed checkpoint, unreferenced
   * shared files, and shared-file contents without a shared-file record.
   */
  private async removeOrphans(): Promise<OpenReport> {
    const tx = this.db.transaction(['checkpoints', 'chunks', 'sharedFiles', 'sharedFileData'], 'readwrite');
    const report: OpenReport = {
      removedPending: [],
      removedChunks: 0,
      removedSharedFiles: 0,
      unreadable: [],
      migration: null,
    };
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
    const files = tx.objectStore('sharedFiles');
    const data = tx.objectStore('sharedFileData');
    const unreferenced = await files.index('byRefCount').getAllKeys(IDBKeyRange.upperBound(0));
    for (const key of unreferenced) {
      await files.delete(key);
      await data.delete(key);
    }
    report.removedSharedFiles = unreferenced.length;
    const known = new Set((await files.getAllKeys()).map((k) => JSON.stringify(k)));
    for (const key of await data.getAllKeys()) {
      if (known.has(JSON.stringify(key))) continue;
      await data.delete(key);
      report.removedSharedFiles++;
    }
    await tx.done;
    return report;
  }

  private async loadMirror(): Promise<void> {
    this.byJob.clear();
    this.sstByJob.clear();
    const unreadable = this.openReport.unreadable;
    const metas = (await this.db.getAllFromIndex('checkpoints', 'byStatus', 'COMPLETED')).sort(
      (a, b) => a.checkpointId - b.checkpointId,
    );
    for (const meta of metas) {
      let cp: CompletedCheckpoint;
      try {
        cp = await this.readCheckpoint(meta);
      } catch (e) {
        unreadable.push({
          jobName: meta.jobName,
          checkpointId: meta.checkpointId,
          reason: (e as Error).message,
        });
        continue;
      }
      const list = this.byJob.get(meta.jobName) ?? [];
      list.push(cp);
      this.byJob.set(meta.jobName, list);
    }
    for (const sp of await this.db.getAll('savepoints')) {
      let cp: CompletedCheckpoint;
      try {
        cp = savepointToCheckpoint(sp);
      } catch (e) {
        unreadable.push({
          jobName: sp.jobName,
          checkpointId: sp.checkpointId,
          reason: `savepoint: ${(e as Error).message}`,
        });
        continue;
      }
      const list = this.byJob.get(sp.jobName) ?? [];
      list.push(cp);
      list.sort((a, b) => a.checkpointId - b.checkpointId);
      this.byJob.set(sp.jobName, list);
    }
  }

  /**
   * A completed checkpoint from its metadata, chunks and shared files, registered in the mirror. Throws
   * (registering nothing) when a chunk or file is missing or corrupted: never a partial checkpoint.
   */
  private async readCheckpoint(meta: CheckpointMeta): Promise<CompletedCheckpoint> {
    const chunks = await this.db.getAll('chunks', checkpointKeyRange(meta.jobName, meta.checkpointId));
    const byTask = new Map<string, EncodedTask>();
    for (const c of chunks) byTask.set(String(c.data?.task?.taskId), c.data);
    const tasks: TaskStateSnapshot[] = [];
    for (const id of meta.taskIds) {
      const t = byTask.get(id);
      if (!t) throw new Error(`the state chunk of ${id} is missing`);
      tasks.push(decodeTask(t));
    }
    const cp: CompletedCheckpoint = {
      jobName: meta.jobName,
      checkpointId: meta.checkpointId,
      kind: 'checkpoint',
      mode: meta.mode,
      triggerTime: meta.triggerTime,
      completionTime: meta.completionTime,
      tasks,
      stats: meta.stats,
    };
    const { ids } = incrementalFiles(cp);
    if (ids.length > 0) {
      const registry = this.registry(meta.jobName);
      const files: SstFile[] = [];
      for (const name of ids) {
        if (registry.has(name)) continue;
        const rec = await this.db.get('sharedFileData', [meta.jobName, name]);
        if (!rec) throw new Error(`shared file '${name}' is missing`);
        files.push(decodeSstFile(rec.data as EncodedSstFile));
      }
      registry.registerCheckpoint(meta.checkpointId, ids, files);
    }
    return cp;
  }

  // ------------------------------------------------------------------ shared files

  /**
   * Uploads a file that checkpoints may reference by name (SST files of incremental checkpoints are
   * written by `store` itself). It starts unreferenced; a checkpoint that lists it (see `sharedFilesOf`)
   * raises its count when it completes, and the count falls when that checkpoint is subsumed; at 0 the
   * file is deleted. Uploading an existing name keeps the stored file (files are immutable, names unique).
   */
  async putSharedFile(jobName: string, name: string, bytes: Uint8Array): Promise<void> {
    const tx = this.db.transaction(['sharedFiles', 'sharedFileData'], 'readwrite');
    const files = tx.objectStore('sharedFiles');
    if ((await files.getKey([jobName, name])) === undefined) {
      await files.put({
        jobName,
        name,
        kind: 'raw',
        size: bytes.byteLength,
        refCount: 0,
        createdAt: Date.now(),
      });
      await tx.objectStore('sharedFileData').put({ jobName, name, data: bytes });
    }
    await tx.done;
  }

  /** A shared file's stored bytes (for an SST file: its packed body), or null. */
  async getSharedFile(jobName: string, name: string): Promise<Uint8Array | null> {
    const rec = await this.db.get('sharedFileData', [jobName, name]);
    if (!rec) return null;
    return rec.data instanceof Uint8Array ? rec.data : new Uint8Array(rec.data.body);
  }

  /** An SST file of an incremental checkpoint, decoded, or null. */
  async getSstFile(jobName: string, name: string): Promise<SstFile | null> {
    const rec = await this.db.get('sharedFileData', [jobName, name]);
    return rec && !(rec.data instanceof Uint8Array) ? decodeSstFile(rec.data) : null;
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
    const tx = this.db.transaction(['checkpoints', 'chunks', 'sharedFiles', 'sharedFileData'], 'readwrite');
    await tx.objectStore('checkpoints').delete(jobKeyRange(jobName));
    await tx.objectStore('chunks').delete(jobKeyRange(jobName));
    await tx.objectStore('sharedFiles').delete(jobKeyRange(jobName));
    await tx.objectStore('sharedFileData').delete(jobKeyRange(jobName));
    await tx.done;
    this.sstByJob.delete(jobName);
    for (const id of [...this.encodeCaches.keys()])
      if (id.startsWith(`${jobName}\u0000`)) this.encodeCaches.delete(id);
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
    sharedFiles: Array<{ name: string; kind: string; refCount: number; size: number }>;
  }> {
    const metas = await this.db.getAll('checkpoints', jobKeyRange(jobName));
    const chunkKeys = await this.db.getAllKeys('chunks', jobKeyRange(jobName));
    const savepoints = await this.db.getAllKeys('savepoints', jobKeyRange(jobName));
    const files = await this.db.getAll('sharedFiles', jobKeyRange(jobName));
    return {
      checkpoints: metas.map((m) => ({ checkpointId: m.checkpointId, status: m.status })),
      chunks: chunkKeys.map(([, checkpointId, operatorUid, subtaskIndex]) => ({
        checkpointId,
        operatorUid,
        subtaskIndex,
      })),
      savepoints: savepoints.map(([, id]) => id),
      sharedFiles: files.map((f) => ({ name: f.name, kind: f.kind, refCount: f.refCount, size: f.size })),
    };
  }
}

function chunkRecord(jobName: string, checkpointId: number, data: EncodedTask): ChunkRecord {
  return {
    jobName,
    checkpointId,
    operatorUid: data.task.operatorUid,
    subtaskIndex: data.task.subtaskIndex,
    keyGroupStart: data.keyed?.start ?? data.incremental?.keyGroupRange.start ?? -1,
    keyGroupEnd: data.keyed?.end ?? data.incremental?.keyGroupRange.end ?? -1,
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

/**
 * Asks for the commit as soon as the last request is issued, instead of after its success event has
 * come back: one round trip less (IndexedDB 3.0; without `commit` the transaction commits on its own).
 */
function commitNow(tx: object): void {
  try {
    (tx as { commit?: () => void }).commit?.();
  } catch {
    // not active any more: it commits on its own
  }
}

function abortQuietly(tx: { abort(): void }): void {
  try {
    tx.abort();
  } catch {
    // already finished or aborted
  }
}

export { DB_NAME };
