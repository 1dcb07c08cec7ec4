import { defineLesson } from '../../src/lessons/format';

/**
 * Lesson 10: end-to-end exactly-once needs a replayable source AND a sink that can take a replay: the
 * same failure, three sinks (job.ts). Non-transactional print shows the replay as duplicates; an
 * idempotent upsert writes the same rows over themselves; two-phase commit shows rows only when the
 * checkpoint after them completes, and aborts the rest. The seed's §2.3 and §3.3, followed to the
 * outside world.
 */
export default defineLesson({
  number: 10,
  slug: 'end-to-end-exactly-once',
  scenario: 'lesson-end-to-end-exactly-once',
  seed: 1,
  steps: [
    {
      id: 'three-sinks',
      check: {
        kind: 'all',
        of: [
          { kind: 'checkpoint', status: 'COMPLETED' },
          { kind: 'event', type: 'transaction-committed' },
        ],
      },
      solution: [
        {
          do: 'play',
          until: {
            kind: 'all',
            of: [
              { kind: 'checkpoint', status: 'COMPLETED' },
              { kind: 'event', type: 'transaction-committed' },
            ],
          },
        },
      ],
    },
    {
      id: 'predict-duplicates',
      prediction: { choices: 4, answer: 1 },
      check: {
        kind: 'all',
        of: [
          { kind: 'answered' },
          { kind: 'event', type: 'task-failed', where: { task: 'count#0' } },
          { kind: 'event', type: 'transaction-aborted' },
          { kind: 'sink', verdict: ['duplicates'] },
        ],
      },
      solution: [
        { do: 'answer', choice: 1 },
        { do: 'fail', task: 'count#0' },
        { do: 'play', until: { kind: 'sink', verdict: ['duplicates'] } },
      ],
    },
    {
      id: 'finish',
      check: {
        kind: 'all',
        of: [{ kind: 'finished' }, { kind: 'sink', verdict: ['duplicates'] }],
      },
      solution: [{ do: 'play', until: { kind: 'finished' } }],
    },
    {
      // The challenge: the two-phase-commit sink's rows become visible only when the checkpoint after
      // them completes, so what makes them fresher is the checkpoint interval (250 ms or less: 8
      // checkpoints, 16 commits of its two subtasks, in the first 2 s), not the mode or the sink.
      id: 'fresher-output',
      challenge: true,
      check: {
        kind: 'event',
        type: 'transaction-committed',
        atLeast: 16,
        sinceStart: true,
        beforeMs: 2000,
      },
      solution: [
        { do: 'configure', options: { intervalMs: 250 } },
        { do: 'play', until: { kind: 'time', atLeast: 2000 } },
      ],
    },
    {
      // A code step: the learner picks the sink that makes the per-user count exactly-once end to end.
      id: 'choose-the-sink',
      code: { start: 'code/sink.start.ts', solution: 'code/sink.solution.ts' },
      check: {
        kind: 'all',
        of: [
          { kind: 'finished' },
          { kind: 'event', type: 'task-failed' },
          { kind: 'event', type: 'task-restored' },
          { kind: 'sink', verdict: ['exactly-once'] },
        ],
      },
      solution: [
        { do: 'run-code', file: 'code/sink.solution.ts' },
        { do: 'play', until: { kind: 'checkpoint', status: 'COMPLETED', atLeast: 2 } },
        { do: 'fail', task: 'count#0' },
        { do: 'play', until: { kind: 'finished' } },
      ],
    },
  ],
});
