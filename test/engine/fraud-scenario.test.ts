/**
 * The `fraud` scenario (broadcast state pattern) as a learner checks it: every subtask of the
 * detector ends with the same rules in its broadcast state; logins from a blocked country raise
 * alerts; a rule blocking a country flags the users last seen there (side output); and after a
 * subtask fails in an exactly-once mode, the rules are back on every subtask and the per-user login
 * counts are exactly those of the failure-free run.
 */
import { describe, expect, it } from 'vitest';
import { getScenario, type CheckpointingMode } from '../../src/engine/index';
import { runSim } from './properties/generators';

const FINAL_RULES = [
  ['XX', true],
  ['BR', false],
  ['KE', false],
  ['JP', true],
];

function loginCounts(state: Record<string, Record<string, Record<string, unknown>>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [user, h] of Object.entries(state.detect?.history ?? {}))
    out[user] = (h as { logins: number }).logins;
  return out;
}

describe('fraud scenario', () => {
  it('the rules reach every subtask; blocked-country alerts and flagged users come out', () => {
    const sim = runSim(getScenario('fraud').build(), 1, [], { maxTime: 60_000 });
    const r = sim.result();
    expect(r.jobStatus).toBe('FINISHED');
    const b = r.broadcastState?.detect ?? {};
    expect(Object.keys(b)).toEqual(['0', '1', '2']);
    for (const s of Object.values(b)) expect(s.rules).toEqual(FINAL_RULES);
    const alerts = r.sinks.sink.committed as Array<{ country: string; reason: string }>;
    expect(alerts.some((a) => a.reason === 'blocked-country' && a.country === 'XX')).toBe(true);
    expect(alerts.some((a) => a.reason === 'country-hopping')).toBe(true);
    expect(r.sinks.flagged.committed.length).toBeGreaterThan(0);
    const total = Object.values(loginCounts(r.state)).reduce((a, b) => a + b, 0);
    expect(total).toBe(6000);
  });

  it.each<CheckpointingMode>(['exactly-once', 'unaligned'])(
    '%s: a detector subtask fails mid-run; rules on every subtask and login counts equal the failure-free run',
    (mode) => {
      const job = () => getScenario('fraud').build({ mode });
      const reference = runSim(job(), 2, [], { maxTime: 60_000 });
      const faulty = runSim(job(), 2, [{ target: 'detect#1', at: 7300 }], { maxTime: 60_000 });
      expect(faulty.failures.length).toBe(1);
      expect(faulty.failures[0].restoredFrom).not.toBeNull();
      expect(faulty.result().jobStatus).toBe('FINISHED');
      expect(loginCounts(faulty.result().state)).toEqual(loginCounts(reference.result().state));
      for (const s of Object.values(faulty.result().broadcastState?.detect ?? {}))
        expect(s.rules).toEqual(FINAL_RULES);
    },
  );
});
