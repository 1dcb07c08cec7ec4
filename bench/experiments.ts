/**
 * The experiments (src/engine/experiments/, docs/experiments.md) as a benchmark: every experiment
 * through `runAllExperiments`, one at a time, at the "test" preset (the sizes the tests use: a few
 * seconds in all) or `--preset default` (the publication sizes of docs/experiments.md: about a minute).
 * Reports each experiment's wall time, simulated virtual time and engine events per second, and
 * whether the simulator's result has the publication's shape (every check of its assessment).
 *
 *   npm run bench -- --only experiments [--preset default]
 *
 * A shape that does not hold is reported (row marked ✘, `experimentsAllHold: false`), not thrown: it
 * is a finding about the model, and the rest of the suite's figures are still worth having.
 */
import { EXPERIMENTS, runAllExperiments, type ParameterPreset } from '../src/engine/experiments/index';
import { round, type Benchmark, type BenchmarkResult } from './suite';

interface ExperimentFigures {
  id: string;
  title: string;
  wallMs: number;
  holds: boolean;
  checks: Array<{ description: string; holds: boolean }>;
  subRuns: number;
  virtualTimeMs: number;
  events: number;
  eventsPerSec: number;
}

function presetOf(raw: string | undefined): ParameterPreset {
  if (raw === undefined || raw === 'test') return 'test';
  if (raw === 'default') return 'default';
  throw new Error(`--preset must be 'test' or 'default', got '${raw}'`);
}

export const experimentsBenchmark: Benchmark = {
  name: 'experiments',
  description:
    'every experiment (runAllExperiments) at the "test" preset (--preset default: publication sizes): wall time, shape holds',
  run(options): BenchmarkResult {
    const preset = presetOf(options.params.get('preset'));
    const figures: ExperimentFigures[] = [];
    for (const exp of EXPERIMENTS) {
      options.log(`experiments: ${exp.id} (${preset})`);
      const t0 = performance.now();
      const [{ result, assessment }] = runAllExperiments({ preset, only: [exp.id] });
      const wallMs = performance.now() - t0;
      figures.push({
        id: exp.id,
        title: exp.title,
        wallMs: round(wallMs, 1),
        holds: assessment.holds,
        checks: assessment.checks,
        subRuns: result.subRuns,
        virtualTimeMs: round(result.virtualTimeMs, 1),
        events: result.events,
        eventsPerSec: Math.round(result.events / (wallMs / 1000)),
      });
    }
    const totalMs = figures.reduce((s, f) => s + f.wallMs, 0);
    const allHold = figures.every((f) => f.holds);
    return {
      name: 'experiments',
      rows: [
        ...figures.map((f) => ({
          label: f.id,
          value: `${(f.wallMs / 1000).toFixed(2)} s`,
          note: `${f.holds ? '✔ same shape' : `✘ differs: ${f.checks.filter((c) => !c.holds).length} check(s) fail`} · ${f.subRuns} runs, ${(f.virtualTimeMs / 1000).toFixed(0)} s virtual, ${(f.eventsPerSec / 1e6).toFixed(2)} M events/s`,
        })),
        {
          label: `all (${preset} preset)`,
          value: `${(totalMs / 1000).toFixed(2)} s`,
          note: allHold ? '✔ every shape holds' : '✘ some shapes differ',
        },
      ],
      metrics: { preset, totalMs: round(totalMs, 1), experiments: figures },
      headline: { experimentsAllHold: allHold, experimentsWallMs: round(totalMs, 1) },
    };
  },
};
