/**
 * `--savepoint-at MS`: a savepoint taken at MS (always aligned, full state in canonical format), the
 * one `--export` writes. The way to export a job on the RocksDB-like backend, whose incremental
 * checkpoints reference shared files and cannot be written as JSON.
 */
import { describe, expect, it } from 'vitest';
import { parseSimArgs, UsageError } from '../../src/cli/args';
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

describe('--savepoint-at', () => {
  it('parses; refuses a bad time and a savepoint after --until', () => {
    expect(parseSimArgs(['visits', '--savepoint-at', '1500'])).toMatchObject({
      options: { savepointAt: 1500 },
    });
    expect(() => parseSimArgs(['visits', '--savepoint-at', 'soon'])).toThrow(UsageError);
    expect(() => parseSimArgs(['visits', '--savepoint-at', '3000', '--until', '2000'])).toThrow(
      '--savepoint-at 3000 is after --until 2000: the run would end first',
    );
  });

  it('RocksDB-like backend: --export alone fails and points to --savepoint-at', () => {
    const files = new Map<string, string>();
    const r = cli(files, 'visits', '--backend', 'rocksdb', '--until', '1800', '--export', 'cp.json');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/incremental \(RocksDB\) checkpoint references shared files/);
    expect(r.err).toContain('add --savepoint-at MS: a savepoint taken at MS is exported instead');
    expect(files.has('cp.json')).toBe(false);
  });

  it('RocksDB-like backend: the savepoint is exported, and restoring it ends with the failure-free state', () => {
    const files = new Map<string, string>();
    const r = cli(
      files,
      'visits',
      '--backend',
      'rocksdb',
      '--savepoint-at',
      '1500',
      '--until',
      '2500',
      '--export',
      'sp.json',
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\nSnapshot: checkpoint (\d+) \(savepoint\) written to sp\.json\n$/);
    const snapshot = JSON.parse(files.get('sp.json')!) as SnapshotJson & {
      kind: string;
      triggerTime: number;
    };
    expect(snapshot.kind).toBe('savepoint');
    expect(snapshot.triggerTime).toBeGreaterThanOrEqual(1500);

    const restored = cli(files, 'visits', '--backend', 'rocksdb', '--restore', 'sp.json', '--json');
    expect(restored.code).toBe(0);
    const reference = JSON.parse(
      cli(files, 'visits', '--backend', 'rocksdb', '--json').out,
    ) as SimulationResult;
    expect((JSON.parse(restored.out) as SimulationResult).state).toEqual(reference.state);
  });

  it('the checkpoint table marks the savepoint', () => {
    const { code, out } = cli(new Map(), 'visits', '--savepoint-at', '1500', '--until', '2500');
    expect(code).toBe(0);
    expect(out).toMatch(/\n +2 +COMPLETED \(savepoint\) +1500\.0 ms /);
    expect(out.match(/\(savepoint\)/g)).toHaveLength(1);
  });

  it('a savepoint that has not completed when the run ends: a clear error, no file', () => {
    const files = new Map<string, string>();
    const r = cli(files, 'visits', '--savepoint-at', '2499', '--until', '2500', '--export', 'sp.json');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /the savepoint asked for at 2499 ms did not complete \(the run ended at 2500\.0 ms/,
    );
    expect(files.has('sp.json')).toBe(false);
  });
});
