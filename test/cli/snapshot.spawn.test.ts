/** The real entry point with real files: `--export` writes one, `--restore` of a damaged one exits 1. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSim } from './spawnSim';
import type { SnapshotJson } from '../../src/engine/index';

const dir = mkdtempSync(path.join(tmpdir(), 'sim-snapshot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sim = (...args: string[]) => spawnSim(args);

describe('npm run sim with snapshot files', () => {
  it('--export writes a snapshot; --restore of a damaged copy prints the path and exits 1', async () => {
    const file = path.join(dir, 'visits.json');
    const exported = await sim('visits', '--until', '1800', '--export', file);
    expect(exported.code, exported.stderr).toBe(0);
    const json = JSON.parse(readFileSync(file, 'utf8')) as SnapshotJson;
    expect(json.formatVersion).toBe(2);

    json.operators[1].maxParallelism = 64;
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify(json));
    const restored = await sim('visits', '--restore', bad);
    expect(restored.code).toBe(1);
    expect(restored.stdout).toBe('');
    expect(restored.stderr).toContain(
      "operators[1].maxParallelism: 64 does not match the job's maxParallelism 128 for 'count': the number of key groups cannot change",
    );
  });

  it('wordcount --restore of a snapshot whose count for "be" is the string "many" exits 1 with the path and both types', async () => {
    const file = path.join(dir, 'wordcount.json');
    expect((await sim('wordcount', '--export', file)).code).toBe(0);
    const text = readFileSync(file, 'utf8');
    const edited = text.replace(
      /\{ "key": "be", "keyGroup": (\d+), "value": \d+ \}/,
      '{ "key": "be", "keyGroup": $1, "value": "many" }',
    );
    expect(edited).not.toBe(text);
    const bad = path.join(dir, 'wordcount-many.json');
    writeFileSync(bad, edited);
    const restored = await sim('wordcount', '--restore', bad);
    expect(restored.code).toBe(1);
    expect(restored.stdout).toBe('');
    expect(restored.stderr).toMatch(
      /^ {2}operators\[2\]\.subtasks\[\d\]\.keyedState\[0\]\.entries\[\d+\]\.value: expected INT, got string "many"$/m,
    );
  });
});
