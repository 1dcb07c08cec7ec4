/**
 * A challenge step (`challenge: true`) behaves like a level of Learn Git Branching: it states only the
 * goal, hints come one at a time on request, and "Show me" stays locked until the learner has tried —
 * changed the simulation, as the worker reports (`LessonVerdict.tried`) — or pressed "Give up". The
 * check is the grader; when an attempt ends without passing, or on "Check", the panel says why.
 * These are the rules as pure functions (the runner holds the state, the panel renders it).
 */
import type { CheckResult } from '../../../worker/protocol';

/** Why "Show me" is locked on this step, or null when it is not (a normal step never is). */
export function showMeLock(
  step: { challenge?: boolean } | null,
  tried: boolean,
  gaveUp: boolean,
): 'try-first' | null {
  return step?.challenge && !tried && !gaveUp ? 'try-first' : null;
}

/**
 * The explanation the panel shows, updated on a verdict: taken when an attempt has just ended
 * (`attemptsEnded` grew) or the learner pressed "Check", kept as it was then (it does not flicker
 * with every frame), and gone once the step passed or while "Show me" plays.
 */
export function nextExplanation(
  shown: CheckResult | null,
  verdict: { passed: boolean; now: CheckResult; attemptsEnded: number },
  seen: number,
  showing: boolean,
): CheckResult | null {
  if (verdict.passed) return null;
  if (verdict.attemptsEnded > seen && !showing) return verdict.now;
  return shown;
}

/** The lesson's own reading of the unmet part (`### Why not`), if the check's result names one. */
export function lessonNote(result: CheckResult | null, whyNot: Record<string, string>): string | null {
  return result?.note !== undefined ? (whyNot[result.note] ?? null) : null;
}
