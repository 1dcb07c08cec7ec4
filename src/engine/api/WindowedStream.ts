/**
 * Flink's WindowedStream: `keyBy(..).window(assigner)`, configured with `trigger`, `evictor`,
 * `allowedLateness`, `sideOutputLateData`, and turned into a WindowOperator by `reduce`, `aggregate`
 * or `process`. A window's contents are keyed state in the window's namespace (see WindowOperator).
 */
import type { Key } from '../keygroups/hashCode';
import type { AggregateFunction, ReduceFunction } from '../state/StateDescriptor';
import { isMergingAssigner, type WindowAssigner } from '../windowing/assigners/WindowAssigner';
import { EvictingWindowOperator } from '../windowing/EvictingWindowOperator';
import type { Evictor } from '../windowing/evictors/Evictor';
import type { ProcessWindowFunction } from '../windowing/ProcessWindowFunction';
import type { Trigger } from '../windowing/triggers/Trigger';
import {
  WindowOperator,
  type WindowFunctionSpec,
  type WindowOperatorSpec,
} from '../windowing/WindowOperator';
import type { Window } from '../windowing/windows/Window';
import type { KeyedStream, SingleOutputStreamOperator } from './DataStream';
import { toMillis, type DurationLike } from './Duration';
import type { OutputTag } from './OutputTag';

export class WindowedStream<T, K extends Key, W extends Window> {
  private windowTrigger: Trigger;
  private windowEvictor: Evictor | null = null;
  private lateness = 0;
  private lateTag: string | null = null;

  constructor(
    private readonly input: KeyedStream<T, K>,
    private readonly assigner: WindowAssigner<T, W>,
  ) {
    this.windowTrigger = assigner.getDefaultTrigger() as Trigger;
  }

  /** Replaces the assigner's default trigger. */
  trigger(trigger: Trigger<T, W>): this {
    if (isMergingAssigner(this.assigner as WindowAssigner) && !trigger.canMerge())
      throw new Error(
        `A merging window assigner cannot be used with a trigger that does not support merging.`,
      );
    this.windowTrigger = trigger as unknown as Trigger;
    return this;
  }

  /** Keeps every element and lets the evictor remove some at firing time. */
  evictor(evictor: Evictor<T, W>): this {
    if (isMergingAssigner(this.assigner as WindowAssigner))
      throw new Error('Cannot use a merging WindowAssigner with an Evictor.');
    this.windowEvictor = evictor as unknown as Evictor;
    return this;
  }

  /** How long after the watermark passed a window's end its state is kept (late records update it). */
  allowedLateness(lateness: DurationLike): this {
    const ms = toMillis(lateness);
    if (ms < 0) throw new Error('The allowed lateness cannot be negative.');
    this.lateness = ms;
    return this;
  }

  /** Records too late for every window go to this side output (read it with `getSideOutput(tag)`). */
  sideOutputLateData(outputTag: OutputTag<T>): this {
    this.lateTag = outputTag.id;
    return this;
  }

  /** Incremental aggregation: the window keeps one reduced value; optionally a ProcessWindowFunction gets it. */
  reduce<R = T>(
    fn: ReduceFunction<T>,
    process?: ProcessWindowFunction<T, R, K, W>,
  ): SingleOutputStreamOperator<R> {
    return this.build<R>({
      kind: 'reduce',
      reduce: fn as ReduceFunction<unknown>,
      process: (process ?? null) as WindowFunctionSpec['process'],
    } as WindowFunctionSpec);
  }

  /** Incremental aggregation with an accumulator; optionally a ProcessWindowFunction gets the result. */
  aggregate<ACC, V, R = V>(
    fn: AggregateFunction<T, ACC, V>,
    process?: ProcessWindowFunction<V, R, K, W>,
  ): SingleOutputStreamOperator<R> {
    return this.build<R>({
      kind: 'aggregate',
      aggregate: fn as AggregateFunction<unknown, unknown, unknown>,
      process: (process ?? null) as WindowFunctionSpec['process'],
    } as WindowFunctionSpec);
  }

  /** The window keeps all its elements; the function gets them when it fires. */
  process<R>(fn: ProcessWindowFunction<T, R, K, W>): SingleOutputStreamOperator<R> {
    return this.build<R>({ kind: 'process', process: fn } as unknown as WindowFunctionSpec);
  }

  /** @internal */
  protected build<R>(fn: WindowFunctionSpec): SingleOutputStreamOperator<R> {
    const window: WindowOperatorSpec = {
      assigner: this.assigner as WindowAssigner,
      trigger: this.windowTrigger,
      evictor: this.windowEvictor,
      allowedLateness: this.lateness,
      lateDataOutputTag: this.lateTag,
      fn,
    };
    const op = this.input.addOperator<R>(
      {
        kind: 'window',
        window,
        createOperator: (ctx) =>
          window.evictor ? new EvictingWindowOperator(ctx, window) : new WindowOperator(ctx, window),
      },
      'Window',
    );
    // Flink's name: Window(assigner, trigger, [evictor,] function).
    const parts = [this.assigner.toString(), this.windowTrigger.constructor.name];
    if (this.windowEvictor) parts.push(this.windowEvictor.constructor.name);
    parts.push(fn.kind === 'process' ? 'ProcessWindowFunction' : fn.process ? `${fn.kind}+process` : fn.kind);
    op.name(`${this.windowEvictor ? 'EvictingWindow' : 'Window'}(${parts.join(', ')})`);
    return op;
  }
}
