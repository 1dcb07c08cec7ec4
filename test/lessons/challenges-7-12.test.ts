/**
 * The challenge steps of lessons 7–12 grade the goal, not the clicks: each is played headlessly from
 * where the lesson's earlier steps leave the job, through the wrong tries a learner is likely to make
 * (the check must not pass, and it says why in terms of the goal), and then through the step's own
 * solution ("Show me" after a try), which must pass from wherever the wrong tries left the job.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { renderEnglish } from '../../src/engine/messages/Message';
import { IndexedDbCheckpointStorage } from '../../src/storage/index';
import { EngineHost } from '../../src/worker/EngineHost';
import { HeadlessLessonDriver } from '../../src/lessons/headless';
import { registerLessonJobs } from '../../src/worker/lessonJobs';
import { LESSONS } from '../../src/lessons/registry';
import { playSolution } from '../../src/lessons/runner';
import type { LessonAction } from '../../src/lessons/format';
import { freshDbName } from '../storage/helpers';

registerLessonJobs();

interface Try {
  /** What the learner tries. */
  name: string;
  actions: LessonAction[];
  /** What the verdict says afterwards (the reason it is not there yet). */
  why: string;
}

const finished = { do: 'play', until: { kind: 'finished' } } as const;
const checkpoint = { do: 'play', until: { kind: 'checkpoint', status: 'COMPLETED' } } as const;
const restored = (task: string) =>
  ({
    do: 'play',
    until: { kind: 'event', type: 'task-restored', where: { task }, sinceStart: true },
  }) as const;

/** Other ways to the goal than the step's solution: the check grades the goal, not the clicks. */
const twoFailures: LessonAction[] = [
  checkpoint,
  { do: 'fail', task: 'count#0' },
  restored('count#0'),
  { do: 'fail', task: 'count#1' },
  finished,
];

const OTHER_WAYS: Record<string, { name: string; actions: LessonAction[] }[]> = {
  '08-failure-and-recovery/survive-two-failures': [
    {
      name: 'failure-rate, 2 failures per minute',
      actions: [
        {
          do: 'configure',
          options: {
            restartStrategy: {
              type: 'failure-rate',
              maxFailuresPerInterval: 2,
              failureRateIntervalMs: 60_000,
              delayMs: 500,
            },
          },
        },
        ...twoFailures,
      ],
    },
    {
      name: "exponential-delay, Flink's default with checkpointing",
      actions: [
        {
          do: 'configure',
          options: {
            restartStrategy: {
              type: 'exponential-delay',
              initialBackoffMs: 1000,
              backoffMultiplier: 1.5,
              maxBackoffMs: 60_000,
              resetBackoffThresholdMs: 3_600_000,
              jitterFactor: 0.1,
            },
          },
        },
        ...twoFailures,
      ],
    },
  ],
  '08-failure-and-recovery/small-rewind': [
    {
      name: 'checkpoints every 50 ms, a failure at any moment',
      actions: [
        { do: 'configure', options: { intervalMs: 50 } },
        { do: 'play', until: { kind: 'time', atLeast: 1200 } },
        { do: 'fail', task: 'count#3' },
        restored('count#3'),
      ],
    },
  ],
  '10-end-to-end-exactly-once/fresher-output': [
    {
      name: 'checkpoints every 100 ms',
      actions: [
        { do: 'configure', options: { intervalMs: 100 } },
        { do: 'play', until: { kind: 'time', atLeast: 2000 } },
      ],
    },
  ],
};

const TRIES: Record<string, Try[]> = {
  '07-at-least-once-and-unaligned/at-least-once-no-duplicates': [
    {
      name: 'at-least-once, a count subtask fails after a checkpoint (the earlier step again)',
      actions: [
        { do: 'configure', options: { mode: 'at-least-once' } },
        checkpoint,
        { do: 'fail', task: 'count#1' },
        finished,
      ],
      why: 'the sink shows duplicates: some rows were written more often than in a run without failures',
    },
    {
      name: 'exactly-once instead: no duplicates, but not the mode the goal keeps',
      actions: [
        { do: 'configure', options: { mode: 'exactly-once' } },
        checkpoint,
        { do: 'fail', task: 'count#1' },
        finished,
      ],
      why: 'the checkpointing mode is exactly-once, expected at-least-once',
    },
    {
      name: 'at-least-once without any failure',
      actions: [{ do: 'configure', options: { mode: 'at-least-once' } }, finished],
      why: 'no subtask failure on count#0 in this run',
    },
  ],
  '07-at-least-once-and-unaligned/fast-and-exactly-once': [
    {
      name: 'at-least-once: it holds no channel, yet its barriers queue behind the records too',
      actions: [
        { do: 'configure', options: { mode: 'at-least-once' } },
        checkpoint,
        { do: 'fail', task: 'count#1' },
        finished,
      ],
      why: 'at most 1 checkpoint in a row completed within 100 ms end to end since this step began, expected 5',
    },
    {
      name: 'aligned, with count slow',
      actions: [
        { do: 'configure', options: { mode: 'exactly-once' } },
        { do: 'slow', operator: 'count', ms: 10 },
        checkpoint,
      ],
      why: 'at most 0 checkpoints in a row completed within 100 ms end to end since this step began, expected 5',
    },
  ],
  '08-failure-and-recovery/survive-two-failures': [
    {
      name: 'fixed-delay with 1 attempt, two failures: the job FAILS',
      actions: [
        { do: 'configure', options: { restartStrategy: { type: 'fixed-delay', attempts: 1, delayMs: 500 } } },
        checkpoint,
        { do: 'fail', task: 'count#0' },
        restored('count#0'),
        { do: 'fail', task: 'count#1' },
        finished,
      ],
      why: 'job restart: once in this run (since the job was last started or restored), expected at least 2',
    },
    {
      name: 'one failure in each of two runs',
      actions: [
        { do: 'configure', options: { restartStrategy: { type: 'fixed-delay', attempts: 3, delayMs: 500 } } },
        checkpoint,
        { do: 'fail', task: 'count#0' },
        restored('count#0'),
        { do: 'configure', options: {} },
        checkpoint,
        { do: 'fail', task: 'count#1' },
        finished,
      ],
      why: 'job restart: once in this run (since the job was last started or restored), expected at least 2',
    },
  ],
  '08-failure-and-recovery/small-rewind': [
    {
      name: 'a failure in the middle of a checkpoint interval',
      actions: [
        { do: 'configure', options: {} },
        { do: 'play', until: { kind: 'time', atLeast: 1200 } },
        { do: 'fail', task: 'count#3' },
        restored('count#3'),
      ],
      why: 'the job went back 689 ms: from the failure at 1200 ms to checkpoint 1, triggered at 511 ms; expected at most 100 ms',
    },
    {
      name: 'a failure before the first checkpoint: back to the start of the run',
      actions: [
        { do: 'configure', options: {} },
        { do: 'play', until: { kind: 'time', atLeast: 300 } },
        { do: 'fail', task: 'count#3' },
        restored('count#3'),
      ],
      why: 'the job went back 300 ms: no checkpoint had completed',
    },
  ],
  '09-tuning-checkpoints/two-in-a-row': [
    {
      name: 'tolerating 1, two failed writes in a row: the job fails over',
      actions: [
        { do: 'configure', options: { checkpoint: { tolerableFailed: 1 } } },
        { do: 'storage-fault', fault: 'quota', count: 2 },
        finished,
      ],
      why: 'this must not happen in this step, but it did: job restart in this run',
    },
    {
      name: 'tolerating 1, two failed writes with a completed checkpoint in between',
      actions: [
        { do: 'configure', options: { checkpoint: { tolerableFailed: 1 } } },
        { do: 'storage-fault', fault: 'quota' },
        { do: 'play', until: { kind: 'checkpoint', status: 'FAILED' } },
        checkpoint,
        { do: 'storage-fault', fault: 'quota' },
        finished,
      ],
      why: 'at most 1 checkpoint failed in a row since this step began, expected 2',
    },
  ],
  '10-end-to-end-exactly-once/fresher-output': [
    {
      name: 'unaligned checkpoints: faster checkpoints, not more of them',
      actions: [
        { do: 'configure', options: { mode: 'unaligned' } },
        { do: 'play', until: { kind: 'time', atLeast: 2000 } },
      ],
      why: 'transaction committed: 4 times in the first 2000 ms of this run, expected at least 16',
    },
    {
      name: 'an interval of 500 ms: twice as often, not enough',
      actions: [
        { do: 'configure', options: { mode: 'exactly-once', intervalMs: 500 } },
        { do: 'play', until: { kind: 'time', atLeast: 2500 } },
      ],
      why: 'transaction committed: 8 times in the first 2000 ms of this run, expected at least 16',
    },
  ],
  '11-applications-with-timers/one-region': [
    {
      name: 'a sessionize subtask fails (the last step again)',
      actions: [{ do: 'fail', task: 'sessionize#1' }, restored('sessionize#1')],
      why: 'this must not happen in this step, but it did: subtask restore on sessionize#0 in this run',
    },
    {
      name: 'the TaskManager is killed: both pipelines restart',
      actions: [
        { do: 'configure', options: {} },
        checkpoint,
        { do: 'kill-taskmanager', taskManager: 'taskmanager-1' },
        { do: 'play', until: { kind: 'taskmanager-recovered' } },
      ],
      why: 'this must not happen in this step, but it did: subtask restore on sessionize#0 in this run',
    },
  ],
  '12-savepoints-and-rescaling/move-to-rocksdb': [
    {
      name: 'the savepoint restored without changing the job',
      actions: [{ do: 'restore', from: 'latest-savepoint' }],
      why: 'the state backend is fs, expected rocksdb; count runs with parallelism 3, expected 4',
    },
    {
      name: 'Apply only: the new job starts from scratch and counts the line again',
      actions: [{ do: 'configure', options: { backend: 'rocksdb', parallelism: { count: 4 } } }, finished],
      why: 'this must not happen in this step, but it did: record written to a sink in this run',
    },
  ],
};

/** The lesson, its challenge step, and a driver at the step's start (the earlier steps' solutions played). */
async function atChallenge(id: string) {
  const [dir, stepId] = id.split('/');
  const lesson = LESSONS.find((l) => l.dir === dir);
  if (!lesson) throw new Error(`no lesson ${dir}`);
  const index = lesson.definition.steps.findIndex((s) => s.id === stepId);
  const step = lesson.definition.steps[index];
  expect(step?.challenge, `${id} is a challenge step`).toBe(true);
  const dbName = freshDbName();
  const driver = new HeadlessLessonDriver(
    lesson.definition,
    () =>
      new EngineHost({
        openStorage: (options) => IndexedDbCheckpointStorage.open({ ...options, dbName }),
        frameBudgetMs: 10_000,
      }),
  );
  await driver.start();
  for (const earlier of lesson.definition.steps.slice(0, index)) {
    await driver.begin(earlier);
    await playSolution(lesson.definition, earlier.solution, driver);
  }
  return { lesson, step, driver };
}

describe('the challenges of lessons 7–12', () => {
  for (const [id, tries] of Object.entries(TRIES)) {
    it(`${id}: fails at its start and after wrong tries, passes after its solution`, async () => {
      const { lesson, step, driver } = await atChallenge(id);
      expect((await driver.begin(step)).passed, 'passes at its start').toBe(false);
      for (const t of tries) {
        await playSolution(lesson.definition, t.actions, driver);
        const v = await driver.check();
        expect(v.passed, `passes after "${t.name}"`).toBe(false);
        expect(renderEnglish(v.now.why), t.name).toContain(t.why);
      }
      await playSolution(lesson.definition, step.solution, driver);
      const after = await driver.check();
      expect(after.passed, `after its solution: ${renderEnglish(after.now.why)}`).toBe(true);
    }, 120_000);
  }

  for (const [id, ways] of Object.entries(OTHER_WAYS))
    for (const way of ways)
      it(`${id}: passes another way too (${way.name})`, async () => {
        const { lesson, step, driver } = await atChallenge(id);
        await driver.begin(step);
        await playSolution(lesson.definition, way.actions, driver);
        const v = await driver.check();
        expect(v.passed, renderEnglish(v.now.why)).toBe(true);
      }, 120_000);

  it('every challenge of lessons 7–12 is tried here', () => {
    const challenges = LESSONS.filter((l) => l.definition.number >= 7 && l.definition.number <= 12).flatMap(
      (l) => l.definition.steps.filter((s) => s.challenge).map((s) => `${l.dir}/${s.id}`),
    );
    expect(challenges.sort()).toEqual(Object.keys(TRIES).sort());
  });
});
