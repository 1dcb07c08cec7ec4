/**
 * The rules of a challenge step in the lesson panel (src/app/components/lessons/challenge.ts): "Show me"
 * is locked on a challenge until the learner has tried or given up (never on a normal step); the
 * explanation of a failing check is taken when an attempt ends or on "Check", kept as it was, and
 * gone once the step passes or while "Show me" plays; the lesson's own reading is looked up by key.
 */
import { describe, expect, it } from 'vitest';
import { msg, text } from '../../src/engine/messages/Message';
import { lessonNote, nextExplanation, showMeLock } from '../../src/app/components/lessons/challenge';
import type { CheckResult } from '../../src/worker/protocol';

describe('a challenge step', () => {
  it('locks "Show me" until a try or "Give up"; a normal step never', () => {
    const challenge = { challenge: true };
    expect(showMeLock(challenge, false, false)).toBe('try-first');
    expect(showMeLock(challenge, true, false)).toBeNull();
    expect(showMeLock(challenge, false, true)).toBeNull();
    expect(showMeLock({}, false, false)).toBeNull();
    expect(showMeLock({ challenge: false }, false, false)).toBeNull();
    expect(showMeLock(null, false, false)).toBeNull();
  });

  it('explains when an attempt has just ended, keeps that explanation, and drops it once passed', () => {
    const first: CheckResult = { ok: false, why: msg('check.not-finished') };
    const later: CheckResult = { ok: false, why: msg('check.no-job') };
    // Nothing ended yet: nothing shown.
    expect(nextExplanation(null, { passed: false, now: first, attemptsEnded: 0 }, 0, false)).toBeNull();
    // The job finished (1 attempt ended): the verdict of that moment.
    const shown = nextExplanation(null, { passed: false, now: first, attemptsEnded: 1 }, 0, false);
    expect(shown).toBe(first);
    // Frames later the live verdict changes: what was shown stays until another attempt ends.
    expect(nextExplanation(shown, { passed: false, now: later, attemptsEnded: 1 }, 1, false)).toBe(first);
    expect(nextExplanation(shown, { passed: false, now: later, attemptsEnded: 2 }, 1, false)).toBe(later);
    // "Show me" is playing: its own restores do not explain anything.
    expect(nextExplanation(null, { passed: false, now: later, attemptsEnded: 3 }, 2, true)).toBeNull();
    // Passed: gone.
    expect(
      nextExplanation(shown, { passed: true, now: { ok: true, why: text('') }, attemptsEnded: 3 }, 2, false),
    ).toBeNull();
  });

  it("finds the lesson's reading of the unmet part by its key", () => {
    const whyNot = { 'counted-twice': 'a record was counted twice after the restore' };
    const r: CheckResult = { ok: false, why: msg('check.not-finished'), note: 'counted-twice' };
    expect(lessonNote(r, whyNot)).toBe('a record was counted twice after the restore');
    expect(lessonNote({ ok: false, why: msg('check.not-finished') }, whyNot)).toBeNull();
    expect(lessonNote({ ...r, note: 'other' }, whyNot)).toBeNull();
    expect(lessonNote(null, whyNot)).toBeNull();
  });
});
