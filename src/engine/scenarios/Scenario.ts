/** A named, built-in job that the command line, the tests and (later) the app can start. */
import type { CheckpointingMode, JobGraph } from '../api/JobGraph';
import type { StreamExecutionEnvironment } from '../api/StreamExecutionEnvironment';

export interface ScenarioOptions {
  mode?: CheckpointingMode;
  checkpointIntervalMs?: number;
}

export interface Scenario {
  name: string;
  description: string;
  build(options?: ScenarioOptions): JobGraph;
}

export function applyScenarioOptions(env: StreamExecutionEnvironment, options: ScenarioOptions): void {
  const cfg = env.getCheckpointConfig();
  if (options.mode || options.checkpointIntervalMs) {
    env.enableCheckpointing(options.checkpointIntervalMs ?? cfg.intervalMs ?? 1000, options.mode ?? cfg.mode);
  }
}
