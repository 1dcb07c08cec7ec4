/**
 * The data the RocksDB backend's files and incremental checkpoints are made of. Everything here is
 * plain, JSON-compatible data (structured-clone safe): checkpoint storages may copy it.
 *
 * An incremental checkpoint of one subtask (Flink's `IncrementalRemoteKeyedStateHandle`) lists every
 * live SST file (shared files: referenced, not copied) and carries the contents of the files that were
 * not uploaded by an earlier checkpoint. The `SharedStateRegistry` keeps the uploaded files with
 * reference counts; a handle is restored after `resolveIncrementalHandle` replaced its file references
 * by the files themselves.
 */
import type { TypeInfoJson } from '../../api/typeinfo/TypeInformation';
import type { Key } from '../../keygroups/hashCode';
import type { StateType } from '../StateDescriptor';

export type SstOp = 'put' | 'delete' | 'merge';

/** One key-value entry of an SST file (or of the memtable). */
export interface SstEntry {
  /** Key group: the first part of every RocksDB key in Flink, so key groups are contiguous. */
  kg: number;
  /** The state name (Flink: one column family per state). */
  state: string;
  key: Key;
  /** The namespace (Flink writes it after the key); absent: VoidNamespace. Window state: the window. */
  ns?: string;
  /** Map state: the user key (one RocksDB entry per map entry). Absent for the other state types. */
  uk?: string | number;
  /** put; delete (a tombstone); merge (list state: elements appended without reading, an operand). */
  op: SstOp;
  /** The serialized value (JSON); absent for deletes. List values and merge operands are JSON arrays. */
  value?: string;
}

export interface KeyGroupRangeJson {
  start: number;
  end: number;
}

/** An immutable sorted file: entries ordered by (key group, state, key, user key), one per key. */
export interface SstFile {
  /** Unique: `<ownerId>-<number>.sst`. */
  id: string;
  /** 0 = flushed memtable; compactions write level + 1 (see `RocksDBKeyedStateBackend`). */
  level: number;
  /** The smallest and largest key group in the file. */
  keyGroupRange: KeyGroupRangeJson;
  entries: SstEntry[];
  /** Modelled size: see `sstEntryBytes`. */
  bytes: number;
}

/** A file as an incremental handle references it. */
export interface SstFileRef {
  id: string;
  level: number;
  keyGroupRange: KeyGroupRangeJson;
  bytes: number;
}

/** An incremental snapshot of one backend, as the task acknowledges it. */
export interface IncrementalKeyedStateHandle {
  kind: 'incremental';
  checkpointId: number;
  maxParallelism: number;
  /** The backend's key-group range. */
  keyGroupRange: KeyGroupRangeJson;
  /** Every live SST file, in read order (newest first). */
  files: SstFileRef[];
  /** Full contents of the files in `files` that were not in `previouslyUploaded`. */
  newFiles: SstFile[];
  /** Every registered or restored state with its type (also those without data). */
  stateTypes: Record<string, StateType>;
  /** Names of the states whose values are `TtlValue`s. */
  ttlStates: string[];
  /** The type of each state's values (Flink's serializer snapshots); absent in older handles. */
  valueTypes?: Record<string, TypeInfoJson>;
}

/** An incremental handle whose files are supplied: what `restore` accepts. */
export interface ResolvedIncrementalKeyedStateHandle {
  kind: 'incremental-resolved';
  maxParallelism: number;
  keyGroupRange: KeyGroupRangeJson;
  /** Every file's contents, in read order (newest first), as in the handle's `files`. */
  files: SstFile[];
  stateTypes: Record<string, StateType>;
  ttlStates: string[];
  valueTypes?: Record<string, TypeInfoJson>;
}

/**
 * Modelled size of an entry: the key (2 bytes of key group, the key and the user key as serialized),
 * the value, and RocksDB's 8-byte internal key footer (sequence number and type). The state name is
 * not counted: in Flink it is the column family, not part of the key.
 */
export function sstEntryBytes(
  keyJson: string,
  ukJson: string | undefined,
  value: string | undefined,
): number {
  return (
    10 +
    keyJson.length +
    (ukJson === undefined ? 0 : ukJson.length) +
    (value === undefined ? 0 : value.length)
  );
}

/** "Checkpointed data size" (the new files) and "full checkpoint data size" (all files) of a handle. */
export function incrementalHandleSizes(handle: IncrementalKeyedStateHandle): {
  checkpointedBytes: number;
  fullBytes: number;
} {
  let checkpointedBytes = 0;
  for (const f of handle.newFiles) checkpointedBytes += f.bytes;
  let fullBytes = 0;
  for (const f of handle.files) fullBytes += f.bytes;
  return { checkpointedBytes, fullBytes };
}

/** Replaces a handle's file references by the files, looked up with `getFile` (its own new files first). */
export function resolveIncrementalHandle(
  handle: IncrementalKeyedStateHandle,
  getFile: (id: string) => SstFile | undefined,
): ResolvedIncrementalKeyedStateHandle {
  const own = new Map(handle.newFiles.map((f) => [f.id, f]));
  const files = handle.files.map((ref) => {
    const f = own.get(ref.id) ?? getFile(ref.id);
    if (f === undefined) {
      throw new Error(
        `Cannot restore incremental checkpoint ${handle.checkpointId}: shared file ${ref.id} is missing ` +
          `(it was deleted while still referenced).`,
      );
    }
    return f;
  });
  return {
    kind: 'incremental-resolved',
    maxParallelism: handle.maxParallelism,
    keyGroupRange: { ...handle.keyGroupRange },
    files,
    stateTypes: { ...handle.stateTypes },
    ttlStates: handle.ttlStates.slice(),
    ...(handle.valueTypes ? { valueTypes: structuredClone(handle.valueTypes) } : {}),
  };
}

export function isIncrementalHandle(x: unknown): x is IncrementalKeyedStateHandle {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'incremental';
}

export function isResolvedIncrementalHandle(x: unknown): x is ResolvedIncrementalKeyedStateHandle {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'incremental-resolved';
}
