/**
 * The type checks a restore makes, shared by the JSON import (validate.ts) and the restore of an
 * engine checkpoint (checkpointing/Checkpoints.ts), so both refuse the same values with the same words:
 *
 * - every value is read with the type its snapshot recorded (Flink deserializes with the restored
 *   serializer): `…entries[0].value: expected INT, got string "many"`;
 * - the job's descriptor type must be able to read the recorded one (Flink's
 *   TypeSerializerSchemaCompatibility): incompatible → Flink's StateMigrationException message.
 */
import type { StateBackendName } from '../api/JobGraph';
import {
  ListTypeInfo,
  MapTypeInfo,
  incompatibleSerializerMessage,
  type TypeInformation,
  type TypeMismatch,
} from '../api/typeinfo/TypeInformation';
import type { StateType } from '../state/StateDescriptor';
import { formatPath, type PathSegment } from './json';
import { msg, type Message } from '../messages/Message';

type Err = (path: string, message: Message) => void;

/** `base` + relative segments: `x.value` + `[2, 'start']` → `x.value[2].start`. */
export function appendPath(base: string, rel: readonly PathSegment[]): string {
  if (rel.length === 0) return base;
  const tail = formatPath(rel);
  return tail.startsWith('[') ? base + tail : `${base}.${tail}`;
}

/** At most this many type errors are collected per state (a wrong type is usually wrong everywhere). */
const PER_STATE_LIMIT = 20;

/**
 * Checks one key's value of a keyed state (its shape — array, pairs, `{ value, lastAccess }` — was
 * checked before) against the state's recorded type. Returns how many errors it reported.
 */
export function checkKeyedValue(
  stateType: StateType | string,
  ttl: boolean,
  type: TypeInformation,
  value: unknown,
  path: string,
  err: Err,
): number {
  if (!type.isChecked()) return 0;
  const out: TypeMismatch[] = [];
  const inner = (v: unknown, p: PathSegment[], check: (x: unknown, q: PathSegment[]) => void) => {
    if (ttl) check((v as { value: unknown }).value, [...p, 'value']);
    else check(v, p);
  };
  if (stateType === 'list' && type instanceof ListTypeInfo && Array.isArray(value)) {
    value.forEach((el, i) => inner(el, [i], (x, q) => type.elementType.check(x, q, out, false)));
  } else if (stateType === 'map' && type instanceof MapTypeInfo && Array.isArray(value)) {
    value.forEach((pair: unknown, i) => {
      if (!Array.isArray(pair) || pair.length !== 2) return;
      type.keyType.check(pair[0], [i, 0], out, false);
      inner(pair[1], [i, 1], (x, q) => type.valueType.check(x, q, out, true));
    });
  } else if (stateType === 'list' || stateType === 'map') {
    // A list/map state whose recorded type is not a LIST/MAP: the value as a whole cannot be read.
    out.push({ path: [], message: msg('type.state-cannot-hold', { stateType, type: type.toString() }) });
  } else {
    inner(value, [], (x, q) => type.check(x, q, out, false));
  }
  for (const m of out.slice(0, PER_STATE_LIMIT)) err(appendPath(path, m.path), m.message);
  return out.length;
}

/** Checks the elements of an operator list state against their recorded type. */
export function checkListItems(
  type: TypeInformation,
  items: readonly unknown[],
  path: string,
  err: Err,
): number {
  if (!type.isChecked()) return 0;
  const out: TypeMismatch[] = [];
  items.forEach((v, i) => type.check(v, [i], out, false));
  for (const m of out.slice(0, PER_STATE_LIMIT)) err(appendPath(path, m.path), m.message);
  return out.length;
}

/**
 * Null when the job's type can read the recorded one (as is or after migration), else the refusal in
 * Flink's words (what the backend throws when the state is registered), with both types.
 */
export function incompatibility(
  backend: StateBackendName | 'operator',
  what: Message,
  jobType: TypeInformation,
  recorded: TypeInformation,
): Message | null {
  if (jobType.resolveSchemaCompatibility(recorded) !== 'INCOMPATIBLE') return null;
  const b = backend === 'hashmap' ? 'heap' : backend;
  return msg('snapshot.type-incompatible', {
    what,
    detail: incompatibleSerializerMessage(b, jobType, recorded),
    jobType: jobType.toString(),
    recorded: recorded.toString(),
  });
}
