/**
 * A job is a program (issue 14 §1): the job files in examples/jobs/ mirror the built-in scenarios, and
 * compiled and built through src/jobs they give exactly the scenario's run — same seed ⇒ same final
 * state, sink output, checkpoints and failures, with and without an injected failure.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { getScenario, Simulation, type JobGraph, type ScheduledFailure } from '../../src/engine/index';
import { buildJob, compileJob, type BuiltJob } from '../../src/jobs/index';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

async function built(file: string, mode?: 'at-least-once'): Promise<BuiltJob> {
  const compiled = compileJob(readFileSync(ROOT + file, 'utf8'), file);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.diagnostics));
  const r = await buildJob(compiled, file, { scenario: { mode } });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostic));
  return r;
}

function run(job: JobGraph, seed: number, failures: ScheduledFailure[] = []) {
  const sim = new Simulation(job, { seed, fastForward: true });
  sim.run(failures);
  return sim.result();
}

const CASES = [
  { scenario: 'wordcount', file: 'examples/jobs/wordcount.ts', fail: 'count#1', at: 700 },
  { scenario: 'visits', file: 'examples/jobs/visits.ts', fail: 'count#2', at: 2500 },
  { scenario: 'anomalies', file: 'examples/jobs/anomalies.ts', fail: 'detect#0', at: 1000 },
];

describe('examples/jobs: each job file gives exactly its built-in scenario', () => {
  for (const c of CASES) {
    it(`${c.file} = scenario ${c.scenario} (seed 7, no failure; seed 21, ${c.fail} fails at ${c.at} ms)`, async () => {
      const file = await built(c.file);
      const scenario = getScenario(c.scenario).build();
      expect(file.jobName).toBe(scenario.name);
      const a = run(file.job, 7);
      expect(a.jobStatus).toBe('FINISHED');
      expect(a).toEqual(run(scenario, 7));
      const failures = [{ target: c.fail, at: c.at }];
      const b = run(file.scenario.build(), 21, failures);
      expect(b.failures.length).toBeGreaterThan(0);
      expect(b).toEqual(run(getScenario(c.scenario).build(), 21, failures));
    });
  }

  it('options reach the job as they reach a scenario: --mode at-least-once, parallelism 3', async () => {
    const file = await built('examples/jobs/visits.ts', 'at-least-once');
    expect(file.job.checkpointConfig.mode).toBe('at-least-once');
    const p3 = file.scenario.build({ parallelism: 3 });
    expect(p3.vertices.map((v) => v.parallelism)).toEqual([3, 3, 3]);
    const failures = [{ target: 'count#1', at: 2500 }];
    expect(run(p3, 5, failures)).toEqual(run(getScenario('visits').build({ parallelism: 3 }), 5, failures));
  });

  it('the anomalies job file commits the 46 alerts', async () => {
    const r = run((await built('examples/jobs/anomalies.ts')).job, 1);
    expect(r.sinks.alerts.committed).toHaveLength(46);
  });

  it("examples/jobs/fraud-detection.ts, the Flink docs' walkthrough: one alert, for account 3, as the docs show", async () => {
    const job = (await built('examples/jobs/fraud-detection.ts')).job;
    expect(job.name).toBe('Fraud Detection');
    const r = run(job, 1);
    expect(r.jobStatus).toBe('FINISHED');
    expect(r.sinks.print.committed).toEqual([{ id: 3 }]);
  });
});
