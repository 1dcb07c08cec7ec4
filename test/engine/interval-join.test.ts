/**
 * The interval join against Flink's IntervalJoinOperatorTest (same cases, same expected pairs and
 * buffer contents): inclusive and exclusive bounds on both sides, state cleanup as the common
 * watermark advances, restore from a snapshot, and both input orders ("lhs faster than rhs"). Then
 * the API end to end: `keyed.intervalJoin(other).between(..).process(..)` in a running job.
 */
import { describe, expect, it } from 'vitest';
import {
  ExternalSystem,
  MiniCluster,
  NonTransactionalSink,
  ReplayableLog,
  StreamExecutionEnvironment,
  type ProcessJoinFunction,
} from '../../src/engine/index';
import { IntervalJoinOperator, type BufferEntry } from '../../src/engine/runtime/co/IntervalJoinOperator';
import { WatermarkStrategies } from '../../src/engine/time/WatermarkStrategy';
import { TwoInputOperatorHarness } from './TwoInputOperatorHarness';

interface TestElem {
  key: string;
  ts: number;
  source: 'lhs' | 'rhs';
}
const elem = (ts: number, source: 'lhs' | 'rhs'): TestElem => ({ key: 'key', ts, source });

const passthrough: ProcessJoinFunction<TestElem, TestElem, [TestElem, TestElem]> = {
  processElement(l, r, _ctx, out) {
    out.collect([l, r]);
  },
};

function harness(
  lower: number,
  lowerInclusive: boolean,
  upper: number,
  upperInclusive: boolean,
  restore = null as null | ReturnType<TwoInputOperatorHarness['snapshot']>,
) {
  return new TwoInputOperatorHarness(
    (ctx) =>
      new IntervalJoinOperator(ctx, passthrough as ProcessJoinFunction<unknown, unknown, unknown>, {
        lowerBound: lower,
        upperBound: upper,
        lowerBoundInclusive: lowerInclusive,
        upperBoundInclusive: upperInclusive,
      }),
    (e) => (e as TestElem).key,
    (e) => (e as TestElem).key,
    restore,
  );
}

/** Flink's processElementsAndWatermarks(from, to), in either input order. */
function feed(
  h: TwoInputOperatorHarness,
  from: number,
  to: number,
  lhsFaster: boolean,
): TwoInputOperatorHarness {
  const lhs = () => {
    for (let i = from; i <= to; i++) h.processElement1(elem(i, 'lhs'), i).processWatermark1(i);
  };
  const rhs = () => {
    for (let i = from; i <= to; i++) h.processElement2(elem(i, 'rhs'), i).processWatermark2(i);
  };
  if (lhsFaster) {
    lhs();
    rhs();
  } else {
    rhs();
    lhs();
  }
  return h;
}

/** The output as Flink's streamRecordOf(l, r) pairs: value (l, r) at timestamp max(l, r), sorted. */
function pairs(h: TwoInputOperatorHarness): string[] {
  return h.output
    .map((o) => {
      const [l, r] = o.value as [TestElem, TestElem];
      expect(l.source).toBe('lhs');
      expect(r.source).toBe('rhs');
      expect(o.timestamp).toBe(Math.max(l.ts, r.ts));
      return `${l.ts},${r.ts}`;
    })
    .sort();
}
const expected = (...p: Array<[number, number]>) => p.map(([l, r]) => `${l},${r}`).sort();

function bufferTimestamps(h: TwoInputOperatorHarness, name: 'LEFT_BUFFER' | 'RIGHT_BUFFER'): number[] {
  const entries = h.backend.entries(name) as Array<[string, Array<[number, BufferEntry[]]>]>;
  return entries.flatMap(([, m]) => m.map(([ts]) => ts)).sort((a, b) => a - b);
}

describe.each([true, false])(
  'IntervalJoinOperator, lhs faster than rhs: %s (Flink IntervalJoinOperatorTest)',
  (lhsFaster) => {
    const cases: Array<[string, number, boolean, number, boolean, string[]]> = [
      [
        'implementation mirrors correctly (1 incl, 3 excl)',
        1,
        true,
        3,
        false,
        expected([1, 2], [1, 3], [2, 3], [2, 4], [3, 4]),
      ],
      ['mirrored (-3 excl, -1 incl)', -3, false, -1, true, expected([2, 1], [3, 1], [3, 2], [4, 2], [4, 3])],
      [
        'negative inclusive and negative inclusive',
        -2,
        true,
        -1,
        true,
        expected([2, 1], [3, 1], [3, 2], [4, 2], [4, 3]),
      ],
      [
        'negative inclusive and positive inclusive',
        -1,
        true,
        1,
        true,
        expected([1, 1], [1, 2], [2, 1], [2, 2], [2, 3], [3, 2], [3, 3], [3, 4], [4, 3], [4, 4]),
      ],
      [
        'positive inclusive and positive inclusive',
        1,
        true,
        2,
        true,
        expected([1, 2], [1, 3], [2, 3], [2, 4], [3, 4]),
      ],
      ['negative exclusive and negative exclusive', -3, false, -1, false, expected([3, 1], [4, 2])],
      [
        'negative exclusive and positive exclusive',
        -1,
        false,
        1,
        false,
        expected([1, 1], [2, 2], [3, 3], [4, 4]),
      ],
      ['positive exclusive and positive exclusive', 1, false, 3, false, expected([1, 3], [2, 4])],
    ];
    it.each(cases)('%s', (_name, lower, li, upper, ui, want) => {
      expect(pairs(feed(harness(lower, li, upper, ui), 1, 4, lhsFaster))).toEqual(want);
    });

    const cleanup: Array<[string, number, boolean, number, boolean, number[][]]> = [
      // [left after wm 1, right after wm 1, left after wm 4, right after wm 4]
      ['state cleanup -1 incl, 0 incl', -1, true, 0, true, [[2, 3, 4, 5], [1, 2, 3, 4, 5], [5], [4, 5]]],
      ['state cleanup -2 excl, 1 excl', -2, false, 1, false, [[2, 3, 4, 5], [1, 2, 3, 4, 5], [5], [4, 5]]],
      ['state cleanup 0 incl, 1 incl', 0, true, 1, true, [[1, 2, 3, 4, 5], [2, 3, 4, 5], [4, 5], [5]]],
      ['state cleanup -1 excl, 2 excl', -1, false, 2, false, [[1, 2, 3, 4, 5], [2, 3, 4, 5], [4, 5], [5]]],
    ];
    it.each(cleanup)('%s: buffers as the common watermark advances', (_n, lower, li, upper, ui, want) => {
      const h = harness(lower, li, upper, ui);
      for (let i = 1; i <= 5; i++) h.processElement1(elem(i, 'lhs'), i);
      for (let i = 1; i <= 5; i++) h.processElement2(elem(i, 'rhs'), i);
      h.processWatermark1(1).processWatermark2(1);
      expect(bufferTimestamps(h, 'LEFT_BUFFER')).toEqual(want[0]);
      expect(bufferTimestamps(h, 'RIGHT_BUFFER')).toEqual(want[1]);
      h.processWatermark1(4).processWatermark2(4);
      expect(bufferTimestamps(h, 'LEFT_BUFFER')).toEqual(want[2]);
      expect(bufferTimestamps(h, 'RIGHT_BUFFER')).toEqual(want[3]);
      h.processWatermark1(6).processWatermark2(6);
      expect(bufferTimestamps(h, 'LEFT_BUFFER')).toEqual([]);
      expect(bufferTimestamps(h, 'RIGHT_BUFFER')).toEqual([]);
    });
  },
);

describe('IntervalJoinOperator snapshot and restore (Flink testRestoreFromSnapshot)', () => {
  it('the buffers and cleanup timers survive; the restored operator joins the old elements', () => {
    const h = harness(-1, true, 1, true);
    for (let i = 1; i <= 3; i++) {
      h.processElement1(elem(i, 'lhs'), i).processWatermark1(i);
      h.processElement2(elem(i, 'rhs'), i).processWatermark2(i);
    }
    expect(pairs(h)).toEqual(expected([1, 1], [1, 2], [2, 1], [2, 2], [2, 3], [3, 2], [3, 3]));
    const snap = h.snapshot();
    const restored = harness(-1, true, 1, true, snap);
    restored.processElement1(elem(4, 'lhs'), 4).processWatermark1(4);
    restored.processElement2(elem(4, 'rhs'), 4).processWatermark2(4);
    expect(pairs(restored)).toEqual(expected([3, 4], [4, 3], [4, 4]));
  });

  it('late elements go to sideOutputLeftLateData / sideOutputRightLateData (Flink testLateData)', () => {
    const h = new TwoInputOperatorHarness(
      (ctx) =>
        new IntervalJoinOperator(ctx, passthrough as ProcessJoinFunction<unknown, unknown, unknown>, {
          lowerBound: -1,
          upperBound: 1,
          lowerBoundInclusive: true,
          upperBoundInclusive: true,
          leftLateDataOutputTag: 'left-late',
          rightLateDataOutputTag: 'right-late',
        }),
      (e) => (e as TestElem).key,
      (e) => (e as TestElem).key,
    );
    h.processWatermark1(6).processWatermark2(6);
    h.processElement1(elem(3, 'lhs'), 3)
      .processElement2(elem(4, 'rhs'), 4)
      .processElement1(elem(7, 'lhs'), 7);
    expect(h.sideOutput).toEqual([
      { tag: 'left-late', value: elem(3, 'lhs'), timestamp: 3 },
      { tag: 'right-late', value: elem(4, 'rhs'), timestamp: 4 },
    ]);
    expect(bufferTimestamps(h, 'LEFT_BUFFER')).toEqual([7]);
  });

  it('a late element (timestamp below the watermark) is dropped; an element without timestamp throws as in Flink', () => {
    const h = harness(-1, true, 1, true);
    h.processWatermark1(10).processWatermark2(10);
    h.processElement1(elem(5, 'lhs'), 5);
    expect(bufferTimestamps(h, 'LEFT_BUFFER')).toEqual([]);
    expect(() => h.processElement1(elem(12, 'lhs'), null)).toThrow(/need to have timestamps/);
  });

  it("crossed bounds are refused with Flink's message", () => {
    expect(() => harness(2, false, 2, true)).toThrow('lowerBound <= upperBound must be fulfilled');
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    const a = env.fromData({ key: 'k', ts: 1, source: 'lhs' as const }).keyBy((e) => e.key);
    expect(() => a.intervalJoin(a).between(5, 1)).toThrow('lowerBound <= upperBound must be fulfilled');
  });
});

describe('intervalJoin in a job', () => {
  it('joins orders with shipments of the same id within [0, 10] ms; both buffers are empty at the end', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
    env.enableCheckpointing(20);
    const wm = WatermarkStrategies.forBoundedOutOfOrderness(2);
    const orders = env
      .fromSource(
        new ReplayableLog('orders', [
          [
            { value: { id: 'o1' }, timestamp: 0 },
            { value: { id: 'o2' }, timestamp: 5 },
            { value: { id: 'o3' }, timestamp: 30 },
          ],
        ]),
        'Source: orders',
        4,
        wm,
      )
      .uid('orders')
      .setParallelism(1);
    const shipments = env
      .fromSource(
        new ReplayableLog('shipments', [
          [
            { value: { id: 'o1' }, timestamp: 8 },
            { value: { id: 'o2' }, timestamp: 20 },
            { value: { id: 'o3' }, timestamp: 31 },
          ],
        ]),
        'Source: shipments',
        6,
        wm,
      )
      .uid('shipments')
      .setParallelism(1);
    orders
      .keyBy((o: { id: string }) => o.id)
      .intervalJoin(shipments.keyBy((s: { id: string }) => s.id))
      .between(0, 10)
      .process<string>({
        processElement(o, s, ctx, out) {
          out.collect(`${o.id}: ordered ${ctx.getLeftTimestamp()}, shipped ${ctx.getRightTimestamp()}`);
        },
      })
      .uid('join')
      .addSink(new NonTransactionalSink<string>())
      .uid('sink');
    env.setLogSourcesBounded(true);
    const job = env.getJobGraph('Join');
    expect(job.vertices.find((v) => v.uid === 'join')?.name).toBe('Interval Join');
    const external = new ExternalSystem();
    const cluster = new MiniCluster(job, { seed: 1, external });
    cluster.runToCompletion();
    expect(cluster.isFinished()).toBe(true);
    expect(external.committedValues('sink').sort()).toEqual([
      'o1: ordered 0, shipped 8',
      'o3: ordered 30, shipped 31',
    ]);
    // MAX_WATERMARK at the end fired every cleanup timer.
    expect(cluster.keyedStateByOperator().join).toEqual({ LEFT_BUFFER: {}, RIGHT_BUFFER: {} });
  });
});
