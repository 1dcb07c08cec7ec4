/**
 * The experiment registry: reproductions of published comparisons of snapshot algorithms, run on
 * fast-forward MiniClusters (see docs/experiments.md).
 *
 * In the app (worker side):
 *
 * ```ts
 * const infos = listExperiments();                       // plain data: ids, titles, claims, parameters
 * const exp = getExperiment('snapshot-overhead');
 * const result = await exp.runAsync(params, {
 *   onProgress: (fraction, label) => post({ fraction, label }),
 *   isCancelled: () => cancelled,                       // set by a cancel message
 *   yieldToHost: () => new Promise((r) => setTimeout(r, 0)),
 * });                                                    // throws ExperimentCancelled when cancelled
 * const assessment = exp.assessShape(result);            // the claim and whether the data has its shape
 * const csv = resultToCsv(result);
 * ```
 *
 * In Node (benchmarks, scripts): `runAllExperiments({ preset: 'default' })`.
 */
import { backpressure } from './backpressure';
import { recovery } from './recovery';
import { snapshotOverhead } from './snapshotOverhead';
import { stateSize } from './stateSize';
import type {
  AsyncRunContext,
  Experiment,
  ExperimentResult,
  ParameterPreset,
  ParameterValues,
  RunContext,
  ShapeAssessment,
} from './types';

export * from './types';
export { resolveParameters } from './define';
export { snapshotOverhead, backpressure, stateSize, recovery };

/** Every experiment, in the order the app lists them. */
export const EXPERIMENTS: readonly Experiment[] = [snapshotOverhead, backpressure, stateSize, recovery];

export function getExperiment(id: string): Experiment {
  const e = EXPERIMENTS.find((x) => x.id === id);
  if (!e) throw new Error(`unknown experiment '${id}' (known: ${EXPERIMENTS.map((x) => x.id).join(', ')})`);
  return e;
}

/** What the app shows before running: plain data (no functions), safe to post from a worker. */
export type ExperimentInfo = Pick<
  Experiment,
  'id' | 'title' | 'description' | 'citation' | 'claim' | 'parameters'
>;

export function listExperiments(): ExperimentInfo[] {
  return EXPERIMENTS.map(({ id, title, description, citation, claim, parameters }) => ({
    id,
    title,
    description,
    citation,
    claim,
    parameters,
  }));
}

export interface ExperimentReport {
  result: ExperimentResult;
  assessment: ShapeAssessment;
}

/** Runs one experiment synchronously and assesses its shape. */
export function runExperiment(
  id: string,
  params?: ParameterValues,
  ctx?: RunContext,
  preset?: ParameterPreset,
): ExperimentReport {
  const exp = getExperiment(id);
  const result = exp.run(params, ctx, preset);
  return { result, assessment: exp.assessShape(result) };
}

/** Runs one experiment in chunks (see `AsyncRunContext.yieldToHost`) and assesses its shape. */
export async function runExperimentAsync(
  id: string,
  params?: ParameterValues,
  ctx?: AsyncRunContext,
  preset?: ParameterPreset,
): Promise<ExperimentReport> {
  const exp = getExperiment(id);
  const result = await exp.runAsync(params, ctx, preset);
  return { result, assessment: exp.assessShape(result) };
}

export interface RunAllOptions {
  preset?: ParameterPreset;
  /** Experiment ids (default: all). */
  only?: readonly string[];
  /** Per-experiment parameter overrides. */
  params?: Readonly<Record<string, ParameterValues>>;
  onProgress?(experimentId: string, fraction: number, label: string): void;
  isCancelled?(): boolean;
}

/** Runs several experiments one after the other (the benchmark suite's entry point). */
export function runAllExperiments(options: RunAllOptions = {}): ExperimentReport[] {
  const ids = options.only ?? EXPERIMENTS.map((e) => e.id);
  return ids.map((id) =>
    runExperiment(
      id,
      options.params?.[id],
      {
        onProgress: (f, label) => options.onProgress?.(id, f, label),
        isCancelled: options.isCancelled,
      },
      options.preset,
    ),
  );
}

function csvCell(v: number | string | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The result's table as CSV: a header of `label (unit)` and one line per row. */
export function resultToCsv(result: ExperimentResult): string {
  const header = result.table.columns.map((c) => csvCell(c.unit ? `${c.label} (${c.unit})` : c.label));
  const lines = [header.join(',')];
  for (const row of result.table.rows) lines.push(row.map(csvCell).join(','));
  return `${lines.join('\n')}\n`;
}

/** The result (and its assessment) as JSON; non-finite numbers become null. */
export function resultToJson(result: ExperimentResult, assessment?: ShapeAssessment): string {
  return JSON.stringify(
    assessment ? { ...result, assessment } : result,
    (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
    2,
  );
}
