import { defineLesson } from '../../src/lessons/format';

/** Lesson 1: the seed's WordCount (§5.1) — stateless splitting, stateful counting in a ValueState. */
export default defineLesson({
  number: 1,
  slug: 'wordcount',
  scenario: 'wordcount',
  seed: 1,
  steps: [
    {
      id: 'stateless-stateful',
      check: { kind: 'event', type: 'state-changed', where: { state: 'count' } },
      solution: [{ do: 'play', until: { kind: 'event', type: 'state-changed', where: { state: 'count' } } }],
    },
    {
      id: 'predict-be',
      prediction: { choices: 3, answer: 1 },
      check: {
        kind: 'all',
        of: [
          { kind: 'answered' },
          { kind: 'state', operator: 'count', state: 'count', key: 'be', equals: 2 },
        ],
      },
      solution: [
        { do: 'answer', choice: 1 },
        { do: 'play', until: { kind: 'state', operator: 'count', state: 'count', key: 'be', equals: 2 } },
      ],
    },
    {
      id: 'finish',
      check: {
        kind: 'all',
        of: [
          // FINISHED implies the final checkpoint completed (FLIP-147: the job waits for it).
          { kind: 'finished' },
          { kind: 'state', operator: 'count', state: 'count', key: 'to', equals: 2 },
          { kind: 'state-size', operator: 'count', state: 'count', atLeast: 8, atMost: 8 },
        ],
      },
      solution: [{ do: 'play', until: { kind: 'finished' } }],
    },
    {
      // Operator chaining: count -> print run in one task (5 subtasks, 5/5 acks); unchained, 7/7
      // and a barrier read by print from a channel it did not have before.
      id: 'chains',
      prediction: { choices: 3, answer: 1 },
      check: {
        kind: 'all',
        of: [
          { kind: 'answered' },
          { kind: 'config', chaining: false },
          { kind: 'checkpoint', status: 'COMPLETED', acks: 7 },
          { kind: 'event', type: 'barrier-received', where: { channel: 'count#0->print#0' } },
        ],
      },
      solution: [
        { do: 'answer', choice: 1 },
        { do: 'configure', options: { chaining: false } },
        {
          do: 'play',
          until: {
            kind: 'all',
            of: [
              { kind: 'checkpoint', status: 'COMPLETED', acks: 7 },
              { kind: 'event', type: 'barrier-received', where: { channel: 'count#0->print#0' } },
            ],
          },
        },
      ],
    },
    {
      // A challenge: back to 5/5 — the learner has to know that chaining is what made it 5.
      id: 'five-acks',
      challenge: true,
      check: {
        kind: 'all',
        of: [
          { kind: 'checkpoint', status: 'COMPLETED', acks: 5, why: 'acks' },
          { kind: 'finished' },
          { kind: 'state-size', operator: 'count', state: 'count', atLeast: 8, atMost: 8 },
        ],
      },
      solution: [
        { do: 'configure', options: { chaining: true } },
        { do: 'play', until: { kind: 'finished' } },
      ],
    },
  ],
});
