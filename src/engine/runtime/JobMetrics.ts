/**
 * Measurements of one engine instance (Flink's metric system, for what the experiments and the
 * benchmarks read): source → sink latency as a histogram, throughput counters, recovery figures.
 */
import type { StreamRecord } from './StreamElement';

/** Where a chained sink's record times are (a StreamTask). */
interface SinkTimes {
  readonly currentTimestamp: number | null;
  readonly clock: number;
}

/** Lower bound of the first latency bucket (ms) and buckets per doubling: about ±2.2 % per bucket. */
const HISTOGRAM_MIN_MS = 0.01;
const BUCKETS_PER_DOUBLING = 16;
const HISTOGRAM_BUCKETS = 512; // up to 0.01 ms * 2^32: beyond any run

export interface LatencySummary {
  count: number;
  meanMs: number;
  maxMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
}

// floor(16 · log2(y)) from the bits of y: exponent · 16 + the sixteenth of the octave its mantissa
// falls in. `Math.log2` (≈ 6 % of the WordCount benchmark's CPU, two calls per record a sink writes)
// is only called for mantissas within 1e-9 of a sixteenth's edge, where its rounding could decide.
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
const HI = (() => {
  bits[0] = 1; // 0x3ff00000_00000000: the high word holds the exponent
  return words[1] === 0x3ff00000 ? 1 : 0;
})();
/** 2^(j/16), j = 0..16. */
const OCTAVE_STEPS = Float64Array.from({ length: BUCKETS_PER_DOUBLING + 1 }, (_, j) =>
  Math.pow(2, j / BUCKETS_PER_DOUBLING),
);
const EDGE_GUARD = 1e-9;

/** A double handed to a call in a typed array (unboxed), see `LatencyHistogram.addLatencyArg`. */
const latencyArg = new Float64Array(1);

/** `(Math.log2(y) * 16) | 0` for y > 1, the same value, mostly without `Math.log2`. */
export function logBucket(y: number): number {
  latencyArg[0] = y;
  return logBucketOfArg();
}

/** `logBucket(latencyArg[0])`. */
function logBucketOfArg(): number {
  const y = latencyArg[0];
  if (!(y < 2 ** 1000)) return (Math.log2(y) * BUCKETS_PER_DOUBLING) | 0; // huge, Infinity, NaN
  bits[0] = y;
  const hi = words[HI];
  const exponent = (hi >>> 20) - 1023;
  words[HI] = (hi & 0x000fffff) | 0x3ff00000;
  const m = bits[0]; // the mantissa, in [1, 2)
  let j = m >= OCTAVE_STEPS[8] ? 8 : 0;
  if (m >= OCTAVE_STEPS[j + 4]) j += 4;
  if (m >= OCTAVE_STEPS[j + 2]) j += 2;
  if (m >= OCTAVE_STEPS[j + 1]) j += 1;
  if (m - OCTAVE_STEPS[j] < EDGE_GUARD || OCTAVE_STEPS[j + 1] - m < EDGE_GUARD)
    return (Math.log2(y) * BUCKETS_PER_DOUBLING) | 0;
  return exponent * BUCKETS_PER_DOUBLING + j;
}

/**
 * A latency distribution in fixed log-spaced buckets (16 per doubling from 0.01 ms): constant memory,
 * one `Math.log2` per value; quantiles are read at a bucket's geometric middle (about ±2.2 %).
 */
export class LatencyHistogram {
  count = 0;
  sum = 0;
  max = 0;
  min = Infinity;
  readonly buckets = new Float64Array(HISTOGRAM_BUCKETS);

  add(ms: number): void {
    latencyArg[0] = ms;
    this.addLatencyArg();
  }

  /**
   * `add(latencyArg[0])`. The hot path (a sink's write) hands the value over in a typed array: a
   * double argument to a call that is not inlined is boxed, an allocation per record.
   */
  addLatencyArg(): void {
    const ms = latencyArg[0];
    this.count++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
    if (ms < this.min) this.min = ms;
    let i = 0;
    if (ms > HISTOGRAM_MIN_MS) {
      latencyArg[0] = ms / HISTOGRAM_MIN_MS;
      i = logBucketOfArg();
    }
    if (i >= HISTOGRAM_BUCKETS) i = HISTOGRAM_BUCKETS - 1;
    this.buckets[i]++;
  }

  /** The q-quantile (0..1), NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < HISTOGRAM_BUCKETS; i++) {
      seen += this.buckets[i];
      if (seen >= rank) {
        const mid = HISTOGRAM_MIN_MS * Math.pow(2, (i + 0.5) / BUCKETS_PER_DOUBLING);
        return Math.min(this.max, Math.max(this.min, mid));
      }
    }
    return this.max;
  }

  summary(): LatencySummary {
    return {
      count: this.count,
      meanMs: this.count > 0 ? this.sum / this.count : NaN,
      maxMs: this.count > 0 ? this.max : NaN,
      p50Ms: this.quantile(0.5),
      p90Ms: this.quantile(0.9),
      p99Ms: this.quantile(0.99),
    };
  }

  reset(): void {
    this.count = 0;
    this.sum = 0;
    this.max = 0;
    this.min = Infinity;
    this.buckets.fill(0);
  }
}

/**
 * Measurements of one engine instance, for experiments and benchmarks (cheap enough to be always on):
 *
 * - `latency`: source → sink, from the record's ingestion time (when a source emitted it; inherited
 *   through every operator) to the end of the sink's write. Like Flink's latency markers it does not
 *   see time a record waited in the log before the source read it.
 * - `eventTimeLag`: record timestamp → sink write. When a producer stamps records with the virtual
 *   time it appended them (`appendToSource`), this is the end-to-end latency including the wait in the
 *   log (a paused or rewound source shows here).
 * - `sinkRecords` / `sourceRecords`: records written by sinks / emitted by sources (replays included);
 *   throughput = difference between two samples / virtual time between them.
 * - `recordsReplayed`: records the sources read again after restarts (offset at failure − restored offset).
 */
export class JobMetrics {
  sinkRecords = 0;
  sourceRecords = 0;
  readonly latency = new LatencyHistogram();
  readonly eventTimeLag = new LatencyHistogram();
  recordsReplayed = 0;
  restarts = 0;

  /** @internal a sink finished writing `record` at virtual time `end`. */
  recordSink(record: StreamRecord, end: number): void {
    this.recordSinkAt(record.ingest, record.ts, end);
  }

  /**
   * A record written by a sink chained in a task, now: ingested at `ingest.ingestTime`, event time
   * `task.currentTimestamp`, done at `task.clock`. Objects, not numbers, are passed: a double argument
   * to a call that is not inlined is boxed (an allocation per record on the hot path).
   */
  recordSinkOf(ingest: { readonly ingestTime: number }, task: SinkTimes): void {
    this.recordSinkAt(ingest.ingestTime, task.currentTimestamp, task.clock);
  }

  /** A record (ingested at `ingest`, event time `ts`) written by a sink at `end`. */
  recordSinkAt(ingest: number, ts: number | null, end: number): void {
    this.sinkRecords++;
    latencyArg[0] = end - ingest;
    this.latency.addLatencyArg();
    if (ts !== null) {
      latencyArg[0] = end - ts;
      this.eventTimeLag.addLatencyArg();
    }
  }

  /** Clears the latency distributions (e.g. after a warm-up); counters keep counting. */
  resetLatency(): void {
    this.latency.reset();
    this.eventTimeLag.reset();
  }
}
