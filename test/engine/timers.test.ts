/**
 * Timers as a Flink engineer checks them (KeyedProcessFunction.onTimer, TimerService,
 * InternalTimerServiceImpl): processing-time timers fire when the virtual clock reaches them,
 * event-time timers when the operator's watermark passes them; one timer per key, domain and
 * timestamp; delete works; timers are part of the checkpoint and fire after a restore (and move with
 * their key group when the parallelism changes); timers need a keyed stream.
 */
import { renderEnglish } from '../../src/engine/messages/Message';
import { describe, expect, it } from 'vitest';
import {
  DurableCheckpointStorage,
  ExternalSystem,
  FsStateBackend,
  MiniCluster,
  NonTransactionalSink,
  ReplayableLog,
  RestartStrategies,
  StreamExecutionEnvironment,
  TwoPhaseCommitSink,
  ValueStateDescriptor,
  assignKeyToParallelOperator,
  assignToKeyGroup,
  type Collector,
  type CompletedCheckpoint,
  type JobGraph,
  type KeyedProcessContext,
  type KeyedProcessFunction,
  type LogRecord,
  type OnTimerContext,
  type RestartStrategyConfig,
  type RuntimeContext,
  type TraceEvent,
  type ValueState,
} from '../../src/engine/index';
// Not exported from src/engine/index.ts (see the report): the strategy is reachable only here.
import { WatermarkStrategies, type WatermarkStrategy } from '../../src/engine/time/WatermarkStrategy';
import { ofType, type Ev } from './helpers';

interface Rec {
  k: string;
  v: number;
}

/** What onTimer saw. Module-level: the engine deep-copies a function's data fields per subtask. */
interface TimerCall {
  key: string;
  timestamp: number;
  domain: 'EVENT_TIME' | 'PROCESSING_TIME';
  now: number;
  ctxTimestamp: number | null;
  watermark: number;
  subtask: number;
}
let CALLS: TimerCall[] = [];
/** Timestamps seen by a downstream keyed function (ctx.timestamp() of the records it got). */
let DOWNSTREAM: Array<{ value: unknown; ts: number | null }> = [];

/** A KeyedProcessFunction whose processElement is given; onTimer records the call and emits `key@ts`. */
function timerFn(
  onElement: (r: Rec, ctx: KeyedProcessContext<string>) => void,
): KeyedProcessFunction<string, Rec, string> {
  return {
    subtask: 0,
    open(this: { subtask: number }, ctx: RuntimeContext) {
      this.subtask = ctx.getIndexOfThisSubtask();
    },
    processElement(r: Rec, ctx: KeyedProcessContext<string>) {
      onElement(r, ctx);
    },
    onTimer(this: { subtask: number }, ts: number, ctx: OnTimerContext<string>, out: Collector<string>) {
      CALLS.push({
        key: ctx.getCurrentKey(),
        timestamp: ts,
        domain: ctx.timeDomain(),
        now: ctx.currentProcessingTime(),
        ctxTimestamp: ctx.timestamp(),
        watermark: ctx.timerService().currentWatermark(),
        subtask: this.subtask,
      });
      out.collect(`${ctx.getCurrentKey()}@${ts}`);
    },
  } as KeyedProcessFunction<string, Rec, string>;
}

interface JobOptions {
  partitions: LogRecord<Rec>[][];
  fn: KeyedProcessFunction<string, Rec, string>;
  parallelism?: number;
  sourceParallelism?: number;
  emitMs?: number;
  checkpointMs?: number;
  minPauseMs?: number;
  watermark?: WatermarkStrategy | null;
  restart?: RestartStrategyConfig;
  sink?: '2pc' | 'print';
  /** Adds keyBy → a function that records ctx.timestamp() of every record it gets, before the sink. */
  observeTimestamps?: boolean;
  name?: string;
}

/** source → keyBy(k) → process(fn) 'proc' → sink 'sink'. */
function timerJob(o: JobOptions): JobGraph {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(o.parallelism ?? 1);
  if (o.checkpointMs !== undefined) {
    env.enableCheckpointing(o.checkpointMs);
    if (o.minPauseMs !== undefined)
      env.configureCheckpointing({ minPauseBetweenCheckpointsMs: o.minPauseMs });
  }
  env.setStateBackend(new FsStateBackend());
  env.setRestartStrategy(o.restart ?? RestartStrategies.fixedDelayRestart(3, 20));
  let out = env
    .fromSource(new ReplayableLog('in', o.partitions), 'Source: in', o.emitMs ?? 1, o.watermark ?? null)
    .uid('src')
    .setParallelism(o.sourceParallelism ?? o.partitions.length)
    .keyBy((r: Rec) => r.k)
    .process(o.fn)
    .uid('proc');
  if (o.observeTimestamps) {
    out = out
      .keyBy((s: string) => s)
      .process<string>({
        processElement(v: string, ctx: KeyedProcessContext<string>, c: Collector<string>) {
          DOWNSTREAM.push({ value: v, ts: ctx.timestamp() });
          c.collect(v);
        },
      })
      .uid('observe');
  }
  out
    .addSink(o.sink === 'print' ? new NonTransactionalSink<string>() : new TwoPhaseCommitSink<string>())
    .uid('sink');
  return env.getJobGraph(o.name ?? 'Timers');
}

function run(
  job: JobGraph,
  opts: {
    seed?: number;
    storage?: DurableCheckpointStorage;
    external?: ExternalSystem;
    restoreFrom?: CompletedCheckpoint;
  } = {},
) {
  const events: TraceEvent[] = [];
  const cluster = new MiniCluster(job, {
    seed: opts.seed ?? 7,
    trace: (e) => events.push(e),
    checkpointStorage: opts.storage,
    external: opts.external,
    restoreFrom: opts.restoreFrom,
  });
  return { cluster, events };
}

const rec = (k: string, v: number, timestamp = v): LogRecord<Rec> => ({ value: { k, v }, timestamp });

function reset(): void {
  CALLS = [];
  DOWNSTREAM = [];
}

describe('processing-time timers', () => {
  it('fire 1 ms after their time (Flink getProcessingTimeDelay), with the timer key current and timeDomain PROCESSING_TIME', () => {
    reset();
    const job = timerJob({
      partitions: [[rec('a', 0), rec('b', 1), rec('c', 2)]],
      fn: timerFn((_r, ctx) => ctx.timerService().registerProcessingTimeTimer(100)),
    });
    const { cluster, events } = run(job);
    // Flink's ProcessingTimeServiceUtil.getProcessingTimeDelay: a timer for T fires once the clock
    // is past T (T + 1 ms), as a watermark T fires only timers <= T.
    cluster.runUntil(100.9);
    expect(ofType(events, 'timer-fired')).toHaveLength(0);
    expect(CALLS).toHaveLength(0);
    cluster.runUntil(300);
    const fired = ofType(events, 'timer-fired');
    expect(fired.map((e) => e.key).sort()).toEqual(['a', 'b', 'c']);
    for (const e of fired) {
      expect(e.task).toBe('proc#0');
      expect(e.domain).toBe('PROCESSING_TIME');
      expect(e.timestamp).toBe(100);
      expect(e.t).toBeGreaterThanOrEqual(101);
      expect(e.t).toBeLessThan(102);
    }
    expect(CALLS.map((c) => c.key).sort()).toEqual(['a', 'b', 'c']);
    for (const c of CALLS) {
      expect(c.domain).toBe('PROCESSING_TIME');
      expect(c.timestamp).toBe(100);
      expect(c.now).toBeGreaterThanOrEqual(101);
      // Flink: a processing-time timer has no event timestamp.
      expect(c.ctxTimestamp).toBeNull();
    }
    // The order of the trace matches the order of the calls (key by key).
    expect(CALLS.map((c) => c.key)).toEqual(fired.map((e) => e.key));
  });

  it('a timer registered in the past fires at once (Flink fires timers whose time has come)', () => {
    reset();
    const job = timerJob({
      partitions: [[rec('a', 0)]],
      emitMs: 20,
      fn: timerFn((_r, ctx) =>
        ctx.timerService().registerProcessingTimeTimer(ctx.currentProcessingTime() - 10),
      ),
    });
    const { cluster, events } = run(job);
    cluster.runUntil(200);
    const fired = ofType(events, 'timer-fired');
    expect(fired).toHaveLength(1);
    const processed = ofType(events, 'record-processed').find((e) => e.task === 'proc#0');
    expect(fired[0].t - (processed as Ev<'record-processed'>).t).toBeLessThan(1);
  });

  it('are deduplicated: one timer per key and timestamp however often it is registered', () => {
    reset();
    const part: LogRecord<Rec>[] = [];
    for (let i = 0; i < 12; i++) part.push(rec(['a', 'b', 'c'][i % 3], i));
    const job = timerJob({
      partitions: [part],
      fn: timerFn((_r, ctx) => {
        ctx.timerService().registerProcessingTimeTimer(100);
        ctx.timerService().registerProcessingTimeTimer(150);
        ctx.timerService().registerProcessingTimeTimer(100);
      }),
    });
    const { cluster, events } = run(job);
    cluster.runUntil(400);
    const fired = ofType(events, 'timer-fired').map((e) => `${e.key}@${e.timestamp}`);
    expect(fired.sort()).toEqual(['a@100', 'a@150', 'b@100', 'b@150', 'c@100', 'c@150']);
    expect(CALLS).toHaveLength(6);
  });

  it('deleteProcessingTimeTimer removes the timer of the current key only', () => {
    reset();
    const job = timerJob({
      partitions: [[rec('a', 0), rec('b', 1), rec('a', 2), rec('c', 3)]],
      fn: timerFn((r, ctx) => {
        if (r.v < 2) {
          ctx.timerService().registerProcessingTimeTimer(100);
          ctx.timerService().registerProcessingTimeTimer(150);
        } else {
          // a: deletes its 150 timer; c: deletes a timer it never had (a no-op)
          ctx.timerService().deleteProcessingTimeTimer(150);
        }
      }),
    });
    const { cluster, events } = run(job);
    cluster.runUntil(400);
    const fired = ofType(events, 'timer-fired').map((e) => `${e.key}@${e.timestamp}`);
    expect(fired.sort()).toEqual(['a@100', 'b@100', 'b@150']);
  });

  it('each timer fires on the subtask that owns its key, with that key current', () => {
    reset();
    const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const job = timerJob({
      partitions: [keys.map((k, i) => rec(k, i))],
      parallelism: 3,
      sourceParallelism: 1,
      fn: timerFn((_r, ctx) => ctx.timerService().registerProcessingTimeTimer(60)),
    });
    const { cluster, events } = run(job);
    cluster.runUntil(200);
    const fired = ofType(events, 'timer-fired');
    expect(fired).toHaveLength(keys.length);
    for (const e of fired) expect(e.task).toBe(`proc#${assignKeyToParallelOperator(e.key, 128, 3)}`);
    for (const c of CALLS) expect(c.subtask).toBe(assignKeyToParallelOperator(c.key, 128, 3));
  });
});

describe('timers in checkpoints', () => {
  it('a checkpoint holds the pending timers (TaskStateSnapshot.timers) of the subtask that owns each key', () => {
    reset();
    const keys = ['a', 'b', 'c', 'd', 'e'];
    const job = timerJob({
      partitions: [keys.map((k, i) => rec(k, i, 1000 + i))],
      parallelism: 2,
      sourceParallelism: 1,
      checkpointMs: 50,
      watermark: WatermarkStrategies.forBoundedOutOfOrderness(0),
      fn: timerFn((r, ctx) => {
        ctx.timerService().registerProcessingTimeTimer(10_000 + r.v);
        ctx.timerService().registerEventTimeTimer(50_000);
      }),
    });
    const storage = new DurableCheckpointStorage();
    const { cluster } = run(job, { storage });
    cluster.runUntil(300);
    const cp = storage.latest('Timers') as CompletedCheckpoint;
    expect(cp).not.toBeNull();
    const all = cp.tasks.filter((t) => t.operatorUid === 'proc');
    expect(all).toHaveLength(2);
    const seen: string[] = [];
    for (const t of all) {
      for (const timer of t.timers) {
        const key = timer.key as string;
        expect(assignKeyToParallelOperator(key, 128, 2)).toBe(t.subtaskIndex);
        expect(timer.keyGroup).toBe(assignToKeyGroup(key, 128));
        seen.push(`${key}:${timer.domain}:${timer.timestamp}`);
      }
    }
    const expected = keys.flatMap((k, i) => [`${k}:PROCESSING_TIME:${10_000 + i}`, `${k}:EVENT_TIME:50000`]);
    expect(seen.sort()).toEqual(expected.sort());
    // Operators without keys have no timers.
    for (const t of cp.tasks.filter((t) => t.operatorUid !== 'proc')) expect(t.timers).toEqual([]);
  });

  it('a fired timer is no longer in the next checkpoint', () => {
    reset();
    const job = timerJob({
      partitions: [[rec('a', 0)]],
      checkpointMs: 40,
      fn: timerFn((_r, ctx) => ctx.timerService().registerProcessingTimeTimer(100)),
    });
    const storage = new DurableCheckpointStorage(100);
    const { cluster, events } = run(job, { storage });
    cluster.runUntil(400);
    const firedAt = ofType(events, 'timer-fired')[0].t;
    for (const cp of storage.list('Timers')) {
      const timers = cp.tasks.find((t) => t.taskId === 'proc#0')?.timers ?? [];
      if (cp.triggerTime < 100) expect(timers).toHaveLength(1);
      if (cp.triggerTime > firedAt) expect(timers).toHaveLength(0);
    }
    expect(storage.list('Timers').some((c) => c.triggerTime > firedAt)).toBe(true);
  });

  it('a pending processing-time timer fires after a restore, exactly once in the committed 2PC output', () => {
    reset();
    const job = timerJob({
      partitions: [[rec('a', 0), rec('b', 1)]],
      checkpointMs: 50,
      fn: timerFn((_r, ctx) => ctx.timerService().registerProcessingTimeTimer(300)),
    });
    const storage = new DurableCheckpointStorage(100);
    const { cluster, events } = run(job, { storage });
    cluster.scheduleTaskFailure('proc#0', 150);
    cluster.runUntil(700);
    cluster.runToCompletion();
    const failedAt = ofType(events, 'task-failed')[0].t;
    const restored = ofType(events, 'task-restored').find((e) => e.task === 'proc#0') as Ev<'task-restored'>;
    expect(restored.checkpointId).not.toBeNull();
    const cp = storage
      .list('Timers')
      .find((c) => c.checkpointId === restored.checkpointId) as CompletedCheckpoint;
    expect(cp.completionTime).toBeLessThan(failedAt);
    expect(
      cp.tasks
        .find((t) => t.taskId === 'proc#0')
        ?.timers.map((t) => t.key)
        .sort(),
    ).toEqual(['a', 'b']);
    const fired = ofType(events, 'timer-fired');
    expect(fired.map((e) => e.key).sort()).toEqual(['a', 'b']);
    for (const e of fired) expect(e.t).toBeGreaterThanOrEqual(300);
    expect([...cluster.external.committedValues('sink')].sort()).toEqual(['a@300', 'b@300']);
  });

  it('a timer that fired after the checkpoint and before the failure fires again on restore, committed once', () => {
    reset();
    // interval = min pause: the first checkpoint is triggered at exactly 100 ms, the next one ~100 ms
    // after the first completes. The timer (150) fires in between; the failure (170) too.
    const job = timerJob({
      partitions: [[rec('a', 0)]],
      checkpointMs: 100,
      minPauseMs: 100,
      fn: timerFn((_r, ctx) => ctx.timerService().registerProcessingTimeTimer(150)),
    });
    const storage = new DurableCheckpointStorage(100);
    const { cluster, events } = run(job, { storage });
    cluster.scheduleTaskFailure('proc#0', 170);
    cluster.runUntil(800);
    cluster.runToCompletion();
    const completed = ofType(events, 'checkpoint-completed');
    expect(completed[0].t).toBeLessThan(150);
    expect(completed.filter((e) => e.t < 170)).toHaveLength(1);
    const fired = ofType(events, 'timer-fired');
    expect(fired).toHaveLength(2);
    expect(fired[0].t).toBeLessThan(170);
    expect(fired[1].t).toBeGreaterThan(170);
    expect(cluster.external.committedValues('sink')).toEqual(['a@150']);
    expect(cluster.external.writtenValues('sink')).toEqual(['a@150', 'a@150']);
  });

  it('timers move with their key group when a savepoint is restored with another parallelism', () => {
    reset();
    const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
    const make = (p: number) =>
      timerJob({
        partitions: [keys.map((k, i) => rec(k, i))],
        parallelism: p,
        sourceParallelism: 1,
        checkpointMs: 1000,
        sink: 'print',
        fn: timerFn((_r, ctx) => ctx.timerService().registerProcessingTimeTimer(400)),
      });
    const storage = new DurableCheckpointStorage();
    const first = run(make(2), { storage });
    first.cluster.runUntil(50);
    expect(first.cluster.triggerSavepoint()).not.toBeNull();
    first.cluster.runUntil(150);
    const sp = storage.list('Timers').find((c) => c.kind === 'savepoint') as CompletedCheckpoint;
    expect(sp).toBeDefined();
    expect(sp.tasks.filter((t) => t.operatorUid === 'proc').flatMap((t) => t.timers)).toHaveLength(
      keys.length,
    );
    expect(CALLS).toHaveLength(0);

    const second = run(make(3), { storage, external: new ExternalSystem(), restoreFrom: sp });
    second.cluster.runUntil(second.cluster.now + 500);
    const fired = ofType(second.events, 'timer-fired');
    expect(fired.map((e) => e.key).sort()).toEqual(keys);
    for (const e of fired) expect(e.task).toBe(`proc#${assignKeyToParallelOperator(e.key, 128, 3)}`);
  });
});

describe('event-time timers', () => {
  /** 60 records, ts = 10 i, alternating keys a/b, one every 5 ms; each registers an event-time timer at ts + 25. */
  function eventTimeJob(extra: Partial<JobOptions> = {}): JobGraph {
    const part: LogRecord<Rec>[] = [];
    for (let i = 0; i < 60; i++) part.push(rec(i % 2 === 0 ? 'a' : 'b', i, i * 10));
    return timerJob({
      partitions: [part],
      emitMs: 5,
      watermark: WatermarkStrategies.forBoundedOutOfOrderness(0).withAutoWatermarkInterval(20),
      fn: timerFn((_r, ctx) => {
        const ts = ctx.timestamp() as number;
        ctx.timerService().registerEventTimeTimer(ts + 25);
      }),
      ...extra,
    });
  }

  it('fire only when the watermark passes them', () => {
    reset();
    const { cluster, events } = run(eventTimeJob());
    cluster.runUntil(2000);
    const fired = ofType(events, 'timer-fired');
    expect(fired.length).toBeGreaterThan(40);
    for (const f of fired) {
      expect(f.domain).toBe('EVENT_TIME');
      const idx = events.indexOf(f);
      const wms = events
        .slice(0, idx)
        .filter((e): e is Ev<'watermark-advanced'> => e.type === 'watermark-advanced' && e.task === 'proc#0');
      const last = wms[wms.length - 1];
      expect(last.watermark).toBeGreaterThanOrEqual(f.timestamp);
      // ... and it did not fire at the watermark before (which had not reached it).
      if (wms.length > 1) expect(wms[wms.length - 2].watermark).toBeLessThan(f.timestamp);
    }
    for (const c of CALLS) {
      expect(c.domain).toBe('EVENT_TIME');
      expect(c.ctxTimestamp).toBe(c.timestamp);
      expect(c.watermark).toBeGreaterThanOrEqual(c.timestamp);
    }
    // The final watermark is 590 - 0 - 1 = 589: the timers at 595, 605 and 615 stay pending.
    const wms = ofType(events, 'watermark-advanced').filter((e) => e.task === 'proc#0');
    expect(wms[wms.length - 1].watermark).toBe(589);
    const firedTs = fired.map((e) => e.timestamp);
    expect(firedTs.filter((t) => t > 589)).toEqual([]);
    expect(firedTs.sort((a, b) => a - b)).toEqual(
      Array.from({ length: 57 }, (_, i) => i * 10 + 25).filter((t) => t <= 589),
    );
  });

  it('never fire without watermarks (no watermark strategy at the source)', () => {
    reset();
    const { cluster, events } = run(eventTimeJob({ watermark: null }));
    cluster.runUntil(2000);
    expect(ofType(events, 'watermark-advanced')).toHaveLength(0);
    expect(ofType(events, 'timer-fired')).toHaveLength(0);
  });

  it('deleteEventTimeTimer removes the timer', () => {
    reset();
    const job = eventTimeJob({
      fn: timerFn((r, ctx) => {
        const ts = ctx.timestamp() as number;
        ctx.timerService().registerEventTimeTimer(ts + 25);
        if (r.v % 4 === 0) ctx.timerService().deleteEventTimeTimer(ts + 25);
      }),
    });
    const { cluster, events } = run(job);
    cluster.runUntil(2000);
    const fired = ofType(events, 'timer-fired').map((e) => e.timestamp);
    expect(fired.length).toBeGreaterThan(20);
    for (const t of fired) expect(((t - 25) / 10) % 4).not.toBe(0);
  });

  it('records emitted from an event-time timer carry the timer timestamp; from a processing-time timer none', () => {
    reset();
    const part: LogRecord<Rec>[] = [];
    for (let i = 0; i < 20; i++) part.push(rec(i % 2 === 0 ? 'a' : 'b', i, i * 10));
    const job = timerJob({
      partitions: [part],
      emitMs: 5,
      watermark: WatermarkStrategies.forBoundedOutOfOrderness(0).withAutoWatermarkInterval(20),
      observeTimestamps: true,
      fn: timerFn((r, ctx) => {
        ctx.timerService().registerEventTimeTimer((ctx.timestamp() as number) + 7);
        if (r.v === 0) ctx.timerService().registerProcessingTimeTimer(500);
      }),
    });
    const { cluster } = run(job);
    cluster.runUntil(1000);
    const eventTime = DOWNSTREAM.filter((d) => d.value !== 'a@500');
    expect(eventTime.length).toBeGreaterThan(10);
    for (const d of eventTime) expect(d.ts).toBe(Number(String(d.value).split('@')[1]));
    expect(DOWNSTREAM.find((d) => d.value === 'a@500')?.ts).toBeNull();
  });

  it('a restored event-time timer fires when the watermark after the restore passes it, committed once', () => {
    reset();
    // Timers at 1000 (key a) and 1010 (key b); the data goes on to ts 1500, so the watermark passes
    // them only after the failure at 60 ms and the restore.
    const part: LogRecord<Rec>[] = [];
    for (let i = 0; i < 150; i++) part.push(rec(i % 2 === 0 ? 'a' : 'b', i, i * 10));
    const job = timerJob({
      partitions: [part],
      emitMs: 2,
      checkpointMs: 20,
      watermark: WatermarkStrategies.forBoundedOutOfOrderness(0).withAutoWatermarkInterval(10),
      fn: timerFn((r, ctx) => {
        if (r.v < 2) ctx.timerService().registerEventTimeTimer(1000 + r.v * 10);
      }),
    });
    const storage = new DurableCheckpointStorage(100);
    const { cluster, events } = run(job, { storage });
    cluster.scheduleTaskFailure('proc#0', 60);
    cluster.runUntil(2000);
    cluster.runToCompletion();
    const restored = ofType(events, 'task-restored').find((e) => e.task === 'proc#0') as Ev<'task-restored'>;
    expect(restored.checkpointId).not.toBeNull();
    const cp = storage
      .list('Timers')
      .find((c) => c.checkpointId === restored.checkpointId) as CompletedCheckpoint;
    expect(
      cp.tasks
        .find((t) => t.taskId === 'proc#0')
        ?.timers.map((t) => t.timestamp)
        .sort(),
    ).toEqual([1000, 1010]);
    expect(ofType(events, 'timer-fired').map((e) => `${e.key}@${e.timestamp}`)).toEqual(['a@1000', 'b@1010']);
    expect([...cluster.external.committedValues('sink')].sort()).toEqual(['a@1000', 'b@1010']);
  });
});

describe('timers need a keyed stream', () => {
  it('registering a timer where there is no key fails the task with a clear error', () => {
    reset();
    // The DataStream API has no non-keyed process() (Flink's DataStream.process(ProcessFunction));
    // take the keyed job and drop the operator's key selector, as a non-keyed operator has none.
    const job = timerJob({
      partitions: [[rec('a', 0)]],
      restart: RestartStrategies.noRestart(),
      fn: timerFn((_r, ctx) => ctx.timerService().registerProcessingTimeTimer(100)),
    });
    const proc = job.vertices.find((v) => v.uid === 'proc');
    if (!proc) throw new Error('no proc vertex');
    proc.keySelector = null;
    const { cluster, events } = run(job);
    cluster.runUntil(500);
    const failed = ofType(events, 'task-failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].task).toBe('proc#0');
    expect(renderEnglish(failed[0].reason)).toContain(
      'Timers can only be used on keyed operators (after keyBy).',
    );
    expect(cluster.jobStatus).toBe('FAILED');
    expect(ofType(events, 'timer-fired')).toHaveLength(0);
  });
});

describe('timer service context', () => {
  it('currentProcessingTime and currentWatermark are the subtask clock and watermark', () => {
    reset();
    const seen: Array<{ now: number; wm: number; ts: number | null }> = [];
    const part: LogRecord<Rec>[] = [];
    for (let i = 0; i < 40; i++) part.push(rec('a', i, i * 10));
    const job = timerJob({
      partitions: [part],
      emitMs: 5,
      watermark: WatermarkStrategies.forBoundedOutOfOrderness(0).withAutoWatermarkInterval(20),
      fn: timerFn((_r, ctx) => {
        seen.push({
          now: ctx.currentProcessingTime(),
          wm: ctx.timerService().currentWatermark(),
          ts: ctx.timestamp(),
        });
        expect(ctx.timerService().currentProcessingTime()).toBe(ctx.currentProcessingTime());
      }),
    });
    const { cluster, events } = run(job);
    cluster.runUntil(1000);
    expect(seen).toHaveLength(40);
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i].now).toBeGreaterThan(seen[i - 1].now);
      expect(seen[i].wm).toBeGreaterThanOrEqual(seen[i - 1].wm);
      // no record is late: the watermark is behind its timestamp (bound 0, in-order input)
      expect(seen[i].wm).toBeLessThan(seen[i].ts as number);
    }
    expect(seen[0].wm).toBe(-Infinity);
    expect(ofType(events, 'watermark-advanced').length).toBeGreaterThan(5);
  });

  it('ValueState read in onTimer is the state of the timer key', () => {
    reset();
    const out: string[] = [];
    const fn: KeyedProcessFunction<string, Rec, string> & { n?: ValueState<number> } = {
      open(this: { n: ValueState<number> }, ctx: RuntimeContext) {
        this.n = ctx.getState(new ValueStateDescriptor<number>('n'));
      },
      processElement(this: { n: ValueState<number> }, _r: Rec, ctx: KeyedProcessContext<string>) {
        this.n.update((this.n.value() ?? 0) + 1);
        ctx.timerService().registerProcessingTimeTimer(100);
      },
      onTimer(this: { n: ValueState<number> }, _ts: number, ctx: OnTimerContext<string>) {
        out.push(`${ctx.getCurrentKey()}=${this.n.value()}`);
      },
    };
    const part = ['a', 'b', 'a', 'c', 'a', 'b'].map((k, i) => rec(k, i));
    const { cluster } = run(timerJob({ partitions: [part], fn }));
    cluster.runUntil(300);
    expect(out.sort()).toEqual(['a=3', 'b=2', 'c=1']);
  });
});
