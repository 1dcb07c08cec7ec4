/**
 * Lesson 6's job: lesson 5's visits from a busy source (behind a slow lookup) and a quiet one, under
 * this lesson's name. Barrier 1 from the quiet source reaches the counting subtasks long before the
 * one from the busy side: alignment holds the quiet channels for about 130 ms.
 */
import type { Scenario } from '../../src/engine/index';
import { buildTwoSpeedVisits } from '../05-why-snapshots-are-hard/job';

export const scenario: Scenario = {
  name: 'lesson-barriers-and-alignment',
  description:
    'Visits per user from a busy source behind a slow lookup and a quiet source: barrier alignment made visible.',
  build: (options) => buildTwoSpeedVisits(options),
};
