/**
 * The article the lab was built from (`reading/`), as the Reading page shows it: its sections, the
 * lesson steps that teach each one (the concept map of lessons/README.md, the single source of those
 * links) and the notes on what Flink 2.x does where the article is simplified or out of date.
 *
 * Pure functions over the Markdown texts, so that the unit tests read the same files the page does.
 */
import type { Lang } from '../../i18n/i18n.svelte';

/** The article has no title of its own; the lab (and every lesson that cites it) calls it this. */
export const ARTICLE_TITLE: Record<Lang, string> = {
  en: 'Flink State Management and Checkpointing',
  'zh-CN': '《Flink 状态管理与检查点机制》',
};

export interface ArticleSection {
  /** `3.2` for a `### 3.2 …` heading. */
  id: string;
  heading: string;
  /** The Markdown between this heading and the next. */
  body: string;
}

export interface ArticleChapter {
  /** `3` for a `## 3. …` heading. */
  id: string;
  heading: string;
  /** Markdown before the chapter's first section (usually empty). */
  intro: string;
  sections: ArticleSection[];
}

/** Splits the article at its `## N.` and `### N.M` headings (never inside a code fence). */
export function parseArticle(source: string): ArticleChapter[] {
  const chapters: ArticleChapter[] = [];
  let section: ArticleSection | null = null;
  let inFence = false;
  for (const line of source.replace(/\r\n?/g, '\n').split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const chapter = inFence ? null : /^## (\d+)\.\s*(.*)$/.exec(line);
    const sub = inFence ? null : /^### (\d+\.\d+)\s*(.*)$/.exec(line);
    if (chapter) {
      chapters.push({ id: chapter[1], heading: chapter[2].trim(), intro: '', sections: [] });
      section = null;
    } else if (sub && chapters.length) {
      section = { id: sub[1], heading: sub[2].trim(), body: '' };
      chapters[chapters.length - 1].sections.push(section);
    } else if (section) section.body += `${line}\n`;
    else if (chapters.length) chapters[chapters.length - 1].intro += `${line}\n`;
  }
  for (const c of chapters) {
    c.intro = c.intro.trim();
    for (const s of c.sections) s.body = s.body.trim();
  }
  return chapters;
}

export function sectionIds(chapters: ArticleChapter[]): string[] {
  return chapters.flatMap((c) => c.sections.map((s) => s.id));
}

/** `## N.M` → the note's Markdown. */
export function parseNotes(source: string): Map<string, string> {
  const notes = new Map<string, string>();
  let id: string | null = null;
  let body: string[] = [];
  const flush = () => {
    if (id !== null) notes.set(id, body.join('\n').trim());
  };
  for (const line of source.replace(/\r\n?/g, '\n').split('\n')) {
    const m = /^## (\d+\.\d+)\s*$/.exec(line);
    if (m) {
      flush();
      id = m[1];
      body = [];
    } else if (id !== null) body.push(line);
  }
  flush();
  return notes;
}

/**
 * The concept map of lessons/README.md: every `| §N.M | heading | dir/step, dir/step |` row, as
 * section → `lesson-dir/step-id` references, in the table's order.
 */
export function parseConceptMap(readme: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const line of readme.split('\n')) {
    const m = /^\|\s*§(\d+\.\d+)\s*\|[^|]*\|\s*(.+?)\s*\|$/.exec(line);
    if (m)
      map.set(
        m[1],
        m[2]
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      );
  }
  return map;
}

/** What a link needs to know about the lessons (the registry's Lesson, narrowed). */
export interface LessonRef {
  dir: string;
  definition: { number: number; steps: ReadonlyArray<{ id: string }> };
  text: Record<Lang, { title: string }>;
}

export interface StepLink {
  /** The concept map's reference, `05-why-snapshots-are-hard/stop-the-world`. */
  ref: string;
  lesson: number;
  /** 1-based, as in the lesson route. */
  step: number;
  stepCount: number;
  title: Record<Lang, string>;
  /** `#/lesson/5/step/1` */
  hash: string;
}

/** Resolves `dir/step` references against the lessons; an unknown one is returned in `missing`. */
export function resolveStepLinks(
  refs: readonly string[],
  lessons: readonly LessonRef[],
): { links: StepLink[]; missing: string[] } {
  const links: StepLink[] = [];
  const missing: string[] = [];
  for (const ref of refs) {
    const [dir, stepId] = ref.split('/');
    const lesson = lessons.find((l) => l.dir === dir);
    const index = lesson?.definition.steps.findIndex((s) => s.id === stepId) ?? -1;
    if (!lesson || index < 0) {
      missing.push(ref);
      continue;
    }
    const n = lesson.definition.number;
    links.push({
      ref,
      lesson: n,
      step: index + 1,
      stepCount: lesson.definition.steps.length,
      title: { en: lesson.text.en.title, 'zh-CN': lesson.text['zh-CN'].title },
      hash: `#/lesson/${n}/step/${index + 1}`,
    });
  }
  return { links, missing };
}
