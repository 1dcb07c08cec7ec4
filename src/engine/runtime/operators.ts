/**
 * Stream operators: the per-subtask objects that call user functions (Flink's StreamMap,
 * StreamFlatMap, StreamFilter, KeyedProcessOperator, StreamGroupedReduce, SinkOperator, and the
 * source reader). Each gets a fresh copy of the user function, opened with its own runtime context.
 */
import type { Key } from '../keygroups/hashCode';
import type { JobVertex } from '../api/JobGraph';
import {
  copyFunction,
  isCheckpointedFunction,
  type Collector,
  type OnTimerContext,
  type TimerService,
  type FilterFunction,
  type FlatMapFunction,
  type KeyedProcessFunction,
  type MapFunction,
  type RichFunction,
  type RuntimeContext,
} from '../api/functions';
import type { KeyedStateBackend } from '../state/KeyedStateBackend';
import type { AggregatingState, ListState, MapState, ReducingState, State, ValueState } from '../state/State';
import {
  ValueStateDescriptor,
  type AggregatingStateDescriptor,
  type ListStateDescriptor,
  type MapStateDescriptor,
  type ReduceFunction,
  type ReducingStateDescriptor,
  type StateDescriptor,
} from '../state/StateDescriptor';
import type { ReplayableLog } from '../connectors/ReplayableLog';
import type { ExternalSystem, SinkKind, SinkTable } from '../connectors/ExternalSystem';
import type { SinkDefinition } from '../connectors/sinks';
import type {
  OperatorStateSnapshot,
  PendingTransaction,
  SourceSplitState,
  TaskStateSnapshot,
} from '../checkpointing/CompletedCheckpoint';
import { OperatorStateBackend } from '../state/OperatorStateBackend';
import type { TimeDomain } from '../time/InternalTimerService';

/** What an operator needs from its task. */
export interface OperatorContext {
  readonly taskId: string;
  readonly vertex: JobVertex;
  readonly subtaskIndex: number;
  readonly attemptNumber: number;
  /** Unique per deployment across engine crashes: keeps two-phase-commit transaction ids unique. */
  readonly transactionScope: string;
  readonly keyedBackend: KeyedStateBackend | null;
  /** Virtual time at which the current record's processing ends (when its outputs leave). */
  now(): number;
  currentTimestamp(): number | null;
  emit(value: unknown, timestamp: number | null): void;
  /** A record to the side output `outputTag` (an `OutputTag` id). */
  output(outputTag: string, value: unknown, timestamp: number | null): void;
  readonly external: ExternalSystem;
  trace(kind: 'sink-written', value: unknown, txn: string | null): void;
  traceTxn(kind: 'transaction-committed' | 'transaction-aborted', txn: string, rows: number): void;
  /** Timers of the current key (keyed operators only). */
  registerTimer(domain: TimeDomain, timestamp: number, namespace?: string): void;
  deleteTimer(domain: TimeDomain, timestamp: number, namespace?: string): void;
  currentWatermark(): number;
}

export abstract class StreamOperator {
  constructor(protected readonly ctx: OperatorContext) {}
  open(): void {}
  /** A record (of the first input, for a two-input operator: Flink's processElement1). */
  abstract processElement(value: unknown): void;
  /** Two-input operators (Flink's TwoInputStreamOperator.processElement2): a record of the second input. */
  processElement2(_value: unknown): void {
    throw new Error(`${this.ctx.vertex.name} has one input`);
  }
  /** Flink's BoundedMultiInput.endInput(inputId): input 1 or 2 of a two-input operator ended. */
  endInput(_inputId: 1 | 2): void {}
  close(): void {}
  /** End of input (Flink's `finish()`): no more records will come; flush what is buffered. */
  finish(): void {}
  snapshotState(_checkpointId: number): OperatorStateSnapshot | null {
    return null;
  }
  /**
   * Called before open() with the snapshots of every subtask of this operator in the checkpoint
   * (for redistribution when the parallelism changed), or null on a fresh start.
   */
  initializeState(_snapshots: TaskStateSnapshot[] | null): void {}
  notifyCheckpointComplete(_checkpointId: number): void {}
  /** A timer of the current key fired; `namespace`: the one it was registered in (a window), if any. */
  onTimer(_timestamp: number, _domain: TimeDomain, _namespace?: string): void {}
}

export const NON_KEYED_MESSAGE =
  "Keyed state can only be used on a 'keyed stream', i.e., after a 'keyBy()' operation.";

export class StreamingRuntimeContext implements RuntimeContext {
  constructor(private readonly ctx: OperatorContext) {}
  getTaskName(): string {
    return this.ctx.vertex.name;
  }
  getIndexOfThisSubtask(): number {
    return this.ctx.subtaskIndex;
  }
  getNumberOfParallelSubtasks(): number {
    return this.ctx.vertex.parallelism;
  }
  getMaxNumberOfParallelSubtasks(): number {
    return this.ctx.vertex.maxParallelism;
  }
  getAttemptNumber(): number {
    return this.ctx.attemptNumber;
  }
  getPartitionedState<S extends State>(descriptor: StateDescriptor): S {
    const backend = this.ctx.keyedBackend;
    if (!backend) throw new Error(NON_KEYED_MESSAGE);
    return backend.getPartitionedState<S>(descriptor);
  }
  getState<T>(d: ValueStateDescriptor<T>): ValueState<T> {
    return this.getPartitionedState(d);
  }
  getListState<T>(d: ListStateDescriptor<T>): ListState<T> {
    return this.getPartitionedState(d);
  }
  getMapState<UK extends string | number, UV>(d: MapStateDescriptor<UK, UV>): MapState<UK, UV> {
    return this.getPartitionedState(d);
  }
  getReducingState<T>(d: ReducingStateDescriptor<T>): ReducingState<T> {
    return this.getPartitionedState(d);
  }
  getAggregatingState<IN, ACC, OUT>(d: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT> {
    return this.getPartitionedState(d);
  }
}

export abstract class UserFunctionOperator<F> extends StreamOperator {
  protected readonly fn: F;
  protected operatorState: OperatorStateBackend | null = null;
  constructor(ctx: OperatorContext, fn: F) {
    super(ctx);
    this.fn = copyFunction(fn);
  }
  /** The operator state (CheckpointedFunction lists, broadcast state), for inspection; null if it has none. */
  getOperatorStateBackend(): OperatorStateBackend | null {
    return this.operatorState;
  }
  /** Operators with operator state of their own (broadcast state) have a backend even without a CheckpointedFunction. */
  protected usesOperatorState(): boolean {
    return false;
  }
  /** CheckpointedFunction: operator state, redistributed by its mode when the parallelism changed. */
  override initializeState(snapshots: TaskStateSnapshot[] | null): void {
    const fn = this.fn;
    const checkpointed = isCheckpointedFunction(fn);
    if (!checkpointed && !this.usesOperatorState()) return;
    const previous = snapshots
      ? snapshots.map((s) => ({
          subtaskIndex: s.subtaskIndex,
          parallelism: s.parallelism,
          lists: s.operatorState?.lists ?? {},
        }))
      : null;
    const backend = new OperatorStateBackend(previous, this.ctx.subtaskIndex, this.ctx.vertex.parallelism);
    this.operatorState = backend;
    if (checkpointed)
      fn.initializeState({ isRestored: () => backend.isRestored, getOperatorStateStore: () => backend });
  }
  override snapshotState(checkpointId: number): OperatorStateSnapshot | null {
    const fn = this.fn;
    if (!this.operatorState) return null;
    if (isCheckpointedFunction(fn)) fn.snapshotState({ getCheckpointId: () => checkpointId });
    return { lists: this.operatorState.snapshot() };
  }
  override open(): void {
    const rich = this.fn as RichFunction & { setRuntimeContext?(ctx: RuntimeContext): void };
    if (typeof rich !== 'object') return;
    const ctx = new StreamingRuntimeContext(this.ctx);
    // An AbstractRichFunction's getRuntimeContext() (Flink 2.x code calls it in open(OpenContext)).
    if (typeof rich.setRuntimeContext === 'function') rich.setRuntimeContext(ctx);
    if (typeof rich.open === 'function') rich.open(ctx);
  }
  override close(): void {
    const rich = this.fn as RichFunction;
    if (typeof rich === 'object' && typeof rich.close === 'function') rich.close();
  }
}

export class StreamMap extends UserFunctionOperator<MapFunction<unknown, unknown>> {
  processElement(value: unknown): void {
    const fn = this.fn;
    this.ctx.emit(typeof fn === 'function' ? fn(value) : fn.map(value), this.ctx.currentTimestamp());
  }
}

export class StreamFlatMap extends UserFunctionOperator<FlatMapFunction<unknown, unknown>> {
  private readonly collector: Collector<unknown> = {
    collect: (v: unknown) => this.ctx.emit(v, this.ctx.currentTimestamp()),
  };
  processElement(value: unknown): void {
    const fn = this.fn;
    if (typeof fn === 'function') fn(value, this.collector);
    else fn.flatMap(value, this.collector);
  }
}

export class StreamFilter extends UserFunctionOperator<FilterFunction<unknown>> {
  processElement(value: unknown): void {
    const fn = this.fn;
    if (typeof fn === 'function' ? fn(value) : fn.filter(value))
      this.ctx.emit(value, this.ctx.currentTimestamp());
  }
}

export class KeyedProcessOperator extends UserFunctionOperator<KeyedProcessFunction<Key, unknown, unknown>> {
  private readonly collector: Collector<unknown> = {
    collect: (v: unknown) => this.ctx.emit(v, this.ctx.currentTimestamp()),
  };
  private readonly timerService: TimerService = {
    currentProcessingTime: () => this.ctx.now(),
    currentWatermark: () => this.ctx.currentWatermark(),
    registerProcessingTimeTimer: (t) => this.ctx.registerTimer('PROCESSING_TIME', t),
    registerEventTimeTimer: (t) => this.ctx.registerTimer('EVENT_TIME', t),
    deleteProcessingTimeTimer: (t) => this.ctx.deleteTimer('PROCESSING_TIME', t),
    deleteEventTimeTimer: (t) => this.ctx.deleteTimer('EVENT_TIME', t),
  };
  private domain: TimeDomain = 'EVENT_TIME';
  private readonly processContext: OnTimerContext<Key> = {
    getCurrentKey: (): Key => this.ctx.keyedBackend?.getCurrentKey() as Key,
    timestamp: (): number | null => this.ctx.currentTimestamp(),
    timerService: () => this.timerService,
    currentProcessingTime: (): number => this.ctx.now(),
    timeDomain: () => this.domain,
    output: (tag, value) => this.ctx.output(tag.id, value, this.ctx.currentTimestamp()),
  };
  processElement(value: unknown): void {
    this.fn.processElement(value, this.processContext, this.collector);
  }
  override onTimer(timestamp: number, domain: TimeDomain): void {
    this.domain = domain;
    this.fn.onTimer?.(timestamp, this.processContext, this.collector);
  }
}

/** Flink's StreamGroupedReduceOperator: the running aggregate per key lives in a ValueState. */
export class StreamGroupedReduce extends UserFunctionOperator<ReduceFunction<unknown>> {
  private state!: ValueState<unknown>;
  override open(): void {
    const backend = this.ctx.keyedBackend;
    if (!backend) throw new Error(NON_KEYED_MESSAGE);
    this.state = backend.getPartitionedState(new ValueStateDescriptor<unknown>('_op_state'));
  }
  processElement(value: unknown): void {
    const current = this.state.value();
    const fn = this.fn;
    const next =
      current === null ? value : typeof fn === 'function' ? fn(current, value) : fn.reduce(current, value);
    this.state.update(next);
    this.ctx.emit(next, this.ctx.currentTimestamp());
  }
}

/**
 * The source reader: owns some partitions of a replayable log and an offset for each. Its offsets are
 * its operator state; on restore it rewinds to them (Flink's Kafka source keeps offsets the same way).
 * A bounded source also keeps each split's stopping offset (resolved at the first start as the log's
 * end: `OffsetsInitializer.latest()`), in its state too, so a restore stops at the same place.
 */
export class SourceOperator extends StreamOperator {
  private splits: SourceSplitState[] = [];
  private next = 0;
  /** The split (partition) of the record being emitted: its watermark generator sees it. */
  currentSplit = -1;
  /** That record was its bounded split's last (the split is finished). */
  currentSplitFinished = false;

  constructor(
    ctx: OperatorContext,
    private readonly log: ReplayableLog<unknown>,
    private readonly bounded: boolean,
  ) {
    super(ctx);
  }

  /** Offsets are union state: every new subtask sees all of them and takes its own partitions' (rescaling). */
  override initializeState(snapshots: TaskStateSnapshot[] | null): void {
    const p = this.ctx.vertex.parallelism;
    const spec = this.ctx.vertex.spec;
    const auto = spec.kind === 'source' ? spec.autoCommit : undefined;
    const restored = new Map<number, SourceSplitState>();
    for (const s of snapshots ?? [])
      for (const split of s.operatorState?.sourceOffsets ?? []) restored.set(split.partition, split);
    this.splits = [];
    for (let partition = 0; partition < this.log.numPartitions; partition++) {
      if (partition % p !== this.ctx.subtaskIndex) continue;
      const r = restored.get(partition);
      // No checkpointed offset: a consumer group with auto-commit resumes where it last committed.
      const committed = auto && !snapshots ? this.log.committedOffset(auto.groupId, partition) : undefined;
      const split: SourceSplitState = { partition, offset: r?.offset ?? committed ?? 0 };
      if (this.bounded) split.stoppingOffset = r?.stoppingOffset ?? this.log.partitions[partition].length;
      this.splits.push(split);
    }
  }

  offsets(): SourceSplitState[] {
    return this.splits.map((s) => ({ ...s }));
  }

  private end(split: SourceSplitState): number {
    return split.stoppingOffset ?? this.log.partitions[split.partition].length;
  }

  /** The splits not read to their end yet (every split of an unbounded source). */
  unfinishedSplits(): number[] {
    return this.splits.filter((s) => !this.bounded || s.offset < this.end(s)).map((s) => s.partition);
  }

  hasMore(): boolean {
    for (const s of this.splits) if (s.offset < this.end(s)) return true;
    return false;
  }

  /** A bounded source that has read every split up to its stopping offset: its input has ended. */
  reachedEnd(): boolean {
    return this.bounded && !this.hasMore();
  }

  processElement(): void {
    throw new Error('a source has no input');
  }

  /** Emits the next record, round-robin over its partitions; false when every partition is at its end. */
  emitNext(): boolean {
    const n = this.splits.length;
    for (let i = 0; i < n; i++) {
      const split = this.splits[(this.next + i) % n];
      if (split.offset < this.end(split)) {
        const record = this.log.partitions[split.partition][split.offset++];
        this.next = (this.next + i + 1) % n;
        this.currentSplit = split.partition;
        this.currentSplitFinished = this.bounded && split.offset >= this.end(split);
        const spec = this.ctx.vertex.spec;
        // fromSource(.., strategy.withTimestampAssigner(..)): the event time comes from the assigner.
        const assigner = spec.kind === 'source' ? spec.watermarkStrategy?.timestampAssigner : null;
        this.ctx.emit(record.value, assigner ? assigner(record.value, record.timestamp) : record.timestamp);
        if (spec.kind === 'source' && spec.autoCommit) this.maybeAutoCommit(spec.autoCommit);
        return true;
      }
    }
    return false;
  }

  /** Virtual time of the next auto-commit (Kafka commits on poll once the interval has passed). */
  private nextCommitAt = -1;

  /**
   * `enable.auto.commit`: the position (records handed to the job, not necessarily processed) goes to
   * the log every interval, so a restart without a checkpoint skips what was in flight or in state.
   */
  private maybeAutoCommit(auto: { groupId: string; intervalMs: number }): void {
    const now = this.ctx.now();
    if (this.nextCommitAt < 0) this.nextCommitAt = now + auto.intervalMs;
    if (now < this.nextCommitAt) return;
    for (const s of this.splits) this.log.commitOffset(auto.groupId, s.partition, s.offset);
    this.nextCommitAt = now + auto.intervalMs;
  }

  override snapshotState(): OperatorStateSnapshot {
    return { sourceOffsets: this.offsets() };
  }
}

/** Writes to the external system according to the sink's kind (see connectors/sinks.ts). */
export class SinkOperator extends StreamOperator {
  private readonly table: SinkTable;
  private readonly kind: SinkKind;
  /** 2PC: the open transaction and the pre-committed ones awaiting notifyCheckpointComplete. */
  private currentTxn = '';
  private currentRows: unknown[] = [];
  private pending: PendingTransaction[] = [];
  private txnCounter = 0;
  private endOfInput = false;

  constructor(
    ctx: OperatorContext,
    private readonly sink: SinkDefinition<unknown>,
  ) {
    super(ctx);
    this.kind = sink.sinkKind;
    this.table = ctx.external.table(ctx.vertex.uid, this.kind);
  }

  override initializeState(snapshots: TaskStateSnapshot[] | null): void {
    if (this.kind !== 'two-phase-commit') return;
    // Restore: commit what the checkpoint says was pre-committed (commit is idempotent), abort the rest.
    // After a rescale, old subtask i's transactions are handled by new subtask i % parallelism.
    const p = this.ctx.vertex.parallelism;
    const mine = (snapshots ?? [])
      .filter((s) => s.subtaskIndex % p === this.ctx.subtaskIndex)
      .flatMap((s) => s.operatorState?.pendingTransactions ?? []);
    for (const t of mine) this.commit(t);
    const uid = this.ctx.vertex.uid;
    for (const [txn, rows] of [...this.table.openTransactions]) {
      const owner = Number(/#(\d+)\//.exec(txn)?.[1] ?? -1);
      if (txn.startsWith(`${uid}#`) && owner % p === this.ctx.subtaskIndex) {
        this.table.openTransactions.delete(txn);
        this.table.abortedTransactions.add(txn);
        this.ctx.traceTxn('transaction-aborted', txn, rows.length);
      }
    }
    this.beginTransaction();
  }

  private txnPrefix(): string {
    return `${this.ctx.taskId}/`;
  }

  private beginTransaction(): void {
    this.currentTxn = `${this.txnPrefix()}${this.ctx.transactionScope}-t${this.txnCounter++}`;
    this.currentRows = [];
    this.table.openTransactions.set(this.currentTxn, []);
  }

  processElement(value: unknown): void {
    const time = this.ctx.now();
    const table = this.table;
    switch (this.kind) {
      case 'non-transactional':
        table.written.push(time, value); // committed is the written list itself
        this.ctx.trace('sink-written', value, null);
        break;
      case 'idempotent-upsert': {
        const key = (this.sink.upsertKey as (v: unknown) => string)(value);
        table.upserts.set(key, table.written.length);
        table.written.push(time, value);
        this.ctx.trace('sink-written', value, null);
        break;
      }
      case 'two-phase-commit': {
        const txn = this.currentTxn;
        table.written.push(time, value, txn);
        this.currentRows.push(value);
        table.openTransactions.get(txn)?.push({ time, value, txn });
        this.ctx.trace('sink-written', value, txn);
        break;
      }
    }
  }

  /** End of input: the transaction open now is the last one (Flink's KafkaWriter opens none after it). */
  override finish(): void {
    this.endOfInput = true;
    // An empty last transaction has nothing to commit: closed now rather than left open for ever.
    if (this.kind === 'two-phase-commit' && this.currentTxn !== '' && this.currentRows.length === 0) {
      this.table.openTransactions.delete(this.currentTxn);
      this.currentTxn = '';
    }
  }

  /** preCommit at the barrier: the open transaction joins the pending ones; a new one opens (until the end of input). */
  override snapshotState(checkpointId: number): OperatorStateSnapshot | null {
    if (this.kind !== 'two-phase-commit') return null;
    if (this.currentTxn !== '')
      this.pending.push({ checkpointId, txn: this.currentTxn, rows: this.currentRows });
    if (this.endOfInput) {
      this.currentTxn = '';
      this.currentRows = [];
    } else this.beginTransaction();
    return { pendingTransactions: this.pending.map((p) => ({ ...p, rows: p.rows.slice() })) };
  }

  override notifyCheckpointComplete(checkpointId: number): void {
    if (this.kind !== 'two-phase-commit') return;
    const ready = this.pending.filter((p) => p.checkpointId <= checkpointId);
    this.pending = this.pending.filter((p) => p.checkpointId > checkpointId);
    for (const p of ready) this.commit(p);
  }

  private commit(p: PendingTransaction): void {
    if (this.table.committedTransactions.has(p.txn)) return;
    this.table.openTransactions.delete(p.txn);
    this.table.committedTransactions.add(p.txn);
    const time = this.ctx.now();
    for (const value of p.rows) this.table.committed.push(time, value, p.txn);
    this.ctx.traceTxn('transaction-committed', p.txn, p.rows.length);
  }

  /** The rows of the open transaction (for inspection). */
  openRows(): unknown[] {
    return this.currentRows.slice();
  }
}

/**
 * The operators defined in this file. The others live in their own files, which import this one:
 * `StreamOperatorFactory.createStreamOperator` builds every kind.
 */
export function createOperator(ctx: OperatorContext): StreamOperator {
  const spec = ctx.vertex.spec;
  switch (spec.kind) {
    case 'source':
      return new SourceOperator(ctx, spec.log, spec.bounded);
    case 'map':
      return new StreamMap(ctx, spec.fn);
    case 'flatMap':
      return new StreamFlatMap(ctx, spec.fn);
    case 'filter':
      return new StreamFilter(ctx, spec.fn);
    case 'process':
      return new KeyedProcessOperator(ctx, spec.fn);
    case 'reduce':
      return new StreamGroupedReduce(ctx, spec.fn);
    case 'sink':
      return new SinkOperator(ctx, spec.sink);
    case 'window':
      return spec.createOperator(ctx);
    default:
      throw new Error(`operator '${spec.kind}' is built by StreamOperatorFactory.createStreamOperator`);
  }
}
