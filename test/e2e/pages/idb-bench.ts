/**
 * Runs in headless Chromium for bench/indexeddb.ts:
 *
 * - a full checkpoint of N keys written to IndexedDB by the real IndexedDbCheckpointStorage (encode,
 *   chunk transaction, completion transaction with retention), against ONE raw put of an ArrayBuffer
 *   holding exactly the bytes the checkpoint writes (its chunks' packed bodies, concatenated);
 * - a restore of N keys (database → decoded mirror → keyed state backends);
 * - incremental checkpoints of the RocksDB-like backend (N keys, 10% of them changed between
 *   checkpoints): SST files written once as shared files, then referenced.
 */
import {
  assignToKeyGroup,
  computeKeyGroupRangeForOperatorIndex,
  HeapKeyedStateBackend,
  RocksDBKeyedStateBackend,
  ValueStateDescriptor,
  type CompletedCheckpoint,
  type KeyGroupSnapshot,
  type TaskStateSnapshot,
  type ValueState,
} from '../../../src/engine/index';
import {
  EncodeCache,
  IndexedDbCheckpointStorage,
  encodeTask,
  type StorageWriteEvent,
} from '../../../src/storage/index';

const MAX_P = 128;
const PARALLELISM = 4;
/**
 * Untimed runs before each measurement: the storage's encoder is JavaScript, which the engine compiles
 * to optimized code only after a few runs (a worker checkpointing every few seconds is long past that);
 * the raw put is native code either way.
 */
const WARM_UP = 3;
/**
 * Idle time before each timed write (checkpoint or raw put alike), as between checkpoints (intervals
 * are seconds; Chromium finishes the previous write's background work — deleting the subsumed
 * checkpoint's values, compaction — in the meantime). The back-to-back figures leave it out.
 */
const GAP_MS = 100;

function task(s: number, keyedState: TaskStateSnapshot['keyedState'], stateBytes: number): TaskStateSnapshot {
  return {
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
  };
}

function checkpoint(id: number, tasks: TaskStateSnapshot[]): CompletedCheckpoint {
  const bytes = tasks.reduce((n, t) => n + t.stateBytes, 0);
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

/** The keys of each key group, sorted, built once: a backend's keys are the same strings from one snapshot to the next. */
const keysByGroup = new Map<number, Map<number, string[]>>();
function groupedKeys(keys: number): Map<number, string[]> {
  let groups = keysByGroup.get(keys);
  if (!groups) {
    groups = new Map();
    for (let i = 0; i < keys; i++) {
      const key = `user-${i}`;
      const kg = assignToKeyGroup(key, MAX_P);
      let g = groups.get(kg);
      if (!g) groups.set(kg, (g = []));
      g.push(key);
    }
    for (const g of groups.values()) g.sort();
    keysByGroup.set(keys, groups);
  }
  return groups;
}

/**
 * A full checkpoint of `keys` keys in one value state, spread over 4 subtasks by their key groups (as
 * visits), as the engine snapshots it: fresh entry arrays every time, the same key strings, and in
 * `round` r a tenth of the keys (every key whose number ends in r mod 10) holding a new count.
 */
function checkpointOf(keys: number, id: number, round = 0): CompletedCheckpoint {
  const groups = groupedKeys(keys);
  const tasks: TaskStateSnapshot[] = [];
  for (let s = 0; s < PARALLELISM; s++) {
    const range = computeKeyGroupRangeForOperatorIndex(MAX_P, PARALLELISM, s);
    const keyGroups: KeyGroupSnapshot[] = [];
    for (let kg = range.startKeyGroup; kg <= range.endKeyGroup; kg++) {
      const ks = groups.get(kg);
      if (!ks) continue;
      const entries = ks.map((key): [string, number] => {
        const n = Number(key.slice(5));
        return [key, n + 1000 * Math.floor((round + 10 - (n % 10)) / 10)];
      });
      keyGroups.push({ keyGroup: kg, states: { count: { type: 'value', entries } } });
    }
    const keyedState = {
      maxParallelism: MAX_P,
      keyGroupRange: { start: range.startKeyGroup, end: range.endKeyGroup },
      keyGroups,
    };
    tasks.push(task(s, keyedState, JSON.stringify(keyedState).length));
  }
  return checkpoint(id, tasks);
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

/** Median time of one readwrite transaction putting `values` (each under a new key), after a warm-up. */
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A database with one out-of-line-keyed store for raw puts. */
async function openRawDb(name: string): Promise<IDBDatabase> {
  await deleteDb(name);
  return new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(name, 1);
    req.onupgradeneeded = () => req.result.createObjectStore('raw');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

let rawKey = 0;
/** One readwrite transaction putting `values` (each under a new key), timed until it completes. */
async function rawPut(db: IDBDatabase, values: unknown[]): Promise<number> {
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const tx = db.transaction('raw', 'readwrite');
    for (const v of values) tx.objectStore('raw').put(v, `v${rawKey++}`);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
  return performance.now() - t0;
}

/** Median time of `rawPut` after warm-up, with `gapMs` of idle time before each. */
async function rawPutMs(values: unknown[], repeats: number, gapMs = GAP_MS): Promise<number> {
  const db = await openRawDb('bench-raw-other');
  const times: number[] = [];
  for (let r = 0; r < repeats + WARM_UP; r++) {
    if (gapMs > 0) await sleep(gapMs);
    const ms = await rawPut(db, values);
    if (r >= WARM_UP) times.push(ms);
  }
  db.close();
  return median(times);
}

/**
 * One checkpoint, `store` → `done` (durable and COMPLETED), timed on an idle storage: the previous
 * write's cleanup (deleting the chunks of the checkpoint it subsumed, after its `done`) is awaited
 * first and timed on its own (`lastCleanupMs`), as a checkpoint interval would give it time to finish.
 */
async function store(storage: IndexedDbCheckpointStorage, cp: CompletedCheckpoint): Promise<number> {
  const c0 = performance.now();
  await storage.flush();
  lastCleanupMs = performance.now() - c0;
  const t0 = performance.now();
  const error = await new Promise<Error | null>((resolve) => storage.store(cp, resolve));
  if (error) throw error;
  lastStoreStart = t0;
  return performance.now() - t0;
}
let lastStoreStart = 0;
let lastCleanupMs = 0;

/** The bytes a checkpoint's chunks carry, concatenated into one ArrayBuffer. */
function sameBytes(cp: CompletedCheckpoint): ArrayBuffer {
  const bodies = cp.tasks.map((t) => encodeTask(t).body);
  const out = new Uint8Array(bodies.reduce((n, b) => n + b.byteLength, 0));
  let at = 0;
  for (const b of bodies) {
    out.set(new Uint8Array(b), at);
    at += b.byteLength;
  }
  return out.buffer;
}

type Mark = { event: StorageWriteEvent; at: number };

/**
 * Per write, in order: store() call → 'writing-chunks' (start), → 'chunks-written' (encoding + transaction 1,
 * which overlap: each chunk is put as soon as it is encoded), → 'completed' (transaction 2). `starts`
 * holds the store() call times of the writes to measure: the last `starts.length` writes.
 */
function phases(starts: number[], marks: Mark[]) {
  const writes: Array<Partial<Record<StorageWriteEvent['phase'], number>>> = [];
  for (const m of marks) {
    if (m.event.phase === 'writing-chunks') writes.push({});
    writes[writes.length - 1][m.event.phase] = m.at;
  }
  const measured = writes.slice(writes.length - starts.length);
  const tx1: number[] = [];
  const tx2: number[] = [];
  const before: number[] = [];
  for (const [i, w] of measured.entries()) {
    if (w['writing-chunks'] === undefined || w['chunks-written'] === undefined || w.completed === undefined)
      throw new Error(`write ${i} has no complete set of phases`);
    before.push(w['writing-chunks'] - starts[i]);
    tx1.push(w['chunks-written'] - w['writing-chunks']);
    tx2.push(w.completed - w['chunks-written']);
  }
  return { before: median(before), tx1: median(tx1), tx2: median(tx2) };
}

/** 4 RocksDB-like backends holding `keys` keys; `round` rewrites 1/`every` of them. */
function rocksBackends(): RocksDBKeyedStateBackend[] {
  return Array.from({ length: PARALLELISM }, (_, s) =>
    RocksDBKeyedStateBackend.forSubtask(MAX_P, PARALLELISM, s, {
      ownerId: `count#${s}`,
      memtableEntries: 10_000,
    }),
  );
}

function writeRocks(backends: RocksDBKeyedStateBackend[], keys: number, round: number, every: number): void {
  const states = backends.map((b) =>
    b.getPartitionedState<ValueState<number>>(new ValueStateDescriptor<number>('count')),
  );
  for (let i = round % every; i < keys; i += every) {
    const key = `user-${i}`;
    const s = backends.findIndex((b) => b.keyGroupRange.contains(assignToKeyGroup(key, MAX_P)));
    backends[s].setCurrentKey(key);
    states[s].update(i + round);
  }
}

function incrementalCheckpoint(backends: RocksDBKeyedStateBackend[], id: number): CompletedCheckpoint {
  return checkpoint(
    id,
    backends.map((b, s) => {
      const h = b.snapshotIncremental(id, b.getConfirmedFiles());
      return task(
        s,
        h,
        h.newFiles.reduce((n, f) => n + f.bytes, 0),
      );
    }),
  );
}

export async function runBench(keys = 100_000, repeats = 5): Promise<Record<string, number | string>> {
  const dbName = 'bench-checkpoints';
  await deleteDb(dbName);
  const marks: Mark[] = [];
  const storage = await IndexedDbCheckpointStorage.open({
    dbName,
    onWrite: (event) => marks.push({ event, at: performance.now() }),
  });
  const first = checkpointOf(keys, 1);
  const jsonBytes = first.stats.fullBytes;

  // Full checkpoints (encode + chunk transaction + completion transaction, retention subsuming the
  // previous one), each followed by one raw put of the very bytes it wrote (its chunks' bodies, in one
  // ArrayBuffer): pairs measured moments apart, so a machine busy with something else slows both alike.
  const rawDb = await openRawDb('bench-raw');
  const full: number[] = [];
  const rawTimes: number[] = [];
  const pairRatios: number[] = [];
  const cleanups: number[] = [];
  const starts: number[] = [];
  let bytes = 0;
  let raw = new ArrayBuffer(0);
  for (let i = 0; i < repeats + WARM_UP; i++) {
    const cp = i === 0 ? first : checkpointOf(keys, i + 1, i);
    raw = sameBytes(cp);
    await sleep(GAP_MS);
    const ms = await store(storage, cp);
    const cleanupMs = lastCleanupMs;
    const start = lastStoreStart;
    const written = [...marks].reverse().find((m) => m.event.phase === 'chunks-written')?.event as {
      bytes?: number;
    };
    bytes = written.bytes ?? 0;
    if (raw.byteLength !== bytes)
      throw new Error(`the raw value has ${raw.byteLength} bytes, the checkpoint wrote ${bytes}`);
    await sleep(GAP_MS);
    const rawMs = await rawPut(rawDb, [raw]);
    if (i >= WARM_UP) {
      full.push(ms);
      rawTimes.push(rawMs);
      pairRatios.push(ms / rawMs);
      cleanups.push(cleanupMs);
      starts.push(start);
    }
  }
  const fullPhases = phases(starts, marks);
  // The same, back to back (no idle time; each write still starts after the previous one's cleanup).
  const backToBack: number[] = [];
  const rawBackToBack: number[] = [];
  for (let i = 0; i < repeats + WARM_UP; i++) {
    const ms = await store(storage, checkpointOf(keys, 1000 + i, 1000 + i));
    if (i >= WARM_UP) backToBack.push(ms);
  }
  for (let i = 0; i < repeats + WARM_UP; i++) {
    const ms = await rawPut(rawDb, [raw]);
    if (i >= WARM_UP) rawBackToBack.push(ms);
  }
  rawDb.close();
  const rawChunksMs = await rawPutMs(
    first.tasks.map((t) => encodeTask(t)),
    repeats,
  );
  const rawSnapshotMs = await rawPutMs([first.tasks.map((t) => t.keyedState)], repeats);
  storage.close();

  // Encoding alone: from scratch, and with each subtask's cache of its previous snapshot (as `store` does).
  const encodeCold: number[] = [];
  const encodeWarm: number[] = [];
  const caches = first.tasks.map(() => new EncodeCache());
  for (let r = 0; r < repeats + WARM_UP; r++) {
    const cp = checkpointOf(keys, 1, r);
    let t0 = performance.now();
    for (const t of cp.tasks) encodeTask(t);
    const cold = performance.now() - t0;
    t0 = performance.now();
    cp.tasks.forEach((t, s) => encodeTask(t, caches[s]));
    if (r >= WARM_UP) {
      encodeCold.push(cold);
      encodeWarm.push(performance.now() - t0);
    }
  }

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

  // Incremental (RocksDB-like, real SST files): all keys, then 10% of them rewritten before each checkpoint.
  await deleteDb('bench-incremental');
  const incMarks: Mark[] = [];
  const inc = await IndexedDbCheckpointStorage.open({
    dbName: 'bench-incremental',
    onWrite: (event) => incMarks.push({ event, at: performance.now() }),
  });
  const backends = rocksBackends();
  writeRocks(backends, keys, 0, 1);
  const incremental: number[] = [];
  const incStarts: number[] = [];
  let firstIncrementalMs = 0;
  for (let i = 0; i < repeats + WARM_UP + 1; i++) {
    if (i > 0) writeRocks(backends, keys, i, 10);
    const cp = incrementalCheckpoint(backends, 100 + i);
    await sleep(GAP_MS);
    const ms = await store(inc, cp);
    for (const b of backends) b.notifyCheckpointComplete(100 + i);
    if (i === 0) firstIncrementalMs = ms;
    if (i > WARM_UP) {
      incremental.push(ms);
      incStarts.push(lastStoreStart);
    }
  }
  const incWrites = incMarks.filter((m) => m.event.phase === 'chunks-written').map((m) => m.event) as Array<{
    bytes?: number;
    newSharedFiles?: number;
    reusedSharedFiles?: number;
  }>;
  const lastWrite = incWrites[incWrites.length - 1];
  const refs = await inc.sharedFileRefCounts('Bench');
  inc.close();
  // Restore of the incremental checkpoint: open (reads chunks + every referenced SST file), resolve, restore.
  const t0 = performance.now();
  const incReopened = await IndexedDbCheckpointStorage.open({ dbName: 'bench-incremental' });
  const latest = incReopened.latest('Bench');
  if (!latest) throw new Error('no incremental checkpoint to restore');
  const incReadMs = performance.now() - t0;
  let incRestoredKeys = 0;
  for (const [s, t] of latest.tasks.entries()) {
    const b = RocksDBKeyedStateBackend.forSubtask(MAX_P, PARALLELISM, s, { ownerId: `restored#${s}` });
    const handle = t.keyedState as Parameters<typeof incReopened.resolveIncremental>[0];
    b.restore([incReopened.resolveIncremental(handle)]);
    incRestoredKeys += b.numKeys();
  }
  const incRestoreMs = performance.now() - t0;
  incReopened.close();
  if (incRestoredKeys !== keys)
    throw new Error(`incremental restore: ${incRestoredKeys} keys, expected ${keys}`);

  const fullMs = median(full);
  const rawMs = median(rawTimes);
  const incMs = median(incremental);
  const incPhases = phases(incStarts, incMarks);
  return {
    keys,
    snapshotJsonBytes: jsonBytes,
    checkpointBytes: bytes,
    fullCheckpointMs: round(fullMs),
    encodeFromScratchMs: round(median(encodeCold)),
    encodeWithCacheMs: round(median(encodeWarm)),
    queueToStartMs: round(fullPhases.before),
    encodeAndChunkTransactionMs: round(fullPhases.tx1),
    completionTransactionMs: round(fullPhases.tx2),
    cleanupAfterDoneMs: round(median(cleanups)),
    rawPutSameBytesMs: round(rawMs),
    fullVsRawBytes: round(fullMs / rawMs),
    fullVsRawBytesPairedMedian: round(median(pairRatios)),
    fullCheckpointBackToBackMs: round(median(backToBack)),
    rawPutBackToBackMs: round(median(rawBackToBack)),
    backToBackVsRawBytes: round(median(backToBack) / median(rawBackToBack)),
    rawPutChunkRecordsMs: round(rawChunksMs),
    fullVsRawChunkRecords: round(fullMs / rawChunksMs),
    rawPutEngineSnapshotMs: round(rawSnapshotMs),
    restoreReadMs: round(median(load)),
    restoreIntoBackendsMs: round(median(restore)),
    restoreTotalMs: round(median(load) + median(restore)),
    incrementalFirstMs: round(firstIncrementalMs),
    incrementalCheckpointMs: round(incMs),
    incrementalEncodeAndChunkTransactionMs: round(incPhases.tx1),
    incrementalCompletionTransactionMs: round(incPhases.tx2),
    incrementalBytes: lastWrite?.bytes ?? 0,
    incrementalNewFiles: lastWrite?.newSharedFiles ?? 0,
    incrementalReusedFiles: lastWrite?.reusedSharedFiles ?? 0,
    incrementalStoredFiles: refs.size,
    incrementalVsFull: round(incMs / fullMs),
    incrementalRestoreReadMs: round(incReadMs),
    incrementalRestoreMs: round(incRestoreMs),
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

(window as unknown as { bench: { run: typeof runBench } }).bench = { run: runBench };
document.body.dataset.ready = 'true';
