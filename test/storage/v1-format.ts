/**
 * The chunk encoder of schema version 1 (src/storage/codec.ts before chunk format 2), verbatim: the
 * migration tests write a database exactly as the previous build did.
 */
import {
  isPoison,
  type ChannelStateSnapshot,
  type KeyedStateSnapshot,
  type Key,
  type StateType,
  type TaskStateSnapshot,
} from '../../src/engine/index';
import type { EncodedTaskV1 } from '../../src/storage/codec-v1';

type EncodedState = NonNullable<EncodedTaskV1['keyed']>['states'][number];
type EncodedColumn<T> =
  | { kind: 'strings'; text: string; lengths: Uint32Array }
  | { kind: 'numbers'; numbers: Float64Array }
  | { kind: 'array'; items: T[] };
type EncodedChannel = EncodedTaskV1['inputChannelState'][number];
type EncodedTask = EncodedTaskV1;

function encodeColumn<T>(items: T[]): EncodedColumn<T> {
  let strings = true;
  let numbers = true;
  for (let i = 0; i < items.length && (strings || numbers); i++) {
    const t = typeof items[i];
    if (t !== 'string') strings = false;
    if (t !== 'number') numbers = false;
  }
  if (items.length > 0 && strings) {
    const lengths = new Uint32Array(items.length);
    for (let i = 0; i < items.length; i++) lengths[i] = (items[i] as string).length;
    return { kind: 'strings', text: (items as string[]).join(''), lengths };
  }
  if (items.length > 0 && numbers) return { kind: 'numbers', numbers: Float64Array.from(items as number[]) };
  return { kind: 'array', items };
}

function encodeKeyed(ks: KeyedStateSnapshot): EncodedTask['keyed'] {
  const byName = new Map<
    string,
    { type: StateType; ttl: boolean; kgs: number[]; keys: Key[]; values: unknown[] }
  >();
  for (const g of ks.keyGroups) {
    for (const name in g.states) {
      const st = g.states[name];
      let col = byName.get(name);
      if (!col) {
        col = { type: st.type, ttl: st.ttl === true, kgs: [], keys: [], values: [] };
        byName.set(name, col);
      }
      const entries = st.entries;
      for (let i = 0; i < entries.length; i++) {
        col.kgs.push(g.keyGroup);
        col.keys.push(entries[i][0]);
        col.values.push(entries[i][1]);
      }
    }
  }
  const states: EncodedState[] = [];
  for (const [name, c] of byName) {
    const st: EncodedState = {
      name,
      type: c.type,
      keyGroups: Int32Array.from(c.kgs),
      keys: encodeColumn(c.keys),
      values: encodeColumn(c.values),
    };
    if (c.ttl) st.ttl = true;
    states.push(st);
  }
  states.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    maxParallelism: ks.maxParallelism,
    start: ks.keyGroupRange.start,
    end: ks.keyGroupRange.end,
    states,
  };
}

function encodeChannels(list: readonly ChannelStateSnapshot[]): EncodedChannel[] {
  return list.map((cs) => {
    const poison: number[] = [];
    const values = cs.records.map((r, i) => {
      if (isPoison(r.value)) {
        poison.push(i);
        return r.value.label;
      }
      return r.value;
    });
    return { peer: cs.peer, values, ts: cs.records.map((r) => r.ts), poison };
  });
}

function isFullSnapshot(k: unknown): k is KeyedStateSnapshot {
  return Array.isArray((k as { keyGroups?: unknown } | null)?.keyGroups);
}

export function encodeTaskV1(t: TaskStateSnapshot): EncodedTask {
  const encoded: EncodedTask = {
    v: 1,
    taskId: t.taskId,
    operatorUid: t.operatorUid,
    operatorName: t.operatorName,
    subtaskIndex: t.subtaskIndex,
    parallelism: t.parallelism,
    maxParallelism: t.maxParallelism,
    keyed: t.keyedState && isFullSnapshot(t.keyedState) ? encodeKeyed(t.keyedState) : null,
    timers: t.timers,
    operatorState: t.operatorState,
    inputChannelState: encodeChannels(t.inputChannelState),
    outputChannelState: encodeChannels(t.outputChannelState),
    stateBytes: t.stateBytes,
    channelStateBytes: t.channelStateBytes,
  };
  if (t.keyedState && !isFullSnapshot(t.keyedState)) encoded.keyedRaw = t.keyedState;
  return encoded;
}
