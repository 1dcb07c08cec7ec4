/**
 * The job graph the DataStream API builds: operators (job vertices) and the edges between them with
 * their partitioners. Execution expands each vertex into `parallelism` subtasks and each edge into
 * channels between subtasks (all-to-all for hash/rebalance/broadcast, one-to-one for forward).
 */
import type { Key } from '../keygroups/hashCode';
import type { ReplayableLog } from '../connectors/ReplayableLog';
import type { WatermarkStrategy } from '../time/WatermarkStrategy';
import type { SinkDefinition } from '../connectors/sinks';
import type { FilterFunction, FlatMapFunction, KeyedProcessFunction, MapFunction } from './functions';
import type { MapStateDescriptor, ReduceFunction } from '../state/StateDescriptor';
import type { ProcessFunction } from './ProcessFunction';
import type {
  CoFlatMapFunction,
  CoMapFunction,
  CoProcessFunction,
  KeyedCoProcessFunction,
} from './CoProcessFunction';
import type { BroadcastProcessFunction, KeyedBroadcastProcessFunction } from './BroadcastProcessFunction';
import type { ProcessJoinFunction } from './ProcessJoinFunction';
import type { OperatorContext, StreamOperator } from '../runtime/operators';
import type { WindowOperatorSpec } from '../windowing/WindowOperator';

export type PartitionerKind = 'forward' | 'hash' | 'rebalance' | 'broadcast';

export type OperatorSpec =
  | {
      kind: 'source';
      log: ReplayableLog<unknown>;
      /**
       * Boundedness.BOUNDED: the source stops at the log's end offsets as of its first start (Flink's
       * `setBounded(OffsetsInitializer.latest())`), then its input ends. Otherwise it polls for ever.
       */
      bounded: boolean;
      emitIntervalMs: number;
      watermarkStrategy: WatermarkStrategy | null;
      /**
       * Kafka's `enable.auto.commit`: the consumer commits its position to the log (the broker) every
       * `intervalMs`, and a start without checkpointed offsets resumes from the committed ones.
       */
      autoCommit?: { groupId: string; intervalMs: number };
    }
  | { kind: 'map'; fn: MapFunction<unknown, unknown> }
  | { kind: 'flatMap'; fn: FlatMapFunction<unknown, unknown> }
  | { kind: 'filter'; fn: FilterFunction<unknown> }
  | { kind: 'process'; fn: KeyedProcessFunction<Key, unknown, unknown> }
  | { kind: 'reduce'; fn: ReduceFunction<unknown> }
  /** `process(ProcessFunction)` on a non-keyed stream (Flink's ProcessOperator). */
  | { kind: 'nonKeyedProcess'; fn: ProcessFunction<unknown, unknown> }
  /** Two-input operators: input 1 is the edges with typeNumber 1, input 2 those with typeNumber 2. */
  | { kind: 'coMap'; fn: CoMapFunction<unknown, unknown, unknown> }
  | { kind: 'coFlatMap'; fn: CoFlatMapFunction<unknown, unknown, unknown> }
  | { kind: 'coProcess'; fn: CoProcessFunction<unknown, unknown, unknown> }
  | { kind: 'keyedCoProcess'; fn: KeyedCoProcessFunction<Key, unknown, unknown, unknown> }
  | {
      kind: 'broadcastProcess';
      fn: BroadcastProcessFunction<unknown, unknown, unknown>;
      descriptors: MapStateDescriptor<string | number, unknown>[];
    }
  | {
      kind: 'keyedBroadcastProcess';
      fn: KeyedBroadcastProcessFunction<Key, unknown, unknown, unknown>;
      descriptors: MapStateDescriptor<string | number, unknown>[];
    }
  | {
      kind: 'intervalJoin';
      fn: ProcessJoinFunction<unknown, unknown, unknown>;
      lowerBound: number;
      upperBound: number;
      lowerBoundInclusive: boolean;
      upperBoundInclusive: boolean;
      /** `sideOutputLeftLateData` / `sideOutputRightLateData`: OutputTag ids for late elements (else dropped). */
      leftLateDataOutputTag?: string | null;
      rightLateDataOutputTag?: string | null;
    }
  /** `assignTimestampsAndWatermarks(strategy)` after the sources (Flink's TimestampsAndWatermarksOperator). */
  | { kind: 'timestampsAndWatermarks'; strategy: WatermarkStrategy }
  | { kind: 'sink'; sink: SinkDefinition<unknown> }
  | {
      kind: 'window';
      window: WindowOperatorSpec;
      /** Builds the WindowOperator (set by WindowedStream, so the runtime need not import windowing/). */
      createOperator: (ctx: OperatorContext) => StreamOperator;
    };

export interface JobVertex {
  readonly id: number;
  uid: string;
  name: string;
  parallelism: number;
  maxParallelism: number;
  /** Set by the user (env.setMaxParallelism), not derived from the parallelism. */
  maxParallelismConfigured: boolean;
  /** Virtual time one record takes in this operator (ms). For sources: the time between two records. */
  processingTimeMs: number;
  /**
   * When set, the virtual time one record takes as a function of the virtual time it starts at
   * (`setProcessingTime(fn)`: e.g. the Playground's BackpressureMap, slow during even minutes).
   */
  processingTimeFn?: (now: number) => number;
  readonly spec: OperatorSpec;
  /** fromElements and other non-parallel sources: parallelism is always 1. */
  nonParallel: boolean;
  /** Set when the input is a keyed stream: the key of each record, for key groups and keyed state. */
  keySelector: ((value: unknown) => Key) | null;
  /** Two-input operators: the second input's key selector (null: not keyed, e.g. the broadcast side). */
  keySelector2?: ((value: unknown) => Key) | null;
  readonly inputs: JobEdge[];
  /** Whether this operator may be chained to its input / its outputs (`startNewChain`, `disableChaining`). */
  chainingStrategy: ChainingStrategy;
  /** Flink's slot sharing group ('default' unless `slotSharingGroup(name)`): chains never cross groups. */
  slotSharingGroup: string;
}

/**
 * Flink's ChainingStrategy: ALWAYS (chain to the input and the outputs when the rule allows; every
 * DataStream operator's default), HEAD (start a new chain: `startNewChain()`), NEVER (a chain of its
 * own: `disableChaining()`), HEAD_WITH_SOURCES (chain to its input only if that is a source).
 */
export type ChainingStrategy = 'ALWAYS' | 'HEAD' | 'NEVER' | 'HEAD_WITH_SOURCES';

export interface JobEdge {
  readonly source: JobVertex;
  readonly target: JobVertex;
  readonly partitioner: PartitionerKind;
  readonly keySelector: ((value: unknown) => Key) | null;
  /** The user asked for this partitioner (an explicit forward() with unequal parallelism is an error). */
  readonly explicitPartitioner: boolean;
  /**
   * Flink's StreamEdge typeNumber: 0 into a one-input operator, 1 or 2 for the first or second input
   * of a two-input operator (`connect`, `intervalJoin`, the broadcast state pattern).
   */
  readonly typeNumber: 0 | 1 | 2;
  /** The side output (`OutputTag` id) this edge carries; absent or null: the source's main output. */
  readonly outputTag?: string | null;
}

export type CheckpointingMode =
  'exactly-once' | 'at-least-once' | 'unaligned' | 'stop-the-world' | 'chandy-lamport';

export const CHECKPOINTING_MODES: readonly CheckpointingMode[] = [
  'exactly-once',
  'at-least-once',
  'unaligned',
  'stop-the-world',
  'chandy-lamport',
];

export interface CheckpointConfig {
  /** null = checkpointing off (Flink's default). */
  intervalMs: number | null;
  mode: CheckpointingMode;
  timeoutMs: number;
  minPauseBetweenCheckpointsMs: number;
  maxConcurrentCheckpoints: number;
  /** Checkpoint failures (expired, declined, storage errors) tolerated in a row before the job fails over. Flink's default: 0. */
  tolerableFailedCheckpoints: number;
  /**
   * Unaligned mode only: start each checkpoint aligned and switch to unaligned when alignment takes
   * longer than this after the trigger (Flink's aligned-checkpoint-timeout). 0 = always unaligned.
   */
  alignedCheckpointTimeoutMs: number;
}

export type RestartStrategyConfig =
  | { type: 'none' }
  | { type: 'fixed-delay'; attempts: number; delayMs: number }
  | { type: 'failure-rate'; maxFailuresPerInterval: number; failureRateIntervalMs: number; delayMs: number }
  | {
      type: 'exponential-delay';
      initialBackoffMs: number;
      backoffMultiplier: number;
      maxBackoffMs: number;
      resetBackoffThresholdMs: number;
      jitterFactor: number;
    };

export type StateBackendName = 'hashmap' | 'rocksdb';
export type CheckpointStorageName = 'jobmanager' | 'filesystem';

export interface StateBackendConfig {
  /** The seed's legacy name, when one was used (MemoryStateBackend, FsStateBackend, RocksDBStateBackend). */
  legacyName: string | null;
  stateBackend: StateBackendName;
  checkpointStorage: CheckpointStorageName;
  checkpointPath: string | null;
  /** RocksDB only: upload just the SST files that earlier checkpoints do not have (Flink's default: off). */
  incrementalCheckpoints: boolean;
}

/** Modelled costs in virtual time; all latencies are drawn from the seeded generator. */
export interface CostModel {
  channelLatencyMinMs: number;
  channelLatencyMaxMs: number;
  /** Records a channel may hold (in transit + in the receiver's buffer) before the sender blocks. */
  channelCapacity: number;
  /** JobManager <-> task RPC latency (trigger, ack, notify). */
  rpcLatencyMs: number;
  syncSnapshotBaseMs: number;
  syncSnapshotPerKeyMs: number;
  asyncSnapshotBaseMs: number;
  /** Upload bandwidth of checkpoint storage. */
  storageBytesPerMs: number;
}

export interface JobGraph {
  readonly name: string;
  readonly vertices: readonly JobVertex[];
  readonly checkpointConfig: CheckpointConfig;
  readonly restartStrategy: RestartStrategyConfig;
  readonly stateBackend: StateBackendConfig;
  readonly costs: CostModel;
  /** Operator chaining (Flink's `pipeline.operator-chaining.enabled`, on by default). */
  readonly chainingEnabled: boolean;
}
