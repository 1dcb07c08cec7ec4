/**
 * Flink's `SharedStateRegistry`: the files of incremental checkpoints (RocksDB SST files) are shared
 * between checkpoints; the registry keeps each file once, with the set of retained checkpoints that
 * reference it, and deletes a file when the last checkpoint referencing it is released (subsumed or
 * discarded). A checkpoint therefore stays restorable after older checkpoints it shares files with
 * were deleted.
 *
 * Usage (per completed checkpoint, for every subtask's `IncrementalKeyedStateHandle`):
 * `registerCheckpoint(id, handle.files.map(f => f.id), handle.newFiles)`; when the storage drops a
 * checkpoint: `releaseCheckpoint(id)`; to restore: `resolve(handle)`.
 */
import {
  resolveIncrementalHandle,
  type IncrementalKeyedStateHandle,
  type ResolvedIncrementalKeyedStateHandle,
  type SstFile,
} from '../state/rocksdb/types';

interface Registered {
  file: SstFile;
  /** Checkpoints that reference the file. */
  refs: Set<number>;
}

export class SharedStateRegistry {
  private readonly files = new Map<string, Registered>();
  private readonly checkpoints = new Map<number, Set<string>>();
  private bytes = 0;

  /**
   * Adds the references of a checkpoint to `fileIds` and stores the `newFiles` not known yet. May be
   * called several times for one checkpoint (once per subtask). Throws, changing nothing, if a
   * referenced file is neither registered nor among `newFiles`, or if a new file reuses the id of a
   * different registered file.
   */
  registerCheckpoint(
    checkpointId: number,
    fileIds: ReadonlyArray<string>,
    newFiles: ReadonlyArray<SstFile>,
  ): void {
    const incoming = new Map<string, SstFile>();
    for (const f of newFiles) {
      const known = this.files.get(f.id)?.file ?? incoming.get(f.id);
      if (known !== undefined && !sameFile(known, f)) {
        throw new Error(`Shared file id collision: ${f.id} is already registered with different contents.`);
      }
      incoming.set(f.id, f);
    }
    for (const id of fileIds) {
      if (!this.files.has(id) && !incoming.has(id)) {
        throw new Error(
          `Checkpoint ${checkpointId} references shared file ${id}, which is neither registered nor uploaded ` +
            `with it.`,
        );
      }
    }
    for (const [id, file] of incoming) {
      if (!this.files.has(id)) {
        this.files.set(id, { file, refs: new Set() });
        this.bytes += file.bytes;
      }
    }
    let ids = this.checkpoints.get(checkpointId);
    if (ids === undefined) {
      ids = new Set();
      this.checkpoints.set(checkpointId, ids);
    }
    for (const id of fileIds) {
      ids.add(id);
      (this.files.get(id) as Registered).refs.add(checkpointId);
    }
    // New files no checkpoint references (not expected) are not kept.
    for (const id of incoming.keys()) {
      const r = this.files.get(id) as Registered;
      if (r.refs.size === 0) this.deleteFile(id);
    }
  }

  /**
   * Drops a checkpoint's references; returns the ids of the files no retained checkpoint references
   * any more (sorted), which are deleted.
   */
  releaseCheckpoint(checkpointId: number): string[] {
    const ids = this.checkpoints.get(checkpointId);
    if (ids === undefined) return [];
    this.checkpoints.delete(checkpointId);
    const deleted: string[] = [];
    for (const id of ids) {
      const r = this.files.get(id);
      if (r === undefined) continue;
      r.refs.delete(checkpointId);
      if (r.refs.size === 0) {
        this.deleteFile(id);
        deleted.push(id);
      }
    }
    return deleted.sort();
  }

  private deleteFile(id: string): void {
    const r = this.files.get(id);
    if (r === undefined) return;
    this.bytes -= r.file.bytes;
    this.files.delete(id);
  }

  getFile(id: string): SstFile | undefined {
    return this.files.get(id)?.file;
  }

  has(id: string): boolean {
    return this.files.has(id);
  }

  /** Bytes of all stored files. */
  totalBytes(): number {
    return this.bytes;
  }

  /** Number of retained checkpoints referencing the file (0 if unknown). */
  refCount(id: string): number {
    return this.files.get(id)?.refs.size ?? 0;
  }

  /** Ids of all stored files, sorted. */
  fileIds(): string[] {
    return Array.from(this.files.keys()).sort();
  }

  /** Ids of the registered (not released) checkpoints, ascending. */
  checkpointIds(): number[] {
    return Array.from(this.checkpoints.keys()).sort((a, b) => a - b);
  }

  /** The handle with its file references replaced by the files (throws if one is missing). */
  resolve(handle: IncrementalKeyedStateHandle): ResolvedIncrementalKeyedStateHandle {
    return resolveIncrementalHandle(handle, (id) => this.getFile(id));
  }
}

function sameFile(a: SstFile, b: SstFile): boolean {
  return (
    a === b ||
    (a.bytes === b.bytes &&
      a.level === b.level &&
      a.entries.length === b.entries.length &&
      a.keyGroupRange.start === b.keyGroupRange.start &&
      a.keyGroupRange.end === b.keyGroupRange.end)
  );
}
