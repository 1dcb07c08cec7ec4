/** The command line in-process: runCli with captured output, and the readable summary on its own. */
import { describe, expect, it } from 'vitest';
import { failuresWithin, runCli } from '../../src/cli/run';
import {
  countDuplicates,
  formatSummary,
  MAX_KEYS_SHOWN,
  table,
  type SummaryInput,
} from '../../src/cli/summary';
import type { SimulationResult } from '../../src/engine/index';

function cli(...argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = runCli(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe('runCli', () => {
  it('prints the readable wordcount summary', () => {
    const { code, out, err } = cli('wordcount');
    expect(code).toBe(0);
    expect(err).toBe('');
    expect(out).toMatch(
      /^WordCount \(scenario wordcount\)\nmode exactly-once · seed 1 · virtual time [\d.]+ ms · job FINISHED \(5\/5 tasks FINISHED\)\n/,
    );
    expect(out).toContain("count (Map: count with ValueState) · state 'count' · 8 keys · sum 10");
    expect(out).toMatch(/\n {4}to {8}2\n/);
    expect(out).toMatch(/print +non-transactional +10 +10 +0\n/);
    expect(out).toMatch(/\n {2}id +status +trigger +end-to-end +acks +size +in-flight +max align +failure\n/);
    expect(out).toMatch(/\n {3}1 +COMPLETED /);
    expect(out).toContain('Failures (0)\n  (none)\n');
  });

  it('prints the result of sim.result() as one JSON object with --json', () => {
    const { code, out } = cli('wordcount', '--seed', '3', '--mode', 'unaligned', '--json');
    expect(code).toBe(0);
    const r = JSON.parse(out) as SimulationResult;
    expect(Object.keys(r)).toEqual([
      'job',
      'mode',
      'time',
      'jobStatus',
      'tasks',
      'state',
      'sinks',
      'checkpoints',
      'failures',
      'failuresOfFinishedTasks',
      'taskManagers',
      'slotsNeeded',
      'vertices',
      'ignoredFailures',
    ]);
    expect(r.mode).toBe('unaligned');
    expect(r.state.count.count).toEqual({ to: 2, be: 2, or: 1, not: 1, that: 1, is: 1, the: 1, question: 1 });
  });

  it("fraud: prints every subtask's broadcast state, and --json has it under broadcastState", () => {
    const { code, out } = cli('fraud');
    expect(code).toBe(0);
    expect(out).toContain('Broadcast state (every subtask its own copy)');
    for (const i of [0, 1, 2])
      expect(out).toContain(`  detect#${i} rules: XX=true, BR=false, KE=false, JP=true\n`);
    const json = JSON.parse(cli('fraud', '--json').out) as SimulationResult;
    expect(Object.keys(json.broadcastState?.detect ?? {})).toEqual(['0', '1', '2']);
  });

  it("--json lists the job vertices (operator chains) as Flink's Web UI; --no-chaining one per operator", () => {
    const chained = JSON.parse(cli('wordcount', '--json').out) as SimulationResult;
    expect(chained.vertices.map((v) => [v.name, v.operators, v.parallelism, v.subtasks.length])).toEqual([
      ['Source: fromElements', ['source'], 1, 1],
      ['Flat Map: split words', ['split'], 2, 2],
      ['Map: count with ValueState -> Sink: print', ['count', 'print'], 2, 2],
    ]);
    expect(chained.vertices[2].subtasks[1]).toMatchObject({
      index: 1,
      status: 'FINISHED',
      taskManager: 'taskmanager-1',
    });
    expect(chained.checkpoints.filter((c) => c.status === 'COMPLETED').map((c) => c.acks)).toContain('5/5');
    for (const flag of ['--no-chaining', '--disable-operator-chaining']) {
      const off = JSON.parse(cli('wordcount', flag, '--json').out) as SimulationResult;
      expect(off.vertices.map((v) => v.operators)).toEqual([['source'], ['split'], ['count'], ['print']]);
      expect(off.checkpoints.filter((c) => c.status === 'COMPLETED').map((c) => c.acks)).toContain('7/7');
      expect(off.state).toEqual(chained.state);
    }
    // A failure aimed at the chained sink fails the chain's subtask; the summary lists the vertices.
    const { out } = cli('wordcount', '--fail', 'print#1@300');
    expect(out).toMatch(/300\.0 ms +count#1 +injected failure/);
    expect(out).toMatch(/Map: count with ValueState -> Sink: print +count -> print +2\n/);
  });

  it('is deterministic for a seed', () => {
    expect(cli('visits', '--seed', '9', '--fail', 'count#2@1300').out).toBe(
      cli('visits', '--seed', '9', '--fail', 'count#2@1300').out,
    );
  });

  it('--help prints the usage with every scenario and exits 0', () => {
    const { code, out, err } = cli('--help');
    expect(code).toBe(0);
    expect(err).toBe('');
    expect(out).toMatch(/^Usage: npm run sim -- <scenario> \[options\]/);
    expect(out).toMatch(/\n {2}wordcount +The article's WordCount/);
    expect(out).toMatch(/\n {2}visits +Per-user visit counts/);
  });

  it('usage errors go to stderr with the usage, exit 2, nothing on stdout', () => {
    const { code, out, err } = cli('visits', '--mode', 'sometimes');
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/^sim: unknown mode 'sometimes' \(modes: exactly-once, /);
    expect(err).toContain('\nUsage: npm run sim');
  });

  it('a --fail naming a task the job does not have lists the job tasks', () => {
    const { code, out, err } = cli('visits', '--fail', 'count#4@100');
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain(
      "sim: --fail count#4@100: job 'Visits' has no task 'count#4' (its tasks: source#0, source#1, source#2, source#3, count#0, count#1, count#2, count#3, sink#0, sink#1, sink#2, sink#3; or engine)",
    );
  });

  it('does not run to an engine crash scheduled after --until', () => {
    const r = JSON.parse(
      cli('visits', '--fail', 'engine@3000', '--until', '1000', '--json').out,
    ) as SimulationResult;
    expect(r.time).toBe(1000);
    expect(r.failures).toEqual([]);
    const { out } = cli('visits', '--fail', 'engine@3000', '--until', '1000');
    expect(out).toContain('stopped at --until 1000.0 ms');
    expect(out).toContain('not reached (the run ended at 1000.0 ms): engine@3000');
  });

  it('shows what a failed task restored from, and duplicates in a non-transactional sink', () => {
    // count#1 counts most words (count#0 has finished by 800 ms: a failure aimed at it does nothing).
    const { out } = cli('wordcount', '--mode', 'unaligned', '--fail', 'count#1@800');
    expect(out).toContain('injected: count#1@800');
    expect(out).toMatch(/800\.0 ms +count#1 +injected failure +[\d.]+ ms +checkpoint 1\n/);
    expect(out).toMatch(/print +non-transactional +12 +12 +2\n/);
  });

  it('bounded by default: anomalies ends FINISHED; --unbounded keeps its log source reading (RUNNING)', () => {
    expect(cli('anomalies').out).toMatch(/ · job FINISHED \(8\/8 tasks FINISHED\)\n/);
    const { code, out } = cli('anomalies', '--unbounded', '--until', '3000');
    expect(code).toBe(0);
    expect(out).toMatch(/ · job RUNNING \(8\/8 tasks RUNNING\) · stopped at --until 3000\.0 ms\n/);
  });

  it('reports a checkpoint in progress at an engine crash as failed, and restarts from scratch', () => {
    const { out } = cli('wordcount', '--fail', 'engine@900');
    expect(out).toMatch(/ 1 +FAILED +511\.4 ms .*Engine crashed before the checkpoint completed\.\n/);
    expect(out).toMatch(/ 2 +COMPLETED /);
    expect(out).toMatch(/900\.0 ms +engine +engine crash +1000\.0 ms +nothing \(from scratch\)\n/);
  });
});

describe('failuresWithin', () => {
  it('keeps the failures at or before --until', () => {
    const fs = [
      { target: 'engine', at: 100 },
      { target: 'count#0', at: 200 },
      { target: 'engine', at: 201 },
    ];
    expect(failuresWithin(fs, undefined)).toEqual(fs);
    expect(failuresWithin(fs, 200)).toEqual(fs.slice(0, 2));
  });
});

describe('countDuplicates', () => {
  it('counts rows equal to an earlier row', () => {
    expect(countDuplicates([])).toBe(0);
    expect(countDuplicates([['to', 1], ['be', 1], ['to', 1], ['to', 1], { a: 1 }, { a: 1 }, ['to', 2]])).toBe(
      3,
    );
  });
});

describe('table', () => {
  it('aligns columns left or right and trims trailing spaces', () => {
    expect(
      table(
        ['id', 'name', 'n'],
        [
          ['1', 'a', '100'],
          ['22', 'longer', '7'],
        ],
        'rlr',
      ),
    ).toEqual(['id  name      n', ' 1  a       100', '22  longer    7']);
  });
});

describe('formatSummary', () => {
  const base: SummaryInput = {
    scenario: 'synthetic',
    seed: 5,
    until: undefined,
    requestedFailures: [],
    operators: [
      { uid: 'src', name: 'Source', parallelism: 1, isSink: false },
      { uid: 'agg', name: 'Aggregate', parallelism: 2, isSink: false },
      { uid: 'out', name: 'Sink', parallelism: 1, isSink: true },
    ],
    sinkKinds: { out: 'two-phase-commit' },
    result: {
      job: 'Synthetic',
      mode: 'exactly-once',
      time: 1234.56,
      jobStatus: 'RUNNING',
      state: {},
      sinks: { out: { committed: [], written: [] } },
      taskManagers: [],
      slotsNeeded: 2,
      vertices: [],
      checkpoints: [],
      failures: [],
    },
  };

  it('lists the first keys of a big state sorted, then how many more', () => {
    const entries: Record<string, unknown> = {};
    for (let i = 29; i >= 0; i--) entries[`k${String(i).padStart(2, '0')}`] = i;
    const out = formatSummary({ ...base, result: { ...base.result, state: { agg: { total: entries } } } });
    expect(out).toContain("  agg (Aggregate) · state 'total' · 30 keys · sum 435\n    k00  0\n    k01  1\n");
    expect(out).toContain(`    k${MAX_KEYS_SHOWN - 1}  ${MAX_KEYS_SHOWN - 1}\n    … and 10 more\n`);
    expect(out).not.toContain(`k${MAX_KEYS_SHOWN} `);
  });

  it('prints non-numeric values as JSON, without a sum, cut when long', () => {
    const out = formatSummary({
      ...base,
      result: {
        ...base.result,
        state: { agg: { seen: { b: ['x', 'y'], a: 'text', c: 'z'.repeat(200) } } },
      },
    });
    expect(out).toContain(
      '  agg (Aggregate) · state \'seen\' · 3 keys\n    a  "text"\n    b  ["x","y"]\n    c  "zzz',
    );
    expect(out).toMatch(/z…\n/);
  });

  it('says when there is no keyed state, no checkpoint and no failure', () => {
    const out = formatSummary(base);
    expect(out).toContain('Keyed state\n  (no keyed state)\n');
    expect(out).toContain('Checkpoints (0)\n  (none)\n');
    expect(out).toContain('Failures (0)\n  (none)\n');
    expect(out).toMatch(/out +two-phase-commit +0 +0 +0\n/);
  });

  it('explains failures that were not restored', () => {
    const out = formatSummary({
      ...base,
      requestedFailures: [
        { target: 'agg#0', at: 100 },
        { target: 'agg#1', at: 1200 },
        { target: 'agg#1', at: 5000 },
      ],
      result: {
        ...base.result,
        jobStatus: 'FAILED',
        failures: [
          { time: 100, task: 'agg#0', reason: 'injected failure', restoredFrom: null, restartDelayMs: 50 },
          { time: 1200, task: 'agg#1', reason: 'injected failure', restoredFrom: null, restartDelayMs: null },
        ],
      },
    });
    expect(out).toMatch(/100\.0 ms +agg#0 +injected failure +50\.0 ms +nothing \(from scratch\)\n/);
    expect(out).toMatch(/1200\.0 ms +agg#1 +injected failure +- +not restarted \(job failed\)\n/);
    expect(out).toContain('not reached (the run ended at 1234.6 ms): agg#1@5000');
  });

  it('says a restart is pending when the run ended before it', () => {
    const out = formatSummary({
      ...base,
      result: {
        ...base.result,
        failures: [{ time: 1200, task: 'agg#1', reason: 'x', restoredFrom: null, restartDelayMs: 100 }],
      },
    });
    expect(out).toMatch(/restart pending\n/);
  });
});
