/**
 * Every lesson has at least one challenge step (issue 14 §4): goal only, hints, in both languages.
 * Lessons 1–6 are this branch's (wip/challenges); 7–12 get theirs on wip/challenges2 — once both are
 * merged, LESSONS_WITH_CHALLENGES covers every lesson.
 */
import { describe, expect, it } from 'vitest';
import { LESSONS } from '../../src/lessons/registry';

const LESSONS_WITH_CHALLENGES = (n: number) => n <= 6;

describe('challenge steps', () => {
  for (const lesson of LESSONS.filter((l) => LESSONS_WITH_CHALLENGES(l.definition.number)))
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
