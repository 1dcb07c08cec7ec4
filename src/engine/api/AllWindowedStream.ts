/**
 * Flink's AllWindowedStream: `windowAll(assigner)` on a non-keyed stream. As in Flink, every record
 * gets the same key (Flink's NullByteKeySelector) and the window operator runs with parallelism 1;
 * otherwise it is the WindowOperator of a WindowedStream.
 */
import type { Collector } from './functions';
import type { AggregateFunction, ReduceFunction } from '../state/StateDescriptor';
import type { WindowAssigner } from '../windowing/assigners/WindowAssigner';
import type { Evictor } from '../windowing/evictors/Evictor';
import type { ProcessWindowContext, ProcessWindowFunctionObject } from '../windowing/ProcessWindowFunction';
import type { Trigger } from '../windowing/triggers/Trigger';
import type { Window } from '../windowing/windows/Window';
import type { DataStream, SingleOutputStreamOperator } from './DataStream';
import type { DurationLike } from './Duration';
import type { OutputTag } from './OutputTag';
import { WindowedStream } from './WindowedStream';

/** Flink's ProcessAllWindowFunction: like ProcessWindowFunction, without a key. */
export type ProcessAllWindowFunction<IN, OUT, W extends Window = Window> =
  | (Omit<ProcessWindowFunctionObject<IN, OUT, number, W>, 'process' | 'clear'> & {
      process(context: ProcessWindowContext<W>, elements: IN[], out: Collector<OUT>): void;
      clear?(context: ProcessWindowContext<W>): void;
    })
  | ((context: ProcessWindowContext<W>, elements: IN[], out: Collector<OUT>) => void);

/** The key every record of a windowAll gets (Flink's NullByteKeySelector returns byte 0). */
const NULL_KEY = 0;

function keyed<IN, OUT, W extends Window>(
  fn: ProcessAllWindowFunction<IN, OUT, W>,
): ProcessWindowFunctionObject<IN, OUT, number, W> {
  if (typeof fn === 'function') return { process: (_k, ctx, elements, out) => fn(ctx, elements, out) };
  // Keeps the user's object (its fields, open/close): only process and clear get the key dropped.
  const wrapper = Object.create(fn as object) as ProcessWindowFunctionObject<IN, OUT, number, W>;
  wrapper.process = (_k, ctx, elements, out) => fn.process(ctx, elements, out);
  if (fn.clear) wrapper.clear = (ctx) => fn.clear?.(ctx);
  return wrapper;
}

export class AllWindowedStream<T, W extends Window> {
  private readonly windowed: WindowedStream<T, number, W>;

  constructor(input: DataStream<T>, assigner: WindowAssigner<T, W>) {
    this.windowed = new WindowedStream<T, number, W>(
      input.keyBy(() => NULL_KEY),
      assigner,
    );
  }

  trigger(trigger: Trigger<T, W>): this {
    this.windowed.trigger(trigger);
    return this;
  }
  evictor(evictor: Evictor<T, W>): this {
    this.windowed.evictor(evictor);
    return this;
  }
  allowedLateness(lateness: DurationLike): this {
    this.windowed.allowedLateness(lateness);
    return this;
  }
  sideOutputLateData(outputTag: OutputTag<T>): this {
    this.windowed.sideOutputLateData(outputTag);
    return this;
  }

  reduce<R = T>(
    fn: ReduceFunction<T>,
    process?: ProcessAllWindowFunction<T, R, W>,
  ): SingleOutputStreamOperator<R> {
    return nonParallel(this.windowed.reduce<R>(fn, process ? keyed(process) : undefined));
  }
  aggregate<ACC, V, R = V>(
    fn: AggregateFunction<T, ACC, V>,
    process?: ProcessAllWindowFunction<V, R, W>,
  ): SingleOutputStreamOperator<R> {
    return nonParallel(this.windowed.aggregate<ACC, V, R>(fn, process ? keyed(process) : undefined));
  }
  process<R>(fn: ProcessAllWindowFunction<T, R, W>): SingleOutputStreamOperator<R> {
    return nonParallel(this.windowed.process<R>(keyed(fn)));
  }
}

/** Flink: an all-window operator runs with parallelism 1 and refuses another. */
function nonParallel<R>(op: SingleOutputStreamOperator<R>): SingleOutputStreamOperator<R> {
  const v = op.getVertex();
  v.parallelism = 1;
  v.nonParallel = true;
  v.name = v.name.replace(/^(Evicting)?Window\(/, (m) => m.replace('Window(', 'AllWindow('));
  op.setParallelism(1);
  return op;
}
