/** The engine's public API: what lessons, the command line, the worker and tests import. */
export * from './api/StreamExecutionEnvironment';
export * from './api/StateBackends';
export * from './api/functions';
export { ConnectedStreams } from './api/ConnectedStreams';
export { BroadcastStream } from './api/BroadcastStream';
export { BroadcastConnectedStream } from './api/BroadcastConnectedStream';
export { IntervalJoin, IntervalJoined } from './api/IntervalJoin';
export {
  CoGroupedStreams,
  JoinedStreams,
  type CoGroupFunction,
  type JoinFunction,
  type FlatJoinFunction,
  type TaggedUnion,
} from './api/CoGroupedStreams';
export type * from './api/CoProcessFunction';
export type * from './api/BroadcastProcessFunction';
export type * from './api/ProcessJoinFunction';
export type * from './api/ProcessFunction';
export type { BroadcastState, ReadOnlyBroadcastState } from './state/HeapBroadcastState';
export { SumAggregator } from './api/aggregation/SumAggregator';
export { ComparableAggregator, type AggregationType } from './api/aggregation/ComparableAggregator';
export { OutputTag } from './api/OutputTag';
export { Duration, type DurationLike } from './api/Duration';
export { WindowedStream } from './api/WindowedStream';
export { AllWindowedStream, type ProcessAllWindowFunction } from './api/AllWindowedStream';
export type * from './windowing/ProcessWindowFunction';
export { TimeWindow } from './windowing/windows/TimeWindow';
export { GlobalWindow } from './windowing/windows/GlobalWindow';
export type { Window } from './windowing/windows/Window';
export { windowFromNamespace, describeNamespace } from './windowing/windows/namespaces';
export {
  WindowAssigner,
  MergingWindowAssigner,
  type WindowAssignerContext,
} from './windowing/assigners/WindowAssigner';
export { TumblingEventTimeWindows } from './windowing/assigners/TumblingEventTimeWindows';
export { TumblingProcessingTimeWindows } from './windowing/assigners/TumblingProcessingTimeWindows';
export { SlidingEventTimeWindows } from './windowing/assigners/SlidingEventTimeWindows';
export { SlidingProcessingTimeWindows } from './windowing/assigners/SlidingProcessingTimeWindows';
export {
  EventTimeSessionWindows,
  type SessionWindowTimeGapExtractor,
} from './windowing/assigners/EventTimeSessionWindows';
export { ProcessingTimeSessionWindows } from './windowing/assigners/ProcessingTimeSessionWindows';
export { GlobalWindows } from './windowing/assigners/GlobalWindows';
export {
  Trigger,
  TriggerResult,
  type TriggerContext,
  type OnMergeContext,
} from './windowing/triggers/Trigger';
export { EventTimeTrigger } from './windowing/triggers/EventTimeTrigger';
export { ProcessingTimeTrigger } from './windowing/triggers/ProcessingTimeTrigger';
export { CountTrigger } from './windowing/triggers/CountTrigger';
export { ContinuousEventTimeTrigger } from './windowing/triggers/ContinuousEventTimeTrigger';
export { PurgingTrigger } from './windowing/triggers/PurgingTrigger';
export type { Evictor, EvictorContext, TimestampedValue } from './windowing/evictors/Evictor';
export { CountEvictor } from './windowing/evictors/CountEvictor';
export { TimeEvictor } from './windowing/evictors/TimeEvictor';
export { MergingWindowSet } from './windowing/MergingWindowSet';
export type * from './api/JobGraph';
export { CHECKPOINTING_MODES } from './api/JobGraph';
export {
  createChains,
  isChainable,
  taskIdOfOperatorSubtask,
  type OperatorChainInfo,
} from './api/StreamingJobGraphGenerator';
export * from './state/StateDescriptor';
export { Types } from './api/typeinfo/Types';
export {
  TypeInformation,
  BasicTypeInfo,
  GenericTypeInfo,
  ListTypeInfo,
  MapTypeInfo,
  PojoTypeInfo,
  RowTypeInfo,
  TupleTypeInfo,
  StateMigrationException,
  typeFromJson,
  type TypeInfoJson,
  type SchemaCompatibility,
} from './api/typeinfo/TypeInformation';
export type * from './state/State';
export type * from './state/KeyedStateBackend';
export { HeapKeyedStateBackend } from './state/HeapKeyedStateBackend';
export * from './keygroups/KeyGroupRangeAssignment';
export * from './keygroups/KeyGroupRange';
export { javaHashCode, type Key } from './keygroups/hashCode';
export { murmurHash } from './keygroups/MathUtils';
export * from './connectors/ReplayableLog';
export * from './connectors/KafkaSource';
export * from './connectors/DataGeneratorSource';
export * from './connectors/ExternalSystem';
export * from './connectors/sinks';
export * from './checkpointing/CheckpointStorage';
export type * from './checkpointing/CompletedCheckpoint';
export { RestartStrategies } from './failover/RestartStrategies';
export { SuppressRestartsException, isUnrecoverableError } from './failover/SuppressRestartsException';
export {
  MiniCluster,
  type MiniClusterOptions,
  type FailureRecord,
  type TaskManagerInfo,
  type VertexInfo,
} from './runtime/MiniCluster';
export {
  DEFAULT_SLOT_REQUEST_TIMEOUT_MS,
  DEFAULT_TASK_MANAGER_RESTART_DELAY_MS,
  type ClusterOptions,
} from './scheduler/ResourceManager';
export { parseTaskManagerId, taskManagerId } from './scheduler/TaskManager';
export {
  Simulation,
  type SimulationOptions,
  type SimulationResult,
  type ScheduledFailure,
} from './runtime/Simulation';
export { Random } from './runtime/Random';
export { MAX_WATERMARK } from './runtime/StreamElement';
export type * from './trace/TraceEvent';
export { RECORD_LEVEL_EVENTS } from './trace/TraceEvent';
export { SCENARIOS, allScenarios, getScenario, registerScenario } from './scenarios/index';
export type { PlaygroundArguments, Scenario, ScenarioOptions } from './scenarios/Scenario';
export { applyScenarioOptions } from './scenarios/Scenario';
// The built-in scenarios' data, for job files that read the same "topics" (examples/jobs/).
export { WORDCOUNT_TEXT } from './scenarios/wordcount';
export { generateVisitLog, VISITS_EMIT_MS, type Visit, type VisitCount } from './scenarios/visits';
export {
  generateLoginLog,
  ANOMALY_WINDOW_MS,
  FAILURES_FOR_ALERT,
  LOGIN_OUT_OF_ORDERNESS_MS,
  LOGIN_IDLENESS_MS,
  EXPECTED_ALERTS,
  type Login,
  type Alert,
  type LoginLogOptions,
} from './scenarios/anomalies';
export * from './snapshot/index';
export * from './time/WatermarkStrategy';
export type { TimeDomain, TimerSnapshot } from './time/InternalTimerService';
export { RestoreError, validateRestore } from './checkpointing/Checkpoints';
export { OperatorStateBackend } from './state/OperatorStateBackend';
export * from './state/ttl/StateTtlConfig';
export { RocksDBKeyedStateBackend } from './state/rocksdb/RocksDBKeyedStateBackend';
export type { IncrementalKeyedStateHandle, SstFile } from './state/rocksdb/types';
export { SharedStateRegistry } from './checkpointing/SharedStateRegistry';
export * from './messages/Message';
export { EN as ENGLISH_MESSAGES, taskManagerList } from './messages/en';
