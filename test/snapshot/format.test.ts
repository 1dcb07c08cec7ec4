/**
 * The snapshot JSON format: CompletedCheckpoint → JSON → CompletedCheckpoint is the identity in every
 * checkpointing mode; the validator names the path and the problem for each kind of bad file.
 */
import { renderEnglish } from '../../src/engine/messages/Message';
import type { KeyedStateSnapshot } from '../../src/engine/state/KeyedStateBackend';
import { describe, expect, it } from 'vitest';
import {
  CHECKPOINTING_MODES,
  MiniCluster,
  DurableCheckpointStorage,
  SCENARIOS,
  fromSnapshotJson,
  getScenario,
  snapshotToText,
  toSnapshotJson,
  type SnapshotJson,
  type SnapshotError,
} from '../../src/engine/index';
import {
  latestCheckpoint,
  nonEmpty,
  offsetsOfCheckpoint,
  offsetsOfCluster,
  runTo,
  stateOfCheckpoint,
  visitsJob,
} from './helpers';

function exported(job = visitsJob(), until = 1000) {
  const { storage } = runTo(job, until);
  const cp = latestCheckpoint(storage, job);
  return { job, cp, json: toSnapshotJson(cp) };
}

/** The errors as the command line prints them (English). */
function errorsOf(json: unknown, job = visitsJob()): Array<{ path: string; message: string }> {
  const r = fromSnapshotJson(json, job);
  if (r.ok) throw new Error('expected the snapshot to be rejected');
  return r.errors.map((e: SnapshotError) => ({ path: e.path, message: renderEnglish(e.message) }));
}

function mutate(json: SnapshotJson, fn: (j: SnapshotJson) => void): SnapshotJson {
  const copy = structuredClone(json);
  fn(copy);
  return copy;
}

describe('snapshot JSON conversion', () => {
  for (const mode of CHECKPOINTING_MODES) {
    it(`round-trips a checkpoint exactly (${mode})`, () => {
      // A slow count operator, so unaligned checkpoints hold channel state.
      const job = visitsJob({ mode, extraStates: true, intervalMs: 200 });
      (job.vertices.find((v) => v.uid === 'count') as { processingTimeMs: number }).processingTimeMs = 1.5;
      const { storage } = runTo(job, 1500);
      for (const cp of storage.list(job.name)) {
        const json = toSnapshotJson(cp);
        const text = snapshotToText(cp);
        expect(JSON.parse(text)).toEqual(json);
        const r = fromSnapshotJson(text, job);
        if (!r.ok) throw new Error(JSON.stringify(r.errors, null, 2));
        expect(r.checkpoint).toEqual(cp);
      }
      if (mode === 'unaligned') {
        const withChannelState = storage
          .list(job.name)
          .some((cp) => cp.tasks.some((t) => t.inputChannelState.length + t.outputChannelState.length > 0));
        expect(withChannelState).toBe(true);
      }
    });
  }

  for (const name of Object.keys(SCENARIOS)) {
    it(`round-trips every checkpoint of the ${name} scenario (timers, operator state, TTL where it has them)`, () => {
      const job = getScenario(name).build();
      const { storage } = runTo(job, 4000);
      const all = storage.list(job.name);
      expect(all.length).toBeGreaterThan(0);
      for (const cp of all) {
        const r = fromSnapshotJson(snapshotToText(cp), job);
        if (!r.ok) throw new Error(JSON.stringify(r.errors, null, 2));
        expect(r.checkpoint).toEqual(cp);
      }
      if (name === 'sessions' || name === 'anomalies')
        expect(all.some((cp) => cp.tasks.some((t) => t.timers.length > 0))).toBe(true);
    });
  }

  it('writes keys and values as JSON, per state name, with key groups, sorted by key', () => {
    const { json } = exported(visitsJob({ extraStates: true }));
    const count = json.operators.find((o) => o.uid === 'count')!;
    expect(count).toMatchObject({ parallelism: 4, maxParallelism: 128 });
    const st = count.subtasks[0];
    expect(st.keyGroupRange).toEqual({ start: 0, end: 31 });
    expect(st.keyedState.map((s) => [s.name, s.type])).toEqual([
      ['pages', 'list'],
      ['perPage', 'map'],
      ['visits', 'value'],
    ]);
    const visits = st.keyedState[2].entries;
    expect(visits[0]).toEqual({
      key: expect.any(String),
      keyGroup: expect.any(Number),
      value: expect.any(Number),
    });
    expect(visits.map((e) => e.key)).toEqual(visits.map((e) => e.key).sort());
    const source = json.operators.find((o) => o.uid === 'source')!;
    expect(source.subtasks[0].operatorState).toEqual({
      sourceOffsets: { redistribution: 'union', splits: [{ partition: 0, offset: expect.any(Number) }] },
    });
    expect(source.subtasks[0].timers).toEqual([]);
    const sink = json.operators.find((o) => o.uid === 'sink')!;
    expect(sink.subtasks[0].operatorState?.pendingTransactions?.[0]).toMatchObject({
      checkpointId: expect.any(Number),
      txn: expect.stringMatching(/^sink#0\//),
    });
    expect(json.statistics).toMatchObject({ id: json.checkpointId, status: 'COMPLETED' });
  });

  it('accepts the same file twice and does not change the object it was given', () => {
    const { job, json } = exported();
    const before = structuredClone(json);
    const a = fromSnapshotJson(json, job);
    const b = fromSnapshotJson(json, job);
    expect(json).toEqual(before);
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) {
      expect(a.checkpoint).toEqual(b.checkpoint);
      expect(a.checkpoint).not.toBe(b.checkpoint);
    }
  });

  it('restores with rescaling: a p=4 snapshot into a job whose count runs 2 or 8 subtasks', () => {
    const { cp, json } = exported(visitsJob({ sinkParallelism: 1 }));
    for (const p of [2, 8]) {
      const job = visitsJob({ countParallelism: p, sinkParallelism: 1 });
      const r = fromSnapshotJson(json, job);
      if (!r.ok) throw new Error(JSON.stringify(r.errors));
      const cluster = new MiniCluster(job, {
        seed: 3,
        restoreFrom: r.checkpoint,
        checkpointStorage: new DurableCheckpointStorage(),
      });
      expect(nonEmpty(cluster.keyedStateByOperator())).toEqual(nonEmpty(stateOfCheckpoint(cp)));
      expect(offsetsOfCluster(cluster)).toEqual(offsetsOfCheckpoint(cp));
    }
  });

  it('exports wordcount and reads it back for the same job', () => {
    const job = getScenario('wordcount').build();
    const storage = new DurableCheckpointStorage();
    new MiniCluster(job, { seed: 1, checkpointStorage: storage, fastForward: true }).runUntil(2500);
    const r = fromSnapshotJson(snapshotToText(latestCheckpoint(storage, job)), job);
    expect(r.ok).toBe(true);
  });

  it('refuses to export a value that is not plain JSON, naming where it is', () => {
    const { cp } = exported();
    const bad = structuredClone(cp);
    const t = bad.tasks.find(
      (x) => x.keyedState && (x.keyedState as KeyedStateSnapshot).keyGroups.length > 0,
    )!;
    const kg = (t.keyedState as KeyedStateSnapshot).keyGroups[0];
    kg.states.visits.entries[0][1] = Number.NaN;
    expect(() => toSnapshotJson(bad)).toThrow(
      /operators\[1\]\.subtasks\[\d\]\.keyedState\[0\]\.entries\[\d+\]\.value: NaN is not a JSON number/,
    );
  });
});

describe('snapshot validation: every error names its path', () => {
  const { job, json } = exported();
  const countIdx = json.operators.findIndex((o) => o.uid === 'count');
  const sourceIdx = json.operators.findIndex((o) => o.uid === 'source');

  it('a key-group range beyond maxParallelism (the issue example)', () => {
    const bad = mutate(
      json,
      (j) => (j.operators[countIdx].subtasks[2].keyGroupRange = { start: 64, end: 140 }),
    );
    expect(errorsOf(bad, job)).toContainEqual({
      path: `operators[${countIdx}].subtasks[2].keyGroupRange`,
      message: '140 is beyond maxParallelism 128 (key groups are 0..127)',
    });
  });

  it('overlapping and uncovered key-group ranges', () => {
    const overlap = mutate(
      json,
      (j) => (j.operators[countIdx].subtasks[1].keyGroupRange = { start: 30, end: 63 }),
    );
    expect(errorsOf(overlap, job)).toContainEqual({
      path: `operators[${countIdx}].subtasks[1].keyGroupRange`,
      message: '30..63 overlaps subtasks[0].keyGroupRange 0..31',
    });
    const gap = mutate(
      json,
      (j) => (j.operators[countIdx].subtasks[3].keyGroupRange = { start: 100, end: 127 }),
    );
    expect(errorsOf(gap, job)).toContainEqual({
      path: `operators[${countIdx}].subtasks`,
      message: 'key groups 96..99 are not covered by any subtask',
    });
  });

  it('a key outside its subtask range, a wrong key group, a duplicate key', () => {
    const entries = json.operators[countIdx].subtasks[0].keyedState[0].entries;
    const moved = mutate(json, (j) => {
      const e = j.operators[countIdx].subtasks[0].keyedState[0].entries.shift()!;
      j.operators[countIdx].subtasks[1].keyedState[0].entries.push(e);
    });
    const errs = errorsOf(moved, job);
    expect(errs).toHaveLength(1);
    expect(errs[0].path).toMatch(
      new RegExp(
        `^operators\\[${countIdx}\\]\\.subtasks\\[1\\]\\.keyedState\\[0\\]\\.entries\\[\\d+\\]\\.key$`,
      ),
    );
    expect(errs[0].message).toMatch(
      /^key "user-\d+" \(key group \d+\) lies outside this subtask's key-group range 32\.\.63$/,
    );

    const wrongGroup = mutate(
      json,
      (j) => (j.operators[countIdx].subtasks[0].keyedState[0].entries[0].keyGroup += 1),
    );
    expect(errorsOf(wrongGroup, job)[0]).toEqual({
      path: `operators[${countIdx}].subtasks[0].keyedState[0].entries[0].keyGroup`,
      message: `key ${JSON.stringify(entries[0].key)} is in key group ${entries[0].keyGroup}, not ${entries[0].keyGroup + 1}`,
    });
    const dup = mutate(json, (j) =>
      j.operators[countIdx].subtasks[0].keyedState[0].entries.push(structuredClone(entries[0])),
    );
    expect(errorsOf(dup, job)[0].message).toMatch(/appears twice in state 'visits'/);
  });

  it('operators match by uid; maxParallelism must match; every job operator must be there', () => {
    const unknown = mutate(json, (j) => (j.operators[countIdx].uid = 'counter'));
    const errs = errorsOf(unknown, job);
    expect(errs).toContainEqual({
      path: `operators[${countIdx}].uid`,
      message: "'counter' is not an operator of job 'Visits' (its operators: source, count, sink)",
    });
    expect(errs).toContainEqual({
      path: 'operators',
      message: "the job's operator 'count' (Process: count visits per user) is missing from the snapshot",
    });
    const maxP = mutate(json, (j) => (j.operators[countIdx].maxParallelism = 256));
    expect(errorsOf(maxP, job)).toContainEqual({
      path: `operators[${countIdx}].maxParallelism`,
      message:
        "256 does not match the job's maxParallelism 128 for 'count': the number of key groups cannot change",
    });
  });

  it('state names and types must match what the operator declares', () => {
    const renamed = mutate(json, (j) => (j.operators[countIdx].subtasks[0].keyedState[0].name = 'visitz'));
    expect(errorsOf(renamed, job)).toEqual([
      {
        path: `operators[${countIdx}].subtasks[0].keyedState[0].name`,
        message: "operator 'count' declares no state 'visitz' (it declares: visits)",
      },
    ]);
    const retyped = mutate(json, (j) => (j.operators[countIdx].subtasks[0].keyedState[0].type = 'list'));
    const errs = errorsOf(retyped, job);
    expect(errs[0]).toEqual({
      path: `operators[${countIdx}].subtasks[0].keyedState[0].type`,
      message: "state 'visits' is value state in the job, not list",
    });
  });

  it('schema errors: wrong types, unknown fields, an unsupported format version, not JSON', () => {
    const wrongType = mutate(
      json,
      (j) => ((j.operators[countIdx] as { parallelism: unknown }).parallelism = '4'),
    );
    expect(errorsOf(wrongType, job)).toContainEqual({
      path: `operators[${countIdx}].parallelism`,
      message: 'Invalid input: expected number, received string',
    });
    const extra = mutate(
      json,
      (j) => ((j.operators[0].subtasks[0] as Record<string, unknown>).keyGroupRnage = null),
    );
    expect(errorsOf(extra, job)[0]).toEqual({
      path: 'operators[0].subtasks[0]',
      message: 'Unrecognized key: "keyGroupRnage"',
    });
    const v3 = mutate(json, (j) => ((j as { formatVersion: number }).formatVersion = 3));
    expect(errorsOf(v3, job)).toEqual([
      {
        path: 'formatVersion',
        message: '3 is not supported by this build (it reads format versions 1 and 2)',
      },
    ]);
    expect(errorsOf('{"format": ', job)[0].message).toMatch(/^not valid JSON: /);
    expect(errorsOf([1, 2], job)).toEqual([{ path: '', message: 'a snapshot is a JSON object' }]);
  });

  it('source offsets: within the log, every partition exactly once, union redistribution', () => {
    const beyond = mutate(
      json,
      (j) => (j.operators[sourceIdx].subtasks[0].operatorState!.sourceOffsets!.splits[0].offset = 401),
    );
    expect(errorsOf(beyond, job)[0]).toEqual({
      path: `operators[${sourceIdx}].subtasks[0].operatorState.sourceOffsets.splits[0].offset`,
      message: "401 is beyond the end of partition 0 of log 'visits' (100 records)",
    });
    const missing = mutate(
      json,
      (j) => (j.operators[sourceIdx].subtasks[3].operatorState!.sourceOffsets!.splits = []),
    );
    expect(errorsOf(missing, job)).toEqual([
      {
        path: `operators[${sourceIdx}].subtasks`,
        message: "partition 3 of log 'visits' has no offset in the snapshot",
      },
    ]);
    const split = mutate(
      json,
      (j) => (j.operators[sourceIdx].subtasks[0].operatorState!.sourceOffsets!.redistribution = 'split'),
    );
    expect(errorsOf(split, job)[0].path).toBe(
      `operators[${sourceIdx}].subtasks[0].operatorState.sourceOffsets.redistribution`,
    );
  });

  it('rescaling the two-phase-commit sink down: old subtask i hands its transactions to i % parallelism', () => {
    const scaledDown = visitsJob({ sinkParallelism: 2 });
    const r = fromSnapshotJson(json, scaledDown);
    expect(r.ok).toBe(true);
  });

  it('timers: keyed operators only, in their key group and range; channel state only between connected tasks', () => {
    const key = json.operators[countIdx].subtasks[0].keyedState[0].entries[0];
    const timer = { key: key.key, keyGroup: key.keyGroup, timestamp: 5000, domain: 'EVENT_TIME' as const };
    const ok = mutate(json, (j) => j.operators[countIdx].subtasks[0].timers.push(timer));
    const restored = fromSnapshotJson(ok, job);
    expect(restored.ok && restored.checkpoint.tasks.find((t) => t.taskId === 'count#0')?.timers).toEqual([
      timer,
    ]);
    const elsewhere = mutate(json, (j) => j.operators[countIdx].subtasks[1].timers.push(timer));
    expect(errorsOf(elsewhere, job)[0]).toEqual({
      path: `operators[${countIdx}].subtasks[1].timers[0].key`,
      message: `key ${JSON.stringify(key.key)} (key group ${key.keyGroup}) lies outside this subtask's key-group range 32..63`,
    });
    const onSource = mutate(json, (j) => j.operators[sourceIdx].subtasks[0].timers.push(timer));
    expect(errorsOf(onSource, job)).toEqual([
      {
        path: `operators[${sourceIdx}].subtasks[0].timers`,
        message: "operator 'source' is not keyed: it cannot have timers",
      },
    ]);
    const channel = mutate(json, (j) =>
      j.operators[countIdx].subtasks[0].inputChannelState.push({ peer: 'sink#0', records: [] }),
    );
    expect(errorsOf(channel, job)[0]).toEqual({
      path: `operators[${countIdx}].subtasks[0].inputChannelState[0].peer`,
      message:
        "'sink#0' is not an upstream task of count#0 (upstream: source#0, source#1, source#2, source#3)",
    });
    const misrouted = mutate(json, (j) =>
      j.operators[countIdx].subtasks[0].inputChannelState.push({
        peer: 'source#0',
        records: [{ value: { user: 'user-04', page: '/home' }, ts: 1 }],
      }),
    );
    expect(errorsOf(misrouted, job)[0]).toEqual({
      path: `operators[${countIdx}].subtasks[0].inputChannelState[0].records[0].value`,
      message: 'its key "user-04" is routed to count#1, not count#0',
    });
  });
});
