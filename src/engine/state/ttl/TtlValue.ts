/**
 * Flink's `TtlValue` and `TtlUtils`: a user value plus the processing time of its last access. This is
 * also the snapshot form of TTL state (see `KeyGroupSnapshot`).
 */
import type { StateDescriptor, StateType } from '../StateDescriptor';
import type { StateTtlConfig } from './StateTtlConfig';

export interface TtlValue<T = unknown> {
  value: T;
  /** Processing time (ms) of the last access that counts for the update type. */
  lastAccess: number;
}

/** Flink's `TtlUtils.expired`: `lastAccess + ttl <= now`. */
export function isExpired(tv: TtlValue, ttl: number, now: number): boolean {
  return tv.lastAccess + ttl <= now;
}

/** The derived settings a TTL state handle needs. */
export interface TtlSettings {
  readonly config: StateTtlConfig;
  readonly ttl: number;
  readonly updateOnRead: boolean;
  readonly returnExpired: boolean;
}

export function ttlSettings(config: StateTtlConfig): TtlSettings {
  return {
    config,
    ttl: config.ttl,
    updateOnRead: config.updateType === 'OnReadAndWrite',
    returnExpired: config.stateVisibility === 'ReturnExpiredIfNotCleanedUp',
  };
}

/**
 * Flink's `getUnexpiredOrNull` on the stored form of one key's value: the same object when nothing
 * expired, a filtered copy when some list elements / map entries expired, `null` when nothing is left.
 * For map state the heap form (a `Map`) and the snapshot form (an array of pairs) are both accepted.
 */
export function unexpiredOrNull(type: StateType, stored: unknown, ttl: number, now: number): unknown {
  if (type === 'list') {
    const list = stored as TtlValue[];
    let kept: TtlValue[] | null = null;
    for (let i = 0; i < list.length; i++) {
      const expired = isExpired(list[i], ttl, now);
      if (expired && kept === null) kept = list.slice(0, i);
      else if (!expired && kept !== null) kept.push(list[i]);
    }
    if (kept === null) return list;
    return kept.length === 0 ? null : kept;
  }
  if (type === 'map') {
    if (stored instanceof Map) {
      let kept: Map<unknown, TtlValue> | null = null;
      for (const [uk, tv] of stored as Map<unknown, TtlValue>) {
        if (isExpired(tv, ttl, now)) {
          if (kept === null) {
            kept = new Map();
            for (const [uk2, tv2] of stored as Map<unknown, TtlValue>) {
              if (uk2 === uk) break;
              kept.set(uk2, tv2);
            }
          }
        } else if (kept !== null) kept.set(uk, tv);
      }
      if (kept === null) return stored;
      return kept.size === 0 ? null : kept;
    }
    const pairs = stored as Array<[unknown, TtlValue]>;
    const kept = pairs.filter(([, tv]) => !isExpired(tv, ttl, now));
    if (kept.length === pairs.length) return stored;
    return kept.length === 0 ? null : kept;
  }
  return isExpired(stored as TtlValue, ttl, now) ? null : stored;
}

/** The user-facing (inspection) form of a TTL state's stored value: timestamps stripped. */
export function unwrapTtl(type: StateType, stored: unknown): unknown {
  if (type === 'list') return (stored as TtlValue[]).map((tv) => tv.value);
  if (type === 'map') {
    const out: Array<[unknown, unknown]> = [];
    const it =
      stored instanceof Map ? (stored as Map<unknown, TtlValue>) : (stored as Array<[unknown, TtlValue]>);
    for (const [uk, tv] of it) out.push([uk, tv.value]);
    return out;
  }
  return (stored as TtlValue).value;
}

/** Flink's StateMigrationException message for TTL switched on or off on existing state. */
export function ttlIncompatibility(name: string, storedWithTtl: boolean): Error {
  return new Error(
    storedWithTtl
      ? `State "${name}" was stored with TTL but its descriptor does not enable TTL: disabling TTL on ` +
          `existing state is a state incompatibility (Flink: StateMigrationException). Keep ` +
          `enableTimeToLive on the descriptor, or give the state a new name.`
      : `State "${name}" was stored without TTL but its descriptor enables TTL: enabling TTL on ` +
          `existing state is a state incompatibility (Flink: StateMigrationException). Remove ` +
          `enableTimeToLive, or give the state a new name.`,
  );
}

/**
 * Both keyed backends: a state name asked for again must keep its type and its TTL setting (state
 * names are unique per operator; TTL cannot be switched on or off for stored state).
 */
export function checkReRegistration(
  name: string,
  registered: { type: StateType; ttl: boolean },
  descriptor: StateDescriptor,
): void {
  if (registered.type !== descriptor.type) {
    throw new Error(
      `State "${name}" is already registered as ${registered.type} state and cannot be requested as ` +
        `${descriptor.type} state: state names must be unique per operator.`,
    );
  }
  if (registered.ttl !== (descriptor.getTtlConfig() !== null)) throw ttlIncompatibility(name, registered.ttl);
}
