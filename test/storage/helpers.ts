/** Drives an engine whose checkpoint storage is asynchronous (IndexedDB), as the worker does. */
import type { MiniCluster } from '../../src/engine/index';
import type { IndexedDbCheckpointStorage } from '../../src/storage/index';

/** Steps until `until` (virtual ms), awaiting every storage write before the next event: the worker's loop. */
export async function runWithStorage(
  cluster: MiniCluster,
  storage: IndexedDbCheckpointStorage,
  until: number,
) {
  while (cluster.nextEventTime() <= until) {
    cluster.step();
    if (storage.pendingWrites > 0) await storage.flush();
  }
}

let dbCounter = 0;
/** A database name no other test uses (fake-indexeddb keeps databases for the whole file). */
export function freshDbName(): string {
  return `test-db-${process.pid}-${dbCounter++}`;
}
