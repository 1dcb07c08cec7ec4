/**
 * Lessons read from disk in Node (the build's validation in vite.config.ts; `npx tsx` scripts):
 * lesson.ts is imported through tsx, the Markdown read as text, and all of it assembled and validated
 * exactly as the app does.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { assembleLessons, LESSON_LANGS, type LessonLang } from './assemble';
import { formatLessonError, type LessonError } from './format';

export { formatLessonError };

export async function lessonErrorsOnDisk(root: string): Promise<LessonError[]> {
  const dir = path.join(root, 'lessons');
  const entries = [];
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    if (!name.isDirectory()) continue;
    const folder = path.join(dir, name.name);
    const lessonFile = path.join(folder, 'lesson.ts');
    let exported: unknown = undefined;
    if (existsSync(lessonFile)) {
      try {
        const mod = (await tsImport(pathToFileURL(lessonFile).href, import.meta.url)) as {
          default?: unknown;
        };
        exported = mod.default;
      } catch (e) {
        return [
          {
            file: `lessons/${name.name}/lesson.ts`,
            field: '',
            message: `does not load: ${(e as Error).message}`,
          },
        ];
      }
    }
    const texts: Partial<Record<LessonLang, string>> = {};
    for (const lang of LESSON_LANGS) {
      const f = path.join(folder, `${lang}.md`);
      if (existsSync(f)) texts[lang] = readFileSync(f, 'utf8');
    }
    const sqlFiles: Record<string, string> = {};
    for (const f of readdirSync(folder))
      if (f.endsWith('.sql')) sqlFiles[f] = readFileSync(path.join(folder, f), 'utf8');
    entries.push({ dir: name.name, exported, texts, sqlFiles });
  }
  return assembleLessons(entries).errors;
}
