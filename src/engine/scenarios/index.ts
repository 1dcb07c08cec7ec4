import type { Scenario } from './Scenario';
import { wordcount } from './wordcount';
import { visits } from './visits';
import { anomalies } from './anomalies';
import { sessions } from './sessions';
import { fraud } from './fraud';
import { windows } from './windows';
import { clickcount } from './clickcount';

/** The built-in scenarios. */
export const SCENARIOS: Readonly<Record<string, Scenario>> = {
  wordcount,
  visits,
  anomalies,
  sessions,
  fraud,
  windows,
  clickcount,
};

/** Jobs defined elsewhere (a lesson's job.ts), registered by name at start-up. */
const registered = new Map<string, Scenario>();

export function registerScenario(scenario: Scenario): void {
  if (SCENARIOS[scenario.name]) throw new Error(`'${scenario.name}' is a built-in scenario`);
  // Re-registering replaces (a reloaded module in development).
  registered.set(scenario.name, scenario);
}

/** Built-in and registered scenarios. */
export function allScenarios(): Scenario[] {
  return [...Object.values(SCENARIOS), ...registered.values()];
}

export function getScenario(name: string): Scenario {
  const s = SCENARIOS[name] ?? registered.get(name);
  if (!s)
    throw new Error(
      `unknown scenario '${name}' (known: ${[...Object.keys(SCENARIOS), ...registered.keys()].join(', ')})`,
    );
  return s;
}
