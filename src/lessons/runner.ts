/**
 * Running a lesson step: a StepTracker remembers what the engine reported since the step began (fed
 * with every FrameUpdate), `evaluateCheck` decides a step's check from that and from the engine's
 * answers, and `playSolution` performs a step's solution through a LessonDriver. The app drives the
 * worker through it; the headless test drives an EngineHost in Node (headless.ts) — the same checks,
 * so the grader never disagrees with what the step says.
 */
import { msg, renderEnglish, type Message, type TraceEvent } from '../engine/index';
import type {
  CheckpointListing,
  FrameUpdate,
  LoadOptions,
  Recovery,
  ResolvedConfig,
  SinkReport,
  StatePage,
} from '../worker/protocol';
import type { Check, LessonAction, LessonDefinition, LessonOptions } from './format';

/** Record-level events are many; the tracker keeps these for `where` checks (notable ones always). */
const MAX_KEPT_EVENTS = 50_000;

export class StepTracker {
  events: TraceEvent[] = [];
  /** Every event since the step began, by type (including those the worker only counted). */
  counts: Record<string, number> = {};
  answer: number | null = null;
  imported = false;
  /** Checkpoint ids up to this one were triggered before the step began. */
  checkpointIdAtStart = 0;
  frame: FrameUpdate | null = null;
  /** How the job came to be (set on load and after an engine crash). */
  recovery: Recovery | null = null;

  begin(latestCheckpointId: number): void {
    this.events = [];
    this.counts = {};
    this.answer = null;
    this.imported = false;
    this.checkpointIdAtStart = latestCheckpointId;
  }

  /**
   * A new engine instance runs the job (a reload, a restore after a crash, an imported snapshot): its
   * coordinator's history holds only its own checkpoints, so every one of them is new to this step.
   */
  engineReplaced(): void {
    this.checkpointIdAtStart = 0;
  }

  observe(update: FrameUpdate): void {
    this.frame = update;
    for (const [type, n] of Object.entries(update.eventCounts))
      this.counts[type] = (this.counts[type] ?? 0) + n;
    for (const e of update.events) if (this.events.length < MAX_KEPT_EVENTS) this.events.push(e);
  }
}

/** What a check may ask the engine (the worker API's read side). */
export interface CheckContext {
  tracker: StepTracker;
  config: ResolvedConfig | null;
  readState(operator: string, state: string, search: string): Promise<StatePage>;
  listCheckpoints(): Promise<CheckpointListing>;
  sinkReport(): Promise<SinkReport>;
}

export interface CheckResult {
  ok: boolean;
  /** Why not (a message code: the page shows it in the learner's language, tests read `renderEnglish`). */
  why: Message;
}

const pass: CheckResult = { ok: true, why: msg('text', { text: '' }) };
const fail = (why: Message): CheckResult => ({ ok: false, why });

function matches(event: TraceEvent, where: Record<string, unknown> | undefined): boolean {
  if (!where) return true;
  const fields = event as unknown as Record<string, unknown>;
  return Object.entries(where).every(([k, v]) => fields[k] === v);
}

export async function evaluateCheck(check: Check, ctx: CheckContext): Promise<CheckResult> {
  const t = ctx.tracker;
  switch (check.kind) {
    case 'all': {
      for (const c of check.of) {
        const r = await evaluateCheck(c, ctx);
        if (!r.ok) return r;
      }
      return pass;
    }
    case 'any': {
      const whys: Message[] = [];
      for (const c of check.of) {
        const r = await evaluateCheck(c, ctx);
        if (r.ok) return pass;
        whys.push(r.why);
      }
      return fail(
        msg('check.none-of', { whys: whys.reduce((a, b) => msg('check.list', { first: a, rest: b })) }),
      );
    }
    case 'not': {
      const r = await evaluateCheck(check.check, ctx);
      return r.ok ? fail(msg('check.not-expected', { check: JSON.stringify(check.check) })) : pass;
    }
    case 'event': {
      const need = check.atLeast ?? 1;
      const n = check.where
        ? t.events.filter((e) => e.type === check.type && matches(e, check.where)).length
        : (t.counts[check.type] ?? 0);
      return n >= need
        ? pass
        : fail(
            check.where
              ? msg('check.events-where', { n, type: check.type, where: JSON.stringify(check.where), need })
              : msg('check.events', { n, type: check.type, need }),
          );
    }
    case 'state': {
      const page = await ctx.readState(check.operator, check.state, String(check.key));
      const row = page.rows.find((r) => r.key === check.key);
      const value = row ? row.value : null;
      if (row && check.subtask !== undefined && row.subtask !== check.subtask)
        return fail(
          msg('check.state-subtask', {
            key: JSON.stringify(check.key),
            subtask: row.subtask,
            want: check.subtask,
          }),
        );
      return JSON.stringify(value) === JSON.stringify(check.equals)
        ? pass
        : fail(
            msg('check.state-value', {
              operator: check.operator,
              state: check.state,
              key: JSON.stringify(check.key),
              value: JSON.stringify(value),
              want: JSON.stringify(check.equals),
            }),
          );
    }
    case 'state-size': {
      const page = await ctx.readState(check.operator, check.state, '');
      const n = page.total;
      if (check.atLeast !== undefined && n < check.atLeast)
        return fail(msg('check.keys-at-least', { n, need: check.atLeast }));
      if (check.atMost !== undefined && n > check.atMost)
        return fail(msg('check.keys-at-most', { n, need: check.atMost }));
      return pass;
    }
    case 'checkpoint': {
      const history = (await ctx.listCheckpoints()).history.filter((h) => h.id > t.checkpointIdAtStart);
      const stored = check.savepoint === undefined ? null : await ctx.listCheckpoints();
      const found = history.filter((h) => {
        if (h.status !== check.status) return false;
        if (
          check.minPersistedInFlightBytes !== undefined &&
          h.persistedInFlightBytes < check.minPersistedInFlightBytes
        )
          return false;
        if (
          check.maxCheckpointedFraction !== undefined &&
          h.checkpointedBytes > check.maxCheckpointedFraction * h.fullBytes
        )
          return false;
        if (stored && check.savepoint !== undefined) {
          const kind = stored.stored.find((s) => s.checkpointId === h.id)?.kind;
          if ((kind === 'savepoint') !== check.savepoint) return false;
        }
        return true;
      }).length;
      const need = check.atLeast ?? 1;
      return found >= need
        ? pass
        : fail(msg('check.checkpoints', { found, status: msg(`checkpoint-status.${check.status}`), need }));
    }
    case 'finished': {
      const f = t.frame;
      if (!f?.finished) return fail(msg('check.not-finished'));
      if (check.jobStatus && f.jobStatus !== check.jobStatus)
        return fail(msg('check.job-status', { status: f.jobStatus, want: check.jobStatus }));
      return pass;
    }
    case 'sink': {
      const v = (await ctx.sinkReport()).check.verdict;
      return check.verdict.includes(v)
        ? pass
        : fail(msg('check.verdict', { verdict: v, want: check.verdict.join(' | ') }));
    }
    case 'config': {
      const c = ctx.config;
      if (!c) return fail(msg('check.no-job'));
      const diffs: Message[] = [];
      const want: Array<[string, unknown, unknown]> = [
        ['mode', check.mode, c.mode],
        ['backend', check.backend, c.backend],
        ['intervalMs', check.intervalMs, c.intervalMs],
        ['incremental', check.incremental, c.incremental],
        ['maxConcurrent', check.maxConcurrent, c.maxConcurrent],
        ['tolerableFailed', check.tolerableFailed, c.tolerableFailed],
        ['timeoutMs', check.timeoutMs, c.timeoutMs],
      ];
      for (const [name, w, have] of want)
        if (w !== undefined && w !== have)
          diffs.push(msg('check.config', { name, value: JSON.stringify(have), want: JSON.stringify(w) }));
      for (const [op, p] of Object.entries(check.parallelism ?? {}))
        if (c.parallelism[op] !== p)
          diffs.push(msg('check.parallelism', { operator: op, value: c.parallelism[op], want: p }));
      return diffs.length ? fail(diffs.reduce((a, b) => msg('check.list', { first: a, rest: b }))) : pass;
    }
    case 'answered':
      return t.answer !== null ? pass : fail(msg('check.not-answered'));
    case 'time': {
      const now = t.frame?.now ?? 0;
      return now >= check.atLeast ? pass : fail(msg('check.time', { now, need: check.atLeast }));
    }
    case 'imported':
      return t.imported ? pass : fail(msg('check.not-imported'));
    case 'recovered': {
      const r = t.recovery;
      if (!r) return fail(msg('check.not-started'));
      const from = r.restoredFrom !== null;
      return from === check.fromCheckpoint
        ? pass
        : fail(
            from
              ? msg('check.recovered-from', { id: r.restoredFrom, reason: r.reason })
              : msg('check.recovered-scratch', { reason: r.reason }),
          );
    }
  }
}

/** What a solution needs to do things (the app's session, or an EngineHost in Node). */
export interface LessonDriver {
  /** (Re)starts the lesson's job with these options. */
  load(options: LoadOptions): Promise<void>;
  /** Plays until `done()` says so, or `maxMs` of virtual time passed; false if it never did. */
  playUntil(done: () => Promise<boolean>, maxMs: number): Promise<boolean>;
  step(kind: 'event' | 'barrier'): Promise<void>;
  failTask(task: string): Promise<void>;
  poison(source?: string, partition?: number): Promise<void>;
  storageFault(kind: 'quota' | 'write-error', count: number): Promise<void>;
  trigger(kind: 'checkpoint' | 'savepoint'): Promise<void>;
  setProcessingTime(operator: string, ms: number): Promise<void>;
  crash(): Promise<void>;
  /** Exports the latest retained checkpoint/savepoint, optionally reloads with `options`, imports it. */
  restore(from: 'latest-checkpoint' | 'latest-savepoint', options: LoadOptions | null): Promise<void>;
  /** The options the job runs with now (to merge a `configure`). */
  currentOptions(): LoadOptions;
}

/** The lesson's starting options as the worker's LoadOptions. */
export function lessonLoadOptions(
  lesson: LessonDefinition,
  extra?: LessonOptions,
  base?: LoadOptions,
): LoadOptions {
  const start: LoadOptions = base ?? {
    scenario: lesson.scenario,
    seed: lesson.seed,
    ...(lesson.options ?? {}),
  };
  if (!extra) return start;
  return {
    ...start,
    ...extra,
    checkpoint: { ...start.checkpoint, ...extra.checkpoint },
    parallelism: { ...start.parallelism, ...extra.parallelism },
    processingTimeMs: { ...start.processingTimeMs, ...extra.processingTimeMs },
  };
}

export const DEFAULT_PLAY_LIMIT_MS = 120_000;

/** Plays a step's solution. Throws when an action cannot be done (e.g. `play` never reached its goal). */
export async function playSolution(
  lesson: LessonDefinition,
  actions: readonly LessonAction[],
  driver: LessonDriver,
  ctx: CheckContext,
): Promise<void> {
  for (const [i, a] of actions.entries()) {
    switch (a.do) {
      case 'play': {
        const ok = await driver.playUntil(
          async () => (await evaluateCheck(a.until, ctx)).ok,
          a.maxMs ?? DEFAULT_PLAY_LIMIT_MS,
        );
        if (!ok) {
          const r = await evaluateCheck(a.until, ctx);
          throw new Error(
            `solution action ${i} (play until ${JSON.stringify(a.until)}) never got there: ${renderEnglish(r.why)}`,
          );
        }
        break;
      }
      case 'step':
        for (let n = 0; n < (a.times ?? 1); n++) await driver.step(a.kind);
        break;
      case 'fail':
        await driver.failTask(a.task);
        break;
      case 'poison':
        await driver.poison(a.source, a.partition);
        break;
      case 'storage-fault':
        await driver.storageFault(a.fault, a.count ?? 1);
        break;
      case 'trigger':
        await driver.trigger(a.kind);
        break;
      case 'slow':
        await driver.setProcessingTime(a.operator, a.ms);
        break;
      case 'configure':
        await driver.load(lessonLoadOptions(lesson, a.options, driver.currentOptions()));
        ctx.tracker.engineReplaced();
        break;
      case 'answer':
        ctx.tracker.answer = a.choice;
        break;
      case 'crash':
        await driver.crash();
        ctx.tracker.engineReplaced();
        break;
      case 'restore':
        await driver.restore(
          a.from,
          a.options ? lessonLoadOptions(lesson, a.options, driver.currentOptions()) : null,
        );
        ctx.tracker.imported = true;
        ctx.tracker.engineReplaced();
        break;
    }
  }
}
