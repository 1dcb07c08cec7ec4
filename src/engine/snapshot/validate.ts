/**
 * Semantic validation of a snapshot (already shaped by the schema) against the job it is restored
 * into. Everything that would make the engine restore only part of the snapshot, or restore it wrongly,
 * is an error naming the path:
 *
 * - operators match by uid: an unknown uid, a uid twice, or a job operator missing from the file;
 * - maxParallelism must match the job (the number of key groups cannot change); parallelism may differ
 *   (rescaling), but then the file must have one subtask per index 0..parallelism−1;
 * - key-group ranges: keyed operators only, inside 0..maxParallelism−1, covering every key group once;
 * - each key: in the key group its hash gives, inside its subtask's range, once per state; list and
 *   map values have their shape; state names and types match what the operator declares in `open()`;
 * - TTL: a state with a time-to-live in the job has `ttl: true` and `{ value, lastAccess }` values;
 * - types: every value has the type its state records (`valueType`, `elementType`), and the job's
 *   descriptor type can read that type (Flink's serializer compatibility; typecheck.ts);
 * - operator state: list states with the names and redistribution modes the operator registers; source
 *   offsets only on sources (every partition once, within the log); pending transactions only on
 *   two-phase-commit sinks;
 * - timers: keyed operators only, each in its key's key group, inside the subtask's range, once;
 * - channel state: only between tasks the job connects, records routed to the right subtask, and not
 *   when the operator's parallelism changes (in-flight records are not redistributed).
 */
import type { JobEdge, JobGraph, JobVertex } from '../api/JobGraph';
import { ExternalSystem } from '../connectors/ExternalSystem';
import {
  assignKeyToParallelOperator,
  assignToKeyGroup,
  computeKeyGroupRangeForOperatorIndex,
} from '../keygroups/KeyGroupRangeAssignment';
import type { Key } from '../keygroups/hashCode';
import { createOperator } from '../runtime/operators';
import { HeapKeyedStateBackend } from '../state/HeapKeyedStateBackend';
import type { KeyedStateBackend } from '../state/KeyedStateBackend';
import type { StateDescriptor, StateType } from '../state/StateDescriptor';
import {
  GenericTypeInfo,
  ListTypeInfo,
  MapTypeInfo,
  typeFromJson,
  type TypeInformation,
} from '../api/typeinfo/TypeInformation';
import type { SnapshotError } from './convert';
import { checkKeyedValue, checkListItems, incompatibility } from './typecheck';
import type { OperatorJson, SnapshotJson, SubtaskJson } from './schema';

function fmtKey(key: unknown): string {
  return JSON.stringify(key) ?? String(key);
}

function list(items: readonly string[]): string {
  return items.length === 0 ? 'none' : items.join(', ');
}

/** What an operator registers when it starts (null: unknown, because its functions threw). */
export interface DeclaredState {
  /** Keyed states by name (keyed operators; empty map otherwise), with the descriptor's value type. */
  keyed: Map<string, { type: StateType; ttl: boolean; valueType: TypeInformation }>;
  /** CheckpointedFunction list states by name, with their redistribution mode. */
  lists: Map<string, 'split' | 'union'>;
  /** The element type of each CheckpointedFunction list state. */
  listTypes: Map<string, TypeInformation>;
}

/**
 * The states an operator declares, found by starting a throwaway instance of it: keyed state handles
 * and operator list states are registered in `initializeState()` / `open()`, as in Flink. Null when
 * that throws (the checks that need it are skipped then).
 */
export function declaredState(vertex: JobVertex): DeclaredState | null {
  const keyed = new Map<string, { type: StateType; ttl: boolean; valueType: TypeInformation }>();
  try {
    let backend: KeyedStateBackend | null = null;
    if (vertex.keySelector) {
      const real = new HeapKeyedStateBackend(
        vertex.maxParallelism,
        computeKeyGroupRangeForOperatorIndex(vertex.maxParallelism, vertex.parallelism, 0),
      );
      backend = new Proxy(real, {
        get(target, prop) {
          if (prop === 'getPartitionedState')
            return (d: StateDescriptor) => {
              keyed.set(d.name, {
                type: d.type,
                ttl: d.getTtlConfig() !== null,
                valueType: d.getValueType(),
              });
              return target.getPartitionedState(d);
            };
          const v = Reflect.get(target, prop, target) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      }) as unknown as KeyedStateBackend;
    }
    const op = createOperator({
      taskId: `${vertex.uid}#probe`,
      vertex,
      subtaskIndex: 0,
      attemptNumber: 0,
      transactionScope: 'probe',
      keyedBackend: backend,
      now: () => 0,
      currentTimestamp: () => null,
      emit: () => {},
      external: new ExternalSystem(),
      trace: () => {},
      traceTxn: () => {},
      registerTimer: () => {},
      deleteTimer: () => {},
      currentWatermark: () => Number.NEGATIVE_INFINITY,
    });
    op.initializeState(null);
    op.open();
    const lists = new Map<string, 'split' | 'union'>();
    const listTypes = new Map<string, TypeInformation>();
    const snap = op.snapshotState(0);
    for (const [name, l] of Object.entries(snap?.lists ?? {})) {
      lists.set(name, l.mode);
      listTypes.set(name, l.elementType === undefined ? new GenericTypeInfo() : typeFromJson(l.elementType));
    }
    return { keyed, lists, listTypes };
  } catch {
    return null;
  }
}

interface Peer {
  edge: JobEdge;
  /** The receiving subtask's operator and index (whose key groups a hash-partitioned record must hit). */
  receiver: JobVertex;
  receiverIndex: number;
}

/** Upstream (input) and downstream (output) tasks of `<vertex.uid>#<index>` in the job, by task id. */
function neighbours(job: JobGraph, vertex: JobVertex, index: number) {
  const inputs = new Map<string, Peer>();
  for (const e of vertex.inputs) {
    const from = e.partitioner === 'forward' ? [index] : range(e.source.parallelism);
    for (const j of from)
      inputs.set(`${e.source.uid}#${j}`, { edge: e, receiver: vertex, receiverIndex: index });
  }
  const outputs = new Map<string, Peer>();
  for (const w of job.vertices) {
    for (const e of w.inputs) {
      if (e.source !== vertex) continue;
      const to = e.partitioner === 'forward' ? [index] : range(w.parallelism);
      for (const j of to) outputs.set(`${w.uid}#${j}`, { edge: e, receiver: w, receiverIndex: j });
    }
  }
  return { inputs, outputs };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

export function validateSnapshotAgainstJob(snapshot: SnapshotJson, job: JobGraph): SnapshotError[] {
  const errors: SnapshotError[] = [];
  const err = (path: string, message: string) => errors.push({ path, message });

  if (snapshot.completionTime < snapshot.triggerTime)
    err('completionTime', `${snapshot.completionTime} is before triggerTime ${snapshot.triggerTime}`);
  if (snapshot.statistics.id !== snapshot.checkpointId)
    err('statistics.id', `${snapshot.statistics.id} does not match checkpointId ${snapshot.checkpointId}`);

  const vertices = new Map(job.vertices.map((v) => [v.uid, v]));
  const seen = new Map<string, number>();
  snapshot.operators.forEach((op, i) => {
    const p = `operators[${i}]`;
    const v = vertices.get(op.uid);
    if (!v) {
      err(
        `${p}.uid`,
        `'${op.uid}' is not an operator of job '${job.name}' (its operators: ${list([...vertices.keys()])})`,
      );
      return;
    }
    const first = seen.get(op.uid);
    if (first !== undefined) {
      err(`${p}.uid`, `'${op.uid}' appears twice (also operators[${first}])`);
      return;
    }
    seen.set(op.uid, i);
    validateOperator(job, snapshot, op, v, p, err);
  });
  for (const v of job.vertices) {
    if (!seen.has(v.uid))
      err('operators', `the job's operator '${v.uid}' (${v.name}) is missing from the snapshot`);
  }
  return errors;
}

type Err = (path: string, message: string) => void;

function validateOperator(
  job: JobGraph,
  snapshot: SnapshotJson,
  op: OperatorJson,
  v: JobVertex,
  p: string,
  err: Err,
): void {
  const maxP = op.maxParallelism;
  let keyGroupsComparable = true;
  if (maxP !== v.maxParallelism) {
    err(
      `${p}.maxParallelism`,
      `${maxP} does not match the job's maxParallelism ${v.maxParallelism} for '${op.uid}': the number of key groups cannot change`,
    );
    keyGroupsComparable = false;
  }
  if (op.parallelism > maxP) err(`${p}.parallelism`, `${op.parallelism} exceeds maxParallelism ${maxP}`);
  if (op.subtasks.length !== op.parallelism)
    err(`${p}.subtasks`, `has ${op.subtasks.length} subtasks but parallelism is ${op.parallelism}`);
  const indexSeen = new Map<number, number>();
  op.subtasks.forEach((st, k) => {
    if (st.index >= op.parallelism)
      err(`${p}.subtasks[${k}].index`, `${st.index} is not below parallelism ${op.parallelism}`);
    const other = indexSeen.get(st.index);
    if (other !== undefined)
      err(`${p}.subtasks[${k}].index`, `subtask ${st.index} appears twice (also subtasks[${other}])`);
    else indexSeen.set(st.index, k);
  });

  const keyed = v.keySelector !== null;
  const declared = declaredState(v);
  const ranges: Array<{ k: number; start: number; end: number }> = [];
  op.subtasks.forEach((st, k) => {
    const sp = `${p}.subtasks[${k}]`;
    if (!keyed) {
      if (st.keyGroupRange !== null)
        err(`${sp}.keyGroupRange`, `operator '${op.uid}' is not keyed: its key-group range must be null`);
      if (st.keyedState.length > 0)
        err(`${sp}.keyedState`, `operator '${op.uid}' is not keyed: it cannot hold keyed state`);
    } else if (st.keyGroupRange === null) {
      err(`${sp}.keyGroupRange`, `operator '${op.uid}' is keyed: a key-group range is required`);
    } else {
      const { start, end } = st.keyGroupRange;
      let ok = true;
      if (start < 0) {
        err(`${sp}.keyGroupRange`, `start ${start} is negative`);
        ok = false;
      }
      if (start > maxP - 1) {
        err(
          `${sp}.keyGroupRange`,
          `${start} is beyond maxParallelism ${maxP} (key groups are 0..${maxP - 1})`,
        );
        ok = false;
      }
      if (end > maxP - 1) {
        err(`${sp}.keyGroupRange`, `${end} is beyond maxParallelism ${maxP} (key groups are 0..${maxP - 1})`);
        ok = false;
      }
      if (start > end) {
        err(`${sp}.keyGroupRange`, `start ${start} is after end ${end}`);
        ok = false;
      }
      if (ok) ranges.push({ k, start, end });
      if (keyGroupsComparable) {
        validateKeyedState(job, st, op, sp, ok ? { start, end } : null, declared?.keyed ?? null, err);
        validateTimers(st, op, sp, ok ? { start, end } : null, err);
      }
    }
    if (!keyed && st.timers.length > 0)
      err(`${sp}.timers`, `operator '${op.uid}' is not keyed: it cannot have timers`);
    validateOperatorState(snapshot, op, v, st, sp, declared, err);
    validateChannelState(job, op, v, st, sp, err);
  });

  // Coverage: every key group of 0..maxP−1 in exactly one subtask's range.
  if (keyed && keyGroupsComparable && ranges.length === op.subtasks.length && ranges.length > 0) {
    ranges.sort((a, b) => a.start - b.start || a.k - b.k);
    let next = 0;
    let prev: { k: number; start: number; end: number } | null = null;
    for (const r of ranges) {
      if (r.start > next)
        err(`${p}.subtasks`, `key groups ${next}..${r.start - 1} are not covered by any subtask`);
      else if (r.start < next && prev)
        err(
          `${p}.subtasks[${r.k}].keyGroupRange`,
          `${r.start}..${r.end} overlaps subtasks[${prev.k}].keyGroupRange ${prev.start}..${prev.end}`,
        );
      if (r.end + 1 > next) {
        next = r.end + 1;
        prev = r;
      }
    }
    if (next < maxP) err(`${p}.subtasks`, `key groups ${next}..${maxP - 1} are not covered by any subtask`);
  }

  validateSourceCoverage(op, v, p, err);
}

/** The recorded type, or null after reporting why it cannot be read. */
function readType(json: unknown, path: string, err: Err): TypeInformation | null {
  try {
    return typeFromJson(json);
  } catch (e) {
    err(path, (e as Error).message);
    return null;
  }
}

function validateKeyedState(
  job: JobGraph,
  st: SubtaskJson,
  op: OperatorJson,
  sp: string,
  range: { start: number; end: number } | null,
  declared: DeclaredState['keyed'] | null,
  err: Err,
): void {
  const names = new Map<string, number>();
  st.keyedState.forEach((state, s) => {
    const stp = `${sp}.keyedState[${s}]`;
    const other = names.get(state.name);
    if (other !== undefined)
      err(`${stp}.name`, `state '${state.name}' appears twice (also keyedState[${other}])`);
    else names.set(state.name, s);
    const ttl = state.ttl === true;
    const recorded = readType(state.valueType, `${stp}.valueType`, err);
    let typeOk = recorded !== null;
    if (declared) {
      const d = declared.get(state.name);
      const why =
        d !== undefined && recorded !== null && d.type === state.type
          ? incompatibility(
              job.stateBackend.stateBackend,
              `state '${state.name}' of operator '${op.uid}'`,
              d.valueType,
              recorded,
            )
          : null;
      if (why !== null) {
        err(`${stp}.valueType`, why);
        typeOk = false;
      }
      if (d === undefined)
        err(
          `${stp}.name`,
          `operator '${op.uid}' declares no state '${state.name}' (it declares: ${list([...declared.keys()])})`,
        );
      else if (d.type !== state.type)
        err(`${stp}.type`, `state '${state.name}' is ${d.type} state in the job, not ${state.type}`);
      else if (d.ttl !== ttl)
        err(
          `${stp}`,
          d.ttl
            ? `state '${state.name}' has a time-to-live in the job: the snapshot needs ttl: true and { value, lastAccess } values`
            : `state '${state.name}' has no time-to-live in the job, but the snapshot has ttl: true`,
        );
    }
    // List state holds LIST<T>, map state MAP<K, V>: said once here rather than at every entry.
    const shapeOf = { list: ListTypeInfo, map: MapTypeInfo } as const;
    const needed = state.type === 'list' || state.type === 'map' ? shapeOf[state.type] : null;
    const jobKind = declared?.get(state.name)?.type ?? state.type;
    if (jobKind !== state.type) typeOk = false; // reported above; its values cannot be read either way
    if (
      typeOk &&
      recorded !== null &&
      needed !== null &&
      recorded.isChecked() &&
      !(recorded instanceof needed)
    ) {
      err(
        `${stp}.valueType`,
        `a ${state.type} state's valueType is ${state.type === 'list' ? '{ "LIST": T }' : '{ "MAP": [K, V] }'}, not ${recorded.toString()}`,
      );
      typeOk = false;
    }
    const keys = new Map<Key, number>();
    const errorCount = { n: 0 };
    const counted: Err = (path, message) => {
      errorCount.n++;
      err(path, message);
    };
    let typeErrors = 0;
    state.entries.forEach((e, x) => {
      const ep = `${stp}.entries[${x}]`;
      const key = e.key as Key;
      const dup = keys.get(key);
      if (dup !== undefined)
        err(`${ep}.key`, `key ${fmtKey(key)} appears twice in state '${state.name}' (also entries[${dup}])`);
      else keys.set(key, x);
      const kg = assignToKeyGroup(key, op.maxParallelism);
      if (e.keyGroup !== kg)
        err(`${ep}.keyGroup`, `key ${fmtKey(key)} is in key group ${kg}, not ${e.keyGroup}`);
      else if (range && (kg < range.start || kg > range.end))
        err(
          `${ep}.key`,
          `key ${fmtKey(key)} (key group ${kg}) lies outside this subtask's key-group range ${range.start}..${range.end}`,
        );
      const before = errorCount.n;
      validateValueShape(state.type, ttl, e.value, `${ep}.value`, counted);
      // Values are read with the recorded type, as Flink reads them with the restored serializer.
      if (typeOk && recorded !== null && errorCount.n === before) {
        if (checkKeyedValue(state.type, ttl, recorded, e.value, `${ep}.value`, err) > 0) typeErrors++;
        if (typeErrors >= 20) typeOk = false; // enough said about this state
      }
    });
  });
}

/** `{ value, lastAccess }`: a value of a state with a time-to-live. */
function checkTtlValue(v: unknown, path: string, err: Err): boolean {
  const ok =
    v !== null &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    'value' in v &&
    typeof (v as { lastAccess?: unknown }).lastAccess === 'number' &&
    Object.keys(v).length === 2;
  if (!ok) err(path, 'a value of a state with a time-to-live is { "value": ..., "lastAccess": ms }');
  return ok;
}

function validateValueShape(type: string, ttl: boolean, value: unknown, path: string, err: Err): void {
  switch (type) {
    case 'list':
      if (!Array.isArray(value)) err(path, 'a list state value is an array of elements');
      else if (ttl) value.every((el, i) => checkTtlValue(el, `${path}[${i}]`, err));
      return;
    case 'map': {
      if (!Array.isArray(value)) {
        err(path, 'a map state value is an array of [userKey, userValue] pairs');
        return;
      }
      const seen = new Set<unknown>();
      value.forEach((pair: unknown, i) => {
        if (!Array.isArray(pair) || pair.length !== 2) {
          err(`${path}[${i}]`, 'a map entry is a [userKey, userValue] pair');
          return;
        }
        const uk: unknown = pair[0];
        if (typeof uk !== 'string' && typeof uk !== 'number') {
          err(`${path}[${i}][0]`, 'a map user key is a string or a number');
          return;
        }
        if (seen.has(uk)) err(`${path}[${i}][0]`, `user key ${fmtKey(uk)} appears twice`);
        seen.add(uk);
        if (ttl) checkTtlValue(pair[1], `${path}[${i}][1]`, err);
      });
      return;
    }
    default:
      if (value === null) err(path, `a ${type} state holds no null (a cleared key has no entry)`);
      else if (ttl) checkTtlValue(value, path, err);
  }
}

function validateTimers(
  st: SubtaskJson,
  op: OperatorJson,
  sp: string,
  range: { start: number; end: number } | null,
  err: Err,
): void {
  const seen = new Map<string, number>();
  st.timers.forEach((t, i) => {
    const tp = `${sp}.timers[${i}]`;
    const kg = assignToKeyGroup(t.key as Key, op.maxParallelism);
    if (t.keyGroup !== kg)
      err(`${tp}.keyGroup`, `key ${fmtKey(t.key)} is in key group ${kg}, not ${t.keyGroup}`);
    else if (range && (kg < range.start || kg > range.end))
      err(
        `${tp}.key`,
        `key ${fmtKey(t.key)} (key group ${kg}) lies outside this subtask's key-group range ${range.start}..${range.end}`,
      );
    const id = `${t.domain}:${typeof t.key}:${String(t.key)}@${t.timestamp}`;
    const other = seen.get(id);
    if (other !== undefined) err(tp, `the same timer appears twice (also timers[${other}])`);
    else seen.set(id, i);
  });
}

function validateOperatorState(
  snapshot: SnapshotJson,
  op: OperatorJson,
  v: JobVertex,
  st: SubtaskJson,
  sp: string,
  declared: DeclaredState | null,
  err: Err,
): void {
  const declaredLists = declared?.lists ?? null;
  const isSource = v.spec.kind === 'source';
  const is2pc = v.spec.kind === 'sink' && v.spec.sink.sinkKind === 'two-phase-commit';
  const os = st.operatorState;
  if (os?.sourceOffsets && !isSource)
    err(`${sp}.operatorState.sourceOffsets`, `operator '${op.uid}' is not a source`);
  if (os?.pendingTransactions && !is2pc)
    err(`${sp}.operatorState.pendingTransactions`, `operator '${op.uid}' is not a two-phase-commit sink`);
  if (isSource && !os?.sourceOffsets)
    err(`${sp}.operatorState`, `source '${op.uid}' needs its sourceOffsets (where to resume reading)`);
  if (is2pc && !os?.pendingTransactions)
    err(`${sp}.operatorState`, `two-phase-commit sink '${op.uid}' needs its pendingTransactions`);
  const names = new Map<string, number>();
  (os?.lists ?? []).forEach((l, i) => {
    const lp = `${sp}.operatorState.lists[${i}]`;
    const other = names.get(l.name);
    if (other !== undefined)
      err(`${lp}.name`, `operator state '${l.name}' appears twice (also lists[${other}])`);
    names.set(l.name, i);
    const recorded = readType(l.elementType, `${lp}.elementType`, err);
    const jobType = declared?.listTypes.get(l.name);
    const why =
      recorded !== null && jobType !== undefined
        ? incompatibility('operator', `operator state '${l.name}' of operator '${op.uid}'`, jobType, recorded)
        : null;
    if (why !== null) err(`${lp}.elementType`, why);
    else if (recorded !== null) checkListItems(recorded, l.items, `${lp}.items`, err);
    if (!declaredLists) return;
    const mode = declaredLists.get(l.name);
    if (mode === undefined)
      err(
        `${lp}.name`,
        `operator '${op.uid}' registers no operator state '${l.name}' (it registers: ${list([...declaredLists.keys()])})`,
      );
    else if (mode !== l.redistribution)
      err(`${lp}.redistribution`, `'${l.name}' is ${mode} list state in the job, not ${l.redistribution}`);
  });

  if (isSource && os?.sourceOffsets && v.spec.kind === 'source') {
    const so = os.sourceOffsets;
    if (so.redistribution !== 'union')
      err(
        `${sp}.operatorState.sourceOffsets.redistribution`,
        `the source restores its offsets as union list state (every subtask sees every offset and takes its partitions), not '${so.redistribution}'`,
      );
    const log = v.spec.log;
    so.splits.forEach((s, i) => {
      const xp = `${sp}.operatorState.sourceOffsets.splits[${i}]`;
      if (s.partition >= log.numPartitions)
        err(
          `${xp}.partition`,
          `log '${log.topic}' has no partition ${s.partition} (it has ${log.numPartitions})`,
        );
      else if (s.offset > log.partitions[s.partition].length)
        err(
          `${xp}.offset`,
          `${s.offset} is beyond the end of partition ${s.partition} of log '${log.topic}' (${log.partitions[s.partition].length} records)`,
        );
    });
  }
  if (is2pc && os?.pendingTransactions) {
    os.pendingTransactions.forEach((t, i) => {
      if (t.checkpointId > snapshot.checkpointId)
        err(
          `${sp}.operatorState.pendingTransactions[${i}].checkpointId`,
          `${t.checkpointId} is after the snapshot's checkpoint ${snapshot.checkpointId}`,
        );
    });
  }
}

/** Every partition of a source's log has exactly one offset across the operator's subtasks. */
function validateSourceCoverage(op: OperatorJson, v: JobVertex, p: string, err: Err): void {
  if (v.spec.kind !== 'source') return;
  const log = v.spec.log;
  const where = new Map<number, string>();
  let complete = true;
  op.subtasks.forEach((st, k) => {
    const splits = st.operatorState?.sourceOffsets?.splits;
    if (!splits) {
      complete = false;
      return;
    }
    splits.forEach((s, i) => {
      const xp = `${p}.subtasks[${k}].operatorState.sourceOffsets.splits[${i}]`;
      const other = where.get(s.partition);
      if (other !== undefined)
        err(`${xp}.partition`, `partition ${s.partition} appears twice (also ${other})`);
      else where.set(s.partition, xp);
    });
  });
  if (!complete) return;
  const missing = range(log.numPartitions).filter((n) => !where.has(n));
  if (missing.length > 0)
    err(
      `${p}.subtasks`,
      `partition${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of log '${log.topic}' ${missing.length > 1 ? 'have' : 'has'} no offset in the snapshot`,
    );
}

function validateChannelState(
  job: JobGraph,
  op: OperatorJson,
  v: JobVertex,
  st: SubtaskJson,
  sp: string,
  err: Err,
): void {
  const total = st.inputChannelState.length + st.outputChannelState.length;
  if (total === 0) return;
  const hasRecords = [...st.inputChannelState, ...st.outputChannelState].some((c) => c.records.length > 0);
  if (op.parallelism !== v.parallelism) {
    if (hasRecords)
      err(
        `${sp}.${st.inputChannelState.some((c) => c.records.length > 0) ? 'inputChannelState' : 'outputChannelState'}`,
        `in-flight records cannot be restored when the parallelism of '${op.uid}' changes (snapshot ${op.parallelism}, job ${v.parallelism})`,
      );
    return;
  }
  if (st.index >= v.parallelism) return; // reported as an index error
  const { inputs, outputs } = neighbours(job, v, st.index);
  const me = `${op.uid}#${st.index}`;
  for (const [side, states, peers, relation] of [
    ['inputChannelState', st.inputChannelState, inputs, 'upstream'],
    ['outputChannelState', st.outputChannelState, outputs, 'downstream'],
  ] as const) {
    const seen = new Map<string, number>();
    states.forEach((cs, c) => {
      const cp = `${sp}.${side}[${c}]`;
      const peer = peers.get(cs.peer);
      if (!peer) {
        err(
          `${cp}.peer`,
          `'${cs.peer}' is not an ${relation} task of ${me} (${relation}: ${list([...peers.keys()])})`,
        );
        return;
      }
      const other = seen.get(cs.peer);
      if (other !== undefined) err(`${cp}.peer`, `'${cs.peer}' appears twice (also ${side}[${other}])`);
      seen.set(cs.peer, c);
      const edge = peer.edge;
      if (edge.partitioner !== 'hash' || !edge.keySelector) return;
      const selector = edge.keySelector;
      cs.records.forEach((r, i) => {
        if (r.poison) return;
        try {
          const key = selector(r.value);
          const idx = assignKeyToParallelOperator(
            key,
            peer.receiver.maxParallelism,
            peer.receiver.parallelism,
          );
          if (idx !== peer.receiverIndex)
            err(
              `${cp}.records[${i}].value`,
              `its key ${fmtKey(key)} is routed to ${peer.receiver.uid}#${idx}, not ${peer.receiver.uid}#${peer.receiverIndex}`,
            );
        } catch (e) {
          err(`${cp}.records[${i}].value`, `the job's key selector fails on it: ${(e as Error).message}`);
        }
      });
    });
  }
}
