/**
 * Lesson 7's job: lessons 5 and 6's visits from a busy source (behind a slow lookup) and a quiet one,
 * with logs long enough for a run of about 12 s. The two speeds make the lesson's points whatever the
 * exact pacing: barrier n from the quiet source reaches each count subtask long before the one from
 * the busy side, which waits behind the queued records (backpressure). At-least-once counts the quiet
 * channel's visits that arrive in between before its snapshot — replayed after a restore, counted
 * twice — and aligned barriers wait in line where unaligned ones overtake.
 */
import type { Scenario } from '../../src/engine/index';
import { buildTwoSpeedVisits } from '../05-why-snapshots-are-hard/job';

export const LESSON_7_SIZES = { web: 6000, app: 2400 };

export const scenario: Scenario = {
  name: 'lesson-at-least-once-and-unaligned',
  description:
    'Visits per user from a busy source behind a slow lookup and a quiet source, about 12 s: duplicates in at-least-once, barriers behind backpressure.',
  build: (options) => buildTwoSpeedVisits(options, LESSON_7_SIZES),
};
