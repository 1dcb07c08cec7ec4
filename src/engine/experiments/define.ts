/**
 * Building blocks of the experiment registry: parameter resolution (defaults or test sizes,
 * validation), `defineExperiment` (sync and async drivers over one generator body), and the helpers
 * shape assessments use (series lookup, trends), all computed from the result's data.
 */
import { Runner, driveAsync, driveSync } from './harness';
import type {
  AsyncRunContext,
  Citation,
  Experiment,
  ExperimentResult,
  ParameterPreset,
  ParameterSpec,
  ParameterValue,
  ParameterValues,
  Point,
  RunContext,
  ShapeAssessment,
  ShapeCheck,
} from './types';

export type Resolved = Readonly<Record<string, ParameterValue>>;

/** Fills in missing parameters from the preset and validates every value against its spec. */
export function resolveParameters(
  specs: readonly ParameterSpec[],
  given: ParameterValues = {},
  preset: ParameterPreset = 'default',
): Record<string, ParameterValue> {
  const known = new Set(specs.map((s) => s.id));
  for (const id of Object.keys(given))
    if (!known.has(id)) throw new Error(`unknown parameter '${id}' (known: ${[...known].join(', ')})`);
  const out: Record<string, ParameterValue> = {};
  for (const spec of specs) {
    const value = given[spec.id] ?? (preset === 'test' ? spec.test : spec.default);
    const check = (v: number): void => {
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new Error(`parameter '${spec.id}': ${String(v)} is not a number`);
      if (v < spec.min || v > spec.max)
        throw new Error(`parameter '${spec.id}': ${v} is outside [${spec.min}, ${spec.max}]`);
      if (spec.integer && !Number.isInteger(v))
        throw new Error(`parameter '${spec.id}': ${v} is not an integer`);
    };
    if (spec.kind === 'number') {
      if (typeof value !== 'number') throw new Error(`parameter '${spec.id}' takes one number`);
      check(value);
      out[spec.id] = value;
    } else {
      if (!Array.isArray(value)) throw new Error(`parameter '${spec.id}' takes a list of numbers`);
      const list = value as readonly number[];
      if (list.length === 0 || list.length > spec.maxLength)
        throw new Error(`parameter '${spec.id}' takes 1 to ${spec.maxLength} values, got ${list.length}`);
      list.forEach(check);
      // A sweep: ascending, no duplicates.
      out[spec.id] = [...new Set(list)].sort((a, b) => a - b);
    }
  }
  return out;
}

export function num(p: Resolved, id: string): number {
  const v = p[id];
  if (typeof v !== 'number') throw new Error(`parameter '${id}' is not a number`);
  return v;
}

export function list(p: Resolved, id: string): number[] {
  const v = p[id];
  if (!Array.isArray(v)) throw new Error(`parameter '${id}' is not a list`);
  return [...(v as readonly number[])];
}

export type ResultBody = Omit<
  ExperimentResult,
  'experimentId' | 'title' | 'parameters' | 'virtualTimeMs' | 'events' | 'subRuns'
>;

export interface ExperimentDefinition {
  id: string;
  title: string;
  description: string;
  citation: Citation;
  claim: string;
  parameters: readonly ParameterSpec[];
  /** Total weight of the sub-runs (for progress). */
  weight(p: Resolved): number;
  body(p: Resolved, runner: Runner): Generator<void, ResultBody, void>;
  checks(result: ExperimentResult): ShapeCheck[];
}

export function defineExperiment(def: ExperimentDefinition): Experiment {
  const start = (params: ParameterValues | undefined, preset: ParameterPreset | undefined) => {
    const resolved = resolveParameters(def.parameters, params, preset);
    const runner = new Runner(def.weight(resolved));
    return { resolved, runner, body: def.body(resolved, runner) };
  };
  const finish = (
    resolved: Record<string, ParameterValue>,
    runner: Runner,
    body: ResultBody,
  ): ExperimentResult => ({
    experimentId: def.id,
    title: def.title,
    parameters: resolved,
    ...body,
    virtualTimeMs: runner.virtualTimeMs,
    events: runner.events,
    subRuns: runner.subRuns,
  });
  return {
    id: def.id,
    title: def.title,
    description: def.description,
    citation: def.citation,
    claim: def.claim,
    parameters: def.parameters,
    run(params?: ParameterValues, ctx: RunContext = {}, preset?: ParameterPreset): ExperimentResult {
      const { resolved, runner, body } = start(params, preset);
      return finish(resolved, runner, driveSync(def.id, body, runner, ctx));
    },
    async runAsync(
      params?: ParameterValues,
      ctx: AsyncRunContext = {},
      preset?: ParameterPreset,
    ): Promise<ExperimentResult> {
      const { resolved, runner, body } = start(params, preset);
      return finish(resolved, runner, await driveAsync(def.id, body, runner, ctx));
    },
    assessShape(result: ExperimentResult): ShapeAssessment {
      if (result.experimentId !== def.id)
        throw new Error(`result of '${result.experimentId}' given to '${def.id}'`);
      const checks = def.checks(result);
      const holds = checks.length > 0 && checks.every((c) => c.holds);
      const failed = checks.filter((c) => !c.holds);
      return {
        experimentId: def.id,
        claim: def.claim,
        citation: def.citation,
        holds,
        checks,
        summary: holds
          ? 'The simulator reproduces the published shape.'
          : `The simulator's data differs from the published shape: ${failed.map((c) => c.description).join(' ')}`,
      };
    },
  };
}

// ------------------------------------------------------------------ helpers for shape checks

export function seriesPoints(result: ExperimentResult, panelId: string, seriesId: string): Point[] {
  const panel = result.panels.find((p) => p.id === panelId);
  const series = panel?.series.find((s) => s.id === seriesId);
  if (!series) throw new Error(`result has no series '${seriesId}' in panel '${panelId}'`);
  return series.points;
}

/** The points with a value, as [x, y] pairs in x order. */
export function defined(points: readonly Point[]): Array<[number, number]> {
  return points
    .filter((p): p is { x: number; y: number } => p.y !== null && Number.isFinite(p.y))
    .map((p) => [p.x, p.y] as [number, number])
    .sort((a, b) => a[0] - b[0]);
}

/** Spearman's rank correlation of y with x (1: y rises with x, −1: y falls as x rises). */
export function spearman(pairs: ReadonlyArray<readonly [number, number]>): number {
  const n = pairs.length;
  if (n < 2) return 0;
  const rank = (values: number[]): number[] => {
    const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
    const ranks = new Array<number>(n);
    for (let i = 0; i < n;) {
      let j = i;
      while (j + 1 < n && order[j + 1][0] === order[i][0]) j++;
      for (let k = i; k <= j; k++) ranks[order[k][1]] = (i + j) / 2;
      i = j + 1;
    }
    return ranks;
  };
  const rx = rank(pairs.map((p) => p[0]));
  const ry = rank(pairs.map((p) => p[1]));
  const mx = (n - 1) / 2;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (rx[i] - mx) * (ry[i] - mx);
    sxx += (rx[i] - mx) ** 2;
    syy += (ry[i] - mx) ** 2;
  }
  return sxx === 0 || syy === 0 ? 0 : sxy / Math.sqrt(sxx * syy);
}

/** y at the smallest and largest x that have a value. */
export function ends(points: readonly Point[]): { first: [number, number]; last: [number, number] } | null {
  const d = defined(points);
  if (d.length === 0) return null;
  return { first: d[0], last: d[d.length - 1] };
}

/** Compact number formatting for check descriptions. */
export function fmt(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'n/a';
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(2);
  return Number(v.toPrecision(digits)).toLocaleString('en');
}
