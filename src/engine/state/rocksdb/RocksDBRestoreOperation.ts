/**
 * Restoring the RocksDB-like backend (Flink's RocksDBIncrementalRestoreOperation and
 * RocksDBFullRestoreOperation): what states the handles hold, checked against each other; and the
 * entries of the key groups in range, from full (canonical) snapshots and from resolved incremental
 * handles, to bulk-load into one new file when the files cannot be taken over as they are.
 */
import type { TypeInformation } from '../../api/typeinfo/TypeInformation';
import type { KeyGroupRange } from '../../keygroups/KeyGroupRange';
import type { KeyedStateSnapshot, RestorableKeyedState } from '../KeyedStateBackend';
import type { StateType } from '../StateDescriptor';
import { recordedType } from '../StateSerializerCompatibility';
import type { UserKey } from '../StateStorage';
import { serialize, type Lsm } from './Lsm';
import {
  isIncrementalHandle,
  isResolvedIncrementalHandle,
  type ResolvedIncrementalKeyedStateHandle,
  type SstEntry,
} from './types';

/** The recorded value type of every state in `handles` that has one (the first handle's wins), by name. */
export function restoredValueTypes(
  handles: ReadonlyArray<RestorableKeyedState>,
): Map<string, TypeInformation> {
  const restoredTypes = new Map<string, TypeInformation>();
  for (const h of handles)
    for (const name of Object.keys(h.valueTypes ?? {})) {
      const t = recordedType(h.valueTypes, name);
      if (t !== null && !restoredTypes.has(name)) restoredTypes.set(name, t);
    }
  return restoredTypes;
}

/** Type and TTL flag of every state in `handles`; throws on handles that disagree or cannot be restored. */
export function restoredStateInfo(
  handles: ReadonlyArray<RestorableKeyedState>,
  maxParallelism: number,
): Map<string, { type: StateType; ttl: boolean }> {
  const stateInfo = new Map<string, { type: StateType; ttl: boolean }>();
  const note = (name: string, type: StateType, ttl: boolean): void => {
    const seen = stateInfo.get(name);
    if (seen !== undefined) {
      if (seen.type !== type)
        throw new Error(`State "${name}" is ${seen.type} state in one snapshot and ${type} in another.`);
      if (seen.ttl !== ttl)
        throw new Error(`State "${name}" is stored with TTL in some snapshots and without in others.`);
      return;
    }
    stateInfo.set(name, { type, ttl });
  };
  for (const h of handles) {
    if (isIncrementalHandle(h)) {
      throw new Error(
        `Incremental handle of checkpoint ${h.checkpointId} must be resolved first ` +
          `(SharedStateRegistry.resolve / resolveIncrementalHandle supply the shared files).`,
      );
    }
    if (h.maxParallelism !== maxParallelism) {
      throw new Error(
        `Cannot restore a snapshot taken with maxParallelism ${h.maxParallelism} into a backend with ` +
          `maxParallelism ${maxParallelism}: the number of key groups must not change.`,
      );
    }
    if (isResolvedIncrementalHandle(h)) {
      const ttlNames = new Set(h.ttlStates);
      for (const name of Object.keys(h.stateTypes)) note(name, h.stateTypes[name], ttlNames.has(name));
    } else {
      for (const kgs of h.keyGroups) {
        for (const name of Object.keys(kgs.states))
          note(name, kgs.states[name].type, kgs.states[name].ttl === true);
      }
    }
  }
  return stateInfo;
}

/** The entries of a full (canonical) snapshot in `range`, as puts. */
export function collectFull(s: KeyedStateSnapshot, range: KeyGroupRange, out: SstEntry[]): void {
  for (const kgs of s.keyGroups) {
    if (!range.contains(kgs.keyGroup)) continue;
    for (const state of Object.keys(kgs.states)) {
      const { type, entries } = kgs.states[state];
      for (const [key, value, ns] of entries) {
        const at = ns === undefined ? { kg: kgs.keyGroup, state, key } : { kg: kgs.keyGroup, state, key, ns };
        if (type === 'map') {
          for (const [uk, uv] of value as Array<[UserKey, unknown]>) {
            out.push({ ...at, uk, op: 'put', value: serialize(uv) });
          }
        } else {
          out.push({ ...at, op: 'put', value: serialize(value) });
        }
      }
    }
  }
}

/** The visible entries of a resolved incremental handle in `range`. */
export function collectResolved(
  h: ResolvedIncrementalKeyedStateHandle,
  range: KeyGroupRange,
  out: SstEntry[],
  lsm: Lsm,
): void {
  const sources = h.files
    .slice()
    .reverse()
    .map((f) => ({ entries: f.entries.filter((e) => range.contains(e.kg)) }));
  for (const e of lsm.mergeEntries(sources, true, false).entries) out.push(e);
}
