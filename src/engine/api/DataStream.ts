/**
 * The streams of the DataStream API, as Flink's DataStream, SingleOutputStreamOperator, KeyedStream
 * and DataStreamSink: each call adds a JobVertex to the environment's graph.
 */
import type { Key } from '../keygroups/hashCode';
import { NonTransactionalSink, type SinkDefinition } from '../connectors/sinks';
import type { ReduceFunction } from '../state/StateDescriptor';
import type {
  FilterFunction,
  FlatMapFunction,
  KeyedProcessFunction,
  KeySelector,
  MapFunction,
} from './functions';
import type { JobVertex, OperatorSpec, PartitionerKind } from './JobGraph';
import type { StreamExecutionEnvironment } from './StreamExecutionEnvironment';

export class DataStream<T> {
  /** @internal the vertices whose outputs form this stream (several after union). */
  readonly heads: JobVertex[];
  /** @internal partitioner requested for the next edge. */
  protected partitioner: PartitionerKind | null;

  constructor(
    protected readonly env: StreamExecutionEnvironment,
    heads: JobVertex[],
    partitioner: PartitionerKind | null,
    protected readonly keySelector: KeySelector<unknown> | null = null,
  ) {
    this.heads = heads;
    this.partitioner = partitioner;
  }

  private get vertex(): JobVertex {
    if (this.heads.length !== 1) throw new Error('this call needs a single operator, not a union of streams');
    return this.heads[0];
  }

  protected next<R>(spec: OperatorSpec, name: string): SingleOutputStreamOperator<R> {
    const inputs = this.heads.map((vertex) => ({
      vertex,
      partitioner: this.partitioner,
      keySelector: this.keySelector,
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
    return new KeyedStream<T, K>(this.env, this.heads, selector as KeySelector<unknown>);
  }

  /** Round-robin to all downstream subtasks. */
  rebalance(): DataStream<T> {
    return new DataStream<T>(this.env, this.heads, 'rebalance');
  }

  /** Every record to every downstream subtask. */
  broadcast(): DataStream<T> {
    return new DataStream<T>(this.env, this.heads, 'broadcast');
  }

  /** One-to-one to the downstream subtask with the same index (needs equal parallelism). */
  forward(): DataStream<T> {
    return new DataStream<T>(this.env, this.heads, 'forward');
  }

  union(...others: DataStream<T>[]): DataStream<T> {
    return new DataStream<T>(this.env, [...this.heads, ...others.flatMap((o) => o.heads)], this.partitioner);
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
  setProcessingTime(ms: number): this {
    if (!(ms >= 0)) throw new Error(`processing time must be >= 0 ms, got ${ms}`);
    this.getVertex().processingTimeMs = ms;
    const spec = this.getVertex().spec;
    if (spec.kind === 'source') spec.emitIntervalMs = ms;
    return this;
  }
}

export class KeyedStream<T, K extends Key> extends DataStream<T> {
  constructor(env: StreamExecutionEnvironment, heads: JobVertex[], keySelector: KeySelector<unknown>) {
    super(env, heads, 'hash', keySelector);
  }

  process<R>(fn: KeyedProcessFunction<K, T, R>): SingleOutputStreamOperator<R> {
    return this.next(
      { kind: 'process', fn: fn as unknown as KeyedProcessFunction<Key, unknown, unknown> },
      'Process',
    );
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

/** Operators whose parallelism was set on the operator itself: a changed default parallelism leaves them alone. */
export const parallelismSetByOperator = new WeakSet<JobVertex>();

export function assertPositiveInt(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`${what} must be a positive integer, got ${n}`);
}
