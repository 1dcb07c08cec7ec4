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
    expect(snapshot).toMatchObject({ format: 'stream-state-lab/snapshot', formatVersion: 2, job: 'Visits' });

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

  it('a WordCount snapshot whose count for \'be\' was edited to "many": refused with the path and both types, nothing run', () => {
    const files = new Map<string, string>();
    expect(cli(files, 'wordcount', '--export', 'wc.json').code).toBe(0);
    const json = JSON.parse(files.get('wc.json')!) as SnapshotJson;
    const count = json.operators.findIndex((o) => o.uid === 'count');
    const sub = json.operators[count].subtasks.findIndex((st) =>
      st.keyedState.some((ks) => ks.entries.some((e) => e.key === 'be')),
    );
    const state = json.operators[count].subtasks[sub].keyedState[0];
    expect(state).toMatchObject({ name: 'count', type: 'value', valueType: 'INT' });
    const entry = state.entries.findIndex((e) => e.key === 'be');
    state.entries[entry].value = 'many';
    files.set('edited.json', JSON.stringify(json));
    const { code, out, err } = cli(files, 'wordcount', '--restore', 'edited.json');
    expect(code).toBe(1);
    expect(out).toBe(''); // no run: nothing was restored
    expect(err).toBe(
      `sim: edited.json cannot be restored into scenario 'wordcount' (1 problem):\n` +
        `  operators[${count}].subtasks[${sub}].keyedState[0].entries[${entry}].value: expected INT, got string "many"\n`,
    );
  });

  it('a snapshot whose state type is not the job\'s: refused with Flink\'s "must not be incompatible" message', () => {
    const files = new Map<string, string>();
    cli(files, 'wordcount', '--export', 'wc.json');
    const json = JSON.parse(files.get('wc.json')!) as SnapshotJson;
    const count = json.operators.findIndex((o) => o.uid === 'count');
    for (const st of json.operators[count].subtasks)
      for (const ks of st.keyedState) {
        ks.valueType = 'STRING';
        for (const e of ks.entries) e.value = String(e.value);
      }
    files.set('strings.json', JSON.stringify(json));
    const { code, out, err } = cli(files, 'wordcount', '--restore', 'strings.json');
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toContain(
      `  operators[${count}].subtasks[0].keyedState[0].valueType: state 'count' of operator 'count' is incompatible with the job: ` +
        'For heap backends, the new state serializer (IntSerializer for INT) must not be incompatible with the old state serializer (StringSerializer for STRING).',
    );
  });

  it('a version-1 file (no types) is migrated: restored like the same version-2 file, its values checked against the job', () => {
    const files = new Map<string, string>();
    cli(files, 'visits', '--until', '1800', '--export', 'v2.json');
    const v2 = JSON.parse(files.get('v2.json')!) as SnapshotJson;
    const v1 = structuredClone(v2) as unknown as {
      formatVersion: number;
      operators: SnapshotJson['operators'];
    };
    v1.formatVersion = 1;
    for (const op of v1.operators)
      for (const st of op.subtasks)
        for (const ks of st.keyedState) delete (ks as { valueType?: unknown }).valueType;
    files.set('v1.json', JSON.stringify(v1));
    const fromV1 = cli(files, 'visits', '--restore', 'v1.json', '--json');
    const fromV2 = cli(files, 'visits', '--restore', 'v2.json', '--json');
    expect(fromV1.code).toBe(0);
    expect(JSON.parse(fromV1.out)).toEqual(JSON.parse(fromV2.out));

    const count = v1.operators.findIndex((o) => o.uid === 'count');
    v1.operators[count].subtasks[0].keyedState[0].entries[0].value = 2.5;
    files.set('v1-bad.json', JSON.stringify(v1));
    const bad = cli(files, 'visits', '--restore', 'v1-bad.json');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain(
      `  operators[${count}].subtasks[0].keyedState[0].entries[0].value: expected INT, got number 2.5 (not an integer)\n`,
    );
  });

  it('--export before the first checkpoint completed is an error, not an empty file', () => {
    const files = new Map<string, string>();
    const { code, err } = cli(files, 'visits', '--until', '100', '--export', 'cp.json');
    expect(code).toBe(1);
    expect(err).toMatch(/no completed checkpoint to export \(the run ended at 100\.0 ms/);
    expect(files.has('cp.json')).toBe(false);
  });
});
