/** Shared by the snapshot tests: small visits-like jobs, runs that stop after a checkpoint, comparisons. */
import type { KeyedStateSnapshot } from '../../src/engine/state/KeyedStateBackend';
import {
  DurableCheckpointStorage,
  ExternalSystem,
  MiniCluster,
  StreamExecutionEnvironment,
  FsStateBackend,
  TwoPhaseCommitSink,
  ListStateDescriptor,
  MapStateDescriptor,
  ValueStateDescriptor,
  Types,
  type CheckpointingMode,
  type CompletedCheckpoint,
  type Collector,
  type JobGraph,
  type KeyedProcessContext,
  type KeyedProcessFunction,
  type ListState,
  type MapState,
  type ValueState,
  type RuntimeContext,
} from '../../src/engine/index';
import { CountVisits, generateVisitLog, type Visit } from '../../src/engine/scenarios/visits';

/** A Visits job with adjustable size and parallelism (the scenario's shape: source → keyBy → count → 2PC sink). */
export function visitsJob(
  options: {
    events?: number;
    countParallelism?: number;
    sourceParallelism?: number;
    sinkParallelism?: number;
    mode?: CheckpointingMode;
    intervalMs?: number;
    extraStates?: boolean;
  } = {},
): JobGraph {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(4);
  env.setStateBackend(new FsStateBackend());
  env.enableCheckpointing(options.intervalMs ?? 300, options.mode ?? 'exactly-once');
  env
    .fromSource(generateVisitLog(options.events ?? 400), 'Source: visits', 1)
    .uid('source')
    .setParallelism(options.sourceParallelism ?? 4)
    .keyBy((v: Visit) => v.user)
    .process(options.extraStates ? new CountWithHistory() : new CountVisits())
    .uid('count')
    .name('Process: count visits per user')
    .setParallelism(options.countParallelism ?? 4)
    .addSink(new TwoPhaseCommitSink())
    .uid('sink')
    .name('Sink: two-phase commit')
    .setParallelism(options.sinkParallelism ?? 4);
  return env.getJobGraph('Visits');
}

/** Counts per user like CountVisits, plus a ListState of pages and a MapState page → count. */
export class CountWithHistory implements KeyedProcessFunction<string, Visit, unknown> {
  private visits!: ValueState<number>;
  private pages!: ListState<string>;
  private perPage!: MapState<string, number>;
  open(ctx: RuntimeContext): void {
    this.visits = ctx.getState(new ValueStateDescriptor('visits', Types.INT));
    this.pages = ctx.getListState(new ListStateDescriptor('pages', Types.STRING));
    this.perPage = ctx.getMapState(new MapStateDescriptor('perPage', Types.STRING, Types.INT));
  }
  processElement(v: Visit, _ctx: KeyedProcessContext<string>, out: Collector<unknown>): void {
    const n = (this.visits.value() ?? 0) + 1;
    this.visits.update(n);
    this.pages.add(v.page);
    this.perPage.put(v.page, (this.perPage.get(v.page) ?? 0) + 1);
    out.collect({ user: v.user, visits: n });
  }
}

/** Runs until `until` (virtual ms) with every completed checkpoint retained; returns the cluster and storage. */
export function runTo(job: JobGraph, until: number, seed = 1, external = new ExternalSystem()) {
  const storage = new DurableCheckpointStorage(1000);
  const cluster = new MiniCluster(job, { seed, checkpointStorage: storage, external, fastForward: true });
  cluster.runUntil(until);
  return { cluster, storage, external };
}

export function latestCheckpoint(storage: DurableCheckpointStorage, job: JobGraph): CompletedCheckpoint {
  const cp = storage.latest(job.name);
  if (!cp) throw new Error('no completed checkpoint');
  return cp;
}

/** The keyed state a checkpoint holds, in the shape of MiniCluster.keyedStateByOperator(). */
export function stateOfCheckpoint(
  cp: CompletedCheckpoint,
): Record<string, Record<string, Record<string, unknown>>> {
  const out: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const t of cp.tasks) {
    if (!t.keyedState) continue;
    const op = (out[t.operatorUid] ??= {});
    for (const kg of (t.keyedState as KeyedStateSnapshot).keyGroups)
      for (const [name, st] of Object.entries(kg.states)) {
        const m = (op[name] ??= {});
        for (const [k, v] of st.entries) m[String(k)] = v;
      }
  }
  return out;
}

/** Source offsets of a checkpoint per partition. */
export function offsetsOfCheckpoint(cp: CompletedCheckpoint): Map<number, number> {
  const m = new Map<number, number>();
  for (const t of cp.tasks)
    for (const s of t.operatorState?.sourceOffsets ?? []) m.set(s.partition, s.offset);
  return m;
}

export function offsetsOfCluster(cluster: MiniCluster): Map<number, number> {
  const m = new Map<number, number>();
  for (const list of Object.values(cluster.sourceOffsets()))
    for (const s of list) m.set(s.partition, s.offset);
  return m;
}

/** Drops empty operator/state maps so "no keys" compares equal however it is represented. */
export function nonEmpty(state: Record<string, Record<string, Record<string, unknown>>>) {
  const out: typeof state = {};
  for (const [op, states] of Object.entries(state))
    for (const [name, m] of Object.entries(states)) if (Object.keys(m).length > 0) (out[op] ??= {})[name] = m;
  return out;
}

export function sortedJson(values: readonly unknown[]): string[] {
  return values.map((v) => JSON.stringify(v)).sort();
}
