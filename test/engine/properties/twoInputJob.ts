/**
 * The random two-input jobs of the two-input properties (exactly-once under failures, rescaling):
 * two sources feeding `connect` + KeyedCoProcessFunction, the broadcast state pattern
 * (KeyedBroadcastProcessFunction or BroadcastProcessFunction) or an interval join, optionally followed
 * by a keyed aggregation (sum / max / minBy), into a two-phase-commit sink.
 *
 * Outputs are chosen to be independent of how the two inputs interleave (replays change that): counts
 * per key, broadcast state updated commutatively (sums), interval joins with a watermark bound larger
 * than every timestamp (no element is late, every pair in range joins).
 */
import fc from 'fast-check';
import {
  FsStateBackend,
  MapStateDescriptor,
  ReplayableLog,
  RestartStrategies,
  StreamExecutionEnvironment,
  TwoPhaseCommitSink,
  Types,
  ValueStateDescriptor,
  type BroadcastContext,
  type BroadcastProcessFunction,
  type BroadcastReadOnlyContext,
  type CheckpointingMode,
  type Collector,
  type DataStream,
  type JobGraph,
  type KeyedBroadcastContext,
  type KeyedBroadcastProcessFunction,
  type KeyedBroadcastReadOnlyContext,
  type KeyedCoProcessContext,
  type KeyedCoProcessFunction,
  type LogRecord,
  type ProcessJoinContext,
  type ProcessJoinFunction,
  type RuntimeContext,
  type SingleOutputStreamOperator,
  type ValueState,
} from '../../../src/engine/index';
import { WatermarkStrategies } from '../../../src/engine/time/WatermarkStrategy';
import { KEY_ALPHABET, costsArb, stableStringify, type JobSpec } from './generators';

export interface Rec {
  key: string;
  v: number;
}

export type Variant = 'keyed-co-process' | 'keyed-broadcast' | 'broadcast' | 'interval-join';
export type After = 'none' | 'sum' | 'max' | 'minBy';

export interface TwoInputSpec {
  variant: Variant;
  after: After;
  left: Rec[][];
  right: Rec[][];
  leftParallelism: number;
  rightParallelism: number;
  opParallelism: number;
  opProcessingMs: number;
  sinkParallelism: number;
  emitIntervalMs: number;
  checkpointIntervalMs: number;
  lower: number;
  upper: number;
  costs: JobSpec['costs'];
}

const RULES = new MapStateDescriptor<string, number>('rules', Types.STRING, Types.INT);

/** Counts records of both inputs per key in one ValueState; emits {key, n}. */
class CountBoth implements KeyedCoProcessFunction<string, Rec, Rec, { key: string; n: number }> {
  private n!: ValueState<number>;
  open(ctx: RuntimeContext): void {
    this.n = ctx.getState(new ValueStateDescriptor('n', Types.INT));
  }
  private bump(out: Collector<{ key: string; n: number }>, key: string): void {
    const n = (this.n.value() ?? 0) + 1;
    this.n.update(n);
    out.collect({ key, n });
  }
  processElement1(
    _r: Rec,
    ctx: KeyedCoProcessContext<string>,
    out: Collector<{ key: string; n: number }>,
  ): void {
    this.bump(out, ctx.getCurrentKey());
  }
  processElement2(
    _r: Rec,
    ctx: KeyedCoProcessContext<string>,
    out: Collector<{ key: string; n: number }>,
  ): void {
    this.bump(out, ctx.getCurrentKey());
  }
}

/** Keyed side counts per key (reading the rules); the broadcast side sums v per rule key on every subtask. */
class CountWithRules implements KeyedBroadcastProcessFunction<string, Rec, Rec, { key: string; n: number }> {
  private n!: ValueState<number>;
  open(ctx: RuntimeContext): void {
    this.n = ctx.getState(new ValueStateDescriptor('n', Types.INT));
  }
  processElement(
    r: Rec,
    ctx: KeyedBroadcastReadOnlyContext<string>,
    out: Collector<{ key: string; n: number }>,
  ): void {
    ctx.getBroadcastState(RULES).get(r.key); // read-only access
    const n = (this.n.value() ?? 0) + 1;
    this.n.update(n);
    out.collect({ key: ctx.getCurrentKey(), n });
  }
  processBroadcastElement(r: Rec, ctx: KeyedBroadcastContext): void {
    const rules = ctx.getBroadcastState(RULES);
    rules.put(r.key, (rules.get(r.key) ?? 0) + r.v);
  }
}

/** Non-keyed: passes records on; the broadcast side sums v per rule key. */
class PassWithRules implements BroadcastProcessFunction<Rec, Rec, { key: string; v: number }> {
  processElement(r: Rec, ctx: BroadcastReadOnlyContext, out: Collector<{ key: string; v: number }>): void {
    ctx.getBroadcastState(RULES).contains(r.key);
    out.collect({ key: r.key, v: r.v });
  }
  processBroadcastElement(r: Rec, ctx: BroadcastContext): void {
    const rules = ctx.getBroadcastState(RULES);
    rules.put(r.key, (rules.get(r.key) ?? 0) + r.v);
  }
}

/** Emits every joined pair with its timestamps. */
const joinPairs: ProcessJoinFunction<
  Rec,
  Rec,
  { key: string; l: number; r: number; lt: number; rt: number }
> = {
  processElement(l: Rec, r: Rec, ctx: ProcessJoinContext, out) {
    out.collect({ key: l.key, l: l.v, r: r.v, lt: ctx.getLeftTimestamp(), rt: ctx.getRightTimestamp() });
  },
};

function log(topic: string, parts: Rec[][], offset: number): ReplayableLog<Rec> {
  return new ReplayableLog<Rec>(
    topic,
    parts.map((p, pi) => p.map((value, i): LogRecord<Rec> => ({ value, timestamp: i * 3 + pi + offset }))),
  );
}

export function buildTwoInputJob(s: TwoInputSpec, mode: CheckpointingMode): JobGraph {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(s.opParallelism);
  env.setStateBackend(new FsStateBackend());
  env.enableCheckpointing(s.checkpointIntervalMs, mode);
  env.setRestartStrategy(RestartStrategies.fixedDelayRestart(100, 50));
  env.setCostModel({ ...s.costs });
  // A bound above every timestamp: watermarks flow (both valves), but no element is ever late.
  const wm = WatermarkStrategies.forBoundedOutOfOrderness(1_000_000).withAutoWatermarkInterval(20);
  const left = env
    .fromSource(log('left', s.left, 0), 'Source: left', s.emitIntervalMs, wm)
    .uid('left')
    .setParallelism(s.leftParallelism);
  const right = env
    .fromSource(log('right', s.right, 1), 'Source: right', s.emitIntervalMs * 1.3, wm)
    .uid('right')
    .setParallelism(s.rightParallelism);
  type Out = { key: string; n?: number };
  const asOut = (x: unknown) => x as SingleOutputStreamOperator<Out>;
  let op: SingleOutputStreamOperator<Out>;
  switch (s.variant) {
    case 'keyed-co-process':
      op = asOut(
        left
          .connect(right)
          .keyBy(
            (r: Rec) => r.key,
            (r: Rec) => r.key,
          )
          .process(new CountBoth()),
      );
      break;
    case 'keyed-broadcast':
      op = asOut(
        left
          .keyBy((r: Rec) => r.key)
          .connect(right.broadcast(RULES as never))
          .process(new CountWithRules()),
      );
      break;
    case 'broadcast':
      op = asOut(left.connect(right.broadcast(RULES as never)).process(new PassWithRules()));
      break;
    case 'interval-join':
      op = asOut(
        left
          .keyBy((r: Rec) => r.key)
          .intervalJoin(right.keyBy((r: Rec) => r.key))
          .between(s.lower, s.upper)
          .process(joinPairs),
      );
      break;
  }
  op = op.uid('op').setParallelism(s.opParallelism).setProcessingTime(s.opProcessingMs);
  let out: DataStream<unknown> = op as DataStream<unknown>;
  if (s.after !== 'none') {
    // Only the key, a 1 and (keyed variants) the per-key counter: the other fields an aggregation keeps
    // are the first record's, and which record is first depends on how channels interleave.
    const keyed = op
      .map((x: Out) => (x.n === undefined ? { key: x.key, one: 1 } : { key: x.key, n: x.n, one: 1 }))
      .uid('ones')
      .keyBy((x) => x.key);
    // Order-independent rolling aggregates: sum of ones counts 1..N; max / minBy of a per-key counter
    // (or of the ones) that arrives in order on one channel.
    const field = s.variant === 'keyed-co-process' || s.variant === 'keyed-broadcast' ? 'n' : 'one';
    out = (s.after === 'sum'
      ? keyed.sum('one')
      : s.after === 'max'
        ? keyed.max(field)
        : keyed.minBy(field)
    ).uid('agg') as unknown as DataStream<unknown>;
  }
  out.addSink(new TwoPhaseCommitSink<unknown>()).uid('sink').setParallelism(s.sinkParallelism);
  return env.getJobGraph('TwoInputJob');
}

export function taskIdsOf(s: TwoInputSpec): string[] {
  const ids: string[] = [];
  const add = (uid: string, p: number) => {
    for (let i = 0; i < p; i++) ids.push(`${uid}#${i}`);
  };
  add('left', s.leftParallelism);
  add('right', s.rightParallelism);
  add('op', s.opParallelism);
  if (s.after !== 'none') {
    add('ones', s.opParallelism);
    add('agg', s.opParallelism);
  }
  add('sink', s.sinkParallelism);
  return ids;
}

const recsArb = (max: number): fc.Arbitrary<Rec[][]> =>
  fc
    .record({
      parts: fc.integer({ min: 1, max: 3 }),
      keys: fc.integer({ min: 1, max: 8 }),
      raw: fc.array(fc.record({ k: fc.nat(7), v: fc.integer({ min: 0, max: 30 }), p: fc.nat(2) }), {
        minLength: 5,
        maxLength: max,
        size: 'max',
      }),
    })
    .map(({ parts, keys, raw }) => {
      const out: Rec[][] = Array.from({ length: parts }, () => []);
      for (const r of raw) out[r.p % parts].push({ key: KEY_ALPHABET[r.k % keys], v: r.v });
      return out;
    });

const par = fc.integer({ min: 1, max: 3 });

export function specArb(variants: readonly Variant[]): fc.Arbitrary<TwoInputSpec> {
  return fc
    .record({
      variant: fc.constantFrom(...variants),
      after: fc.constantFrom<After>('none', 'sum', 'max', 'minBy'),
      left: recsArb(120),
      right: recsArb(60),
      leftParallelism: par,
      rightParallelism: par,
      opParallelism: par,
      opProcessingMs: fc.double({ min: 0.01, max: 1, noNaN: true }),
      sinkParallelism: par,
      emitIntervalMs: fc.double({ min: 0.2, max: 2, noNaN: true }),
      checkpointIntervalMs: fc.integer({ min: 20, max: 120 }),
      lower: fc.integer({ min: -20, max: 5 }),
      span: fc.integer({ min: 0, max: 25 }),
      costs: costsArb,
    })
    .map(({ span, ...s }) => ({ ...s, upper: s.lower + span }));
}

/**
 * Broadcast state of every subtask, entries sorted (a sum per key is order-independent; insertion
 * order is not).
 */
export function canonicalBroadcastState(
  b: Record<string, Record<number, Record<string, Array<[unknown, unknown]>>>>,
): string {
  const canon: Record<string, Record<string, Record<string, string[]>>> = {};
  for (const [uid, subtasks] of Object.entries(b))
    for (const [i, states] of Object.entries(subtasks))
      for (const [name, entries] of Object.entries(states))
        ((canon[uid] ??= {})[i] ??= {})[name] = entries.map((e) => JSON.stringify(e)).sort();
  return stableStringify(canon);
}
