/**
 * A lesson step's check, evaluated where the events happen: in the worker, against every engine event
 * as the engine produces it. The page registers the step's check (`setLessonCheck`) and only renders
 * the verdict that comes back with each FrameUpdate — so a transient event or state is never missed,
 * however slow the machine or fast the playback.
 *
 * - `event` checks are counters, fed by every trace event since the step began (record-level ones
 *   included: nothing is capped here).
 * - state-like checks (`state`, `state-size`, `checkpoint`, `sink`) are re-read only after an event
 *   that touches what they look at (a state change of that operator and state, a restore, a completed
 *   or failed checkpoint, a sink write or commit, a new engine instance) and cached in between;
 *   `finished`, `time`, `config`, `recovered`, `answered`, `imported` are cheap and read every time.
 * - The whole check is evaluated after every engine event (EngineHost.afterStep) and at every frame.
 *   The first time it holds, the step has passed: the verdict latches, with the virtual time, and
 *   (by default) playback stops at that very event, so the next step starts where the lesson expects.
 *
 * The whole check latches, not each part: `all` of a configuration and a state means both at once
 * (lesson 3: "count has parallelism 3 AND `be` is in subtask 1"), not each at some moment.
 */
import { msg, renderEnglish, text, type Message } from '../engine/messages/Message';
import { RECORD_LEVEL_EVENTS, TimeWindow, type MiniCluster, type TraceEvent } from '../engine/index';
import type {
  Check,
  CheckResult,
  LessonCheckCarry,
  LessonCheckSpec,
  LessonVerdict,
  SinkVerdict,
} from './lessonCheck';
import {
  checkpointMiss,
  configDiffs,
  describe,
  explainCheckpoint,
  explainEvent,
  explainFinished,
  explainSink,
  explainState,
  explainStateSize,
  list,
  type CheckpointSeen,
} from './checkExplanations';
import { plain, sinkRowKey } from './plain';
import { evaluateSinkRows } from './sinkRowsCheck';
import { TaskManagerRecoveryTracker } from './taskManagerRecovery';
import { FailoverRewindTracker } from './failoverRewind';
import type { Recovery, ResolvedConfig } from './protocol';

/** What the evaluator reads from the engine's host. */
export interface CheckedEngine {
  cluster(): MiniCluster | null;
  config(): ResolvedConfig | null;
  recovery(): Recovery | null;
  /** The failure-free reference run's visible rows: `sinkRowKey(uid, value)` -> count. */
  referenceCounts(): Map<string, number>;
  /** The external systems saw the whole run (not restored from a snapshot): losses can be judged. */
  sawWholeRun(): boolean;
  /** The running job is a job file (the editor's Run, a code step's "Show me"): its name, else null. */
  jobFile(): string | null;
}

type EventCheck = Extract<Check, { kind: 'event' }>;
type CachedCheck = Extract<
  Check,
  { kind: 'state' | 'state-size' | 'checkpoint' | 'sink' | 'sink-rows' | 'output' }
>;

/** A compiled check; `why` is the lesson's key for its own reading of this part's failure. */
type Node = { why?: string } & (
  | { kind: 'all' | 'any'; of: Node[] }
  | { kind: 'not'; node: Node; check: Check }
  | { kind: 'event'; check: EventCheck; counter: number }
  | { kind: 'cached'; check: CachedCheck; result: CheckResult | null }
  | { kind: 'live'; check: Check }
);

interface Counter {
  type: string;
  where: EventCheck['where'];
  /** Zeroed when a new run starts (Apply, an import): `sinceStart`. */
  sinceStart: boolean;
  beforeMs: number | undefined;
}

const pass: CheckResult = { ok: true, why: text('') };
const fail = (why: Message): CheckResult => ({ ok: false, why });

/** Events after which keyed state may have been replaced wholesale (a failover, a restore). */
const RESTORE_EVENTS = new Set([
  'task-restored',
  'task-status',
  'task-failed',
  'job-status',
  'job-restarting',
]);
const SINK_EVENTS = new Set(['sink-written', 'transaction-committed', 'transaction-aborted']);

const operatorOf = (task: string): string => task.slice(0, task.lastIndexOf('#'));

function matches(event: TraceEvent, where: EventCheck['where']): boolean {
  if (!where) return true;
  const fields = event as unknown as Record<string, unknown>;
  return Object.entries(where).every(
    ([k, v]) => fields[k] === v || (k === 'task' && typeof v === 'string' && operatorSubtask(fields) === v),
  );
}

/**
 * A chained operator's event (state-changed, sink-written, timer-fired) names its task (`detect#0`)
 * and the operator (`alerts`): a check naming the operator's subtask (`alerts#0`) matches it too.
 */
function operatorSubtask(fields: Record<string, unknown>): string | null {
  const op = fields.operator;
  const task = fields.task;
  if (typeof op !== 'string' || typeof task !== 'string') return null;
  return `${op}${task.slice(task.lastIndexOf('#'))}`;
}

/** An `output` check's row: an object names the fields that must match; anything else, the whole row. */
function rowMatches(want: unknown, row: unknown): boolean {
  if (want !== null && typeof want === 'object' && !Array.isArray(want)) {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) return false;
    const fields = row as Record<string, unknown>;
    return Object.entries(want).every(([k, v]) => rowMatches(v, plain(fields[k])));
  }
  return JSON.stringify(want) === JSON.stringify(row);
}

/** The exactly-once checker's verdict, kept up to date row by row (visible rows are only ever appended). */
class SinkVerdictTracker {
  private readonly seen = new Map<string, number>();
  private readonly consumed = new Map<string, number>();
  private overCounted = 0;

  verdict(cluster: MiniCluster, engine: CheckedEngine): SinkVerdict {
    const reference = engine.referenceCounts();
    const upserts: string[] = [];
    for (const v of cluster.job.vertices) {
      if (v.spec.kind !== 'sink') continue;
      // An upsert table holds one row per key: a replayed write replaces, it never duplicates.
      if (v.spec.sink.sinkKind === 'idempotent-upsert') {
        upserts.push(v.uid);
        continue;
      }
      const table = cluster.external.tables.get(v.uid);
      if (!table) continue;
      for (let i = this.consumed.get(v.uid) ?? 0; i < table.committed.length; i++) {
        const k = sinkRowKey(v.uid, table.committed.valueAt(i));
        const n = (this.seen.get(k) ?? 0) + 1;
        this.seen.set(k, n);
        if (n === (reference.get(k) ?? 0) + 1) this.overCounted++;
      }
      this.consumed.set(v.uid, table.committed.length);
    }
    const finished = cluster.jobStatus === 'FAILED' || cluster.isFinished();
    let lost = false;
    let judged = false;
    // Losses are only certain once the run is over, and only when the external system saw all of it.
    if (finished && engine.sawWholeRun()) {
      judged = true;
      const all = new Map(this.seen);
      for (const uid of upserts)
        for (const value of cluster.external.committedValues(uid)) {
          const k = sinkRowKey(uid, value);
          all.set(k, (all.get(k) ?? 0) + 1);
        }
      for (const [k, expected] of reference) if ((all.get(k) ?? 0) < expected) lost = true;
    }
    const dup = this.overCounted > 0;
    if (dup && lost) return 'duplicates-and-losses';
    if (dup) return 'duplicates';
    if (lost) return 'losses';
    return judged ? 'exactly-once' : 'so-far-so-good';
  }
}

export class LessonCheckEvaluator {
  private spec: LessonCheckSpec | null = null;
  private root: Node | null = null;
  private until: { check: Check; node: Node; result: CheckResult } | null = null;
  private counters: Counter[] = [];
  private counterIndex = new Map<string, number>();
  private counts: number[] = [];
  private byType = new Map<string, number[]>();
  private cached: Array<Extract<Node, { kind: 'cached' }>> = [];
  private answered = false;
  private imported = false;
  /** The errors of every import refused since the step began, as `path: message` lines. */
  /** Per refused import: its lines in English (what a lesson's `contains` names) and as messages (shown). */
  private refusedImports: Array<{ english: string[]; said: Message }> = [];
  /** The learner changed the simulation since the step began (LessonVerdict.tried). */
  private tried = false;
  /** Points at which an attempt could be judged since the step began (LessonVerdict.attemptsEnded). */
  private attemptsEnded = 0;
  /** Checkpoints up to this id were triggered before the step began (0 after a new engine instance). */
  private checkpointBase = 0;
  private savepointIds = new Set<number>();
  private sink = new SinkVerdictTracker();
  private readonly taskManagers = new TaskManagerRecoveryTracker();
  private readonly failovers = new FailoverRewindTracker();
  private readonly triggerTime = (id: number): number | null =>
    this.engine.cluster()?.coordinator.history.find((c) => c.id === id)?.triggerTime ?? null;
  private lastFinished: boolean | null = null;
  private passed = false;
  private passedAt: number | null = null;
  private stopPending = false;
  private now: CheckResult = fail(msg('check.no-check'));
  /** Notable events since the last load while no check was registered (a new worker's recovery). */
  private backlog: TraceEvent[] = [];

  constructor(private readonly engine: CheckedEngine) {}

  // ------------------------------------------------------------------ the page's side

  /** Registers the check of the step the learner is on (null: none); counting starts now. */
  set(spec: LessonCheckSpec | null): LessonVerdict | null {
    this.spec = spec;
    this.counters = [];
    this.counterIndex.clear();
    this.byType.clear();
    this.cached = [];
    this.until = null;
    this.passed = false;
    this.passedAt = null;
    this.stopPending = false;
    this.lastFinished = null;
    if (!spec) {
      this.root = null;
      return null;
    }
    this.root = this.compile(spec.check);
    for (const c of spec.also ?? []) this.compile(c);
    const carry = spec.carry;
    this.counts = this.counters.map((_, i) => carry?.counts[i] ?? 0);
    this.tried = carry?.tried ?? false;
    this.attemptsEnded = carry?.attemptsEnded ?? 0;
    // Taking over from a crashed worker: what this one did since it started counts too.
    if (carry) for (const e of this.backlog) this.count(e);
    this.backlog = [];
    this.answered = spec.answered;
    this.imported = carry?.imported ?? false;
    // A new worker after a crash: the crash changed the simulation, and its recovery is a moment to judge.
    if (carry) {
      this.tried = true;
      this.attemptsEnded++;
    }
    this.refusedImports = [];
    this.checkpointBase = carry
      ? carry.checkpointBase
      : (this.engine.cluster()?.coordinator.history.at(-1)?.id ?? 0);
    this.taskManagers.reset(this.engine.cluster()?.coordinator.latestCompleted?.checkpointId ?? null);
    this.failovers.reset();
    this.settle();
    return this.verdict();
  }

  /** The learner answered the step's prediction. */
  answer(): LessonVerdict | null {
    this.answered = true;
    this.settle();
    return this.verdict();
  }

  /**
   * Stops playback at the engine event at which `check` holds (a solution's "play until"); null clears
   * it. Its event counters are those of the step if `also` registered it, else they start now.
   */
  pauseWhen(check: Check | null): LessonVerdict | null {
    this.until = check
      ? { check, node: this.compile(check), result: fail(msg('check.not-evaluated')) }
      : null;
    while (this.counts.length < this.counters.length) this.counts.push(0);
    this.settle();
    return this.verdict();
  }

  verdict(): LessonVerdict | null {
    const spec = this.spec;
    if (!spec) return null;
    return {
      id: spec.id,
      passed: this.passed,
      passedAt: this.passedAt,
      now: this.now,
      until: this.until ? { check: this.until.check, ...this.until.result } : null,
      tried: this.tried,
      attemptsEnded: this.attemptsEnded,
      carry: this.carry(),
    };
  }

  private carry(): LessonCheckCarry {
    return {
      counts: [...this.counts],
      imported: this.imported,
      checkpointBase: this.checkpointBase,
      tried: this.tried,
      attemptsEnded: this.attemptsEnded,
    };
  }

  // ------------------------------------------------------------------ the engine's side

  /** Every trace event, as the engine emits it. A replay (timeline scrub) re-creates the past: not counted. */
  observe(e: TraceEvent, replaying: boolean): void {
    if (e.type === 'checkpoint-triggered' && e.kind === 'savepoint') this.savepointIds.add(e.checkpointId);
    if (replaying) return;
    if (!this.spec) {
      if (!RECORD_LEVEL_EVENTS.has(e.type) && this.backlog.length < 1000) this.backlog.push(e);
      return;
    }
    // Only playing, stepping or an action makes the engine emit: the learner changed the simulation.
    this.tried = true;
    if (e.type === 'task-restored' || e.type === 'engine-recovered') this.attemptsEnded++;
    this.count(e);
    this.taskManagers.observe(e);
    this.failovers.observe(e, this.triggerTime);
    if (e.type === 'state-changed') {
      const op = e.operator ?? operatorOf(e.task); // a chained operator names itself
      for (const n of this.cached) {
        const c = n.check;
        if (
          (c.kind === 'state' || c.kind === 'state-size') &&
          c.operator === op &&
          c.state === e.state &&
          (c.kind === 'state-size' || c.key === e.key)
        )
          n.result = null;
      }
    } else if (RESTORE_EVENTS.has(e.type)) this.invalidate('state', 'state-size');
    else if (e.type === 'checkpoint-completed' || e.type === 'checkpoint-failed')
      this.invalidate('checkpoint');
    else if (SINK_EVENTS.has(e.type)) this.invalidate('sink', 'sink-rows', 'output');
  }

  private count(e: TraceEvent): void {
    const slots = this.byType.get(e.type);
    if (!slots) return;
    for (const i of slots) {
      const c = this.counters[i];
      if (matches(e, c.where) && (c.beforeMs === undefined || e.t < c.beforeMs)) this.counts[i]++;
    }
  }

  /** The learner acted on the job (a timeline action: fail, kill, poison, storage fault, trigger, slow). */
  acted(): void {
    if (this.spec) this.tried = true;
  }

  /** An import was refused (nothing was restored, the engine untouched): what `import-refused` reads. */
  importRefused(errors: ReadonlyArray<{ path: string; message: Message }>): void {
    if (this.spec) {
      this.tried = true;
      this.attemptsEnded++;
    }
    // Lessons name what a refusal says in English (the catalogue the command line prints).
    this.refusedImports.push({
      english: errors.map((e) =>
        e.path ? `${e.path}: ${renderEnglish(e.message)}` : renderEnglish(e.message),
      ),
      said:
        errors
          .map((e) =>
            e.path ? msg('restore.type-problem', { path: e.path, message: e.message }) : e.message,
          )
          .reduceRight<Message | null>(
            (rest, first) => (rest ? msg('check.list', { first, rest }) : first),
            null,
          ) ?? msg('unknown'),
    });
    this.settle();
  }

  /**
   * A new engine instance runs the job: a (re)load, an imported snapshot, or a replay to an earlier
   * time. Its coordinator's history holds only its own checkpoints, so every one of them is new to the
   * step (a replay re-creates the same history: the step's base stays).
   */
  engineReplaced(kind: 'load' | 'import' | 'replay'): void {
    this.savepointIds = kind === 'replay' ? this.savepointIds : new Set();
    if (kind === 'load') this.backlog = [];
    this.sink = new SinkVerdictTracker();
    if (kind !== 'replay') this.checkpointBase = 0;
    if (kind === 'import') this.imported = true;
    if (kind !== 'replay') {
      this.failovers.newRun();
      // A new run: what the previous one did no longer counts for a `sinceStart` check.
      this.counters.forEach((c, i) => c.sinceStart && (this.counts[i] = 0));
    }
    if (kind !== 'replay' && this.spec) {
      this.tried = true;
      if (kind === 'import') this.attemptsEnded++;
    }
    for (const n of this.cached) n.result = null;
    this.lastFinished = null;
    this.settle();
  }

  /**
   * Evaluates the check after an engine event (or a frame, an action, a load). True once when the
   * step's check has just passed (with `pauseOnPass`) or while the "play until" check holds:
   * playback stops here.
   */
  settle(): boolean {
    if (!this.spec || !this.root) return false;
    const cluster = this.engine.cluster();
    const finished = cluster ? cluster.jobStatus === 'FAILED' || cluster.isFinished() : false;
    // The exactly-once verdict changes when the run ends (losses are judged then).
    if (finished !== this.lastFinished) {
      // Ran to its end (or failed for good) while the step is open: a moment to judge the attempt.
      if (finished && this.lastFinished === false) this.attemptsEnded++;
      this.lastFinished = finished;
      this.invalidate('sink');
    }
    this.now = this.evaluate(this.root);
    if (this.now.ok && !this.passed) {
      this.passed = true;
      this.passedAt = cluster?.now ?? 0;
      this.stopPending = this.spec.pauseOnPass ?? true;
    }
    if (this.until) this.until.result = this.evaluate(this.until.node);
    const stop = this.stopPending || (this.until?.result.ok ?? false);
    this.stopPending = false;
    return stop;
  }

  // ------------------------------------------------------------------ compiling and evaluating

  private invalidate(...kinds: CachedCheck['kind'][]): void {
    for (const n of this.cached) if (kinds.includes(n.check.kind)) n.result = null;
  }

  private compile(check: Check): Node {
    const node = this.compileNode(check);
    if (check.why !== undefined) node.why = check.why;
    return node;
  }

  private compileNode(check: Check): Node {
    switch (check.kind) {
      case 'all':
      case 'any':
        return { kind: check.kind, of: check.of.map((c) => this.compile(c)) };
      case 'not':
        return { kind: 'not', node: this.compile(check.check), check: check.check };
      case 'event': {
        const sinceStart = check.sinceStart ?? false;
        const beforeMs = check.beforeMs;
        const key = JSON.stringify([check.type, check.where ?? null, sinceStart, beforeMs ?? null]);
        let counter = this.counterIndex.get(key);
        if (counter === undefined) {
          counter = this.counters.length;
          this.counters.push({ type: check.type, where: check.where, sinceStart, beforeMs });
          this.counterIndex.set(key, counter);
          this.byType.set(check.type, [...(this.byType.get(check.type) ?? []), counter]);
        }
        return { kind: 'event', check, counter };
      }
      case 'state':
      case 'state-size':
      case 'checkpoint':
      case 'sink':
      case 'sink-rows':
      case 'output': {
        const node = { kind: 'cached' as const, check, result: null };
        this.cached.push(node);
        return node;
      }
      default:
        return { kind: 'live', check };
    }
  }

  /** The check's result; an unmet part carries its lesson's `why` key (the innermost one that has one). */
  private evaluate(node: Node): CheckResult {
    const r = this.evaluateNode(node);
    return !r.ok && r.note === undefined && node.why !== undefined ? { ...r, note: node.why } : r;
  }

  private evaluateNode(node: Node): CheckResult {
    switch (node.kind) {
      case 'all': {
        // The first unmet part says why.
        for (const n of node.of) {
          const r = this.evaluate(n);
          if (!r.ok) return r;
        }
        return pass;
      }
      case 'any': {
        const results: CheckResult[] = [];
        for (const n of node.of) {
          const r = this.evaluate(n);
          if (r.ok) return pass;
          results.push(r);
        }
        const note = results.find((r) => r.note !== undefined)?.note;
        const why = msg('check.none-of', { whys: list(results.map((r) => r.why)) });
        return note === undefined ? fail(why) : { ok: false, why, note };
      }
      case 'not':
        return this.evaluate(node.node).ok
          ? fail(msg('check.must-not', { what: this.held(node.node) }))
          : pass;
      case 'event':
        return (this.counts[node.counter] ?? 0) >= (node.check.atLeast ?? 1)
          ? pass
          : fail(explainEvent(node.check, this.counts[node.counter] ?? 0));
      case 'cached':
        node.result ??= this.read(node.check);
        return node.result;
      case 'live':
        return this.live(node.check);
    }
  }

  /** What holds, said positively, for a `not` whose inner check holds: with the events or checkpoint seen. */
  private held(node: Node): Message {
    switch (node.kind) {
      case 'event':
        return describe(node.check, { events: this.counts[node.counter] ?? 0 });
      case 'all':
        return list(node.of.map((n) => this.held(n)));
      case 'any': {
        const holding = node.of.find((n) => this.evaluate(n).ok);
        return holding ? this.held(holding) : text('');
      }
      case 'not':
        return describe({ kind: 'not', check: node.check }, {});
      case 'cached': {
        const check = node.check;
        if (check.kind !== 'checkpoint') return describe(check, {});
        const first = this.checkpointsSeen().find(
          (h) => h.status === check.status && !checkpointMiss(check, h),
        );
        return describe(check, { matchingCheckpoint: first?.id ?? null });
      }
      case 'live':
        return describe(node.check, {});
    }
  }

  /** The checkpoints triggered since the step began (or since a new engine instance), in order. */
  private checkpointsSeen(): CheckpointSeen[] {
    const cluster = this.engine.cluster();
    if (!cluster) return [];
    return cluster.coordinator.history
      .filter((h) => h.id > this.checkpointBase)
      .map((h) => ({
        id: h.id,
        status: h.status,
        savepoint: this.savepointIds.has(h.id),
        numTasks: h.numTasks,
        numAcknowledged: h.numAcknowledged,
        persistedInFlightBytes: h.persistedInFlightBytes,
        checkpointedBytes: h.checkpointedBytes,
        fullBytes: h.fullBytes,
        endToEndMs: h.endToEndMs ?? null,
      }));
  }

  /** The state-like checks: read from the engine (only when something they look at changed). */
  private read(check: CachedCheck): CheckResult {
    const cluster = this.engine.cluster();
    if (!cluster) return fail(msg('check.no-job'));
    switch (check.kind) {
      case 'state': {
        let row: { value: unknown; subtask: number } | null = null;
        // VoidNamespace (absent), or the window's namespace.
        const namespace = check.window
          ? new TimeWindow(check.window.start, check.window.end).namespace()
          : undefined;
        for (const t of cluster.tasks) {
          // The operator may be chained behind another one in its task: its own backend.
          const backend = t.chain?.get(check.operator)?.keyedBackend;
          if (!backend) continue;
          for (const [key, value, ns] of backend.entries(check.state))
            if (key === check.key && ns === namespace) row = { value: plain(value), subtask: t.subtaskIndex };
        }
        const value = row ? row.value : null;
        const inPlace = !row || check.subtask === undefined || row.subtask === check.subtask;
        return inPlace && JSON.stringify(value) === JSON.stringify(check.equals)
          ? pass
          : fail(explainState(check, value, row?.subtask ?? null));
      }
      case 'state-size': {
        let n = 0;
        for (const t of cluster.tasks) {
          const backend = t.chain?.get(check.operator)?.keyedBackend;
          if (!backend) continue;
          for (const [, v] of backend.entries(check.state))
            n += check.entries && Array.isArray(v) ? v.length : 1;
        }
        return (check.atLeast !== undefined && n < check.atLeast) ||
          (check.atMost !== undefined && n > check.atMost)
          ? fail(explainStateSize(check, n))
          : pass;
      }
      case 'checkpoint': {
        const seen = this.checkpointsSeen();
        const counts = (h: CheckpointSeen) => h.status === check.status && !checkpointMiss(check, h);
        const need = check.atLeast ?? 1;
        if (check.inARow) {
          // The longest run of counting checkpoints; one still in progress does not break it.
          let run = 0;
          let found = 0;
          for (const h of seen) {
            if (h.status === 'IN_PROGRESS') continue;
            run = counts(h) ? run + 1 : 0;
            found = Math.max(found, run);
          }
          if (found >= need) return pass;
          const status = msg(`checkpoint-status.${check.status}`);
          const max = check.maxEndToEndMs;
          return fail(
            max === undefined
              ? msg('check.cp-in-a-row', { found, status, need })
              : msg('check.cp-in-a-row-within', { found, status, need, max }),
          );
        }
        return seen.filter(counts).length >= need ? pass : fail(explainCheckpoint(check, seen));
      }
      case 'sink': {
        const v = this.sink.verdict(cluster, this.engine);
        return check.verdict.includes(v) ? pass : fail(explainSink(check, v));
      }
      case 'sink-rows':
        return evaluateSinkRows(cluster, check);
      case 'output': {
        const rows = cluster.external.committedValues(check.sink).map(plain);
        for (const want of check.contains ?? [])
          if (!rows.some((row) => rowMatches(want, row)))
            return fail(
              msg('check.output-missing', { sink: check.sink, row: JSON.stringify(want), n: rows.length }),
            );
        if (check.rows !== undefined && rows.length !== check.rows)
          return fail(msg('check.output-rows', { sink: check.sink, n: rows.length, want: check.rows }));
        return pass;
      }
    }
  }

  /** The cheap checks, read at every evaluation. */
  private live(check: Check): CheckResult {
    const cluster = this.engine.cluster();
    switch (check.kind) {
      case 'finished': {
        const finished = cluster ? cluster.jobStatus === 'FAILED' || cluster.isFinished() : false;
        // Finished and not failed is FINISHED, even at the event before the status says so.
        const status =
          check.jobStatus === 'FINISHED' && finished && cluster?.jobStatus !== 'FAILED'
            ? 'FINISHED'
            : cluster?.jobStatus;
        return finished && (!check.jobStatus || status === check.jobStatus)
          ? pass
          : fail(explainFinished(check, cluster?.jobStatus ?? null, finished));
      }
      case 'config': {
        const c = this.engine.config();
        if (!c) return fail(msg('check.no-job'));
        const diffs = configDiffs(check, c);
        return diffs.length ? fail(list(diffs)) : pass;
      }
      case 'answered':
        return this.answered ? pass : fail(msg('check.not-answered'));
      case 'job-file':
        return this.engine.jobFile() !== null ? pass : fail(msg('check.no-job-file'));
      case 'time': {
        const now = cluster?.now ?? 0;
        return now >= check.atLeast ? pass : fail(msg('check.time', { now, need: check.atLeast }));
      }
      case 'imported':
        return this.imported ? pass : fail(msg('check.not-imported'));
      case 'import-refused': {
        if (this.refusedImports.length === 0) return fail(msg('check.no-import-refused'));
        const want = check.contains ?? [];
        return this.refusedImports.some((r) => want.every((w) => r.english.some((l) => l.includes(w))))
          ? pass
          : fail(
              msg('check.import-refused-other', {
                want: JSON.stringify(want),
                said: this.refusedImports[this.refusedImports.length - 1].said,
              }),
            );
      }
      case 'taskmanager-recovered':
        return this.taskManagers.result();
      case 'failover':
        return this.failovers.result(check.maxRewindMs);
      case 'recovered': {
        const r = this.engine.recovery();
        if (!r) return fail(msg('check.not-started'));
        const from = r.restoredFrom !== null;
        if (from && check.fromCheckpoint && r.restoredFrom! < (check.checkpointAtLeast ?? 0))
          return fail(
            msg('check.recovered-older', { id: r.restoredFrom, want: check.checkpointAtLeast ?? 0 }),
          );
        return from === check.fromCheckpoint
          ? pass
          : fail(
              from
                ? msg('check.recovered-from', { id: r.restoredFrom, reason: r.reason })
                : msg('check.recovered-scratch', { reason: r.reason }),
            );
      }
      default:
        return fail(msg('check.unknown', { kind: String((check as { kind: unknown }).kind) }));
    }
  }
}
