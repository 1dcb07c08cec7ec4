/**
 * Flink's CoGroupedStreams and JoinedStreams: window joins on two streams,
 *
 *   a.coGroup(b).where(k1).equalTo(k2).window(assigner).apply(CoGroupFunction)
 *   a.join(b).where(k1).equalTo(k2).window(assigner).apply(JoinFunction | FlatJoinFunction)
 *
 * built as Flink builds them (`CoGroupedStreams.WithWindow.apply`): each input is mapped to a tagged
 * union (input 1 or 2), the two are unioned, keyed by their own key selector, windowed, and a window
 * function splits each window's elements back into the two sides. A join is a coGroup whose function
 * emits every pair of the window (Flink's JoinCoGroupFunction, first side outer loop).
 */
import type { Key } from '../keygroups/hashCode';
import type { WindowAssigner } from '../windowing/assigners/WindowAssigner';
import type { Trigger } from '../windowing/triggers/Trigger';
import type { Window } from '../windowing/windows/Window';
import type { DataStream, SingleOutputStreamOperator } from './DataStream';
import type { DurationLike } from './Duration';
import type { Collector, RichFunction } from './functions';

/** Flink's CoGroupFunction: all elements of both sides with one key in one window. */
export interface CoGroupFunction<IN1, IN2, OUT> extends RichFunction {
  coGroup(first: IN1[], second: IN2[], out: Collector<OUT>): void;
}

/** Flink's JoinFunction (one result per pair) or FlatJoinFunction (any number). */
export type JoinFunction<IN1, IN2, OUT> =
  ((first: IN1, second: IN2) => OUT) | { join(first: IN1, second: IN2): OUT };
export interface FlatJoinFunction<IN1, IN2, OUT> extends RichFunction {
  join(first: IN1, second: IN2, out: Collector<OUT>): void;
}

/** Flink's TaggedUnion: an element of input 1 or of input 2 in the unioned stream. */
export interface TaggedUnion<T1, T2> {
  one?: T1;
  two?: T2;
}

export class CoGroupedStreams<T1, T2> {
  constructor(
    private readonly input1: DataStream<T1>,
    private readonly input2: DataStream<T2>,
  ) {}

  where<K extends Key>(
    keySelector1: (v: T1) => K,
  ): { equalTo(keySelector2: (v: T2) => K): CoGroupWhere<T1, T2, K> } {
    return {
      equalTo: (keySelector2) =>
        new CoGroupWhere(this.input1, this.input2, keySelector1, keySelector2, false),
    };
  }
}

export class JoinedStreams<T1, T2> {
  constructor(
    private readonly input1: DataStream<T1>,
    private readonly input2: DataStream<T2>,
  ) {}

  where<K extends Key>(
    keySelector1: (v: T1) => K,
  ): { equalTo(keySelector2: (v: T2) => K): CoGroupWhere<T1, T2, K> } {
    return {
      equalTo: (keySelector2) => new CoGroupWhere(this.input1, this.input2, keySelector1, keySelector2, true),
    };
  }
}

export class CoGroupWhere<T1, T2, K extends Key> {
  constructor(
    private readonly input1: DataStream<T1>,
    private readonly input2: DataStream<T2>,
    private readonly keySelector1: (v: T1) => K,
    private readonly keySelector2: (v: T2) => K,
    private readonly join: boolean,
  ) {}

  window<W extends Window>(assigner: WindowAssigner<TaggedUnion<T1, T2>, W>): WithWindow<T1, T2, K, W> {
    return new WithWindow(
      this.input1,
      this.input2,
      this.keySelector1,
      this.keySelector2,
      assigner,
      this.join,
    );
  }
}

export class WithWindow<T1, T2, K extends Key, W extends Window> {
  private windowTrigger: Trigger<TaggedUnion<T1, T2>, W> | null = null;
  private lateness: DurationLike | null = null;

  constructor(
    private readonly input1: DataStream<T1>,
    private readonly input2: DataStream<T2>,
    private readonly keySelector1: (v: T1) => K,
    private readonly keySelector2: (v: T2) => K,
    private readonly assigner: WindowAssigner<TaggedUnion<T1, T2>, W>,
    private readonly isJoin: boolean,
  ) {}

  trigger(trigger: Trigger<TaggedUnion<T1, T2>, W>): this {
    this.windowTrigger = trigger;
    return this;
  }

  allowedLateness(lateness: DurationLike): this {
    this.lateness = lateness;
    return this;
  }

  /**
   * coGroup: a CoGroupFunction; join: a JoinFunction (one result per pair) or a FlatJoinFunction
   * (an object whose `join` takes a collector).
   */
  apply<R>(
    fn: CoGroupFunction<T1, T2, R> | JoinFunction<T1, T2, R> | FlatJoinFunction<T1, T2, R>,
  ): SingleOutputStreamOperator<R> {
    const coGroup = this.isJoin
      ? joinCoGroupFunction(fn as JoinFunction<T1, T2, R>)
      : (fn as CoGroupFunction<T1, T2, R>);
    const k1 = this.keySelector1;
    const k2 = this.keySelector2;
    const tagged1 = this.input1.map((v: T1): TaggedUnion<T1, T2> => ({ one: v })).name('Map');
    const tagged2 = this.input2.map((v: T2): TaggedUnion<T1, T2> => ({ two: v })).name('Map');
    let windowed = tagged1
      .union(tagged2)
      .keyBy((u: TaggedUnion<T1, T2>) => ('one' in u ? k1(u.one as T1) : k2(u.two as T2)))
      .window(this.assigner);
    if (this.windowTrigger) windowed = windowed.trigger(this.windowTrigger);
    if (this.lateness !== null) windowed = windowed.allowedLateness(this.lateness);
    // Flink's CoGroupWindowFunction: split the window's elements back into the two inputs.
    return windowed
      .process<R>((_key: K, _ctx, elements: TaggedUnion<T1, T2>[], out: Collector<R>) => {
        const first: T1[] = [];
        const second: T2[] = [];
        for (const u of elements) {
          if ('one' in u) first.push(u.one as T1);
          else second.push(u.two as T2);
        }
        coGroup.coGroup(first, second, out);
      })
      .name(this.isJoin ? 'Window Join' : 'Window CoGroup');
  }
}

/** Flink's JoinCoGroupFunction / FlatJoinCoGroupFunction: every pair, first side in the outer loop. */
function joinCoGroupFunction<T1, T2, R>(
  fn: JoinFunction<T1, T2, R> | FlatJoinFunction<T1, T2, R>,
): CoGroupFunction<T1, T2, R> {
  return {
    coGroup(first, second, out) {
      for (const a of first)
        for (const b of second) {
          if (typeof fn === 'function') out.collect(fn(a, b));
          else if (fn.join.length >= 3) (fn as FlatJoinFunction<T1, T2, R>).join(a, b, out);
          else out.collect((fn as { join(a: T1, b: T2): R }).join(a, b));
        }
    },
  };
}
