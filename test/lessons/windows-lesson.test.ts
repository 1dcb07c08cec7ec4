/**
 * Lesson 14's job does what the lesson's text and checks say, recomputed from its log rather than
 * taken from the lesson: /shop's first window fires with its on-time visits, fires again with the late
 * visit within the allowed lateness, the later visit takes the side output, Zoe's three visits end as
 * one merged session, every visit is counted exactly once or is in the side output, and a failure of
 * a window subtask changes no committed row.
 */
import { describe, expect, it } from 'vitest';
import { Simulation, type ScheduledFailure } from '../../src/engine/index';
import {
  ALLOWED_LATENESS_MS,
  LATE_VISIT,
  TOO_LATE_VISIT,
  WINDOW_SIZE_MS,
  ZOE_SESSION,
  buildPageVisitWindows,
  generatePageVisitLog,
  type PageCount,
  type Session,
  type Visit,
} from '../../lessons/14-windows-and-late-data/job';
import lesson from '../../lessons/14-windows-and-late-data/lesson';
import { CheckSchema, type Check } from '../../src/lessons/format';

function run(failures: ScheduledFailure[] = []) {
  const sim = new Simulation(buildPageVisitWindows(), { seed: lesson.seed, fastForward: true });
  sim.run(failures);
  return {
    sim,
    counts: sim.external.committedValues('counts') as PageCount[],
    late: sim.external.committedValues('late') as Visit[],
    sessions: sim.external.committedValues('session-sink') as Session[],
  };
}

const sorted = (rows: readonly unknown[]) => rows.map((r) => JSON.stringify(r)).sort();

/** Every check inside `check` (all / any / not unfolded). */
function leaves(check: Check): Check[] {
  if (check.kind === 'all' || check.kind === 'any') return check.of.flatMap(leaves);
  if (check.kind === 'not') return leaves(check.check);
  return [check];
}
const stepChecks = (id: string) => leaves(lesson.steps.find((s) => s.id === id)!.check);

const visits = generatePageVisitLog()
  .partitions.flat()
  .map((r) => r.value);
const firstShopWindow = (v: Visit) => v.page === '/shop' && v.time < WINDOW_SIZE_MS;
const onTime = visits.filter((v) => firstShopWindow(v) && v !== LATE_VISIT && v !== TOO_LATE_VISIT).length;
const reference = run();

describe("lesson 14's job", () => {
  it('/shop [0, 10 s) fires with its on-time visits, then again with the late one (the lesson says 60, 61)', () => {
    const rows = reference.counts.filter((r) => r.page === '/shop' && r.windowStart === 0);
    expect(rows.map((r) => r.count)).toEqual([onTime, onTime + 1]);
    const lateFiring = stepChecks('allowed-lateness').find((c) => c.kind === 'state');
    expect(lateFiring).toMatchObject({
      key: '/shop',
      window: { start: 0, end: WINDOW_SIZE_MS },
      equals: onTime + 1,
    });
  });

  it('the timers the lesson waits for are the trigger (maxTimestamp) and the cleanup (+ allowed lateness)', () => {
    const timer = (id: string) =>
      stepChecks(id).find((c) => c.kind === 'event' && c.type === 'timer-fired') as Extract<
        Check,
        { kind: 'event' }
      >;
    expect(timer('predict-fire').where?.timestamp).toBe(WINDOW_SIZE_MS - 1);
    expect(timer('cleanup').where?.timestamp).toBe(WINDOW_SIZE_MS - 1 + ALLOWED_LATENESS_MS);
  });

  it('the too-late visit is the only record of the side output; every other visit is counted once', () => {
    expect(reference.late).toEqual([TOO_LATE_VISIT]);
    const last = new Map<string, number>();
    for (const r of reference.counts) last.set(`${r.page}@${r.windowStart}`, r.count);
    const counted = [...last.values()].reduce((a, b) => a + b, 0);
    expect(counted + reference.late.length).toBe(visits.length);
  });

  it("Zoe's visits end as one merged session; every visitor's sessions hold all their visits", () => {
    expect(reference.sessions.filter((s) => s.user === 'zoe')).toEqual([ZOE_SESSION]);
    const perUser = new Map<string, number>();
    for (const s of reference.sessions) perUser.set(s.user, (perUser.get(s.user) ?? 0) + s.visits);
    for (const [user, n] of perUser) expect(n, user).toBe(visits.filter((v) => v.user === user).length);
    for (const s of reference.sessions) expect(s.end - s.start).toBeGreaterThanOrEqual(3_000);
  });

  it('a window subtask failing with windows open changes no committed row', () => {
    const failures: ScheduledFailure[] = [
      { target: 'count#0', at: 700 },
      { target: 'sessions#1', at: 1_500 },
      { target: 'count#1', at: 2_600 },
    ];
    for (const failure of failures) {
      const failed = run([failure]);
      expect(failed.sim.cluster.jobStatus).toBe('FINISHED');
      expect(failed.sim.cluster.metrics.restarts, failure.target).toBe(1);
      // The same rows; sink subtasks commit independently, so their interleaving may differ.
      expect(sorted(failed.counts)).toEqual(sorted(reference.counts));
      expect(sorted(failed.late)).toEqual(sorted(reference.late));
      expect(sorted(failed.sessions)).toEqual(sorted(reference.sessions));
    }
  });
});

describe('a state check on one window', () => {
  const check = (window: unknown) => ({
    kind: 'state',
    operator: 'count',
    state: 'window-contents',
    key: '/shop',
    equals: 1,
    window,
  });

  it('names the window as [start, end); an empty or reversed window is refused', () => {
    expect(CheckSchema.safeParse(check({ start: 0, end: 10_000 })).success).toBe(true);
    const bad = CheckSchema.safeParse(check({ start: 10_000, end: 10_000 }));
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0].message).toBe('a window ends after it starts');
    expect(CheckSchema.safeParse(check({ start: 0 })).success).toBe(false);
  });
});
