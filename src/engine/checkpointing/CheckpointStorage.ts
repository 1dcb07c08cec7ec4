/**
 * Where completed checkpoints are kept. The engine only ever talks to this interface; the browser
 * build plugs in IndexedDB behind it.
 *
 * - JobManagerCheckpointStorage: in the coordinator's memory (Flink's default, the seed's
 *   MemoryStateBackend). Lost with the engine.
 * - DurableCheckpointStorage: a stand-in for a file system or IndexedDB: an object that lives outside
 *   the engine instance, so an engine crash does not lose it. The command line's default.
 *
 * Retention as Flink: keep the latest `retained` completed checkpoints (default 1).
 */
import type { CompletedCheckpoint } from './CompletedCheckpoint';
import { SharedStateRegistry } from './SharedStateRegistry';
import {
  resolveIncrementalHandle,
  type IncrementalKeyedStateHandle,
  type ResolvedIncrementalKeyedStateHandle,
} from '../state/rocksdb/types';

export interface CheckpointStorage {
  /** True if checkpoints survive the engine instance (crash survival). */
  readonly durable: boolean;
  readonly name: string;
  /**
   * Atomically adds a completed checkpoint, then calls `done` (with the error if the write failed, in
   * which case the storage keeps exactly what it had). In-memory storages call `done` at once; a
   * persistent one (IndexedDB) calls it when the write is durable.
   */
  store(checkpoint: CompletedCheckpoint, done: (error: Error | null) => void): void;
  latest(jobName: string): CompletedCheckpoint | null;
  list(jobName: string): CompletedCheckpoint[];
  /** Savepoints are the user's: kept until deleted. Returns false if there is no such savepoint. */
  deleteSavepoint?(jobName: string, savepointId: number): boolean | Promise<void>;
  /** Incremental keyed state: the files its handle references, from the shared state. */
  resolveIncremental?(handle: IncrementalKeyedStateHandle): ResolvedIncrementalKeyedStateHandle;
}

/** Resolves an incremental handle with the storage's shared files (or the files the handle carries). */
export function resolveIncrementalState(
  storage: CheckpointStorage,
  handle: IncrementalKeyedStateHandle,
): ResolvedIncrementalKeyedStateHandle {
  return storage.resolveIncremental
    ? storage.resolveIncremental(handle)
    : resolveIncrementalHandle(handle, () => undefined);
}

export class InMemoryCheckpointStorage implements CheckpointStorage {
  private readonly byJob = new Map<string, CompletedCheckpoint[]>();
  /** Set to make the next writes fail, e.g. to teach what a storage fault does. */
  failWrites: string | null = null;
  /** Shared SST files of incremental checkpoints, reference-counted across retained checkpoints. */
  readonly sharedState = new SharedStateRegistry();

  constructor(
    readonly name: string,
    readonly durable: boolean,
    readonly retained = 1,
  ) {}

  store(checkpoint: CompletedCheckpoint, done: (error: Error | null) => void): void {
    if (this.failWrites) {
      done(new Error(this.failWrites));
      return;
    }
    // structuredClone: what is stored must not share objects with the running job.
    const copy = structuredClone(checkpoint);
    // Incremental state: new files go to the shared registry; the stored handle keeps references only.
    try {
      for (const task of copy.tasks) {
        const ks = task.keyedState;
        if (ks && 'kind' in ks && ks.kind === 'incremental') {
          this.sharedState.registerCheckpoint(
            copy.checkpointId,
            ks.files.map((f) => f.id),
            ks.newFiles,
          );
          task.keyedState = { ...ks, newFiles: [] };
        }
      }
    } catch (e) {
      // Keep exactly what was there: drop this checkpoint's references again, report the failure.
      this.sharedState.releaseCheckpoint(copy.checkpointId);
      done(e as Error);
      return;
    }
    const list = this.byJob.get(checkpoint.jobName) ?? [];
    list.push(copy);
    list.sort((a, b) => a.checkpointId - b.checkpointId);
    const checkpoints = list.filter((c) => c.kind === 'checkpoint');
    const subsumed = new Set(checkpoints.slice(0, Math.max(0, checkpoints.length - this.retained)));
    for (const c of subsumed) this.sharedState.releaseCheckpoint(c.checkpointId);
    this.byJob.set(
      checkpoint.jobName,
      list.filter((c) => !subsumed.has(c)),
    );
    done(null);
  }

  latest(jobName: string): CompletedCheckpoint | null {
    const list = (this.byJob.get(jobName) ?? []).filter((c) => c.kind === 'checkpoint');
    return list.length > 0 ? list[list.length - 1] : null;
  }

  list(jobName: string): CompletedCheckpoint[] {
    return [...(this.byJob.get(jobName) ?? [])];
  }

  resolveIncremental(handle: IncrementalKeyedStateHandle): ResolvedIncrementalKeyedStateHandle {
    return this.sharedState.resolve(handle);
  }

  deleteSavepoint(jobName: string, savepointId: number): boolean {
    const list = this.byJob.get(jobName) ?? [];
    const i = list.findIndex((c) => c.kind === 'savepoint' && c.checkpointId === savepointId);
    if (i < 0) return false;
    list.splice(i, 1);
    return true;
  }
}

export class JobManagerCheckpointStorage extends InMemoryCheckpointStorage {
  constructor(retained = 1) {
    super('JobManagerCheckpointStorage', false, retained);
  }
}

export class DurableCheckpointStorage extends InMemoryCheckpointStorage {
  constructor(retained = 1) {
    super('FileSystemCheckpointStorage', true, retained);
  }
}
