/**
 * Flink's `TtlIncrementalCleanup` for the heap backend: a lazy, wrapping iterator over all entries
 * (keys) of one state. Every trigger (an access of the state; with `runCleanupForEveryRecord` also
 * every record) advances it by `cleanupSize` entries and removes the expired values it passes (for
 * list state the expired elements, for map state the expired entries).
 */
import type { Key } from '../../keygroups/hashCode';
import type { StateType } from '../StateDescriptor';
import { unexpiredOrNull } from './TtlValue';

/** The part of a heap state table the cleanup needs. */
export interface CleanableTable {
  readonly name: string;
  readonly type: StateType;
  /** One map per key group of the backend's range (`undefined` = never written). */
  readonly groups: ReadonlyArray<Map<Key, unknown> | undefined>;
}

export class TtlIncrementalCleanup {
  private groupIndex = 0;
  private map: Map<Key, unknown> | null = null;
  private iterator: Iterator<[Key, unknown]> | null = null;

  constructor(
    private readonly table: CleanableTable,
    readonly cleanupSize: number,
    private readonly ttl: number,
    private readonly now: () => number,
    /** Called for every key whose value the cleanup removed (`null`) or shrank (the new stored value). */
    private readonly onCleaned: (key: Key, stored: unknown) => void,
  ) {}

  /** Forget the iterator position (after a restore replaced the table's maps). */
  reset(): void {
    this.groupIndex = 0;
    this.map = null;
    this.iterator = null;
  }

  /** Flink's `stateAccessed()`: check the next `cleanupSize` entries. */
  stateAccessed(): void {
    const groups = this.table.groups;
    const n = groups.length;
    if (n === 0) return;
    const now = this.now();
    let checked = 0;
    while (checked < this.cleanupSize) {
      if (this.iterator === null) {
        let found = false;
        for (let tries = 0; tries < n; tries++) {
          const m = groups[this.groupIndex];
          if (m !== undefined && m.size > 0) {
            this.map = m;
            this.iterator = m.entries();
            found = true;
            break;
          }
          this.groupIndex = (this.groupIndex + 1) % n;
        }
        if (!found) return; // the state is empty
      }
      const step = (this.iterator as Iterator<[Key, unknown]>).next();
      if (step.done === true) {
        this.iterator = null;
        this.map = null;
        this.groupIndex = (this.groupIndex + 1) % n;
        continue;
      }
      checked++;
      const [key, stored] = step.value;
      const cleaned = unexpiredOrNull(this.table.type, stored, this.ttl, now);
      if (cleaned === stored) continue;
      const m = this.map as Map<Key, unknown>;
      if (cleaned === null) m.delete(key);
      else m.set(key, cleaned);
      this.onCleaned(key, cleaned);
    }
  }
}
