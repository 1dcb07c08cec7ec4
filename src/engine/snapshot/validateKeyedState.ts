/**
 * Snapshot validation of a keyed operator's subtask (see validate.ts): its keyed states against what
 * the operator declares (name, kind, time-to-live, a value type the job's descriptor can read: Flink's
 * serializer compatibility), every key in its key group and inside the subtask's range, every value of
 * its state's shape and recorded type (typecheck.ts); and its timers.
 */
import type { JobGraph } from '../api/JobGraph';
import {
  ListTypeInfo,
  MapTypeInfo,
  typeFromJson,
  type TypeInformation,
} from '../api/typeinfo/TypeInformation';
import { assignToKeyGroup } from '../keygroups/KeyGroupRangeAssignment';
import type { Key } from '../keygroups/hashCode';
import { messageOf, msg } from '../messages/Message';
import type { DeclaredState } from './declaredState';
import { fmtKey, list, type Err } from './report';
import type { OperatorJson, SubtaskJson } from './schema';
import { checkKeyedValue, incompatibility } from './typecheck';

/** The recorded type, or null after reporting why it cannot be read. */
export function readType(json: unknown, path: string, err: Err): TypeInformation | null {
  try {
    return typeFromJson(json);
  } catch (e) {
    err(path, messageOf(e));
    return null;
  }
}

export function validateKeyedState(
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

export function validateTimers(
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
