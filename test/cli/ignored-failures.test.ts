/**
 * A `--fail` that fails nothing is reported, in the summary and in --json: aimed at a task that is
 * already restarting (its failure is ignored, as Flink ignores a failure of a task being restarted),
 * at a task that had already FINISHED (a terminal state), after the job FAILED, or after the run ended.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run';
import { ignoredFailures, type IgnoredFailure } from '../../src/cli/ignoredFailures';
import type { SimulationResult } from '../../src/engine/index';

function cli(...argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = runCli(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

function json(...argv: string[]): SimulationResult & { ignoredFailures: IgnoredFailure[] } {
  const { code, out } = cli(...argv, '--json');
  expect(code).toBe(0);
  return JSON.parse(out) as SimulationResult & { ignoredFailures: IgnoredFailure[] };
}

describe('--fail requests that fail nothing', () => {
  it('a failure of a task whose job is restarting is ignored and reported (text and JSON)', () => {
    // visits: keyBy makes the whole job one region; count#1 fails at 2500, the restart comes 1031 ms later.
    const args = ['visits', '--fail', 'count#1@2500', '--fail', 'count#2@2600', '--fail', 'count#2@4000'];
    const r = json(...args);
    expect(r.failures.map((f) => [f.time, f.task])).toEqual([
      [2500, 'count#1'],
      [4000, 'count#2'],
    ]);
    expect(r.ignoredFailures).toEqual([
      {
        target: 'count#2',
        at: 2600,
        reason:
          'count#2 was not running: it was restarting after count#1 failed at 2500.0 ms (restart at 3531.0 ms)',
      },
    ]);
    const { out } = cli(...args);
    expect(out).toContain(
      '  ignored: count#2@2600: count#2 was not running: it was restarting after count#1 failed at 2500.0 ms (restart at 3531.0 ms)\n',
    );
  });

  it('the same task twice at the same time: the second request is ignored', () => {
    const r = json('visits', '--fail', 'count#1@2500', '--fail', 'count#1@2500');
    expect(r.failures).toHaveLength(1);
    expect(r.ignoredFailures.map((f) => `${f.target}@${f.at}`)).toEqual(['count#1@2500']);
  });

  it('after the run ended (or after --until): in JSON too', () => {
    const r = json('visits', '--until', '3000', '--fail', 'count#1@2500', '--fail', 'sink#0@5000');
    expect(r.failures.map((f) => f.task)).toEqual(['count#1']);
    expect(r.ignoredFailures).toEqual([{ target: 'sink#0', at: 5000, reason: 'the run ended at 3000.0 ms' }]);
    const end = json('wordcount', '--fail', 'count#0@900000');
    expect(end.ignoredFailures).toEqual([
      { target: 'count#0', at: 900000, reason: `the run ended at ${end.time.toFixed(1)} ms` },
    ]);
  });

  it('a failure delayed by an engine crash is not reported as ignored', () => {
    // The engine is down 1000 ms after its crash: count#1@2300 happens when the new engine starts.
    const r = json('visits', '--fail', 'engine@2000', '--fail', 'count#1@2300');
    expect(r.failures.map((f) => [f.task, f.time])).toEqual([
      ['engine', 2000],
      ['count#1', 3000],
    ]);
    expect(r.ignoredFailures).toEqual([]);
  });

  it('aimed at a subtask that had already FINISHED (FLIP-147): ignored, with when it finished', () => {
    // Bounded wordcount: source#0 finishes a few ms before the job (after the final checkpoint).
    const base = json('wordcount');
    const finishedAt = base.time - 11;
    const at = Math.ceil(base.time - 5);
    const r = json('wordcount', '--fail', `source#0@${at}`);
    expect(r.failures).toEqual([]);
    expect(r.jobStatus).toBe('FINISHED');
    expect(r.failuresOfFinishedTasks).toEqual([
      { task: 'source#0', time: at, finishedAt: expect.any(Number) },
    ]);
    const when = (r.failuresOfFinishedTasks ?? [])[0].finishedAt;
    expect(when).toBeLessThan(at);
    expect(Math.abs(when - finishedAt)).toBeLessThan(5);
    expect(r.ignoredFailures).toEqual([
      {
        target: 'source#0',
        at,
        reason: `source#0 had already FINISHED at ${when.toFixed(1)} ms (its input ended): a finished task cannot fail`,
      },
    ]);
    // The same state and output as without the request.
    expect(r.state).toEqual(base.state);
    expect(r.sinks).toEqual(base.sinks);
  });

  it('nothing ignored: an empty list', () => {
    expect(json('wordcount').ignoredFailures).toEqual([]);
  });
});

describe('ignoredFailures (pure)', () => {
  const result = (failures: SimulationResult['failures'], time: number): SimulationResult => ({
    job: 'J',
    mode: 'exactly-once',
    time,
    jobStatus: 'FAILED',
    state: {},
    sinks: {},
    checkpoints: [],
    failures,
    taskManagers: [],
    slotsNeeded: 1,
    vertices: [],
  });

  it('after the job FAILED (recovery suppressed), a later --fail is reported with the failure that ended it', () => {
    const r = result(
      [
        { time: 100, task: 'map#0', reason: 'injected failure', restoredFrom: null, restartDelayMs: 50 },
        { time: 400, task: 'map#1', reason: 'injected failure', restoredFrom: null, restartDelayMs: null },
      ],
      400,
    );
    expect(
      ignoredFailures(
        [
          { target: 'map#0', at: 100 },
          { target: 'map#1', at: 400 },
          { target: 'map#0', at: 400 },
        ],
        r,
        undefined,
      ),
    ).toEqual([{ target: 'map#0', at: 400, reason: 'the job had FAILED at 400.0 ms (map#1)' }]);
  });

  it('a failure record of another kind (a poison record) does not stand for an injected one', () => {
    const r = result(
      [{ time: 300, task: 'map#0', reason: 'poison(x)', restoredFrom: null, restartDelayMs: 1000 }],
      5000,
    );
    expect(ignoredFailures([{ target: 'map#0', at: 300 }], r, undefined)).toEqual([
      {
        target: 'map#0',
        at: 300,
        reason:
          'map#0 was not running: it was restarting after map#0 failed at 300.0 ms (restart at 1300.0 ms)',
      },
    ]);
  });
});
