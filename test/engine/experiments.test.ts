/**
 * Experiments (src/engine/experiments/): each one runs at its small "test" size and must show the
 * qualitative result its publication states, computed from the simulator's data. Also: the runtime
 * measurements the experiments use (ingestion-time latency, replayed records), cancellation, and
 * determinism (same parameters ⇒ the same result).
 */
import { describe, expect, it } from 'vitest';
import {
  EXPERIMENTS,
  ExperimentCancelled,
  backpressure,
  getExperiment,
  listExperiments,
  recovery,
  resolveParameters,
  resultToCsv,
  resultToJson,
  snapshotOverhead,
  stateSize,
  type ExperimentResult,
  type Point,
} from '../../src/engine/experiments/index';
import { buildLabJob, newCluster, startProducer, uniformKeys } from '../../src/engine/experiments/harness';
import { LatencyHistogram } from '../../src/engine/runtime/MiniCluster';

function series(result: ExperimentResult, panel: string, id: string): Point[] {
  const s = result.panels.find((p) => p.id === panel)?.series.find((x) => x.id === id);
  if (!s) throw new Error(`no series ${panel}/${id}`);
  return s.points;
}

function y(points: Point[], x: number): number {
  const p = points.find((q) => q.x === x);
  if (!p || p.y === null) throw new Error(`no value at x=${x}`);
  return p.y;
}

function describeFailure(result: ExperimentResult): string {
  const a = getExperiment(result.experimentId).assessShape(result);
  return `${a.summary}\n${a.checks.map((c) => `${c.holds ? 'ok  ' : 'FAIL'} ${c.description}`).join('\n')}`;
}

describe('runtime measurements', () => {
  it('latency histogram: count, mean, max and quantiles within a bucket (±2.2 %)', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) h.add(i / 10); // 0.1 … 100 ms
    const s = h.summary();
    expect(s.count).toBe(1000);
    expect(s.meanMs).toBeCloseTo(50.05, 6);
    expect(s.maxMs).toBe(100);
    expect(Math.abs(s.p50Ms - 50) / 50).toBeLessThan(0.03);
    expect(Math.abs(s.p99Ms - 99) / 99).toBeLessThan(0.03);
    h.reset();
    expect(h.summary().count).toBe(0);
    expect(Number.isNaN(h.quantile(0.5))).toBe(true);
  });

  it('records carry their ingestion time to the sinks; sinks count them and measure latency', () => {
    const lab = buildLabJob({
      keys: 100,
      partitions: 2,
      parallelism: 2,
      sourceRecordMs: 0.05,
      operatorMs: 0.1,
      sinkMs: 0.05,
      checkpoint: null,
      backend: 'heap',
    });
    const cluster = newCluster(lab, 3);
    startProducer(cluster, lab, { kind: 'rate', arrivalMs: (i) => i / 2, key: uniformKeys(100) }, 3, 500);
    cluster.runUntil(600);
    const m = cluster.metrics;
    // Arrivals at 0, 0.5, …, 500 ms: 1001 records, all through the job by 600 ms.
    expect(m.sourceRecords).toBe(1001);
    expect(m.sinkRecords).toBe(1001);
    const lat = m.latency.summary();
    // Two channel hops (2–5 ms each) plus processing: never less than 4 ms, and no queueing at this load.
    expect(lat.count).toBe(1001);
    expect(lat.p50Ms).toBeGreaterThan(4);
    expect(lat.maxMs).toBeLessThan(12);
    // From arrival in the log: at least the source-to-sink latency.
    expect(m.eventTimeLag.summary().meanMs).toBeGreaterThanOrEqual(lat.meanMs);
  });

  it('counts the records the sources read again after a restart', () => {
    const lab = buildLabJob({
      keys: 100,
      partitions: 2,
      parallelism: 2,
      sourceRecordMs: 0.05,
      operatorMs: 0.1,
      sinkMs: 0.05,
      checkpoint: { mode: 'exactly-once', intervalMs: 200 },
      backend: 'heap',
      restart: { type: 'fixed-delay', attempts: 5, delayMs: 50 },
    });
    const cluster = newCluster(lab, 5);
    startProducer(cluster, lab, { kind: 'rate', arrivalMs: (i) => i / 2, key: uniformKeys(100) }, 5, 2000);
    cluster.scheduleTaskFailure('count#0', 1000);
    cluster.runUntil(2000);
    const restored = cluster.coordinator.history.find((c) => c.id === cluster.failures[0].restoredFrom);
    expect(restored).toBeDefined();
    expect(cluster.metrics.restarts).toBe(1);
    // Everything read between the restored checkpoint's barrier and the failure, about 2 records/ms.
    const expected = 2 * (1000 - (restored?.triggerTime ?? 0));
    expect(cluster.metrics.recordsReplayed).toBeGreaterThan(expected * 0.8);
    expect(cluster.metrics.recordsReplayed).toBeLessThan(expected * 1.2 + 10);
  });
});

describe('aligned-checkpoint timeout under backpressure (announced barriers)', () => {
  // Barriers wait behind full input buffers; at the timeout the receiver switches to unaligned
  // without having read them. Restoring such a checkpoint must still be exactly-once.
  const run = (fail: boolean) => {
    const lab = buildLabJob({
      keys: 50,
      partitions: 2,
      parallelism: 2,
      sourceRecordMs: 0.01,
      operatorMs: 0.5,
      sinkMs: 0.01,
      checkpoint: { mode: 'unaligned', intervalMs: 150, alignedTimeoutMs: 20 },
      backend: 'heap',
      restart: { type: 'fixed-delay', attempts: 5, delayMs: 20 },
    });
    const cluster = newCluster(lab, 11);
    // 6,000 records in 600 ms against a capacity of 4 per ms: backpressure for about 1.5 s.
    startProducer(
      cluster,
      lab,
      { kind: 'rate', arrivalMs: (i) => (i < 6000 ? i / 10 : Infinity), key: uniformKeys(50) },
      11,
      600,
    );
    if (fail) cluster.scheduleTaskFailure('count#1', 900);
    cluster.runUntil(5000);
    return cluster;
  };

  it('switches at the timeout, persists the buffers, and restores exactly once', () => {
    const reference = run(false);
    const faulty = run(true);
    const switched = faulty.coordinator.history.filter(
      (c) => c.status === 'COMPLETED' && c.persistedInFlightBytes > 0,
    );
    expect(switched.length).toBeGreaterThan(0);
    // Far shorter than waiting behind the buffers (about 2 × 64 records × 0.5 ms).
    for (const c of switched) expect(c.endToEndMs).toBeLessThan(60);
    const restored = faulty.coordinator.history.find((c) => c.id === faulty.failures[0]?.restoredFrom);
    expect(restored?.persistedInFlightBytes).toBeGreaterThan(0);
    expect(faulty.metrics.recordsReplayed).toBeGreaterThan(0);
    expect(faulty.keyedStateByOperator()).toEqual(reference.keyedStateByOperator());
    const total = Object.values(reference.keyedStateByOperator().count.count).reduce(
      (n: number, v) => n + (v as number),
      0,
    );
    expect(total).toBe(6000);
  });
});

describe('experiment registry', () => {
  it('lists four experiments with citations, claims and parameters (plain data)', () => {
    const infos = listExperiments();
    expect(infos.map((e) => e.id)).toEqual(['snapshot-overhead', 'backpressure', 'state-size', 'recovery']);
    for (const e of infos) {
      expect(e.citation.url).toMatch(/^https:\/\//);
      expect(e.claim.length).toBeGreaterThan(40);
      expect(structuredClone(e)).toEqual(e);
      // Defaults and test sizes are valid.
      resolveParameters(e.parameters, {}, 'default');
      resolveParameters(e.parameters, {}, 'test');
    }
    expect(EXPERIMENTS).toHaveLength(4);
  });

  it('validates parameters', () => {
    const specs = snapshotOverhead.parameters;
    expect(() => resolveParameters(specs, { nope: 1 })).toThrow(/unknown parameter 'nope'/);
    expect(() => resolveParameters(specs, { intervals: [1] })).toThrow(/outside/);
    expect(() => resolveParameters(specs, { keys: 1.5 })).toThrow(/integer/);
    expect(() => resolveParameters(specs, { intervals: 100 })).toThrow(/list/);
    expect(resolveParameters(specs, { intervals: [1000, 100, 1000] }).intervals).toEqual([100, 1000]);
  });
});

describe('snapshot overhead vs interval (Carbone et al. 2015)', () => {
  const result = snapshotOverhead.run({}, {}, 'test');

  it("stop-the-world's overhead grows as the interval shrinks; aligned ABS stays near the baseline", () => {
    const stw = series(result, 'overhead', 'stop-the-world');
    const abs = series(result, 'overhead', 'exactly-once');
    const unaligned = series(result, 'overhead', 'unaligned');
    expect(y(stw, 100)).toBeGreaterThan(y(stw, 10000));
    expect(y(stw, 100)).toBeGreaterThan(y(stw, 1000));
    expect(y(stw, 100)).toBeGreaterThan(3 * y(abs, 100));
    expect(y(stw, 100)).toBeGreaterThan(3 * y(unaligned, 100));
    // Throughput: ABS within a few percent of no checkpoints even at 100 ms.
    const base = y(series(result, 'throughput', 'none'), 100);
    expect(y(series(result, 'throughput', 'exactly-once'), 100)).toBeGreaterThan(0.95 * base);
    expect(y(series(result, 'throughput', 'stop-the-world'), 100)).toBeLessThan(0.95 * base);
  });

  it('stop-the-world pauses show in the tail latency; ABS does not', () => {
    const p99 = (id: string, x: number) => y(series(result, 'latency-p99', id), x);
    expect(p99('stop-the-world', 100)).toBeGreaterThan(1.5 * p99('none', 100));
    expect(p99('stop-the-world', 100)).toBeGreaterThan(p99('exactly-once', 100));
    expect(p99('exactly-once', 100)).toBeLessThan(1.3 * p99('none', 100));
  });

  it('its shape assessment agrees', () => {
    const a = snapshotOverhead.assessShape(result);
    expect(a.holds, describeFailure(result)).toBe(true);
    expect(a.checks.length).toBeGreaterThanOrEqual(3);
  });
});

describe('checkpoints under backpressure (FLIP-76)', () => {
  const result = backpressure.run({}, {}, 'test');

  it('unaligned checkpoint duration stays flat while aligned grows with the slow operator', () => {
    const aligned = series(result, 'duration', 'aligned');
    const unaligned = series(result, 'duration', 'unaligned');
    const [lo, hi] = [0.05, 2];
    expect(y(aligned, hi)).toBeGreaterThan(5 * y(aligned, lo));
    expect(y(unaligned, hi)).toBeLessThan(1.5 * y(unaligned, lo));
    expect(y(unaligned, hi)).toBeLessThan(y(aligned, hi) / 10);
  });

  it('unaligned persists in-flight data, aligned none; the timeout variant switches only when needed', () => {
    for (const x of [0.05, 0.5, 2]) {
      expect(y(series(result, 'in-flight', 'unaligned'), x)).toBeGreaterThan(0);
      expect(y(series(result, 'in-flight', 'aligned'), x)).toBe(0);
    }
    const timeout = series(result, 'duration', 'aligned-timeout');
    // Fast operator: aligned finishes before the 100 ms timeout, nothing persisted.
    expect(y(series(result, 'in-flight', 'aligned-timeout'), 0.05)).toBe(0);
    expect(y(timeout, 0.05)).toBeCloseTo(y(series(result, 'duration', 'aligned'), 0.05), 6);
    // Slow operator: bounded near the timeout instead of the aligned duration.
    expect(y(timeout, 2)).toBeLessThan(y(series(result, 'duration', 'aligned'), 2) / 2);
    expect(y(series(result, 'in-flight', 'aligned-timeout'), 2)).toBeGreaterThan(0);
  });

  it('its shape assessment agrees', () => {
    expect(backpressure.assessShape(result).holds, describeFailure(result)).toBe(true);
  });
});

describe('checkpoint size: full vs incremental (Flink incremental checkpoints)', () => {
  const result = stateSize.run({}, {}, 'test');

  it('incremental uploads about the 1 % that changed; full uploads everything', () => {
    const heap = series(result, 'uploaded', 'heap');
    const full = series(result, 'uploaded', 'rocksdb-full');
    const inc = series(result, 'uploaded', 'rocksdb-incremental');
    for (const keys of [1000, 4000, 16000]) {
      expect(y(inc, keys)).toBeLessThan(0.05 * y(full, keys));
      expect(y(inc, keys)).toBeLessThan(0.05 * y(heap, keys));
    }
    // Full size ∝ state: 16× the keys, about 16× the bytes.
    const ratio = y(heap, 16000) / y(heap, 1000);
    expect(ratio).toBeGreaterThan(12);
    expect(ratio).toBeLessThan(20);
  });

  it('full checkpoints take longer as the state grows; incremental ones do not', () => {
    const heap = series(result, 'duration', 'heap');
    const inc = series(result, 'duration', 'rocksdb-incremental');
    expect(y(heap, 16000)).toBeGreaterThan(y(heap, 1000));
    expect(y(inc, 16000)).toBeLessThan(y(heap, 16000));
  });

  it('its shape assessment agrees', () => {
    expect(stateSize.assessShape(result).holds, describeFailure(result)).toBe(true);
  });
});

describe('recovery cost vs checkpoint interval', () => {
  const result = recovery.run({}, {}, 'test');

  it('records replayed and time to catch up grow with the interval', () => {
    const replayed = series(result, 'replayed', 'replayed');
    const catchUp = series(result, 'catch-up', 'catch-up');
    expect(y(replayed, 3000)).toBeGreaterThan(y(replayed, 1000));
    expect(y(replayed, 1000)).toBeGreaterThan(y(replayed, 100));
    expect(y(catchUp, 3000)).toBeGreaterThan(y(catchUp, 100));
    // The restart delay (100 ms) is a floor.
    for (const p of catchUp) expect(p.y).toBeGreaterThanOrEqual(100);
  });

  it('its shape assessment agrees', () => {
    expect(recovery.assessShape(result).holds, describeFailure(result)).toBe(true);
  });
});

describe('running experiments', () => {
  const tiny = { slowMs: [0.5], checkpoints: 2, warmupMs: 200 };

  it('is deterministic: the same parameters give the same result', () => {
    const a = backpressure.run(tiny, {}, 'test');
    const b = backpressure.run(tiny, {}, 'test');
    expect(b).toEqual(a);
    const c = snapshotOverhead.run({ intervals: [200], windowMs: 500, warmupMs: 100 }, {}, 'test');
    const d = snapshotOverhead.run({ intervals: [200], windowMs: 500, warmupMs: 100 }, {}, 'test');
    expect(d).toEqual(c);
  });

  it('reports progress and stops when cancelled (sync and async)', async () => {
    const fractions: number[] = [];
    backpressure.run(tiny, { onProgress: (f) => fractions.push(f) }, 'test');
    expect(fractions.length).toBeGreaterThan(3);
    expect(fractions[fractions.length - 1]).toBe(1);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1]);

    let calls = 0;
    expect(() =>
      snapshotOverhead.run({}, { onProgress: () => calls++, isCancelled: () => calls >= 5 }, 'default'),
    ).toThrow(ExperimentCancelled);
    expect(calls).toBe(5);

    let yields = 0;
    let cancelled = false;
    const run = recovery.runAsync(
      {},
      {
        isCancelled: () => cancelled,
        yieldToHost: async () => {
          if (++yields === 3) cancelled = true; // e.g. a cancel message handled between chunks
        },
      },
      'default',
    );
    await expect(run).rejects.toBeInstanceOf(ExperimentCancelled);
    expect(yields).toBe(3);
  });

  it('runAsync gives the same result as run', async () => {
    const a = backpressure.run(tiny, {}, 'test');
    const b = await backpressure.runAsync(tiny, { chunksPerYield: 4 }, 'test');
    expect(b).toEqual(a);
  });

  it('exports the table as CSV and JSON', () => {
    const r = backpressure.run(tiny, {}, 'test');
    const csv = resultToCsv(r).trim().split('\n');
    expect(csv[0]).toBe(r.table.columns.map((c) => (c.unit ? `${c.label} (${c.unit})` : c.label)).join(','));
    expect(csv).toHaveLength(1 + r.table.rows.length);
    const json = JSON.parse(resultToJson(r, backpressure.assessShape(r))) as {
      experimentId: string;
      assessment: { claim: string };
    };
    expect(json.experimentId).toBe('backpressure');
    expect(json.assessment.claim).toBe(backpressure.claim);
  });
});
