import { defineLesson } from '../../src/lessons/format';

/**
 * Lesson 8: the seed's §3.3 (fault-tolerant recovery) and §2.3. A subtask fails; the whole job (one
 * pipelined region: keyBy connects every subtask) goes back to the latest completed checkpoint, the
 * sources rewind to its offsets and replay; the two-phase-commit sink aborts what was not committed.
 * Then restart strategies: fixed-delay gives up after its attempts and the job FAILS.
 *
 * user-00 lives in count#0 (key group 9 of 128); the learner fails count#3.
 *
 * The visits scenario runs about 12.5 s at 1× (see its source pace): in the last step there is time to
 * fail the job a second time after its restart.
 */
export default defineLesson({
  number: 8,
  slug: 'failure-and-recovery',
  scenario: 'visits',
  seed: 1,
  steps: [
    {
      id: 'checkpoint-2',
      check: { kind: 'checkpoint', status: 'COMPLETED', atLeast: 2 },
      solution: [{ do: 'play', until: { kind: 'checkpoint', status: 'COMPLETED', atLeast: 2 } }],
    },
    {
      id: 'predict-restore',
      prediction: { choices: 3, answer: 1 },
      check: {
        kind: 'all',
        of: [
          { kind: 'answered' },
          { kind: 'event', type: 'task-failed', where: { task: 'count#3' } },
          { kind: 'event', type: 'task-restored', where: { task: 'count#0' } },
        ],
      },
      solution: [
        { do: 'answer', choice: 1 },
        { do: 'fail', task: 'count#3' },
        { do: 'play', until: { kind: 'event', type: 'task-restored', where: { task: 'count#0' } } },
      ],
    },
    {
      // Flink's real failure unit: a TaskManager process. Its slots go with it, every subtask in them
      // fails at once; the job waits SCHEDULED for slots until the supervisor has restarted it, then
      // restores the latest checkpoint (the Operations Playground's first exercise).
      id: 'lose-taskmanager',
      check: { kind: 'taskmanager-recovered' },
      solution: [
        { do: 'kill-taskmanager', taskManager: 'taskmanager-1' },
        { do: 'play', until: { kind: 'taskmanager-recovered' } },
      ],
    },
    {
      id: 'replay',
      check: {
        kind: 'all',
        of: [{ kind: 'finished' }, { kind: 'sink', verdict: ['exactly-once'] }],
      },
      solution: [{ do: 'play', until: { kind: 'finished' } }],
    },
    {
      id: 'restart-strategy',
      prediction: { choices: 3, answer: 1 },
      check: {
        kind: 'all',
        of: [
          { kind: 'answered' },
          { kind: 'event', type: 'job-restarting' },
          { kind: 'finished', jobStatus: 'FAILED' },
        ],
      },
      solution: [
        { do: 'answer', choice: 1 },
        {
          do: 'configure',
          options: { restartStrategy: { type: 'fixed-delay', attempts: 1, delayMs: 500 } },
        },
        { do: 'play', until: { kind: 'checkpoint', status: 'COMPLETED' } },
        { do: 'fail', task: 'count#0' },
        { do: 'play', until: { kind: 'event', type: 'task-restored', where: { task: 'count#0' } } },
        { do: 'fail', task: 'count#0' },
        { do: 'play', until: { kind: 'finished', jobStatus: 'FAILED' } },
      ],
    },
    {
      // The challenge: the job of the previous step, FAILED at its second failure, has to survive two
      // failures in one run: a restart strategy that allows a second restart (fixed-delay with 2 or more
      // attempts, failure-rate, or Flink's default exponential-delay). The checker proves nothing was lost.
      id: 'survive-two-failures',
      challenge: true,
      check: {
        kind: 'all',
        of: [
          { kind: 'event', type: 'job-restarting', atLeast: 2, sinceStart: true },
          { kind: 'finished', jobStatus: 'FINISHED' },
          { kind: 'sink', verdict: ['exactly-once'] },
        ],
      },
      solution: [
        {
          do: 'configure',
          options: { restartStrategy: { type: 'fixed-delay', attempts: 2, delayMs: 500 } },
        },
        { do: 'play', until: { kind: 'checkpoint', status: 'COMPLETED' } },
        { do: 'fail', task: 'count#0' },
        {
          do: 'play',
          until: { kind: 'event', type: 'task-restored', where: { task: 'count#0' }, sinceStart: true },
        },
        { do: 'fail', task: 'count#1' },
        { do: 'play', until: { kind: 'finished' } },
      ],
    },
    {
      // The challenge: the cost of a failure. The job goes back to the trigger of the latest completed
      // checkpoint: fail right after one completes (a checkpoint takes ~17 ms), or checkpoint more
      // often (an interval of 50 ms keeps every failure within 100 ms).
      id: 'small-rewind',
      challenge: true,
      check: { kind: 'failover', maxRewindMs: 100 },
      solution: [
        { do: 'configure', options: {} },
        { do: 'play', until: { kind: 'checkpoint', status: 'COMPLETED' } },
        { do: 'fail', task: 'count#3' },
        {
          do: 'play',
          until: { kind: 'event', type: 'task-restored', where: { task: 'count#3' }, sinceStart: true },
        },
      ],
    },
  ],
});
