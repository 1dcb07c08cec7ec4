/**
 * The lessons as the app sees them: every `lessons/NN-slug/` folder, gathered by Vite at build time
 * (import.meta.glob) and validated (assemble.ts). The build itself fails on a broken lesson
 * (vite.config.ts); here a broken one is reported, and the others still work.
 */
import { assembleLessons, type LessonLang } from './assemble';

const definitions = import.meta.glob('../../lessons/*/lesson.ts', { eager: true, import: 'default' });
const texts = import.meta.glob('../../lessons/*/*.md', { eager: true, query: '?raw', import: 'default' });
const sql = import.meta.glob('../../lessons/*/*.sql', { eager: true, query: '?raw', import: 'default' });

function dirOf(path: string): string {
  return path.split('/').at(-2) ?? path;
}

const entries = Object.entries(definitions).map(([path, exported]) => {
  const dir = dirOf(path);
  const t: Partial<Record<LessonLang, string>> = {};
  for (const [p, source] of Object.entries(texts))
    if (dirOf(p) === dir) {
      const lang = p.split('/').at(-1)?.replace(/\.md$/, '');
      if (lang === 'en' || lang === 'zh-CN') t[lang] = source as string;
    }
  const sqlFiles: Record<string, string> = {};
  for (const [p, source] of Object.entries(sql))
    if (dirOf(p) === dir) sqlFiles[p.split('/').at(-1) ?? p] = source as string;
  return { dir, exported, texts: t, sqlFiles };
});

export const { lessons: LESSONS, errors: LESSON_ERRORS } = assembleLessons(entries);
