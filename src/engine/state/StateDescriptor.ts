/**
 * State descriptors (Flink's `StateDescriptor` family): a name, unique per operator, plus what the
 * backend needs to create the state (default value, reduce or aggregate function) and, optionally, a
 * time-to-live (`enableTimeToLive`, see `ttl/StateTtlConfig.ts`).
 */
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
    return `${this.constructor.name}{name=${this.name}, type=${this.type}}`;
  }
}

export class ValueStateDescriptor<T> extends StateDescriptor {
  readonly type = 'value' as const;
  /**
   * Flink's deprecated default value: `value()` returns a copy of it while the key has no value.
   * `null` when none was given.
   */
  readonly defaultValue: T | null;

  constructor(name: string, defaultValue?: T) {
    super(name);
    this.defaultValue = defaultValue === undefined ? null : defaultValue;
  }
}

export class ListStateDescriptor<T> extends StateDescriptor {
  readonly type = 'list' as const;
  /** Type-only marker so `StateOf` can infer `T`; never set. */
  declare readonly __elementType?: T;

  constructor(name: string) {
    super(name);
  }
}

export class MapStateDescriptor<UK extends string | number, UV> extends StateDescriptor {
  readonly type = 'map' as const;
  /** Type-only markers so `StateOf` can infer `UK` and `UV`; never set. */
  declare readonly __userKeyType?: UK;
  declare readonly __userValueType?: UV;

  constructor(name: string) {
    super(name);
  }
}

export class ReducingStateDescriptor<T> extends StateDescriptor {
  readonly type = 'reducing' as const;
  readonly reduceFunction: ReduceFunction<T>;
  /** `reduceFunction` normalised to a plain function. */
  readonly reduce: (a: T, b: T) => T;

  constructor(name: string, reduceFunction: ReduceFunction<T>) {
    super(name);
    if (typeof reduceFunction === 'function') {
      this.reduce = reduceFunction;
    } else if (reduceFunction !== null && typeof reduceFunction === 'object' && 'reduce' in reduceFunction) {
      this.reduce = (a, b) => reduceFunction.reduce(a, b);
    } else {
      throw new Error(`ReducingStateDescriptor "${name}" needs a ReduceFunction`);
    }
    this.reduceFunction = reduceFunction;
  }
}

export class AggregatingStateDescriptor<IN, ACC, OUT> extends StateDescriptor {
  readonly type = 'aggregating' as const;
  readonly aggFunction: AggregateFunction<IN, ACC, OUT>;

  constructor(name: string, aggFunction: AggregateFunction<IN, ACC, OUT>) {
    super(name);
    if (aggFunction === null || typeof aggFunction !== 'object') {
      throw new Error(`AggregatingStateDescriptor "${name}" needs an AggregateFunction`);
    }
    this.aggFunction = aggFunction;
  }
}
