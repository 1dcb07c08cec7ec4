/**
 * The learner's progress as data: a record per lesson (kept in IndexedDB by the worker), the JSON file
 * it is exported to and imported from, and how an imported file merges with what is there.
 */
import type { Lesson } from '../../../lessons/assemble';
import type { LessonProgress } from '../../../worker/protocol';

export const PROGRESS_FORMAT = 'stream-state-lab/lesson-progress';
export const PROGRESS_FORMAT_VERSION = 1;

/** What is wrong with one record of an imported file (path: problem), none if it is fine. */
function recordErrors(r: unknown, path: string): string[] {
  if (typeof r !== 'object' || r === null || Array.isArray(r)) return [`${path}: expected an object`];
  const o = r as Record<string, unknown>;
  const errors: string[] = [];
  const str = (v: unknown) => typeof v === 'string' && v.length <= 100;
  if (!str(o.id) || (o.id as string).length === 0)
    errors.push(`${path}.id: expected a string of 1 to 100 characters`);
  if (!Array.isArray(o.stepsDone) || o.stepsDone.length > 200 || !o.stepsDone.every(str))
    errors.push(`${path}.stepsDone: expected at most 200 step ids`);
  if (typeof o.completed !== 'boolean') errors.push(`${path}.completed: expected true or false`);
  if (!Number.isInteger(o.lastStep) || (o.lastStep as number) < 1 || (o.lastStep as number) > 999)
    errors.push(`${path}.lastStep: expected a whole number from 1 to 999`);
  if (typeof o.updatedAt !== 'number' || !Number.isFinite(o.updatedAt) || o.updatedAt < 0)
    errors.push(`${path}.updatedAt: expected a time in ms ≥ 0`);
  return errors;
}

export interface ProgressFile {
  format: typeof PROGRESS_FORMAT;
  version: typeof PROGRESS_FORMAT_VERSION;
  exportedAt: string;
  lessons: LessonProgress[];
}

export function emptyProgress(id: string): LessonProgress {
  return { id, stepsDone: [], completed: false, lastStep: 1, updatedAt: 0 };
}

export function progressFile(records: LessonProgress[], now = new Date()): ProgressFile {
  return {
    format: PROGRESS_FORMAT,
    version: PROGRESS_FORMAT_VERSION,
    exportedAt: now.toISOString(),
    lessons: [...records].sort((a, b) => a.id.localeCompare(b.id)),
  };
}

/** Parses an exported file: the records, or what is wrong with it (path: problem). */
export function parseProgressFile(
  text: string,
): { ok: true; lessons: LessonProgress[] } | { ok: false; errors: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [(e as Error).message] };
  }
  // Checked by hand, not with a schema library: this module is in the app's first bundle.
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return { ok: false, errors: ['(file): expected a JSON object'] };
  const f = json as Record<string, unknown>;
  const errors: string[] = [];
  if (f.format !== PROGRESS_FORMAT) errors.push(`format: expected "${PROGRESS_FORMAT}"`);
  if (f.version !== PROGRESS_FORMAT_VERSION) errors.push(`version: expected ${PROGRESS_FORMAT_VERSION}`);
  if (f.exportedAt !== undefined && typeof f.exportedAt !== 'string')
    errors.push('exportedAt: expected a string');
  if (!Array.isArray(f.lessons) || f.lessons.length > 500)
    errors.push('lessons: expected a list of at most 500 records');
  else f.lessons.forEach((r, i) => errors.push(...recordErrors(r, `lessons.${i}`)));
  if (errors.length) return { ok: false, errors };
  const lessons = (f.lessons as LessonProgress[]).map((r) => ({
    id: r.id,
    stepsDone: [...r.stepsDone],
    completed: r.completed,
    lastStep: r.lastStep,
    updatedAt: r.updatedAt,
  }));
  return { ok: true, lessons };
}

/** An imported record merged into the stored one: steps done are united, completion is kept. */
export function mergeProgress(stored: LessonProgress | undefined, imported: LessonProgress): LessonProgress {
  if (!stored) return { ...imported, stepsDone: [...new Set(imported.stepsDone)] };
  const newer = imported.updatedAt > stored.updatedAt ? imported : stored;
  return {
    id: stored.id,
    stepsDone: [...new Set([...stored.stepsDone, ...imported.stepsDone])],
    completed: stored.completed || imported.completed,
    lastStep: newer.lastStep,
    updatedAt: Math.max(stored.updatedAt, imported.updatedAt),
  };
}

/** Steps of this lesson done (ids no longer in the lesson do not count). */
export function stepsDone(lesson: Lesson, p: LessonProgress | undefined): number {
  if (!p) return 0;
  return lesson.definition.steps.filter((s) => p.stepsDone.includes(s.id)).length;
}

/** Where "continue" goes: the step the learner was on, or the first step not done (1-based). */
export function resumeStep(lesson: Lesson, p: LessonProgress | undefined): number {
  const n = lesson.definition.steps.length;
  if (!p) return 1;
  if (p.completed) return 1;
  const firstOpen = lesson.definition.steps.findIndex((s) => !p.stepsDone.includes(s.id));
  return Math.min(n, Math.max(1, firstOpen >= 0 ? firstOpen + 1 : p.lastStep));
}
