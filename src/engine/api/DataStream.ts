/**
 * The streams of the DataStream API, as Flink's DataStream, SingleOutputStreamOperator, KeyedStream
 * and DataStreamSink: each call adds a JobVertex to the environment's graph.
 */
import type { Key } from '../keygroups/hashCode';
import { NonTransactionalSink, type SinkDefinition } from '../connectors/sinks';
import type { MapStateDescriptor, ReduceFunction } from '../state/StateDescriptor';
import { ComparableAggregator } from './aggregation/ComparableAggregator';
import type { FieldExpression } from './aggregation/FieldAccessor';
import { SumAggregator } from './aggregation/SumAggregator';
import { BroadcastConnectedStream } from './BroadcastConnectedStream';
import { BroadcastStream } from './BroadcastStream';
import { ConnectedStreams } from './ConnectedStreams';
import { CoGroupedStreams, JoinedStreams } from './CoGroupedStreams';
import { IntervalJoin } from './IntervalJoin';
import type { ProcessFunction } from './ProcessFunction';
import type { WatermarkStrategy } from '../time/WatermarkStrategy';
import type {
  FilterFunction,
  FlatMapFunction,
  KeyedProcessFunction,
  KeySelector,
  MapFunction,
} from './functions';
import type { JobVertex, OperatorSpec, PartitionerKind } from './JobGraph';
import type { OutputTag } from './OutputTag';
import type { WindowAssigner } from '../windowing/assigners/WindowAssigner';
import type { Window } from '../windowing/windows/Window';
// Used in method bodies only (no cycle at module evaluation: neither extends a class from here).
import { AllWindowedStream } from './AllWindowedStream';
import { WindowedStream } from './WindowedStream';
import type { StreamExecutionEnvironment } from './StreamExecutionEnvironment';

export class DataStream<T> {
  /** @internal the vertices whose outputs form this stream (several after union). */
  readonly heads: JobVertex[];
  /** @internal partitioner requested for the next edge. */
  protected partitioner: PartitionerKind | null;
  /**
   * @internal per head: the side output (`OutputTag` id) this stream reads from it, or null for the
   * head's main output.
   */
  readonly headTags: ReadonlyArray<string | null>;

  constructor(
    protected readonly env: StreamExecutionEnvironment,
    heads: JobVertex[],
    partitioner: PartitionerKind | null,
    protected readonly keySelector: KeySelector<unknown> | null = null,
    headTags: ReadonlyArray<string | null> | null = null,
  ) {
    this.heads = heads;
    this.partitioner = partitioner;
    this.headTags = headTags ?? heads.map(() => null);
  }

  /** @internal the environment this stream belongs to (for stream types in other files). */
  getExecutionEnvironment(): StreamExecutionEnvironment {
    return this.env;
  }

  private get vertex(): JobVertex {
    if (this.heads.length !== 1 || this.headTags[0] !== null)
      throw new Error('this call needs a single operator, not a union of streams or a side output');
    return this.heads[0];
  }

  protected next<R>(spec: OperatorSpec, name: string): SingleOutputStreamOperator<R> {
    const inputs = this.heads.map((vertex, i) => ({
      vertex,
      partitioner: this.partitioner,
      keySelector: this.keySelector,
      outputTag: this.headTags[i],
    }));
    const v = this.env.addVertex(spec, name, inputs, this.keySelector);
    return new SingleOutputStreamOperator<R>(this.env, [v], null);
  }

  map<R>(fn: MapFunction<T, R>): SingleOutputStreamOperator<R> {
    return this.next({ kind: 'map', fn: fn as MapFunction<unknown, unknown> }, 'Map');
  }

  flatMap<R>(fn: FlatMapFunction<T, R>): SingleOutputStreamOperator<R> {
    return this.next({ kind: 'flatMap', fn: fn as FlatMapFunction<unknown, unknown> }, 'Flat Map');
  }

  filter(fn: FilterFunction<T>): SingleOutputStreamOperator<T> {
    return this.next({ kind: 'filter', fn: fn as FilterFunction<unknown> }, 'Filter');
  }

  keyBy<K extends Key>(selector: (value: T) => K): KeyedStream<T, K> {
    return new KeyedStream<T, K>(this.env, this.heads, selector as KeySelector<unknown>, this.headTags);
  }

  /** Round-robin to all downstream subtasks. */
  rebalance(): DataStream<T> {
    return new DataStream<T>(this.env, this.heads, 'rebalance', null, this.headTags);
  }

  /**
   * Every record to every downstream subtask. With MapStateDescriptors (Flink's
   * `broadcast(MapStateDescriptor...)`): a BroadcastStream, for the broadcast state pattern.
   */
  broadcast(): DataStream<T>;
  broadcast(...descriptors: MapStateDescriptor<string | number, unknown>[]): BroadcastStream<T>;
  broadcast(
    ...descriptors: MapStateDescriptor<string | number, unknown>[]
  ): DataStream<T> | BroadcastStream<T> {
    const stream = new DataStream<T>(this.env, this.heads, 'broadcast', null, this.headTags);
    return descriptors.length === 0 ? stream : new BroadcastStream<T>(stream, descriptors);
  }

  /**
   * Flink's `connect`: with a DataStream, ConnectedStreams (a two-input operator follows); with a
   * BroadcastStream, a BroadcastConnectedStream (the broadcast state pattern).
   */
  connect<R>(other: BroadcastStream<R>): BroadcastConnectedStream<T, R>;
  connect<R>(other: DataStream<R>): ConnectedStreams<T, R>;
  connect<R>(
    other: DataStream<R> | BroadcastStream<R>,
  ): ConnectedStreams<T, R> | BroadcastConnectedStream<T, R> {
    if (other instanceof BroadcastStream) return new BroadcastConnectedStream<T, R>(this.env, this, other);
    return new ConnectedStreams<T, R>(this.env, this, other);
  }

  /** Flink's `coGroup`: a window coGroup with another stream (`where/equalTo/window/apply`). */
  coGroup<T2>(other: DataStream<T2>): CoGroupedStreams<T, T2> {
    return new CoGroupedStreams<T, T2>(this, other);
  }

  /** Flink's `join`: a window join with another stream (`where/equalTo/window/apply`). */
  join<T2>(other: DataStream<T2>): JoinedStreams<T, T2> {
    return new JoinedStreams<T, T2>(this, other);
  }

  /** `process(ProcessFunction)` on a non-keyed stream (Flink's ProcessOperator: no keyed state, no timers). */
  process<R>(fn: ProcessFunction<T, R>): SingleOutputStreamOperator<R> {
    return this.next(
      { kind: 'nonKeyedProcess', fn: fn as unknown as ProcessFunction<unknown, unknown> },
      'Process',
    );
  }

  /**
   * Flink's `assignTimestampsAndWatermarks`: from here on, event time comes from `strategy` (its
   * timestamp assigner, its bounded out-of-orderness watermarks); upstream watermarks stop here.
   * Unlike Flink, the operator is not chained to its input (it starts a chain), so that the watermarks
   * of its task are the ones it generates.
   */
  assignTimestampsAndWatermarks(strategy: WatermarkStrategy): SingleOutputStreamOperator<T> {
    const out = this.next<T>({ kind: 'timestampsAndWatermarks', strategy }, 'Timestamps/Watermarks');
    // It heads its chain (operators after it may chain to it): the task's watermarks are then its own.
    out.getVertex().chainingStrategy = 'HEAD';
    return out;
  }

  /** @internal what a two-input operator needs of this stream as one of its inputs. */
  inputSpec(): {
    heads: JobVertex[];
    headTags: ReadonlyArray<string | null>;
    partitioner: PartitionerKind | null;
    keySelector: KeySelector<unknown> | null;
  } {
    return {
      heads: this.heads,
      headTags: this.headTags,
      partitioner: this.partitioner,
      keySelector: this.keySelector,
    };
  }

  /** One-to-one to the downstream subtask with the same index (needs equal parallelism). */
  forward(): DataStream<T> {
    return new DataStream<T>(this.env, this.heads, 'forward', null, this.headTags);
  }

  union(...others: DataStream<T>[]): DataStream<T> {
    return new DataStream<T>(
      this.env,
      [...this.heads, ...others.flatMap((o) => o.heads)],
      this.partitioner,
      null,
      [...this.headTags, ...others.flatMap((o) => o.headTags)],
    );
  }

  /** @internal a new operator on this stream (for the stream types in other files, e.g. WindowedStream). */
  addOperator<R>(spec: OperatorSpec, name: string): SingleOutputStreamOperator<R> {
    return this.next<R>(spec, name);
  }

  /**
   * Windows over the whole stream (Flink's `windowAll`): one window operator with parallelism 1 sees
   * every record.
   */
  windowAll<W extends Window>(assigner: WindowAssigner<T, W>): AllWindowedStream<T, W> {
    return new AllWindowedStream<T, W>(this, assigner);
  }

  addSink(sink: SinkDefinition<T>): DataStreamSink {
    const s = this.next<never>({ kind: 'sink', sink: sink as SinkDefinition<unknown> }, 'Sink');
    return new DataStreamSink(s.heads[0]);
  }

  /** Flink 2.x's name (`sinkTo(Sink)`): the same as addSink, with one of the lab's sink kinds. */
  sinkTo(sink: SinkDefinition<T>): DataStreamSink {
    return this.addSink(sink);
  }

  /** Flink's print(): a non-transactional sink. */
  print(): DataStreamSink {
    return this.addSink(new NonTransactionalSink<T>()).name('Print to Std. Out').uid('print');
  }

  /** @internal */
  getVertex(): JobVertex {
    return this.vertex;
  }
}

export class SingleOutputStreamOperator<T> extends DataStream<T> {
  uid(uid: string): this {
    if (!/^[A-Za-z0-9_.-]+$/.test(uid))
      throw new Error(`uid '${uid}' may only use letters, digits, '_', '.', '-'`);
    this.getVertex().uid = uid;
    return this;
  }

  name(name: string): this {
    this.getVertex().name = name;
    return this;
  }

  setParallelism(p: number): this {
    assertPositiveInt(p, 'parallelism');
    if (this.getVertex().nonParallel && p !== 1)
      throw new Error('The parallelism of non parallel operator must be 1.');
    this.getVertex().parallelism = p;
    parallelismSetByOperator.add(this.getVertex());
    return this;
  }

  /**
   * The side output `tag` of this operator (Flink's `getSideOutput`): what its function emitted with
   * `ctx.output(tag, value)`, or the late records of a window with `sideOutputLateData(tag)`.
   */
  getSideOutput<X>(tag: OutputTag<X>): DataStream<X> {
    const v = this.getVertex();
    const known = (sideOutputTypes.get(v) ?? new Map<string, OutputTag<unknown>>()).get(tag.id);
    if (known && known.typeInfo && tag.typeInfo && !known.typeInfo.equals(tag.typeInfo))
      throw new Error(
        `The requested side output ${tag.toString()} was already requested with a different type. ` +
          `This is not allowed, side output ids need to be unique.`,
      );
    const types = sideOutputTypes.get(v) ?? new Map<string, OutputTag<unknown>>();
    types.set(tag.id, tag as OutputTag<unknown>);
    sideOutputTypes.set(v, types);
    return new DataStream<X>(this.env, [v], null, null, [tag.id]);
  }

  /** Flink's `startNewChain()`: this operator begins a new chain (it is not chained to its input). */
  startNewChain(): this {
    this.getVertex().chainingStrategy = 'HEAD';
    return this;
  }

  /** Flink's `disableChaining()`: this operator is chained neither to its input nor to its outputs. */
  disableChaining(): this {
    this.getVertex().chainingStrategy = 'NEVER';
    return this;
  }

  /**
   * Flink's `slotSharingGroup(name)`: operators of different groups never share a slot (nor a chain);
   * a job needs, per group, the highest parallelism in it in slots. Default: 'default'.
   */
  slotSharingGroup(name: string): this {
    this.getVertex().slotSharingGroup = checkSlotSharingGroup(name);
    return this;
  }

  /** Simulation knob: virtual time per record in this operator (for sources, between two records). */
  setProcessingTime(ms: number | ((now: number) => number)): this {
    if (typeof ms === 'function') {
      // A per-record cost that depends on the virtual time (not for sources: their rate is fixed).
      if (this.getVertex().spec.kind === 'source') throw new Error('a source takes a fixed emit interval');
      this.getVertex().processingTimeFn = ms;
      return this;
    }
    if (!(ms >= 0)) throw new Error(`processing time must be >= 0 ms, got ${ms}`);
    this.getVertex().processingTimeMs = ms;
    const spec = this.getVertex().spec;
    if (spec.kind === 'source') spec.emitIntervalMs = ms;
    return this;
  }
}

export class KeyedStream<T, K extends Key> extends DataStream<T> {
  constructor(
    env: StreamExecutionEnvironment,
    heads: JobVertex[],
    keySelector: KeySelector<unknown>,
    headTags: ReadonlyArray<string | null> | null = null,
  ) {
    super(env, heads, 'hash', keySelector, headTags);
  }

  override process<R>(fn: KeyedProcessFunction<K, T, R>): SingleOutputStreamOperator<R> {
    return this.next(
      { kind: 'process', fn: fn as unknown as KeyedProcessFunction<Key, unknown, unknown> },
      'Process',
    );
  }

  /** Flink's `KeyedStream.intervalJoin`: join with another keyed stream on a time interval. */
  intervalJoin<T2>(other: KeyedStream<T2, K>): IntervalJoin<T, T2, K> {
    return new IntervalJoin<T, T2, K>(this.env, this, other);
  }

  /** Rolling sum of a field per key (by name, or index for tuples; 0 for a plain number); other fields: the first record's. */
  sum(field: FieldExpression): SingleOutputStreamOperator<T> {
    return this.aggregate(new SumAggregator<T>(field));
  }

  /** Rolling minimum of a field per key; the other fields stay the first record's (use minBy for the whole record). */
  min(field: FieldExpression): SingleOutputStreamOperator<T> {
    return this.aggregate(new ComparableAggregator<T>(field, 'MIN'));
  }

  max(field: FieldExpression): SingleOutputStreamOperator<T> {
    return this.aggregate(new ComparableAggregator<T>(field, 'MAX'));
  }

  /** The record with the minimum field per key; on a tie the first one (`first = false`: the latest). */
  minBy(field: FieldExpression, first = true): SingleOutputStreamOperator<T> {
    return this.aggregate(new ComparableAggregator<T>(field, 'MINBY', first));
  }

  maxBy(field: FieldExpression, first = true): SingleOutputStreamOperator<T> {
    return this.aggregate(new ComparableAggregator<T>(field, 'MAXBY', first));
  }

  /** Flink's StreamGroupedReduceOperator over an AggregationFunction: "Keyed Aggregation". */
  private aggregate(aggregator: ComparableAggregator<T> | SumAggregator<T>): SingleOutputStreamOperator<T> {
    return this.next({ kind: 'reduce', fn: aggregator as ReduceFunction<unknown> }, 'Keyed Aggregation');
  }

  /**
   * Windows per key (Flink's `window`): configure trigger, evictor, allowed lateness and the late-data
   * side output on the WindowedStream, then `reduce`, `aggregate` or `process`.
   */
  window<W extends Window>(assigner: WindowAssigner<T, W>): WindowedStream<T, K, W> {
    return new WindowedStream<T, K, W>(this, assigner);
  }

  /** Rolling reduce per key, kept in a ValueState; emits the new aggregate for every record. */
  reduce(fn: ReduceFunction<T>): SingleOutputStreamOperator<T> {
    return this.next({ kind: 'reduce', fn: fn as ReduceFunction<unknown> }, 'Keyed Reduce');
  }
}

export class DataStreamSink {
  constructor(private readonly vertex: JobVertex) {}
  /** Simulation knob: virtual time the sink spends writing one record. */
  setProcessingTime(ms: number): this {
    if (!(ms >= 0)) throw new Error(`processing time must be >= 0 ms, got ${ms}`);
    this.vertex.processingTimeMs = ms;
    return this;
  }
  uid(uid: string): this {
    this.vertex.uid = uid;
    return this;
  }
  name(name: string): this {
    this.vertex.name = name;
    return this;
  }
  setParallelism(p: number): this {
    assertPositiveInt(p, 'parallelism');
    this.vertex.parallelism = p;
    parallelismSetByOperator.add(this.vertex);
    return this;
  }
  /** Flink's DataStreamSink.startNewChain / disableChaining / slotSharingGroup. */
  startNewChain(): this {
    this.vertex.chainingStrategy = 'HEAD';
    return this;
  }
  disableChaining(): this {
    this.vertex.chainingStrategy = 'NEVER';
    return this;
  }
  slotSharingGroup(name: string): this {
    this.vertex.slotSharingGroup = checkSlotSharingGroup(name);
    return this;
  }
}

function checkSlotSharingGroup(name: string): string {
  if (typeof name !== 'string' || name.trim() === '')
    throw new Error('a slot sharing group needs a non-empty name');
  return name;
}

/** The side outputs requested per operator (a tag id must keep its type, as Flink checks). */
const sideOutputTypes = new WeakMap<JobVertex, Map<string, OutputTag<unknown>>>();

/** Operators whose parallelism was set on the operator itself: a changed default parallelism leaves them alone. */
export const parallelismSetByOperator = new WeakSet<JobVertex>();

export function assertPositiveInt(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`${what} must be a positive integer, got ${n}`);
}
