/**
 * The clickcount scenario reproduces what Flink's Operations Playground documentation says a user sees
 * (docs/content/docs/try-flink/flink-operations-playground.md): one test per outcome. The cluster is
 * the Playground's: one TaskManager with 2 slots, parallelism 2.
 */
import { describe, expect, it } from 'vitest';
import { parseSimArgs, UsageError } from '../../src/cli/args';
import { runCli } from '../../src/cli/run';
import { Simulation, getScenario, type SimulationResult, type TraceEvent } from '../../src/engine/index';
import { KafkaSource } from '../../src/engine/connectors/KafkaSource';
import {
  CLICK_PAGES,
  generateClickLog,
  CLICK_WINDOWS,
  CLICK_WINDOW_MS,
  EVENTS_PER_WINDOW,
  type ClickEventStatistics,
} from '../../src/engine/scenarios/clickcount';

const PLAYGROUND = ['--taskmanagers', '1', '--slots', '2'];

function cli(files: Map<string, string>, ...argv: string[]) {
  let out = '';
  let err = '';
  const code = runCli(argv, {
    out: (s) => (out += s),
    err: (s) => (err += s),
    readFile: (p) => {
      const text = files.get(p);
      if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${p}'`);
      return text;
    },
    writeFile: (p, text) => void files.set(p, text),
  });
  return { code, out, err };
}

function json(...argv: string[]): SimulationResult {
  const { code, out, err } = cli(new Map(), 'clickcount', ...PLAYGROUND, ...argv, '--json');
  expect(err).toBe('');
  expect(code).toBe(0);
  return JSON.parse(out) as SimulationResult;
}

function rows(r: SimulationResult): ClickEventStatistics[] {
  return r.sinks.sink.committed as ClickEventStatistics[];
}

/** Every (page, window) of the log: 6 pages x 16 windows. */
const ALL_WINDOWS = CLICK_PAGES.flatMap((page) =>
  Array.from({ length: CLICK_WINDOWS }, (_, k) => `${page}@${k * CLICK_WINDOW_MS}`),
).sort();

const id = (s: ClickEventStatistics) => `${s.page}@${s.windowStart}`;
const distinct = (rs: ClickEventStatistics[]) => [...new Set(rs.map(id))].sort();
const duplicates = (rs: ClickEventStatistics[]) => rs.length - new Set(rs.map(id)).size;

describe('clickcount: the Operations Playground', () => {
  it('failure-free: every 15 s window of every page counts exactly 1000 clicks, once', () => {
    const r = json();
    expect(r.jobStatus).toBe('FINISHED');
    const rs = rows(r);
    expect(rs).toHaveLength(ALL_WINDOWS.length);
    expect(distinct(rs)).toEqual(ALL_WINDOWS);
    for (const s of rs) {
      expect(s.count).toBe(EVENTS_PER_WINDOW);
      expect(s.windowEnd - s.windowStart).toBe(CLICK_WINDOW_MS);
      // --json's committed rows are the ClickEventStatistics objects.
      expect(Object.keys(s).sort()).toEqual(['count', 'page', 'windowEnd', 'windowStart']);
    }
    // The graph as the Playground's web UI shows it: chaining off, parallelism 2.
    expect(r.vertices.map((v) => [v.name, v.parallelism])).toEqual([
      ['ClickEvent Source', 2],
      ['ClickEvent Counter', 2],
      ['ClickEventStatistics Sink', 2],
    ]);
  }, 120_000);

  // 36,300 ms: just after the 4th windows fired (~36,120) and before the next checkpoint (~36,511).
  const FAIL_AFTER_FIRE = ['--fail', 'taskmanager-1@36300'];

  it('a lost TaskManager comes back: every window present with count 1000; the exactly-once sink has no duplicates', () => {
    const r = json(...FAIL_AFTER_FIRE, '--sink', 'exactly-once');
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0].restoredFrom).not.toBeNull();
    expect(r.taskManagers.map((tm) => tm.status)).toEqual(['RUNNING']);
    const rs = rows(r);
    expect(duplicates(rs)).toBe(0);
    expect(distinct(rs)).toEqual(ALL_WINDOWS);
    expect(rs.every((s) => s.count === EVENTS_PER_WINDOW)).toBe(true);
  }, 120_000);

  it('the at-least-once sink (the Playground default): rows repeat after the failure, none missing, none != 1000', () => {
    const r = json(...FAIL_AFTER_FIRE);
    const rs = rows(r);
    expect(duplicates(rs)).toBeGreaterThan(0);
    expect(distinct(rs)).toEqual(ALL_WINDOWS);
    expect(rs.every((s) => s.count === EVENTS_PER_WINDOW)).toBe(true);
  }, 120_000);

  it('--no-checkpointing: the restart resumes from the auto-committed Kafka offsets with empty state, so windows are short', () => {
    // 35,800 ms: after the auto-commit at ~35,000 and before the 4th windows fire (~36,120).
    const r = json('--no-checkpointing', '--fail', 'taskmanager-1@35800');
    expect(r.checkpoints).toEqual([]);
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0].restoredFrom).toBeNull();
    const rs = rows(r);
    const short = rs.filter((s) => s.count < EVENTS_PER_WINDOW);
    expect(short.length).toBeGreaterThan(0);
    // What the window held before the failure is gone: no full row for those windows.
    for (const s of short)
      expect(rs.filter((x) => id(x) === id(s) && x.count === EVENTS_PER_WINDOW)).toEqual([]);
  }, 120_000);

  it('--processing-time: processing-time windows, so the counts are not 1000', () => {
    const rs = rows(json('--processing-time'));
    // The windows cut the stream by processing time (when the records reach the counter), not by
    // the clicks' timestamps; a window still open when the bounded input ends never fires.
    expect(rs.filter((s) => s.count !== EVENTS_PER_WINDOW).length).toBeGreaterThan(rs.length / 2);
    expect(rs.reduce((n, s) => n + s.count, 0)).toBeLessThanOrEqual(ALL_WINDOWS.length * EVENTS_PER_WINDOW);
  }, 120_000);

  it('--backpressure: the sources are backpressured during even minutes, and checkpoints take longer', () => {
    const traced = (backpressure: boolean) => {
      const events: TraceEvent[] = [];
      const sim = new Simulation(getScenario('clickcount').build({ backpressure }), {
        seed: 1,
        // Traced record by record (fast-forward skips the per-record trace).
        fastForward: false,
        cluster: { taskManagers: 1, slotsPerTaskManager: 2 },
        trace: (e) => {
          if (e.type === 'backpressure') events.push(e);
        },
      });
      sim.run([]);
      return { sim, events };
    };
    const slow = traced(true);
    const free = traced(false);
    const blocked = (evs: TraceEvent[]) =>
      evs.filter((e) => e.type === 'backpressure' && e.blocked && e.task.startsWith('source#'));
    expect(blocked(free.events)).toEqual([]);
    const bp = blocked(slow.events);
    expect(bp.length).toBeGreaterThan(0);
    // It starts in minute 0 (an even minute: the map sleeps 100 ms a record).
    expect(bp.some((e) => e.t < 60_000)).toBe(true);
    // Most of it in even minutes; in odd minutes the map is free and the backlog drains.
    const even = bp.filter((e) => Math.floor(e.t / 60_000) % 2 === 0).length;
    expect(even).toBeGreaterThan(2 * (bp.length - even));
    const maxDuration = (s: Simulation) =>
      Math.max(...s.checkpoints.filter((c) => c.status === 'COMPLETED').map((c) => c.endToEndMs ?? 0));
    expect(maxDuration(slow.sim)).toBeGreaterThan(10 * maxDuration(free.sim));
    // Still every window exactly 1000.
    const rs = slow.sim.external.committedValues('sink') as ClickEventStatistics[];
    expect(distinct(rs)).toEqual(ALL_WINDOWS);
    expect(rs.every((s) => s.count === EVENTS_PER_WINDOW)).toBe(true);
  }, 240_000);

  it('stop with a savepoint, restart with parallelism 3: waits SCHEDULED for a third slot, then every window is exactly 1000', () => {
    const files = new Map<string, string>();
    const stop = cli(
      files,
      'clickcount',
      ...PLAYGROUND,
      '--savepoint-at',
      '50000',
      '--until',
      '50100',
      '--export',
      'sp.json',
      '--json',
    );
    expect(stop.code).toBe(0);
    const before = rows(JSON.parse(stop.out.slice(0, stop.out.lastIndexOf('}') + 1)) as SimulationResult);
    const restore = ['--restore', 'sp.json', '--parallelism', '3', '--add-taskmanager', '5000'];
    const waiting = cli(files, 'clickcount', ...PLAYGROUND, ...restore, '--until', '4000', '--json');
    expect(waiting.code).toBe(0);
    const w = JSON.parse(waiting.out) as SimulationResult;
    expect(w.vertices.every((v) => v.parallelism === 3)).toBe(true);
    expect(w.vertices.flatMap((v) => v.subtasks).every((s) => s.status === 'SCHEDULED')).toBe(true);
    const after = cli(files, 'clickcount', ...PLAYGROUND, ...restore, '--json');
    expect(after.code).toBe(0);
    const a = JSON.parse(after.out) as SimulationResult;
    expect(a.jobStatus).toBe('FINISHED');
    expect(a.taskManagers).toHaveLength(2);
    const all = [...before, ...rows(a)];
    expect(before.length).toBeGreaterThan(0);
    expect(duplicates(all)).toBe(0);
    expect(distinct(all)).toEqual(ALL_WINDOWS);
    expect(all.every((s) => s.count === EVENTS_PER_WINDOW)).toBe(true);
  }, 240_000);

  it("the Playground options are clickcount's: other scenarios and bad values are refused", () => {
    expect(parseSimArgs(['clickcount', '--no-checkpointing', '--sink', 'exactly-once'])).toMatchObject({
      options: { playground: { checkpointing: false, sink: 'exactly-once' } },
    });
    expect(() => parseSimArgs(['visits', '--backpressure'])).toThrow(UsageError);
    expect(() =>
      KafkaSource.builder()
        .setLog(generateClickLog(1))
        .setProperty('enable.auto.commit', 'true')
        .setProperty('auto.commit.interval.ms', 'soon')
        .build(),
    ).toThrow("KafkaSource: auto.commit.interval.ms must be > 0, got 'soon'");
    expect(() => parseSimArgs(['clickcount', '--sink', 'exactly-twice'])).toThrow(
      "--sink must be at-least-once or exactly-once (got 'exactly-twice')",
    );
  });
});
