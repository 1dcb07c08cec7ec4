/**
 * Measurements of one engine instance (Flink's metric system, for what the experiments and the
 * benchmarks read): source → sink latency as a histogram, throughput counters, recovery figures.
 */
import type { StreamRecord } from './StreamElement';

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
    this.count++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
    if (ms < this.min) this.min = ms;
    let i = ms > HISTOGRAM_MIN_MS ? (Math.log2(ms / HISTOGRAM_MIN_MS) * BUCKETS_PER_DOUBLING) | 0 : 0;
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

  /** A record (ingested at `ingest`, event time `ts`) written by a sink at `end`. */
  recordSinkAt(ingest: number, ts: number | null, end: number): void {
    this.sinkRecords++;
    this.latency.add(end - ingest);
    if (ts !== null) this.eventTimeLag.add(end - ts);
  }

  /** Clears the latency distributions (e.g. after a warm-up); counters keep counting. */
  resetLatency(): void {
    this.latency.reset();
    this.eventTimeLag.reset();
  }
}
