import { defineLesson } from '../../src/lessons/format';

/**
 * Lesson 6: Flink's checkpoint barriers and their alignment — exactly-once without stopping the
 * sources (asynchronous barrier snapshotting; the seed's §3.2 step 3 "insert barriers" and §4.1, done
 * the way Flink does it). Same job as lesson 5: count#0 and count#1 each read a quiet channel (app)
 * and a busy one (enrich); barrier 1 arrives on the quiet one about 130 ms earlier.
 */
export default defineLesson({
  number: 6,
  slug: 'barriers-and-alignment',
  scenario: 'lesson-barriers-and-alignment',
  seed: 1,
  options: { mode: 'exactly-once' },
  steps: [
    {
      id: 'barriers-injected',
      check: {
        kind: 'all',
        of: [
          { kind: 'event', type: 'barrier-injected', where: { task: 'web#0' } },
          { kind: 'event', type: 'barrier-injected', where: { task: 'app#0' } },
          { kind: 'event', type: 'channel-blocked', where: { channel: 'app#0->count#0' } },
        ],
      },
      solution: [
        {
          do: 'play',
          until: { kind: 'event', type: 'channel-blocked', where: { channel: 'app#0->count#0' } },
        },
      ],
    },
    {
      id: 'held-records',
      prediction: { choices: 4, answer: 1 },
      check: {
        kind: 'all',
        of: [
          { kind: 'answered' },
          { kind: 'event', type: 'alignment-completed', where: { task: 'count#0' } },
          { kind: 'event', type: 'channel-unblocked', where: { channel: 'app#0->count#0' } },
        ],
      },
      solution: [
        { do: 'answer', choice: 1 },
        { do: 'play', until: { kind: 'event', type: 'alignment-completed', where: { task: 'count#0' } } },
      ],
    },
    {
      id: 'snapshot-and-forward',
      check: {
        kind: 'all',
        of: [
          { kind: 'event', type: 'barrier-received', where: { task: 'sink#0' } },
          { kind: 'event', type: 'checkpoint-completed' },
          { kind: 'not', check: { kind: 'event', type: 'sources-paused' } },
        ],
      },
      solution: [{ do: 'play', until: { kind: 'event', type: 'checkpoint-completed' } }],
    },
    {
      id: 'without-alignment',
      prediction: { choices: 3, answer: 2 },
      check: {
        kind: 'all',
        of: [
          { kind: 'answered' },
          { kind: 'config', mode: 'at-least-once' },
          { kind: 'checkpoint', status: 'COMPLETED' },
          { kind: 'not', check: { kind: 'event', type: 'channel-blocked' } },
        ],
      },
      solution: [
        { do: 'configure', options: { mode: 'at-least-once' } },
        { do: 'answer', choice: 2 },
        { do: 'play', until: { kind: 'checkpoint', status: 'COMPLETED' } },
      ],
    },
    {
      // A challenge: alignment on count#1 happens only in exactly-once mode (at-least-once never blocks).
      id: 'align-count-1',
      challenge: true,
      check: {
        kind: 'all',
        of: [
          { kind: 'event', type: 'alignment-completed', where: { task: 'count#1' }, why: 'no-alignment' },
          { kind: 'checkpoint', status: 'COMPLETED' },
        ],
      },
      solution: [
        { do: 'configure', options: { mode: 'exactly-once' } },
        {
          do: 'play',
          until: {
            kind: 'all',
            of: [
              { kind: 'event', type: 'alignment-completed', where: { task: 'count#1' } },
              { kind: 'checkpoint', status: 'COMPLETED' },
            ],
          },
        },
      ],
    },
  ],
});
