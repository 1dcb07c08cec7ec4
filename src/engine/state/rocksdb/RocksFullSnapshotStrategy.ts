/**
 * A full snapshot of the RocksDB-like backend in the canonical format (Flink's
 * RocksFullSnapshotStrategy: iterate the DB in key order and write key group by key group). It is
 * what savepoints use, and restorable into the heap backend and back. TTL `cleanupFullSnapshot`
 * leaves expired values out of the snapshot (not out of the state).
 */
import { serializeKey } from '../../keygroups/hashCode';
import type { KeyGroupRange } from '../../keygroups/KeyGroupRange';
import type { KeyedStateSnapshot, KeyGroupSnapshot, StateEntry } from '../KeyedStateBackend';
import { unexpiredOrNull } from '../ttl/TtlValue';
import type { StateMeta } from './RocksDBStorage';
import type { SstEntry } from './types';

/** `visible`: every live entry, sorted by (key group, state, key, user key). */
export function fullSnapshot(
  visible: readonly SstEntry[],
  metaFor: (state: string) => StateMeta,
  maxParallelism: number,
  keyGroupRange: KeyGroupRange,
  now: number,
): KeyedStateSnapshot {
  const keyGroups: KeyGroupSnapshot[] = [];
  let group: KeyGroupSnapshot | null = null;
  // Entries are sorted by (key group, state, key, user key): build the canonical layout in one pass.
  let state: { meta: StateMeta; entries: StateEntry[] } | null = null;
  let lastMapKeyJson: string | null = null;
  const finishState = (): void => {
    if (state === null || group === null) return;
    const { meta, entries } = state;
    const settings = meta.ttlSettings;
    let out = entries;
    if (settings !== null && settings.config.getCleanupStrategies().inFullSnapshot()) {
      out = [];
      for (const [key, v, ns] of entries) {
        const kept = unexpiredOrNull(meta.type, v, settings.ttl, now);
        if (kept !== null) out.push(ns === undefined ? [key, kept] : [key, kept, ns]);
      }
    }
    if (out.length > 0) {
      group.states[meta.name] = meta.ttl
        ? { type: meta.type, ttl: true, entries: out }
        : { type: meta.type, entries: out };
    }
    state = null;
  };
  const finishGroup = (): void => {
    finishState();
    if (group !== null && Object.keys(group.states).length > 0) keyGroups.push(group);
    group = null;
  };
  for (const e of visible) {
    if (group === null || group.keyGroup !== e.kg) {
      finishGroup();
      group = { keyGroup: e.kg, states: {} };
    }
    if (state === null || state.meta.name !== e.state) {
      finishState();
      state = { meta: metaFor(e.state), entries: [] };
      lastMapKeyJson = null;
    }
    const value = JSON.parse(e.value as string) as unknown;
    if (state.meta.type === 'map') {
      const rowJson = `${serializeKey(e.key)}\u0001${e.ns ?? ''}`;
      if (rowJson !== lastMapKeyJson) {
        state.entries.push(e.ns === undefined ? [e.key, []] : [e.key, [], e.ns]);
        lastMapKeyJson = rowJson;
      }
      (state.entries[state.entries.length - 1][1] as Array<[unknown, unknown]>).push([e.uk, value]);
    } else {
      state.entries.push(e.ns === undefined ? [e.key, value] : [e.key, value, e.ns]);
    }
  }
  finishGroup();
  return {
    maxParallelism: maxParallelism,
    keyGroupRange: { start: keyGroupRange.startKeyGroup, end: keyGroupRange.endKeyGroup },
    keyGroups,
  };
}
