/** A named, built-in job that the command line, the tests and (later) the app can start. */
import type { CheckpointingMode, JobGraph } from '../api/JobGraph';
import type { StreamExecutionEnvironment } from '../api/StreamExecutionEnvironment';
import { stateBackendByName } from '../api/StateBackends';

export interface ScenarioOptions {
  mode?: CheckpointingMode;
  checkpointIntervalMs?: number;
  /** memory | fs | rocksdb, or a Flink class name (see stateBackendByName). */
  backend?: string;
  /** Parallelism of every operator but the sources (their parallelism follows the log's partitions). */
  parallelism?: number;
}

export interface Scenario {
  name: string;
  description: string;
  build(options?: ScenarioOptions): JobGraph;
}

export function applyScenarioOptions(env: StreamExecutionEnvironment, options: ScenarioOptions): void {
  if (options.backend) env.setStateBackend(stateBackendByName(options.backend));
  if (options.parallelism) env.overrideOperatorParallelism(options.parallelism);
  const cfg = env.getCheckpointConfig();
  if (options.mode || options.checkpointIntervalMs) {
    env.enableCheckpointing(options.checkpointIntervalMs ?? cfg.intervalMs ?? 1000, options.mode ?? cfg.mode);
  }
}
