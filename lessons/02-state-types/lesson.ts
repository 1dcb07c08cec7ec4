import { defineLesson } from '../../src/lessons/format';

/**
 * Lesson 2: the seed's five keyed state types (§2.1, §3.1), side by side in one keyed function, and the
 * type each descriptor declares, which a restore checks.
 */
export default defineLesson({
  number: 2,
  slug: 'state-types',
  scenario: 'lesson-state-types',
  seed: 1,
  steps: [
    {
      id: 'value-state',
      check: { kind: 'state', operator: 'profile', state: 'lastItem', key: 'alice', equals: 'coffee' },
      solution: [
        {
          do: 'play',
          until: { kind: 'state', operator: 'profile', state: 'lastItem', key: 'alice', equals: 'coffee' },
        },
      ],
    },
    {
      id: 'list-state',
      prediction: { choices: 3, answer: 2 },
      check: {
        kind: 'all',
        of: [
          { kind: 'answered' },
          {
            kind: 'state',
            operator: 'profile',
            state: 'items',
            key: 'alice',
            equals: ['book', 'coffee', 'book', 'coffee'],
          },
        ],
      },
      solution: [
        { do: 'answer', choice: 2 },
        {
          do: 'play',
          until: {
            kind: 'state',
            operator: 'profile',
            state: 'items',
            key: 'alice',
            equals: ['book', 'coffee', 'book', 'coffee'],
          },
        },
      ],
    },
    {
      id: 'map-state',
      prediction: { choices: 3, answer: 1 },
      check: {
        kind: 'all',
        of: [
          { kind: 'answered' },
          {
            kind: 'state',
            operator: 'profile',
            state: 'perItem',
            key: 'bob',
            equals: [
              ['coffee', 3],
              ['pen', 1],
              ['book', 1],
            ],
          },
        ],
      },
      solution: [
        { do: 'answer', choice: 1 },
        {
          do: 'play',
          until: {
            kind: 'state',
            operator: 'profile',
            state: 'perItem',
            key: 'bob',
            equals: [
              ['coffee', 3],
              ['pen', 1],
              ['book', 1],
            ],
          },
        },
      ],
    },
    {
      id: 'reducing-aggregating',
      prediction: { choices: 3, answer: 1 },
      check: {
        kind: 'all',
        of: [
          { kind: 'answered' },
          { kind: 'finished' },
          { kind: 'state', operator: 'profile', state: 'total', key: 'carol', equals: 27 },
          {
            kind: 'state',
            operator: 'profile',
            state: 'average',
            key: 'carol',
            equals: { sum: 27, count: 3 },
          },
        ],
      },
      solution: [
        { do: 'answer', choice: 1 },
        { do: 'play', until: { kind: 'finished' } },
      ],
    },
    {
      id: 'types-on-restore',
      prediction: { choices: 3, answer: 1 },
      check: {
        kind: 'all',
        of: [
          { kind: 'answered' },
          {
            kind: 'import-refused',
            contains: ['.keyedState[', '.value: expected INT, got string "many"'],
          },
        ],
      },
      solution: [
        { do: 'answer', choice: 1 },
        {
          do: 'import-edited',
          from: 'latest-checkpoint',
          operator: 'profile',
          state: 'total',
          key: 'alice',
          value: 'many',
        },
      ],
    },
    {
      // A challenge: the refusal was about the type, so a value of the declared type goes in.
      id: 'set-a-total',
      challenge: true,
      check: {
        kind: 'all',
        of: [
          { kind: 'imported', why: 'restore' },
          { kind: 'state', operator: 'profile', state: 'total', key: 'alice', equals: 100, why: 'value' },
        ],
      },
      solution: [
        {
          do: 'import-edited',
          from: 'latest-checkpoint',
          operator: 'profile',
          state: 'total',
          key: 'alice',
          value: 100,
        },
      ],
    },
  ],
});
