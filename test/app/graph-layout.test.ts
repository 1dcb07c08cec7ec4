import { describe, expect, it } from 'vitest';
import { computeLayout, nameLines, type LayoutInput } from '../../src/app/components/graph/layout';
import { pointAtFraction, progress, fitTransform } from '../../src/app/components/graph/geometry';
import type { ChannelInfo, OperatorInfo, TaskInfo } from '../../src/worker/protocol';

type Part = OperatorInfo['inputs'][number]['partitioner'];

/** A LoadInfo-like job: operators with parallelism, edges expanded into channels as MiniCluster does. */
function job(ops: Array<{ uid: string; p: number; inputs?: Array<[string, Part]> }>) {
  const tasks: TaskInfo[] = [];
  const channels: ChannelInfo[] = [];
  const par = new Map(ops.map((o) => [o.uid, o.p]));
  for (const o of ops)
    for (let i = 0; i < o.p; i++)
      tasks.push({
        id: `${o.uid}#${i}`,
        operatorUid: o.uid,
        operatorName: `Op ${o.uid}`,
        subtaskIndex: i,
        parallelism: o.p,
      });
  for (const o of ops)
    for (const [from, part] of o.inputs ?? []) {
      const pf = par.get(from) ?? 1;
      for (let a = 0; a < pf; a++)
        for (let b = 0; b < o.p; b++) {
          if (part === 'forward' && a !== b) continue;
          const id = `${from}#${a}->${o.uid}#${b}`;
          channels.push({ id, from: `${from}#${a}`, to: `${o.uid}#${b}` });
        }
    }
  const operators: OperatorInfo[] = ops.map((o) => ({
    uid: o.uid,
    name: `Op ${o.uid}`,
    kind: o.inputs ? 'map' : 'source',
    parallelism: o.p,
    maxParallelism: 128,
    processingTimeMs: 10,
    keyed: (o.inputs ?? []).some(([, p]) => p === 'hash'),
    nonParallel: false,
    inputs: (o.inputs ?? []).map(([uid, partitioner]) => ({ uid, partitioner })),
  }));
  const input: LayoutInput = { tasks, channels, operators };
  return input;
}

const wordcount = job([
  { uid: 'source', p: 1 },
  { uid: 'split', p: 2, inputs: [['source', 'rebalance']] },
  { uid: 'count', p: 2, inputs: [['split', 'hash']] },
  { uid: 'print', p: 2, inputs: [['count', 'forward']] },
]);

/** a -> b -> c and a -> c: the a -> c link skips a layer. */
const diamond = job([
  {
    uid: 'c',
    p: 3,
    inputs: [
      ['b', 'hash'],
      ['a', 'rebalance'],
    ],
  },
  { uid: 'a', p: 2 },
  { uid: 'b', p: 1, inputs: [['a', 'hash']] },
]);

/** orders (keyed) and rules (broadcast) into one two-input operator. */
function twoInput() {
  const input = job([
    { uid: 'orders', p: 2 },
    { uid: 'rules', p: 1 },
    {
      uid: 'detect',
      p: 2,
      inputs: [
        ['orders', 'hash'],
        ['rules', 'broadcast'],
      ],
    },
  ]);
  const detect = input.operators!.find((o) => o.uid === 'detect')!;
  detect.inputs = detect.inputs.map((inp, i) => ({ ...inp, input: (i + 1) as 1 | 2 }));
  return input;
}

function overlaps(a: { x: number; y: number; width: number; height: number }, b: typeof a) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

describe('job graph layout', () => {
  it('a two-input operator: an edge from each input into one box, labelled input 1 / input 2, channels from both', () => {
    const input = twoInput();
    const l = computeLayout(input);
    const into = l.edges.filter((e) => e.to === 'detect');
    expect(into.map((e) => [e.from, e.partitioner, e.input]).sort()).toEqual([
      ['orders', 'hash', 1],
      ['rules', 'broadcast', 2],
    ]);
    const detect = l.operators.find((o) => o.uid === 'detect')!;
    for (const from of ['orders', 'rules'])
      expect(l.operators.find((o) => o.uid === from)!.x).toBeLessThan(detect.x);
    const channels = l.channels.filter((c) => c.to.startsWith('detect#'));
    expect(channels.some((c) => c.from.startsWith('orders#'))).toBe(true);
    expect(channels.some((c) => c.from.startsWith('rules#'))).toBe(true);
    expect(channels).toHaveLength(2 * 2 + 1 * 2);
  });

  it('lays operators out left to right in the order of the edges', () => {
    for (const input of [wordcount, diamond, { ...diamond, operators: undefined }]) {
      const l = computeLayout(input);
      const box = new Map(l.operators.map((o) => [o.uid, o]));
      expect(l.edges.length).toBeGreaterThan(0);
      for (const e of l.edges) {
        const a = box.get(e.from)!;
        const b = box.get(e.to)!;
        expect(a.x + a.width).toBeLessThan(b.x);
        expect(a.layer).toBeLessThan(b.layer);
      }
    }
    const l = computeLayout(wordcount);
    expect(
      l.operators
        .map((o) => o.uid)
        .sort((p, q) => l.operators.find((o) => o.uid === p)!.x - l.operators.find((o) => o.uid === q)!.x),
    ).toEqual(['source', 'split', 'count', 'print']);
  });

  it('expands every operator into its subtasks, inside the box, without overlap', () => {
    for (const input of [wordcount, diamond]) {
      const l = computeLayout(input);
      expect(l.subtasks.map((s) => s.id)).toEqual(input.tasks.map((t) => t.id));
      l.subtasks.forEach((s, i) => {
        expect(s.taskIndex).toBe(i);
        expect(s.label).toBe(`${s.operatorUid} #${s.index}`);
        const box = l.operators.find((o) => o.uid === s.operatorUid)!;
        expect(s.x).toBeGreaterThanOrEqual(box.x);
        expect(s.y).toBeGreaterThanOrEqual(box.y);
        expect(s.x + s.width).toBeLessThanOrEqual(box.x + box.width);
        expect(s.y + s.height).toBeLessThanOrEqual(box.y + box.height);
      });
      for (const a of l.subtasks) for (const b of l.subtasks) if (a !== b) expect(overlaps(a, b)).toBe(false);
      for (const a of l.operators)
        for (const b of l.operators) if (a !== b) expect(overlaps(a, b)).toBe(false);
      for (const o of l.operators) {
        expect(o.x).toBeGreaterThanOrEqual(0);
        expect(o.y).toBeGreaterThanOrEqual(0);
        expect(o.x + o.width).toBeLessThanOrEqual(l.width);
        expect(o.y + o.height).toBeLessThanOrEqual(l.height);
      }
    }
  });

  it('draws every channel as a path from the sender subtask to the receiver subtask', () => {
    for (const input of [wordcount, diamond]) {
      const l = computeLayout(input);
      expect(l.channels.map((c) => c.id)).toEqual(input.channels.map((c) => c.id));
      const sub = new Map(l.subtasks.map((s) => [s.id, s]));
      for (const c of l.channels) {
        expect(c.index).toBe(input.channels.findIndex((x) => x.id === c.id));
        expect(c.d).toMatch(/^M[\d.,-]+C/);
        const a = sub.get(c.from)!;
        const b = sub.get(c.to)!;
        const start = pointAtFraction(c.path, 0);
        const end = pointAtFraction(c.path, 1);
        expect(start.x).toBeCloseTo(a.x + a.width, 5);
        expect(start.y).toBeGreaterThanOrEqual(a.y);
        expect(start.y).toBeLessThanOrEqual(a.y + a.height);
        expect(end.x).toBeCloseTo(b.x, 5);
        expect(end.y).toBeGreaterThanOrEqual(b.y);
        expect(end.y).toBeLessThanOrEqual(b.y + b.height);
        expect(c.path.length).toBeGreaterThanOrEqual(b.x - (a.x + a.width));
      }
    }
  });

  it('knows partitioners from the operators, and lays out without them', () => {
    const l = computeLayout(wordcount);
    expect(l.channels.filter((c) => c.partitioner === 'hash')).toHaveLength(4);
    expect(l.channels.filter((c) => c.partitioner === 'forward')).toHaveLength(2);
    const bare = computeLayout({ tasks: wordcount.tasks, channels: wordcount.channels });
    expect(bare.operators).toHaveLength(4);
    expect(bare.operators.every((o) => o.kind === null && o.processingTimeMs === null)).toBe(true);
    expect(bare.channels.every((c) => c.partitioner === null)).toBe(true);
    expect(computeLayout({ tasks: [], channels: [] }).operators).toEqual([]);
  });

  it('wraps long operator names onto two lines', () => {
    expect(nameLines('Sink: print', 150)).toEqual(['Sink: print']);
    const lines = nameLines('Source: visits (Kafka-like, 4 partitions) with a very long name', 150);
    expect(lines).toHaveLength(2);
    expect(lines[1].endsWith('…')).toBe(true);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(19);
  });

  it('lays out a single operator', () => {
    const l = computeLayout(job([{ uid: 'only', p: 3 }]));
    expect(l.operators).toHaveLength(1);
    expect(l.subtasks).toHaveLength(3);
    expect(l.channels).toHaveLength(0);
  });
});

describe('geometry', () => {
  it('clamps progress and treats a queued element (NaN send time) as at the start', () => {
    expect(progress(5, 0, 10)).toBe(0.5);
    expect(progress(-1, 0, 10)).toBe(0);
    expect(progress(20, 0, 10)).toBe(1);
    expect(progress(5, Number.NaN, Number.NaN)).toBe(0);
    expect(progress(5, 5, 5)).toBe(1);
  });

  it('fits a drawing into the view', () => {
    const t = fitTransform(1000, 200, 500, 400);
    expect(t.k).toBe(0.5);
    expect(t.x).toBe(0);
    expect(t.y).toBe(150);
  });
});

describe('operator chains in the layout', () => {
  it('one box per chain: the chained operators listed inside, the subtask rows below them', () => {
    const plain = job([
      { uid: 'src', p: 2 },
      { uid: 'count', p: 2, inputs: [['src', 'hash']] },
    ]);
    const chained: LayoutInput = {
      ...plain,
      tasks: plain.tasks.map((t) =>
        t.operatorUid === 'count'
          ? {
              ...t,
              operators: [
                { uid: 'count', name: 'Op count' },
                { uid: 'sink', name: 'Sink: print' },
              ],
              vertexName: 'Op count -> Sink: print',
            }
          : t,
      ),
    };
    const a = computeLayout(plain);
    const b = computeLayout(chained);
    expect(b.operators.map((o) => o.uid).sort()).toEqual(['count', 'src']);
    const box = b.operators.find((o) => o.uid === 'count');
    expect(box?.chained).toEqual([{ uid: 'sink', name: 'Sink: print' }]);
    const before = a.operators.find((o) => o.uid === 'count');
    // One more header line; the subtask rows start below it.
    expect((box?.headerHeight ?? 0) - (before?.headerHeight ?? 0)).toBe(16);
    const row = b.subtasks.find((s) => s.id === 'count#0');
    expect(row && box && row.y - box.y).toBe(box?.headerHeight);
    // Channels only between boxes: none inside a chain.
    expect(b.channels.map((c) => c.id)).toEqual(a.channels.map((c) => c.id));
  });
});
