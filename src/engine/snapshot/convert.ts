/**
 * CompletedCheckpoint ↔ snapshot JSON (format version 2; version 1 files are migrated on import).
 *
 * - `toSnapshotJson(checkpoint)`: the checkpoint as plain, human-readable JSON: keyed state per state
 *   name with each key, its key group and its value; source offsets; pending transactions; channel
 *   state; the statistics. Throws a `SnapshotExportError` naming the path when a value is not plain JSON
 *   (NaN, a Map, a class instance): a snapshot never silently loses data.
 * - `fromSnapshotJson(json, job)`: validates the shape (zod schema), then the meaning against the job
 *   (validate.ts: including every value against its state's recorded type, and that type against the
 *   job's descriptor), and only then builds a fresh CompletedCheckpoint that shares nothing with the
 *   input. Never throws; an invalid file yields every problem found, each with its path.
 * - A version 1 file (before types were recorded) is migrated first: each state gets the type the
 *   job's descriptor declares now (`migrateV1`), so its values are checked against the current job.
 */
import type { IncrementalKeyedStateHandle } from '../state/rocksdb/types';
import type { JobGraph } from '../api/JobGraph';
import type {
  ChannelStateSnapshot,
  CompletedCheckpoint,
  OperatorStateSnapshot,
  PersistedRecord,
  TaskStateSnapshot,
} from '../checkpointing/CompletedCheckpoint';
import { isPoison, PoisonRecord } from '../connectors/ReplayableLog';
import { assignToKeyGroup } from '../keygroups/KeyGroupRangeAssignment';
import type { Key } from '../keygroups/hashCode';
import { compareKeys } from '../state/HeapKeyedStateBackend';
import type { KeyedStateSnapshot, KeyGroupSnapshot } from '../state/KeyedStateBackend';
import type { StateType } from '../state/StateDescriptor';
import { findNonJson, formatPath, prettyJson, type PathSegment } from './json';
import {
  KEY_ERROR,
  READABLE_FORMAT_VERSIONS,
  SNAPSHOT_FORMAT,
  SNAPSHOT_FORMAT_VERSION,
  SnapshotSchema,
  type ChannelStateJson,
  type KeyedStateJson,
  type OperatorJson,
  type SnapshotJson,
  type SubtaskJson,
} from './schema';
import { declaredState, validateSnapshotAgainstJob } from './validate';
import type { z } from 'zod';
import { EngineError, messageOf, msg, renderEnglish, text, type Message } from '../messages/Message';
import type { TypeInfoJson } from '../api/typeinfo/TypeInformation';

/** Written for a state whose type was never recorded (restored from storage of an older build, not registered since). */
const UNKNOWN_TYPE: TypeInfoJson = 'GENERIC';

export interface SnapshotError {
  /** Where in the file, e.g. `operators[1].subtasks[2].keyGroupRange` (empty: the file as a whole). */
  path: string;
  /** What is wrong there: a message code the page translates (`renderEnglish` for the command line). */
  message: Message;
}

export type SnapshotImportResult =
  | { ok: true; checkpoint: CompletedCheckpoint; snapshot: SnapshotJson }
  | { ok: false; errors: SnapshotError[] };

/** At most this many errors are listed; the last one says how many more there were. */
export const MAX_REPORTED_ERRORS = 100;

export class SnapshotExportError extends EngineError {
  constructor(
    readonly path: string,
    problem: Message,
  ) {
    super(msg('snapshot.at-path', { path, problem }));
    this.name = 'SnapshotExportError';
  }
}

/** `path: message` lines, as the command line prints them. */
export function formatSnapshotErrors(errors: readonly SnapshotError[]): string {
  return errors
    .map((e) => (e.path ? `${e.path}: ${renderEnglish(e.message)}` : renderEnglish(e.message)))
    .join('\n');
}

// ------------------------------------------------------------------ export

function jsonCopy(value: unknown, path: PathSegment[]): unknown {
  const bad = findNonJson(value, path);
  if (bad)
    throw new SnapshotExportError(
      formatPath(bad.path),
      msg('snapshot.export-not-json', { problem: bad.problem }),
    );
  return value === undefined ? null : structuredClone(value);
}

function recordToJson(r: PersistedRecord, path: PathSegment[]): ChannelStateJson['records'][number] {
  if (isPoison(r.value)) return { value: r.value.label, ts: r.ts, poison: true };
  return { value: jsonCopy(r.value, [...path, 'value']), ts: r.ts };
}

function channelsToJson(list: readonly ChannelStateSnapshot[], path: PathSegment[]): ChannelStateJson[] {
  return list.map((cs, c) => ({
    peer: cs.peer,
    records: cs.records.map((r, i) => recordToJson(r, [...path, c, 'records', i])),
  }));
}

/** The snapshot format writes keys as JSON scalars: a bigint (Java Long) key has no form there yet. */
function jsonKey(key: Key, path: PathSegment[]): string | number | boolean {
  if (typeof key === 'bigint')
    throw new SnapshotExportError(formatPath(path), msg('snapshot.export-bigint-key', { key: `${key}n` }));
  return key;
}

/** Namespaces in order: VoidNamespace (undefined) first, then by their text. */
function compareNs(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return a < b ? -1 : 1;
}

function keyedStateToJson(
  ks: KeyedStateSnapshot | IncrementalKeyedStateHandle,
  path: PathSegment[],
): KeyedStateJson[] {
  if ('kind' in ks) throw new SnapshotExportError(formatPath(path), msg('snapshot.export-incremental'));
  const byName = new Map<string, KeyedStateJson>();
  for (const kg of ks.keyGroups) {
    for (const [name, st] of Object.entries(kg.states)) {
      let out = byName.get(name);
      if (!out) {
        const valueType = structuredClone(ks.valueTypes?.[name] ?? UNKNOWN_TYPE);
        out = st.ttl
          ? { name, type: st.type, valueType, ttl: true, entries: [] }
          : { name, type: st.type, valueType, entries: [] };
        byName.set(name, out);
      }
      for (const [key, value, namespace] of st.entries)
        out.entries.push(
          namespace === undefined
            ? { key: jsonKey(key, path), keyGroup: kg.keyGroup, value }
            : { key: jsonKey(key, path), namespace, keyGroup: kg.keyGroup, value },
        );
    }
  }
  const states = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  states.forEach((s, i) => {
    s.entries.sort((a, b) => compareKeys(a.key, b.key) || compareNs(a.namespace, b.namespace));
    s.entries.forEach((e, x) => {
      e.value = jsonCopy(e.value, [...path, i, 'entries', x, 'value']);
    });
  });
  return states;
}

function subtaskToJson(t: TaskStateSnapshot, path: PathSegment[]): SubtaskJson {
  const os = t.operatorState;
  let operatorState: SubtaskJson['operatorState'] = null;
  if (os) {
    operatorState = {};
    if (os.lists)
      operatorState.lists = Object.keys(os.lists)
        .sort()
        .map((name, i) => ({
          name,
          redistribution: os.lists![name].mode,
          elementType: structuredClone(os.lists![name].elementType ?? UNKNOWN_TYPE),
          items: jsonCopy(os.lists![name].items, [
            ...path,
            'operatorState',
            'lists',
            i,
            'items',
          ]) as unknown[],
        }));
    if (os.sourceOffsets)
      operatorState.sourceOffsets = {
        redistribution: 'union',
        splits: os.sourceOffsets.map((s) =>
          s.stoppingOffset === undefined
            ? { partition: s.partition, offset: s.offset }
            : { partition: s.partition, offset: s.offset, stoppingOffset: s.stoppingOffset },
        ),
      };
    if (os.pendingTransactions)
      operatorState.pendingTransactions = os.pendingTransactions.map((p, i) => ({
        checkpointId: p.checkpointId,
        txn: p.txn,
        rows: jsonCopy(p.rows, [...path, 'operatorState', 'pendingTransactions', i, 'rows']) as unknown[],
      }));
  }
  return {
    index: t.subtaskIndex,
    keyGroupRange: t.keyedState
      ? { start: t.keyedState.keyGroupRange.start, end: t.keyedState.keyGroupRange.end }
      : null,
    keyedState: t.keyedState ? keyedStateToJson(t.keyedState, [...path, 'keyedState']) : [],
    operatorState,
    timers: t.timers.map((x) => ({
      key: jsonKey(x.key, [...path, 'timers']),
      keyGroup: x.keyGroup,
      timestamp: x.timestamp,
      domain: x.domain,
      ...(x.namespace !== undefined ? { namespace: x.namespace } : {}),
    })),
    inputChannelState: channelsToJson(t.inputChannelState, [...path, 'inputChannelState']),
    outputChannelState: channelsToJson(t.outputChannelState, [...path, 'outputChannelState']),
    stateBytes: t.stateBytes,
    channelStateBytes: t.channelStateBytes,
    ...(t.finished ? { finished: true as const } : {}),
  };
}

/** The checkpoint as snapshot JSON (a fresh object; the checkpoint is not changed). */
export function toSnapshotJson(checkpoint: CompletedCheckpoint): SnapshotJson {
  const operators: OperatorJson[] = [];
  const byUid = new Map<string, OperatorJson>();
  const tasks = [...checkpoint.tasks];
  for (const t of tasks) {
    let op = byUid.get(t.operatorUid);
    if (!op) {
      op = {
        uid: t.operatorUid,
        name: t.operatorName,
        parallelism: t.parallelism,
        maxParallelism: t.maxParallelism,
        subtasks: [],
      };
      byUid.set(t.operatorUid, op);
      operators.push(op);
    }
  }
  operators.forEach((op, i) => {
    const mine = tasks
      .filter((t) => t.operatorUid === op.uid)
      .sort((a, b) => a.subtaskIndex - b.subtaskIndex);
    op.subtasks = mine.map((t, k) => subtaskToJson(t, ['operators', i, 'subtasks', k]));
  });
  return {
    format: SNAPSHOT_FORMAT,
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    job: checkpoint.jobName,
    checkpointId: checkpoint.checkpointId,
    kind: checkpoint.kind,
    mode: checkpoint.mode,
    triggerTime: checkpoint.triggerTime,
    completionTime: checkpoint.completionTime,
    operators,
    statistics: {
      ...structuredClone({ ...checkpoint.stats, failureReason: null }),
      // a completed checkpoint has no failure reason; the file stores text, never a message code
      failureReason: checkpoint.stats.failureReason && renderEnglish(checkpoint.stats.failureReason),
    },
  };
}

/** The snapshot file's text: readable JSON, one keyed-state entry per line. */
export function snapshotToText(checkpoint: CompletedCheckpoint): string {
  return prettyJson(toSnapshotJson(checkpoint)) + '\n';
}

// ------------------------------------------------------------------ import

/**
 * Validates `input` (a parsed JSON value, or the file's text) against the format and the job, and
 * converts it into a CompletedCheckpoint the job can restore from (`MiniClusterOptions.restoreFrom`).
 * Never throws; never returns a checkpoint that the job would restore only in part.
 */
export function fromSnapshotJson(input: unknown, job: JobGraph): SnapshotImportResult {
  try {
    return importSnapshot(input, job);
  } catch (e) {
    // A bug, not a bad file; still an answer rather than an exception (an import must never crash the app).
    return { ok: false, errors: [{ path: '', message: msg('snapshot.internal', { error: String(e) }) }] };
  }
}

function importSnapshot(input: unknown, job: JobGraph): SnapshotImportResult {
  let data = input;
  if (typeof input === 'string') {
    try {
      data = JSON.parse(input) as unknown;
    } catch (e) {
      return {
        ok: false,
        errors: [{ path: '', message: msg('snapshot.not-json', { error: messageOf(e) }) }],
      };
    }
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    return { ok: false, errors: [{ path: '', message: msg('snapshot.not-object') }] };
  const version = (data as { formatVersion?: unknown }).formatVersion;
  if (version !== undefined && typeof version === 'number' && !READABLE_FORMAT_VERSIONS.includes(version))
    return {
      ok: false,
      errors: [
        {
          path: 'formatVersion',
          message: msg('snapshot.format-version', {
            version,
            versions: READABLE_FORMAT_VERSIONS.slice(0, -1).join(', '),
            last: READABLE_FORMAT_VERSIONS[READABLE_FORMAT_VERSIONS.length - 1],
          }),
        },
      ],
    };
  const bad = findNonJson(data);
  if (bad) return { ok: false, errors: [{ path: formatPath(bad.path), message: bad.problem }] };
  if (version === 1) data = migrateV1(data as Record<string, unknown>, job);

  const parsed = SnapshotSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    const errors = parsed.error.issues.map((issue) => ({
      path: formatPath(issue.path as PathSegment[]),
      message: schemaIssue(issue),
    }));
    return { ok: false, errors: cap(errors) };
  }
  const snapshot = parsed.data;
  const errors = validateSnapshotAgainstJob(snapshot, job);
  if (errors.length > 0) return { ok: false, errors: cap(errors) };
  // structuredClone: the checkpoint shares nothing with the caller's object (zod keeps unknown values by reference).
  const copy = structuredClone(snapshot);
  return { ok: true, checkpoint: checkpointFromJson(copy), snapshot: copy };
}

/**
 * Version 1 → 2: version 1 recorded no types. Each keyed state and operator list gets the type the
 * job's operator declares for it now, so the values are then checked against the current job (a state
 * the job does not declare gets GENERIC here and is reported by the validation as undeclared). Works
 * on a copy and only where the shape is as expected: anything else is left for the schema to report.
 */
export function migrateV1(data: Record<string, unknown>, job: JobGraph): Record<string, unknown> {
  const out = structuredClone(data);
  out.formatVersion = SNAPSHOT_FORMAT_VERSION;
  const vertices = new Map(job.vertices.map((v) => [v.uid, v]));
  const declared = new Map<string, ReturnType<typeof declaredState>>();
  const isObj = (x: unknown): x is Record<string, unknown> =>
    x !== null && typeof x === 'object' && !Array.isArray(x);
  if (!Array.isArray(out.operators)) return out;
  for (const op of out.operators as unknown[]) {
    if (!isObj(op) || !Array.isArray(op.subtasks)) continue;
    const v = typeof op.uid === 'string' ? vertices.get(op.uid) : undefined;
    if (v && !declared.has(v.uid)) declared.set(v.uid, declaredState(v));
    const d = v ? declared.get(v.uid) : null;
    for (const st of op.subtasks as unknown[]) {
      if (!isObj(st)) continue;
      if (Array.isArray(st.keyedState))
        for (const ks of st.keyedState as unknown[]) {
          if (!isObj(ks) || 'valueType' in ks || typeof ks.name !== 'string') continue;
          ks.valueType = d?.keyed.get(ks.name)?.valueType.toJson() ?? UNKNOWN_TYPE;
        }
      const os = st.operatorState;
      if (isObj(os) && Array.isArray(os.lists))
        for (const l of os.lists as unknown[]) {
          if (!isObj(l) || 'elementType' in l || typeof l.name !== 'string') continue;
          l.elementType = d?.listTypes.get(l.name)?.toJson() ?? UNKNOWN_TYPE;
        }
    }
  }
  return out;
}

function cap(errors: SnapshotError[]): SnapshotError[] {
  if (errors.length <= MAX_REPORTED_ERRORS) return errors;
  return [
    ...errors.slice(0, MAX_REPORTED_ERRORS),
    { path: '', message: msg('snapshot.more-errors', { n: errors.length - MAX_REPORTED_ERRORS }) },
  ];
}

function recordFromJson(r: ChannelStateJson['records'][number]): PersistedRecord {
  return { value: r.poison ? new PoisonRecord(String(r.value)) : structuredClone(r.value), ts: r.ts };
}

function keyedStateFromJson(st: SubtaskJson, maxParallelism: number): KeyedStateSnapshot | null {
  const range = st.keyGroupRange;
  if (!range) return null;
  const valueTypes: Record<string, TypeInfoJson> = {};
  for (const s of st.keyedState) valueTypes[s.name] = structuredClone(s.valueType);
  const groups = new Map<number, KeyGroupSnapshot>();
  const names = st.keyedState.map((s) => s.name).sort();
  for (const name of names) {
    const s = st.keyedState.find((x) => x.name === name) as KeyedStateJson;
    for (const e of s.entries) {
      const kg = assignToKeyGroup(e.key, maxParallelism);
      let g = groups.get(kg);
      if (!g) {
        g = { keyGroup: kg, states: {} };
        groups.set(kg, g);
      }
      const slot = (g.states[name] ??= s.ttl
        ? { type: s.type as StateType, ttl: true, entries: [] }
        : { type: s.type as StateType, entries: [] });
      slot.entries.push(
        e.namespace === undefined
          ? [e.key as Key, structuredClone(e.value)]
          : [e.key as Key, structuredClone(e.value), e.namespace],
      );
    }
  }
  const keyGroups = [...groups.values()].sort((a, b) => a.keyGroup - b.keyGroup);
  for (const g of keyGroups)
    for (const slot of Object.values(g.states))
      slot.entries.sort((a, b) => compareKeys(a[0], b[0]) || compareNs(a[2], b[2]));
  return { maxParallelism, keyGroupRange: { start: range.start, end: range.end }, keyGroups, valueTypes };
}

function operatorStateFromJson(st: SubtaskJson): OperatorStateSnapshot | null {
  const os = st.operatorState;
  if (!os) return null;
  const out: OperatorStateSnapshot = {};
  if (os.lists) {
    out.lists = {};
    for (const l of os.lists)
      out.lists[l.name] = {
        mode: l.redistribution,
        items: structuredClone(l.items),
        elementType: structuredClone(l.elementType),
      };
  }
  if (os.sourceOffsets) out.sourceOffsets = os.sourceOffsets.splits.map((s) => ({ ...s }));
  if (os.pendingTransactions)
    out.pendingTransactions = os.pendingTransactions.map((p) => ({
      checkpointId: p.checkpointId,
      txn: p.txn,
      rows: structuredClone(p.rows),
    }));
  return out;
}

/** A validated snapshot → the engine's CompletedCheckpoint (the inverse of toSnapshotJson). */
export function checkpointFromJson(snapshot: SnapshotJson): CompletedCheckpoint {
  const tasks: TaskStateSnapshot[] = [];
  for (const op of snapshot.operators) {
    const subtasks = [...op.subtasks].sort((a, b) => a.index - b.index);
    for (const st of subtasks) {
      tasks.push({
        taskId: `${op.uid}#${st.index}`,
        operatorUid: op.uid,
        operatorName: op.name,
        subtaskIndex: st.index,
        parallelism: op.parallelism,
        maxParallelism: op.maxParallelism,
        keyedState: keyedStateFromJson(st, op.maxParallelism),
        operatorState: operatorStateFromJson(st),
        timers: st.timers.map((x) => ({
          key: x.key as Key,
          keyGroup: x.keyGroup,
          timestamp: x.timestamp,
          domain: x.domain,
          ...(x.namespace !== undefined ? { namespace: x.namespace } : {}),
        })),
        inputChannelState: st.inputChannelState.map((cs) => ({
          peer: cs.peer,
          records: cs.records.map(recordFromJson),
        })),
        outputChannelState: st.outputChannelState.map((cs) => ({
          peer: cs.peer,
          records: cs.records.map(recordFromJson),
        })),
        stateBytes: st.stateBytes,
        channelStateBytes: st.channelStateBytes,
        ...(st.finished ? { finished: true } : {}),
      });
    }
  }
  return {
    jobName: snapshot.job,
    checkpointId: snapshot.checkpointId,
    kind: snapshot.kind,
    mode: snapshot.mode,
    triggerTime: snapshot.triggerTime,
    completionTime: snapshot.completionTime,
    tasks,
    stats: {
      ...structuredClone(snapshot.statistics),
      failureReason:
        snapshot.statistics.failureReason === null ? null : text(snapshot.statistics.failureReason),
    },
  };
}

/**
 * A zod issue as a message: its English text, plus what the page needs to say it in another language
 * (code, expected type, the received value's type, bounds, keys). The snapshot schema's own message
 * (`KEY_ERROR`) has a code of its own.
 */
function schemaIssue(issue: z.core.$ZodIssue): Message {
  if (issue.message === KEY_ERROR) return msg('snapshot.key-type');
  const i = issue as unknown as Record<string, unknown>;
  const pick: Record<string, string | number | boolean> = { code: issue.code };
  for (const k of ['expected', 'received', 'origin', 'minimum', 'maximum', 'inclusive', 'format'])
    if (typeof i[k] === 'string' || typeof i[k] === 'number' || typeof i[k] === 'boolean')
      pick[k] = i[k] as string | number | boolean;
  if (typeof i.maximum === 'bigint' || typeof i.minimum === 'bigint')
    for (const k of ['minimum', 'maximum'] as const) if (i[k] !== undefined) pick[k] = String(i[k]);
  if ('input' in i)
    pick.received = i.input === null ? 'null' : Array.isArray(i.input) ? 'array' : typeof i.input;
  if (Array.isArray(i.keys)) pick.keys = (i.keys as unknown[]).map(String).join(', ');
  if (Array.isArray(i.values))
    pick.values = (i.values as unknown[]).map((v) => JSON.stringify(v)).join(' | ');
  return msg('snapshot.schema', { en: issue.message, issue: JSON.stringify(pick) });
}
