import { defineLesson, type Check } from '../../src/lessons/format';

/**
 * Lesson 11: the seed's applications (§1.3, §6.1) that need time — three failed logins within a
 * minute (ValueState + event-time timer) and 30-minute user sessions (MapState + ValueState + timer),
 * side by side in one job (job.ts). Timers are part of keyed state: a failure restores them with the
 * checkpoint, and they fire once the watermark passes them again. The two pipelines are separate
 * pipelined regions: failing one leaves the other running.
 */

/** An event of this type on any subtask of an operator with parallelism 2. */
function onOperator(type: 'timer-fired' | 'sink-written', uid: string): Check {
  return {
    kind: 'any',
    of: [0, 1].map((i): Check => ({ kind: 'event', type, where: { task: `${uid}#${i}` } })),
  };
}

const restoredWithTimers: Check = {
  kind: 'all',
  of: [
    { kind: 'event', type: 'task-restored', where: { task: 'sessionize#0' } },
    { kind: 'event', type: 'timer-fired', where: { task: 'sessionize#0' } },
  ],
};

/** A restore of any subtask of an operator with parallelism 2, in the current run. */
function restoredInThisRun(uid: string): Check {
  return {
    kind: 'any',
    of: [0, 1].map((i): Check => ({
      kind: 'event',
      type: 'task-restored',
      where: { task: `${uid}#${i}` },
      sinceStart: true,
    })),
  };
}

export default defineLesson({
  number: 11,
  slug: 'applications-with-timers',
  scenario: 'lesson-applications-with-timers',
  seed: 1,
  steps: [
    {
      id: 'streak-timer',
      check: onOperator('timer-fired', 'detect'),
      solution: [{ do: 'play', until: onOperator('timer-fired', 'detect') }],
    },
    {
      id: 'predict-alert',
      prediction: { choices: 3, answer: 1 },
      check: { kind: 'all', of: [{ kind: 'answered' }, onOperator('sink-written', 'alerts')] },
      solution: [
        { do: 'answer', choice: 1 },
        { do: 'play', until: onOperator('sink-written', 'alerts') },
      ],
    },
    {
      id: 'session-timer',
      check: onOperator('timer-fired', 'sessionize'),
      solution: [{ do: 'play', until: onOperator('timer-fired', 'sessionize') }],
    },
    {
      id: 'fail-sessions',
      prediction: { choices: 3, answer: 1 },
      check: {
        kind: 'all',
        of: [
          { kind: 'answered' },
          { kind: 'checkpoint', status: 'COMPLETED' },
          { kind: 'event', type: 'task-failed', where: { task: 'sessionize#0' } },
          restoredWithTimers,
          { kind: 'not', check: { kind: 'event', type: 'task-restored', where: { task: 'detect#0' } } },
        ],
      },
      solution: [
        { do: 'answer', choice: 1 },
        { do: 'play', until: { kind: 'checkpoint', status: 'COMPLETED' } },
        { do: 'fail', task: 'sessionize#0' },
        { do: 'play', until: restoredWithTimers },
      ],
    },
    {
      // The challenge: the mirror of fail-sessions. The login pipeline goes back to the checkpoint
      // (its streaks and their timers with it) while sessionize is never restored: a failure inside
      // the logins region (logins, detect, alerts), not a TaskManager (its slots hold both regions).
      id: 'one-region',
      challenge: true,
      check: {
        kind: 'all',
        of: [
          { kind: 'not', check: restoredInThisRun('sessionize') },
          { kind: 'checkpoint', status: 'COMPLETED' },
          restoredInThisRun('detect'),
        ],
      },
      // A new run first: after a wrong try (a sessionize subtask restored) only a new run can pass.
      solution: [
        { do: 'configure', options: {} },
        { do: 'play', until: { kind: 'checkpoint', status: 'COMPLETED' } },
        { do: 'fail', task: 'detect#1' },
        {
          do: 'play',
          until: { kind: 'event', type: 'task-restored', where: { task: 'detect#1' }, sinceStart: true },
        },
      ],
    },
    {
      id: 'finish',
      check: {
        kind: 'all',
        of: [
          { kind: 'finished' },
          { kind: 'sink', verdict: ['exactly-once'] },
          { kind: 'state-size', operator: 'sessionize', state: 'bounds', atMost: 0 },
        ],
      },
      solution: [{ do: 'play', until: { kind: 'finished' } }],
    },
    {
      // A code step: the learner bounds the streak to a minute with an event-time timer. 46 alerts
      // are planted in the log (src/engine/scenarios/anomalies.ts); without the minute there are 151,
      // and the streaks of users who gave up stay in state.
      id: 'write-timer',
      code: { start: 'code/logins.start.ts', solution: 'code/logins.solution.ts' },
      check: {
        kind: 'all',
        of: [
          { kind: 'finished' },
          { kind: 'output', sink: 'alerts', rows: 46 },
          { kind: 'state-size', operator: 'detect', state: 'streak', atMost: 0 },
        ],
      },
      solution: [
        { do: 'run-code', file: 'code/logins.solution.ts' },
        { do: 'play', until: { kind: 'finished' } },
      ],
    },
  ],
});
