import { defineLesson } from '../../src/lessons/format';

/**
 * Lesson 4: state backends (the seed's §2.2 and §9.1) — the seed's MemoryStateBackend, FsStateBackend
 * and RocksDBStateBackend, and what they are called since Flink 1.13: a state backend
 * (HashMapStateBackend, EmbeddedRocksDBStateBackend) plus a checkpoint storage
 * (JobManagerCheckpointStorage, FileSystemCheckpointStorage). The job (job.ts) keeps order documents
 * and grows by about 2 MiB a second of virtual time: checkpoint 3 is over the memory backend's 5 MiB.
 */
export default defineLesson({
  number: 4,
  slug: 'state-backends',
  scenario: 'lesson-state-backends',
  seed: 1,
  options: { backend: 'memory' },
  steps: [
    {
      id: 'memory-crash',
      // Only an engine crash brings a job back with no checkpoint after checkpoint 2 (1.5 s) completed.
      check: {
        kind: 'all',
        of: [
          { kind: 'recovered', fromCheckpoint: false },
          { kind: 'time', atLeast: 1500 },
          { kind: 'not', check: { kind: 'checkpoint', status: 'COMPLETED' } },
        ],
      },
      solution: [
        { do: 'play', until: { kind: 'checkpoint', status: 'COMPLETED', atLeast: 2 } },
        { do: 'crash' },
      ],
    },
    {
      id: 'five-mebibytes',
      prediction: { choices: 4, answer: 2 },
      check: {
        kind: 'all',
        of: [
          { kind: 'answered' },
          { kind: 'checkpoint', status: 'FAILED' },
          { kind: 'event', type: 'job-restarting' },
        ],
      },
      solution: [
        { do: 'answer', choice: 2 },
        { do: 'play', until: { kind: 'event', type: 'job-restarting' } },
      ],
    },
    {
      id: 'file-system-survives',
      check: {
        kind: 'all',
        of: [
          {
            kind: 'any',
            of: [
              { kind: 'config', backend: 'hashmap' },
              { kind: 'config', backend: 'fs' },
            ],
          },
          { kind: 'recovered', fromCheckpoint: true },
        ],
      },
      solution: [
        { do: 'configure', options: { backend: 'hashmap' } },
        { do: 'play', until: { kind: 'checkpoint', status: 'COMPLETED', atLeast: 3 } },
        { do: 'crash' },
      ],
    },
    {
      id: 'incremental',
      check: {
        kind: 'all',
        of: [
          { kind: 'config', backend: 'rocksdb', incremental: true },
          { kind: 'checkpoint', status: 'COMPLETED', maxCheckpointedFraction: 0.5 },
        ],
      },
      solution: [
        { do: 'configure', options: { backend: 'rocksdb', checkpoint: { incremental: true } } },
        { do: 'play', until: { kind: 'checkpoint', status: 'COMPLETED', maxCheckpointedFraction: 0.5 } },
      ],
    },
    {
      // A challenge: state over 5 MiB (checkpoint 3 on) that survives an engine crash needs a durable
      // checkpoint storage and a backend without the memory backend's 5 MiB limit.
      id: 'crash-after-five-mebibytes',
      challenge: true,
      check: { kind: 'recovered', fromCheckpoint: true, checkpointAtLeast: 3, why: 'late-enough' },
      // The job ends at about 3.8 s: the solution starts it again (the hashmap backend on durable storage).
      solution: [
        { do: 'configure', options: { backend: 'hashmap' } },
        { do: 'play', until: { kind: 'checkpoint', status: 'COMPLETED', atLeast: 3 } },
        { do: 'crash' },
      ],
    },
  ],
});
