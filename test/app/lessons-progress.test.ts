import { describe, expect, it } from 'vitest';
import {
  mergeProgress,
  parseProgressFile,
  progressFile,
  PROGRESS_FORMAT,
} from '../../src/app/components/lessons/progress';

const record = { id: 'wordcount', stepsDone: ['a'], completed: false, lastStep: 2, updatedAt: 5 };

describe('lesson progress files', () => {
  it('round-trips an export', () => {
    const file = progressFile([record], new Date(0));
    expect(parseProgressFile(JSON.stringify(file))).toEqual({ ok: true, lessons: [record] });
  });

  it('says what is wrong, field by field', () => {
    expect(parseProgressFile('{')).toMatchObject({ ok: false });
    expect(parseProgressFile('[]')).toEqual({ ok: false, errors: ['(file): expected a JSON object'] });
    const bad = {
      format: PROGRESS_FORMAT,
      version: 1,
      lessons: [{ ...record, lastStep: 0, completed: 'yes' }],
    };
    expect(parseProgressFile(JSON.stringify(bad))).toEqual({
      ok: false,
      errors: [
        'lessons.0.completed: expected true or false',
        'lessons.0.lastStep: expected a whole number from 1 to 999',
      ],
    });
    expect(parseProgressFile(JSON.stringify({ ...bad, format: 'x', lessons: [] }))).toEqual({
      ok: false,
      errors: [`format: expected "${PROGRESS_FORMAT}"`],
    });
  });

  it('merges an import: steps united, completion kept', () => {
    const merged = mergeProgress(
      { ...record, completed: true },
      { ...record, stepsDone: ['b'], updatedAt: 9, lastStep: 3 },
    );
    expect(merged).toEqual({
      id: 'wordcount',
      stepsDone: ['a', 'b'],
      completed: true,
      lastStep: 3,
      updatedAt: 9,
    });
  });
});
