/**
 * The editor route (`#/editor`, see route.ts): whether it is on screen, the job file being edited
 * (kept in IndexedDB as the learner types), and Run — which hands the source to the engine worker:
 * the worker compiles and builds it (user code never runs on the page) and the simulator loads it as
 * it loads a scenario. Build and runtime errors come back with `line:col`, for the editor's lint.
 *
 * A lesson's code step (`#/editor?lesson=N&step=M`) edits the step's file instead: its start file the
 * first time, then the learner's, kept per lesson step (`lesson:<slug>/<step id>`). Run goes through
 * the lesson runner, which restarts the step's check on the job (lessons.svelte.ts, `runCode`).
 */
import type { LabDatabase } from '../../../storage/db';
import type { CodeStepFiles, Lesson } from '../../../lessons/assemble';
import { session } from '../../lib/session.svelte';
import { lessons } from '../../lib/lessons.svelte';
import type { JobDiagnostic, UserJobLoadResult } from '../../../worker/protocol';
import { editorHash, parseEditorRoute, type EditorRoute } from './route';
import { DEFAULT_TEMPLATE } from './templates';

/** The editor's own file (`#/editor`). */
const MAIN_FILE = 'main';

/** The stored file of a lesson's code step. */
export function lessonFileId(lesson: Lesson, stepId: string): string {
  return `lesson:${lesson.definition.slug}/${stepId}`;
}

/** The code step the editor shows: the lesson, the step and its files. */
export interface LessonCodeStep {
  lesson: Lesson;
  stepIndex: number;
  stepId: string;
  code: CodeStepFiles;
}

/** How long typing may pause before the file is saved. */
const SAVE_DELAY_MS = 400;

export type RunState = 'idle' | 'running' | 'ran' | 'failed';

export class EditorStore {
  /** null: the app shows something else. */
  route = $state.raw<EditorRoute | null>(null);
  source = $state('');
  fileName = $state(DEFAULT_TEMPLATE.fileName);
  /** The file came from a share link (not yet run: nothing runs until Run is pressed). */
  fromLink = $state(false);
  /** The file has been read (from the link, IndexedDB or the default template). */
  loaded = $state(false);
  runState = $state<RunState>('idle');
  /** Errors of the last Run (compile, build, or the job at run time), with positions in the file. */
  runDiagnostics = $state.raw<JobDiagnostic[]>([]);
  /** Bumped when the source is replaced from outside the editor (template, link): the view re-reads it. */
  replaced = $state(0);
  /** The lesson's code step being edited (`#/editor?lesson=N&step=M`), or null. */
  lessonStep = $state.raw<LessonCodeStep | null>(null);
  /** The route names a lesson step that is not a code step (or does not exist). */
  notCodeStep = $state(false);
  /** The stored file shown: MAIN_FILE or a lesson step's. */
  private fileId: string | null = null;

  private db: Promise<LabDatabase> | null = null;
  /** The storage code loads with the route, not with the app (the page never needed IndexedDB before). */
  private files = () => import('../../../storage/editorFiles');
  private saveTimer: ReturnType<typeof setTimeout> | null = null;

  attach(): () => void {
    lessons.storeCode = (lesson, stepId, file) => this.storeLessonFile(lesson, stepId, file);
    this.syncRoute();
    const onChange = () => this.syncRoute();
    window.addEventListener('hashchange', onChange);
    window.addEventListener('popstate', onChange);
    return () => {
      window.removeEventListener('hashchange', onChange);
      window.removeEventListener('popstate', onChange);
    };
  }

  syncRoute(): void {
    const route = parseEditorRoute(location.hash);
    const before = this.route;
    const entering = route !== null && before === null;
    const otherFile =
      route !== null &&
      before !== null &&
      JSON.stringify(route.lesson ?? null) !== JSON.stringify(before.lesson ?? null);
    this.route = route;
    if (route && (entering || otherFile || route.shared !== null)) void this.open(route);
  }

  private database(): Promise<LabDatabase> {
    this.db ??= import('../../../storage/db').then((m) => m.openLabDatabase());
    return this.db;
  }

  /** Shows the shared source, or the stored file, or the default template. Runs nothing. */
  private async open(route: EditorRoute): Promise<void> {
    // What was typed in the file shown so far is kept before another one is shown.
    if (this.saveTimer) await this.save();
    if (route.lesson && (await this.openLessonStep(route.lesson.number, route.lesson.step))) return;
    this.lessonStep = null;
    this.notCodeStep = !!route.lesson;
    if (route.shared !== null) {
      this.fileId = MAIN_FILE;
      this.setSource(route.shared, 'shared.ts');
      this.fromLink = true;
      // The link has done its job: the address goes back to #/editor so a reload keeps later edits.
      history.replaceState(null, '', location.pathname + location.search + editorHash());
      this.route = { shared: null, broken: false };
      this.loaded = true;
      return;
    }
    if (this.loaded && this.fileId === MAIN_FILE) return;
    this.fileId = MAIN_FILE;
    try {
      const stored = await (await this.files()).loadEditorFile(await this.database());
      if (stored) this.setSource(stored.source, stored.fileName, false);
      else this.setSource(DEFAULT_TEMPLATE.source, DEFAULT_TEMPLATE.fileName, false);
    } catch {
      this.setSource(DEFAULT_TEMPLATE.source, DEFAULT_TEMPLATE.fileName, false);
    }
    this.loaded = true;
  }

  /** A lesson's code step: the learner's file of that step, or its start file. */
  private async openLessonStep(number: number, step: number): Promise<boolean> {
    const { LESSONS } = await import('../../../lessons/registry');
    const { codeOf } = await import('../../../lessons/assemble');
    const lesson = LESSONS.find((l) => l.definition.number === number);
    const def = lesson?.definition.steps[step - 1];
    const code = lesson && def ? codeOf(lesson, def.id) : null;
    if (!lesson || !def || !code) return false;
    this.loaded = false;
    this.notCodeStep = false;
    this.lessonStep = { lesson, stepIndex: step - 1, stepId: def.id, code };
    const id = lessonFileId(lesson, def.id);
    this.fileId = id;
    try {
      const stored = await (await this.files()).loadEditorFile(await this.database(), id);
      this.setSource(stored?.source ?? code.start, code.fileName, false);
    } catch {
      this.setSource(code.start, code.fileName, false);
    }
    this.loaded = true;
    return true;
  }

  /** The code step's start file again (the learner's is replaced: Ctrl+Z brings it back). */
  resetLessonFile(): void {
    const step = this.lessonStep;
    if (step) this.setSource(step.code.start, step.code.fileName);
  }

  /**
   * "Show me" on a code step: the solution becomes the step's stored file (and the editor's text, if
   * it shows that step), then the lesson runner runs it.
   */
  async storeLessonFile(
    lesson: Lesson,
    stepId: string,
    file: { fileName: string; source: string },
  ): Promise<void> {
    const id = lessonFileId(lesson, stepId);
    if (this.fileId === id) {
      this.setSource(file.source, file.fileName, false);
      await this.save();
      return;
    }
    try {
      const { saveEditorFile } = await this.files();
      await saveEditorFile(await this.database(), file, id);
    } catch (e) {
      session.notice = `The editor could not save the file: ${(e as Error).message}`;
    }
  }

  /** Replaces the whole file (a template, a link) and saves it. */
  setSource(source: string, fileName: string, save = true): void {
    this.source = source;
    this.fileName = fileName;
    this.runDiagnostics = [];
    this.replaced++;
    if (save) this.scheduleSave(0);
  }

  /** The learner typed: keep it (debounced). */
  edited(source: string): void {
    if (source === this.source) return;
    this.source = source;
    this.runDiagnostics = [];
    this.scheduleSave(SAVE_DELAY_MS);
  }

  private scheduleSave(delay: number): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => void this.save(), delay);
  }

  /** Writes the file now (also called before Run, so that a crash loses nothing typed). */
  async save(): Promise<void> {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    const id = this.fileId;
    if (id === null) return;
    try {
      const { saveEditorFile } = await this.files();
      await saveEditorFile(await this.database(), { source: this.source, fileName: this.fileName }, id);
    } catch (e) {
      session.notice = `The editor could not save the file: ${(e as Error).message}`;
    }
  }

  /** Compiles, builds and loads the job in the engine worker; errors come back as diagnostics. */
  async run(): Promise<void> {
    if (this.runState === 'running') return;
    this.runState = 'running';
    this.runDiagnostics = [];
    this.fromLink = false;
    await this.save();
    try {
      const file = { source: this.source, fileName: this.fileName };
      // A code step's job runs through the lesson (its check restarts on it); else as any job file.
      const step = this.lessonStep;
      const result: UserJobLoadResult =
        step && lessons.lesson === step.lesson && lessons.stepIndex === step.stepIndex
          ? await lessons.runCode(file)
          : await session.loadJob(file);
      if (result.ok) {
        this.runState = 'ran';
        await session.play();
      } else {
        this.runDiagnostics = result.diagnostics;
        this.runState = 'failed';
      }
    } catch (e) {
      this.runDiagnostics = [
        { file: this.fileName, line: 1, col: 1, message: (e as Error).message, phase: 'runtime' },
      ];
      this.runState = 'failed';
    }
  }

  /** The share link for the current source (absolute). */
  shareLink(): string {
    return location.origin + location.pathname + editorHash(this.source);
  }
}

export const editor = new EditorStore();

// Test hook: CodeMirror renders only the lines in view; the e2e tests read the whole file here.
if (typeof window !== 'undefined')
  (window as unknown as { __streamStateLabEditor?: EditorStore }).__streamStateLabEditor = editor;
