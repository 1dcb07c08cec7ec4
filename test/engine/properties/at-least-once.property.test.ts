/**
 * At-least-once, as properties (Flink's CheckpointBarrierTracker never blocks a channel):
 *
 * - no record is ever lost: per-key counts and the committed 2PC output only ever grow compared with
 *   the failure-free run;
 * - duplicates do happen (so the exactly-once checker is not vacuous: it does fail on these runs);
 * - a chain with one input channel per task (forward edges only) is effectively exactly-once anyway;
 * - end to end: in exactly-once mode a non-transactional sink shows replays as duplicate rows while
 *   the two-phase-commit sink's committed output stays exact.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildJob,
  committedRows,
  describeCase,
  exactlyOnceDiffs,
  failuresArb,
  fixedSpec,
  jobCaseArb,
  jobSpecArb,
  multisetDiff,
  runPair,
  runSim,
  simSeedArb,
  sortedRows,
  stateCounts,
  type JobCase,
} from './generators';

const NUM_RUNS = Number(process.env.PROPERTY_RUNS ?? 200);
/** Fixed by default, so that CI is reproducible; FC_SEED=<n> explores others. */
const FC_SEED = Number(process.env.FC_SEED ?? 20261206);

/** The per-key and output differences of an at-least-once run against its failure-free twin. */
function atLeastOnceRun(c: JobCase) {
  const job = buildJob(c.spec, 'at-least-once');
  const { reference, faulty, failures } = runPair(job, c);
  const refCounts = stateCounts(c.spec.variant, reference.result());
  const counts = stateCounts(c.spec.variant, faulty.result());
  const lostKeys = Object.keys(refCounts).filter((k) => (counts[k] ?? 0) < refCounts[k]);
  const duplicatedKeys = Object.keys(counts).filter((k) => counts[k] > (refCounts[k] ?? 0));
  const { onlyA: lostRows, onlyB: extraRows } = multisetDiff(committedRows(reference), committedRows(faulty));
  return { reference, faulty, failures, refCounts, counts, lostKeys, duplicatedKeys, lostRows, extraRows };
}

describe('at-least-once', () => {
  it(`never loses a record: counts and committed output only grow (${NUM_RUNS} runs)`, () => {
    fc.assert(
      fc.property(jobCaseArb(), (c) => {
        const r = atLeastOnceRun(c);
        const where = describeCase(c, 'at-least-once', r.failures);
        if (!r.faulty.cluster.isFinished() || !r.reference.cluster.isFinished())
          throw new Error(`${where}\nrun did not finish`);
        if (r.lostKeys.length > 0)
          throw new Error(
            `${where}\nlost records for keys ${r.lostKeys.join(', ')}: ` +
              `failure-free ${JSON.stringify(r.refCounts)}, with failures ${JSON.stringify(r.counts)}`,
          );
        if (r.lostRows.length > 0)
          throw new Error(
            `${where}\ncommitted output lost ${r.lostRows.length} rows: ${r.lostRows.slice(0, 10)}`,
          );
      }),
      { numRuns: NUM_RUNS, seed: FC_SEED },
    );
  });

  it('produces duplicates: some run counts a record twice, and the exactly-once checker catches it', () => {
    // Several source subtasks feed every keyed subtask: barriers arrive unaligned across channels.
    const arb = jobSpecArb({ minRecords: 150 })
      .filter((s) => s.sourceParallelism >= 2 && s.partitions.length >= 2)
      .chain((spec) =>
        fc.record({
          spec: fc.constant(spec),
          seed: simSeedArb,
          failures: failuresArb(spec, { minFailures: 1 }),
        }),
      );
    const sample = fc.sample(arb, { numRuns: 150, seed: 20240601 });
    let withDuplicates = 0;
    let example: string | null = null;
    for (const c of sample) {
      const r = atLeastOnceRun(c);
      expect(r.lostKeys).toEqual([]);
      if (r.duplicatedKeys.length > 0) {
        withDuplicates++;
        const diffs = exactlyOnceDiffs(r.reference, r.faulty);
        expect(diffs.length).toBeGreaterThan(0);
        example ??= `${describeCase(c, 'at-least-once', r.failures)}\n${diffs.join('\n')}`;
      }
    }
    expect(withDuplicates).toBeGreaterThan(0);
    // For the curious: `npx vitest run ... -t duplicates` prints one.
    if (example) console.info(example);
  });

  it('a fixed schedule shows it: failing a keyed subtask mid-run counts records twice', () => {
    const spec = fixedSpec();
    const c: JobCase = { spec, seed: 7, failures: [{ target: 'stateful#0', at: 60 }] };
    const r = atLeastOnceRun(c);
    expect(r.lostKeys).toEqual([]);
    expect(r.lostRows).toEqual([]);
    expect(r.duplicatedKeys.length).toBeGreaterThan(0);
    expect(r.extraRows.length).toBeGreaterThan(0);
    // The same schedule in exactly-once mode is exact.
    const { reference, faulty } = runPair(buildJob(spec, 'exactly-once'), c);
    expect(exactlyOnceDiffs(reference, faulty)).toEqual([]);
  });

  it(`a forward-only stateless chain (one input channel per task) is exactly-once anyway (${NUM_RUNS} runs)`, () => {
    const arb = jobSpecArb({ uniformParallelism: true, pre: ['none', 'map', 'filter', 'map-filter'] }).chain(
      (spec) =>
        fc.record({
          spec: fc.constant(spec),
          seed: simSeedArb,
          failures: failuresArb(spec, { build: { stateless: true } }),
        }),
    );
    fc.assert(
      fc.property(arb, (c) => {
        const job = buildJob(c.spec, 'at-least-once', { stateless: true });
        // Forward edges only: every non-source task has exactly one input channel.
        for (const v of job.vertices) for (const e of v.inputs) expect(e.partitioner).toBe('forward');
        const { reference, faulty, failures } = runPair(job, c);
        expect(faulty.cluster.isFinished()).toBe(true);
        const { onlyA, onlyB } = multisetDiff(committedRows(reference), committedRows(faulty));
        if (onlyA.length > 0 || onlyB.length > 0)
          throw new Error(
            `${describeCase(c, 'at-least-once', failures)}\nlost ${JSON.stringify(onlyA)}, duplicated ${JSON.stringify(onlyB)}`,
          );
      }),
      { numRuns: NUM_RUNS, seed: FC_SEED },
    );
  });
});

describe('end to end: non-transactional vs two-phase-commit sink (exactly-once mode)', () => {
  it('replays show up as duplicate rows in the non-transactional sink, never in the committed 2PC output', () => {
    const arb = jobSpecArb({ minRecords: 100 }).chain((spec) =>
      fc.record({
        spec: fc.constant(spec),
        seed: simSeedArb,
        failures: failuresArb(spec, { minFailures: 1, build: { withPrintSink: true } }),
      }),
    );
    const sample = fc.sample(arb, { numRuns: 60, seed: 424242 });
    let printDuplicates = 0;
    let restored = 0;
    for (const c of sample) {
      const job = buildJob(c.spec, 'exactly-once', { withPrintSink: true });
      const { reference, faulty } = runPair(job, c);
      expect(exactlyOnceDiffs(reference, faulty)).toEqual([]);
      // print: every failure-free row is there (at least once), maybe more than once.
      const print = multisetDiff(committedRows(reference, 'print'), committedRows(faulty, 'print'));
      expect(print.onlyA).toEqual([]);
      if (faulty.failures.some((f) => f.restoredFrom !== null)) restored++;
      if (print.onlyB.length > 0) printDuplicates++;
    }
    expect(restored).toBeGreaterThan(30);
    expect(printDuplicates).toBeGreaterThan(0);
  });

  it('a fixed schedule: duplicates in print, the 2PC sink wrote them too but committed each row once', () => {
    const spec = fixedSpec();
    const job = buildJob(spec, 'exactly-once', { withPrintSink: true });
    const failures = [{ target: 'stateful#1', at: 70 }];
    const reference = runSim(job, 3);
    const faulty = runSim(job, 3, failures);
    expect(faulty.failures).toHaveLength(1);
    expect(faulty.failures[0].restoredFrom).not.toBeNull();
    const ref = reference.result().sinks;
    const res = faulty.result().sinks;
    // Failure-free: both sinks hold every result once.
    expect(sortedRows(ref.print.committed)).toEqual(sortedRows(ref.sink.committed));
    expect(ref.print.committed.length).toBe(400);
    // With the failure: print has duplicate rows (visible to a reader) ...
    expect(res.print.committed.length).toBeGreaterThan(400);
    expect(new Set(sortedRows(res.print.committed)).size).toBe(400);
    expect(sortedRows(res.print.written)).toEqual(sortedRows(res.print.committed));
    // ... the 2PC sink wrote the replayed rows too (in aborted transactions) ...
    expect(res.sink.written.length).toBeGreaterThan(400);
    // ... but a reader sees each row exactly once.
    expect(sortedRows(res.sink.committed)).toEqual(sortedRows(ref.sink.committed));
  });

  it('MemoryStateBackend: an engine crash loses the checkpoints; state is recomputed, commits repeat', () => {
    const spec = fixedSpec();
    const failures = [{ target: 'engine', at: 200 }];
    const fs = runPair(buildJob(spec, 'exactly-once'), { spec, seed: 5, failures });
    const mem = runPair(buildJob(spec, 'exactly-once', { memoryBackend: true }), { spec, seed: 5, failures });
    // Durable storage: the new engine restores the latest checkpoint; exact.
    expect(fs.faulty.failures.at(-1)?.restoredFrom).not.toBeNull();
    expect(exactlyOnceDiffs(fs.reference, fs.faulty)).toEqual([]);
    // JobManager storage: nothing to restore; the job starts over from offset 0. The keyed state is
    // right again in the end, but what was committed before the crash is committed a second time.
    expect(mem.faulty.failures.at(-1)?.restoredFrom).toBeNull();
    expect(stateCounts(spec.variant, mem.faulty.result())).toEqual(
      stateCounts(spec.variant, mem.reference.result()),
    );
    const { onlyA: lost, onlyB: extra } = multisetDiff(
      committedRows(mem.reference),
      committedRows(mem.faulty),
    );
    expect(lost).toEqual([]);
    expect(extra.length).toBeGreaterThan(0);
  });
});
