import { defineLesson } from '../../src/lessons/format';

/**
 * Lesson 3: keyBy, key groups and parallelism — where each key's state lives (the seed's §5.1
 * WordCount, its `keyBy`). With maxParallelism 128: key group = murmurHash(key.hashCode()) % 128.
 *
 *   word      hashCode   key group   p=2   p=3
 *   to            3707          91     1     2
 *   be            3139          84     1     1
 *   or            3555          81     1     1
 *   not         109267          58     0     1
 *   that       3558823          79     1     1
 *   is            3370         120     1     2
 *   the         114801          66     1     1
 *   question -1165870106        79     1     1
 *
 * p=2: subtask 0 owns key groups 0–63, subtask 1 64–127; p=3: 0–42, 43–85, 86–127.
 */
const WORDS_P2 = { to: 1, be: 1, or: 1, not: 0, that: 1, is: 1, the: 1, question: 1 };
const WORDS_P3 = { to: 2, be: 1, or: 1, not: 1, that: 1, is: 2, the: 1, question: 1 };
const COUNTS: Record<string, number> = { to: 2, be: 2, or: 1, not: 1, that: 1, is: 1, the: 1, question: 1 };

const where = (subtasks: Record<string, number>) =>
  Object.entries(subtasks).map(([key, subtask]) => ({
    kind: 'state' as const,
    operator: 'count',
    state: 'count',
    key,
    equals: COUNTS[key],
    subtask,
  }));

export default defineLesson({
  number: 3,
  slug: 'keys-and-key-groups',
  scenario: 'wordcount',
  seed: 1,
  steps: [
    {
      id: 'key-group-of-be',
      prediction: { choices: 3, answer: 1 },
      check: {
        kind: 'all',
        of: [
          { kind: 'answered' },
          { kind: 'state', operator: 'count', state: 'count', key: 'be', equals: 2, subtask: 1 },
        ],
      },
      solution: [
        { do: 'answer', choice: 1 },
        {
          do: 'play',
          until: { kind: 'state', operator: 'count', state: 'count', key: 'be', equals: 2, subtask: 1 },
        },
      ],
    },
    {
      id: 'uneven',
      prediction: { choices: 3, answer: 1 },
      check: { kind: 'all', of: [{ kind: 'answered' }, { kind: 'finished' }, ...where(WORDS_P2)] },
      solution: [
        { do: 'answer', choice: 1 },
        { do: 'play', until: { kind: 'finished' } },
      ],
    },
    {
      id: 'three-subtasks',
      prediction: { choices: 3, answer: 1 },
      check: {
        kind: 'all',
        of: [
          { kind: 'answered' },
          { kind: 'config', parallelism: { count: 3 } },
          { kind: 'state', operator: 'count', state: 'count', key: 'be', equals: 2, subtask: 1 },
        ],
      },
      solution: [
        { do: 'configure', options: { parallelism: { count: 3 } } },
        { do: 'answer', choice: 1 },
        {
          do: 'play',
          until: { kind: 'state', operator: 'count', state: 'count', key: 'be', equals: 2, subtask: 1 },
        },
      ],
    },
    {
      id: 'idle-subtask',
      prediction: { choices: 3, answer: 0 },
      check: {
        kind: 'all',
        of: [
          { kind: 'answered' },
          { kind: 'finished' },
          { kind: 'config', parallelism: { count: 3 } },
          ...where(WORDS_P3),
        ],
      },
      solution: [
        { do: 'answer', choice: 0 },
        { do: 'play', until: { kind: 'finished' } },
      ],
    },
    {
      // A challenge: key group 84 belongs to subtask 84 * p / 128 — 2 with p = 4.
      id: 'be-in-subtask-2',
      challenge: true,
      check: {
        kind: 'state',
        operator: 'count',
        state: 'count',
        key: 'be',
        equals: 2,
        subtask: 2,
        why: 'owner',
      },
      solution: [
        { do: 'configure', options: { parallelism: { count: 4 } } },
        {
          do: 'play',
          until: { kind: 'state', operator: 'count', state: 'count', key: 'be', equals: 2, subtask: 2 },
        },
      ],
    },
  ],
});
