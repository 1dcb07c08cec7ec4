import { defineLesson, type Check } from '../../src/lessons/format';

/**
 * Lesson 7: checkpointing without alignment. At-least-once (Flink's CheckpointBarrierTracker) never
 * blocks a channel, so a restored state can already contain records that are replayed: duplicates,
 * even behind a two-phase-commit sink. Then backpressure: aligned barriers wait in line behind the
 * queued records, unaligned barriers overtake them and the records are persisted with the checkpoint.
 * The seed's §3.2 and §4.1 (barriers, markers), beyond what the seed says.
 */
/** The job graph's "slow" toggle on count: max(1 ms, its time per record) × 10 = 10 ms per record. */
const slowCount = { do: 'slow', operator: 'count', ms: 10 } as const;

/**
 * The challenge: a count subtask fails in an at-least-once run, yet the output ends exactly-once. The
 * duplicates come from restoring a snapshot that already holds records the sources replay: a failure
 * before the first checkpoint completes restores nothing (the sources start over, the two-phase-commit
 * sink has committed nothing yet). Switching to exactly-once is not the answer: the mode must stay.
 */
const countFailedInThisRun: Check = {
  kind: 'any',
  of: [0, 1].map((i): Check => ({
    kind: 'event',
    type: 'task-failed',
    where: { task: `count#${i}` },
    sinceStart: true,
  })),
};

export default defineLesson({
  number: 7,
  slug: 'at-least-once-and-unaligned',
  // Two sources of different speed (job.ts): the quiet source's barrier reaches count long before the
  // busy one's, so at-least-once snapshots include quiet-side visits that are replayed after a
  // restore (duplicates), and barriers wait behind backpressure, whatever the exact pacing.
  scenario: 'lesson-at-least-once-and-unaligned',
  seed: 1,
  steps: [
    {
      id: 'at-least-once',
      check: { kind: 'config', mode: 'at-least-once' },
      solution: [{ do: 'configure', options: { mode: 'at-least-once' } }],
    },
    {
      id: 'no-alignment',
      check: {
        kind: 'all',
        of: [
          { kind: 'checkpoint', status: 'COMPLETED' },
          { kind: 'not', check: { kind: 'event', type: 'channel-blocked' } },
        ],
      },
      solution: [{ do: 'play', until: { kind: 'checkpoint', status: 'COMPLETED' } }],
    },
    {
      id: 'predict-duplicates',
      prediction: { choices: 3, answer: 1 },
      check: {
        kind: 'all',
        of: [
          { kind: 'answered' },
          { kind: 'event', type: 'task-failed', where: { task: 'count#1' } },
          { kind: 'sink', verdict: ['duplicates'] },
        ],
      },
      solution: [
        { do: 'answer', choice: 1 },
        { do: 'fail', task: 'count#1' },
        { do: 'play', until: { kind: 'sink', verdict: ['duplicates'] } },
      ],
    },
    {
      id: 'aligned-backpressure',
      check: {
        kind: 'all',
        of: [
          { kind: 'config', mode: 'exactly-once' },
          { kind: 'event', type: 'backpressure' },
          { kind: 'checkpoint', status: 'COMPLETED' },
        ],
      },
      solution: [
        { do: 'configure', options: { mode: 'exactly-once' } },
        slowCount,
        { do: 'play', until: { kind: 'checkpoint', status: 'COMPLETED' } },
      ],
    },
    {
      id: 'unaligned',
      check: {
        kind: 'all',
        of: [
          { kind: 'config', mode: 'unaligned' },
          { kind: 'event', type: 'backpressure' },
          { kind: 'checkpoint', status: 'COMPLETED', minPersistedInFlightBytes: 10_000 },
        ],
      },
      solution: [
        { do: 'configure', options: { mode: 'unaligned' } },
        slowCount,
        {
          do: 'play',
          until: {
            kind: 'all',
            of: [
              { kind: 'event', type: 'backpressure' },
              { kind: 'checkpoint', status: 'COMPLETED', minPersistedInFlightBytes: 10_000 },
            ],
          },
        },
      ],
    },
    {
      id: 'at-least-once-no-duplicates',
      challenge: true,
      check: {
        kind: 'all',
        of: [
          { kind: 'config', mode: 'at-least-once' },
          countFailedInThisRun,
          { kind: 'finished', jobStatus: 'FINISHED' },
          { kind: 'sink', verdict: ['exactly-once'] },
        ],
      },
      solution: [
        { do: 'configure', options: { mode: 'at-least-once' } },
        { do: 'fail', task: 'count#1' },
        { do: 'play', until: { kind: 'finished' } },
      ],
    },
    {
      // The challenge: checkpoints faster than the ~150 ms of aligned ones (over 1.5 s with count
      // slow), five in a row (the one at the end of the input is fast in any mode), and exactly-once
      // through a failure. At-least-once blocks no channel, but its barriers
      // still queue behind the records (its checkpoints take as long, or longer): only unaligned ones
      // overtake them, and they stay exactly-once.
      id: 'fast-and-exactly-once',
      challenge: true,
      check: {
        kind: 'all',
        of: [
          { kind: 'checkpoint', status: 'COMPLETED', maxEndToEndMs: 100, atLeast: 5, inARow: true },
          countFailedInThisRun,
          { kind: 'finished', jobStatus: 'FINISHED' },
          { kind: 'sink', verdict: ['exactly-once'] },
        ],
      },
      solution: [
        { do: 'configure', options: { mode: 'unaligned' } },
        { do: 'play', until: { kind: 'checkpoint', status: 'COMPLETED', atLeast: 5 } },
        { do: 'fail', task: 'count#1' },
        { do: 'play', until: { kind: 'finished' } },
      ],
    },
  ],
});
