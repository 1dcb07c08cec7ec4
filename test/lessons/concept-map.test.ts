/**
 * lessons/README.md maps every heading of the article the lab was built from (reading/zh-CN.md) to
 * lesson steps that exist. The Reading page takes its links from this table (src/app/components/reading).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LESSONS } from '../../src/lessons/registry';
import { parseArticle, parseConceptMap, sectionIds } from '../../src/app/components/reading/article';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The article's concept headings (`### N.M`). */
const ARTICLE_SECTIONS = sectionIds(
  parseArticle(readFileSync(path.join(ROOT, 'reading', 'zh-CN.md'), 'utf8')),
);

describe('the concept map', () => {
  const rows = [...parseConceptMap(readFileSync(path.join(ROOT, 'lessons', 'README.md'), 'utf8'))].map(
    ([section, steps]) => ({ section, steps }),
  );

  it('has a row for every heading of the article, in its order', () => {
    expect(ARTICLE_SECTIONS).toHaveLength(26);
    expect(rows.map((r) => r.section)).toEqual(ARTICLE_SECTIONS);
  });

  it('points only at lesson steps that exist', () => {
    const known = new Set(LESSONS.flatMap((l) => l.definition.steps.map((s) => `${l.dir}/${s.id}`)));
    for (const row of rows) {
      expect(row.steps.length, `§${row.section}`).toBeGreaterThan(0);
      for (const step of row.steps) expect(known.has(step), `§${row.section}: ${step}`).toBe(true);
    }
  });
});
