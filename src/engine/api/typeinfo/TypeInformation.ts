/**
 * Flink's `TypeInformation` (org.apache.flink.api.common.typeinfo) for state descriptors: the type of
 * a state's value, which Flink turns into a `TypeSerializer`. A checkpoint records each state's
 * serializer snapshot (`TypeSerializerSnapshot`); on restore the new serializer is asked whether it can
 * read the old one (`TypeSerializerSchemaCompatibility`): compatible as is, compatible after migration
 * (a POJO gained or lost a field), or incompatible (an INT became a STRING) — then the restore fails
 * with Flink's `StateMigrationException` message.
 *
 * Here a value is plain JSON, so the "serializer snapshot" is the type written as JSON (`toJson()`,
 * `typeFromJson()`), and "deserializing with the old serializer" is `check(value)`: a snapshot whose
 * values do not have their recorded type is refused, with the path and both types.
 *
 * LONG is a JavaScript number that is a safe integer (|n| ≤ 2^53−1): JSON numbers beyond that do not
 * survive a round trip exactly, so they are refused rather than silently rounded; strings ("12") and
 * bigints are not LONGs (a bigint is not JSON at all).
 */
import { EngineError, msg, type Message } from '../../messages/Message';

/** The type written into a snapshot (Flink writes a serializer snapshot). */
export type TypeInfoJson =
  | BasicTypeName
  | 'GENERIC'
  | { LIST: TypeInfoJson }
  | { MAP: [TypeInfoJson, TypeInfoJson] }
  | { POJO: string; fields: Record<string, TypeInfoJson> }
  | { ROW: Array<[string, TypeInfoJson]> }
  | { TUPLE: TypeInfoJson[] };

export const BASIC_TYPE_NAMES = [
  'STRING',
  'BOOLEAN',
  'BYTE',
  'SHORT',
  'INT',
  'LONG',
  'FLOAT',
  'DOUBLE',
] as const;
export type BasicTypeName = (typeof BASIC_TYPE_NAMES)[number];

/** Flink's `TypeSerializerSchemaCompatibility`, as a value. */
export type SchemaCompatibility = 'COMPATIBLE_AS_IS' | 'COMPATIBLE_AFTER_MIGRATION' | 'INCOMPATIBLE';

/** A value that does not have its type: where (relative path segments) and why. */
export interface TypeMismatch {
  path: Array<string | number>;
  message: Message;
}

function combine(a: SchemaCompatibility, b: SchemaCompatibility): SchemaCompatibility {
  if (a === 'INCOMPATIBLE' || b === 'INCOMPATIBLE') return 'INCOMPATIBLE';
  if (a === 'COMPATIBLE_AFTER_MIGRATION' || b === 'COMPATIBLE_AFTER_MIGRATION')
    return 'COMPATIBLE_AFTER_MIGRATION';
  return 'COMPATIBLE_AS_IS';
}

/** How a value is named in a message: `string "many"`, `number 2.5`, `an array` (each language words it). */
export function describeValue(v: unknown): Message {
  if (v === null) return msg('value.null');
  if (v === undefined) return msg('value.nothing');
  if (Array.isArray(v)) return msg('value.array');
  switch (typeof v) {
    case 'string': {
      const s = v.length > 40 ? `${v.slice(0, 40)}…` : v;
      return msg('value.string', { value: JSON.stringify(s) });
    }
    case 'number':
      return msg('value.number', { value: String(v) });
    case 'boolean':
      return msg('value.boolean', { value: String(v) });
    case 'bigint':
      return msg('value.bigint', { value: String(v) });
    case 'object':
      return msg('value.object');
    default:
      return msg('value.other', { kind: typeof v });
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * The type of a state value. `T` is the TypeScript type it stands for (a phantom: it lets
 * `new ValueStateDescriptor('count', Types.INT)` infer `ValueStateDescriptor<number>`).
 */
export abstract class TypeInformation<T = unknown> {
  declare readonly __type?: T;
  /** `INT`, `LIST<STRING>`, `POJO<Bounds>{end: LONG, start: LONG}`: how messages name the type. */
  abstract toString(): string;
  /** The Flink serializer this type would use (`IntSerializer`, `PojoSerializer`…), for messages. */
  abstract serializerName(): string;
  abstract toJson(): TypeInfoJson;
  /**
   * Appends every place where `value` is not of this type. `nullable`: null is a valid value here
   * (a POJO field, a map value), as Flink's serializers for those positions write a null marker.
   */
  abstract check(value: unknown, path: Array<string | number>, out: TypeMismatch[], nullable: boolean): void;
  /** Can a serializer of this (new) type read values written with `old`? */
  abstract resolveSchemaCompatibility(old: TypeInformation): SchemaCompatibility;
  /** A value written with `old` as this type (only called when COMPATIBLE_AFTER_MIGRATION). */
  migrate(value: unknown, old: TypeInformation): unknown {
    void old;
    return value;
  }
  /** False only for GENERIC, whose values are not checked (Flink: Kryo serializes whatever it gets). */
  isChecked(): boolean {
    return true;
  }
  /** The first mismatches of `value` (at most `limit`), with paths relative to the value. */
  mismatches(value: unknown, limit = 20): TypeMismatch[] {
    const out: TypeMismatch[] = [];
    this.check(value, [], out, false);
    return out.slice(0, limit);
  }
  equals(other: TypeInformation): boolean {
    return JSON.stringify(this.toJson()) === JSON.stringify(other.toJson());
  }
  protected nullCheck(
    value: unknown,
    path: Array<string | number>,
    out: TypeMismatch[],
    nullable: boolean,
  ): boolean {
    if (value !== null) return false;
    if (!nullable)
      out.push({ path, message: msg('type.expected', { type: this.toString(), got: msg('value.null') }) });
    return true;
  }
}

interface NumberRange {
  min: number;
  max: number;
  integer: boolean;
}

const RANGES: Record<Exclude<BasicTypeName, 'STRING' | 'BOOLEAN'>, NumberRange> = {
  BYTE: { min: -128, max: 127, integer: true },
  SHORT: { min: -32768, max: 32767, integer: true },
  INT: { min: -2147483648, max: 2147483647, integer: true },
  LONG: { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER, integer: true },
  FLOAT: { min: -3.4028234663852886e38, max: 3.4028234663852886e38, integer: false },
  DOUBLE: { min: -Number.MAX_VALUE, max: Number.MAX_VALUE, integer: false },
};

const SERIALIZERS: Record<BasicTypeName, string> = {
  STRING: 'StringSerializer',
  BOOLEAN: 'BooleanSerializer',
  BYTE: 'ByteSerializer',
  SHORT: 'ShortSerializer',
  INT: 'IntSerializer',
  LONG: 'LongSerializer',
  FLOAT: 'FloatSerializer',
  DOUBLE: 'DoubleSerializer',
};

/** Flink's `BasicTypeInfo`: STRING, BOOLEAN and the numbers. */
export class BasicTypeInfo<T> extends TypeInformation<T> {
  constructor(readonly name: BasicTypeName) {
    super();
  }
  toString(): string {
    return this.name;
  }
  serializerName(): string {
    return SERIALIZERS[this.name];
  }
  toJson(): TypeInfoJson {
    return this.name;
  }
  check(value: unknown, path: Array<string | number>, out: TypeMismatch[], nullable: boolean): void {
    if (this.nullCheck(value, path, out, nullable)) return;
    const got = describeValue(value);
    const expected = msg('type.expected', { type: this.name, got });
    if (this.name === 'STRING') {
      if (typeof value !== 'string') out.push({ path, message: expected });
      return;
    }
    if (this.name === 'BOOLEAN') {
      if (typeof value !== 'boolean') out.push({ path, message: expected });
      return;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      out.push({ path, message: expected });
      return;
    }
    const r = RANGES[this.name];
    if (r.integer && !Number.isInteger(value))
      out.push({ path, message: msg('type.not-integer', { type: this.name, got }) });
    else if (value < r.min || value > r.max)
      out.push({
        path,
        message:
          this.name === 'LONG'
            ? msg('type.beyond-long', { type: this.name, got, max: r.max })
            : msg('type.beyond-range', { type: this.name, got, min: r.min, max: r.max }),
      });
  }
  resolveSchemaCompatibility(old: TypeInformation): SchemaCompatibility {
    return old instanceof BasicTypeInfo && old.name === this.name ? 'COMPATIBLE_AS_IS' : 'INCOMPATIBLE';
  }
}

/** Flink's `GenericTypeInfo` (Kryo): any JSON value, not checked. What an untyped descriptor gets. */
export class GenericTypeInfo<T> extends TypeInformation<T> {
  toString(): string {
    return 'GENERIC';
  }
  serializerName(): string {
    return 'KryoSerializer';
  }
  toJson(): TypeInfoJson {
    return 'GENERIC';
  }
  check(): void {}
  override isChecked(): boolean {
    return false;
  }
  resolveSchemaCompatibility(old: TypeInformation): SchemaCompatibility {
    return old instanceof GenericTypeInfo ? 'COMPATIBLE_AS_IS' : 'INCOMPATIBLE';
  }
}

/** Flink's `ListTypeInfo`: an array of elements (no null elements, as ListSerializer). */
export class ListTypeInfo<T> extends TypeInformation<T[]> {
  constructor(readonly elementType: TypeInformation<T>) {
    super();
  }
  toString(): string {
    return `LIST<${this.elementType.toString()}>`;
  }
  serializerName(): string {
    return 'ListSerializer';
  }
  toJson(): TypeInfoJson {
    return { LIST: this.elementType.toJson() };
  }
  check(value: unknown, path: Array<string | number>, out: TypeMismatch[], nullable: boolean): void {
    if (this.nullCheck(value, path, out, nullable)) return;
    if (!Array.isArray(value)) {
      out.push({ path, message: msg('type.expected', { type: this.toString(), got: describeValue(value) }) });
      return;
    }
    value.forEach((el, i) => this.elementType.check(el, [...path, i], out, false));
  }
  resolveSchemaCompatibility(old: TypeInformation): SchemaCompatibility {
    if (!(old instanceof ListTypeInfo)) return 'INCOMPATIBLE';
    return this.elementType.resolveSchemaCompatibility(old.elementType);
  }
  override migrate(value: unknown, old: TypeInformation): unknown {
    if (!Array.isArray(value) || !(old instanceof ListTypeInfo)) return value;
    return value.map((el) => this.elementType.migrate(el, old.elementType));
  }
}

/**
 * Flink's `MapTypeInfo`. In map state the value is an array of `[userKey, userValue]` pairs (how the
 * snapshot writes it); nested in another value it is a plain object whose keys are the map keys' JSON
 * text. Values may be null (MapSerializer writes a null marker), keys may not.
 */
export class MapTypeInfo<K, V> extends TypeInformation<Record<string, V>> {
  declare readonly __keyType?: K;
  constructor(
    readonly keyType: TypeInformation<K>,
    readonly valueType: TypeInformation<V>,
  ) {
    super();
  }
  toString(): string {
    return `MAP<${this.keyType.toString()}, ${this.valueType.toString()}>`;
  }
  serializerName(): string {
    return 'MapSerializer';
  }
  toJson(): TypeInfoJson {
    return { MAP: [this.keyType.toJson(), this.valueType.toJson()] };
  }
  check(value: unknown, path: Array<string | number>, out: TypeMismatch[], nullable: boolean): void {
    if (this.nullCheck(value, path, out, nullable)) return;
    if (!isPlainObject(value)) {
      out.push({
        path,
        message: msg('type.expected-object', { type: this.toString(), got: describeValue(value) }),
      });
      return;
    }
    const stringKeys = this.keyType instanceof BasicTypeInfo && this.keyType.name === 'STRING';
    for (const [k, v] of Object.entries(value)) {
      if (!stringKeys) {
        let parsed: unknown = k;
        try {
          parsed = JSON.parse(k) as unknown;
        } catch {
          // stays a string: the key type reports it
        }
        this.keyType.check(parsed, [...path, k], out, false);
      }
      this.valueType.check(v, [...path, k], out, true);
    }
  }
  /** Checks one `[userKey, userValue]` pair of map state. */
  checkEntry(pair: [unknown, unknown], path: Array<string | number>, out: TypeMismatch[]): void {
    this.keyType.check(pair[0], [...path, 0], out, false);
    this.valueType.check(pair[1], [...path, 1], out, true);
  }
  resolveSchemaCompatibility(old: TypeInformation): SchemaCompatibility {
    if (!(old instanceof MapTypeInfo)) return 'INCOMPATIBLE';
    return combine(
      this.keyType.resolveSchemaCompatibility(old.keyType),
      this.valueType.resolveSchemaCompatibility(old.valueType),
    );
  }
  override migrate(value: unknown, old: TypeInformation): unknown {
    if (!isPlainObject(value) || !(old instanceof MapTypeInfo)) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[k] = v === null ? null : this.valueType.migrate(v, old.valueType);
    return out;
  }
}

/**
 * Flink's `PojoTypeInfo`: a plain object with named fields, each of its own type; fields may be null.
 * Schema evolution as Flink's PojoSerializer: a field added or removed is COMPATIBLE_AFTER_MIGRATION
 * (a new field starts as null, a removed one is dropped); a field whose type changed, or another
 * class name, is INCOMPATIBLE.
 */
export class PojoTypeInfo<T> extends TypeInformation<T> {
  readonly fields: ReadonlyMap<string, TypeInformation>;
  constructor(
    readonly className: string,
    fields: Record<string, TypeInformation>,
  ) {
    super();
    if (typeof className !== 'string' || className.length === 0)
      throw new Error('Types.POJO needs the class name');
    // Flink's PojoTypeInfo orders fields by name.
    this.fields = new Map(
      Object.keys(fields)
        .sort()
        .map((k) => [k, fields[k]]),
    );
  }
  toString(): string {
    const f = [...this.fields].map(([k, t]) => `${k}: ${t.toString()}`).join(', ');
    return `POJO<${this.className}>{${f}}`;
  }
  serializerName(): string {
    return 'PojoSerializer';
  }
  toJson(): TypeInfoJson {
    const fields: Record<string, TypeInfoJson> = {};
    for (const [k, t] of this.fields) fields[k] = t.toJson();
    return { POJO: this.className, fields };
  }
  check(value: unknown, path: Array<string | number>, out: TypeMismatch[], nullable: boolean): void {
    if (this.nullCheck(value, path, out, nullable)) return;
    if (!isPlainObject(value)) {
      out.push({ path, message: msg('type.expected', { type: this.toString(), got: describeValue(value) }) });
      return;
    }
    for (const [k, t] of this.fields) {
      if (!(k in value))
        out.push({ path, message: msg('type.field-missing', { type: this.toString(), field: k }) });
      else t.check(value[k], [...path, k], out, true);
    }
    for (const k of Object.keys(value))
      if (!this.fields.has(k))
        out.push({
          path: [...path, k],
          message: msg('type.pojo-no-field', {
            cls: this.className,
            field: k,
            fields: [...this.fields.keys()].join(', '),
          }),
        });
  }
  resolveSchemaCompatibility(old: TypeInformation): SchemaCompatibility {
    if (!(old instanceof PojoTypeInfo) || old.className !== this.className) return 'INCOMPATIBLE';
    let result: SchemaCompatibility = 'COMPATIBLE_AS_IS';
    for (const [k, t] of this.fields) {
      const was = old.fields.get(k);
      if (was === undefined) result = combine(result, 'COMPATIBLE_AFTER_MIGRATION');
      else result = combine(result, t.resolveSchemaCompatibility(was));
    }
    for (const k of old.fields.keys())
      if (!this.fields.has(k)) result = combine(result, 'COMPATIBLE_AFTER_MIGRATION');
    return result;
  }
  override migrate(value: unknown, old: TypeInformation): unknown {
    if (!isPlainObject(value) || !(old instanceof PojoTypeInfo)) return value;
    const out: Record<string, unknown> = {};
    for (const [k, t] of this.fields) {
      const was = old.fields.get(k);
      const v = k in value ? value[k] : null;
      out[k] = was === undefined ? null : v === null ? null : t.migrate(v, was);
    }
    return out;
  }
}

/**
 * Flink's `RowTypeInfo` with field names (`Types.ROW_NAMED`), written as an object by field name;
 * fields may be null. Flink's RowSerializer snapshot is positional: another number of fields, or
 * another field type, is INCOMPATIBLE (rows have no schema evolution; POJOs do). Renaming a field is
 * INCOMPATIBLE here too, since the lab writes rows by name.
 */
export class RowTypeInfo extends TypeInformation<Record<string, unknown>> {
  constructor(
    readonly fieldNames: readonly string[],
    readonly fieldTypes: readonly TypeInformation[],
  ) {
    super();
    if (fieldNames.length !== fieldTypes.length)
      throw new Error(`Types.ROW_NAMED: ${fieldNames.length} names but ${fieldTypes.length} types`);
    if (new Set(fieldNames).size !== fieldNames.length)
      throw new Error(`Types.ROW_NAMED: field names must be unique, got ${fieldNames.join(', ')}`);
  }
  toString(): string {
    return `ROW<${this.fieldNames.map((n, i) => `${n}: ${this.fieldTypes[i].toString()}`).join(', ')}>`;
  }
  serializerName(): string {
    return 'RowSerializer';
  }
  toJson(): TypeInfoJson {
    return { ROW: this.fieldNames.map((n, i) => [n, this.fieldTypes[i].toJson()] as [string, TypeInfoJson]) };
  }
  check(value: unknown, path: Array<string | number>, out: TypeMismatch[], nullable: boolean): void {
    if (this.nullCheck(value, path, out, nullable)) return;
    if (!isPlainObject(value)) {
      out.push({ path, message: msg('type.expected', { type: this.toString(), got: describeValue(value) }) });
      return;
    }
    this.fieldNames.forEach((n, i) => {
      if (!(n in value))
        out.push({ path, message: msg('type.field-missing', { type: this.toString(), field: n }) });
      else this.fieldTypes[i].check(value[n], [...path, n], out, true);
    });
    for (const k of Object.keys(value))
      if (!this.fieldNames.includes(k))
        out.push({ path: [...path, k], message: msg('type.no-field', { type: this.toString(), field: k }) });
  }
  resolveSchemaCompatibility(old: TypeInformation): SchemaCompatibility {
    if (!(old instanceof RowTypeInfo) || old.fieldNames.length !== this.fieldNames.length)
      return 'INCOMPATIBLE';
    let result: SchemaCompatibility = 'COMPATIBLE_AS_IS';
    this.fieldNames.forEach((n, i) => {
      if (old.fieldNames[i] !== n) result = 'INCOMPATIBLE';
      else result = combine(result, this.fieldTypes[i].resolveSchemaCompatibility(old.fieldTypes[i]));
    });
    return result;
  }
  override migrate(value: unknown, old: TypeInformation): unknown {
    if (!isPlainObject(value) || !(old instanceof RowTypeInfo)) return value;
    const out: Record<string, unknown> = {};
    this.fieldNames.forEach((n, i) => {
      const v = value[n];
      out[n] = v === null || v === undefined ? null : this.fieldTypes[i].migrate(v, old.fieldTypes[i]);
    });
    return out;
  }
}

/** Flink's `TupleTypeInfo`: a fixed-length array, each position of its type (no nulls). */
export class TupleTypeInfo<T extends unknown[]> extends TypeInformation<T> {
  constructor(readonly types: readonly TypeInformation[]) {
    super();
  }
  toString(): string {
    return `TUPLE<${this.types.map((t) => t.toString()).join(', ')}>`;
  }
  serializerName(): string {
    return 'TupleSerializer';
  }
  toJson(): TypeInfoJson {
    return { TUPLE: this.types.map((t) => t.toJson()) };
  }
  check(value: unknown, path: Array<string | number>, out: TypeMismatch[], nullable: boolean): void {
    if (this.nullCheck(value, path, out, nullable)) return;
    if (!Array.isArray(value) || value.length !== this.types.length) {
      out.push({
        path,
        message: msg('type.expected-array-of', {
          type: this.toString(),
          n: this.types.length,
          got: Array.isArray(value) ? msg('value.array-of', { n: value.length }) : describeValue(value),
        }),
      });
      return;
    }
    this.types.forEach((t, i) => t.check(value[i], [...path, i], out, false));
  }
  resolveSchemaCompatibility(old: TypeInformation): SchemaCompatibility {
    if (!(old instanceof TupleTypeInfo) || old.types.length !== this.types.length) return 'INCOMPATIBLE';
    return this.types.reduce<SchemaCompatibility>(
      (acc, t, i) => combine(acc, t.resolveSchemaCompatibility(old.types[i])),
      'COMPATIBLE_AS_IS',
    );
  }
  override migrate(value: unknown, old: TypeInformation): unknown {
    if (!Array.isArray(value) || !(old instanceof TupleTypeInfo)) return value;
    return value.map((v, i) => this.types[i].migrate(v, old.types[i]));
  }
}

/** Reads a type written by `toJson()`; throws an Error naming what is wrong. */
export function typeFromJson(json: unknown): TypeInformation {
  if (typeof json === 'string') {
    if (json === 'GENERIC') return new GenericTypeInfo();
    if ((BASIC_TYPE_NAMES as readonly string[]).includes(json))
      return new BasicTypeInfo(json as BasicTypeName);
    throw new EngineError(msg('type.json-unknown', { json: JSON.stringify(json) }));
  }
  if (!isPlainObject(json)) throw new EngineError(msg('type.json-not-type', { got: describeValue(json) }));
  if ('LIST' in json) return new ListTypeInfo(typeFromJson(json.LIST));
  if ('MAP' in json) {
    const kv = json.MAP;
    if (!Array.isArray(kv) || kv.length !== 2)
      throw new EngineError(msg('type.json-shape', { shape: 'MAP: [keyType, valueType]' }));
    return new MapTypeInfo(typeFromJson(kv[0]), typeFromJson(kv[1]));
  }
  if ('POJO' in json) {
    const fields = json.fields;
    if (typeof json.POJO !== 'string' || !isPlainObject(fields))
      throw new EngineError(
        msg('type.json-shape', { shape: '{ "POJO": className, "fields": { name: type } }' }),
      );
    const f: Record<string, TypeInformation> = {};
    for (const [k, v] of Object.entries(fields)) f[k] = typeFromJson(v);
    return new PojoTypeInfo(json.POJO, f);
  }
  if ('ROW' in json) {
    const row = json.ROW;
    if (!Array.isArray(row))
      throw new EngineError(msg('type.json-shape', { shape: 'ROW: [[name, type], ...]' }));
    const names: string[] = [];
    const types: TypeInformation[] = [];
    for (const f of row as unknown[]) {
      if (!Array.isArray(f) || f.length !== 2 || typeof f[0] !== 'string')
        throw new EngineError(msg('type.json-shape', { shape: 'ROW field: [name, type]' }));
      names.push(f[0]);
      types.push(typeFromJson(f[1]));
    }
    return new RowTypeInfo(names, types);
  }
  if ('TUPLE' in json) {
    if (!Array.isArray(json.TUPLE))
      throw new EngineError(msg('type.json-shape', { shape: 'TUPLE: [type, ...]' }));
    return new TupleTypeInfo((json.TUPLE as unknown[]).map(typeFromJson));
  }
  throw new EngineError(msg('type.json-unknown', { json: JSON.stringify(json) }));
}

/**
 * Flink's check when a restored state is registered again (HeapKeyedStateBackend /
 * RocksDBKeyedStateBackend `tryRegister…`): the message of the StateMigrationException thrown when
 * the new serializer is incompatible with the old one.
 */
export function incompatibleSerializerMessage(
  backend: 'heap' | 'rocksdb' | 'operator',
  newType: TypeInformation,
  oldType: TypeInformation,
): Message {
  return msg('type.incompatible-serializer', {
    heap: backend === 'heap',
    element: backend === 'operator',
    newSerializer: newType.serializerName(),
    newType: newType.toString(),
    oldSerializer: oldType.serializerName(),
    oldType: oldType.toString(),
  });
}

/** Flink's `org.apache.flink.util.StateMigrationException`. */
export class StateMigrationException extends EngineError {
  override readonly name = 'StateMigrationException';
}
