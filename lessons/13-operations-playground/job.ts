/**
 * Lesson 13's job: the `clickcount` scenario (Flink's Operations Playground job, ClickEventCount) with a
 * shorter log — 8 windows per page (2 minutes of event time, 48,000 clicks) instead of 16, so that the
 * lesson's four runs to the end stay short in the app; every outcome of the Playground holds as with
 * the full log (test/cli/clickcount.test.ts). It takes the Playground's job arguments, as clickcount.
 */
import type { Scenario } from '../../src/engine/index';
import { buildClickCount } from '../../src/engine/scenarios/clickcount';

/** Windows per page in this lesson's log. */
export const LESSON_WINDOWS = 8;

export const scenario: Scenario = {
  name: 'lesson-operations-playground',
  description:
    "Flink's Operations Playground job (clickcount) with 8 windows per page: clicks per page in 15 s event-time windows, 1000 each.",
  playgroundArguments: true,
  build: (options = {}) => buildClickCount({ ...options, windows: LESSON_WINDOWS }),
};
