/**
 * State descriptors (Flink's `StateDescriptor` family): a name, unique per operator, the type of the
 * value (`TypeInformation`, e.g. `new ValueStateDescriptor('count', Types.INT)`), plus what the backend
 * needs to create the state (default value, reduce or aggregate function) and, optionally, a
 * time-to-live (`enableTimeToLive`, see `ttl/StateTtlConfig.ts`).
 *
 * The type is recorded in every checkpoint (as Flink records the serializer snapshot) and checked on
 * restore: values must have it, and a changed type must be compatible (api/typeinfo/TypeInformation.ts).
 * A descriptor built without a type (the lab's older constructors, kept so existing code compiles;
 * Flink's `Class<T>` constructor falls back to Kryo the same way) gets `Types.GENERIC()`, whose
 * values are NOT checked: give every descriptor a type.
 */
import { GenericTypeInfo, ListTypeInfo, MapTypeInfo, TypeInformation } from '../api/typeinfo/TypeInformation';
import type { StateTtlConfig } from './ttl/StateTtlConfig';

export type StateType = 'value' | 'list' | 'map' | 'reducing' | 'aggregating';

/** Flink's `ReduceFunction`: an object with `reduce`, or simply a function. */
export type ReduceFunction<T> = { reduce(a: T, b: T): T } | ((a: T, b: T) => T);

/** Flink's `AggregateFunction`. `add` and `merge` may mutate and return their accumulator argument. */
export interface AggregateFunction<IN, ACC, OUT> {
  createAccumulator(): ACC;
  add(value: IN, accumulator: ACC): ACC;
  getResult(accumulator: ACC): OUT;
  merge(a: ACC, b: ACC): ACC;
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new Error(`A state descriptor needs a non-empty name, got ${JSON.stringify(name)}`);
  }
  return name;
}

export abstract class StateDescriptor {
  readonly name: string;
  abstract readonly type: StateType;
  private ttlConfig: StateTtlConfig | null = null;

  protected constructor(name: string) {
    this.name = checkName(name);
  }

  /**
   * The type of what the state holds per key, as the checkpoint records it: value / reducing state T,
   * aggregating state the accumulator, list state LIST<T>, map state MAP<UK, UV>.
   */
  abstract getValueType(): TypeInformation;

  /**
   * Flink's `enableTimeToLive`: values of this state expire `ttl` ms (processing time) after their
   * last write (or access, with OnReadAndWrite). Call before the state is first requested.
   */
  enableTimeToLive(ttlConfig: StateTtlConfig): this {
    if (ttlConfig === null || ttlConfig === undefined || typeof ttlConfig.isEnabled !== 'function') {
      throw new Error(`enableTimeToLive on "${this.name}" needs a StateTtlConfig`);
    }
    if (!ttlConfig.isEnabled()) {
      throw new Error(`The update type cannot be Disabled when enabling TTL (state "${this.name}").`);
    }
    this.ttlConfig = ttlConfig;
    return this;
  }

  /** The TTL configuration, or `null` when TTL is not enabled. */
  getTtlConfig(): StateTtlConfig | null {
    return this.ttlConfig;
  }

  toString(): string {
    return `${this.constructor.name}{name=${this.name}, type=${this.type}, valueType=${this.getValueType().toString()}}`;
  }
}

function typeArg<T>(name: string, t: unknown, what: string): TypeInformation<T> {
  if (t === undefined) return new GenericTypeInfo<T>();
  if (!(t instanceof TypeInformation))
    throw new Error(
      `State descriptor "${name}": ${what} must be a TypeInformation (Types.INT, ...), got ${String(t)}`,
    );
  return t as TypeInformation<T>;
}

export class ValueStateDescriptor<T> extends StateDescriptor {
  readonly type = 'value' as const;
  /**
   * Flink's deprecated default value: `value()` returns a copy of it while the key has no value.
   * `null` when none was given.
   */
  readonly defaultValue: T | null;
  readonly typeInfo: TypeInformation<T>;

  /** Flink's `ValueStateDescriptor(name, typeInfo)` (and the deprecated one with a default value). */
  constructor(name: string, typeInfo: TypeInformation<T>, defaultValue?: T);
  /** Untyped (GENERIC, values not checked on restore): kept for older code, prefer the typed form. */
  constructor(name: string, defaultValue?: T);
  constructor(name: string, typeOrDefault?: TypeInformation<T> | T, defaultValue?: T) {
    super(name);
    if (typeOrDefault instanceof TypeInformation) {
      this.typeInfo = typeOrDefault as TypeInformation<T>;
      this.defaultValue = defaultValue === undefined ? null : defaultValue;
    } else {
      this.typeInfo = new GenericTypeInfo<T>();
      this.defaultValue = typeOrDefault === undefined ? null : (typeOrDefault as T);
    }
  }

  getValueType(): TypeInformation {
    return this.typeInfo;
  }
}

export class ListStateDescriptor<T> extends StateDescriptor {
  readonly type = 'list' as const;
  /** Type-only marker so `StateOf` can infer `T`; never set. */
  declare readonly __elementType?: T;
  readonly elementTypeInfo: TypeInformation<T>;

  /** Flink's `ListStateDescriptor(name, elementTypeInfo)`; without it GENERIC (not checked). */
  constructor(name: string, elementTypeInfo?: TypeInformation<T>) {
    super(name);
    this.elementTypeInfo = typeArg<T>(name, elementTypeInfo, 'the element type');
  }

  getValueType(): TypeInformation {
    return new ListTypeInfo(this.elementTypeInfo);
  }
}

export class MapStateDescriptor<UK extends string | number, UV> extends StateDescriptor {
  readonly type = 'map' as const;
  /** Type-only markers so `StateOf` can infer `UK` and `UV`; never set. */
  declare readonly __userKeyType?: UK;
  declare readonly __userValueType?: UV;
  readonly keyTypeInfo: TypeInformation<UK>;
  readonly valueTypeInfo: TypeInformation<UV>;

  /** Flink's `MapStateDescriptor(name, keyTypeInfo, valueTypeInfo)`; without them GENERIC (not checked). */
  constructor(name: string, keyTypeInfo?: TypeInformation<UK>, valueTypeInfo?: TypeInformation<UV>) {
    super(name);
    this.keyTypeInfo = typeArg<UK>(name, keyTypeInfo, 'the key type');
    this.valueTypeInfo = typeArg<UV>(name, valueTypeInfo, 'the value type');
  }

  getValueType(): TypeInformation {
    return new MapTypeInfo(this.keyTypeInfo, this.valueTypeInfo);
  }
}

export class ReducingStateDescriptor<T> extends StateDescriptor {
  readonly type = 'reducing' as const;
  readonly reduceFunction: ReduceFunction<T>;
  /** `reduceFunction` normalised to a plain function. */
  readonly reduce: (a: T, b: T) => T;
  readonly typeInfo: TypeInformation<T>;

  /** Flink's `ReducingStateDescriptor(name, reduceFunction, typeInfo)`; without it GENERIC (not checked). */
  constructor(name: string, reduceFunction: ReduceFunction<T>, typeInfo?: TypeInformation<T>) {
    super(name);
    this.typeInfo = typeArg<T>(name, typeInfo, 'the type');
    if (typeof reduceFunction === 'function') {
      this.reduce = reduceFunction;
    } else if (reduceFunction !== null && typeof reduceFunction === 'object' && 'reduce' in reduceFunction) {
      this.reduce = (a, b) => reduceFunction.reduce(a, b);
    } else {
      throw new Error(`ReducingStateDescriptor "${name}" needs a ReduceFunction`);
    }
    this.reduceFunction = reduceFunction;
  }

  getValueType(): TypeInformation {
    return this.typeInfo;
  }
}

export class AggregatingStateDescriptor<IN, ACC, OUT> extends StateDescriptor {
  readonly type = 'aggregating' as const;
  readonly aggFunction: AggregateFunction<IN, ACC, OUT>;
  /** The accumulator's type: what the state stores (Flink's `stateType`). */
  readonly accumulatorTypeInfo: TypeInformation<ACC>;

  /** Flink's `AggregatingStateDescriptor(name, aggFunction, stateType)`; without it GENERIC (not checked). */
  constructor(name: string, aggFunction: AggregateFunction<IN, ACC, OUT>, stateType?: TypeInformation<ACC>) {
    super(name);
    this.accumulatorTypeInfo = typeArg<ACC>(name, stateType, 'the accumulator type');
    if (aggFunction === null || typeof aggFunction !== 'object') {
      throw new Error(`AggregatingStateDescriptor "${name}" needs an AggregateFunction`);
    }
    this.aggFunction = aggFunction;
  }

  getValueType(): TypeInformation {
    return this.accumulatorTypeInfo;
  }
}

/**
 * How two stored values of a merging state combine (Flink's `mergeState` of the heap's merging states):
 * reducing → reduce, aggregating → the accumulators' merge, list → concatenation.
 */
export function mergeStoredValues(descriptor: StateDescriptor, a: unknown, b: unknown): unknown {
  if (descriptor instanceof ReducingStateDescriptor) return descriptor.reduce(a, b);
  if (descriptor instanceof AggregatingStateDescriptor) return descriptor.aggFunction.merge(a, b);
  if (descriptor.type === 'list') return [...(a as unknown[]), ...(b as unknown[])];
  throw new Error(
    `State "${descriptor.name}" is ${descriptor.type} state: only reducing, aggregating and list state merge.`,
  );
}
