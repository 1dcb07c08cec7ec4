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
import { createStreamOperator } from '../runtime/StreamOperatorFactory';
import { HeapKeyedStateBackend } from '../state/HeapKeyedStateBackend';
import type { KeyedStateBackend } from '../state/KeyedStateBackend';
import type { OperatorStateMode } from '../state/OperatorStateBackend';
import type { StateDescriptor, StateType } from '../state/StateDescriptor';
import {
  GenericTypeInfo,
  ListTypeInfo,
  MapTypeInfo,
  typeFromJson,
  type TypeInformation,
} from '../api/typeinfo/TypeInformation';
import type { SnapshotError } from './convert';
import { messageOf, msg, type Message } from '../messages/Message';
import { checkKeyedValue, checkListItems, incompatibility } from './typecheck';
import type { OperatorJson, SnapshotJson, SubtaskJson } from './schema';

function fmtKey(key: unknown): string {
  return JSON.stringify(key) ?? String(key);
}

function list(items: readonly string[]): string | Message {
  return items.length === 0 ? msg('snapshot.none') : items.join(', ');
}

/** What an operator registers when it starts (null: unknown, because its functions threw). */
export interface DeclaredState {
  /** Keyed states by name (keyed operators; empty map otherwise), with the descriptor's value type. */
  keyed: Map<string, { type: StateType; ttl: boolean; valueType: TypeInformation }>;
  /** CheckpointedFunction list states by name, with their redistribution mode. */
  lists: Map<string, OperatorStateMode>;
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
    const op = createStreamOperator({
      taskId: `${vertex.uid}#probe`,
      vertex,
      subtaskIndex: 0,
      attemptNumber: 0,
      transactionScope: 'probe',
      keyedBackend: backend,
      now: () => 0,
      currentTimestamp: () => null,
      emit: () => {},
      output: () => {},
      external: new ExternalSystem(),
      trace: () => {},
      traceTxn: () => {},
      registerTimer: () => {},
      deleteTimer: () => {},
      currentWatermark: () => Number.NEGATIVE_INFINITY,
    });
    op.initializeState(null);
    op.open();
    const lists = new Map<string, OperatorStateMode>();
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
  const err: Err = (path, message) => errors.push({ path, message });

  if (snapshot.completionTime < snapshot.triggerTime)
    err(
      'completionTime',
      msg('snapshot.completion-before-trigger', {
        completion: snapshot.completionTime,
        trigger: snapshot.triggerTime,
      }),
    );
  if (snapshot.statistics.id !== snapshot.checkpointId)
    err(
      'statistics.id',
      msg('snapshot.statistics-id', {
        statisticsId: snapshot.statistics.id,
        checkpointId: snapshot.checkpointId,
      }),
    );

  const vertices = new Map(job.vertices.map((v) => [v.uid, v]));
  const seen = new Map<string, number>();
  snapshot.operators.forEach((op, i) => {
    const p = `operators[${i}]`;
    const v = vertices.get(op.uid);
    if (!v) {
      err(
        `${p}.uid`,
        msg('snapshot.unknown-operator', {
          uid: op.uid,
          job: job.name,
          operators: list([...vertices.keys()]),
        }),
      );
      return;
    }
    const first = seen.get(op.uid);
    if (first !== undefined) {
      err(`${p}.uid`, msg('snapshot.operator-twice', { uid: op.uid, first }));
      return;
    }
    seen.set(op.uid, i);
    validateOperator(job, snapshot, op, v, p, err);
  });
  for (const v of job.vertices) {
    if (!seen.has(v.uid)) err('operators', msg('snapshot.operator-missing', { uid: v.uid, name: v.name }));
  }
  return errors;
}

/** Reports a problem at a path; `message` is a message code (src/engine/messages/en.ts). */
type Err = (path: string, message: Message) => void;

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
      msg('snapshot.max-parallelism', { maxP, jobMaxP: v.maxParallelism, uid: op.uid }),
    );
    keyGroupsComparable = false;
  }
  if (op.parallelism > maxP)
    err(`${p}.parallelism`, msg('snapshot.parallelism-above-max', { parallelism: op.parallelism, maxP }));
  if (op.subtasks.length !== op.parallelism)
    err(
      `${p}.subtasks`,
      msg('snapshot.subtask-count', { count: op.subtasks.length, parallelism: op.parallelism }),
    );
  const indexSeen = new Map<number, number>();
  op.subtasks.forEach((st, k) => {
    if (st.index >= op.parallelism)
      err(
        `${p}.subtasks[${k}].index`,
        msg('snapshot.subtask-index', { index: st.index, parallelism: op.parallelism }),
      );
    const other = indexSeen.get(st.index);
    if (other !== undefined)
      err(`${p}.subtasks[${k}].index`, msg('snapshot.subtask-twice', { index: st.index, other }));
    else indexSeen.set(st.index, k);
  });

  const keyed = v.keySelector !== null;
  const declared = declaredState(v);
  const ranges: Array<{ k: number; start: number; end: number }> = [];
  op.subtasks.forEach((st, k) => {
    const sp = `${p}.subtasks[${k}]`;
    if (!keyed) {
      if (st.keyGroupRange !== null)
        err(`${sp}.keyGroupRange`, msg('snapshot.not-keyed-range', { uid: op.uid }));
      if (st.keyedState.length > 0) err(`${sp}.keyedState`, msg('snapshot.not-keyed-state', { uid: op.uid }));
    } else if (st.keyGroupRange === null) {
      err(`${sp}.keyGroupRange`, msg('snapshot.keyed-needs-range', { uid: op.uid }));
    } else {
      const { start, end } = st.keyGroupRange;
      let ok = true;
      if (start < 0) {
        err(`${sp}.keyGroupRange`, msg('snapshot.range-negative', { start }));
        ok = false;
      }
      if (start > maxP - 1) {
        err(`${sp}.keyGroupRange`, msg('snapshot.range-beyond', { value: start, maxP, last: maxP - 1 }));
        ok = false;
      }
      if (end > maxP - 1) {
        err(`${sp}.keyGroupRange`, msg('snapshot.range-beyond', { value: end, maxP, last: maxP - 1 }));
        ok = false;
      }
      if (start > end) {
        err(`${sp}.keyGroupRange`, msg('snapshot.range-reversed', { start, end }));
        ok = false;
      }
      if (ok) ranges.push({ k, start, end });
      if (keyGroupsComparable) {
        validateKeyedState(job, st, op, sp, ok ? { start, end } : null, declared?.keyed ?? null, err);
        validateTimers(st, op, sp, ok ? { start, end } : null, err);
      }
    }
    if (!keyed && st.timers.length > 0)
      err(`${sp}.timers`, msg('snapshot.not-keyed-timers', { uid: op.uid }));
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
        err(`${p}.subtasks`, msg('snapshot.key-groups-uncovered', { from: next, to: r.start - 1 }));
      else if (r.start < next && prev)
        err(
          `${p}.subtasks[${r.k}].keyGroupRange`,
          msg('snapshot.range-overlap', {
            start: r.start,
            end: r.end,
            other: prev.k,
            otherStart: prev.start,
            otherEnd: prev.end,
          }),
        );
      if (r.end + 1 > next) {
        next = r.end + 1;
        prev = r;
      }
    }
    if (next < maxP) err(`${p}.subtasks`, msg('snapshot.key-groups-uncovered', { from: next, to: maxP - 1 }));
  }

  validateSourceCoverage(op, v, p, err);
}

/** The recorded type, or null after reporting why it cannot be read. */
function readType(json: unknown, path: string, err: Err): TypeInformation | null {
  try {
    return typeFromJson(json);
  } catch (e) {
    err(path, messageOf(e));
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
    if (other !== undefined) err(`${stp}.name`, msg('snapshot.state-twice', { name: state.name, other }));
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
              msg('snapshot.what-keyed-state', { name: state.name, uid: op.uid }),
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
          msg('snapshot.state-undeclared', {
            uid: op.uid,
            name: state.name,
            declared: list([...declared.keys()]),
          }),
        );
      else if (d.type !== state.type)
        err(
          `${stp}.type`,
          msg('snapshot.state-kind', { name: state.name, jobType: d.type, fileType: state.type }),
        );
      else if (d.ttl !== ttl)
        err(
          `${stp}`,
          d.ttl
            ? msg('snapshot.state-needs-ttl', { name: state.name })
            : msg('snapshot.state-no-ttl', { name: state.name }),
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
        msg('snapshot.value-type-shape', {
          stateType: state.type,
          shape: state.type === 'list' ? '{ "LIST": T }' : '{ "MAP": [K, V] }',
          recorded: recorded.toString(),
        }),
      );
      typeOk = false;
    }
    const keys = new Map<string, number>();
    const errorCount = { n: 0 };
    const counted: Err = (path, message) => {
      errorCount.n++;
      err(path, message);
    };
    let typeErrors = 0;
    state.entries.forEach((e, x) => {
      const ep = `${stp}.entries[${x}]`;
      const key = e.key as Key;
      // One entry per (key, namespace): a window's state is a namespace of its own.
      const id = `${typeof key}:${String(key)}/${e.namespace ?? ''}`;
      const dup = keys.get(id);
      if (dup !== undefined)
        err(`${ep}.key`, msg('snapshot.key-twice', { key: fmtKey(key), name: state.name, other: dup }));
      else keys.set(id, x);
      const kg = assignToKeyGroup(key, op.maxParallelism);
      if (e.keyGroup !== kg)
        err(
          `${ep}.keyGroup`,
          msg('snapshot.key-group', { key: fmtKey(key), keyGroup: kg, fileKeyGroup: e.keyGroup }),
        );
      else if (range && (kg < range.start || kg > range.end))
        err(
          `${ep}.key`,
          msg('snapshot.key-outside-range', {
            key: fmtKey(key),
            keyGroup: kg,
            start: range.start,
            end: range.end,
          }),
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
  if (!ok) err(path, msg('snapshot.ttl-value'));
  return ok;
}

function validateValueShape(type: string, ttl: boolean, value: unknown, path: string, err: Err): void {
  switch (type) {
    case 'list':
      if (!Array.isArray(value)) err(path, msg('snapshot.list-value'));
      else if (ttl) value.every((el, i) => checkTtlValue(el, `${path}[${i}]`, err));
      return;
    case 'map': {
      if (!Array.isArray(value)) {
        err(path, msg('snapshot.map-value'));
        return;
      }
      const seen = new Set<unknown>();
      value.forEach((pair: unknown, i) => {
        if (!Array.isArray(pair) || pair.length !== 2) {
          err(`${path}[${i}]`, msg('snapshot.map-entry'));
          return;
        }
        const uk: unknown = pair[0];
        if (typeof uk !== 'string' && typeof uk !== 'number') {
          err(`${path}[${i}][0]`, msg('snapshot.map-user-key'));
          return;
        }
        if (seen.has(uk)) err(`${path}[${i}][0]`, msg('snapshot.user-key-twice', { key: fmtKey(uk) }));
        seen.add(uk);
        if (ttl) checkTtlValue(pair[1], `${path}[${i}][1]`, err);
      });
      return;
    }
    default:
      if (value === null) err(path, msg('snapshot.null-value', { type }));
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
      err(
        `${tp}.keyGroup`,
        msg('snapshot.key-group', { key: fmtKey(t.key), keyGroup: kg, fileKeyGroup: t.keyGroup }),
      );
    else if (range && (kg < range.start || kg > range.end))
      err(
        `${tp}.key`,
        msg('snapshot.key-outside-range', {
          key: fmtKey(t.key),
          keyGroup: kg,
          start: range.start,
          end: range.end,
        }),
      );
    const id = `${t.domain}:${typeof t.key}:${String(t.key)}@${t.timestamp}/${t.namespace ?? ''}`;
    const other = seen.get(id);
    if (other !== undefined) err(tp, msg('snapshot.timer-twice', { other }));
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
    err(`${sp}.operatorState.sourceOffsets`, msg('snapshot.offsets-not-source', { uid: op.uid }));
  if (os?.pendingTransactions && !is2pc)
    err(`${sp}.operatorState.pendingTransactions`, msg('snapshot.transactions-not-2pc', { uid: op.uid }));
  if (isSource && !os?.sourceOffsets)
    err(`${sp}.operatorState`, msg('snapshot.source-needs-offsets', { uid: op.uid }));
  if (is2pc && !os?.pendingTransactions)
    err(`${sp}.operatorState`, msg('snapshot.2pc-needs-transactions', { uid: op.uid }));
  const names = new Map<string, number>();
  (os?.lists ?? []).forEach((l, i) => {
    const lp = `${sp}.operatorState.lists[${i}]`;
    const other = names.get(l.name);
    if (other !== undefined) err(`${lp}.name`, msg('snapshot.list-twice', { name: l.name, other }));
    names.set(l.name, i);
    const recorded = readType(l.elementType, `${lp}.elementType`, err);
    const jobType = declared?.listTypes.get(l.name);
    const why =
      recorded !== null && jobType !== undefined
        ? incompatibility(
            'operator',
            msg('snapshot.what-operator-state', { name: l.name, uid: op.uid }),
            jobType,
            recorded,
          )
        : null;
    if (why !== null) err(`${lp}.elementType`, why);
    else if (recorded !== null) checkListItems(recorded, l.items, `${lp}.items`, err);
    if (!declaredLists) return;
    const mode = declaredLists.get(l.name);
    if (mode === undefined)
      err(
        `${lp}.name`,
        msg('snapshot.list-unregistered', {
          uid: op.uid,
          name: l.name,
          registered: list([...declaredLists.keys()]),
        }),
      );
    else if (mode !== l.redistribution)
      err(
        `${lp}.redistribution`,
        msg('snapshot.list-mode', { name: l.name, jobMode: mode, fileMode: l.redistribution }),
      );
  });

  if (isSource && os?.sourceOffsets && v.spec.kind === 'source') {
    const so = os.sourceOffsets;
    if (so.redistribution !== 'union')
      err(
        `${sp}.operatorState.sourceOffsets.redistribution`,
        msg('snapshot.offsets-union', { mode: so.redistribution }),
      );
    const log = v.spec.log;
    so.splits.forEach((s, i) => {
      const xp = `${sp}.operatorState.sourceOffsets.splits[${i}]`;
      if (s.partition >= log.numPartitions)
        err(
          `${xp}.partition`,
          msg('snapshot.no-partition', {
            topic: log.topic,
            partition: s.partition,
            count: log.numPartitions,
          }),
        );
      else if (s.offset > log.partitions[s.partition].length)
        err(
          `${xp}.offset`,
          msg('snapshot.offset-beyond', {
            offset: s.offset,
            partition: s.partition,
            topic: log.topic,
            length: log.partitions[s.partition].length,
          }),
        );
    });
  }
  if (is2pc && os?.pendingTransactions) {
    os.pendingTransactions.forEach((t, i) => {
      if (t.checkpointId > snapshot.checkpointId)
        err(
          `${sp}.operatorState.pendingTransactions[${i}].checkpointId`,
          msg('snapshot.transaction-after', { id: t.checkpointId, checkpointId: snapshot.checkpointId }),
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
        err(`${xp}.partition`, msg('snapshot.partition-twice', { partition: s.partition, other }));
      else where.set(s.partition, xp);
    });
  });
  if (!complete) return;
  const missing = range(log.numPartitions).filter((n) => !where.has(n));
  if (missing.length > 0)
    err(
      `${p}.subtasks`,
      msg('snapshot.partitions-without-offset', {
        count: missing.length,
        partitions: missing.join(', '),
        topic: log.topic,
      }),
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
        msg('snapshot.channel-rescale', { uid: op.uid, fileP: op.parallelism, jobP: v.parallelism }),
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
          msg(relation === 'upstream' ? 'snapshot.channel-not-upstream' : 'snapshot.channel-not-downstream', {
            peer: cs.peer,
            task: me,
            peers: list([...peers.keys()]),
          }),
        );
        return;
      }
      const other = seen.get(cs.peer);
      if (other !== undefined)
        err(`${cp}.peer`, msg('snapshot.channel-twice', { peer: cs.peer, side, other }));
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
              msg('snapshot.channel-routing', {
                key: fmtKey(key),
                actual: `${peer.receiver.uid}#${idx}`,
                expected: `${peer.receiver.uid}#${peer.receiverIndex}`,
              }),
            );
        } catch (e) {
          err(`${cp}.records[${i}].value`, msg('snapshot.channel-key-selector', { error: messageOf(e) }));
        }
      });
    });
  }
}
