/**
 * The learner's progress as data: a record per lesson (kept in IndexedDB by the worker), the JSON file
 * it is exported to and imported from, and how an imported file merges with what is there.
 */
import { z } from 'zod';
import type { Lesson } from '../../../lessons/assemble';
import type { LessonProgress } from '../../../worker/protocol';

export const PROGRESS_FORMAT = 'stream-state-lab/lesson-progress';
export const PROGRESS_FORMAT_VERSION = 1;

const RecordSchema = z.object({
  id: z.string().min(1).max(100),
  stepsDone: z.array(z.string().max(100)).max(200),
  completed: z.boolean(),
  lastStep: z.number().int().min(1).max(999),
  updatedAt: z.number().finite().min(0),
});

const FileSchema = z.object({
  format: z.literal(PROGRESS_FORMAT),
  version: z.literal(PROGRESS_FORMAT_VERSION),
  exportedAt: z.string().optional(),
  lessons: z.array(RecordSchema).max(500),
});

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
  const r = FileSchema.safeParse(json);
  if (!r.success)
    return {
      ok: false,
      errors: r.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`),
    };
  return { ok: true, lessons: r.data.lessons };
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
