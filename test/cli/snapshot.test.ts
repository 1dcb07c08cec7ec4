/** `npm run sim -- ... --export FILE` and `--restore FILE`, in-process with an in-memory file system. */
import { describe, expect, it } from 'vitest';
import { parseSimArgs, usage } from '../../src/cli/args';
import { runCli } from '../../src/cli/run';
import type { SimulationResult, SnapshotJson } from '../../src/engine/index';

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

describe('--export and --restore', () => {
  it('parses both options', () => {
    const parsed = parseSimArgs(['visits', '--export', 'a.json', '--restore=b.json']);
    expect(parsed).toMatchObject({ help: false, options: { exportFile: 'a.json', restoreFile: 'b.json' } });
    expect(usage()).toContain('--export FILE');
    expect(usage()).toContain('--restore FILE');
  });

  it('exports the latest completed checkpoint; restoring it and running on gives the failure-free result', () => {
    const files = new Map<string, string>();
    const exported = cli(files, 'visits', '--until', '1800', '--export', 'cp.json');
    expect(exported.code).toBe(0);
    expect(exported.out).toMatch(/\nSnapshot: checkpoint \d+ \(checkpoint\) written to cp\.json\n$/);
    const snapshot = JSON.parse(files.get('cp.json')!) as SnapshotJson;
    expect(snapshot).toMatchObject({ format: 'stream-state-lab/snapshot', formatVersion: 1, job: 'Visits' });

    const restored = cli(files, 'visits', '--restore', 'cp.json', '--json');
    expect(restored.code).toBe(0);
    expect(restored.err).toBe('');
    const r = JSON.parse(restored.out) as SimulationResult;
    const reference = JSON.parse(cli(files, 'visits', '--json').out) as SimulationResult;
    expect(r.state).toEqual(reference.state);
    // The restored run commits what the snapshot had pending plus everything after it: no row twice.
    const rows = r.sinks.sink.committed.map((x) => JSON.stringify(x));
    expect(new Set(rows).size).toBe(rows.length);

    const summary = cli(files, 'visits', '--restore', 'cp.json');
    expect(summary.out).toMatch(/\nstarted from snapshot cp\.json \(checkpoint \d+\)\n/);
  });

  it('a bad file prints every problem with its path, nothing on stdout, exit 1', () => {
    const files = new Map<string, string>();
    cli(files, 'visits', '--until', '1800', '--export', 'cp.json');
    const json = JSON.parse(files.get('cp.json')!) as SnapshotJson;
    const count = json.operators.findIndex((o) => o.uid === 'count');
    json.operators[count].subtasks[2].keyGroupRange = { start: 64, end: 140 };
    files.set('bad.json', JSON.stringify(json));
    const { code, out, err } = cli(files, 'visits', '--restore', 'bad.json');
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toContain("sim: bad.json cannot be restored into scenario 'visits' (");
    expect(err).toContain(
      `  operators[${count}].subtasks[2].keyGroupRange: 140 is beyond maxParallelism 128 (key groups are 0..127)\n`,
    );
    expect(err).not.toContain('Usage:');
  });

  it('a snapshot of another job, a missing file, not JSON: exit 1 with the reason', () => {
    const files = new Map<string, string>([['notjson.json', '{ nope']]);
    cli(files, 'visits', '--until', '1800', '--export', 'visits.json');
    const other = cli(files, 'wordcount', '--restore', 'visits.json');
    expect(other.code).toBe(1);
    expect(other.err).toContain("operators[2].uid: 'sink' is not an operator of job 'WordCount'");
    const missing = cli(files, 'visits', '--restore', 'nowhere.json');
    expect(missing).toMatchObject({ code: 1, out: '' });
    expect(missing.err).toMatch(/^sim: cannot read snapshot nowhere\.json: ENOENT/);
    const notJson = cli(files, 'visits', '--restore', 'notjson.json');
    expect(notJson.err).toMatch(/\(1 problem\):\n {2}not valid JSON: /);
  });

  it('--export before the first checkpoint completed is an error, not an empty file', () => {
    const files = new Map<string, string>();
    const { code, err } = cli(files, 'visits', '--until', '100', '--export', 'cp.json');
    expect(code).toBe(1);
    expect(err).toMatch(/no completed checkpoint to export \(the run ended at 100\.0 ms/);
    expect(files.has('cp.json')).toBe(false);
  });
});
