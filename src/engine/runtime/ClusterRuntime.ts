/**
 * The parts of one MiniCluster, wired together by it: each part reaches the others through this
 * object (they call each other both ways — a record a task emits goes to the network, a credit the
 * network returns wakes a task). Built once per engine instance; fields never change afterwards.
 */
import type { JobGraph } from '../api/JobGraph';
import type { CheckpointCoordinator } from '../checkpointing/CheckpointCoordinator';
import type { CheckpointStorage } from '../checkpointing/CheckpointStorage';
import type { StopTheWorldCheckpoint } from '../checkpointing/StopTheWorldCheckpoint';
import type { SubtaskCheckpointCoordinator } from '../checkpointing/SubtaskCheckpointCoordinator';
import type { ExternalSystem } from '../connectors/ExternalSystem';
import type { CreditBasedFlowControl } from '../network/CreditBasedFlowControl';
import type { RecordWriter } from '../network/RecordWriter';
import type { DefaultScheduler } from '../scheduler/DefaultScheduler';
import type { ExecutionGraph } from '../scheduler/ExecutionGraph';
import type { EndOfInput } from '../tasks/EndOfInput';
import type { SlotPool } from '../scheduler/SlotPool';
import type { StreamInputProcessor } from '../tasks/StreamInputProcessor';
import type { InternalTimeServiceManager } from '../time/InternalTimeServiceManager';
import type { ProgressiveTimestampsAndWatermarks } from '../time/ProgressiveTimestampsAndWatermarks';
import type { StatusWatermarkValve } from '../time/StatusWatermarkValve';
import type { EventLoop } from './EventLoop';
import type { JobMetrics } from './JobMetrics';

export interface ClusterRuntime {
  readonly job: JobGraph;
  readonly loop: EventLoop;
  readonly graph: ExecutionGraph;
  readonly external: ExternalSystem;
  readonly checkpointStorage: CheckpointStorage;
  readonly metrics: JobMetrics;
  readonly network: CreditBasedFlowControl;
  readonly recordWriter: RecordWriter;
  readonly scheduler: DefaultScheduler;
  /** TaskManagers and slots (its `resourceManager`), which group sits where, waiting slot requests. */
  readonly slotPool: SlotPool;
  readonly inputProcessor: StreamInputProcessor;
  readonly endOfInput: EndOfInput;
  readonly subtaskCheckpoints: SubtaskCheckpointCoordinator;
  readonly stopTheWorld: StopTheWorldCheckpoint;
  readonly timers: InternalTimeServiceManager;
  readonly watermarkValve: StatusWatermarkValve;
  readonly sourceWatermarks: ProgressiveTimestampsAndWatermarks;
  /** Set right after the parts (the coordinator is created with the cluster as its host). */
  readonly coordinator: CheckpointCoordinator;
}
