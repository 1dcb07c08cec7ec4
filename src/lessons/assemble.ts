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

/** Every `sql` a lesson names (its options, a step's configure or restore), with the field naming it. */
function sqlReferences(lesson: LessonDefinition): Array<{ field: string; name: string }> {
  const out: Array<{ field: string; name: string }> = [];
  if (lesson.options?.sql) out.push({ field: 'options.sql', name: lesson.options.sql });
  lesson.steps.forEach((s, i) =>
    s.solution.forEach((a, j) => {
      if ((a.do === 'configure' || a.do === 'restore') && a.options?.sql)
        out.push({ field: `steps[${i}].solution[${j}].options.sql`, name: a.options.sql });
    }),
  );
  return out;
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
  /** The folder's `*.sql` files: name -> text. */
  sqlFiles: Record<string, string> = {},
  /** The folder's code files (`code/count.start.ts` -> text): a code step's. */
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
    for (const r of sqlReferences(v.lesson))
      if (sqlFiles[r.name] === undefined)
        errors.push({
          file: `${base}/lesson.ts`,
          field: r.field,
          message: `names '${r.name}', which is not a file of ${base}/`,
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
  const withSql = Object.keys(sqlFiles).length > 0 ? { ...v.lesson, sqlFiles } : v.lesson;
  const definition = { ...withSql, files: { ...files } };
  return { lesson: { dir, definition, text: parsed }, errors };
}

/** All lessons, in order; numbers increase with the folders (1, 2, …), without repeats. */
export function assembleLessons(
  entries: Array<{
    dir: string;
    exported: unknown;
    texts: Partial<Record<LessonLang, string>>;
    sqlFiles?: Record<string, string>;
    files?: Readonly<Record<string, string>>;
  }>,
): { lessons: Lesson[]; errors: LessonError[] } {
  const lessons: Lesson[] = [];
  const errors: LessonError[] = [];
  for (const e of [...entries].sort((a, b) => a.dir.localeCompare(b.dir))) {
    const r = assembleLesson(e.dir, e.exported, e.texts, e.sqlFiles, e.files);
    errors.push(...r.errors);
    if (r.lesson) lessons.push(r.lesson);
  }
  // Numbers increase with the folders, without repeats. A gap is allowed: lessons are written on
  // separate branches (15 may land before 13), and the app finds a lesson by its number.
  lessons.forEach((l, i) => {
    const before = i === 0 ? 0 : lessons[i - 1].definition.number;
    if (l.definition.number <= before && errors.length === 0)
      errors.push({
        file: `lessons/${l.dir}/lesson.ts`,
        field: 'number',
        message: `expected a number above ${before} here (numbers increase with the folders, no repeats)`,
      });
  });
  return { lessons, errors };
}
