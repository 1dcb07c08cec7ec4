/**
 * Checkpoint size and time, full (HashMap backend) vs incremental (RocksDB-like backend), as keyed
 * state grows to 100k keys. Between two checkpoints 1% of the keys change; the full snapshot copies
 * everything again, the incremental one uploads only the new SST files.
 *
 *   npm run bench -- --only checkpoint-size [--keys 100000]
 */
import {
  HeapKeyedStateBackend,
  RocksDBKeyedStateBackend,
  ValueStateDescriptor,
  KeyGroupRange,
  type KeyedStateBackend,
  type ValueState,
} from '../src/engine/index';
import { estimateSnapshotBytes } from '../src/engine/state/HeapKeyedStateBackend';
import { incrementalHandleSizes } from '../src/engine/state/rocksdb/types';
import { numberParam, type Benchmark, type BenchmarkResult } from './suite';

const MAX_P = 128;

function fill(backend: KeyedStateBackend, keys: number, round: number, fraction: number): void {
  const state = backend.getPartitionedState<ValueState<{ n: number; round: number }>>(
    new ValueStateDescriptor('count'),
  );
  const step = Math.max(1, Math.round(1 / fraction));
  for (let i = 0; i < keys; i += step) {
    backend.setCurrentKey(`user-${i}`);
    state.update({ n: i, round });
  }
}

function time<T>(f: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = f();
  return { ms: performance.now() - t0, value };
}

interface Row {
  keys: number;
  fullBytes: number;
  fullMs: number;
  incrementalDeltaBytes: number;
  incrementalFullBytes: number;
  incrementalMs: number;
}

export function measure(sizes: number[]): Row[] {
  const rows: Row[] = [];
  for (const keys of sizes) {
    const range = new KeyGroupRange(0, MAX_P - 1);
    const heap = new HeapKeyedStateBackend(MAX_P, range);
    const rocks = new RocksDBKeyedStateBackend(MAX_P, range, {
      ownerId: `bench-${keys}`,
      memtableEntries: 10_000,
    });
    fill(heap, keys, 0, 1);
    fill(rocks, keys, 0, 1);
    // Checkpoint 1 (both full), then 1% of the keys change, then checkpoint 2.
    rocks.snapshotIncremental(1, rocks.getConfirmedFiles());
    rocks.notifyCheckpointComplete(1);
    fill(heap, keys, 1, 0.01);
    fill(rocks, keys, 1, 0.01);
    const full = time(() => heap.snapshot());
    const fullBytes = estimateSnapshotBytes(full.value);
    const inc = time(() => rocks.snapshotIncremental(2, rocks.getConfirmedFiles()));
    const sizesInc = incrementalHandleSizes(inc.value);
    if (sizesInc.checkpointedBytes >= sizesInc.fullBytes)
      throw new Error(
        `incremental checkpoint uploaded everything (${sizesInc.checkpointedBytes} B) at ${keys} keys`,
      );
    rows.push({
      keys,
      fullBytes,
      fullMs: full.ms,
      incrementalDeltaBytes: sizesInc.checkpointedBytes,
      incrementalFullBytes: sizesInc.fullBytes,
      incrementalMs: inc.ms,
    });
  }
  return rows;
}

export const checkpointSize: Benchmark = {
  name: 'checkpoint-size',
  description:
    'checkpoint size and time: full (heap) vs incremental (RocksDB-like), 1% of keys changed, up to 100k keys',
  run(options): BenchmarkResult {
    const max = numberParam(options, 'keys', options.quick ? 20_000 : 100_000);
    const sizes = [1_000, 10_000, max].filter((n, i, a) => n <= max && a.indexOf(n) === i);
    const rows = measure(sizes);
    const last = rows[rows.length - 1];
    return {
      name: 'checkpoint-size',
      rows: rows.map((r) => ({
        label: `${r.keys.toLocaleString('en')} keys`,
        value: `full ${(r.fullBytes / 1024).toFixed(0)} KiB in ${r.fullMs.toFixed(1)} ms`,
        note: `incremental ${(r.incrementalDeltaBytes / 1024).toFixed(0)} KiB of ${(r.incrementalFullBytes / 1024).toFixed(0)} KiB (${((100 * r.incrementalDeltaBytes) / r.incrementalFullBytes).toFixed(1)}%) in ${r.incrementalMs.toFixed(1)} ms`,
      })),
      metrics: { rows },
      headline: {
        incrementalDeltaRatio: last.incrementalDeltaBytes / last.incrementalFullBytes,
        fullSnapshotMs: last.fullMs,
        incrementalSnapshotMs: last.incrementalMs,
      },
    };
  },
};
