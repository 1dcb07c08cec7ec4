/**
 * The Reading page's content (reading/): the article is the unchanged seed document, the translation
 * has the same sections, every section links to lesson steps that exist (lessons/README.md's concept
 * map), and every section that is simplified or out of date has a note, in both languages, on what
 * Flink 2.x does.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LESSONS } from '../../src/lessons/registry';
import {
  ARTICLE_TITLE,
  parseArticle,
  parseConceptMap,
  parseNotes,
  resolveStepLinks,
  sectionIds,
} from '../../src/app/components/reading/article';
import { parseReadingRoute } from '../../src/app/components/reading/route';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (p: string) => readFileSync(path.join(ROOT, p), 'utf8');

const zh = parseArticle(read('reading/zh-CN.md'));
const en = parseArticle(read('reading/en.md'));
const notes = {
  en: parseNotes(read('reading/notes.en.md')),
  'zh-CN': parseNotes(read('reading/notes.zh-CN.md')),
};
const conceptMap = parseConceptMap(read('lessons/README.md'));

/**
 * Sections where the article is simplified or out of date for Flink 2.x (see reading/README.md):
 * each must have a note in both languages.
 */
const OUT_OF_DATE: Record<string, { en: RegExp[]; 'zh-CN': RegExp[] }> = {
  '2.1': { en: [/getResult/, /Scala/], 'zh-CN': [/getResult/, /Scala/] },
  '2.2': {
    en: [/FLINK-36323/, /state\.backend\.type/, /execution\.checkpointing\.storage/],
    'zh-CN': [/FLINK-36323/, /state\.backend\.type/, /execution\.checkpointing\.storage/],
  },
  '2.3': { en: [/rewind/], 'zh-CN': [/回退/] },
  '3.1': { en: [/open\(OpenContext\)/], 'zh-CN': [/open\(OpenContext\)/] },
  '3.2': { en: [/does not pause the sources/, /forwards\s+the barrier/], 'zh-CN': [/不会暂停 Source/] },
  '3.3': {
    en: [/pipelined region/, /exponential-delay/],
    'zh-CN': [/Pipelined Region/, /exponential-delay/],
  },
  '4.1': { en: [/align/], 'zh-CN': [/对齐/] },
  '4.3': { en: [/tolerable-failed-checkpoints/], 'zh-CN': [/tolerable-failed-checkpoints/] },
  '5.1': {
    en: [/keyBy\(w -> w\)/, /InvalidProgramException/, /fromData/, /open\(OpenContext\)/],
    'zh-CN': [/keyBy\(w -> w\)/, /InvalidProgramException/, /fromData/, /open\(OpenContext\)/],
  },
  '5.2': { en: [/execution\.checkpointing\.dir/], 'zh-CN': [/execution\.checkpointing\.dir/] },
  '9.1': { en: [/hashmap/, /rocksdb/, /forst/], 'zh-CN': [/hashmap/, /rocksdb/, /forst/] },
  '9.3': {
    en: [/tolerable-failed-checkpoints/, /more than N/],
    'zh-CN': [/tolerable-failed-checkpoints/, /超过 N/],
  },
};

describe('the article and its translation', () => {
  it('is the seed document, unchanged', () => {
    const sha = createHash('sha256')
      .update(readFileSync(path.join(ROOT, 'reading/zh-CN.md')))
      .digest('hex');
    expect(sha).toBe('2b4fa6422184cce6c6747818559f9c379505afb0f42bf105c5b63290089afe98');
    expect(read('reading/README.md')).toContain(sha);
  });

  it('has 9 chapters and 26 sections, and the translation has the same ones, in the same order', () => {
    expect(zh.map((c) => c.id)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(sectionIds(zh)).toHaveLength(26);
    expect(en.map((c) => c.id)).toEqual(zh.map((c) => c.id));
    expect(sectionIds(en)).toEqual(sectionIds(zh));
    for (const [i, c] of en.entries())
      for (const [j, s] of c.sections.entries()) {
        expect(s.heading, `§${s.id}`).not.toBe('');
        expect(s.body.length, `§${s.id} translated`).toBeGreaterThan(zh[i].sections[j].body.length / 4);
      }
  });

  it('keeps the article’s code as written (the note explains it)', () => {
    const code = (chapters: typeof zh) =>
      /```java\n[\s\S]*?```/.exec(chapters[4].sections[0].body)?.[0].replace(/\/\/.*$/gm, '');
    expect(code(en)).toBe(code(zh));
  });
});

describe('every section of the article', () => {
  const lessons = LESSONS;

  it('links to lesson steps that exist', () => {
    for (const id of sectionIds(zh)) {
      const refs = conceptMap.get(id) ?? [];
      expect(refs.length, `§${id} has no row in lessons/README.md`).toBeGreaterThan(0);
      const { links, missing } = resolveStepLinks(refs, lessons);
      expect(missing, `§${id}`).toEqual([]);
      for (const link of links) {
        const lesson = lessons.find((l) => l.definition.number === link.lesson)!;
        expect(lesson.definition.steps[link.step - 1].id).toBe(link.ref.split('/')[1]);
        expect(link.hash).toBe(`#/lesson/${link.lesson}/step/${link.step}`);
        expect(link.title.en).toBe(lesson.text.en.title);
        expect(link.title['zh-CN']).toBe(lesson.text['zh-CN'].title);
      }
    }
    expect([...conceptMap.keys()].sort()).toEqual(sectionIds(zh).sort());
  });

  it('has a note in both languages where it is simplified or out of date, saying what Flink 2.x does', () => {
    const ids = new Set(sectionIds(zh));
    expect([...notes['zh-CN'].keys()]).toEqual([...notes.en.keys()]);
    for (const id of notes.en.keys()) expect(ids.has(id), `note on §${id}, no such section`).toBe(true);
    for (const [id, want] of Object.entries(OUT_OF_DATE))
      for (const lang of ['en', 'zh-CN'] as const) {
        const note = notes[lang].get(id);
        expect(note, `${lang} note on §${id}`).toBeTruthy();
        for (const re of want[lang]) expect(note, `${lang} note on §${id}`).toMatch(re);
      }
    for (const lang of ['en', 'zh-CN'] as const)
      for (const [id, note] of notes[lang]) expect(note.length, `${lang} §${id}`).toBeGreaterThan(40);
  });
});

describe('the lessons cite the article', () => {
  const lessonFiles = readdirSync(path.join(ROOT, 'lessons'))
    .filter((d) => /^\d\d-/.test(d))
    .flatMap((d) => ['en', 'zh-CN'].map((lang) => `lessons/${d}/${lang}.md`));

  it('by its title, never as "the seed" (which is the random seed in the app)', () => {
    for (const file of [...lessonFiles, 'lessons/README.md']) {
      const text = read(file);
      expect(text, file).not.toMatch(/\bthe seed('s)?\b(?! *(?:value|number|box|field))/i);
      expect(text, file).not.toContain('种子文章');
    }
    const cites = (lang: 'en' | 'zh-CN') =>
      lessonFiles.filter(
        (f) => f.endsWith(`/${lang}.md`) && read(f).includes(ARTICLE_TITLE[lang].replace(/[《》]/g, '')),
      );
    expect(cites('en').length).toBeGreaterThanOrEqual(10);
    expect(cites('zh-CN').length).toBeGreaterThanOrEqual(10);
  });

  it('with links to sections of the Reading page that exist', () => {
    const ids = new Set(sectionIds(zh));
    let links = 0;
    for (const file of lessonFiles)
      for (const m of read(file).matchAll(/\]\((#\/reading[^)]*)\)/g)) {
        links++;
        const route = parseReadingRoute(m[1]);
        expect(route, `${file}: ${m[1]}`).not.toBeNull();
        if (route?.section) expect(ids.has(route.section), `${file}: ${m[1]}`).toBe(true);
      }
    expect(links).toBeGreaterThanOrEqual(20);
  });
});
