/**
 * The lesson runner: which lesson and step the learner is on (the URL hash, see route.ts), the step's
 * check evaluated live against the engine, the prediction gate, "Show me", and the learner's progress
 * (IndexedDB through the worker). It talks to the engine only through `session`, like every component.
 *
 * Checks: a StepTracker is fed every FrameUpdate the session applies (played frames, steps, seeks) and
 * every load (recovery after a crash, restores from a snapshot); the step's check is evaluated after
 * frames, at most 4 times a second and never two at once, with a CheckContext backed by the session.
 * The app's LessonDriver plays a step's solution through the same session methods the buttons use, so
 * the learner sees it happen.
 */
import { EngineError, messageOf, msg } from '../../engine/messages/Message';
import type { Lesson } from '../../lessons/assemble';
import {
  StepTracker,
  evaluateCheck,
  lessonLoadOptions,
  playSolution,
  type CheckContext,
  type CheckResult,
  type LessonDriver,
} from '../../lessons/runner';
import type { FrameUpdate, LessonProgress, LoadInfo, LoadOptions } from '../../worker/protocol';
import { session, type LoadCause } from './session.svelte';
import { parseRoute, routeHash, type Route } from '../components/lessons/route';
import {
  emptyProgress,
  mergeProgress,
  parseProgressFile,
  progressFile,
  resumeStep,
} from '../components/lessons/progress';
import { downloadText } from '../components/checkpoints/download';

/** At most 4 check evaluations a second. */
export const EVAL_INTERVAL_MS = 250;
/** How long "✓ done" shows before the next step. */
export const DONE_MOMENT_MS = 1200;
/** "Show me" plays in slices of this many virtual ms (the headless driver's frame), one per 50 ms of real time. */
const SHOW_SLICE_MS = 50;
/** A "Show me" answer stays visible this long before the solution plays on. */
const SHOW_ANSWER_MS = 700;

export type ShowError = { kind: 'stopped' } | { kind: 'failed'; message: string };

class ShowStopped extends Error {}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class LessonRunner {
  route = $state.raw<Route>({ view: 'sim' });
  /** Lesson slug -> progress. */
  progress = $state.raw<Record<string, LessonProgress>>({});
  progressError = $state<string | null>(null);

  /** The open lesson (route `#/lesson/…`), or null. */
  lesson = $state.raw<Lesson | null>(null);
  /** The route asked for a lesson number that does not exist. */
  missing = $state<number | null>(null);
  stepIndex = $state(0);
  /** The lesson's job is being loaded. */
  loading = $state(false);
  loadError = $state<string | null>(null);
  /** The radio button selected in the prediction (not yet an answer). */
  chosen = $state<number | null>(null);
  /** The learner's answer to the step's prediction (then the engine may show the truth). */
  answer = $state<number | null>(null);
  hintsShown = $state(0);
  /** The latest evaluation of the step's check. */
  check = $state.raw<CheckResult | null>(null);
  /** The step's check has passed (it stays passed for this visit of the step). */
  passed = $state(false);
  /** The short "✓ done" moment before the next step. */
  doneMoment = $state(false);
  /** "Show me" is playing the step's solution; `showIndex` is the action being played. */
  showing = $state(false);
  showIndex = $state(-1);
  showError = $state.raw<ShowError | null>(null);
  /** The last step passed: the lesson's end. */
  complete = $state(false);

  /** Loads a job; the app sets it to its own start() so that the permalink follows. */
  loader: (options: LoadOptions) => Promise<void> = async (options) => {
    await session.loadScenario(options);
  };

  readonly tracker = new StepTracker();
  readonly driver: LessonDriver = new AppLessonDriver(this);

  /** Bumped whenever the step changes: stale evaluations, timers and solutions are ignored. */
  private gen = 0;
  private evalTimer: ReturnType<typeof setTimeout> | null = null;
  private doneTimer: ReturnType<typeof setTimeout> | null = null;
  private evaluating = false;
  private dirty = false;
  private lastEvalAt = -Infinity;
  private exclusiveChain: Promise<unknown> = Promise.resolve();
  private saveChain: Promise<unknown> = Promise.resolve();
  private detach: Array<() => void> = [];

  get step() {
    return this.lesson?.definition.steps[this.stepIndex] ?? null;
  }

  get stepCount(): number {
    return this.lesson?.definition.steps.length ?? 0;
  }

  /** A prediction waits for its answer: the engine is held until then. */
  get locked(): boolean {
    return !!this.step?.prediction && this.answer === null && !this.passed;
  }

  // ------------------------------------------------------------------ wiring

  /** Subscribes to the session and the URL hash; returns the unsubscribe. */
  attach(loader?: (options: LoadOptions) => Promise<void>): () => void {
    if (loader) this.loader = loader;
    this.route = parseRoute(location.hash);
    const onHash = () => void this.follow();
    window.addEventListener('hashchange', onHash);
    this.detach = [
      session.onFrame((u) => this.onFrame(u)),
      session.onLoad((info, cause) => this.onLoad(info, cause)),
      () => window.removeEventListener('hashchange', onHash),
    ];
    return () => {
      for (const d of this.detach) d();
      this.detach = [];
      this.leave();
    };
  }

  /** Once the session is ready: the progress, then the lesson the URL names (if any). */
  async ready(): Promise<void> {
    await this.loadProgress();
    await this.follow();
  }

  private onFrame(update: FrameUpdate): void {
    if (!this.lesson) return;
    this.tracker.observe(update);
    this.requestEval();
  }

  private onLoad(info: LoadInfo, cause: LoadCause): void {
    if (!this.lesson) return;
    this.tracker.recovery = info.recovery;
    this.tracker.engineReplaced();
    if (cause === 'imported') this.tracker.imported = true;
    this.requestEval();
  }

  // ------------------------------------------------------------------ routes

  navigate(route: Route): void {
    const hash = routeHash(route);
    if (hash === (location.hash === '#' ? '' : location.hash)) void this.follow();
    else if (hash) location.hash = hash;
    else {
      history.pushState(null, '', location.pathname + location.search);
      void this.follow();
    }
  }

  /** Makes the app show what the URL hash says. */
  async follow(): Promise<void> {
    const parsed = parseRoute(location.hash);
    this.route = parsed;
    if (parsed.view !== 'lesson') {
      this.missing = null;
      this.leave();
      return;
    }
    if (session.status !== 'ready') return; // ready() follows again
    let route = parsed;
    // The lessons (texts, validation) load on demand: the simulator's first page does not need them.
    const { LESSONS } = await import('../../lessons/registry');
    const lesson = LESSONS.find((l) => l.definition.number === route.lesson) ?? null;
    if (!lesson) {
      this.leave();
      this.missing = route.lesson;
      return;
    }
    this.missing = null;
    const n = lesson.definition.steps.length;
    if (route.step === null || route.step > n) {
      const step = route.step === null ? resumeStep(lesson, this.progress[lesson.definition.slug]) : n;
      route = { view: 'lesson', lesson: route.lesson, step };
      history.replaceState(null, '', location.pathname + location.search + routeHash(route));
      this.route = route;
    }
    const index = (route.step ?? 1) - 1;
    if (this.lesson !== lesson) await this.open(lesson, index);
    else if (this.stepIndex !== index || this.complete) await this.begin(index);
  }

  goToStep(index: number): void {
    if (!this.lesson) return;
    this.navigate({ view: 'lesson', lesson: this.lesson.definition.number, step: index + 1 });
  }

  /** Leaves the lesson and keeps its job in the free simulator. */
  playFreely(): void {
    this.navigate({ view: 'sim' });
  }

  // ------------------------------------------------------------------ lesson and step

  private async open(lesson: Lesson, index: number): Promise<void> {
    const gen = ++this.gen;
    this.cancelTimers();
    this.lesson = lesson;
    this.resetStep(index);
    this.complete = false;
    this.loading = true;
    this.loadError = null;
    session.held = null;
    try {
      await this.loader(lessonLoadOptions(lesson.definition));
    } catch (e) {
      if (gen === this.gen) {
        this.loadError = e instanceof Error ? e.message : String(e);
        this.loading = false;
      }
      return;
    }
    if (gen !== this.gen) return;
    this.loading = false;
    await this.begin(index);
  }

  /** Reloads the lesson's job and starts the current step again. */
  async restartLesson(): Promise<void> {
    const lesson = this.lesson;
    if (!lesson) return;
    this.lesson = null;
    await this.open(lesson, this.stepIndex);
  }

  private resetStep(index: number): void {
    this.stepIndex = index;
    this.chosen = null;
    this.answer = null;
    this.hintsShown = 0;
    this.check = null;
    this.passed = false;
    this.doneMoment = false;
    this.showing = false;
    this.showIndex = -1;
    this.showError = null;
  }

  private async begin(index: number): Promise<void> {
    const lesson = this.lesson;
    if (!lesson) return;
    const gen = ++this.gen;
    this.cancelTimers();
    this.resetStep(index);
    this.complete = false;
    this.tracker.begin(session.checkpoints?.history.at(-1)?.id ?? 0);
    this.syncHold();
    const step = lesson.definition.steps[index];
    if (step.prediction && session.playing) await session.pause();
    try {
      const listing = await session.api.listCheckpoints();
      if (gen === this.gen) this.tracker.checkpointIdAtStart = listing.history.at(-1)?.id ?? 0;
    } catch {
      // no engine right now: the listing the session had
    }
    if (gen !== this.gen) return;
    void this.saveProgress(lesson.definition.slug, (p) => ({ ...p, lastStep: index + 1 }));
    this.requestEval();
  }

  private leave(): void {
    if (!this.lesson && !session.held) return;
    this.gen++;
    this.cancelTimers();
    this.lesson = null;
    this.complete = false;
    this.loading = false;
    this.showing = false;
    session.held = null;
  }

  private cancelTimers(): void {
    if (this.evalTimer) clearTimeout(this.evalTimer);
    if (this.doneTimer) clearTimeout(this.doneTimer);
    this.evalTimer = this.doneTimer = null;
    this.dirty = false;
  }

  private syncHold(): void {
    session.held = this.lesson && this.locked ? 'prediction' : null;
  }

  // ------------------------------------------------------------------ the learner

  /** Shows one more of the step's `total` hints. */
  revealHint(total: number): void {
    if (this.hintsShown < total) this.hintsShown++;
  }

  /** Answers the step's prediction: the engine may now show the truth. */
  answerPrediction(choice: number): void {
    if (!this.step?.prediction || this.answer !== null) return;
    this.chosen = choice;
    this.answer = choice;
    this.tracker.answer = choice;
    this.syncHold();
    this.requestEval();
  }

  /** Plays the step's solution through the session, visibly. */
  async showMe(): Promise<void> {
    const lesson = this.lesson;
    const step = this.step;
    if (!lesson || !step || this.showing || this.loading || this.passed) return;
    const gen = this.gen;
    this.showing = true;
    this.showError = null;
    try {
      for (const [i, action] of step.solution.entries()) {
        if (gen !== this.gen) return;
        this.showIndex = i;
        if (action.do === 'answer') {
          if (this.answer === null) {
            this.chosen = action.choice;
            await sleep(SHOW_ANSWER_MS);
            if (gen !== this.gen) return;
            this.answerPrediction(action.choice);
          }
          continue;
        }
        await playSolution(lesson.definition, [action], this.driver, this.context());
      }
    } catch (e) {
      if (gen === this.gen)
        this.showError =
          e instanceof ShowStopped
            ? { kind: 'stopped' }
            : { kind: 'failed', message: e instanceof Error ? e.message : String(e) };
    } finally {
      if (gen === this.gen) {
        this.showing = false;
        this.showIndex = -1;
        if (this.passed) void this.celebrate();
        else {
          this.dirty = true;
          this.requestEval();
        }
      }
    }
  }

  /** True while "Show me" of step generation `gen` may go on. */
  showAlive(gen: number): boolean {
    return this.showing && gen === this.gen;
  }

  currentGen(): number {
    return this.gen;
  }

  // ------------------------------------------------------------------ checks

  /** What a check may ask the engine: the session's reads and the loaded configuration. */
  context(): CheckContext {
    const tracker = this.tracker;
    return {
      tracker,
      get config() {
        return session.load?.config ?? null;
      },
      // A state check searches for its key (a few rows); a size check needs only the total.
      readState: (op, st, search) => session.readState(op, st, 0, search ? 10_000 : 1, search || undefined),
      listCheckpoints: () => session.api.listCheckpoints(),
      sinkReport: () => session.sinkReport(0),
    };
  }

  /** Runs `fn` when no other check evaluation is running (evaluations never overlap). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.exclusiveChain.then(fn, fn);
    this.exclusiveChain = run.catch(() => {});
    return run;
  }

  /** Asks for an evaluation of the step's check: throttled, one at a time, none while "Show me" plays. */
  requestEval(): void {
    if (!this.lesson || this.loading || this.passed) return;
    this.dirty = true;
    if (this.evaluating || this.evalTimer || this.showing) return;
    const wait = Math.max(0, this.lastEvalAt + EVAL_INTERVAL_MS - performance.now());
    this.evalTimer = setTimeout(() => {
      this.evalTimer = null;
      void this.evaluate();
    }, wait);
  }

  private async evaluate(): Promise<void> {
    const step = this.step;
    if (!step || this.passed || this.showing) return;
    const gen = this.gen;
    this.dirty = false;
    this.evaluating = true;
    try {
      const r = await this.exclusive(() => {
        this.lastEvalAt = performance.now();
        return evaluateCheck(step.check, this.context());
      });
      if (gen === this.gen) this.applyCheck(r);
    } catch (e) {
      if (gen === this.gen) this.check = { ok: false, why: messageOf(e) };
    } finally {
      this.evaluating = false;
      if (this.dirty && gen === this.gen) this.requestEval();
    }
  }

  private applyCheck(r: CheckResult): void {
    const lesson = this.lesson;
    const step = this.step;
    if (!lesson || !step) return;
    this.check = r;
    if (!r.ok || this.passed) return;
    if (step.prediction && this.answer === null) return; // never before the prediction is answered
    this.passed = true;
    this.syncHold();
    void this.saveProgress(lesson.definition.slug, (p) => {
      const done = p.stepsDone.includes(step.id) ? p.stepsDone : [...p.stepsDone, step.id];
      return {
        ...p,
        stepsDone: done,
        completed: p.completed || lesson.definition.steps.every((s) => done.includes(s.id)),
      };
    });
    if (!this.showing) void this.celebrate();
  }

  /** "✓ done" for a moment, then the next step (or the lesson's end). */
  private async celebrate(): Promise<void> {
    const gen = this.gen;
    if (session.playing) await session.pause();
    if (gen !== this.gen) return;
    this.doneMoment = true;
    if (this.doneTimer) clearTimeout(this.doneTimer);
    this.doneTimer = setTimeout(() => {
      this.doneTimer = null;
      if (gen !== this.gen) return;
      this.doneMoment = false;
      if (this.stepIndex < this.stepCount - 1) this.goToStep(this.stepIndex + 1);
      else this.complete = true;
    }, DONE_MOMENT_MS);
  }

  // ------------------------------------------------------------------ progress

  async loadProgress(): Promise<void> {
    try {
      const records = await session.listProgress();
      this.progress = Object.fromEntries(records.map((r) => [r.id, r]));
      this.progressError = null;
    } catch (e) {
      this.progressError = e instanceof Error ? e.message : String(e);
    }
  }

  private saveProgress(slug: string, update: (p: LessonProgress) => LessonProgress): Promise<unknown> {
    const next = { ...update(this.progress[slug] ?? emptyProgress(slug)), id: slug, updatedAt: Date.now() };
    this.progress = { ...this.progress, [slug]: next };
    this.saveChain = this.saveChain
      .then(() => session.putProgress(next))
      .then(
        () => (this.progressError = null),
        (e: unknown) => (this.progressError = e instanceof Error ? e.message : String(e)),
      );
    return this.saveChain;
  }

  exportProgress(): void {
    const file = progressFile(Object.values(this.progress));
    downloadText('stream-state-lab-progress.json', `${JSON.stringify(file, null, 2)}\n`);
  }

  /** Merges an exported progress file into the stored progress; the number of lessons, or the errors. */
  async importProgress(text: string): Promise<{ ok: true; count: number } | { ok: false; errors: string[] }> {
    const parsed = parseProgressFile(text);
    if (!parsed.ok) return parsed;
    for (const record of parsed.lessons)
      await this.saveProgress(record.id, () => mergeProgress(this.progress[record.id], record));
    if (this.progressError) return { ok: false, errors: [this.progressError] };
    return { ok: true, count: parsed.lessons.length };
  }
}

/**
 * The app's LessonDriver: a solution played through the session's methods — the same calls the
 * buttons make — so the learner sees records move, checkpoints complete and tasks fail.
 */
class AppLessonDriver implements LessonDriver {
  constructor(private readonly runner: LessonRunner) {}

  async load(options: LoadOptions): Promise<void> {
    await this.runner.loader(options);
  }

  currentOptions(): LoadOptions {
    const lesson = this.runner.lesson;
    if (session.loadOptions) return session.loadOptions;
    if (!lesson) throw new Error('no lesson is open');
    return lessonLoadOptions(lesson.definition);
  }

  /**
   * Plays in slices of SHOW_SLICE_MS virtual ms, paced in real time (1×), and asks `done` between
   * slices while the engine stands still — as the headless driver does with its 50 ms frames — so
   * the job stops where the lesson expects it and the next step finds what it needs.
   */
  async playUntil(done: () => Promise<boolean>, maxMs: number): Promise<boolean> {
    const gen = this.runner.currentGen();
    const check = () => this.runner.exclusive(done);
    if (await check()) return true;
    const start = session.now;
    for (;;) {
      const began = performance.now();
      const realMs = Math.min(250, (SHOW_SLICE_MS * 1000) / session.speed);
      const f = await session.playSlice(realMs);
      if (!this.runner.showAlive(gen)) return false;
      if (!f) throw new ShowStopped();
      if (await check()) return true;
      if (f.finished || f.now - start > maxMs) return false;
      await sleep(Math.max(0, SHOW_SLICE_MS - (performance.now() - began)));
      if (!this.runner.showAlive(gen)) return false;
    }
  }

  async step(kind: 'event' | 'barrier'): Promise<void> {
    await session.step(kind);
    await sleep(60); // one step at a time, visibly
  }

  failTask(task: string): Promise<void> {
    return session.failTask(task);
  }

  poison(source?: string, partition?: number): Promise<void> {
    return session.poison(source, partition);
  }

  storageFault(kind: 'quota' | 'write-error', count: number): Promise<void> {
    return session.storageFault(kind, count);
  }

  async trigger(kind: 'checkpoint' | 'savepoint'): Promise<void> {
    await session.triggerCheckpoint(kind);
  }

  setProcessingTime(operator: string, ms: number): Promise<void> {
    return session.setProcessingTime(operator, ms);
  }

  crash(): Promise<void> {
    return session.crashEngine();
  }

  async restore(from: 'latest-checkpoint' | 'latest-savepoint', options: LoadOptions | null): Promise<void> {
    const listing = await session.api.listCheckpoints();
    const kind = from === 'latest-savepoint' ? 'savepoint' : 'checkpoint';
    const target = listing.stored.filter((s) => s.kind === kind).at(-1);
    if (!target) throw new Error(`no retained ${kind} to restore from`);
    const exported = await session.exportSnapshot(target.checkpointId);
    if (!exported.ok) throw new EngineError(exported.error);
    if (options) await this.load(options);
    const result = await session.importSnapshot(exported.text);
    if (!result.ok)
      throw new EngineError(
        msg('snapshot.at-path', { path: result.errors[0].path, problem: result.errors[0].message }),
      );
  }
}

/** The app's lesson runner. */
export const lessons = new LessonRunner();
