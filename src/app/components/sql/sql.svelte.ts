/**
 * The SQL page (`#/sql`): whether it is on screen, the statements being edited (kept in IndexedDB as
 * the learner types, as the editor keeps its job file), Run and Explain — which hand the text to the
 * engine worker: it plans the statements (src/sql, loaded there on demand) and loads the query as the
 * job — and the result the worker sends with every frame (SqlFrame), kept for the two views.
 *
 * Nothing here plans or computes a result: the changelog, the table and the state sizes come from the
 * worker. This module is in the app's first download (the header's link), so it stays small.
 */
import type { LabDatabase } from '../../../storage/db';
import { session } from '../../lib/session.svelte';
import { locale } from '../../i18n/i18n.svelte';
import type {
  FrameUpdate,
  SqlDiagnostic,
  SqlJobInfo,
  SqlRowKind,
  SqlStatementOutput,
  SqlTableInfo,
} from '../../../worker/protocol';

const SAVE_DELAY_MS = 400;
/** Changelog rows the page keeps (the latest); the worker counts them all. */
export const CHANGELOG_KEPT = 1000;
/** Points of the state readout; beyond, every other one is dropped (the curve keeps its shape). */
const SERIES_MAX = 1200;
/** The editor store's IndexedDB record (`editorFiles`) for the SQL page. */
const SQL_FILE_ID = 'sql';
const SQL_FILE_NAME = 'query.sql';

export type SqlRunState = 'idle' | 'running' | 'ran' | 'failed';

export interface ChangelogRow {
  seq: number;
  kind: SqlRowKind;
  row: string[];
  time: number;
}

export interface StatePoint {
  t: number;
  values: Record<string, number>;
}

export function parseSqlRoute(hash: string): boolean {
  return /^#?\/sql\/?$/.test(hash);
}

export class SqlStore {
  /** The page is on screen. */
  route = $state(false);
  source = $state('');
  loaded = $state(false);
  runState = $state<SqlRunState>('idle');
  /** The last Run's or Explain's error, at its line:col. */
  error = $state.raw<SqlDiagnostic | null>(null);
  /** What the last Run's statements answered (SET, SHOW TABLES, DESCRIBE, EXPLAIN…). */
  outputs = $state.raw<SqlStatementOutput[]>([]);
  /** The query now running (its schema, plan, stateful operators); null: none from this page. */
  job = $state.raw<SqlJobInfo | null>(null);
  /** The plan Explain showed. */
  plan = $state<string | null>(null);
  /** Bumped when the text is replaced from outside the editor (an example): the view re-reads it. */
  replaced = $state(0);
  tables = $state.raw<SqlTableInfo[]>([]);

  // The result, from the frames.
  changelog = $state.raw<ChangelogRow[]>([]);
  total = $state(0);
  counts = $state.raw<Record<SqlRowKind, number>>({ '+I': 0, '-U': 0, '+U': 0, '-D': 0 });
  table = $state.raw<{ rows: string[][]; size: number }>({ rows: [], size: 0 });
  series = $state.raw<StatePoint[]>([]);
  /** Real ms from Run to the first frame with a committed row (the e2e logs it). */
  firstRowMs = $state<number | null>(null);

  private seq = 0;
  private askingJob = false;
  private runAt = 0;
  private db: Promise<LabDatabase> | null = null;
  private files = () => import('../../../storage/editorFiles');
  private saveTimer: ReturnType<typeof setTimeout> | null = null;

  attach(): () => void {
    this.syncRoute();
    const onChange = () => this.syncRoute();
    window.addEventListener('hashchange', onChange);
    window.addEventListener('popstate', onChange);
    const offFrame = session.onFrame((u) => this.onFrame(u));
    const offLoad = session.onLoad(() => {
      // Another job (a scenario, a lesson, the editor's): this page's result is not its result.
      if (!session.loadOptions?.sql) this.job = null;
    });
    return () => {
      window.removeEventListener('hashchange', onChange);
      window.removeEventListener('popstate', onChange);
      offFrame();
      offLoad();
    };
  }

  syncRoute(): void {
    const route = parseSqlRoute(location.hash);
    const entering = route && !this.route;
    this.route = route;
    if (entering) void this.open();
  }

  private database(): Promise<LabDatabase> {
    this.db ??= import('../../../storage/db').then((m) => m.openLabDatabase());
    return this.db;
  }

  /** The stored statements, or the first example. Runs nothing. */
  private async open(): Promise<void> {
    if (this.loaded) return;
    // The examples load with the page's chunk, not with the app's first download.
    const examples = import('./examples');
    try {
      const stored = await (await this.files()).loadEditorFile(await this.database(), SQL_FILE_ID);
      this.setSource(stored ? stored.source : (await examples).defaultSql(locale.lang), false);
    } catch {
      this.setSource((await examples).defaultSql(locale.lang), false);
    }
    this.loaded = true;
    if (session.status === 'ready') void this.loadTables();
  }

  async loadTables(): Promise<void> {
    if (this.tables.length) return;
    try {
      this.tables = await session.api.sqlTables();
    } catch {
      // The worker is not up yet: completion offers keywords only until it is.
    }
  }

  setSource(source: string, save = true): void {
    this.source = source;
    this.error = null;
    this.replaced++;
    if (save) this.scheduleSave(0);
  }

  edited(source: string): void {
    if (source === this.source) return;
    this.source = source;
    this.scheduleSave(SAVE_DELAY_MS);
  }

  private scheduleSave(delay: number): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => void this.save(), delay);
  }

  async save(): Promise<void> {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    try {
      const { saveEditorFile } = await this.files();
      await saveEditorFile(
        await this.database(),
        { source: this.source, fileName: SQL_FILE_NAME },
        SQL_FILE_ID,
      );
    } catch (e) {
      session.notice = `The SQL page could not save the statements: ${(e as Error).message}`;
    }
  }

  /** Runs the statements in the worker; the query (if any) becomes the job and plays. */
  async run(): Promise<void> {
    if (this.runState === 'running') return;
    this.runState = 'running';
    this.error = null;
    await this.save();
    try {
      this.runAt = performance.now();
      const result = await session.loadSql({ script: this.source });
      if (!result.ok) {
        this.error = result.error;
        this.runState = 'failed';
        return;
      }
      this.outputs = result.outputs.filter((o) => o.kind !== 'job');
      if (result.job) {
        this.job = result.job;
        this.plan = null;
        this.firstRowMs = null;
        await session.play();
      }
      this.runState = 'ran';
    } catch (e) {
      this.error = { line: 1, col: 1, kind: 'internal', message: (e as Error).message };
      this.runState = 'failed';
    }
  }

  async explain(): Promise<void> {
    this.error = null;
    try {
      const r = await session.api.explainSql({ script: this.source });
      if (r.ok) this.plan = r.text;
      else {
        this.error = r.error;
        this.plan = null;
      }
    } catch (e) {
      this.error = { line: 1, col: 1, kind: 'internal', message: (e as Error).message };
    }
  }

  private onFrame(u: FrameUpdate): void {
    const sql = u.sql;
    if (!sql) return;
    // A SQL job this page did not start (recovered after a reload): ask the worker what it is.
    if (!this.job && !this.askingJob) {
      this.askingJob = true;
      void session.api
        .sqlJobInfo()
        .then((job) => (this.job ??= job))
        .catch(() => {})
        .finally(() => (this.askingJob = false));
    }
    if (sql.reset) {
      this.changelog = [];
      this.series = [];
      this.table = { rows: [], size: 0 };
    }
    if (sql.changelog.length) {
      const added = sql.changelog.map((c) => ({ ...c, seq: this.seq++ }));
      this.changelog = [...this.changelog, ...added].slice(-CHANGELOG_KEPT);
      if (this.firstRowMs === null && this.runAt > 0) this.firstRowMs = performance.now() - this.runAt;
    }
    this.total = sql.total;
    this.counts = sql.counts;
    if (sql.table) this.table = sql.table;
    const last = this.series[this.series.length - 1];
    if (!last || last.t !== u.now) {
      let series = [...this.series, { t: u.now, values: sql.state }];
      if (series.length > SERIES_MAX)
        series = series.filter((_, i) => i % 2 === 0 || i === series.length - 1);
      this.series = series;
    }
  }

  /** "Export for Flink": the script for `sql-client.sh -f`, made in the worker (FlinkExport.ts). */
  async exportForFlink(): Promise<{ ok: true; text: string } | { ok: false; error: SqlDiagnostic }> {
    return session.api.exportSqlForFlink({ script: this.source });
  }
}

export const sql = new SqlStore();

// Test hook: CodeMirror renders only the lines in view; the e2e tests read and set the text here.
if (typeof window !== 'undefined')
  (window as unknown as { __streamStateLabSql?: SqlStore }).__streamStateLabSql = sql;
