/**
 * A test harness for one window operator (Flink's KeyedOneInputStreamOperatorTestHarness, in small):
 * the real WindowOperator over a real keyed state backend and timer service, with elements,
 * watermarks and processing time driven by the test. `snapshot()` / `restore()` go through the
 * backend's and timer service's own snapshot formats.
 */
import {
  HeapKeyedStateBackend,
  MAX_WATERMARK,
  assignToKeyGroup,
  type Key,
  type KeyedStateSnapshot,
  type TimerSnapshot,
} from '../../../src/engine/index';
import type { OperatorContext, StreamOperator } from '../../../src/engine/runtime/operators';
import { ExternalSystem } from '../../../src/engine/connectors/ExternalSystem';
import { InternalTimerService } from '../../../src/engine/time/InternalTimerService';
import type { JobVertex } from '../../../src/engine/api/JobGraph';

export interface Out {
  value: unknown;
  ts: number | null;
}

const MAXP = 128;

export class WindowHarness {
  readonly backend = new HeapKeyedStateBackend(MAXP);
  readonly timers = new InternalTimerService();
  watermark = Number.NEGATIVE_INFINITY;
  processingTime = 0;
  private timestamp: number | null = null;
  readonly output: Out[] = [];
  readonly sideOutput = new Map<string, Out[]>();
  readonly operator: StreamOperator;

  constructor(vertex: JobVertex, restore?: { state: KeyedStateSnapshot; timers: TimerSnapshot[] }) {
    const ctx: OperatorContext = {
      taskId: `${vertex.uid}#0`,
      vertex,
      subtaskIndex: 0,
      attemptNumber: 0,
      transactionScope: 'test',
      keyedBackend: this.backend,
      now: () => this.processingTime,
      currentTimestamp: () => this.timestamp,
      emit: (value, ts) => this.output.push({ value, ts }),
      output: (tag, value, ts) => {
        const list = this.sideOutput.get(tag) ?? [];
        list.push({ value, ts });
        this.sideOutput.set(tag, list);
      },
      external: new ExternalSystem(),
      trace: () => {},
      traceTxn: () => {},
      registerTimer: (domain, ts, ns) => {
        const key = this.backend.getCurrentKey() as Key;
        this.timers.register(domain, key, assignToKeyGroup(key, MAXP), ts, ns);
      },
      deleteTimer: (domain, ts, ns) =>
        this.timers.delete(domain, this.backend.getCurrentKey() as Key, ts, ns),
      currentWatermark: () => this.watermark,
    };
    if (vertex.spec.kind !== 'window') throw new Error('not a window operator');
    if (restore) {
      this.backend.restore([restore.state]);
      this.timers.restore(restore.timers, () => true);
    }
    this.operator = vertex.spec.createOperator(ctx);
    this.operator.initializeState(null);
    this.operator.open();
  }

  processElement(key: Key, value: unknown, timestamp: number | null): void {
    this.backend.setCurrentKey(key);
    this.timestamp = timestamp;
    this.operator.processElement(value);
  }

  /** As Flink's InternalTimerServiceImpl.advanceWatermark: the watermark moves, then timers fire. */
  processWatermark(watermark: number): void {
    this.watermark = watermark;
    for (;;) {
      const t = this.timers.eventTime.peek();
      if (!t || t.timestamp > watermark) break;
      this.timers.eventTime.poll();
      this.backend.setCurrentKey(t.key);
      this.timestamp = t.timestamp;
      this.operator.onTimer(t.timestamp, 'EVENT_TIME', t.namespace);
    }
  }

  setProcessingTime(time: number): void {
    this.processingTime = time;
    for (;;) {
      const t = this.timers.processingTime.peek();
      if (!t || t.timestamp > time) break;
      this.timers.processingTime.poll();
      this.backend.setCurrentKey(t.key);
      this.timestamp = null;
      this.operator.onTimer(t.timestamp, 'PROCESSING_TIME', t.namespace);
    }
  }

  endInput(): void {
    this.processWatermark(MAX_WATERMARK);
  }

  snapshot(): { state: KeyedStateSnapshot; timers: TimerSnapshot[] } {
    return { state: this.backend.snapshot(), timers: this.timers.snapshot() };
  }

  /** Output values, then cleared. */
  take(): Out[] {
    return this.output.splice(0);
  }
}
