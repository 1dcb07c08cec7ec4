/** lessons/README.md maps every heading of the seed to lesson steps that exist. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LESSONS } from '../../src/lessons/registry';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The seed's concept headings (`### N.M` of ../shared/seeds/000_be028ff01e853f43.txt). */
const SEED_SECTIONS = [
  '1.1',
  '1.2',
  '1.3',
  '2.1',
  '2.2',
  '2.3',
  '2.4',
  '3.1',
  '3.2',
  '3.3',
  '4.1',
  '4.2',
  '4.3',
  '5.1',
  '5.2',
  '6.1',
  '6.2',
  '6.3',
  '7.1',
  '7.2',
  '7.3',
  '8.1',
  '8.2',
  '9.1',
  '9.2',
  '9.3',
];

describe('the concept map', () => {
  const rows = readFileSync(path.join(ROOT, 'lessons', 'README.md'), 'utf8')
    .split('\n')
    .map((line) => /^\|\s*§(\d\.\d)\s*\|[^|]*\|\s*(.+?)\s*\|$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ section: m[1], steps: m[2].split(',').map((s) => s.trim()) }));

  it('has a row for every heading of the seed', () => {
    expect(rows.map((r) => r.section)).toEqual(SEED_SECTIONS);
  });

  it('points only at lesson steps that exist', () => {
    const known = new Set(LESSONS.flatMap((l) => l.definition.steps.map((s) => `${l.dir}/${s.id}`)));
    for (const row of rows) {
      expect(row.steps.length, `§${row.section}`).toBeGreaterThan(0);
      for (const step of row.steps) expect(known.has(step), `§${row.section}: ${step}`).toBe(true);
    }
  });
});
