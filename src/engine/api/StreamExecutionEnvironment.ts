/**
 * The DataStream API: build a job the way the seed's Java does.
 *
 *   const env = StreamExecutionEnvironment.getExecutionEnvironment();
 *   env.enableCheckpointing(1000);
 *   env.fromData('To be, or not to be, that is the question')
 *      .flatMap(splitWords).keyBy((w) => w).map(new CountWithValueState()).addSink(new NonTransactionalSink());
 *   const job = env.getJobGraph('WordCount');
 *
 * `await env.execute('WordCount')` hands the job to whoever runs the program (Flink's context
 * environment: `initializeContextEnvironment`, as `flink run` installs one); without one it runs the
 * job here to its end, as Flink's local environment does.
 */
import { computeDefaultMaxParallelism } from '../keygroups/KeyGroupRangeAssignment';
import { ReplayableLog } from '../connectors/ReplayableLog';
import { KafkaSource } from '../connectors/KafkaSource';
import { DataGeneratorSource } from '../connectors/DataGeneratorSource';
import type { KeySelector } from './functions';
import { SingleOutputStreamOperator, assertPositiveInt, parallelismSetByOperator } from './DataStream';
import type {
  CheckpointConfig,
  CheckpointingMode,
  CostModel,
  JobGraph,
  JobVertex,
  OperatorSpec,
  PartitionerKind,
  RestartStrategyConfig,
  StateBackendConfig,
} from './JobGraph';
import { CHECKPOINTING_MODES } from './JobGraph';
import { StateBackend } from './StateBackends';
import { RestartStrategies } from '../failover/RestartStrategies';
import type { WatermarkStrategy } from '../time/WatermarkStrategy';
import type { SimulationResult } from '../runtime/Simulation';

export const DEFAULT_COSTS: CostModel = {
  channelLatencyMinMs: 2,
  channelLatencyMaxMs: 5,
  channelCapacity: 64,
  rpcLatencyMs: 1,
  syncSnapshotBaseMs: 0.5,
  syncSnapshotPerKeyMs: 0.0005,
  asyncSnapshotBaseMs: 5,
  storageBytesPerMs: 50_000,
};

/** Flink's `JobExecutionResult`: what `execute` returns once the job has run. */
export interface JobExecutionResult {
  getJobName(): string;
  /** Virtual milliseconds the job ran (Flink: wall time). */
  getNetRuntime(): number;
  /** The simulation's result (state, sink output, checkpoints, failures), when run locally. */
  getSimulationResult(): SimulationResult;
}

/** Flink's `PipelineExecutor`, reduced to what the lab needs: takes the environment the job was built on. */
export type PipelineExecutor = (
  env: StreamExecutionEnvironment,
  jobName: string,
) => Promise<JobExecutionResult>;

/** Flink's `StreamExecutionEnvironmentFactory`: what `getExecutionEnvironment()` returns inside a runner. */
export type StreamExecutionEnvironmentFactory = () => StreamExecutionEnvironment;

/** Flink's `StreamGraphGenerator.DEFAULT_STREAMING_JOB_NAME`. */
export const DEFAULT_JOB_NAME = 'Flink Streaming Job';

let contextEnvironmentFactory: StreamExecutionEnvironmentFactory | null = null;

export class StreamExecutionEnvironment {
  private readonly vertices: JobVertex[] = [];
  private defaultParallelism = 1;
  private maxParallelism: number | null = null;
  private checkpointConfig: CheckpointConfig = {
    intervalMs: null,
    mode: 'exactly-once',
    timeoutMs: 10 * 60_000,
    minPauseBetweenCheckpointsMs: 0,
    maxConcurrentCheckpoints: 1,
    tolerableFailedCheckpoints: 0,
    alignedCheckpointTimeoutMs: 0,
  };
  private restartStrategy: RestartStrategyConfig | null = null;
  private stateBackend: StateBackendConfig = new StateBackend('hashmap', 'jobmanager').config;
  private costs: CostModel = { ...DEFAULT_COSTS };
  private uidCounter = new Map<string, number>();
  private chainingEnabled = true;
  /** Sources over a Kafka-like log (not fromData, not a data generator). */
  private readonly logSources = new Set<JobVertex>();

  /** @param executor what `execute` hands the job to; none: run it here (Flink's local environment). */
  constructor(private readonly executor: PipelineExecutor | null = null) {}

  /** The runner's environment if one installed a factory (a job file being built), else a local one. */
  static getExecutionEnvironment(): StreamExecutionEnvironment {
    return contextEnvironmentFactory?.() ?? new StreamExecutionEnvironment();
  }

  /** Flink's `StreamExecutionEnvironment.initializeContextEnvironment`: a runner installs its factory. */
  static initializeContextEnvironment(factory: StreamExecutionEnvironmentFactory): void {
    contextEnvironmentFactory = factory;
  }

  /** Flink's `resetContextEnvironment`. */
  static resetContextEnvironment(): void {
    contextEnvironmentFactory = null;
  }

  /**
   * Flink's `execute(jobName)`: submits the job. Inside a runner (`npm run sim -- --job`, the editor)
   * the runner takes it from here; otherwise the job runs here from start to end (seed 1,
   * fast-forward, no failures) and the result says what it left behind.
   */
  async execute(jobName: string = DEFAULT_JOB_NAME): Promise<JobExecutionResult> {
    if (this.executor) return this.executor(this, jobName);
    const job = this.getJobGraph(jobName);
    // Imported here, not at the top: the runtime imports this module (no cycle at evaluation time).
    const { Simulation } = await import('../runtime/Simulation');
    const sim = new Simulation(job, { seed: 1, fastForward: true });
    sim.run();
    const result = sim.result();
    return {
      getJobName: () => jobName,
      getNetRuntime: () => result.time,
      getSimulationResult: () => result,
    };
  }

  setParallelism(p: number): this {
    assertPositiveInt(p, 'parallelism');
    this.defaultParallelism = p;
    return this;
  }

  getParallelism(): number {
    return this.defaultParallelism;
  }

  setMaxParallelism(maxP: number): this {
    assertPositiveInt(maxP, 'maxParallelism');
    if (maxP > 32768) throw new Error('maxParallelism must be at most 32768');
    this.maxParallelism = maxP;
    return this;
  }

  enableCheckpointing(intervalMs: number, mode: CheckpointingMode = 'exactly-once'): this {
    if (!(intervalMs > 0)) throw new Error(`checkpoint interval must be > 0 ms, got ${intervalMs}`);
    if (!CHECKPOINTING_MODES.includes(mode)) throw new Error(`unknown checkpointing mode '${mode}'`);
    this.checkpointConfig = { ...this.checkpointConfig, intervalMs, mode };
    return this;
  }

  getCheckpointConfig(): CheckpointConfig {
    return this.checkpointConfig;
  }

  configureCheckpointing(patch: Partial<CheckpointConfig>): this {
    this.checkpointConfig = { ...this.checkpointConfig, ...patch };
    return this;
  }

  /** Accepts the seed's legacy backends (MemoryStateBackend, FsStateBackend, RocksDBStateBackend) and today's names. */
  setStateBackend(backend: StateBackend): this {
    this.stateBackend = backend.config;
    return this;
  }

  setRestartStrategy(strategy: RestartStrategyConfig): this {
    this.restartStrategy = strategy;
    return this;
  }

  /**
   * Flink's `disableOperatorChaining()`: every operator runs in a task of its own (one job vertex per
   * operator), with a channel — credit, latency, barrier alignment — on every edge.
   */
  disableOperatorChaining(): this {
    this.chainingEnabled = false;
    return this;
  }

  isChainingEnabled(): boolean {
    return this.chainingEnabled;
  }

  /** Simulation knobs: latencies, buffer sizes and snapshot costs in virtual time. */
  setCostModel(patch: Partial<CostModel>): this {
    this.costs = { ...this.costs, ...patch };
    return this;
  }

  /**
   * A bounded, non-parallel source over fixed elements (parallelism 1, one log partition), as Flink
   * 2.x's `fromData`: after the last element its input ends and the job can finish.
   */
  fromData<T>(...elements: T[]): SingleOutputStreamOperator<T> {
    const log = ReplayableLog.ofValues('elements', elements);
    const ds = this.addSource(log, true, 'Elements Source', 1, null);
    ds.setParallelism(1);
    ds.getVertex().nonParallel = true;
    return ds;
  }

  /** @deprecated Flink 1.x's name for {@link fromData} (deprecated in Flink 2.x). */
  fromElements<T>(...elements: T[]): SingleOutputStreamOperator<T> {
    return this.fromData(...elements);
  }

  /**
   * A parallel source: a Kafka-like log (a `ReplayableLog` as is, or a `KafkaSource` built with
   * `setBounded(OffsetsInitializer.latest())`), or a bounded `DataGeneratorSource`. Partition i goes
   * to subtask i % p. `emitIntervalMs`: virtual time between two records of one subtask (a
   * DataGeneratorSource's rate limiter sets it when given).
   */
  fromSource<T>(
    source: ReplayableLog<T> | KafkaSource<T> | DataGeneratorSource<T>,
    name?: string,
    emitIntervalMs = 1,
    watermarkStrategy: WatermarkStrategy | null = null,
  ): SingleOutputStreamOperator<T> {
    if (source instanceof DataGeneratorSource) {
      const p = this.defaultParallelism;
      const interval = source.emitIntervalMs(p) ?? emitIntervalMs;
      return this.addSource(
        source.toLog(p),
        true,
        name ?? 'Source: DataGenerator',
        interval,
        watermarkStrategy,
      );
    }
    const log = source instanceof KafkaSource ? source.log : source;
    const bounded = source instanceof KafkaSource && source.getBoundedness() === 'BOUNDED';
    const ds = this.addSource(
      log,
      bounded,
      name ?? `Source: ${log.topic}`,
      emitIntervalMs,
      watermarkStrategy,
    );
    this.logSources.add(ds.getVertex());
    if (source instanceof KafkaSource && source.autoCommit) {
      const spec = ds.getVertex().spec;
      if (spec.kind === 'source') spec.autoCommit = { ...source.autoCommit };
    }
    return ds;
  }

  private addSource<T>(
    log: ReplayableLog<T>,
    bounded: boolean,
    name: string,
    emitIntervalMs: number,
    watermarkStrategy: WatermarkStrategy | null,
  ): SingleOutputStreamOperator<T> {
    const v = this.addVertex(
      { kind: 'source', log: log as ReplayableLog<unknown>, bounded, emitIntervalMs, watermarkStrategy },
      name,
      [],
      null,
    );
    v.processingTimeMs = emitIntervalMs;
    return new SingleOutputStreamOperator<T>(this, [v], null);
  }

  /**
   * Lab switch for the built-in scenarios: read every log source bounded (`setBounded(latest())`) or
   * unbounded (keeps polling after the last record, as a Kafka topic does). `fromData` stays bounded.
   */
  setLogSourcesBounded(bounded: boolean): this {
    for (const v of this.logSources) if (v.spec.kind === 'source') v.spec.bounded = bounded;
    return this;
  }

  /** @internal */
  addVertex(
    spec: OperatorSpec,
    name: string,
    inputs: {
      vertex: JobVertex;
      partitioner: PartitionerKind | null;
      keySelector: KeySelector<unknown> | null;
      /** Two-input operators: which input (1 or 2) this edge feeds. */
      typeNumber?: 1 | 2;
      outputTag?: string | null;
    }[],
    keySelector: KeySelector<unknown> | null,
  ): JobVertex {
    const id = this.vertices.length;
    const base = spec.kind === 'source' ? 'source' : name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    const n = this.uidCounter.get(base) ?? 0;
    this.uidCounter.set(base, n + 1);
    const vertex: JobVertex = {
      id,
      uid: n === 0 ? base : `${base}-${n + 1}`,
      name,
      parallelism: this.defaultParallelism,
      maxParallelism: 0,
      maxParallelismConfigured: false,
      processingTimeMs: 0.05,
      nonParallel: false,
      spec,
      keySelector,
      inputs: [],
      chainingStrategy: 'ALWAYS',
      slotSharingGroup: 'default',
    };
    for (const input of inputs) {
      vertex.inputs.push({
        source: input.vertex,
        target: vertex,
        partitioner: input.partitioner ?? 'forward',
        keySelector: input.keySelector,
        explicitPartitioner: input.partitioner !== null,
        typeNumber: input.typeNumber ?? 0,
        ...(input.outputTag ? { outputTag: input.outputTag } : {}),
      });
    }
    this.vertices.push(vertex);
    return vertex;
  }

  /**
   * Flink's `-p` (`parallelism.default` from the client): the parallelism of every operator that did
   * not set its own with `setParallelism`, sources included, built so far or later. Operators that
   * set theirs (a non-parallel `fromElements` source) keep it, so forward edges stay forward.
   */
  overrideDefaultParallelism(p: number): this {
    assertPositiveInt(p, 'parallelism');
    this.defaultParallelism = p;
    for (const v of this.vertices) if (!parallelismSetByOperator.has(v)) v.parallelism = p;
    return this;
  }

  /** One operator's parallelism by uid (the UI's per-operator setting); non-parallel sources refuse. */
  setOperatorParallelism(uid: string, p: number): this {
    assertPositiveInt(p, `parallelism of '${uid}'`);
    const v = this.vertices.find((x) => x.uid === uid);
    if (!v)
      throw new Error(`no operator with uid '${uid}' (known: ${this.vertices.map((x) => x.uid).join(', ')})`);
    if (v.nonParallel && p !== 1)
      throw new Error(`operator '${uid}' is a non-parallel source: its parallelism is 1`);
    v.parallelism = p;
    parallelismSetByOperator.add(v);
    return this;
  }

  getJobGraph(name = 'Job'): JobGraph {
    const uids = new Set<string>();
    for (const v of this.vertices) {
      if (uids.has(v.uid)) throw new Error(`duplicate operator uid '${v.uid}': uids must be unique in a job`);
      uids.add(v.uid);
    }
    const vertices = this.vertices.map((v) => {
      const maxParallelism = this.maxParallelism ?? computeDefaultMaxParallelism(v.parallelism);
      if (v.parallelism > maxParallelism)
        throw new Error(
          `operator '${v.uid}': parallelism ${v.parallelism} exceeds maxParallelism ${maxParallelism}`,
        );
      v.maxParallelism = maxParallelism;
      v.maxParallelismConfigured = this.maxParallelism !== null;
      return v;
    });
    // Flink: a forward edge needs equal parallelism; with none given, unequal parallelism means rebalance.
    for (const v of vertices) {
      for (let i = 0; i < v.inputs.length; i++) {
        const e = v.inputs[i];
        if (e.partitioner === 'forward' && e.source.parallelism !== v.parallelism) {
          if (e.explicitPartitioner)
            throw new Error(
              `Forward partitioning does not allow change of parallelism. Upstream operation: ${e.source.uid} parallelism: ${e.source.parallelism}, downstream operation: ${v.uid} parallelism: ${v.parallelism} You must use another partitioning strategy, such as broadcast, rebalance, shuffle or global.`,
            );
          v.inputs[i] = { ...e, partitioner: 'rebalance' };
        }
      }
    }
    const restartStrategy =
      this.restartStrategy ??
      (this.checkpointConfig.intervalMs !== null
        ? RestartStrategies.exponentialDelayRestart()
        : RestartStrategies.noRestart());
    return {
      name,
      vertices,
      checkpointConfig: { ...this.checkpointConfig },
      restartStrategy,
      stateBackend: { ...this.stateBackend },
      costs: { ...this.costs },
      chainingEnabled: this.chainingEnabled,
    };
  }
}

// The stream classes live in DataStream.ts (as in Flink); re-exported for existing imports.
export { DataStream, DataStreamSink, KeyedStream, SingleOutputStreamOperator } from './DataStream';
