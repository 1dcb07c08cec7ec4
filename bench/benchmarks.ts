/** Every benchmark `npm run bench` runs, in order. Register new ones here. */
import type { Benchmark } from './suite';
import { engineThroughput } from './engine-throughput';
import { checkpointSize } from './checkpoint-size';
import { indexedDbBenchmark } from './indexeddb';
import { uiBenchmark } from './ui';
import { experimentsBenchmark } from './experiments';

export const BENCHMARKS: Benchmark[] = [
  engineThroughput,
  checkpointSize,
  indexedDbBenchmark,
  uiBenchmark,
  experimentsBenchmark,
];
