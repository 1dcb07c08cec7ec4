/** A named, built-in job that the command line, the tests and (later) the app can start. */
import type { CheckpointConfig, CheckpointingMode, JobGraph, RestartStrategyConfig } from '../api/JobGraph';
import type { StreamExecutionEnvironment } from '../api/StreamExecutionEnvironment';
import { stateBackendByName } from '../api/StateBackends';

/**
 * Job arguments of the Operations Playground's ClickEventCount (the `clickcount` scenario honours
 * them; the CLI refuses them for other scenarios).
 */
export interface PlaygroundArguments {
  /** false: the job without `--checkpointing` (default true). */
  checkpointing?: boolean;
  /** true: the job without `--event-time` (processing-time windows). */
  processingTime?: boolean;
  /** `--backpressure`: the BackpressureMap before the window. */
  backpressure?: boolean;
  /** The Kafka producer's guarantee: at-least-once (the Playground's; default) or exactly-once (2PC). */
  sink?: 'at-least-once' | 'exactly-once';
}

export interface ScenarioOptions extends PlaygroundArguments {
  mode?: CheckpointingMode;
  checkpointIntervalMs?: number;
  /** memory | fs | rocksdb, or a Flink class name (see stateBackendByName). */
  backend?: string;
  /**
   * Flink's `-p`: the default parallelism, for every operator that does not set its own (sources
   * included; a non-parallel fromElements source stays at 1). It replaces the scenario's
   * `env.setParallelism`, as if the job left that to the client.
   */
  parallelism?: number;
  /** Per operator uid, after `parallelism` (sources of a fromElements job stay at 1). */
  operatorParallelism?: Readonly<Record<string, number>>;
  /** The rest of Flink's CheckpointConfig (timeout, min pause, ...). */
  checkpoint?: Partial<Omit<CheckpointConfig, 'mode' | 'intervalMs'>>;
  restartStrategy?: RestartStrategyConfig;
  /**
   * Keep log sources running after their last record, as a Kafka topic does (default: bounded,
   * `setBounded(OffsetsInitializer.latest())`, so the job ends FINISHED). `fromData` is always bounded.
   */
  unbounded?: boolean;
  /** `false`: `env.disableOperatorChaining()` (every operator its own task). Default: chaining on, as Flink. */
  chaining?: boolean;
}

export interface Scenario {
  name: string;
  description: string;
  /** The job takes the Operations Playground's job arguments (PlaygroundArguments): clickcount's. */
  playgroundArguments?: boolean;
  build(options?: ScenarioOptions): JobGraph;
}

export function applyScenarioOptions(env: StreamExecutionEnvironment, options: ScenarioOptions): void {
  env.setLogSourcesBounded(!options.unbounded);
  if (options.chaining === false) env.disableOperatorChaining();
  if (options.backend) env.setStateBackend(stateBackendByName(options.backend));
  if (options.parallelism) env.overrideDefaultParallelism(options.parallelism);
  for (const [uid, p] of Object.entries(options.operatorParallelism ?? {}))
    env.setOperatorParallelism(uid, p);
  if (options.restartStrategy) env.setRestartStrategy(options.restartStrategy);
  const cfg = env.getCheckpointConfig();
  if (options.mode || options.checkpointIntervalMs) {
    env.enableCheckpointing(options.checkpointIntervalMs ?? cfg.intervalMs ?? 1000, options.mode ?? cfg.mode);
  }
  if (options.checkpoint) env.configureCheckpointing(options.checkpoint);
}
