/**
 * The SQL page's state readout makes `table.exec.state.ttl` visible: the join example's state entries
 * (every row of both inputs, frame by frame in SqlFrame.state) keep growing without a TTL and stay
 * far lower with `SET 'table.exec.state.ttl' = '5 s'`. The numbers are logged (docs/sql.md).
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { SQL_EXAMPLES, exampleScript } from '../../src/app/components/sql/examples';
import type { EngineHost } from '../../src/worker/EngineHost';
import { freshDbName } from '../storage/helpers';
import { newHost } from './host-helpers';

const JOIN_WITH_TTL = exampleScript(
  SQL_EXAMPLES.find((e) => e.id === 'join')!,
  'en',
);
const JOIN_WITHOUT_TTL = JOIN_WITH_TTL.replace(/^SET 'table\.exec\.state\.ttl'.*$/m, '');
const AT = [2_000, 6_000, 10_000, 14_000];

/** The join's state entries at each virtual time of AT (played frame by frame, fast). */
async function joinEntries(host: EngineHost, script: string): Promise<number[]> {
  const r = await host.loadSql({ scenario: 'sql', seed: 1, sql: { script } });
  if (!r.ok || !r.job) throw new Error(JSON.stringify(r));
  const join = r.job.statefulOperators.find((o) => o.name.startsWith('Join'))!;
  const out: number[] = [];
  await host.setSpeed(10_000);
  await host.play();
  for (const t of AT) {
    let u = await host.frame(0);
    while (u.now < t && !u.finished) u = await host.frame(Math.min(100, (t - u.now) / 10));
    out.push(u.sql!.state[join.uid]);
  }
  await host.pause();
  return out;
}

describe('the state readout of a SQL join', () => {
  it('grows without table.exec.state.ttl, stays low with it', async () => {
    const host = newHost(freshDbName());
    await host.start();
    const without = await joinEntries(host, JOIN_WITHOUT_TTL);
    const withTtl = await joinEntries(host, JOIN_WITH_TTL);
    console.info(
      `join state entries at ${AT.map((t) => `${t / 1000} s`).join(', ')}: without TTL ${without.join(', ')}; with 5 s TTL ${withTtl.join(', ')}`,
    );
    for (let i = 1; i < without.length; i++) expect(without[i]).toBeGreaterThan(without[i - 1]);
    expect(withTtl[withTtl.length - 1]).toBeLessThan(without[without.length - 1] / 3);
  }, 300_000);
});
