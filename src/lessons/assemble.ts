/**
 * One lesson from its files — lesson.ts's export and the text of each language — validated together.
 * The app (registry.ts, via Vite's import.meta.glob), the build (vite.config.ts) and the tests all go
 * through here, so a broken lesson fails the same way everywhere: with the file, the field, the problem.
 */
import { validateLesson, type LessonDefinition, type LessonError } from './format';
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

export function assembleLesson(
  dir: string,
  exported: unknown,
  texts: Partial<Record<LessonLang, string>>,
  /** The folder's `*.sql` files: name -> text. */
  sqlFiles: Record<string, string> = {},
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
  const definition = Object.keys(sqlFiles).length > 0 ? { ...v.lesson, sqlFiles } : v.lesson;
  return { lesson: { dir, definition, text: parsed }, errors };
}

/** All lessons, in order; numbers increase with the folders (1, 2, …), without repeats. */
export function assembleLessons(
  entries: Array<{
    dir: string;
    exported: unknown;
    texts: Partial<Record<LessonLang, string>>;
    sqlFiles?: Record<string, string>;
  }>,
): { lessons: Lesson[]; errors: LessonError[] } {
  const lessons: Lesson[] = [];
  const errors: LessonError[] = [];
  for (const e of [...entries].sort((a, b) => a.dir.localeCompare(b.dir))) {
    const r = assembleLesson(e.dir, e.exported, e.texts, e.sqlFiles);
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
