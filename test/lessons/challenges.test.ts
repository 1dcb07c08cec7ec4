/**
 * Every lesson has at least one challenge step (issue 14 §4): goal only, hints, in both languages.
 * Lessons 7–12's are also played through wrong tries in challenges-7-12.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { LESSONS } from '../../src/lessons/registry';

describe('challenge steps', () => {
  for (const lesson of LESSONS)
    it(`lesson ${lesson.definition.number} (${lesson.dir}) has one, with a goal and hints in both languages`, () => {
      const challenges = lesson.definition.steps.filter((s) => s.challenge);
      expect(challenges.length).toBeGreaterThan(0);
      for (const step of challenges)
        for (const lang of ['en', 'zh-CN'] as const) {
          const text = lesson.text[lang].steps.find((s) => s.id === step.id);
          expect(text?.goal, `${step.id} ${lang}`).toBe(true);
          expect(text?.instruction.length, `${step.id} ${lang}`).toBeGreaterThan(20);
          expect(text?.hints.length, `${step.id} ${lang}`).toBeGreaterThanOrEqual(2);
        }
    });
});
