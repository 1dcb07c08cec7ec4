import { defineLesson } from '../../src/lessons/format';

/**
 * Lesson 7: checkpointing without alignment. At-least-once (Flink's CheckpointBarrierTracker) never
 * blocks a channel, so a restored state can already contain records that are replayed: duplicates,
 * even behind a two-phase-commit sink. Then backpressure: aligned barriers wait in line behind the
 * queued records, unaligned barriers overtake them and the records are persisted with the checkpoint.
 * The seed's §3.2 and §4.1 (barriers, markers), beyond what the seed says.
 */
/** The job graph's "slow" toggle on count: max(1 ms, its time per record) × 10 = 10 ms per record. */
const slowCount = { do: 'slow', operator: 'count', ms: 10 } as const;

export default defineLesson({
  number: 7,
  slug: 'at-least-once-and-unaligned',
  scenario: 'visits',
  seed: 1,
  // The visits log at 4.5 ms a record per partition (2,500 records a partition: the run lasts about
  // 12.5 s, a dozen checkpoints). At-least-once duplicates need a record that reaches a count subtask
  // on a channel whose barrier has passed before the barrier on another channel arrives. The four
  // barriers of a checkpoint leave the sources together and differ only by channel latency (2-5 ms),
  // so a source must emit a record within those few ms after its barrier. At 5 ms no record lands in
  // the gap between checkpoint 1's barriers at count#1 (seed 1's latencies); at 4.5 ms one does, and
  // solutions.test.ts fails if that ever changes. (At 1 ms every checkpoint has such records, but the
  // run lasts 2.5 s, too short to act on.)
  options: { processingTimeMs: { source: 4.5 } },
  steps: [
    {
      id: 'at-least-once',
      check: { kind: 'config', mode: 'at-least-once' },
      solution: [{ do: 'configure', options: { mode: 'at-least-once' } }],
    },
    {
      id: 'no-alignment',
      check: {
        kind: 'all',
        of: [
          { kind: 'checkpoint', status: 'COMPLETED' },
          { kind: 'not', check: { kind: 'event', type: 'channel-blocked' } },
        ],
      },
      solution: [{ do: 'play', until: { kind: 'checkpoint', status: 'COMPLETED' } }],
    },
    {
      id: 'predict-duplicates',
      prediction: { choices: 3, answer: 1 },
      check: {
        kind: 'all',
        of: [
          { kind: 'answered' },
          { kind: 'event', type: 'task-failed', where: { task: 'count#1' } },
          { kind: 'sink', verdict: ['duplicates'] },
        ],
      },
      solution: [
        { do: 'answer', choice: 1 },
        { do: 'fail', task: 'count#1' },
        { do: 'play', until: { kind: 'sink', verdict: ['duplicates'] } },
      ],
    },
    {
      id: 'aligned-backpressure',
      check: {
        kind: 'all',
        of: [
          { kind: 'config', mode: 'exactly-once' },
          { kind: 'event', type: 'backpressure' },
          { kind: 'checkpoint', status: 'COMPLETED' },
        ],
      },
      solution: [
        { do: 'configure', options: { mode: 'exactly-once' } },
        slowCount,
        { do: 'play', until: { kind: 'checkpoint', status: 'COMPLETED' } },
      ],
    },
    {
      id: 'unaligned',
      check: {
        kind: 'all',
        of: [
          { kind: 'config', mode: 'unaligned' },
          { kind: 'event', type: 'backpressure' },
          { kind: 'checkpoint', status: 'COMPLETED', minPersistedInFlightBytes: 10_000 },
        ],
      },
      solution: [
        { do: 'configure', options: { mode: 'unaligned' } },
        slowCount,
        {
          do: 'play',
          until: {
            kind: 'all',
            of: [
              { kind: 'event', type: 'backpressure' },
              { kind: 'checkpoint', status: 'COMPLETED', minPersistedInFlightBytes: 10_000 },
            ],
          },
        },
      ],
    },
  ],
});
