/**
 * Experiments through the worker's API, driven on EngineHost directly in Node (no worker, no
 * comlink): the listing is plain data, a run answers with the result, its shape assessment and the
 * CSV/JSON downloads, progress is batched (at most one report per interval), other calls are answered
 * while a run goes on, and a cancel stops it at its next chunk.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { getExperiment } from '../../src/engine/experiments/index';
import { EngineHost } from '../../src/worker/EngineHost';
import type { ExperimentProgress, ParameterValues } from '../../src/worker/protocol';
import { IndexedDbCheckpointStorage } from '../../src/storage/index';
import { freshDbName } from '../storage/helpers';

/** The "test" preset of an experiment, as explicit parameters (what the app would send). */
function testParams(id: string): ParameterValues {
  return Object.fromEntries(getExperiment(id).parameters.map((p) => [p.id, p.test]));
}

function host(options: { sliceMs?: number; progressMs?: number } = {}) {
  const dbName = freshDbName();
  return new EngineHost({
    openStorage: (o) => IndexedDbCheckpointStorage.open({ ...o, dbName }),
    experimentSliceMs: options.sliceMs,
    experimentProgressIntervalMs: options.progressMs,
  });
}

describe('EngineHost experiments', () => {
  it('lists the experiments as structured-clone-safe data', async () => {
    const infos = await host().listExperiments();
    expect(infos.map((i) => i.id)).toEqual(['snapshot-overhead', 'backpressure', 'state-size', 'recovery']);
    for (const info of infos) {
      expect(info.claim.length).toBeGreaterThan(20);
      expect(info.citation.url).toMatch(/^https:\/\//);
      expect(info.parameters.length).toBeGreaterThan(0);
    }
    // What a worker posts: nothing is lost by structured cloning (no functions, no classes).
    expect(structuredClone(infos)).toEqual(infos);
  });

  it('runs an experiment: result, assessment, CSV and JSON; progress batched to one report per interval', async () => {
    const h = host({ progressMs: 100 });
    const progress: ExperimentProgress[] = [];
    const outcome = await h.runExperiment('backpressure', testParams('backpressure'), (p) => {
      progress.push(p);
    });
    expect(outcome.status).toBe('completed');
    if (outcome.status !== 'completed') return;
    const { result, assessment, csv, json } = outcome;
    expect(result.experimentId).toBe('backpressure');
    expect(result.parameters.slowMs).toEqual([0.05, 0.5, 2]);
    expect(assessment.holds).toBe(true);
    expect(assessment.checks.length).toBeGreaterThan(0);
    // The same as the engine's synchronous run (deterministic).
    expect(result).toEqual(getExperiment('backpressure').run(testParams('backpressure')));
    const lines = csv.trim().split('\n');
    expect(lines[0]).toMatch(/^Variant,Slow operator per record \(ms\),/);
    expect(lines).toHaveLength(1 + result.table.rows.length);
    expect(JSON.parse(json)).toMatchObject({ experimentId: 'backpressure', assessment: { holds: true } });
    expect(structuredClone(outcome)).toEqual(outcome);

    // Batched: the engine reports after every chunk (hundreds), the host at most every 100 ms + the last.
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(outcome.wallMs / 100) + 2);
    for (let i = 2; i < progress.length; i++)
      expect(progress[i - 1].elapsedMs - progress[i - 2].elapsedMs).toBeGreaterThanOrEqual(100);
    expect(progress.at(-1)).toMatchObject({ experimentId: 'backpressure', fraction: 1 });
    const fractions = progress.map((p) => p.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
  });

  it('answers other calls while a run goes on, and a cancel stops it at its next chunk', async () => {
    const h = host({ sliceMs: 5 });
    // The default sizes of snapshot-overhead take many seconds: long enough to cancel.
    let reports = 0;
    const run = h.runExperiment('snapshot-overhead', {}, () => {
      reports++;
    });
    let settled = false;
    void run.finally(() => (settled = true));
    // Other traffic is served between slices.
    const t0 = performance.now();
    const infos = await h.listExperiments();
    expect(infos).toHaveLength(4);
    await new Promise((r) => setTimeout(r, 150));
    expect(settled).toBe(false);
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(await h.cancelExperiment()).toBe(true);
    const cancelledAt = performance.now();
    expect(await run).toEqual({ status: 'cancelled', experimentId: 'snapshot-overhead' });
    expect(performance.now() - cancelledAt).toBeLessThan(2_000);
    expect(reports).toBeGreaterThan(0);
    // Nothing runs any more.
    expect(await h.cancelExperiment()).toBe(false);
  });

  it('a new run cancels the one going on; invalid parameters and unknown ids reject', async () => {
    const h = host();
    const first = h.runExperiment('snapshot-overhead', {});
    const second = h.runExperiment('backpressure', { ...testParams('backpressure'), slowMs: [0.5, 2] });
    expect(await first).toEqual({ status: 'cancelled', experimentId: 'snapshot-overhead' });
    const outcome = await second;
    expect(outcome.status).toBe('completed');

    await expect(h.runExperiment('backpressure', { slowMs: [999] })).rejects.toThrow(/outside/);
    await expect(h.runExperiment('backpressure', { nope: 1 })).rejects.toThrow(/unknown parameter/);
    await expect(h.runExperiment('no-such-experiment', {})).rejects.toThrow(/unknown experiment/);
    expect(await h.cancelExperiment()).toBe(false);
  });

  it('runs while a job is loaded, and the job is unaffected', async () => {
    const h = host();
    await h.start();
    await h.load({ scenario: 'wordcount', seed: 1, speed: 1000 });
    await h.play();
    const run = h.runExperiment('state-size', { ...testParams('state-size'), keys: [1000, 4000] });
    const frame = await h.frame(16);
    expect(frame.now).toBeGreaterThan(0);
    const outcome = await run;
    expect(outcome.status).toBe('completed');
    if (outcome.status === 'completed') expect(outcome.result.table.rows).toHaveLength(6);
    expect((await h.frame(16)).now).toBeGreaterThan(frame.now);
    await h.unload();
  });
});
