import type { Scenario } from './Scenario';
import { wordcount } from './wordcount';
import { visits } from './visits';
import { anomalies } from './anomalies';
import { sessions } from './sessions';

export const SCENARIOS: Readonly<Record<string, Scenario>> = { wordcount, visits, anomalies, sessions };

export function getScenario(name: string): Scenario {
  const s = SCENARIOS[name];
  if (!s) throw new Error(`unknown scenario '${name}' (known: ${Object.keys(SCENARIOS).join(', ')})`);
  return s;
}
