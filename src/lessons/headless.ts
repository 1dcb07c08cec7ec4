/**
 * Lessons without a browser: a LessonDriver over an EngineHost in Node (tests, and anyone checking a
 * lesson from the command line). The step's check is the worker's (EngineHost.setLessonCheck), as in
 * the app; frames are played at a fixed real-time step, as the app's frame loop does.
 */
import { EngineError, msg, renderEnglish } from '../engine/messages/Message';
import type { EngineHost } from '../worker/EngineHost';
import type {
  Check,
  CheckResult,
  FrameUpdate,
  LessonCheckSpec,
  ImportResult,
  LessonVerdict,
  LoadOptions,
} from '../worker/protocol';
import { editSnapshotText, type SnapshotEdit } from './editSnapshot';
import type { LessonDefinition, Step } from './format';
import { lessonLoadOptions, stepCheckSpec, type LessonDriver } from './runner';

const FRAME_MS = 50;

export class HeadlessLessonDriver implements LessonDriver {
  host: EngineHost;
  private options: LoadOptions;
  private spec: LessonCheckSpec | null = null;
  private verdict: LessonVerdict | null = null;
  private now = 0;
  private visits = 0;

  /**
   * `newHost` makes a host on the same database each time (a crash starts a new one); `speed` is the
   * playback speed in virtual ms per real second (1000 = 1×): each frame plays FRAME_MS of real time.
   */
  constructor(
    private readonly lesson: LessonDefinition,
    private readonly newHost: () => EngineHost,
    private readonly speed = 1000,
  ) {
    this.host = newHost();
    this.options = lessonLoadOptions(lesson);
  }

  async start(): Promise<void> {
    await this.host.start();
    await this.load(this.options);
  }

  /** Registers the step's check with the worker; answers its verdict now. */
  async begin(step: Step): Promise<LessonVerdict> {
    this.spec = stepCheckSpec(this.lesson, step, ++this.visits);
    return this.track(await this.host.setLessonCheck(this.spec));
  }

  /** The worker's verdict on the step's check now. */
  async check(): Promise<LessonVerdict> {
    return this.observe(await this.host.frame(0));
  }

  private track(v: LessonVerdict | null): LessonVerdict {
    if (!v) throw new Error('no lesson check is registered: call begin(step) first');
    this.verdict = v;
    return v;
  }

  private observe(u: FrameUpdate): LessonVerdict {
    this.now = u.now;
    return this.track(u.lesson);
  }

  async load(options: LoadOptions): Promise<void> {
    this.options = options;
    await this.host.load({ ...options, speed: this.speed });
    await this.host.frame(0);
  }

  currentOptions(): LoadOptions {
    return this.options;
  }

  async playUntil(until: Check, maxMs: number): Promise<CheckResult> {
    let v = this.track(await this.host.pauseWhen(until));
    const start = this.now;
    try {
      while (!v.until?.ok) {
        await this.host.play();
        const u = await this.host.frame(FRAME_MS);
        v = this.observe(u);
        // Not playing: the goal holds, the step's check just passed (play on), or the job ended.
        if (v.until?.ok || u.finished || u.now - start > maxMs) break;
      }
    } finally {
      await this.host.pause();
      await this.host.pauseWhen(null);
    }
    return v.until ?? { ok: false, why: msg('check.no-check') };
  }

  async answer(_choice?: number): Promise<void> {
    this.track(await this.host.answerLessonPrediction());
  }

  async step(kind: 'event' | 'barrier'): Promise<void> {
    this.observe(await this.host.step(kind));
  }

  async failTask(task: string): Promise<void> {
    await this.host.failTask(task);
  }

  async killTaskManager(id: string): Promise<void> {
    await this.host.killTaskManager(id);
  }

  async addTaskManager(): Promise<void> {
    await this.host.addTaskManager();
  }

  async poison(source?: string, partition?: number): Promise<void> {
    await this.host.injectPoisonRecord(source, partition);
  }

  async storageFault(kind: 'quota' | 'write-error', count: number): Promise<void> {
    await this.host.injectStorageFault(kind, count);
  }

  async trigger(kind: 'checkpoint' | 'savepoint'): Promise<void> {
    await this.host.triggerCheckpoint(kind);
    await this.check();
  }

  async setProcessingTime(operator: string, ms: number): Promise<void> {
    await this.host.setProcessingTime(operator, ms);
  }

  /**
   * The worker dies (no goodbye: the old host is dropped); a new one recovers the job, and the step's
   * check is registered with it again, carrying the counts the old one reported.
   */
  async crash(): Promise<void> {
    const carry = this.verdict?.carry;
    this.host = this.newHost();
    await this.host.start();
    await this.host.setSpeed(this.speed);
    if (this.spec) this.track(await this.host.setLessonCheck({ ...this.spec, carry }));
    await this.check();
  }

  async restore(from: 'latest-checkpoint' | 'latest-savepoint', options: LoadOptions | null): Promise<void> {
    const listing = await this.host.listCheckpoints();
    const kind = from === 'latest-savepoint' ? 'savepoint' : 'checkpoint';
    const target = listing.stored.filter((s) => s.kind === kind).at(-1);
    if (!target) throw new Error(`no retained ${kind} to restore from`);
    const exported = await this.host.exportSnapshot(target.checkpointId);
    if (!exported.ok) throw new EngineError(exported.error);
    if (options) await this.load(options);
    const result = await this.host.importSnapshot(exported.text);
    if (!result.ok)
      throw new Error(result.errors.map((e) => `${e.path}: ${renderEnglish(e.message)}`).join('; '));
    await this.check();
  }

  async importEdited(
    from: 'latest-checkpoint' | 'latest-savepoint',
    edit: SnapshotEdit,
  ): Promise<ImportResult> {
    const listing = await this.host.listCheckpoints();
    const kind = from === 'latest-savepoint' ? 'savepoint' : 'checkpoint';
    const target = listing.stored.filter((s) => s.kind === kind).at(-1);
    if (!target) throw new Error(`no retained ${kind} to edit`);
    const exported = await this.host.exportSnapshot(target.checkpointId);
    if (!exported.ok) throw new EngineError(exported.error);
    const result = await this.host.importSnapshot(editSnapshotText(exported.text, edit));
    await this.check();
    return result;
  }
}

export { lessonLoadOptions };
