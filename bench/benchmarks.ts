/** Every benchmark `npm run bench` runs, in order. Register new ones here. */
import type { Benchmark } from './suite';
import { engineThroughput } from './engine-throughput';

export const BENCHMARKS: Benchmark[] = [engineThroughput];
