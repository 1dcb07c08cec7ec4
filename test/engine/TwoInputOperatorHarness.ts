/**
 * A keyed two-input operator under test without a cluster, as Flink's
 * KeyedTwoInputStreamOperatorTestHarness: records with timestamps go to processElement1/2 with their
 * key set, `processWatermark1/2` advance each input and the operator's watermark is their minimum
 * (event-time timers fire then), `snapshot()` / `restore` carry keyed state and timers.
 */
import { ExternalSystem, HeapKeyedStateBackend, type JobVertex, type Key } from '../../src/engine/index';
import type { TaskStateSnapshot } from '../../src/engine/checkpointing/CompletedCheckpoint';
import { assignToKeyGroup } from '../../src/engine/keygroups/KeyGroupRangeAssignment';
import type { KeyedStateSnapshot } from '../../src/engine/state/KeyedStateBackend';
import { InternalTimerService, type TimerSnapshot } from '../../src/engine/time/InternalTimerService';
import type { OperatorContext, StreamOperator } from '../../src/engine/runtime/operators';

export interface Output {
  value: unknown;
  timestamp: number | null;
}

export class TwoInputOperatorHarness {
  readonly backend: HeapKeyedStateBackend;
  readonly timers = new InternalTimerService();
  readonly output: Output[] = [];
  readonly sideOutput: Array<Output & { tag: string }> = [];
  readonly operator: StreamOperator;
  private timestamp: number | null = null;
  private watermark1 = -Infinity;
  private watermark2 = -Infinity;
  private watermark = -Infinity;

  constructor(
    build: (ctx: OperatorContext) => StreamOperator,
    private readonly key1: (v: unknown) => Key,
    private readonly key2: (v: unknown) => Key | null,
    restore: { keyed: KeyedStateSnapshot; timers: TimerSnapshot[] } | null = null,
    private readonly maxParallelism = 128,
  ) {
    this.backend = new HeapKeyedStateBackend(maxParallelism);
    if (restore) {
      this.backend.restore([restore.keyed]);
      this.timers.restore(restore.timers, () => true);
    }
    const vertex = { uid: 'op', name: 'Op', parallelism: 1, maxParallelism } as unknown as JobVertex;
    const ctx: OperatorContext = {
      taskId: 'op#0',
      vertex,
      subtaskIndex: 0,
      attemptNumber: 0,
      transactionScope: 'harness',
      keyedBackend: this.backend,
      now: () => 0,
      currentTimestamp: () => this.timestamp,
      emit: (value, timestamp) => this.output.push({ value, timestamp }),
      output: (tag, value, timestamp) => this.sideOutput.push({ tag, value, timestamp }),
      external: new ExternalSystem(),
      trace: () => {},
      traceTxn: () => {},
      registerTimer: (domain, ts, namespace) => {
        const key = this.backend.getCurrentKey() as Key;
        this.timers.register(domain, key, assignToKeyGroup(key, maxParallelism), ts, namespace);
      },
      deleteTimer: (domain, ts, namespace) =>
        this.timers.delete(domain, this.backend.getCurrentKey() as Key, ts, namespace),
      currentWatermark: () => this.watermark,
    };
    this.operator = build(ctx);
    this.operator.initializeState(null);
    this.operator.open();
  }

  processElement1(value: unknown, timestamp: number | null): this {
    this.timestamp = timestamp;
    this.backend.setCurrentKey(this.key1(value));
    this.operator.processElement(value);
    return this;
  }

  processElement2(value: unknown, timestamp: number | null): this {
    this.timestamp = timestamp;
    const key = this.key2(value);
    if (key !== null) this.backend.setCurrentKey(key);
    this.operator.processElement2(value);
    return this;
  }

  processWatermark1(w: number): this {
    this.watermark1 = w;
    return this.advance();
  }

  processWatermark2(w: number): this {
    this.watermark2 = w;
    return this.advance();
  }

  private advance(): this {
    const w = Math.min(this.watermark1, this.watermark2);
    if (w <= this.watermark) return this;
    this.watermark = w;
    for (;;) {
      const t = this.timers.eventTime.peek();
      if (!t || t.timestamp > w) break;
      this.timers.eventTime.poll();
      this.timestamp = t.timestamp;
      this.backend.setCurrentKey(t.key);
      this.operator.onTimer(t.timestamp, 'EVENT_TIME', t.namespace);
    }
    return this;
  }

  snapshot(): {
    keyed: KeyedStateSnapshot;
    timers: TimerSnapshot[];
    operator: TaskStateSnapshot['operatorState'];
  } {
    return {
      keyed: this.backend.snapshot(),
      timers: this.timers.snapshot(),
      operator: this.operator.snapshotState(1),
    };
  }
}
