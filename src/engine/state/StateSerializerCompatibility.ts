/**
 * What both keyed backends do when a restored state is registered by a descriptor (Flink's
 * `tryRegisterStateTable` / `tryRegisterKvStateInformation`): the descriptor's type must be able to
 * read the restored values. Compatible as is: nothing to do. Compatible after migration (a POJO gained
 * or lost a field): every value is rewritten with the new type. Incompatible: Flink's
 * StateMigrationException. A restored state without a recorded type (written before types existed)
 * takes the descriptor's type: its values were checked against it before the restore
 * (checkpointing/Checkpoints.ts).
 */
import {
  ListTypeInfo,
  MapTypeInfo,
  StateMigrationException,
  incompatibleSerializerMessage,
  typeFromJson,
  type TypeInfoJson,
  type TypeInformation,
} from '../api/typeinfo/TypeInformation';
import type { StateType } from './StateDescriptor';
import type { TtlValue } from './ttl/TtlValue';
import { msg } from '../messages/Message';

export type ValueTypes = Record<string, TypeInfoJson>;

/** The recorded type of `name`, or null when none was recorded (or it cannot be read). */
export function recordedType(valueTypes: ValueTypes | undefined, name: string): TypeInformation | null {
  const json = valueTypes?.[name];
  if (json === undefined) return null;
  try {
    return typeFromJson(json);
  } catch {
    return null;
  }
}

/**
 * Resolves the new type against the restored one. Returns null when the values stay as they are, or
 * a function that migrates one element (a value, a list element, a map value; TTL-wrapped or not).
 */
export function resolveRegistration(
  backend: 'heap' | 'rocksdb',
  name: string,
  stateType: StateType,
  ttl: boolean,
  newType: TypeInformation,
  oldType: TypeInformation | null,
): ((element: unknown) => unknown) | null {
  if (oldType === null) return null;
  const compat = newType.resolveSchemaCompatibility(oldType);
  if (compat === 'COMPATIBLE_AS_IS') return null;
  if (compat === 'INCOMPATIBLE')
    throw new StateMigrationException(
      msg('state.incompatible', { name, detail: incompatibleSerializerMessage(backend, newType, oldType) }),
    );
  // Migrate at the granularity values are stored: list elements, map values, else the whole value.
  let to = newType;
  let from = oldType;
  if (stateType === 'list' && to instanceof ListTypeInfo && from instanceof ListTypeInfo) {
    to = to.elementType;
    from = from.elementType;
  } else if (stateType === 'map' && to instanceof MapTypeInfo && from instanceof MapTypeInfo) {
    to = to.valueType;
    from = from.valueType;
  }
  const t = to;
  const f = from;
  const one = (v: unknown) => (v === null ? null : t.migrate(v, f));
  if (!ttl) return one;
  return (tv: unknown) => {
    const w = tv as TtlValue;
    return { value: one(w.value), lastAccess: w.lastAccess };
  };
}
