/**
 * The benchmark suite's contract. A benchmark is a named function that measures something and returns
 * a result: rows for the human-readable table, metrics for the JSON report, and optionally headline
 * figures that `run.ts` copies to the top level of the report. `run.ts` runs every registered
 * benchmark (see `benchmarks.ts`); add new ones (IndexedDB, UI frames, ...) there.
 *
 * A benchmark that finds a wrong result must throw: a fast wrong answer is not a measurement.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

export interface BenchOptions {
  /** Smaller inputs and fewer repeats, for a smoke run. */
  quick: boolean;
  /** Timed repetitions per measurement (after warm-up); undefined = the benchmark's default. */
  repeats?: number;
  /** Benchmark-specific `--key value` options from the command line. */
  params: ReadonlyMap<string, string>;
  /** Progress messages (stderr, so that `--json` keeps stdout clean). */
  log(message: string): void;
}

export interface TableRow {
  label: string;
  value: string;
  note?: string;
}

export interface BenchmarkResult {
  name: string;
  /** Lines of the human-readable report. */
  rows: TableRow[];
  /** Everything worth keeping, JSON-serialisable. */
  metrics: Record<string, unknown>;
  /** Figures copied to the top level of the JSON report (names must be unique across benchmarks). */
  headline?: Record<string, number | boolean>;
}

export interface Benchmark {
  name: string;
  description: string;
  run(options: BenchOptions): Promise<BenchmarkResult> | BenchmarkResult;
}

// ------------------------------------------------------------------ helpers

/** Numeric option from `--key value`, with a default; throws on garbage. */
export function numberParam(options: BenchOptions, key: string, fallback: number): number {
  const raw = options.params.get(key);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${key} must be a positive number, got '${raw}'`);
  return n;
}

let gcFn: (() => void) | null | undefined;

/**
 * A full GC before a timed section, so garbage left by the previous measurement is not collected on
 * the next one's clock. Works without `--expose-gc` (the flag can be set at run time).
 */
export function collectGarbage(): void {
  if (gcFn === undefined) {
    const existing = (globalThis as { gc?: () => void }).gc;
    if (typeof existing === 'function') gcFn = existing;
    else {
      try {
        v8.setFlagsFromString('--expose-gc');
        gcFn = vm.runInNewContext('gc') as () => void;
      } catch {
        gcFn = null;
      }
    }
  }
  gcFn?.();
}

/**
 * Milliseconds spent in GC pauses of the main thread between `start()` and `stop()` (V8 reports GC
 * through `PerformanceObserver`, asynchronously: `stop()` waits a tick for the last entries).
 */
export class GcTimer {
  private total = 0;
  private readonly observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) this.total += e.duration;
  });
  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }
  async start(): Promise<void> {
    await new Promise((r) => setTimeout(r, 0));
    this.total = 0;
  }
  async stop(): Promise<number> {
    await new Promise((r) => setTimeout(r, 0));
    return this.total;
  }
  dispose(): void {
    this.observer.disconnect();
  }
}

/**
 * Bytes allocated on the V8 heap between `start()` and `stop()`, and the GC time V8 reports for the
 * same window. Exact, not sampled: V8 has no allocation counter, so the meter adds up what the heap
 * grew by and what every GC in between freed — `used(end) − used(start) + Σ (used before GC − used
 * after GC)`, the per-GC figures coming from `v8.GCProfiler`. Everything the thread allocates in the
 * window counts (engine, user functions, the bench's own loop), as a profiler would see it.
 */
export class AllocationMeter {
  private profiler: v8.GCProfiler | null = null;
  private usedAtStart = 0;

  start(): void {
    this.usedAtStart = v8.getHeapStatistics().used_heap_size;
    this.profiler = new v8.GCProfiler();
    this.profiler.start();
  }

  stop(): { bytes: number; gcCount: number; gcMs: number } {
    const usedAtEnd = v8.getHeapStatistics().used_heap_size;
    const result = this.profiler?.stop();
    this.profiler = null;
    let freed = 0;
    let costUs = 0;
    const gcs = result?.statistics ?? [];
    for (const gc of gcs) {
      freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
      costUs += gc.cost;
    }
    return { bytes: usedAtEnd - this.usedAtStart + freed, gcCount: gcs.length, gcMs: costUs / 1000 };
  }
}

/** CPU time since `start` (user + system of every thread, so V8's parallel GC helpers count too), in ms. */
export function cpuMsSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

export interface SampleStats {
  samples: number[];
  median: number;
  min: number;
  max: number;
  /** (max - min) / median: how noisy the samples were. */
  spread: number;
}

export function stats(samples: number[]): SampleStats {
  if (samples.length === 0) throw new Error('no samples');
  const sorted = samples.slice().sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const min = sorted[0];
  const max = sorted[sorted.length - 1];
  return { samples, median, min, max, spread: median > 0 ? (max - min) / median : 0 };
}

export function formatInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function formatRate(perSec: number): string {
  if (perSec >= 1e6) return `${(perSec / 1e6).toFixed(2)} M/s`;
  if (perSec >= 1e3) return `${(perSec / 1e3).toFixed(1)} k/s`;
  return `${perSec.toFixed(1)} /s`;
}

export function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
