/**
 * Flink's `org.apache.flink.api.common.typeinfo.Types`: the type of a state's value, given to its
 * descriptor (`new ValueStateDescriptor('count', Types.INT)`). The names are Flink's; what each
 * accepts in a snapshot (JSON) is in docs/snapshot-format.md.
 */
import {
  BasicTypeInfo,
  GenericTypeInfo,
  ListTypeInfo,
  MapTypeInfo,
  PojoTypeInfo,
  RowTypeInfo,
  TupleTypeInfo,
  type TypeInformation,
} from './TypeInformation';

type TypesOf<T extends unknown[]> = { [K in keyof T]: TypeInformation<T[K]> };

export const Types = {
  STRING: new BasicTypeInfo<string>('STRING'),
  BOOLEAN: new BasicTypeInfo<boolean>('BOOLEAN'),
  BYTE: new BasicTypeInfo<number>('BYTE'),
  SHORT: new BasicTypeInfo<number>('SHORT'),
  /** A 32-bit signed integer: −2147483648..2147483647. */
  INT: new BasicTypeInfo<number>('INT'),
  /** A 64-bit integer, here limited to JavaScript's safe integers (|n| ≤ 2^53−1), see TypeInformation.ts. */
  LONG: new BasicTypeInfo<number>('LONG'),
  FLOAT: new BasicTypeInfo<number>('FLOAT'),
  DOUBLE: new BasicTypeInfo<number>('DOUBLE'),
  /** `Types.LIST(Types.STRING)`: Flink's ListTypeInfo. */
  LIST<E>(elementType: TypeInformation<E>): TypeInformation<E[]> {
    return new ListTypeInfo(elementType);
  },
  /** `Types.MAP(Types.STRING, Types.INT)`: Flink's MapTypeInfo. */
  MAP<K, V>(keyType: TypeInformation<K>, valueType: TypeInformation<V>): MapTypeInfo<K, V> {
    return new MapTypeInfo(keyType, valueType);
  },
  /**
   * `Types.POJO('SessionBounds', { start: Types.LONG, end: Types.LONG, events: Types.INT })`: Flink's
   * `Types.POJO(SessionBounds.class, fields)`. A class name instead of a class (TypeScript has none at
   * run time); fields can be added or removed between savepoints, as with Flink's PojoSerializer.
   */
  POJO<T extends object>(
    className: string,
    fields: { [K in keyof T]: TypeInformation<T[K]> },
  ): TypeInformation<T> {
    return new PojoTypeInfo<T>(className, fields as Record<string, TypeInformation>);
  },
  /** `Types.ROW_NAMED(['word', 'count'], Types.STRING, Types.INT)`: a row with named fields. */
  ROW_NAMED(fieldNames: string[], ...types: TypeInformation[]): TypeInformation<Record<string, unknown>> {
    return new RowTypeInfo(fieldNames, types);
  },
  /** `Types.TUPLE(Types.INT, Types.STRING)`: a fixed-length array (Flink's Tuple2…). */
  TUPLE<T extends unknown[]>(...types: TypesOf<T>): TypeInformation<T> {
    return new TupleTypeInfo<T>(types as TypeInformation[]);
  },
  /**
   * Flink's `Types.GENERIC(Class)` (Kryo): values are not checked on restore. What a descriptor built
   * without a type gets — prefer a real type.
   */
  GENERIC<T = unknown>(): TypeInformation<T> {
    return new GenericTypeInfo<T>();
  },
} as const;
