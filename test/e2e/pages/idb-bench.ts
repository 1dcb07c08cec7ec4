/**
 * Runs in headless Chromium for bench/indexeddb.ts: a full checkpoint of N keys written to IndexedDB by
 * the real IndexedDbCheckpointStorage, against one raw put of the same number of bytes; a restore of N
 * keys (database → mirror → keyed state backends); and incremental checkpoints over shared files.
 */
import {
  assignToKeyGroup,
  computeKeyGroupRangeForOperatorIndex,
  HeapKeyedStateBackend,
  type CompletedCheckpoint,
  type KeyGroupSnapshot,
  type TaskStateSnapshot,
} from '../../../src/engine/index';
import { IndexedDbCheckpointStorage, encodeTask } from '../../../src/storage/index';

const MAX_P = 128;
const PARALLELISM = 4;

/** A checkpoint of `keys` keys in one value state, spread over 4 subtasks by their key groups (as visits). */
function checkpointOf(keys: number, id: number, sharedFiles: string[] = []): CompletedCheckpoint {
  const groups = new Map<number, Array<[string, number]>>();
  for (let i = 0; i < keys; i++) {
    const key = `user-${i}`;
    const kg = assignToKeyGroup(key, MAX_P);
    let g = groups.get(kg);
    if (!g) groups.set(kg, (g = []));
    g.push([key, i]);
  }
  const tasks: TaskStateSnapshot[] = [];
  let bytes = 0;
  for (let s = 0; s < PARALLELISM; s++) {
    const range = computeKeyGroupRangeForOperatorIndex(MAX_P, PARALLELISM, s);
    const keyGroups: KeyGroupSnapshot[] = [];
    for (let kg = range.startKeyGroup; kg <= range.endKeyGroup; kg++) {
      const entries = groups.get(kg);
      if (entries)
        keyGroups.push({
          keyGroup: kg,
          states: { count: { type: 'value', entries: entries.sort((a, b) => (a[0] < b[0] ? -1 : 1)) } },
        });
    }
    const keyedState = {
      maxParallelism: MAX_P,
      keyGroupRange: { start: range.startKeyGroup, end: range.endKeyGroup },
      keyGroups,
    };
    if (s === 0 && sharedFiles.length > 0)
      (keyedState as unknown as { sharedFiles: string[] }).sharedFiles = sharedFiles;
    const stateBytes = JSON.stringify(keyedState).length;
    bytes += stateBytes;
    tasks.push({
      taskId: `count#${s}`,
      operatorUid: 'count',
      operatorName: 'count',
      subtaskIndex: s,
      parallelism: PARALLELISM,
      maxParallelism: MAX_P,
      keyedState,
      operatorState: null,
      timers: [],
      inputChannelState: [],
      outputChannelState: [],
      stateBytes,
      channelStateBytes: 0,
    });
  }
  return {
    jobName: 'Bench',
    checkpointId: id,
    kind: 'checkpoint',
    mode: 'exactly-once',
    triggerTime: id * 1000,
    completionTime: id * 1000 + 10,
    tasks,
    stats: {
      id,
      status: 'COMPLETED',
      mode: 'exactly-once',
      triggerTime: id * 1000,
      latestAckTime: id * 1000 + 10,
      endToEndMs: 10,
      numAcknowledged: PARALLELISM,
      numTasks: PARALLELISM,
      checkpointedBytes: bytes,
      fullBytes: bytes,
      persistedInFlightBytes: 0,
      failureReason: null,
      subtasks: [],
    },
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function deleteDb(name: string): Promise<void> {
  await new Promise<void>((resolve) => {
    const req = indexedDB.deleteDatabase(name);
    req.onsuccess = req.onerror = req.onblocked = () => resolve();
  });
}

async function rawPutMs(value: unknown, repeats: number): Promise<number> {
  await deleteDb('bench-raw');
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open('bench-raw', 1);
    req.onupgradeneeded = () => req.result.createObjectStore('raw');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const times: number[] = [];
  for (let r = 0; r < repeats + 1; r++) {
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction('raw', 'readwrite');
      tx.objectStore('raw').put(value, `v${r}`);
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    if (r > 0) times.push(performance.now() - t0); // the first is a warm-up
  }
  db.close();
  return median(times);
}

async function store(storage: IndexedDbCheckpointStorage, cp: CompletedCheckpoint): Promise<number> {
  const t0 = performance.now();
  const error = await new Promise<Error | null>((resolve) => storage.store(cp, resolve));
  if (error) throw error;
  return performance.now() - t0;
}

export async function runBench(keys = 100_000, repeats = 5): Promise<Record<string, number | string>> {
  const dbName = 'bench-checkpoints';
  await deleteDb(dbName);
  const marks: Array<[string, number]> = [];
  const storage = await IndexedDbCheckpointStorage.open({
    dbName,
    onWrite: (e) => marks.push([e.phase, performance.now()]),
  });
  const checkpoints = Array.from({ length: repeats + 1 }, (_, i) => checkpointOf(keys, i + 1));
  const bytes = checkpoints[0].stats.fullBytes;

  // Full checkpoints: encode + chunk transaction + completion transaction (with retention deleting the previous one).
  const full: number[] = [];
  for (const [i, cp] of checkpoints.entries()) {
    const ms = await store(storage, cp);
    if (i > 0) full.push(ms);
  }
  const raw = await rawPutMs(new Uint8Array(bytes), repeats);
  const rawValue = await rawPutMs(
    checkpoints[0].tasks.map((t) => t.keyedState),
    repeats,
  );
  storage.close();

  // Restore: open the database (cleanup + read + decode the latest checkpoint), then the engine's restore into 4 backends.
  const load: number[] = [];
  const restore: number[] = [];
  let restoredKeys = 0;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const reopened = await IndexedDbCheckpointStorage.open({ dbName });
    const cp = reopened.latest('Bench');
    const t1 = performance.now();
    if (!cp) throw new Error('nothing to restore');
    restoredKeys = 0;
    for (let s = 0; s < PARALLELISM; s++) {
      const range = computeKeyGroupRangeForOperatorIndex(MAX_P, PARALLELISM, s);
      const backend = new HeapKeyedStateBackend(MAX_P, range);
      backend.restore(
        cp.tasks.flatMap((t) => (t.keyedState && 'keyGroups' in t.keyedState ? [t.keyedState] : [])),
      );
      restoredKeys += backend.numKeys();
    }
    const t2 = performance.now();
    load.push(t1 - t0);
    restore.push(t2 - t1);
    reopened.close();
  }
  if (restoredKeys !== keys) throw new Error(`restored ${restoredKeys} keys, expected ${keys}`);

  // Incremental (fake SST files): each checkpoint uploads one new shared file of 10% of the bytes and
  // references the last 10 files; its own chunks are small (10% of the keys).
  await deleteDb('bench-incremental');
  const inc = await IndexedDbCheckpointStorage.open({ dbName: 'bench-incremental' });
  const incremental: number[] = [];
  const fileBytes = new Uint8Array(Math.round(bytes / 10));
  const names: string[] = [];
  for (let i = 0; i < 10 + repeats; i++) {
    const name = `sst-${i}.sst`;
    const t0 = performance.now();
    await inc.putSharedFile('Bench', name, fileBytes);
    names.push(name);
    await store(inc, checkpointOf(keys / 10, 100 + i, names.slice(-10)));
    if (i >= 10) incremental.push(performance.now() - t0);
  }
  inc.close();

  const fullMs = median(full);
  const phase = (a: string, b: string) => {
    const d: number[] = [];
    for (let i = 0; i < marks.length; i++) {
      if (marks[i][0] !== a) continue;
      const j = marks.findIndex((m, k) => k > i && m[0] === b);
      if (j > 0) d.push(marks[j][1] - marks[i][1]);
    }
    return median(d);
  };
  const enc: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    checkpoints[0].tasks.map(encodeTask);
    enc.push(performance.now() - t0);
  }
  const rawEncoded = await rawPutMs(checkpoints[0].tasks.map(encodeTask), repeats);
  return {
    keys,
    bytes,
    fullCheckpointMs: round(fullMs),
    encodeMs: round(median(enc)),
    chunkTransactionMs: round(phase('writing-chunks', 'chunks-written')),
    completionTransactionMs: round(phase('chunks-written', 'completed')),
    rawPutSameBytesMs: round(raw),
    fullVsRawBytes: round(fullMs / raw),
    rawPutEncodedValueMs: round(rawEncoded),
    fullVsRawEncodedValue: round(fullMs / rawEncoded),
    rawPutEngineSnapshotMs: round(rawValue),
    restoreReadMs: round(median(load)),
    restoreIntoBackendsMs: round(median(restore)),
    restoreTotalMs: round(median(load) + median(restore)),
    incrementalCheckpointMs: round(median(incremental)),
    incrementalVsFull: round(median(incremental) / fullMs),
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

(window as unknown as { bench: { run: typeof runBench } }).bench = { run: runBench };
document.body.dataset.ready = 'true';
