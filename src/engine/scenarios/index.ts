import type { Scenario } from './Scenario';
import { wordcount } from './wordcount';
import { visits } from './visits';

export const SCENARIOS: Readonly<Record<string, Scenario>> = { wordcount, visits };

export function getScenario(name: string): Scenario {
  const s = SCENARIOS[name];
  if (!s) throw new Error(`unknown scenario '${name}' (known: ${Object.keys(SCENARIOS).join(', ')})`);
  return s;
}
