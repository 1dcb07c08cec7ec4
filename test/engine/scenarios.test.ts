/**
 * The seed's event-time applications as built-in scenarios: consecutive failed logins (`anomalies`)
 * and inactivity sessions (`sessions`). Each committed output is checked against a brute-force
 * computation over the log written here, independently of the job: group by user, sort by event time,
 * apply the rule. Failures in every exactly-once mode must leave the committed output unchanged, and a
 * run is a pure function of its seed.
 */
import { describe, expect, it } from 'vitest';
import {
  Random,
  Simulation,
  assignKeyToParallelOperator,
  getScenario,
  type CheckpointingMode,
  type ScheduledFailure,
  type TraceEvent,
} from '../../src/engine/index';
import {
  ANOMALY_WINDOW_MS,
  EXPECTED_ALERTS,
  LOGIN_OUT_OF_ORDERNESS_MS,
  buildAnomalies,
  generateLoginLog,
  type Alert,
  type Login,
} from '../../src/engine/scenarios/anomalies';
import {
  EXPECTED_SESSIONS,
  SESSION_GAP_MS,
  buildSessions,
  generateClickLog,
  isHeartbeat,
  type PageView,
  type Session,
} from '../../src/engine/scenarios/sessions';

const EXACTLY_ONCE_MODES: CheckpointingMode[] = [
  'exactly-once',
  'unaligned',
  'chandy-lamport',
  'stop-the-world',
];

function byUserThenTime<T extends { user: string }>(time: (x: T) => number) {
  return (a: T, b: T) => (a.user < b.user ? -1 : a.user > b.user ? 1 : time(a) - time(b));
}

const sortAlerts = (alerts: readonly Alert[]) => [...alerts].sort(byUserThenTime((a) => a.firstFailureAt));
const sortSessions = (sessions: readonly Session[]) => [...sessions].sort(byUserThenTime((s) => s.start));

function groupByUser<T extends { user: string }>(events: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const e of events) {
    const list = out.get(e.user);
    if (list) list.push(e);
    else out.set(e.user, [e]);
  }
  return out;
}

// ------------------------------------------------------------------ brute force

/** Every login of the log with its event time, in log order. */
function loginEvents(): Array<Login & { ts: number }> {
  return generateLoginLog().partitions.flatMap((p) => p.map((r) => ({ ...r.value, ts: r.timestamp })));
}

/**
 * The rule, straight from its definition: per user in event-time order, a failure joins the open
 * streak if it is less than a minute after the streak's first failure, else starts a new one; a
 * success ends the streak; the third failure of a streak is an alert and ends it.
 */
function bruteForceAlerts(): Alert[] {
  const alerts: Alert[] = [];
  for (const [user, events] of groupByUser(loginEvents())) {
    events.sort((a, b) => a.ts - b.ts);
    let streak: number[] = [];
    for (const e of events) {
      if (e.ok) {
        streak = [];
        continue;
      }
      if (streak.length > 0 && e.ts - streak[0] >= ANOMALY_WINDOW_MS) streak = [];
      streak.push(e.ts);
      if (streak.length === 3) {
        alerts.push({ user, firstFailureAt: streak[0], thirdFailureAt: streak[2] });
        streak = [];
      }
    }
  }
  return sortAlerts(alerts);
}

function pageViews(heartbeats = true): PageView[] {
  return generateClickLog({ heartbeats })
    .partitions.flatMap((p) => p.map((r) => r.value))
    .filter((e): e is PageView => !isHeartbeat(e));
}

/** Per user in event-time order: a view 30 minutes or more after the previous one starts a new session. */
function bruteForceSessions(views: readonly PageView[]): Session[] {
  const sessions: Session[] = [];
  for (const [user, events] of groupByUser(views)) {
    events.sort((a, b) => a.ts - b.ts);
    let current: Session | null = null;
    for (const v of events) {
      if (current === null || v.ts - current.end >= SESSION_GAP_MS) {
        current = { user, start: v.ts, end: v.ts, pages: {}, events: 0 };
        sessions.push(current);
      }
      current.end = v.ts;
      current.events++;
      current.pages[v.page] = (current.pages[v.page] ?? 0) + 1;
    }
  }
  return sortSessions(sessions);
}

// ------------------------------------------------------------------ runs

interface Run {
  sim: Simulation;
  committed: unknown[];
  timersFired: Map<string, number>;
}

function run(
  scenario: 'anomalies' | 'sessions',
  sinkUid: string,
  options: {
    seed?: number;
    mode?: CheckpointingMode;
    failures?: ScheduledFailure[];
    fastForward?: boolean;
    checkpointIntervalMs?: number;
  } = {},
): Run {
  const timersFired = new Map<string, number>();
  const trace = (e: TraceEvent) => {
    if (e.type === 'timer-fired') {
      const uid = e.task.split('#')[0];
      timersFired.set(uid, (timersFired.get(uid) ?? 0) + 1);
    }
  };
  const job = getScenario(scenario).build({
    mode: options.mode,
    checkpointIntervalMs: options.checkpointIntervalMs,
  });
  const sim = new Simulation(job, {
    seed: options.seed ?? 42,
    fastForward: options.fastForward ?? true,
    trace,
  });
  sim.run(options.failures ?? []);
  return { sim, committed: sim.external.committedValues(sinkUid), timersFired };
}

// ------------------------------------------------------------------ anomalies

describe('anomalies: three failed logins within a minute', () => {
  it('the log is as documented: ≥ 5,000 logins over 4 partitions, each user in one partition, in order, disorder < bound', () => {
    const log = generateLoginLog();
    expect(log.numPartitions).toBe(4);
    expect(log.totalRecords()).toBeGreaterThanOrEqual(5_000);
    const partitionOf = new Map<string, number>();
    log.partitions.forEach((records, p) => {
      let maxTs = -Infinity;
      const lastOfUser = new Map<string, number>();
      for (const r of records) {
        expect(partitionOf.get(r.value.user) ?? p).toBe(p);
        partitionOf.set(r.value.user, p);
        // never late: above the watermark the source can have emitted before it
        expect(r.timestamp).toBeGreaterThan(maxTs - LOGIN_OUT_OF_ORDERNESS_MS - 1);
        maxTs = Math.max(maxTs, r.timestamp);
        expect(r.timestamp).toBeGreaterThan(lastOfUser.get(r.value.user) ?? -Infinity);
        lastOfUser.set(r.value.user, r.timestamp);
      }
    });
  });

  it(`brute force over the log finds the ${EXPECTED_ALERTS} planted alerts`, () => {
    expect(bruteForceAlerts()).toHaveLength(EXPECTED_ALERTS);
  });

  it('commits exactly the brute-force alerts; the timer and the timestamp check both end streaks', () => {
    const { sim, committed, timersFired } = run('anomalies', 'alerts');
    expect(sim.cluster.jobStatus).toBe('FINISHED');
    expect(sim.cluster.isFinished()).toBe(true);
    expect(sortAlerts(committed as Alert[])).toEqual(bruteForceAlerts());
    expect(sim.failures).toEqual([]);
    // Streaks of users who gave up are cleared by the event-time timer.
    expect(timersFired.get('detect') ?? 0).toBeGreaterThan(0);
  });

  it('builds with the requested mode and checkpoint interval', () => {
    const job = buildAnomalies({ mode: 'unaligned', checkpointIntervalMs: 250 });
    expect(job.checkpointConfig.mode).toBe('unaligned');
    expect(job.checkpointConfig.intervalMs).toBe(250);
    expect(job.vertices.map((v) => v.uid)).toEqual(['source', 'detect', 'alerts']);
    expect(job.vertices.every((v) => v.parallelism === 4)).toBe(true);
    expect(buildAnomalies().checkpointConfig.intervalMs).toBe(1000);
  });

  for (const mode of EXACTLY_ONCE_MODES) {
    it(`${mode}: failures (task, source, sink, engine crash) leave the committed alerts unchanged`, () => {
      const failures: ScheduledFailure[] = [
        { target: 'detect#1', at: 700 },
        { target: 'source#2', at: 2_300 },
        { target: 'engine', at: 3_600 },
        { target: 'alerts#3', at: 5_000 },
      ];
      const { sim, committed } = run('anomalies', 'alerts', { mode, failures });
      expect(sim.cluster.jobStatus).toBe('FINISHED');
      // every failure happened (each one after the previous restart), and recoveries restored keyed
      // state and timers from checkpoints
      // (a failure aimed at the sink fails the task it is chained into: detect#3)
      expect(sim.failures.map((f) => f.task)).toEqual(['detect#1', 'source#2', 'engine', 'detect#3']);
      expect(sim.failures.filter((f) => f.restoredFrom !== null).length).toBeGreaterThanOrEqual(3);
      expect(sortAlerts(committed as Alert[])).toEqual(bruteForceAlerts());
    });
  }

  it('is deterministic: same seed, same committed output in the same order; other seeds, same alerts', () => {
    const a = run('anomalies', 'alerts', { seed: 7, failures: [{ target: 'detect#0', at: 900 }] });
    const b = run('anomalies', 'alerts', { seed: 7, failures: [{ target: 'detect#0', at: 900 }] });
    expect(b.committed).toEqual(a.committed);
    expect(b.sim.result().checkpoints).toEqual(a.sim.result().checkpoints);
    expect(b.sim.cluster.now).toBe(a.sim.cluster.now);
    for (const seed of [1, 2, 3]) {
      expect(sortAlerts(run('anomalies', 'alerts', { seed }).committed as Alert[])).toEqual(
        sortAlerts(a.committed as Alert[]),
      );
    }
  });

  it('one event at a time (traced) ends like fast-forward: same alerts, state and checkpoints', () => {
    const failures: ScheduledFailure[] = [{ target: 'detect#2', at: 800 }];
    const ff = run('anomalies', 'alerts', { seed: 5, failures });
    const traced = run('anomalies', 'alerts', { seed: 5, failures, fastForward: false });
    expect(sortAlerts(traced.committed as Alert[])).toEqual(sortAlerts(ff.committed as Alert[]));
    expect(traced.sim.result().state).toEqual(ff.sim.result().state);
    expect(traced.sim.checkpoints.map((c) => [c.id, c.status])).toEqual(
      ff.sim.checkpoints.map((c) => [c.id, c.status]),
    );
    expect(traced.timersFired).toEqual(ff.timersFired);
  });
});

// ------------------------------------------------------------------ sessions

describe('sessions: 30-minute inactivity sessions', () => {
  it('the log is as documented: ≥ 5,000 views over 4 partitions, sessions close before its end, a heartbeat per partition', () => {
    const log = generateClickLog();
    expect(log.numPartitions).toBe(4);
    const views = pageViews();
    expect(views.length).toBeGreaterThanOrEqual(5_000);
    for (const p of log.partitions) expect(isHeartbeat(p[p.length - 1].value)).toBe(true);
    const sessions = bruteForceSessions(views);
    expect(sessions).toHaveLength(EXPECTED_SESSIONS);
    const byUser = groupByUser(sessions);
    // most users have several sessions, so sessions close long before the log ends
    expect(sessions.length).toBeGreaterThan(2 * byUser.size);
    // no gap close to 30 minutes: the session boundary is unambiguous
    for (const [, events] of groupByUser(views)) {
      events.sort((a, b) => a.ts - b.ts);
      for (let i = 1; i < events.length; i++) {
        const gap = events[i].ts - events[i - 1].ts;
        expect(gap < 20 * 60_000 + 1 || gap >= 40 * 60_000).toBe(true);
      }
    }
  });

  it('commits exactly the brute-force sessions; the timer closes some, the next view closes others', () => {
    const { sim, committed, timersFired } = run('sessions', 'sessions');
    expect(sim.cluster.jobStatus).toBe('FINISHED');
    const expected = bruteForceSessions(pageViews());
    expect(sortSessions(committed as Session[])).toEqual(expected);
    // Every fired timer closed a session (a timer is deleted whenever its session closes otherwise).
    const byTimer = timersFired.get('sessionize') ?? 0;
    expect(byTimer).toBeGreaterThan(0);
    expect(byTimer).toBeLessThan(expected.length);
    // The heartbeats pushed the watermark past every timer: nothing is left open.
    const state = sim.result().state['sessionize'] ?? {};
    expect(Object.keys(state['bounds'] ?? {})).toEqual([]);
    expect(Object.keys(state['pages'] ?? {})).toEqual([]);
  });

  it('without heartbeats the watermark stops: exactly the sessions behind it close, the rest stay open in state', () => {
    // Unbounded (a Kafka topic): no end of input, no MAX_WATERMARK to release the rest.
    const job = buildSessions({ heartbeats: false, unbounded: true });
    const sim = new Simulation(job, { seed: 42, fastForward: true });
    sim.run();
    const committed = sortSessions(sim.external.committedValues('sessions') as Session[]);
    const tasks = sim.cluster.tasks.filter((t) => t.vertex.uid === 'sessionize');
    const watermarkOf = (user: string) => {
      const task = tasks.find(
        (t) =>
          t.subtaskIndex === assignKeyToParallelOperator(user, t.vertex.maxParallelism, t.vertex.parallelism),
      );
      return task ? task.currentWatermark : -Infinity;
    };
    const all = bruteForceSessions(pageViews(false));
    const closed = all.filter((s) => s.end + SESSION_GAP_MS <= watermarkOf(s.user));
    const open = all.filter((s) => s.end + SESSION_GAP_MS > watermarkOf(s.user));
    expect(committed).toEqual(closed);
    expect(open.length).toBeGreaterThan(0);
    const bounds = (sim.result().state['sessionize'] ?? {})['bounds'] ?? {};
    expect(Object.keys(bounds).sort()).toEqual(open.map((s) => s.user).sort());
    for (const s of open) expect(bounds[s.user]).toEqual({ start: s.start, end: s.end, events: s.events });
  });

  it('builds with the requested mode and checkpoint interval', () => {
    const job = buildSessions({ mode: 'chandy-lamport', checkpointIntervalMs: 300 });
    expect(job.checkpointConfig.mode).toBe('chandy-lamport');
    expect(job.checkpointConfig.intervalMs).toBe(300);
    expect(job.vertices.map((v) => v.uid)).toEqual(['source', 'drop-heartbeats', 'sessionize', 'sessions']);
    expect(job.vertices.every((v) => v.parallelism === 4)).toBe(true);
  });

  for (const mode of EXACTLY_ONCE_MODES) {
    it(`${mode}: failures (task, source, sink, engine crash) leave the committed sessions unchanged`, () => {
      const failures: ScheduledFailure[] = [
        { target: 'sessionize#2', at: 900 },
        { target: 'source#0', at: 2_600 },
        { target: 'engine', at: 4_200 },
        { target: 'sessions#1', at: 5_800 },
      ];
      const { sim, committed } = run('sessions', 'sessions', { mode, failures });
      expect(sim.cluster.jobStatus).toBe('FINISHED');
      // (a failure aimed at the sink fails the task it is chained into: sessionize#1)
      expect(sim.failures.map((f) => f.task)).toEqual(['sessionize#2', 'source#0', 'engine', 'sessionize#1']);
      expect(sim.failures.filter((f) => f.restoredFrom !== null).length).toBeGreaterThanOrEqual(3);
      expect(sortSessions(committed as Session[])).toEqual(bruteForceSessions(pageViews()));
    });
  }

  it('is deterministic: same seed, same committed output in the same order; other seeds, same sessions', () => {
    const failures: ScheduledFailure[] = [{ target: 'sessionize#3', at: 1_200 }];
    const a = run('sessions', 'sessions', { seed: 11, failures });
    const b = run('sessions', 'sessions', { seed: 11, failures });
    expect(b.committed).toEqual(a.committed);
    expect(b.sim.result().checkpoints).toEqual(a.sim.result().checkpoints);
    expect(b.sim.cluster.now).toBe(a.sim.cluster.now);
    for (const seed of [1, 2, 3]) {
      expect(sortSessions(run('sessions', 'sessions', { seed }).committed as Session[])).toEqual(
        sortSessions(a.committed as Session[]),
      );
    }
  });

  it('one event at a time (traced) ends like fast-forward: same sessions, state and checkpoints', () => {
    const failures: ScheduledFailure[] = [{ target: 'sessionize#1', at: 800 }];
    const ff = run('sessions', 'sessions', { seed: 5, failures });
    const traced = run('sessions', 'sessions', { seed: 5, failures, fastForward: false });
    expect(sortSessions(traced.committed as Session[])).toEqual(sortSessions(ff.committed as Session[]));
    expect(traced.sim.result().state).toEqual(ff.sim.result().state);
    expect(traced.sim.checkpoints.map((c) => [c.id, c.status])).toEqual(
      ff.sim.checkpoints.map((c) => [c.id, c.status]),
    );
    expect(traced.timersFired).toEqual(ff.timersFired);
  });

  /**
   * A failure after the sources have read (and checkpointed) the end of the log, before the
   * heartbeat's watermark reached the timers, restores sources with nothing left to read: as in Flink,
   * the watermark is not part of the checkpoint and starts again from -∞, so the restored timers
   * wait for data that never comes. Exactly-once still holds: every session is committed exactly
   * once or is still open in the state.
   */
  it('random failures in exactly-once modes: every session is committed once or still open in the state', () => {
    const uids = ['source', 'drop-heartbeats', 'sessionize', 'sessions'];
    const expected = bruteForceSessions(pageViews());
    for (let i = 0; i < 12; i++) {
      const rng = new Random(1000 + i);
      const failures: ScheduledFailure[] = [];
      for (let k = rng.int(1, 3); k > 0; k--) {
        const target = rng.next() < 0.15 ? 'engine' : `${uids[rng.int(0, 3)]}#${rng.int(0, 3)}`;
        failures.push({ target, at: rng.int(100, 6_000) });
      }
      const mode = EXACTLY_ONCE_MODES[i % 4];
      const { sim, committed } = run('sessions', 'sessions', {
        seed: i,
        mode,
        failures,
        checkpointIntervalMs: [200, 500, 1000][i % 3],
      });
      const state = sim.result().state['sessionize'] ?? {};
      const pages = (state['pages'] ?? {}) as Record<string, Array<[string, number]>>;
      const open = Object.entries(
        (state['bounds'] ?? {}) as Record<string, Omit<Session, 'user' | 'pages'>>,
      ).map(([user, b]): Session => ({
        user,
        start: b.start,
        end: b.end,
        events: b.events,
        pages: Object.fromEntries(pages[user] ?? []),
      }));
      const message = `${mode}, seed ${i}, ${JSON.stringify(failures)}`;
      expect(sim.cluster.jobStatus, message).toBe('FINISHED');
      expect(sortSessions([...(committed as Session[]), ...open]), message).toEqual(expected);
    }
  });

  /**
   * Regression (MiniCluster.isDrained): the run must not count as finished while a source still owes
   * the watermark of records it has read (its next periodic emission) or a watermark is in flight, so
   * the timers that watermark would fire never do. Here source#0 has read its heartbeat; a checkpoint
   * completes before the next watermark tick; the run used to stop with five sessions open.
   */
  it('a run does not stop while a source still owes a watermark', () => {
    const { committed } = run('sessions', 'sessions', {
      seed: 3,
      mode: 'stop-the-world',
      checkpointIntervalMs: 200,
    });
    expect(sortSessions(committed as Session[])).toEqual(bruteForceSessions(pageViews()));
  });

  /**
   * Regression (MiniCluster.isDrained, idleness): source#2 is restored at the end of its
   * partition (nothing left to read, watermark -∞) while the other three re-read their heartbeats.
   * 500 ms later source#2 would go idle, the minimum over the active inputs would jump to the
   * heartbeats' watermark and the remaining 39 sessions would close; the run used to stop before that.
   */
  it('a run does not stop while a source can still go idle and release the watermark', () => {
    const { committed } = run('sessions', 'sessions', {
      seed: 21,
      mode: 'unaligned',
      checkpointIntervalMs: 200,
      failures: [
        { target: 'sessionize#1', at: 1_567 },
        { target: 'drop-heartbeats#0', at: 2_934 },
        { target: 'sessionize#1', at: 4_373 },
        { target: 'sessions#0', at: 4_478 },
      ],
    });
    expect(sortSessions(committed as Session[])).toEqual(bruteForceSessions(pageViews()));
  });
});
