import { defineLesson, type Check } from '../../src/lessons/format';

/**
 * Lesson 15: what a Flink SQL query keeps in state. Each step runs a query of this folder (`*.sql`,
 * run by the worker's TableEnvironment): a GROUP BY count and its changelog (the retractions), the same
 * count per tumbling window (insert-only, one accumulator per open window), a regular join whose state
 * grows with its input, then `table.exec.state.ttl` (a challenge), a failure and restore of the SQL
 * job, and the script exported for Flink's SQL Client.
 */

const finishedNow: Check = { kind: 'event', type: 'job-status', where: { status: 'FINISHED' } };

/** Every page's first 5-second window has fired, and the windows' state stayed one entry per page. */
const windowsFired: Check = {
  kind: 'all',
  of: [
    { kind: 'event', type: 'timer-fired', where: { task: 'window-aggregate#0' }, atLeast: 6 },
    { kind: 'state-size', operator: 'window-aggregate', state: 'window-accs', entries: true, atMost: 6 },
  ],
};

const joinGrown: Check = {
  kind: 'state-size',
  operator: 'join',
  state: 'left-records',
  entries: true,
  atLeast: 1000,
};

/** 5 s into a run of the regular join, its visits side holds at most 300 rows (without TTL: ~1,000). */
const joinBounded: Check = {
  kind: 'all',
  of: [
    { kind: 'time', atLeast: 5000 },
    { kind: 'state-size', operator: 'join', state: 'left-records', entries: true, atLeast: 50, atMost: 300 },
  ],
};

const restoredAndFinished: Check = {
  kind: 'all',
  of: [
    { kind: 'event', type: 'task-failed', where: { task: 'join#0' } },
    // restored from a checkpoint (checkpointId null: from scratch)
    { kind: 'event', type: 'task-restored', where: { task: 'join#0' } },
    {
      kind: 'not',
      check: { kind: 'event', type: 'task-restored', where: { task: 'join#0', checkpointId: null } },
    },
    { kind: 'finished' },
  ],
};

export default defineLesson({
  number: 15,
  slug: 'state-in-flink-sql',
  scenario: 'lesson-state-in-flink-sql',
  seed: 1,
  options: { sql: 'count.sql' },
  steps: [
    {
      id: 'group-by-changelog',
      prediction: { choices: 4, answer: 2 },
      check: finishedNow,
      solution: [
        { do: 'answer', choice: 2 },
        { do: 'play', until: finishedNow },
      ],
    },
    {
      id: 'tumbling-window',
      prediction: { choices: 3, answer: 0 },
      check: windowsFired,
      solution: [
        { do: 'answer', choice: 0 },
        { do: 'configure', options: { sql: 'window.sql' } },
        { do: 'play', until: windowsFired },
      ],
    },
    {
      id: 'join-grows',
      check: joinGrown,
      solution: [
        { do: 'configure', options: { sql: 'join.sql' } },
        { do: 'play', until: joinGrown },
      ],
    },
    {
      id: 'state-ttl',
      challenge: true,
      check: joinBounded,
      solution: [
        { do: 'configure', options: { sql: 'join-ttl.sql' } },
        { do: 'play', until: joinBounded },
      ],
    },
    {
      id: 'fail-and-restore',
      prediction: { choices: 3, answer: 1 },
      check: restoredAndFinished,
      solution: [
        { do: 'answer', choice: 1 },
        { do: 'play', until: { kind: 'checkpoint', status: 'COMPLETED' } },
        { do: 'fail', task: 'join#0' },
        { do: 'play', until: restoredAndFinished },
      ],
    },
    {
      id: 'export-for-flink',
      prediction: { choices: 3, answer: 2 },
      check: { kind: 'answered' },
      solution: [{ do: 'answer', choice: 2 }],
    },
  ],
});
