import { defineLesson } from '../../src/lessons/format';

/**
 * Lesson 9: the seed's §4.2 (interval), §4.3 (timeout), §9.2 (choosing the interval) and §9.3 (what
 * happens when a checkpoint fails). A checkpoint that expires counts as a failure; with Flink's
 * default of 0 tolerable failed checkpoints the job fails over. Tolerating one, a checkpoint whose
 * storage write fails (quota) is just skipped, and the next one commits what it missed.
 */
export default defineLesson({
  number: 9,
  slug: 'tuning-checkpoints',
  scenario: 'visits',
  seed: 1,
  // The visits log at its former pace (a record a millisecond per partition, 2.5 s): no step asks the
  // learner to fail anything, and "Show me" plays the last step to the end in real time.
  options: { processingTimeMs: { source: 1 } },
  steps: [
    {
      id: 'interval',
      check: {
        kind: 'all',
        of: [
          { kind: 'config', intervalMs: 250 },
          { kind: 'checkpoint', status: 'COMPLETED', atLeast: 4 },
        ],
      },
      solution: [
        { do: 'configure', options: { intervalMs: 250 } },
        { do: 'play', until: { kind: 'checkpoint', status: 'COMPLETED', atLeast: 4 } },
      ],
    },
    {
      id: 'timeout',
      prediction: { choices: 3, answer: 1 },
      check: {
        kind: 'all',
        of: [
          { kind: 'answered' },
          { kind: 'config', timeoutMs: 10, tolerableFailed: 0 },
          { kind: 'checkpoint', status: 'FAILED' },
          { kind: 'event', type: 'job-restarting' },
        ],
      },
      solution: [
        { do: 'answer', choice: 1 },
        { do: 'configure', options: { checkpoint: { timeoutMs: 10 } } },
        { do: 'play', until: { kind: 'event', type: 'job-restarting' } },
      ],
    },
    {
      id: 'tolerate',
      check: {
        kind: 'all',
        of: [
          { kind: 'config', tolerableFailed: 1 },
          { kind: 'checkpoint', status: 'FAILED' },
          { kind: 'checkpoint', status: 'COMPLETED' },
          { kind: 'not', check: { kind: 'event', type: 'job-restarting' } },
        ],
      },
      solution: [
        { do: 'configure', options: { checkpoint: { timeoutMs: 600_000, tolerableFailed: 1 } } },
        { do: 'storage-fault', fault: 'quota' },
        {
          do: 'play',
          until: {
            kind: 'all',
            of: [
              { kind: 'checkpoint', status: 'FAILED' },
              { kind: 'checkpoint', status: 'COMPLETED' },
            ],
          },
        },
      ],
    },
    {
      id: 'finish',
      check: {
        kind: 'all',
        of: [{ kind: 'finished' }, { kind: 'sink', verdict: ['exactly-once'] }],
      },
      solution: [{ do: 'play', until: { kind: 'finished' } }],
    },
    {
      // The challenge: two checkpoints in a row fail (the learner makes the storage fail twice, or
      // otherwise), and the job must neither fail over nor lose anything: tolerate 2 or more.
      id: 'two-in-a-row',
      challenge: true,
      check: {
        kind: 'all',
        of: [
          { kind: 'checkpoint', status: 'FAILED', atLeast: 2, inARow: true },
          { kind: 'finished', jobStatus: 'FINISHED' },
          { kind: 'not', check: { kind: 'event', type: 'job-restarting', sinceStart: true } },
          { kind: 'sink', verdict: ['exactly-once'] },
        ],
      },
      solution: [
        { do: 'configure', options: { checkpoint: { tolerableFailed: 2 } } },
        { do: 'storage-fault', fault: 'quota', count: 2 },
        { do: 'play', until: { kind: 'finished' } },
      ],
    },
  ],
});
