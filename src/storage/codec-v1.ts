/**
 * The chunk format of schema version 1 (one structured-clone value per subtask, keyed state in plain
 * columns), kept ONLY to convert databases written by older builds (`MIGRATIONS[2]` in db.ts). Nothing
 * writes this format any more; see codec.ts for the current one.
 */
import {
  PoisonRecord,
  type ChannelStateSnapshot,
  type KeyedStateSnapshot,
  type KeyGroupSnapshot,
  type Key,
  type StateType,
  type TaskStateSnapshot,
} from '../engine/index';

type V1Column<T> =
  | { kind: 'strings'; text: string; lengths: Uint32Array }
  | { kind: 'numbers'; numbers: Float64Array }
  | { kind: 'array'; items: T[] };

interface V1State {
  name: string;
  type: StateType;
  ttl?: true;
  keyGroups: Int32Array;
  keys: V1Column<Key>;
  values: V1Column<unknown>;
}

interface V1Channel {
  peer: string;
  values: unknown[];
  ts: Array<number | null>;
  poison: number[];
}

/** A schema-1 chunk value (`ChunkRecord.data`, `SavepointRecord.tasks[i]`). */
export interface EncodedTaskV1 {
  v: 1;
  taskId: string;
  operatorUid: string;
  operatorName: string;
  subtaskIndex: number;
  parallelism: number;
  maxParallelism: number;
  keyed: { maxParallelism: number; start: number; end: number; states: V1State[] } | null;
  keyedRaw?: unknown;
  timers: TaskStateSnapshot['timers'];
  operatorState: TaskStateSnapshot['operatorState'];
  inputChannelState: V1Channel[];
  outputChannelState: V1Channel[];
  stateBytes: number;
  channelStateBytes: number;
}

function decodeColumn<T>(c: V1Column<T>): T[] {
  switch (c.kind) {
    case 'strings': {
      const out = new Array<string>(c.lengths.length);
      let at = 0;
      for (let i = 0; i < c.lengths.length; i++) {
        out[i] = c.text.slice(at, at + c.lengths[i]);
        at += c.lengths[i];
      }
      return out as T[];
    }
    case 'numbers':
      return Array.from(c.numbers) as T[];
    case 'array':
      return c.items;
    default:
      throw new Error(`unknown schema-1 column kind '${String((c as { kind: unknown }).kind)}'`);
  }
}

function decodeKeyed(k: NonNullable<EncodedTaskV1['keyed']>): KeyedStateSnapshot {
  const groups = new Map<number, KeyGroupSnapshot>();
  for (const st of k.states) {
    const keys = decodeColumn(st.keys);
    const values = decodeColumn(st.values);
    if (keys.length !== values.length || keys.length !== st.keyGroups.length)
      throw new Error(`schema-1 state '${st.name}' has columns of different lengths`);
    for (let i = 0; i < keys.length; i++) {
      const kg = st.keyGroups[i];
      let g = groups.get(kg);
      if (!g) groups.set(kg, (g = { keyGroup: kg, states: {} }));
      const slot = (g.states[st.name] ??= st.ttl
        ? { type: st.type, ttl: true, entries: [] }
        : { type: st.type, entries: [] });
      slot.entries.push([keys[i], values[i]]);
    }
  }
  const keyGroups = [...groups.values()].sort((a, b) => a.keyGroup - b.keyGroup);
  return { maxParallelism: k.maxParallelism, keyGroupRange: { start: k.start, end: k.end }, keyGroups };
}

function decodeChannels(list: readonly V1Channel[]): ChannelStateSnapshot[] {
  return list.map((c) => {
    const poison = new Set(c.poison);
    return {
      peer: c.peer,
      records: c.values.map((value, i) => ({
        value: poison.has(i) ? new PoisonRecord(String(value)) : value,
        ts: c.ts[i],
      })),
    };
  });
}

export function isEncodedTaskV1(x: unknown): x is EncodedTaskV1 {
  return typeof x === 'object' && x !== null && (x as { v?: unknown }).v === 1;
}

/** A schema-1 chunk value back to the engine's snapshot; throws if it is not one. */
export function decodeTaskV1(e: EncodedTaskV1): TaskStateSnapshot {
  if (!isEncodedTaskV1(e)) throw new Error('not a schema-1 state chunk');
  return {
    taskId: e.taskId,
    operatorUid: e.operatorUid,
    operatorName: e.operatorName,
    subtaskIndex: e.subtaskIndex,
    parallelism: e.parallelism,
    maxParallelism: e.maxParallelism,
    keyedState: e.keyed
      ? decodeKeyed(e.keyed)
      : e.keyedRaw !== undefined
        ? (e.keyedRaw as TaskStateSnapshot['keyedState'])
        : null,
    timers: e.timers,
    operatorState: e.operatorState,
    inputChannelState: decodeChannels(e.inputChannelState),
    outputChannelState: decodeChannels(e.outputChannelState),
    stateBytes: e.stateBytes,
    channelStateBytes: e.channelStateBytes,
  };
}
