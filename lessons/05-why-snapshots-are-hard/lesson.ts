import { defineLesson } from '../../src/lessons/format';

/**
 * Lesson 5: why a consistent snapshot of a running job is hard — the seed's §3.2 (pause the sources,
 * drain, snapshot: stop the world) and §4.1 (Chandy-Lamport markers), against what Flink does:
 * asynchronous barrier snapshotting, which never pauses the sources. The job (job.ts): visits from a
 * busy source behind a slow lookup and from a quiet source, so the channels are unequally full.
 */
export default defineLesson({
  number: 5,
  slug: 'why-snapshots-are-hard',
  scenario: 'lesson-why-snapshots-are-hard',
  seed: 1,
  options: { mode: 'stop-the-world' },
  steps: [
    {
      id: 'stop-the-world',
      prediction: { choices: 3, answer: 1 },
      check: {
        kind: 'all',
        of: [
          { kind: 'answered' },
          { kind: 'event', type: 'sources-paused' },
          { kind: 'event', type: 'sources-resumed' },
          { kind: 'event', type: 'checkpoint-completed' },
        ],
      },
      solution: [
        { do: 'answer', choice: 1 },
        { do: 'play', until: { kind: 'event', type: 'sources-resumed' } },
      ],
    },
    {
      id: 'markers',
      prediction: { choices: 3, answer: 1 },
      check: {
        kind: 'all',
        of: [
          { kind: 'answered' },
          { kind: 'config', mode: 'chandy-lamport' },
          { kind: 'checkpoint', status: 'COMPLETED', minPersistedInFlightBytes: 1 },
          { kind: 'not', check: { kind: 'event', type: 'sources-paused' } },
        ],
      },
      solution: [
        { do: 'configure', options: { mode: 'chandy-lamport' } },
        { do: 'answer', choice: 1 },
        { do: 'play', until: { kind: 'checkpoint', status: 'COMPLETED' } },
      ],
    },
    {
      id: 'flink-barriers',
      check: {
        kind: 'all',
        of: [
          { kind: 'config', mode: 'exactly-once' },
          { kind: 'checkpoint', status: 'COMPLETED' },
          { kind: 'not', check: { kind: 'event', type: 'sources-paused' } },
          {
            kind: 'not',
            check: { kind: 'checkpoint', status: 'COMPLETED', minPersistedInFlightBytes: 1 },
          },
        ],
      },
      solution: [
        { do: 'configure', options: { mode: 'exactly-once' } },
        { do: 'play', until: { kind: 'checkpoint', status: 'COMPLETED' } },
      ],
    },
    {
      // A challenge: records saved in the channels, sources never paused: Chandy-Lamport's markers.
      id: 'in-flight-without-pause',
      challenge: true,
      check: {
        kind: 'all',
        of: [
          {
            kind: 'checkpoint',
            status: 'COMPLETED',
            minPersistedInFlightBytes: 1,
            atLeast: 2,
            why: 'in-flight',
          },
          { kind: 'not', check: { kind: 'event', type: 'sources-paused' }, why: 'paused' },
        ],
      },
      solution: [
        { do: 'configure', options: { mode: 'chandy-lamport' } },
        {
          do: 'play',
          until: { kind: 'checkpoint', status: 'COMPLETED', minPersistedInFlightBytes: 1, atLeast: 2 },
        },
      ],
    },
  ],
});
