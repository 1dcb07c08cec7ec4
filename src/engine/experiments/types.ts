/**
 * The experiments API: what the app's Experiments view, the benchmark suite and the tests use.
 *
 * An experiment is a parameterised sweep of fast-forward simulations whose result is a set of plots
 * (series of {x, y} points), a table (for CSV/JSON download) and a shape assessment: the published
 * qualitative claim, checked against the simulator's data. Everything here is plain data
 * (structured-clone safe), so a Web Worker can post it as it is.
 */

/** A number parameter (a slider / number input in the app). */
export interface NumberParameter {
  kind: 'number';
  id: string;
  label: string;
  description: string;
  /** Unit shown next to the value ('ms', 'keys', 'records/ms', ''). */
  unit: string;
  default: number;
  /** A small size for tests and a quick preview. */
  test: number;
  min: number;
  max: number;
  integer: boolean;
}

/** A list of numbers: the x values of a sweep (e.g. checkpoint intervals). */
export interface NumberListParameter {
  kind: 'number-list';
  id: string;
  label: string;
  description: string;
  unit: string;
  default: readonly number[];
  test: readonly number[];
  /** Bounds of every element. */
  min: number;
  max: number;
  integer: boolean;
  maxLength: number;
}

export type ParameterSpec = NumberParameter | NumberListParameter;

export type ParameterValue = number | readonly number[];
/** Parameter values by id; `run` fills in defaults for missing ones and validates ranges. */
export type ParameterValues = Readonly<Record<string, ParameterValue>>;

/** Which preset fills the parameters that were not given. */
export type ParameterPreset = 'default' | 'test';

export interface Citation {
  authors: string;
  title: string;
  venue: string;
  year: number;
  url: string;
}

export interface RunContext {
  /** Called after every chunk of simulation: overall fraction done (0..1) and what is running. */
  onProgress?(fraction: number, label: string): void;
  /** Polled between chunks (a few virtual ms of simulation each); true stops the run with `ExperimentCancelled`. */
  isCancelled?(): boolean;
}

export interface AsyncRunContext extends RunContext {
  /**
   * Awaited between chunks so the host can handle messages (e.g. a cancel request in a Web Worker:
   * `() => new Promise((r) => setTimeout(r, 0))`). Default: a resolved promise (no macrotask).
   */
  yieldToHost?(): Promise<void>;
  /** Chunks between two `yieldToHost` calls (default 1). */
  chunksPerYield?: number;
}

export class ExperimentCancelled extends Error {
  constructor(readonly experimentId: string) {
    super(`experiment '${experimentId}' was cancelled`);
    this.name = 'ExperimentCancelled';
  }
}

export interface Axis {
  label: string;
  /** Unit of the values ('ms', 'records/s', 'bytes', 'records', ''). */
  unit: string;
  scale: 'linear' | 'log';
}

export interface Point {
  x: number;
  /** null: no value (e.g. no checkpoint completed in the window). */
  y: number | null;
}

export interface Series {
  id: string;
  label: string;
  points: Point[];
}

/** One chart. */
export interface Panel {
  id: string;
  title: string;
  x: Axis;
  y: Axis;
  series: Series[];
}

export interface TableColumn {
  id: string;
  label: string;
  unit: string;
}

/** Every measured value, one row per sub-run: what CSV/JSON downloads contain. */
export interface ResultTable {
  columns: TableColumn[];
  rows: Array<Array<number | string | null>>;
}

export interface ExperimentResult {
  experimentId: string;
  title: string;
  /** The parameters the run used (defaults filled in). */
  parameters: Record<string, ParameterValue>;
  panels: Panel[];
  table: ResultTable;
  /** Simulated virtual time over all sub-runs, and engine events processed (for cost estimates). */
  virtualTimeMs: number;
  events: number;
  subRuns: number;
  /** Remarks about the run (e.g. a point where nothing completed). */
  notes: string[];
}

export interface ShapeCheck {
  /** What is checked, in words, with the measured figures. */
  description: string;
  holds: boolean;
}

export interface ShapeAssessment {
  experimentId: string;
  /** The publication's qualitative claim. */
  claim: string;
  citation: Citation;
  /** Every check holds. */
  holds: boolean;
  checks: ShapeCheck[];
  /** One sentence for the page: "The simulator shows the same shape: …" or what differs. */
  summary: string;
}

export interface Experiment {
  id: string;
  title: string;
  /** What is measured and how, for the experiment's page (a paragraph, plain text). */
  description: string;
  citation: Citation;
  /** The publication's claim, qualitatively. */
  claim: string;
  parameters: readonly ParameterSpec[];
  /** Runs synchronously (Node, tests, or a worker that does not need to react while running). */
  run(params?: ParameterValues, ctx?: RunContext, preset?: ParameterPreset): ExperimentResult;
  /** Runs in chunks, awaiting `ctx.yieldToHost` between them (a worker stays responsive to cancel). */
  runAsync(
    params?: ParameterValues,
    ctx?: AsyncRunContext,
    preset?: ParameterPreset,
  ): Promise<ExperimentResult>;
  /** Compares the result's shape with the claim; computed from the data only. */
  assessShape(result: ExperimentResult): ShapeAssessment;
}
