/**
 * Lesson jobs (`lessons/NN-slug/job.ts`, exporting `scenario`), registered with the engine by name so
 * that the worker and the tests can load them like the built-in scenarios. The job files are data
 * written with the engine's API: the worker loads them, and nothing here depends on `src/lessons`.
 */
import { registerScenario, type Scenario } from '../engine/index';

const modules = import.meta.glob<{ scenario?: Scenario }>('../../lessons/*/job.ts', { eager: true });

export function registerLessonJobs(): string[] {
  const names: string[] = [];
  for (const [path, mod] of Object.entries(modules)) {
    if (!mod.scenario) throw new Error(`${path.replace(/^(\.\.\/)+/, '')}: exports no 'scenario'`);
    registerScenario(mod.scenario);
    names.push(mod.scenario.name);
  }
  return names;
}
