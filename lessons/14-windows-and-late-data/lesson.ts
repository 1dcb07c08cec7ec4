import { defineLesson, type Check } from '../../src/lessons/format';

/**
 * Lesson 14: windows, event time and late data, on the article's "counting a website's visits"
 * (§6.1): visits per page in 10 s tumbling event-time windows and visitor sessions (job.ts). The
 * numbers below are the job's log's (test/lessons/windows-lesson.test.ts recomputes them from it):
 * /shop has 60 on-time visits in [0 s, 10 s); LATE_VISIT makes it 61; TOO_LATE_VISIT (9 s) goes to the
 * side output; Zoe's three visits end as one session [21 s, 27.6 s).
 */

/** /shop's window [0 s, 10 s): its state namespace, as the timers and the state name it. */
const FIRST_WINDOW = { start: 0, end: 10_000 };
const FIRST_WINDOW_NS = 'TimeWindow{start=0, end=10000}';
const shopWindow = (equals: number | null): Check => ({
  kind: 'state',
  operator: 'count',
  state: 'window-contents',
  key: '/shop',
  window: FIRST_WINDOW,
  equals,
});
/** A timer of /shop's first window fired on the count operator: 9,999 the trigger's, 14,999 the cleanup. */
const shopTimer = (timestamp: number): Check => ({
  kind: 'event',
  type: 'timer-fired',
  where: { key: '/shop', timestamp, namespace: FIRST_WINDOW_NS },
});
const onCount = (type: 'task-failed' | 'task-restored'): Check => ({
  kind: 'any',
  of: [0, 1].map((i): Check => ({ kind: 'event', type, where: { task: `count#${i}` } })),
});

const lateVisitInSideOutput: Check = {
  kind: 'output',
  sink: 'late',
  contains: [{ user: 'chen', page: '/shop', time: 9_000 }],
};
const zoeSession: Check = {
  kind: 'output',
  sink: 'session-sink',
  contains: [{ user: 'zoe', start: 21_000, end: 27_600, visits: 3 }],
};
const restoredExactlyOnce: Check = {
  kind: 'all',
  of: [
    onCount('task-failed'),
    onCount('task-restored'),
    { kind: 'finished' },
    { kind: 'sink', verdict: ['exactly-once'] },
  ],
};

export default defineLesson({
  number: 14,
  slug: 'windows-and-late-data',
  scenario: 'lesson-windows-and-late-data',
  seed: 1,
  steps: [
    {
      id: 'window-state',
      check: shopWindow(10),
      solution: [{ do: 'play', until: shopWindow(10) }],
    },
    {
      id: 'predict-fire',
      prediction: { choices: 3, answer: 2 },
      check: { kind: 'all', of: [{ kind: 'answered' }, shopTimer(9_999)] },
      solution: [
        { do: 'answer', choice: 2 },
        { do: 'play', until: shopTimer(9_999) },
      ],
    },
    {
      id: 'allowed-lateness',
      prediction: { choices: 3, answer: 2 },
      check: { kind: 'all', of: [{ kind: 'answered' }, shopWindow(61)] },
      solution: [
        { do: 'answer', choice: 2 },
        { do: 'play', until: shopWindow(61) },
      ],
    },
    {
      id: 'cleanup',
      prediction: { choices: 3, answer: 1 },
      check: { kind: 'all', of: [{ kind: 'answered' }, shopTimer(14_999), shopWindow(null)] },
      solution: [
        { do: 'answer', choice: 1 },
        { do: 'play', until: { kind: 'all', of: [shopTimer(14_999), shopWindow(null)] } },
      ],
    },
    {
      id: 'side-output',
      prediction: { choices: 3, answer: 1 },
      check: { kind: 'all', of: [{ kind: 'answered' }, lateVisitInSideOutput] },
      solution: [
        { do: 'answer', choice: 1 },
        { do: 'play', until: lateVisitInSideOutput },
      ],
    },
    {
      id: 'session-merge',
      prediction: { choices: 3, answer: 1 },
      check: { kind: 'all', of: [{ kind: 'answered' }, zoeSession] },
      solution: [
        { do: 'answer', choice: 1 },
        { do: 'play', until: zoeSession },
      ],
    },
    {
      id: 'fail-with-open-windows',
      challenge: true,
      check: restoredExactlyOnce,
      solution: [
        { do: 'fail', task: 'count#0' },
        { do: 'play', until: restoredExactlyOnce },
      ],
    },
  ],
});
