/**
 * One lesson from its files — lesson.ts's export and the text of each language — validated together.
 * The app (registry.ts, via Vite's import.meta.glob), the build (vite.config.ts) and the tests all go
 * through here, so a broken lesson fails the same way everywhere: with the file, the field, the problem.
 */
import { codeFileName, validateLesson, type LessonDefinition, type LessonError } from './format';
import { checkTextAgainstLesson, parseLessonText, type LessonText } from './markdown';

export const LESSON_LANGS = ['en', 'zh-CN'] as const;
export type LessonLang = (typeof LESSON_LANGS)[number];

export interface Lesson {
  /** Folder name, e.g. `01-wordcount`. */
  dir: string;
  definition: LessonDefinition;
  text: Record<LessonLang, LessonText>;
}

/** A code step's two files, as the editor shows them (`fileName`, e.g. `count.ts`). */
export interface CodeStepFiles {
  fileName: string;
  start: string;
  solution: string;
}

/** The code step's files of a lesson (null for a step that is not a code step). */
export function codeOf(lesson: Lesson, stepId: string): CodeStepFiles | null {
  const step = lesson.definition.steps.find((s) => s.id === stepId);
  const files = lesson.definition.files ?? {};
  if (!step?.code) return null;
  const start = files[step.code.start];
  const solution = files[step.code.solution];
  if (start === undefined || solution === undefined) return null;
  return { fileName: codeFileName(step.code.start), start, solution };
}

/**
 * `files`: the lesson folder's code files by path (`code/count.start.ts`), as text. A code step's
 * files must be there; that they compile is checked where the compiler is (node.ts: the build).
 */
export function assembleLesson(
  dir: string,
  exported: unknown,
  texts: Partial<Record<LessonLang, string>>,
  files: Readonly<Record<string, string>> = {},
): { lesson: Lesson | null; errors: LessonError[] } {
  const errors: LessonError[] = [];
  const base = `lessons/${dir}`;
  const m = /^(\d\d)-([a-z0-9-]+)$/.exec(dir);
  if (!m)
    errors.push({
      file: base,
      field: 'folder',
      message: 'must be named NN-slug (two digits, a dash, a lower-case slug)',
    });
  const v = validateLesson(exported, `${base}/lesson.ts`);
  if (!v.ok) errors.push(...v.errors);
  else if (m && (Number(m[1]) !== v.lesson.number || m[2] !== v.lesson.slug))
    errors.push({
      file: `${base}/lesson.ts`,
      field: 'number/slug',
      message: `must match the folder: number ${Number(m[1])}, slug '${m[2]}' (got ${v.lesson.number}, '${v.lesson.slug}')`,
    });
  if (v.ok)
    v.lesson.steps.forEach((step, i) => {
      if (!step.code) return;
      for (const which of ['start', 'solution'] as const)
        if (files[step.code[which]] === undefined)
          errors.push({
            file: `${base}/${step.code[which]}`,
            field: `steps[${i}].code.${which}`,
            message: `is missing (step '${step.id}' is a code step)`,
          });
    });
  const parsed = {} as Record<LessonLang, LessonText>;
  for (const lang of LESSON_LANGS) {
    const file = `${base}/${lang}.md`;
    const source = texts[lang];
    if (source === undefined) {
      errors.push({ file, field: '', message: 'is missing (every lesson has en.md and zh-CN.md)' });
      continue;
    }
    const { text, errors: textErrors } = parseLessonText(source, file);
    errors.push(...textErrors);
    if (v.ok) errors.push(...checkTextAgainstLesson(text, v.lesson, file));
    parsed[lang] = text;
  }
  if (errors.length || !v.ok) return { lesson: null, errors };
  return { lesson: { dir, definition: { ...v.lesson, files: { ...files } }, text: parsed }, errors };
}

/** All lessons, in order; numbers must be 1..N without gaps or repeats. */
export function assembleLessons(
  entries: Array<{
    dir: string;
    exported: unknown;
    texts: Partial<Record<LessonLang, string>>;
    files?: Readonly<Record<string, string>>;
  }>,
): { lessons: Lesson[]; errors: LessonError[] } {
  const lessons: Lesson[] = [];
  const errors: LessonError[] = [];
  for (const e of [...entries].sort((a, b) => a.dir.localeCompare(b.dir))) {
    const r = assembleLesson(e.dir, e.exported, e.texts, e.files);
    errors.push(...r.errors);
    if (r.lesson) lessons.push(r.lesson);
  }
  lessons.forEach((l, i) => {
    if (l.definition.number !== i + 1 && errors.length === 0)
      errors.push({
        file: `lessons/${l.dir}/lesson.ts`,
        field: 'number',
        message: `expected lesson ${i + 1} here (numbers run 1..N without gaps)`,
      });
  });
  return { lessons, errors };
}
