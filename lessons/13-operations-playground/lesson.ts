import { defineLesson } from '../../src/lessons/format';

/**
 * Lesson 13: Flink's Operations Playground (apache/flink-playgrounds, the docs page "Flink Operations
 * Playground") in the browser, its exercises in its order. The job is the `clickcount` scenario with a
 * shorter log (job.ts): ClickEventCount on the Playground's cluster, one TaskManager with 2 slots,
 * parallelism 2, chaining off; six pages, 1000 clicks per page in every 15 s event-time window, 8
 * windows per page.
 *
 * Virtual times (seed 1): each round of six windows fires about every 9 s of processing time (the
 * first at ~9 s); checkpoints complete every second; the bounded input ends at ~72 s. Step 1 stops
 * at the 12th row, just after the second round fired and before the next checkpoint: losing the
 * TaskManager there makes the at-least-once sink write that round again (step 3).
 */
const ROWS = { kind: 'sink-rows', sink: 'sink' } as const;
const ALL_1000 = { ...ROWS, every: { count: 1000 } } as const;
/** Every window of every page: 6 pages x 8 windows. */
const ALL_WINDOWS = 48;
/** A whole run (ample virtual time: it ends at ~80 s with a failure). */
const RUN_MS = 180_000;

export default defineLesson({
  number: 13,
  slug: 'operations-playground',
  scenario: 'lesson-operations-playground',
  seed: 1,
  // The Playground's cluster: `docker compose up -d` starts one TaskManager with 2 task slots.
  options: { taskManagers: 1, slotsPerTaskManager: 2 },
  steps: [
    {
      id: 'observe',
      prediction: { choices: 3, answer: 0 },
      check: { kind: 'all', of: [{ kind: 'answered' }, { ...ALL_1000, atLeast: 12 }] },
      solution: [
        { do: 'answer', choice: 0 },
        { do: 'play', until: { ...ROWS, atLeast: 12 } },
      ],
    },
    {
      id: 'kill-taskmanager',
      check: { kind: 'taskmanager-recovered' },
      solution: [
        { do: 'kill-taskmanager', taskManager: 'taskmanager-1' },
        { do: 'play', until: { kind: 'taskmanager-recovered' } },
      ],
    },
    {
      id: 'all-windows',
      prediction: { choices: 3, answer: 1 },
      check: {
        kind: 'all',
        of: [
          { kind: 'answered' },
          { kind: 'finished' },
          { ...ALL_1000, atLeast: ALL_WINDOWS },
          // Nothing missing (against the failure-free run); a row may repeat.
          { kind: 'sink', verdict: ['exactly-once', 'duplicates'] },
        ],
      },
      solution: [
        { do: 'answer', choice: 1 },
        { do: 'play', until: { kind: 'finished' }, maxMs: RUN_MS },
      ],
    },
    {
      id: 'exactly-once-sink',
      challenge: true,
      check: {
        kind: 'all',
        of: [
          { kind: 'taskmanager-recovered' },
          { kind: 'finished' },
          { ...ALL_1000, atLeast: ALL_WINDOWS, repeated: false },
          { kind: 'sink', verdict: ['exactly-once'] },
        ],
      },
      solution: [
        { do: 'configure', options: { playground: { sink: 'exactly-once' } } },
        { do: 'play', until: { ...ROWS, atLeast: 12 } },
        { do: 'kill-taskmanager', taskManager: 'taskmanager-1' },
        { do: 'play', until: { kind: 'finished' }, maxMs: RUN_MS },
      ],
    },
    {
      id: 'no-checkpointing',
      prediction: { choices: 3, answer: 1 },
      check: {
        kind: 'all',
        of: [{ kind: 'answered' }, { ...ROWS, someNot: { count: 1000 } }],
      },
      solution: [
        { do: 'answer', choice: 1 },
        {
          do: 'configure',
          options: { playground: { checkpointing: false, sink: 'at-least-once' } },
        },
        { do: 'play', until: { ...ROWS, atLeast: 18 } },
        { do: 'kill-taskmanager', taskManager: 'taskmanager-1' },
        { do: 'play', until: { ...ROWS, someNot: { count: 1000 } } },
      ],
    },
    {
      id: 'rescale',
      prediction: { choices: 3, answer: 1 },
      check: {
        kind: 'all',
        of: [
          { kind: 'answered' },
          { kind: 'imported' },
          { kind: 'config', parallelism: { counter: 3, sink: 3 } },
          { kind: 'event', type: 'taskmanager-registered' },
          // Two rounds of windows from the rescaled job.
          { ...ALL_1000, atLeast: 12, repeated: false },
        ],
      },
      solution: [
        { do: 'answer', choice: 1 },
        { do: 'configure', options: { playground: { checkpointing: true } } },
        { do: 'play', until: { kind: 'checkpoint', status: 'COMPLETED', atLeast: 3 } },
        { do: 'trigger', kind: 'savepoint' },
        { do: 'play', until: { kind: 'checkpoint', status: 'COMPLETED', savepoint: true } },
        {
          do: 'restore',
          from: 'latest-savepoint',
          options: { parallelism: { counter: 3, sink: 3 } },
        },
        { do: 'add-taskmanager' },
        { do: 'play', until: { ...ROWS, atLeast: 12 } },
      ],
    },
    {
      id: 'backpressure',
      prediction: { choices: 3, answer: 1 },
      check: {
        kind: 'all',
        of: [
          { kind: 'answered' },
          { kind: 'event', type: 'backpressure', where: { blocked: true } },
          { kind: 'checkpoint', status: 'COMPLETED', minDurationMs: 1000 },
        ],
      },
      solution: [
        { do: 'answer', choice: 1 },
        {
          do: 'configure',
          options: { playground: { backpressure: true }, parallelism: { counter: 2, sink: 2 } },
        },
        { do: 'play', until: { kind: 'checkpoint', status: 'COMPLETED', minDurationMs: 1000 } },
      ],
    },
    {
      id: 'processing-time',
      prediction: { choices: 3, answer: 2 },
      check: {
        kind: 'all',
        of: [{ kind: 'answered' }, { ...ROWS, atLeast: 6, someNot: { count: 1000 } }],
      },
      solution: [
        { do: 'answer', choice: 2 },
        {
          do: 'configure',
          options: { playground: { backpressure: false, processingTime: true } },
        },
        { do: 'play', until: { ...ROWS, atLeast: 6 } },
      ],
    },
  ],
});
