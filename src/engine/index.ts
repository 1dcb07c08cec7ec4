/** The engine's public API: what lessons, the command line, the worker and tests import. */
export * from './api/StreamExecutionEnvironment';
export * from './api/StateBackends';
export * from './api/functions';
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
export type { Scenario, ScenarioOptions } from './scenarios/Scenario';
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
