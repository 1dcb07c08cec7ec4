/**
 * The editor route (`#/editor`, see route.ts): whether it is on screen, the job file being edited
 * (kept in IndexedDB as the learner types), and Run — which hands the source to the engine worker:
 * the worker compiles and builds it (user code never runs on the page) and the simulator loads it as
 * it loads a scenario. Build and runtime errors come back with `line:col`, for the editor's lint.
 */
import type { LabDatabase } from '../../../storage/db';
import { session } from '../../lib/session.svelte';
import type { JobDiagnostic } from '../../../worker/protocol';
import { editorHash, parseEditorRoute, type EditorRoute } from './route';
import { DEFAULT_TEMPLATE } from './templates';

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

  private db: Promise<LabDatabase> | null = null;
  /** The storage code loads with the route, not with the app (the page never needed IndexedDB before). */
  private files = () => import('../../../storage/editorFiles');
  private saveTimer: ReturnType<typeof setTimeout> | null = null;

  attach(): () => void {
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
    const entering = route !== null && this.route === null;
    this.route = route;
    if (route && (entering || route.shared !== null)) void this.open(route);
  }

  private database(): Promise<LabDatabase> {
    this.db ??= import('../../../storage/db').then((m) => m.openLabDatabase());
    return this.db;
  }

  /** Shows the shared source, or the stored file, or the default template. Runs nothing. */
  private async open(route: EditorRoute): Promise<void> {
    if (route.shared !== null) {
      this.setSource(route.shared, 'shared.ts');
      this.fromLink = true;
      // The link has done its job: the address goes back to #/editor so a reload keeps later edits.
      history.replaceState(null, '', location.pathname + location.search + editorHash());
      this.route = { shared: null, broken: false };
      this.loaded = true;
      return;
    }
    if (this.loaded) return;
    try {
      const stored = await (await this.files()).loadEditorFile(await this.database());
      if (stored) this.setSource(stored.source, stored.fileName, false);
      else this.setSource(DEFAULT_TEMPLATE.source, DEFAULT_TEMPLATE.fileName, false);
    } catch {
      this.setSource(DEFAULT_TEMPLATE.source, DEFAULT_TEMPLATE.fileName, false);
    }
    this.loaded = true;
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
    try {
      const { saveEditorFile } = await this.files();
      await saveEditorFile(await this.database(), { source: this.source, fileName: this.fileName });
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
      const result = await session.loadJob({ source: this.source, fileName: this.fileName });
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
