/**
 * The seed's first application (§1.3, §6.1): counting visits per user. A Kafka-like log of 10,000
 * page visits over 4 partitions (generated from a fixed data seed, so every run reads the same log),
 * parallelism 4, a KeyedProcessFunction with a ValueState count, and a two-phase-commit sink, so the
 * committed output is exactly-once end to end.
 */
import { StreamExecutionEnvironment } from '../api/StreamExecutionEnvironment';
import { FsStateBackend } from '../api/StateBackends';
import type { Collector, KeyedProcessContext, KeyedProcessFunction, RuntimeContext } from '../api/functions';
import { ReplayableLog, type LogRecord } from '../connectors/ReplayableLog';
import { TwoPhaseCommitSink } from '../connectors/sinks';
import { Random } from '../runtime/Random';
import type { ValueState } from '../state/State';
import { ValueStateDescriptor } from '../state/StateDescriptor';
import { Types } from '../api/typeinfo/Types';
import { applyScenarioOptions, type Scenario, type ScenarioOptions } from './Scenario';

export interface Visit {
  user: string;
  page: string;
}

export interface VisitCount {
  user: string;
  visits: number;
}

/**
 * Virtual ms between two records of one partition: 2,500 records a partition take 12.5 s, so at 1× a
 * learner sees about a dozen checkpoints complete and has time to fail a subtask and watch the restore.
 */
export const VISITS_EMIT_MS = 5;

const PAGES = ['/home', '/search', '/product', '/cart', '/checkout', '/help'];

/** A deterministic visit log: users drawn with a skew (a few heavy users, a long tail). */
export function generateVisitLog(
  events = 10_000,
  partitions = 4,
  users = 60,
  dataSeed = 20240601,
): ReplayableLog<Visit> {
  const rng = new Random(dataSeed);
  const parts: LogRecord<Visit>[][] = Array.from({ length: partitions }, () => []);
  for (let i = 0; i < events; i++) {
    const u = Math.floor(users * Math.pow(rng.next(), 2));
    const visit: Visit = {
      user: `user-${String(u).padStart(2, '0')}`,
      page: PAGES[rng.int(0, PAGES.length - 1)],
    };
    parts[i % partitions].push({ value: visit, timestamp: i * 10 });
  }
  return new ReplayableLog('visits', parts);
}

export class CountVisits implements KeyedProcessFunction<string, Visit, VisitCount> {
  private visits!: ValueState<number>;

  open(ctx: RuntimeContext): void {
    this.visits = ctx.getState(new ValueStateDescriptor('visits', Types.INT));
  }

  processElement(visit: Visit, _ctx: KeyedProcessContext<string>, out: Collector<VisitCount>): void {
    const n = (this.visits.value() ?? 0) + 1;
    this.visits.update(n);
    out.collect({ user: visit.user, visits: n });
  }
}

export function buildVisits(options: ScenarioOptions & { events?: number } = {}) {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(4);
  env.setStateBackend(new FsStateBackend('file:///tmp/checkpoints'));
  env.enableCheckpointing(1000);
  env
    .fromSource(
      generateVisitLog(options.events ?? 10_000),
      'Source: visits (Kafka-like, 4 partitions)',
      VISITS_EMIT_MS,
    )
    .uid('source')
    .keyBy((v: Visit) => v.user)
    .process(new CountVisits())
    .uid('count')
    .name('Process: count visits per user')
    .addSink(new TwoPhaseCommitSink<VisitCount>())
    .uid('sink')
    .name('Sink: two-phase commit');
  applyScenarioOptions(env, options);
  return env.getJobGraph('Visits');
}

export const visits: Scenario = {
  name: 'visits',
  description:
    'Per-user visit counts from a 10,000-event replayable log, parallelism 4, two-phase-commit sink.',
  build: buildVisits,
};
