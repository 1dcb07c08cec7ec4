import { describe, expect, it } from 'vitest';
import { SharedStateRegistry } from '../../src/engine/checkpointing/SharedStateRegistry';
import type { KeyedStateSnapshot } from '../../src/engine/state/KeyedStateBackend';
import { RocksDBKeyedStateBackend } from '../../src/engine/state/rocksdb/RocksDBKeyedStateBackend';
import type { IncrementalKeyedStateHandle, SstFile } from '../../src/engine/state/rocksdb/types';
import type { ListState, ValueState } from '../../src/engine/state/State';
import { ListStateDescriptor, ValueStateDescriptor } from '../../src/engine/state/StateDescriptor';

function file(id: string, bytes: number): SstFile {
  return {
    id,
    level: 0,
    keyGroupRange: { start: 0, end: 0 },
    entries: [{ kg: 0, state: 's', key: id, op: 'put', value: '1' }],
    bytes,
  };
}

describe('SharedStateRegistry', () => {
  it('counts references per checkpoint and deletes a file when no checkpoint references it', () => {
    const r = new SharedStateRegistry();
    r.registerCheckpoint(1, ['a', 'b'], [file('a', 10), file('b', 20)]);
    r.registerCheckpoint(2, ['a', 'b', 'c'], [file('c', 5)]);
    r.registerCheckpoint(3, ['b', 'd'], [file('d', 1)]);
    expect(r.totalBytes()).toBe(36);
    expect(r.refCount('a')).toBe(2);
    expect(r.refCount('b')).toBe(3);
    expect(r.checkpointIds()).toEqual([1, 2, 3]);
    expect(r.releaseCheckpoint(1)).toEqual([]); // a, b still used by 2
    expect(r.releaseCheckpoint(2)).toEqual(['a', 'c']);
    expect(r.has('a')).toBe(false);
    expect(r.getFile('a')).toBeUndefined();
    expect(r.getFile('b')?.bytes).toBe(20);
    expect(r.fileIds()).toEqual(['b', 'd']);
    expect(r.totalBytes()).toBe(21);
    expect(r.releaseCheckpoint(2)).toEqual([]); // unknown / already released
    expect(r.releaseCheckpoint(3)).toEqual(['b', 'd']);
    expect(r.totalBytes()).toBe(0);
  });

  it('several registrations for one checkpoint (one per subtask) add up; re-uploads are deduplicated', () => {
    const r = new SharedStateRegistry();
    r.registerCheckpoint(1, ['t0-1'], [file('t0-1', 3)]);
    r.registerCheckpoint(1, ['t1-1'], [file('t1-1', 4)]);
    // an unconfirmed file uploaded again by the next checkpoint (same id, same contents)
    r.registerCheckpoint(2, ['t0-1', 't1-1'], [file('t0-1', 3)]);
    expect(r.totalBytes()).toBe(7);
    expect(r.releaseCheckpoint(1)).toEqual([]);
    expect(r.releaseCheckpoint(2)).toEqual(['t0-1', 't1-1']);
  });

  it('rejects unknown references and id collisions, changing nothing', () => {
    const r = new SharedStateRegistry();
    r.registerCheckpoint(1, ['a'], [file('a', 10)]);
    expect(() => r.registerCheckpoint(2, ['a', 'x'], [])).toThrow(/x, which is neither registered/);
    expect(() => r.registerCheckpoint(2, ['a'], [file('a', 11)])).toThrow(/collision: a/);
    expect(r.checkpointIds()).toEqual([1]);
    expect(r.refCount('a')).toBe(1);
    // a new file nobody references is not kept
    r.registerCheckpoint(3, ['a'], [file('orphan', 1)]);
    expect(r.has('orphan')).toBe(false);
  });

  it('a checkpoint that shares files with a released checkpoint still restores correctly', () => {
    const registry = new SharedStateRegistry();
    const retained: Array<{ id: number; handle: IncrementalKeyedStateHandle; expected: KeyedStateSnapshot }> =
      [];
    const b = new RocksDBKeyedStateBackend(128, undefined, {
      ownerId: 'agg#0',
      memtableEntries: 50,
      compactionTrigger: 3,
    });
    const count = b.getPartitionedState<ValueState<number>>(new ValueStateDescriptor<number>('count'));
    const seen = b.getPartitionedState<ListState<string>>(new ListStateDescriptor<string>('seen'));
    let deletedFiles = 0;
    const uploadedBy = new Map<string, number>();
    let sharedWithReleased = 0;
    for (let id = 1; id <= 8; id++) {
      for (let i = 0; i < 60; i++) {
        const k = `k${(i * 7 + id * 13) % 200}`;
        b.setCurrentKey(k);
        count.update((count.value() ?? 0) + 1);
        if (i % 5 === 0) seen.add(`c${id}`);
        if (i % 17 === 0) count.clear();
      }
      const handle = b.snapshotIncremental(id, b.getConfirmedFiles());
      registry.registerCheckpoint(
        id,
        handle.files.map((f) => f.id),
        handle.newFiles,
      );
      b.notifyCheckpointComplete(id);
      for (const f of handle.newFiles) if (!uploadedBy.has(f.id)) uploadedBy.set(f.id, id);
      // the checkpoint store keeps the handle without the uploaded contents (they live in the registry)
      retained.push({ id, handle: { ...handle, newFiles: [] }, expected: b.snapshot() });
      // retain 2 checkpoints: release the oldest
      if (retained.length > 2) {
        const old = retained.shift() as (typeof retained)[number];
        deletedFiles += registry.releaseCheckpoint(old.id).length;
      }
      // files uploaded by a checkpoint that is gone, still used by a retained one
      if (handle.files.some((f) => (uploadedBy.get(f.id) as number) < retained[0].id)) sharedWithReleased++;
      // every retained checkpoint restores to exactly the state it captured
      for (const c of retained) {
        const restored = new RocksDBKeyedStateBackend(128, undefined, { ownerId: `restore#${id}` });
        restored.restore([registry.resolve(c.handle)]);
        expect(restored.snapshot()).toEqual(c.expected);
      }
      // only files of retained checkpoints are kept
      const live = new Set(retained.flatMap((c) => c.handle.files.map((f) => f.id)));
      expect(registry.fileIds()).toEqual([...live].sort());
      expect(registry.totalBytes()).toBe(
        [...live].reduce((n, fid) => n + (registry.getFile(fid) as SstFile).bytes, 0),
      );
    }
    expect(deletedFiles).toBeGreaterThan(0);
    expect(sharedWithReleased).toBeGreaterThan(0);
    const newest = retained[retained.length - 1].handle;
    // after every checkpoint is released, a handle can no longer be resolved
    for (const c of retained) registry.releaseCheckpoint(c.id);
    expect(registry.totalBytes()).toBe(0);
    expect(() => registry.resolve(newest)).toThrow(/shared file .* is missing/);
  });
});
