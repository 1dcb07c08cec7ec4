/**
 * Lessons without a browser: a LessonDriver over an EngineHost in Node (tests, and anyone checking a
 * lesson from the command line). Frames are played at a fixed real-time step, as the app's frame loop
 * does, so a solution that works here works in the app.
 */
import { EngineError, renderEnglish } from '../engine/messages/Message';
import type { EngineHost } from '../worker/EngineHost';
import type { FrameUpdate, LoadOptions } from '../worker/protocol';
import type { LessonDefinition } from './format';
import { lessonLoadOptions, type CheckContext, type LessonDriver, StepTracker } from './runner';

const FRAME_MS = 50;

export class HeadlessLessonDriver implements LessonDriver {
  host: EngineHost;
  readonly tracker = new StepTracker();
  private options: LoadOptions;

  /** `newHost` makes a host on the same database each time (a crash starts a new one). */
  constructor(
    private readonly lesson: LessonDefinition,
    private readonly newHost: () => EngineHost,
  ) {
    this.host = newHost();
    this.options = lessonLoadOptions(lesson);
  }

  context(): CheckContext {
    return {
      tracker: this.tracker,
      config: this.config,
      readState: (op, st, search) => this.host.readState(op, st, 0, 100_000, search || undefined),
      listCheckpoints: () => this.host.listCheckpoints(),
      sinkReport: () => this.host.sinkReport(0),
    };
  }

  private config: CheckContext['config'] = null;

  async start(): Promise<void> {
    await this.host.start();
    await this.load(this.options);
  }

  private observe(u: FrameUpdate): void {
    this.tracker.observe(u);
  }

  async load(options: LoadOptions): Promise<void> {
    this.options = options;
    const info = await this.host.load({ ...options, speed: 1000 });
    this.config = info.config;
    this.tracker.recovery = info.recovery;
    this.observe(await this.host.frame(0));
  }

  currentOptions(): LoadOptions {
    return this.options;
  }

  async playUntil(done: () => Promise<boolean>, maxMs: number): Promise<boolean> {
    if (await done()) return true;
    const start = this.tracker.frame?.now ?? 0;
    await this.host.play();
    try {
      for (;;) {
        const u = await this.host.frame(FRAME_MS);
        this.observe(u);
        if (await done()) return true;
        if (u.finished || u.now - start > maxMs) return false;
      }
    } finally {
      await this.host.pause();
    }
  }

  async step(kind: 'event' | 'barrier'): Promise<void> {
    this.observe(await this.host.step(kind));
  }

  async failTask(task: string): Promise<void> {
    await this.host.failTask(task);
  }

  async poison(source?: string, partition?: number): Promise<void> {
    await this.host.injectPoisonRecord(source, partition);
  }

  async storageFault(kind: 'quota' | 'write-error', count: number): Promise<void> {
    await this.host.injectStorageFault(kind, count);
  }

  async trigger(kind: 'checkpoint' | 'savepoint'): Promise<void> {
    await this.host.triggerCheckpoint(kind);
    this.observe(await this.host.frame(0));
  }

  async setProcessingTime(operator: string, ms: number): Promise<void> {
    await this.host.setProcessingTime(operator, ms);
  }

  /** The worker dies (no goodbye: the old host is dropped); a new one recovers the job. */
  async crash(): Promise<void> {
    this.host = this.newHost();
    const start = await this.host.start();
    if (start.load) {
      this.config = start.load.config;
      this.tracker.recovery = start.load.recovery;
    }
    this.observe(await this.host.frame(0));
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
    this.config = result.load.config;
    this.tracker.recovery = result.load.recovery;
    this.observe(await this.host.frame(0));
  }
}

export { lessonLoadOptions };
