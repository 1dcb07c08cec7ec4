/**
 * Fuzz: random mutations of valid snapshots (fast-check). Each mutated file is either restored exactly
 * (the new engine holds precisely the state, offsets and transactions the file says, and runs on) or
 * rejected with errors that name a path related to what was changed. Import never throws, never
 * restores part of a file, and never touches the stored checkpoints or the object it was given.
 */
import { renderEnglish } from '../../src/engine/messages/Message';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DurableCheckpointStorage,
  MiniCluster,
  fromSnapshotJson,
  toSnapshotJson,
  formatPath,
  getScenario,
  type CompletedCheckpoint,
  type JobGraph,
  type SnapshotJson,
} from '../../src/engine/index';
import {
  nonEmpty,
  offsetsOfCheckpoint,
  offsetsOfCluster,
  runTo,
  stateOfCheckpoint,
  visitsJob,
} from './helpers';

const NUM_RUNS = Number(process.env.SNAPSHOT_FUZZ_RUNS ?? 600);

interface Base {
  job: JobGraph;
  storage: DurableCheckpointStorage;
  json: SnapshotJson;
}

function base(mode: 'exactly-once' | 'unaligned', extraStates: boolean): Base {
  const job = visitsJob({ events: 160, mode, extraStates, intervalMs: 150 });
  if (mode === 'unaligned')
    (job.vertices.find((v) => v.uid === 'count') as { processingTimeMs: number }).processingTimeMs = 1.5;
  const { storage } = runTo(job, 700);
  const all = storage.list(job.name);
  // Prefer a checkpoint that holds channel state (unaligned), else the latest.
  const cp: CompletedCheckpoint =
    all.find((c) => c.tasks.some((t) => t.inputChannelState.length + t.outputChannelState.length > 0)) ??
    all[all.length - 1];
  return { job, storage, json: toSnapshotJson(cp) };
}

/** The sessions scenario: event-time timers and map state. */
function sessionsBase(): Base {
  const job = getScenario('sessions').build();
  const { storage } = runTo(job, 3000);
  const all = storage.list(job.name);
  const cp = all.find((c) => c.tasks.some((t) => t.timers.length > 0)) ?? all[all.length - 1];
  return { job, storage, json: toSnapshotJson(cp) };
}

const BASES: Base[] = [base('exactly-once', true), base('unaligned', false), sessionsBase()];

type Segment = string | number;
const OPS = ['delete', 'replace', 'bump', 'null', 'duplicate', 'swap', 'add-key', 'retype'] as const;
type Op = (typeof OPS)[number];

interface Mutation {
  base: number;
  walk: number[];
  op: Op;
  value: unknown;
  delta: number;
}

function children(node: unknown): Segment[] {
  if (Array.isArray(node)) return node.map((_, i) => i);
  if (node !== null && typeof node === 'object') return Object.keys(node);
  return [];
}

/** A random walk from the root: each step stops (choice % 4 === 0) or descends into a child. */
function pickPath(root: unknown, walk: number[]): Segment[] {
  const path: Segment[] = [];
  let node = root;
  for (const c of walk) {
    const kids = children(node);
    if (kids.length === 0 || (path.length > 0 && c % 4 === 0)) break;
    const seg = kids[c % kids.length];
    path.push(seg);
    node = (node as Record<string, unknown>)[seg as string];
  }
  return path;
}

function get(root: unknown, path: Segment[]): unknown {
  return path.reduce<unknown>((n, s) => (n as Record<string, unknown>)[s as string], root);
}

/** Applies the mutation in place; returns the path whose neighbourhood the errors should name. */
function apply(doc: SnapshotJson, m: Mutation): Segment[] {
  const path = pickPath(doc, m.walk);
  const parentPath = path.slice(0, -1);
  const parent = get(doc, parentPath) as Record<string, unknown> | unknown[];
  const last = path[path.length - 1];
  const current = get(doc, path);
  const set = (v: unknown) => ((parent as Record<string, unknown>)[last as string] = v);
  switch (m.op) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete (parent as Record<string, unknown>)[last as string];
      return parentPath;
    case 'replace':
      set(m.value);
      return path;
    case 'bump':
      if (typeof current === 'number') set(current + m.delta);
      else if (typeof current === 'string') set(m.delta % 2 === 0 ? `${current}x` : current.slice(0, -1));
      else if (typeof current === 'boolean') set(!current);
      else set(m.value);
      return path;
    case 'null':
      set(null);
      return path;
    case 'duplicate':
      if (Array.isArray(parent)) parent.splice(last as number, 0, structuredClone(current));
      else set(structuredClone(m.value));
      return parentPath;
    case 'swap':
      if (Array.isArray(parent) && parent.length > 1) {
        const j = Math.abs(m.delta) % parent.length;
        [parent[last as number], parent[j]] = [parent[j], parent[last as number]];
      }
      return parentPath;
    case 'add-key':
      if (current !== null && typeof current === 'object' && !Array.isArray(current))
        (current as Record<string, unknown>).extra = m.value;
      else set([current]);
      return path;
    case 'retype':
      set(
        typeof current === 'number'
          ? String(current)
          : typeof current === 'string' && current !== '' && !Number.isNaN(Number(current))
            ? Number(current)
            : { value: current },
      );
      return path;
  }
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  base: fc.integer({ min: 0, max: BASES.length - 1 }),
  walk: fc.array(fc.nat(1_000_000), { minLength: 1, maxLength: 14 }),
  op: fc.constantFrom(...OPS),
  value: fc.jsonValue({ maxDepth: 2 }),
  delta: fc.oneof(
    fc.integer({ min: -3, max: 3 }),
    fc.integer({ min: -200, max: 200 }),
    fc.constantFrom(128, -1, 1e9),
  ),
});

/** Errors "name the mutation" when one is at, above or below the changed path, or in the same operator. */
function related(errorPath: string, changed: string): boolean {
  if (!/[.[]/.test(changed)) return true; // a top-level field: its consequences show up anywhere (e.g. checkpointId)
  if (errorPath === '') return false;
  if (changed.startsWith(errorPath) || errorPath.startsWith(changed)) return true;
  const op = /^operators\[\d+\]/;
  const a = op.exec(errorPath)?.[0];
  return a !== undefined && a === op.exec(changed)?.[0];
}

describe('snapshot import fuzz', () => {
  it(`${NUM_RUNS} random mutations: restored exactly or rejected with path-specific errors`, () => {
    const stored = BASES.map((b) => structuredClone(b.storage.list(b.job.name)));
    const originals = BASES.map((b) => structuredClone(b.json));
    let accepted = 0;
    let rejected = 0;
    const perBase = BASES.map(() => 0);
    fc.assert(
      fc.property(mutationArb, (m) => {
        const b = BASES[m.base];
        const doc = structuredClone(b.json);
        const changed = formatPath(apply(doc, m));
        const given = structuredClone(doc);
        const result = fromSnapshotJson(doc, b.job);
        expect(doc).toEqual(given); // the input is never modified
        if (!result.ok) {
          rejected++;
          expect(result.errors.length).toBeGreaterThan(0);
          for (const e of result.errors) {
            expect(typeof e.path).toBe('string');
            expect(renderEnglish(e.message).length).toBeGreaterThan(0);
            expect(e.message.code).not.toBe('snapshot.internal');
          }
          expect(
            result.errors.some((e) => related(e.path, changed)),
            `${changed}: ${JSON.stringify(result.errors)}`,
          ).toBe(true);
          return;
        }
        accepted++;
        perBase[m.base]++;
        // Accepted: the engine restores exactly what the file holds, every part of it, and runs on.
        const cp = result.checkpoint;
        const cluster = new MiniCluster(b.job, {
          seed: 5,
          fastForward: true,
          restoreFrom: cp,
          checkpointStorage: new DurableCheckpointStorage(),
          startTime: cp.completionTime,
        });
        expect(cluster.failures).toEqual([]);
        expect(nonEmpty(cluster.keyedStateByOperator())).toEqual(nonEmpty(stateOfCheckpoint(cp)));
        expect(nonEmpty(stateOfCheckpoint(cp))).toEqual(nonEmpty(stateOfJson(doc)));
        expect(offsetsOfCluster(cluster)).toEqual(offsetsOfCheckpoint(cp));
        cluster.runUntil(cp.completionTime + 100);
      }),
      { numRuns: NUM_RUNS, seed: Number(process.env.SNAPSHOT_FUZZ_SEED ?? 20240601) },
    );
    console.info(
      `snapshot fuzz: ${accepted} accepted (per base: ${perBase.join(', ')}), ${rejected} rejected`,
    );
    // Both outcomes occur (the fuzz is not vacuous), and nothing stored changed.
    expect(accepted).toBeGreaterThan(20);
    expect(rejected).toBeGreaterThan(NUM_RUNS / 3);
    BASES.forEach((b, i) => {
      expect(b.storage.list(b.job.name)).toEqual(stored[i]);
      expect(b.json).toEqual(originals[i]);
    });
  });
});

/** The keyed state written in a snapshot file, in the shape of keyedStateByOperator(). */
function stateOfJson(doc: SnapshotJson) {
  const out: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const op of doc.operators)
    for (const st of op.subtasks)
      for (const s of st.keyedState)
        for (const e of s.entries) ((out[op.uid] ??= {})[s.name] ??= {})[String(e.key)] = e.value;
  return out;
}

// ------------------------------------------------------------------ typed values

/**
 * What the test's jobs declare, written out independently of the engine's TypeInformation: whether a
 * value is one of these (Java int; list of strings; map string → int as [key, value] pairs; the
 * sessions' SessionBounds POJO with nullable fields).
 */
const isInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31;
const isLong = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v);
const isStringIntPairs = (v: unknown) =>
  Array.isArray(v) &&
  v.every(
    (p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && (p[1] === null || isInt(p[1])),
  ) &&
  new Set(v.map((p) => (p as unknown[])[0])).size === v.length; // each user key once
/** Per base (BASES index), per state name. */
const ORACLE: Record<number, Record<string, (v: unknown) => boolean>> = {
  // CountWithHistory: INT, LIST<STRING>, MAP<STRING, INT>
  0: {
    visits: isInt,
    pages: (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'),
    perPage: isStringIntPairs,
  },
  // Sessionize: MAP<STRING, INT> and POJO SessionBounds { start: LONG, end: LONG, events: INT } (nullable fields)
  2: {
    pages: isStringIntPairs,
    bounds: (v) => {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
      const o = v as Record<string, unknown>;
      return (
        Object.keys(o).sort().join() === 'end,events,start' &&
        [o.start, o.end].every((x) => x === null || isLong(x)) &&
        (o.events === null || isInt(o.events))
      );
    },
  },
};

const nearMiss = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    'many',
    '7',
    2.5,
    2 ** 31,
    -(2 ** 31) - 1,
    2 ** 53,
    null,
    true,
    [],
    {},
    ['a', 1],
    [['a', 'b']],
  ),
  fc.integer(),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.array(fc.tuple(fc.string(), fc.oneof(fc.integer(), fc.double(), fc.constant(null))), { maxLength: 3 }),
  fc.record({ start: fc.oneof(fc.integer(), fc.string()), end: fc.integer(), events: fc.integer() }),
);

describe('snapshot import fuzz: state values against their declared types', () => {
  const TYPED = [0, 2]; // the visits base with value/list/map state, and sessions (POJO + map)
  it(`${Math.ceil(NUM_RUNS / 3)} random values: accepted exactly when the job's type holds them, else the value's path is named`, () => {
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...TYPED),
        fc.nat(1_000_000),
        fc.nat(1_000_000),
        nearMiss,
        (bi, pick, entryPick, value) => {
          const b = BASES[bi];
          const doc = structuredClone(b.json);
          const states = doc.operators.flatMap((op, o) =>
            op.subtasks.flatMap((st, k) =>
              st.keyedState.flatMap((ks, s) => (ks.entries.length > 0 ? [{ o, k, s, ks }] : [])),
            ),
          );
          const { o, k, s, ks } = states[pick % states.length];
          const x = entryPick % ks.entries.length;
          ks.entries[x].value = value;
          const result = fromSnapshotJson(doc, b.job);
          const path = `operators[${o}].subtasks[${k}].keyedState[${s}].entries[${x}].value`;
          if (ORACLE[bi][ks.name](value)) {
            expect(result.ok, JSON.stringify(result.ok ? null : result.errors)).toBe(true);
            accepted++;
          } else {
            expect(result.ok, `${ks.name} = ${JSON.stringify(value)}`).toBe(false);
            if (result.ok) return;
            for (const e of result.errors)
              expect(e.path.startsWith(path), `${e.path}: ${e.message}`).toBe(true);
            rejected++;
          }
        },
      ),
      { numRuns: Math.ceil(NUM_RUNS / 3), seed: Number(process.env.SNAPSHOT_FUZZ_SEED ?? 20261206) },
    );
    expect(accepted).toBeGreaterThan(5);
    expect(rejected).toBeGreaterThan(NUM_RUNS / 10);
  });
});
