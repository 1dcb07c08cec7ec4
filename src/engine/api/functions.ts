/**
 * User-function interfaces, named and shaped after Flink's DataStream API so that a lesson's
 * TypeScript reads like the Java a learner will later write.
 *
 * A function may be a plain JS function (stateless) or an object (a "rich function") with `open`,
 * `close` and access to the runtime context. Like Flink, which deserialises one copy of a function
 * per subtask, the engine gives every subtask its own shallow copy of a function object, so fields
 * such as `private countState` are per subtask.
 */
import { TypeInformation } from './typeinfo/TypeInformation';
import type { OutputTag } from './OutputTag';
import type { Key } from '../keygroups/hashCode';
import type { State } from '../state/State';
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  StateDescriptor,
  ValueStateDescriptor,
} from '../state/StateDescriptor';
import type { AggregatingState, ListState, MapState, ReducingState, ValueState } from '../state/State';

export interface Collector<T> {
  collect(value: T): void;
}

/**
 * Flink 2.x's `OpenContext`, what `open` receives (an interface kept for future extension in Flink).
 * The lab passes the RuntimeContext itself, so `open(ctx)` may use it directly, as the lab's jobs
 * do, or call `this.getRuntimeContext()` as Flink 2.x code does.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- Flink's OpenContext has no methods
export interface OpenContext {}

/** What `getRuntimeContext()` gives a rich function (Flink's RuntimeContext). */
export interface RuntimeContext extends OpenContext {
  getTaskName(): string;
  getIndexOfThisSubtask(): number;
  getNumberOfParallelSubtasks(): number;
  getMaxNumberOfParallelSubtasks(): number;
  getAttemptNumber(): number;
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getMapState<UK extends string | number, UV>(descriptor: MapStateDescriptor<UK, UV>): MapState<UK, UV>;
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getAggregatingState<IN, ACC, OUT>(
    descriptor: AggregatingStateDescriptor<IN, ACC, OUT>,
  ): AggregatingState<IN, OUT>;
  /** Escape hatch for generic code: any descriptor. */
  getPartitionedState<S extends State>(descriptor: StateDescriptor): S;
}

export interface RichFunction {
  open?(ctx: RuntimeContext): void;
  close?(): void;
}

/**
 * Flink's `AbstractRichFunction`, the base of the Rich*Function classes: `getRuntimeContext()` works
 * from `open` on (the engine sets it on each subtask's copy first).
 */
export abstract class AbstractRichFunction implements RichFunction {
  // Not a #private field: the engine copies function objects per subtask (copyFunction).
  private runtimeContext: RuntimeContext | null = null;

  /** @internal Set by the engine before `open`. */
  setRuntimeContext(ctx: RuntimeContext): void {
    this.runtimeContext = ctx;
  }

  getRuntimeContext(): RuntimeContext {
    if (this.runtimeContext === null) throw new Error('The runtime context has not been initialized.');
    return this.runtimeContext;
  }

  open?(ctx: RuntimeContext): void;
  close?(): void;
}

export interface MapFunctionObject<IN, OUT> extends RichFunction {
  map(value: IN): OUT;
}
export type MapFunction<IN, OUT> = ((value: IN) => OUT) | MapFunctionObject<IN, OUT>;

/** Flink's RichMapFunction: `class Count extends RichMapFunction<string, number> { open(ctx) {…} map(v) {…} }`. */
export abstract class RichMapFunction<IN, OUT>
  extends AbstractRichFunction
  implements MapFunctionObject<IN, OUT>
{
  abstract map(value: IN): OUT;
}

export interface FlatMapFunctionObject<IN, OUT> extends RichFunction {
  flatMap(value: IN, out: Collector<OUT>): void;
}
export type FlatMapFunction<IN, OUT> =
  ((value: IN, out: Collector<OUT>) => void) | FlatMapFunctionObject<IN, OUT>;

/** Flink's RichFlatMapFunction. */
export abstract class RichFlatMapFunction<IN, OUT>
  extends AbstractRichFunction
  implements FlatMapFunctionObject<IN, OUT>
{
  abstract flatMap(value: IN, out: Collector<OUT>): void;
}

export interface FilterFunctionObject<T> extends RichFunction {
  filter(value: T): boolean;
}
export type FilterFunction<T> = ((value: T) => boolean) | FilterFunctionObject<T>;

/** Flink's RichFilterFunction. */
export abstract class RichFilterFunction<T> extends AbstractRichFunction implements FilterFunctionObject<T> {
  abstract filter(value: T): boolean;
}

export type KeySelector<T> = (value: T) => Key;

/**
 * Flink's KeyedProcessFunction: per-record callback with the current key, state and timers. An
 * abstract class, as in Flink, so a job can `extends KeyedProcessFunction<K, IN, OUT>`; any object
 * of this shape also does (`implements`, or a literal).
 */
export abstract class KeyedProcessFunction<K extends Key, IN, OUT> implements RichFunction {
  // No getRuntimeContext() here (unlike Flink): classes written `implements KeyedProcessFunction`
  // must keep compiling; open(ctx) receives the RuntimeContext.
  open?(ctx: RuntimeContext): void;
  close?(): void;
  abstract processElement(value: IN, ctx: KeyedProcessContext<K>, out: Collector<OUT>): void;
  /** A timer registered for the current key fired (event time: the watermark passed it). */
  onTimer?(timestamp: number, ctx: OnTimerContext<K>, out: Collector<OUT>): void;
}

/** Flink's TimerService: timers are per key (the current key) and deduplicated per timestamp. */
export interface TimerService {
  currentProcessingTime(): number;
  currentWatermark(): number;
  registerProcessingTimeTimer(time: number): void;
  registerEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
}

export interface KeyedProcessContext<K extends Key> {
  getCurrentKey(): K;
  /** Event timestamp of the record being processed (the source log's timestamp), or null. */
  timestamp(): number | null;
  timerService(): TimerService;
  /** The virtual processing time of the task (shortcut for timerService().currentProcessingTime()). */
  currentProcessingTime(): number;
  /** Emits `value` to the side output `outputTag` (read with `getSideOutput(outputTag)`). */
  output<X>(outputTag: OutputTag<X>, value: X): void;
}

export interface OnTimerContext<K extends Key> extends KeyedProcessContext<K> {
  timeDomain(): 'EVENT_TIME' | 'PROCESSING_TIME';
}

/**
 * Flink's CheckpointedFunction, for operator (non-keyed) state: `initializeState` runs before open(),
 * on a fresh start and on restore (`isRestored()`); `snapshotState` runs at every checkpoint barrier.
 */
export interface CheckpointedFunction {
  initializeState(ctx: FunctionInitializationContext): void;
  snapshotState(ctx: FunctionSnapshotContext): void;
}

export interface FunctionInitializationContext {
  isRestored(): boolean;
  getOperatorStateStore(): OperatorStateStore;
}

export interface FunctionSnapshotContext {
  getCheckpointId(): number;
}

export interface OperatorStateStore {
  /** Even-split redistribution on rescale (round-robin chunks). */
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  /** Union redistribution: every subtask gets the whole list on restore. */
  getUnionListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
}

export function isCheckpointedFunction(fn: unknown): fn is CheckpointedFunction {
  return (
    typeof fn === 'object' &&
    fn !== null &&
    typeof (fn as CheckpointedFunction).initializeState === 'function' &&
    typeof (fn as CheckpointedFunction).snapshotState === 'function'
  );
}

/** A sink function: `invoke` once per record. Transactional sinks are built by the engine. */
export interface SinkFunction<T> extends RichFunction {
  invoke(value: T): void;
}

export function isRichObject(fn: unknown): fn is RichFunction & object {
  return typeof fn === 'object' && fn !== null;
}

/**
 * Per-subtask copy of a function object (Flink deserialises one per subtask). A plain JS function
 * has no fields to keep apart and is shared.
 */
export function copyFunction<F>(fn: F): F {
  if (!isRichObject(fn)) return fn;
  const copy = Object.create(Object.getPrototypeOf(fn) as object) as Record<string, unknown>;
  // Data fields are deep-copied (a deserialised copy shares nothing); functions stay shared.
  for (const [k, v] of Object.entries(fn)) {
    copy[k] = typeof v === 'object' && v !== null ? cloneOrShare(v) : v;
  }
  return copy as F;
}

function cloneOrShare(v: object): unknown {
  // A type is immutable and is recognised by its class: a structured clone would lose that.
  if (v instanceof TypeInformation) return v;
  try {
    return structuredClone(v);
  } catch {
    return v; // holds functions or class instances structuredClone cannot copy: keep the reference
  }
}
