/**
 * The Experiments view's state: the route (`#/experiments[/<id>]`, see components/experiments/route.ts),
 * the experiments the worker offers, the parameters typed per experiment, the run in progress (progress
 * reported by the worker, at most ~10 times a second) and the latest result of each experiment.
 *
 * It talks to the engine only through `session.api`, like everything else in the app: the worker runs
 * the experiment fast-forward and answers with the result, its shape assessment and the CSV/JSON texts
 * (computed by the engine's own `resultToCsv` / `resultToJson`); nothing is simulated here.
 */
import { proxy } from 'comlink';
import type {
  ExperimentInfo,
  ExperimentOutcome,
  ExperimentProgress,
  ParameterValues,
} from '../../worker/protocol';
import { session } from './session.svelte';
import {
  experimentsHash,
  parseExperimentsRoute,
  type ExperimentsRoute,
} from '../components/experiments/route';
import { draftFor, parseDraft, type Draft, type ParsedDraft } from '../components/experiments/params';

export type CompletedRun = Extract<ExperimentOutcome, { status: 'completed' }>;

export interface ActiveRun {
  experimentId: string;
  cancelling: boolean;
  /** performance.now() at the start (the worker's progress says how far it is). */
  startedAt: number;
}

export class ExperimentsStore {
  /** null: the app shows something else (simulator, lessons). */
  route = $state.raw<ExperimentsRoute | null>(null);
  infos = $state.raw<ExperimentInfo[]>([]);
  loading = $state(false);
  listError = $state<string | null>(null);
  /** Experiment id -> parameter id -> the text in the form. */
  drafts = $state<Record<string, Draft>>({});
  run = $state.raw<ActiveRun | null>(null);
  progress = $state.raw<ExperimentProgress | null>(null);
  /** Experiment id -> its latest completed run. */
  results = $state.raw<Record<string, CompletedRun>>({});
  /** The experiment whose last run was cancelled (until it runs again). */
  cancelled = $state<string | null>(null);
  runError = $state.raw<{ experimentId: string; message: string } | null>(null);

  private detach: (() => void) | null = null;

  /** The experiment the route names, or the first one. */
  get selected(): ExperimentInfo | null {
    const id = this.route?.id;
    return this.infos.find((i) => i.id === id) ?? this.infos[0] ?? null;
  }

  /** The route names an experiment that does not exist. */
  get unknownId(): string | null {
    const id = this.route?.id;
    if (!id || this.infos.length === 0) return null;
    return this.infos.some((i) => i.id === id) ? null : id;
  }

  // ------------------------------------------------------------------ route

  /** Follows the URL hash (and history navigation); returns the unsubscribe. */
  attach(): () => void {
    this.syncRoute();
    const onChange = () => this.syncRoute();
    window.addEventListener('hashchange', onChange);
    window.addEventListener('popstate', onChange);
    this.detach = () => {
      window.removeEventListener('hashchange', onChange);
      window.removeEventListener('popstate', onChange);
    };
    return () => {
      this.detach?.();
      this.detach = null;
    };
  }

  /** Reads the route from the URL (after a navigation that fires no hashchange, e.g. pushState). */
  syncRoute(): void {
    const route = parseExperimentsRoute(location.hash);
    const entering = route !== null && this.route === null;
    this.route = route;
    // The simulator is out of sight: stop playing it, so the run has the worker to itself.
    if (entering && session.playing) void session.pause();
  }

  select(id: string): void {
    location.hash = experimentsHash(id);
  }

  // ------------------------------------------------------------------ listing and parameters

  /** Asks the worker for the experiments once (the session must be ready). */
  async load(): Promise<void> {
    if (this.infos.length > 0 || this.loading) return;
    this.loading = true;
    this.listError = null;
    try {
      const infos = await session.api.listExperiments();
      for (const info of infos) this.drafts[info.id] ??= draftFor(info.parameters, 'default');
      this.infos = infos;
    } catch (e) {
      this.listError = e instanceof Error ? e.message : String(e);
    } finally {
      this.loading = false;
    }
  }

  draft(id: string): Draft {
    return (this.drafts[id] ??= {});
  }

  setParameter(experimentId: string, parameterId: string, text: string): void {
    this.draft(experimentId)[parameterId] = text;
  }

  /** Fills the form with the engine's small "test" sizes or its defaults. */
  applyPreset(info: ExperimentInfo, preset: 'default' | 'test'): void {
    this.drafts[info.id] = draftFor(info.parameters, preset);
  }

  parsed(info: ExperimentInfo): ParsedDraft {
    return parseDraft(info.parameters, this.drafts[info.id] ?? {});
  }

  // ------------------------------------------------------------------ running

  /** Runs the experiment in the worker with the form's parameters (one run at a time). */
  async start(info: ExperimentInfo): Promise<void> {
    if (this.run || session.status !== 'ready') return;
    const parsed = this.parsed(info);
    if (!parsed.ok) return;
    const experimentId = info.id;
    this.run = { experimentId, cancelling: false, startedAt: performance.now() };
    this.progress = { experimentId, fraction: 0, label: '', elapsedMs: 0 };
    this.cancelled = null;
    this.runError = null;
    const onProgress = proxy((p: ExperimentProgress) => {
      if (this.run?.experimentId === p.experimentId) this.progress = p;
    });
    try {
      const outcome = await session.api.runExperiment(
        experimentId,
        parsed.values as ParameterValues,
        onProgress,
      );
      if (outcome.status === 'completed') this.results = { ...this.results, [experimentId]: outcome };
      else this.cancelled = experimentId;
    } catch (e) {
      this.runError = { experimentId, message: e instanceof Error ? e.message : String(e) };
    } finally {
      this.run = null;
      this.progress = null;
    }
  }

  /** Asks the worker to stop the run at its next chunk; `start` then resolves as cancelled. */
  async cancel(): Promise<void> {
    if (!this.run || this.run.cancelling) return;
    this.run = { ...this.run, cancelling: true };
    try {
      await session.api.cancelExperiment();
    } catch (e) {
      this.runError = {
        experimentId: this.run?.experimentId ?? '',
        message: e instanceof Error ? e.message : String(e),
      };
    }
  }
}

/** The app's Experiments state (one per page). */
export const experiments = new ExperimentsStore();
