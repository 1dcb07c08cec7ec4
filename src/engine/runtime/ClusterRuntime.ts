/**
 * The parts of one MiniCluster, wired together by it: each part reaches the others through this
 * object (they call each other both ways — a record a task emits goes to the network, a credit the
 * network returns wakes a task). Built once per engine instance; fields never change afterwards.
 */
import type { JobGraph } from '../api/JobGraph';
import type { CheckpointCoordinator } from '../checkpointing/CheckpointCoordinator';
import type { CheckpointStorage } from '../checkpointing/CheckpointStorage';
import { StopTheWorldCheckpoint } from '../checkpointing/StopTheWorldCheckpoint';
import { SubtaskCheckpointCoordinator } from '../checkpointing/SubtaskCheckpointCoordinator';
import type { ExternalSystem } from '../connectors/ExternalSystem';
import { CreditBasedFlowControl } from '../network/CreditBasedFlowControl';
import { RecordWriter } from '../network/RecordWriter';
import { DefaultScheduler } from '../scheduler/DefaultScheduler';
import type { ExecutionGraph } from '../scheduler/ExecutionGraph';
import type { ResourceManager } from '../scheduler/ResourceManager';
import type { ExecutionSlotSharingGroup } from '../scheduler/TaskManager';
import { EndOfInput } from '../tasks/EndOfInput';
import { SlotPool } from '../scheduler/SlotPool';
import { StreamInputProcessor } from '../tasks/StreamInputProcessor';
import { InternalTimeServiceManager } from '../time/InternalTimeServiceManager';
import { ProgressiveTimestampsAndWatermarks } from '../time/ProgressiveTimestampsAndWatermarks';
import { StatusWatermarkValve } from '../time/StatusWatermarkValve';
import type { EventLoop } from './EventLoop';
import type { JobMetrics } from './JobMetrics';
import type { Random } from './Random';

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

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Builds the parts around what the MiniCluster made (loop, execution graph, storage…). None uses
 * another in its constructor; the coordinator comes last, made by the cluster (its host).
 */
export function createClusterRuntime(
  base: Pick<ClusterRuntime, 'job' | 'loop' | 'graph' | 'external' | 'checkpointStorage' | 'metrics'>,
  cluster: { random: Random; resourceManager: ResourceManager; groups: ExecutionSlotSharingGroup[] },
  createCoordinator: (rt: ClusterRuntime) => CheckpointCoordinator,
): ClusterRuntime {
  const rt = { ...base } as Mutable<ClusterRuntime>;
  rt.network = new CreditBasedFlowControl(rt);
  rt.recordWriter = new RecordWriter(rt);
  rt.scheduler = new DefaultScheduler(rt, cluster.random);
  rt.slotPool = new SlotPool(cluster.resourceManager, cluster.groups);
  rt.inputProcessor = new StreamInputProcessor(rt);
  rt.endOfInput = new EndOfInput(rt);
  rt.subtaskCheckpoints = new SubtaskCheckpointCoordinator(rt);
  rt.stopTheWorld = new StopTheWorldCheckpoint(rt);
  rt.timers = new InternalTimeServiceManager(rt);
  rt.watermarkValve = new StatusWatermarkValve(rt);
  rt.sourceWatermarks = new ProgressiveTimestampsAndWatermarks(rt);
  rt.coordinator = createCoordinator(rt);
  return rt;
}
