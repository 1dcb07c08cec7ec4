/**
 * The bounded job of the FLIP-147 property (bounded.property.test.ts): a bounded Kafka-like log with
 * event time, a per-key sum per 40 ms tumbling event-time window emitted from its timer into a
 * two-phase-commit sink, and the windows the log must produce (brute force).
 */
import {
  FsStateBackend,
  KafkaSource,
  MapStateDescriptor,
  OffsetsInitializer,
  ReplayableLog,
  RestartStrategies,
  StreamExecutionEnvironment,
  TwoPhaseCommitSink,
  ValueStateDescriptor,
  WatermarkStrategies,
  type CheckpointingMode,
  type Collector,
  type JobGraph,
  type KeyedProcessContext,
  type KeyedProcessFunction,
  type LogRecord,
  type MapState,
  type OnTimerContext,
  type RuntimeContext,
  type ValueState,
} from '../../../src/engine/index';
import { sortedRows, type JobSpec, type Rec } from './generators';

const WINDOW_MS = 40;
/** Within a source subtask records are out of order by < 4 ms (timestamps 4·offset + partition): none is late. */
const BOUND_MS = 8;

interface WindowSum {
  key: string;
  end: number;
  sum: number;
  n: number;
}

const timestampOf = (offset: number, partition: number) => offset * 4 + partition;
const windowEnd = (ts: number) => ts - (ts % WINDOW_MS) + WINDOW_MS - 1;

/** Per key: a running total (kept) and the open windows (cleared by their event-time timers). */
class WindowedSum implements KeyedProcessFunction<string, Rec, WindowSum> {
  private total!: ValueState<number>;
  private windows!: MapState<number, { sum: number; n: number }>;
  open(ctx: RuntimeContext): void {
    this.total = ctx.getState(new ValueStateDescriptor<number>('total'));
    this.windows = ctx.getMapState(new MapStateDescriptor<number, { sum: number; n: number }>('windows'));
  }
  processElement(r: Rec, ctx: KeyedProcessContext<string>): void {
    this.total.update((this.total.value() ?? 0) + r.v);
    const end = windowEnd(ctx.timestamp() as number);
    const w = this.windows.get(end) ?? { sum: 0, n: 0 };
    this.windows.put(end, { sum: w.sum + r.v, n: w.n + 1 });
    ctx.timerService().registerEventTimeTimer(end);
  }
  onTimer(timestamp: number, ctx: OnTimerContext<string>, out: Collector<WindowSum>): void {
    const w = this.windows.get(timestamp);
    if (!w) return;
    out.collect({ key: ctx.getCurrentKey(), end: timestamp, sum: w.sum, n: w.n });
    this.windows.remove(timestamp);
  }
}

export function buildBoundedJob(spec: JobSpec, mode: CheckpointingMode): JobGraph {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(spec.statefulParallelism);
  env.setStateBackend(new FsStateBackend());
  env.enableCheckpointing(spec.checkpointIntervalMs, mode);
  env.setRestartStrategy(RestartStrategies.fixedDelayRestart(100, 50));
  env.setCostModel({ ...spec.costs });
  const log = new ReplayableLog<Rec>(
    'records',
    spec.partitions.map((p, pi) =>
      p.map((value, i): LogRecord<Rec> => ({ value, timestamp: timestampOf(i, pi) })),
    ),
  );
  const source = KafkaSource.builder<Rec>().setLog(log).setBounded(OffsetsInitializer.latest()).build();
  env
    .fromSource(
      source,
      'Source: records (bounded)',
      spec.emitIntervalMs,
      WatermarkStrategies.forBoundedOutOfOrderness(BOUND_MS).withAutoWatermarkInterval(20),
    )
    .uid('source')
    .setParallelism(spec.sourceParallelism)
    .keyBy((r: Rec) => r.key)
    .process(new WindowedSum())
    .uid('stateful')
    .setParallelism(spec.statefulParallelism)
    .setProcessingTime(spec.statefulProcessingMs)
    .addSink(new TwoPhaseCommitSink<WindowSum>())
    .uid('sink')
    .setParallelism(spec.sinkParallelism);
  const job = env.getJobGraph('BoundedWindows');
  for (const v of job.vertices) if (v.spec.kind === 'sink') v.processingTimeMs = spec.sinkProcessingMs;
  return job;
}

/** Every (key, window) of the log with its sum and count: what a bounded run must commit. */
export function bruteForceWindows(spec: JobSpec): string[] {
  const byWindow = new Map<string, WindowSum>();
  spec.partitions.forEach((p, pi) =>
    p.forEach((r, i) => {
      const end = windowEnd(timestampOf(i, pi));
      const id = `${r.key}@${end}`;
      const w = byWindow.get(id) ?? { key: r.key, end, sum: 0, n: 0 };
      w.sum += r.v;
      w.n++;
      byWindow.set(id, w);
    }),
  );
  return sortedRows([...byWindow.values()]);
}
