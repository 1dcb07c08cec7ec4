/**
 * Lessons 5 and 6's job: visits per user (the seed's first application, §1.3) read from TWO sources
 * of different speed, so that the channels into the counting operator are unequally full:
 *
 *   Source: web visits (busy)   one record every 0.5 ms  ─┐
 *                                                          ├─ keyBy(user) → count (2 subtasks, 2 ms a visit) → 2PC sink
 *   Source: app visits (quiet)  one record every 5 ms    ─┘
 *
 * The count operator cannot keep up with the busy source, so the busy channels fill up (backpressure)
 * while the quiet ones stay nearly empty. A snapshot then has something to wait for: a stop-the-world
 * snapshot drains the full channels, a Chandy-Lamport snapshot records what is in them, and Flink's
 * aligned barriers hold the quiet channels while the busy one catches up.
 */
import {
  FsStateBackend,
  Random,
  ReplayableLog,
  StreamExecutionEnvironment,
  TwoPhaseCommitSink,
  ValueStateDescriptor,
  Types,
  type Collector,
  type KeyedProcessContext,
  type KeyedProcessFunction,
  type LogRecord,
  type RuntimeContext,
  type Scenario,
  type ScenarioOptions,
  type ValueState,
} from '../../src/engine/index';
import { applyScenarioOptions } from '../../src/engine/scenarios/Scenario';

export interface Visit {
  user: string;
  page: string;
  /** Set by the enrichment of web visits. */
  section?: string;
}

export interface VisitCount {
  user: string;
  visits: number;
}

const PAGES = ['/home', '/search', '/product', '/cart', '/checkout', '/help'];

/** A deterministic one-partition log of visits by `users` users. */
export function visitLog(
  topic: string,
  events: number,
  users: number,
  dataSeed: number,
): ReplayableLog<Visit> {
  const rng = new Random(dataSeed);
  const records: LogRecord<Visit>[] = [];
  for (let i = 0; i < events; i++)
    records.push({
      value: {
        user: `user-${String(rng.int(0, users - 1)).padStart(2, '0')}`,
        page: PAGES[rng.int(0, PAGES.length - 1)],
      },
      timestamp: i,
    });
  return new ReplayableLog(topic, [records]);
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

export const BUSY_EMIT_MS = 0.5;
export const QUIET_EMIT_MS = 5;
export const ENRICH_MS = 2;

/** Looks up the page's section (slow: a call to another service, 2 ms a visit). */
export function enrich(v: Visit): Visit {
  return { ...v, section: v.page === '/home' || v.page === '/help' ? 'info' : 'shop' };
}

/** How many visits each source's log holds (lesson 7 uses longer logs: its run must last over 10 s). */
export interface TwoSpeedSizes {
  web: number;
  app: number;
}

export const LESSON_5_SIZES: TwoSpeedSizes = { web: 3000, app: 800 };

export function buildTwoSpeedVisits(options: ScenarioOptions = {}, sizes: TwoSpeedSizes = LESSON_5_SIZES) {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  env.setStateBackend(new FsStateBackend('file:///tmp/checkpoints'));
  env.enableCheckpointing(1000);
  // Every operator its own task, so that records and barriers cross every edge — the queue in front
  // of the slow lookup is what lessons 5 and 6 look at (chained, the lookup would run inside the busy
  // source's task; lesson 1's last step shows chaining).
  env.disableOperatorChaining();
  const web = env
    .fromSource(visitLog('web-visits', sizes.web, 20, 20240611), 'Source: web visits (busy)', BUSY_EMIT_MS)
    .uid('web')
    .setParallelism(1)
    .map(enrich)
    .uid('enrich')
    .name('Map: look up the page (slow)')
    .setParallelism(1)
    .setProcessingTime(ENRICH_MS);
  const app = env
    .fromSource(visitLog('app-visits', sizes.app, 20, 20240612), 'Source: app visits (quiet)', QUIET_EMIT_MS)
    .uid('app')
    .setParallelism(1);
  web
    .union(app)
    .keyBy((v: Visit) => v.user)
    .process(new CountVisits())
    .uid('count')
    .name('Process: count visits per user')
    .addSink(new TwoPhaseCommitSink<VisitCount>())
    .uid('sink')
    .name('Sink: two-phase commit');
  applyScenarioOptions(env, options);
  return env.getJobGraph('Visits from two sources');
}

export const scenario: Scenario = {
  name: 'lesson-why-snapshots-are-hard',
  description:
    'Visits per user from a busy and a quiet source; the count (2 ms a visit) cannot keep up with the busy one.',
  build: (options) => buildTwoSpeedVisits(options),
};
