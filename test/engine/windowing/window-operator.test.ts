/**
 * The WindowOperator as Flink's WindowOperatorTest checks it, through a harness that drives elements,
 * watermarks and processing time: what fires when (timestamp = the window's max timestamp), the
 * window state in the window's namespace, cleanup timers at maxTimestamp + allowedLateness, late
 * records within the lateness firing again and after it going to the late side output, session
 * windows merging their state (MergingWindowSet), count / purging / continuous triggers, evictors,
 * per-window and global state of a ProcessWindowFunction, and a snapshot/restore in the middle.
 */
import { describe, expect, it } from 'vitest';
import {
  ContinuousEventTimeTrigger,
  CountEvictor,
  CountTrigger,
  Duration,
  EventTimeSessionWindows,
  GlobalWindows,
  OutputTag,
  ProcessingTimeSessionWindows,
  PurgingTrigger,
  SlidingProcessingTimeWindows,
  SlidingEventTimeWindows,
  StreamExecutionEnvironment,
  TimeEvictor,
  TimeWindow,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  ValueStateDescriptor,
  Types,
  type AggregateFunction,
  type Collector,
  type KeyedStream,
  type ProcessWindowContext,
  type ProcessWindowFunction,
  type ValueState,
} from '../../../src/engine/index';
import type { WindowedStream } from '../../../src/engine/api/WindowedStream';
import type { JobVertex } from '../../../src/engine/api/JobGraph';
import { WindowHarness } from './harness';

interface E {
  k: string;
  v: number;
}

function keyed(): KeyedStream<E, string> {
  return StreamExecutionEnvironment.getExecutionEnvironment()
    .fromData<E>({ k: 'x', v: 0 })
    .keyBy((e: E) => e.k);
}

function harness(build: (k: KeyedStream<E, string>) => { getVertex(): JobVertex }): WindowHarness {
  return new WindowHarness(build(keyed()).getVertex());
}

const sum = (a: E, b: E): E => ({ k: a.k, v: a.v + b.v });
const tw = (start: number, end: number) => new TimeWindow(start, end).namespace();

/** A ProcessWindowFunction emitting `key [start, end) n=<elements>`. */
const describeWindow: ProcessWindowFunction<E, string, string, TimeWindow> = {
  process(key, ctx, elements, out) {
    const w = ctx.window();
    out.collect(
      `${key} [${w.start}, ${w.end}) n=${elements.length} sum=${elements.reduce((s, e) => s + e.v, 0)}`,
    );
  },
};

describe('tumbling event-time windows (Flink WindowOperatorTest.testTumblingEventTimeWindowsReduce)', () => {
  it('fires each window once the watermark passes its end, with the sum and the max timestamp', () => {
    const h = harness((k) => k.window(TumblingEventTimeWindows.of(Duration.ofSeconds(3))).reduce(sum));
    h.processElement('key2', { k: 'key2', v: 1 }, 3999);
    h.processElement('key2', { k: 'key2', v: 1 }, 3000);
    h.processElement('key1', { k: 'key1', v: 1 }, 20);
    h.processElement('key1', { k: 'key1', v: 1 }, 0);
    h.processElement('key1', { k: 'key1', v: 1 }, 999);
    h.processElement('key2', { k: 'key2', v: 1 }, 1998);
    h.processElement('key2', { k: 'key2', v: 1 }, 1999);
    h.processElement('key2', { k: 'key2', v: 1 }, 1000);
    // The contents are keyed state in each window's namespace.
    expect(h.backend.entries('window-contents')).toEqual([
      ['key1', { k: 'key1', v: 3 }, tw(0, 3000)],
      ['key2', { k: 'key2', v: 3 }, tw(0, 3000)],
      ['key2', { k: 'key2', v: 2 }, tw(3000, 6000)],
    ]);
    // One event-time timer per key and window, at its max timestamp (trigger and cleanup coincide).
    expect(h.timers.snapshot().map((t) => `${String(t.key)}@${t.timestamp} ${t.namespace}`)).toEqual([
      `key1@2999 ${tw(0, 3000)}`,
      `key2@2999 ${tw(0, 3000)}`,
      `key2@5999 ${tw(3000, 6000)}`,
    ]);
    h.processWatermark(999);
    expect(h.take()).toEqual([]);
    h.processWatermark(2999);
    expect(h.take()).toEqual([
      { value: { k: 'key1', v: 3 }, ts: 2999 },
      { value: { k: 'key2', v: 3 }, ts: 2999 },
    ]);
    h.processWatermark(5999);
    expect(h.take()).toEqual([{ value: { k: 'key2', v: 2 }, ts: 5999 }]);
    // Cleaned up at maxTimestamp + 0: nothing left.
    expect(h.backend.entries('window-contents')).toEqual([]);
    expect(h.timers.size).toBe(0);
  });

  it('bounded input: MAX_WATERMARK fires every window', () => {
    const h = harness((k) => k.window(TumblingEventTimeWindows.of(1000)).process(describeWindow));
    h.processElement('a', { k: 'a', v: 2 }, 10);
    h.processElement('a', { k: 'a', v: 3 }, 5010);
    h.endInput();
    expect(h.take().map((o) => o.value)).toEqual(['a [0, 1000) n=1 sum=2', 'a [5000, 6000) n=1 sum=3']);
  });

  it('a record without a timestamp fails with Flink message', () => {
    const h = harness((k) => k.window(TumblingEventTimeWindows.of(1000)).reduce(sum));
    expect(() => h.processElement('a', { k: 'a', v: 1 }, null)).toThrow(/Long.MIN_VALUE timestamp/);
  });
});

describe('allowed lateness and the late side output', () => {
  const late = new OutputTag<E>('late');
  const build = (k: KeyedStream<E, string>) =>
    k
      .window(TumblingEventTimeWindows.of(2000))
      .allowedLateness(Duration.ofMillis(500))
      .sideOutputLateData(late)
      .reduce(sum);

  it('a late record within the lateness fires the window again; after cleanup it goes to the side output', () => {
    const h = harness(build);
    h.processElement('k', { k: 'k', v: 1 }, 500);
    h.processWatermark(1500);
    h.processElement('k', { k: 'k', v: 1 }, 1300);
    h.processWatermark(2300);
    expect(h.take()).toEqual([{ value: { k: 'k', v: 2 }, ts: 1999 }]);
    // The window is kept until its cleanup time 1999 + 500 = 2499 (a timer in its namespace).
    expect(h.timers.snapshot()).toEqual([
      {
        key: 'k',
        keyGroup: expect.any(Number),
        timestamp: 2499,
        domain: 'EVENT_TIME',
        namespace: tw(0, 2000),
      },
    ]);
    // Late but within the lateness: EventTimeTrigger fires at once with the updated contents.
    h.processElement('k', { k: 'k', v: 5 }, 1999);
    expect(h.take()).toEqual([{ value: { k: 'k', v: 7 }, ts: 1999 }]);
    h.processWatermark(2499);
    expect(h.take()).toEqual([]); // the cleanup timer fires nothing: the window was fired already
    expect(h.backend.entries('window-contents')).toEqual([]);
    // Too late: every window of the record is past cleanup, and timestamp + lateness <= watermark.
    h.processElement('k', { k: 'k', v: 9 }, 1000);
    expect(h.take()).toEqual([]);
    expect(h.sideOutput.get('late')).toEqual([{ value: { k: 'k', v: 9 }, ts: 1000 }]);
    // A record of a later window is not late.
    h.processElement('k', { k: 'k', v: 1 }, 2000);
    expect(h.backend.entries('window-contents')).toEqual([['k', { k: 'k', v: 1 }, tw(2000, 4000)]]);
  });

  it('without sideOutputLateData a too-late record is dropped and counted', () => {
    const h = harness((k) => k.window(TumblingEventTimeWindows.of(2000)).reduce(sum));
    h.processWatermark(5000);
    h.processElement('k', { k: 'k', v: 1 }, 100);
    expect(h.take()).toEqual([]);
    expect(h.sideOutput.size).toBe(0);
    expect((h.operator as unknown as { numLateRecordsDropped: number }).numLateRecordsDropped).toBe(1);
  });
});

describe('session windows merge their state (MergingWindowSet)', () => {
  it('overlapping sessions become one window; the contents of both are in one namespace', () => {
    const h = harness((k) =>
      k.window(EventTimeSessionWindows.withGap(Duration.ofSeconds(3))).process(describeWindow),
    );
    h.processElement('a', { k: 'a', v: 1 }, 0);
    h.processElement('a', { k: 'a', v: 2 }, 1000);
    // [0, 3000) and [1000, 4000) merged into [0, 4000); its state window is [0, 3000) (the first's).
    expect(h.backend.entries('merging-window-set')).toEqual([
      [
        'a',
        [
          [
            { start: 0, end: 4000 },
            { start: 0, end: 3000 },
          ],
        ],
      ],
    ]);
    expect(h.backend.entries('window-contents')).toEqual([
      [
        'a',
        [
          { k: 'a', v: 1 },
          { k: 'a', v: 2 },
        ],
        tw(0, 3000),
      ],
    ]);
    // The merged window's trigger timer replaced the old ones.
    expect(h.timers.snapshot().map((t) => [t.timestamp, t.namespace])).toEqual([[3999, tw(0, 4000)]]);
    h.processElement('a', { k: 'a', v: 4 }, 2500);
    h.processElement('a', { k: 'a', v: 8 }, 10_000);
    h.processElement('b', { k: 'b', v: 16 }, 1);
    h.processWatermark(5499);
    expect(h.take()).toEqual([
      { value: 'b [1, 3001) n=1 sum=16', ts: 3000 },
      { value: 'a [0, 5500) n=3 sum=7', ts: 5499 },
    ]);
    h.endInput();
    expect(h.take().map((o) => o.value)).toEqual(['a [10000, 13000) n=1 sum=8']);
    expect(h.backend.entries('window-contents')).toEqual([]);
    expect(h.backend.entries('merging-window-set')).toEqual([]);
  });

  it('a record between two sessions merges three windows; reduce and aggregate state merge too', () => {
    const avg: AggregateFunction<E, { s: number; n: number }, number> = {
      createAccumulator: () => ({ s: 0, n: 0 }),
      add: (e, acc) => ({ s: acc.s + e.v, n: acc.n + 1 }),
      getResult: (acc) => acc.s / acc.n,
      merge: (a, b) => ({ s: a.s + b.s, n: a.n + b.n }),
    };
    for (const [build, expected] of [
      [
        (k: KeyedStream<E, string>) => k.window(EventTimeSessionWindows.withGap(3)).reduce(sum),
        { k: 'a', v: 7 },
      ],
      [(k: KeyedStream<E, string>) => k.window(EventTimeSessionWindows.withGap(3)).aggregate(avg), 7 / 5],
    ] as const) {
      const h = harness(build);
      h.processElement('a', { k: 'a', v: 1 }, 0);
      h.processElement('a', { k: 'a', v: 2 }, 10);
      expect(h.backend.entries('window-contents')).toHaveLength(2);
      h.processElement('a', { k: 'a', v: 4 }, 5); // [5, 8): apart from [0, 3) and [10, 13)
      expect(h.backend.entries('window-contents')).toHaveLength(3);
      h.processElement('a', { k: 'a', v: 0 }, 3); // [3, 6) touches [0, 3) and overlaps [5, 8) → [0, 8)
      h.processElement('a', { k: 'a', v: 0 }, 8); // [8, 11) → merges [0, 8) and [10, 13) → [0, 13)
      expect(h.backend.entries('window-contents')).toHaveLength(1);
      h.endInput();
      expect(h.take()).toEqual([{ value: expected, ts: 12 }]);
    }
  });

  it('dynamic gaps: withDynamicGap takes the gap from each element', () => {
    const h = harness((k) =>
      k.window(EventTimeSessionWindows.withDynamicGap((e: E) => e.v)).process(describeWindow),
    );
    h.processElement('a', { k: 'a', v: 100 }, 0);
    h.processElement('a', { k: 'a', v: 5 }, 150);
    h.endInput();
    expect(h.take().map((o) => o.value)).toEqual(['a [0, 100) n=1 sum=100', 'a [150, 155) n=1 sum=5']);
    expect(() => EventTimeSessionWindows.withGap(0)).toThrow('0 < size');
  });
});

describe('triggers', () => {
  it('GlobalWindows + PurgingTrigger.of(CountTrigger.of(4)): fires every 4th element and starts over', () => {
    const h = harness((k) =>
      k
        .window(GlobalWindows.create())
        .trigger(PurgingTrigger.of(CountTrigger.of(4)))
        .reduce(sum),
    );
    for (let i = 1; i <= 9; i++) h.processElement('a', { k: 'a', v: i }, null);
    expect(h.take().map((o) => o.value)).toEqual([
      { k: 'a', v: 1 + 2 + 3 + 4 },
      { k: 'a', v: 5 + 6 + 7 + 8 },
    ]);
    // Purged: only the 9th element is in the window; the count (trigger state) is 1, in its namespace.
    expect(h.backend.entries('window-contents')).toEqual([['a', { k: 'a', v: 9 }, 'GlobalWindow']]);
    expect(h.backend.entries('count')).toEqual([['a', 1, 'GlobalWindow']]);
    // GlobalWindows never clean up and never fire on their own.
    h.endInput();
    expect(h.take()).toEqual([]);
  });

  it('CountTrigger without purging fires the accumulated contents every 2nd element', () => {
    const h = harness((k) => k.window(GlobalWindows.create()).trigger(CountTrigger.of(2)).reduce(sum));
    for (let i = 1; i <= 4; i++) h.processElement('a', { k: 'a', v: i }, null);
    expect(h.take().map((o) => (o.value as E).v)).toEqual([3, 10]);
  });

  it('ContinuousEventTimeTrigger fires every interval of event time and at the window end', () => {
    const h = harness((k) =>
      k
        .window(TumblingEventTimeWindows.of(10_000))
        .trigger(ContinuousEventTimeTrigger.of(Duration.ofSeconds(3)))
        .reduce(sum),
    );
    h.processElement('a', { k: 'a', v: 1 }, 1000);
    h.processWatermark(3000);
    h.processElement('a', { k: 'a', v: 1 }, 4000);
    h.processWatermark(6000);
    h.processWatermark(9000);
    h.processWatermark(9999);
    expect(h.take()).toEqual([
      { value: { k: 'a', v: 1 }, ts: 9999 },
      { value: { k: 'a', v: 2 }, ts: 9999 },
      { value: { k: 'a', v: 2 }, ts: 9999 },
      { value: { k: 'a', v: 2 }, ts: 9999 },
    ]);
    expect(h.backend.entries('fire-time')).toEqual([]);
    expect(h.timers.size).toBe(0);
  });

  it('processing-time windows fire when the clock reaches their end', () => {
    const h = harness((k) => k.window(TumblingProcessingTimeWindows.of(1000)).reduce(sum));
    h.setProcessingTime(100);
    h.processElement('a', { k: 'a', v: 1 }, 5); // the event timestamp plays no part
    h.setProcessingTime(900);
    h.processElement('a', { k: 'a', v: 2 }, 99_999);
    h.setProcessingTime(1200);
    h.processElement('a', { k: 'a', v: 4 }, 0);
    h.setProcessingTime(2000);
    expect(h.take()).toEqual([
      { value: { k: 'a', v: 3 }, ts: 999 },
      { value: { k: 'a', v: 4 }, ts: 1999 },
    ]);
  });
});

describe('sliding windows, evictors and ProcessWindowFunction state', () => {
  it('an element is in size / slide windows, each fired with its own contents', () => {
    const h = harness((k) => k.window(SlidingEventTimeWindows.of(3000, 1000)).process(describeWindow));
    h.processElement('a', { k: 'a', v: 1 }, 0);
    h.processElement('a', { k: 'a', v: 2 }, 1500);
    h.endInput();
    expect(h.take().map((o) => o.value)).toEqual([
      'a [-2000, 1000) n=1 sum=1',
      'a [-1000, 2000) n=2 sum=3',
      'a [0, 3000) n=2 sum=3',
      'a [1000, 4000) n=1 sum=2',
    ]);
  });

  it('TimeEvictor keeps the elements within its span of the newest', () => {
    const ht = harness((k) =>
      k
        .window(TumblingEventTimeWindows.of(10_000))
        .evictor(TimeEvictor.of(Duration.ofMillis(1000)))
        .reduce(sum),
    );
    for (const ts of [100, 2500, 3000, 3400]) ht.processElement('a', { k: 'a', v: ts }, ts);
    ht.endInput();
    // The newest is 3400: elements at or before 2400 are evicted.
    expect(ht.take()).toEqual([{ value: { k: 'a', v: 2500 + 3000 + 3400 }, ts: 9999 }]);
  });

  it('CountEvictor keeps the last n elements, before the function; the state keeps what is left', () => {
    const seen: number[][] = [];
    const h = harness((k) =>
      k
        .window(GlobalWindows.create())
        .trigger(CountTrigger.of(3))
        .evictor(CountEvictor.of(2))
        .process<string>((_key, _ctx, elements, out) => {
          seen.push(elements.map((e) => e.v));
          out.collect('fired');
        }),
    );
    for (let i = 1; i <= 6; i++) h.processElement('a', { k: 'a', v: i }, i);
    expect(seen).toEqual([
      [2, 3],
      [5, 6],
    ]);
    expect(h.backend.entries('window-contents')[0][1]).toEqual([
      { value: { k: 'a', v: 5 }, timestamp: 5 },
      { value: { k: 'a', v: 6 }, timestamp: 6 },
    ]);
  });

  it('windowState is per window and cleared with it; globalState spans the windows of a key', () => {
    const perWindow = new ValueStateDescriptor<number>('fires-of-window', Types.INT);
    const perKey = new ValueStateDescriptor<number>('fires-of-key', Types.INT);
    const fn: ProcessWindowFunction<E, string, string, TimeWindow> = {
      process(key, ctx: ProcessWindowContext<TimeWindow>, elements, out: Collector<string>) {
        const w = ctx.windowState().getState(perWindow);
        const g: ValueState<number> = ctx.globalState().getState(perKey);
        w.update((w.value() ?? 0) + 1);
        g.update((g.value() ?? 0) + 1);
        out.collect(`${key} ${ctx.window().start} window#${w.value()} key#${g.value()} n=${elements.length}`);
      },
      clear(ctx) {
        ctx.windowState().getState(perWindow).clear();
      },
    };
    const h = harness((k) => k.window(TumblingEventTimeWindows.of(1000)).allowedLateness(1000).process(fn));
    h.processElement('a', { k: 'a', v: 1 }, 10);
    h.processElement('a', { k: 'a', v: 1 }, 1010);
    h.processWatermark(1500);
    h.processElement('a', { k: 'a', v: 1 }, 20); // late, within the lateness: fires [0, 1000) again
    h.processWatermark(5000);
    expect(h.take().map((o) => o.value)).toEqual([
      'a 0 window#1 key#1 n=1',
      'a 0 window#2 key#2 n=2',
      'a 1000 window#1 key#3 n=1',
    ]);
    expect(h.backend.entries('fires-of-window')).toEqual([]);
    expect(h.backend.entries('fires-of-key')).toEqual([['a', 3]]);
  });
});

describe('snapshot and restore in the middle of windows', () => {
  it('a restored operator fires the same windows as one never interrupted', () => {
    const build = (k: KeyedStream<E, string>) =>
      (k.window(EventTimeSessionWindows.withGap(100)) as WindowedStream<E, string, TimeWindow>).process(
        describeWindow,
      );
    const input: Array<[string, number]> = [
      ['a', 0],
      ['b', 30],
      ['a', 50],
      ['a', 400],
      ['b', 120],
      ['a', 130],
    ];
    const straight = harness(build);
    for (const [k, ts] of input) straight.processElement(k, { k, v: ts }, ts);
    straight.endInput();
    const first = harness(build);
    for (const [k, ts] of input.slice(0, 3)) first.processElement(k, { k, v: ts }, ts);
    const snap = JSON.parse(JSON.stringify(first.snapshot())) as ReturnType<WindowHarness['snapshot']>;
    const second = new WindowHarness(build(keyed()).getVertex(), snap);
    for (const [k, ts] of input.slice(3)) second.processElement(k, { k, v: ts }, ts);
    second.endInput();
    expect(second.take()).toEqual(straight.take());
  });
});

describe('windowAll, processing-time sliding and sessions, and what Flink refuses', () => {
  it('windowAll: one window operator with parallelism 1 sees every record, whatever its key', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(4);
    const op = env
      .fromData<E>({ k: 'x', v: 0 })
      .windowAll(TumblingEventTimeWindows.of(1000))
      .process<string>((ctx, elements, out) =>
        out.collect(`[${(ctx.window() as TimeWindow).start}) ${elements.map((e) => e.k).join('')}`),
      );
    expect(op.getVertex().parallelism).toBe(1);
    expect(op.getVertex().name).toMatch(/^AllWindow\(TumblingEventTimeWindows\(1000\)/);
    expect(() => op.setParallelism(2)).toThrow('The parallelism of non parallel operator must be 1.');
    const h = new WindowHarness(op.getVertex());
    // windowAll keys every record with the same key (Flink's NullByteKeySelector: 0).
    for (const [k, ts] of [
      ['a', 1],
      ['b', 2],
      ['c', 1500],
    ] as const)
      h.processElement(0, { k, v: 1 }, ts);
    h.endInput();
    expect(h.take().map((o) => o.value)).toEqual(['[0) ab', '[1000) c']);
  });

  it('sliding and session windows in processing time use the task clock', () => {
    const sliding = harness((k) => k.window(SlidingProcessingTimeWindows.of(1000, 500)).reduce(sum));
    sliding.setProcessingTime(600);
    sliding.processElement('a', { k: 'a', v: 1 }, null);
    sliding.setProcessingTime(2000);
    expect(sliding.take()).toEqual([
      { value: { k: 'a', v: 1 }, ts: 999 },
      { value: { k: 'a', v: 1 }, ts: 1499 },
    ]);
    const sessions = harness((k) =>
      k.window(ProcessingTimeSessionWindows.withGap(100)).process(describeWindow),
    );
    sessions.setProcessingTime(10);
    sessions.processElement('a', { k: 'a', v: 1 }, null);
    sessions.setProcessingTime(60);
    sessions.processElement('a', { k: 'a', v: 2 }, null);
    sessions.setProcessingTime(500);
    expect(sessions.take().map((o) => o.value)).toEqual(['a [10, 160) n=2 sum=3']);
  });

  it('refuses what Flink refuses: an evictor or per-window state with session windows, negative lateness', () => {
    expect(() => keyed().window(EventTimeSessionWindows.withGap(10)).evictor(CountEvictor.of(1))).toThrow(
      'Cannot use a merging WindowAssigner with an Evictor.',
    );
    expect(() => keyed().window(TumblingEventTimeWindows.of(10)).allowedLateness(-1)).toThrow(
      'The allowed lateness cannot be negative.',
    );
    const h = harness((k) =>
      k.window(EventTimeSessionWindows.withGap(10)).process<string>((_key, ctx, _elements, out) => {
        ctx.windowState().getState(new ValueStateDescriptor<number>('n', Types.INT));
        out.collect('unreachable');
      }),
    );
    h.processElement('a', { k: 'a', v: 1 }, 0);
    expect(() => h.endInput()).toThrow('Per-window state is not allowed when using merging windows.');
  });
});
