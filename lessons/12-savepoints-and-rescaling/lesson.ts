import { defineLesson } from '../../src/lessons/format';

/**
 * Lesson 12: savepoints (the user's snapshots: always aligned, kept until deleted, portable JSON here)
 * and rescaling: the keyed state of WordCount's count operator is split into 128 key groups; restored
 * into 3 subtasks instead of 2, each key group moves whole to the subtask that owns it now. 'to' is in
 * key group 91: subtask 1 of 2 (groups 64–127), subtask 2 of 3 (groups 86–127).
 */
export default defineLesson({
  number: 12,
  slug: 'savepoints-and-rescaling',
  scenario: 'wordcount',
  seed: 1,
  // Bounded WordCount finishes after its first checkpoint once the words are counted: checkpoints
  // every 5 s leave it running (waiting for its final checkpoint) long enough to take a savepoint.
  options: { intervalMs: 5000 },
  steps: [
    {
      id: 'count-all',
      check: {
        kind: 'all',
        of: [
          { kind: 'state-size', operator: 'count', state: 'count', atLeast: 8 },
          { kind: 'state', operator: 'count', state: 'count', key: 'to', equals: 2, subtask: 1 },
        ],
      },
      solution: [
        {
          do: 'play',
          until: {
            kind: 'all',
            of: [
              { kind: 'state-size', operator: 'count', state: 'count', atLeast: 8 },
              { kind: 'state', operator: 'count', state: 'count', key: 'to', equals: 2 },
            ],
          },
        },
      ],
    },
    {
      id: 'savepoint',
      check: { kind: 'checkpoint', status: 'COMPLETED', savepoint: true },
      solution: [
        { do: 'trigger', kind: 'savepoint' },
        { do: 'play', until: { kind: 'checkpoint', status: 'COMPLETED', savepoint: true } },
      ],
    },
    {
      id: 'rescale',
      prediction: { choices: 3, answer: 0 },
      check: {
        kind: 'all',
        of: [
          { kind: 'answered' },
          { kind: 'imported' },
          { kind: 'config', parallelism: { count: 3 } },
          { kind: 'state', operator: 'count', state: 'count', key: 'to', equals: 2, subtask: 2 },
        ],
      },
      solution: [
        { do: 'answer', choice: 0 },
        { do: 'restore', from: 'latest-savepoint', options: { parallelism: { count: 3 } } },
      ],
    },
    {
      // The challenge: another move, now of the state backend too. Apply alone starts from scratch
      // (the line is read and printed again); the savepoint (canonical format: any backend reads it)
      // carries the counts and the source's offset into the new job. With 4 subtasks, 'to' (key group
      // 91, range 64–95) is in subtask 2.
      id: 'move-to-rocksdb',
      challenge: true,
      check: {
        kind: 'all',
        of: [
          { kind: 'config', backend: 'rocksdb', parallelism: { count: 4 } },
          { kind: 'imported' },
          { kind: 'state-size', operator: 'count', state: 'count', atLeast: 8, atMost: 8 },
          { kind: 'state', operator: 'count', state: 'count', key: 'be', equals: 2 },
          { kind: 'state', operator: 'count', state: 'count', key: 'to', equals: 2, subtask: 2 },
          { kind: 'not', check: { kind: 'event', type: 'sink-written', sinceStart: true } },
        ],
      },
      solution: [
        {
          do: 'restore',
          from: 'latest-savepoint',
          options: { backend: 'rocksdb', parallelism: { count: 4 } },
        },
      ],
    },
    {
      id: 'finish',
      check: {
        kind: 'all',
        of: [
          { kind: 'finished' },
          { kind: 'state-size', operator: 'count', state: 'count', atLeast: 8, atMost: 8 },
          { kind: 'state', operator: 'count', state: 'count', key: 'be', equals: 2 },
          { kind: 'not', check: { kind: 'event', type: 'sink-written' } },
        ],
      },
      solution: [{ do: 'play', until: { kind: 'finished' } }],
    },
  ],
});
