/**
 * The lesson runner: which lesson and step the learner is on (the URL hash, see route.ts), the step's
 * check evaluated live against the engine, the prediction gate, "Show me", and the learner's progress
 * (IndexedDB through the worker). It talks to the engine only through `session`, like every component.
 *
 * Checks: the step's check is registered with the engine worker (`setLessonCheck`), which evaluates
 * it on every engine event and sends its verdict with every FrameUpdate; this runner only shows it.
 * A new worker (after an engine crash) gets the check again, with the counts the old one reported.
 * The app's LessonDriver plays a step's solution through the same session methods the buttons use, so
 * the learner sees it happen; its "play until" is the worker's `pauseWhen` (the engine stops at the
 * event where the goal holds, at any speed).
 */
import { EngineError, messageOf, msg, text } from '../../engine/messages/Message';
import type { Lesson } from '../../lessons/assemble';
import { lessonLoadOptions, playSolution, stepCheckSpec, type LessonDriver } from '../../lessons/runner';
import type {
  Check,
  CheckResult,
  FrameUpdate,
  LessonCheckSpec,
  LessonProgress,
  ImportResult,
  LessonVerdict,
  LoadInfo,
  LoadOptions,
} from '../../worker/protocol';
import { editSnapshotText, type SnapshotEdit } from '../../lessons/editSnapshot';
import { t as checkpointMessages } from '../components/checkpoints/messages';
import { tm } from '../i18n/engineMessages';
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
import { nextExplanation, showMeLock } from '../components/lessons/challenge';

/** How long "✓ done" shows before the next step. */
export const DONE_MOMENT_MS = 1200;
/** How often "Show me" looks whether the engine stopped (the worker stops it; this only notices). */
const SHOW_POLL_MS = 40;
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
  /** "Show me" gave the answer (the prediction then says so, and shows why it is right). */
  answeredByShowMe = $state(false);
  /**
   * The step passed through "Show me" after answering its prediction: it stays until "Next", so that
   * the learner can read why the answer is right instead of being moved on after a moment.
   */
  waitForNext = $state(false);
  hintsShown = $state(0);
  /** The worker's latest evaluation of the step's check. */
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
  /** The learner changed the simulation during this visit of the step (the worker says so). */
  tried = $state(false);
  /** The learner pressed "Give up" on this challenge: "Show me" is open. */
  gaveUp = $state(false);
  /** Why the check is not met, as it was when an attempt ended or the learner pressed "Check". */
  explained = $state.raw<CheckResult | null>(null);
  /** The verdict's `attemptsEnded` already explained. */
  private attemptsSeen = 0;

  /** Loads a job; the app sets it to its own start() so that the permalink follows. */
  loader: (options: LoadOptions) => Promise<void> = async (options) => {
    await session.loadScenario(options);
  };

  readonly driver: LessonDriver = new AppLessonDriver(this);
  /** The check registered with the worker for this visit of the step, and its latest verdict. */
  spec: LessonCheckSpec | null = null;
  verdict = $state.raw<LessonVerdict | null>(null);

  /** Bumped whenever the step changes: stale verdicts, timers and solutions are ignored. */
  private gen = 0;
  private doneTimer: ReturnType<typeof setTimeout> | null = null;
  private saveChain: Promise<unknown> = Promise.resolve();
  private detach: Array<() => void> = [];

  get step() {
    return this.lesson?.definition.steps[this.stepIndex] ?? null;
  }

  get stepCount(): number {
    return this.lesson?.definition.steps.length ?? 0;
  }

  /** Why "Show me" is locked (a challenge not tried yet), or null. */
  get showMeLock(): 'try-first' | null {
    return showMeLock(this.step, this.tried, this.gaveUp);
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
    if (update.lesson) this.applyVerdict(update.lesson);
  }

  /**
   * A load, an import or a reload keeps the worker and its check (it re-reads what the new engine
   * holds); a new worker after an engine crash needs the check again, with the old worker's counts.
   */
  private onLoad(_info: LoadInfo, cause: LoadCause): void {
    if (!this.lesson || cause !== 'recovered' || !this.spec) return;
    const spec: LessonCheckSpec = {
      ...this.spec,
      answered: this.spec.answered || this.answer !== null,
      carry: this.verdict?.id === this.spec.id ? this.verdict.carry : undefined,
    };
    void this.register(spec, this.gen);
  }

  private async register(spec: LessonCheckSpec | null, gen: number): Promise<void> {
    this.spec = spec;
    try {
      const v = await session.api.setLessonCheck(spec);
      if (v && gen === this.gen) this.applyVerdict(v);
    } catch (e) {
      if (gen === this.gen) this.check = { ok: false, why: messageOf(e) };
    }
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

  /** The next step; after the last one (once passed), the lesson's end. */
  next(): void {
    if (this.stepIndex < this.stepCount - 1) this.goToStep(this.stepIndex + 1);
    else if (this.passed) {
      this.waitForNext = false;
      this.complete = true;
    }
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
    // The previous lesson's check must not judge (or stop) this lesson's job.
    if (this.spec) await this.register(null, gen);
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

  /**
   * Runs the job again from its start and starts the current step again — with the configuration the
   * job runs with now (what this or an earlier step asked for) and the prediction as answered.
   */
  async restartLesson(): Promise<void> {
    const lesson = this.lesson;
    if (!lesson || this.loading) return;
    const gen = ++this.gen;
    // The same visit of the step: what was answered, shown, tried or given up stays.
    const keep = {
      chosen: this.chosen,
      answer: this.answer,
      hintsShown: this.hintsShown,
      tried: this.tried,
      gaveUp: this.gaveUp,
    };
    this.cancelTimers();
    this.showing = false;
    this.loading = true;
    this.loadError = null;
    try {
      await this.loader(session.loadOptions ?? lessonLoadOptions(lesson.definition));
    } catch (e) {
      if (gen === this.gen) {
        this.loadError = e instanceof Error ? e.message : String(e);
        this.loading = false;
      }
      return;
    }
    if (gen !== this.gen) return;
    this.loading = false;
    await this.begin(this.stepIndex, keep);
  }

  private resetStep(index: number): void {
    this.stepIndex = index;
    this.chosen = null;
    this.answer = null;
    this.answeredByShowMe = false;
    this.waitForNext = false;
    this.hintsShown = 0;
    this.check = null;
    this.passed = false;
    this.doneMoment = false;
    this.showing = false;
    this.showIndex = -1;
    this.showError = null;
    this.tried = false;
    this.gaveUp = false;
    this.explained = null;
    this.attemptsSeen = 0;
  }

  private async begin(
    index: number,
    keep?: {
      chosen: number | null;
      answer: number | null;
      hintsShown: number;
      tried: boolean;
      gaveUp: boolean;
    },
  ): Promise<void> {
    const lesson = this.lesson;
    if (!lesson) return;
    const gen = ++this.gen;
    this.cancelTimers();
    this.resetStep(index);
    if (keep) {
      this.chosen = keep.chosen;
      this.answer = keep.answer;
      this.hintsShown = keep.hintsShown;
      this.tried = keep.tried;
      this.gaveUp = keep.gaveUp;
    }
    this.complete = false;
    this.syncHold();
    const step = lesson.definition.steps[index];
    if (step.prediction && session.playing) await session.pause();
    if (gen !== this.gen) return;
    const spec = stepCheckSpec(lesson.definition, step, gen);
    await this.register({ ...spec, answered: spec.answered || this.answer !== null }, gen);
    if (gen !== this.gen) return;
    void this.saveProgress(lesson.definition.slug, (p) => ({ ...p, lastStep: index + 1 }));
  }

  private leave(): void {
    if (!this.lesson && !session.held) return;
    this.gen++;
    this.cancelTimers();
    if (this.spec && session.status === 'ready') void this.register(null, this.gen);
    this.lesson = null;
    this.complete = false;
    this.loading = false;
    this.showing = false;
    session.held = null;
  }

  private cancelTimers(): void {
    if (this.doneTimer) clearTimeout(this.doneTimer);
    this.doneTimer = null;
  }

  private syncHold(): void {
    session.held = this.lesson && this.locked ? 'prediction' : null;
  }

  // ------------------------------------------------------------------ the learner

  /** Shows one more of the step's `total` hints. */
  revealHint(total: number): void {
    if (this.hintsShown < total) this.hintsShown++;
  }

  /** "Give up" on a challenge: "Show me" opens without a try. */
  giveUp(): void {
    if (this.step?.challenge) this.gaveUp = true;
  }

  /** "Check": the grader's verdict now, with why it is not met (the check itself runs in the worker). */
  checkNow(): void {
    if (!this.passed && this.check) this.explained = this.check;
  }

  /** Answers the step's prediction: the engine may now show the truth. */
  answerPrediction(choice: number): void {
    if (!this.step?.prediction || this.answer !== null) return;
    this.chosen = choice;
    this.answer = choice;
    this.syncHold();
    const gen = this.gen;
    void session.api.answerLessonPrediction().then(
      (v) => v && gen === this.gen && this.applyVerdict(v),
      (e: unknown) => gen === this.gen && (this.check = { ok: false, why: messageOf(e) }),
    );
  }

  /** Plays the step's solution through the session, visibly. */
  async showMe(): Promise<void> {
    const lesson = this.lesson;
    const step = this.step;
    if (!lesson || !step || this.showing || this.loading || this.passed || this.showMeLock) return;
    const gen = this.gen;
    this.explained = null;
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
            this.answeredByShowMe = true;
            this.answerPrediction(action.choice);
          }
          continue;
        }
        await playSolution(lesson.definition, [action], this.driver);
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

  /** The worker's verdict on the step's check (with a frame, or answering a registration). */
  private applyVerdict(v: LessonVerdict): void {
    const lesson = this.lesson;
    const step = this.step;
    if (!lesson || !step || v.id !== this.spec?.id) return; // another step's, or none
    this.verdict = v;
    this.check = v.passed ? { ok: true, why: text('') } : v.now;
    if (v.tried) this.tried = true;
    this.explained = nextExplanation(this.explained, v, this.attemptsSeen, this.showing);
    this.attemptsSeen = Math.max(this.attemptsSeen, v.attemptsEnded);
    if (!v.passed || this.passed) return;
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
    if (this.answeredByShowMe) {
      this.waitForNext = true;
      return;
    }
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
   * Plays at the session's speed, as the Play button does, with the goal registered in the worker
   * (`pauseWhen`): the worker stops the engine at the event where the goal holds, so the job stops
   * where the lesson expects it whatever the speed or the machine's load. It also stops when the
   * step's check passes or the job ends: then it plays on, or gives up.
   */
  async playUntil(until: Check, maxMs: number): Promise<CheckResult> {
    const runner = this.runner;
    const gen = runner.currentGen();
    let goal = (await session.api.pauseWhen(until))?.until ?? null;
    const start = session.now;
    try {
      for (;;) {
        if (goal?.ok) return goal;
        if (!runner.showAlive(gen)) throw new ShowStopped();
        if (session.frame?.finished) return goal ?? { ok: false, why: msg('check.not-finished') };
        if (session.now - start > maxMs)
          return goal ?? { ok: false, why: msg('check.not-within', { ms: maxMs }) };
        await session.play();
        if (!session.playing) throw new ShowStopped(); // held
        while (session.playing && runner.showAlive(gen) && session.now - start <= maxMs)
          await sleep(SHOW_POLL_MS);
        // The learner paused (the worker still played): "Show me" stops with them.
        if (session.frame?.playing && !session.playing) throw new ShowStopped();
        await session.pause();
        goal = runner.verdict?.until ?? goal;
      }
    } finally {
      await session.api.pauseWhen(null).catch(() => null);
    }
  }

  async answer(choice: number): Promise<void> {
    this.runner.answerPrediction(choice);
  }

  async step(kind: 'event' | 'barrier'): Promise<void> {
    await session.step(kind);
    await sleep(60); // one step at a time, visibly
  }

  failTask(task: string): Promise<void> {
    return session.failTask(task);
  }

  killTaskManager(id: string): Promise<void> {
    return session.killTaskManager(id);
  }

  addTaskManager(): Promise<void> {
    return session.addTaskManager();
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
    if (!result.ok) throw new Error(result.errors.map((e) => `${e.path}: ${tm(e.message)}`).join('; '));
  }

  async importEdited(
    from: 'latest-checkpoint' | 'latest-savepoint',
    edit: SnapshotEdit,
  ): Promise<ImportResult> {
    const listing = await session.api.listCheckpoints();
    const kind = from === 'latest-savepoint' ? 'savepoint' : 'checkpoint';
    const target = listing.stored.filter((s) => s.kind === kind).at(-1);
    if (!target) throw new Error(`no retained ${kind} to edit`);
    const exported = await session.exportSnapshot(target.checkpointId);
    if (!exported.ok) throw new EngineError(exported.error);
    const name = exported.fileName;
    const result = await session.importSnapshot(editSnapshotText(exported.text, edit));
    // "Show me" shows the refusal as the import panel would (the Checkpoints tab shows a learner's own).
    if (!result.ok)
      session.notice = `${
        result.errors.length === 1
          ? checkpointMessages('importError1', { name })
          : checkpointMessages('importErrors', { name, count: result.errors.length })
      } ${result.errors.map((e) => `${e.path}: ${tm(e.message)}`).join('; ')}`;
    return result;
  }
}

/** The app's lesson runner. */
export const lessons = new LessonRunner();
