/**
 * Incremental checkpoints of the RocksDB-like backend (Flink's `RocksIncrementalSnapshotStrategy`):
 * the memtable is flushed, every live SST file is listed and only those not uploaded before are
 * sent; older ones are shared by reference (see `SharedStateRegistry`). Also tracks which files
 * count as uploaded: those of the last completed (or restored) checkpoint.
 */
import type { KeyGroupRange } from '../../keygroups/KeyGroupRange';
import type { StateType } from '../StateDescriptor';
import type { ValueTypes } from '../StateSerializerCompatibility';
import type { Lsm } from './Lsm';
import type { StateMeta } from './RocksDBStorage';
import type { IncrementalKeyedStateHandle } from './types';

export class RocksIncrementalSnapshotStrategy {
  /** Files of the last completed checkpoint (`notifyCheckpointComplete`), or restored as is. */
  private confirmed: ReadonlySet<string> = new Set();
  private readonly pendingUploads = new Map<number, string[]>();

  constructor(
    private readonly lsm: Lsm,
    private readonly maxParallelism: number,
    private readonly keyGroupRange: KeyGroupRange,
  ) {}

  /**
   * Flushes the memtable, then lists every live SST file and includes the contents of those not in
   * `previouslyUploaded`. `valueTypes` is called after the flush.
   */
  snapshot(
    checkpointId: number,
    previouslyUploaded: ReadonlySet<string>,
    states: ReadonlyMap<string, StateMeta>,
    valueTypes: () => ValueTypes,
  ): IncrementalKeyedStateHandle {
    this.lsm.flush();
    const all = this.lsm.files();
    const stateTypes: Record<string, StateType> = {};
    const ttlStates: string[] = [];
    for (const name of Array.from(states.keys()).sort()) {
      const meta = states.get(name) as StateMeta;
      stateTypes[name] = meta.type;
      if (meta.ttl) ttlStates.push(name);
    }
    this.pendingUploads.set(
      checkpointId,
      all.map((f) => f.id),
    );
    return {
      kind: 'incremental',
      checkpointId,
      maxParallelism: this.maxParallelism,
      keyGroupRange: { start: this.keyGroupRange.startKeyGroup, end: this.keyGroupRange.endKeyGroup },
      files: all.map((f) => ({
        id: f.id,
        level: f.level,
        keyGroupRange: { ...f.keyGroupRange },
        bytes: f.bytes,
      })),
      newFiles: all.filter((f) => !previouslyUploaded.has(f.id)),
      stateTypes,
      ttlStates,
      valueTypes: valueTypes(),
    };
  }

  /** The checkpoint completed: its files count as uploaded for the next incremental checkpoint. */
  notifyCheckpointComplete(checkpointId: number): void {
    const ids = this.pendingUploads.get(checkpointId);
    if (ids === undefined) return;
    this.confirmed = new Set(ids);
    for (const id of Array.from(this.pendingUploads.keys()))
      if (id <= checkpointId) this.pendingUploads.delete(id);
  }

  notifyCheckpointAborted(checkpointId: number): void {
    this.pendingUploads.delete(checkpointId);
  }

  /** Files known to be in checkpoint storage: those of the last completed (or restored) checkpoint. */
  getConfirmedFiles(): ReadonlySet<string> {
    return this.confirmed;
  }

  /** On restore: nothing pending; `confirmedIds` (files taken over as they are) count as uploaded. */
  reset(confirmedIds: readonly string[] = []): void {
    this.confirmed = new Set(confirmedIds);
    this.pendingUploads.clear();
  }
}
