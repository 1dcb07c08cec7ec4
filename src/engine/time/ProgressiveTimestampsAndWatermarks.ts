/**
 * Watermark generation at the sources, as Flink's ProgressiveTimestampsAndWatermarks does it inside a
 * SourceOperator: the source tracks the highest record timestamp; every `autoWatermarkIntervalMs` it
 * emits `maxTimestamp − bound − 1` (BoundedOutOfOrdernessWatermarks), and with `withIdleness(ms)` a
 * source that emitted no record for that long declares itself idle (WatermarkStatus.IDLE), which
 * takes its channels out of the downstream minimum until its next record. Idleness is measured on
 * the task's PausableRelativeClock, which stands still while the source is backpressured.
 *
 * A TimestampsAndWatermarksOperator (`assignTimestampsAndWatermarks` after the sources) generates
 * its watermarks the same way from the highest timestamp it has seen (idleness: sources only).
 */
import type { ClusterRuntime } from '../runtime/ClusterRuntime';
import type { StreamTask } from '../tasks/StreamTask';
import { TimestampsAndWatermarksOperator } from '../runtime/TimestampsAndWatermarksOperator';
import type { WatermarkStrategy } from './WatermarkStrategy';

export class ProgressiveTimestampsAndWatermarks {
  constructor(private readonly rt: ClusterRuntime) {}

  /** A newly deployed source with a watermark strategy starts its periodic emission. */
  start(task: StreamTask): void {
    const strategy = strategyOf(task);
    if (!strategy) return;
    const loop = this.rt.loop;
    loop.control.push(loop.now + strategy.autoWatermarkIntervalMs, {
      kind: 'watermark-tick',
      task,
      attempt: task.attempt,
    });
  }

  /** A source emitted a record with timestamp `ts` at `t`: it is active, its max timestamp may grow. */
  onRecord(task: StreamTask, ts: number | null, t: number): void {
    if (ts !== null && ts > task.maxTimestamp) task.maxTimestamp = ts;
    task.lastRecordAt = task.inputActivityClock.relativeTime(t);
    if (task.idle) this.setSourceIdle(task, false, t);
  }

  /** Periodic watermark generation at a source (bounded out-of-orderness), and the idleness rule. */
  tick(task: StreamTask): void {
    const strategy = strategyOf(task);
    // After the end of input the source has sent MAX_WATERMARK: nothing more to generate.
    if (!strategy || task.endOfInput) return;
    const loop = this.rt.loop;
    const t = Math.max(loop.now, task.busyUntil);
    const wm = maxTimestampOf(task) - strategy.boundMs - 1;
    if (!task.idle && wm > task.lastEmittedWatermark) {
      task.lastEmittedWatermark = wm;
      this.rt.recordWriter.broadcastWatermark(task, wm, false, t);
    }
    if (
      task.isSource &&
      strategy.idlenessMs !== null &&
      !task.idle &&
      task.inputActivityClock.relativeTime(loop.now) - task.lastRecordAt >= strategy.idlenessMs
    ) {
      this.setSourceIdle(task, true, t);
    }
    loop.control.push(loop.now + strategy.autoWatermarkIntervalMs, {
      kind: 'watermark-tick',
      task,
      attempt: task.attempt,
    });
  }

  /** Whether a watermark-emitting source still has a watermark (or an idle status) to send. */
  hasPendingWatermark(task: StreamTask): boolean {
    const strategy = strategyOf(task);
    if (!strategy || task.idle || task.endOfInput) return false;
    if (maxTimestampOf(task) - strategy.boundMs - 1 > task.lastEmittedWatermark) return true;
    // withIdleness: a source at the end of its input is about to go idle, which can release the
    // downstream watermark (the minimum over the active inputs) and fire event-time timers.
    return task.isSource && strategy.idlenessMs !== null;
  }

  private setSourceIdle(task: StreamTask, idle: boolean, t: number): void {
    task.idle = idle;
    this.rt.loop.emit({ type: 'source-idle', t, task: task.id, idle });
    // Becoming active again puts the channels back into the downstream minimum.
    this.rt.recordWriter.broadcastWatermark(task, task.lastEmittedWatermark, idle, t);
  }
}

/** A source with a watermark strategy, or a TimestampsAndWatermarksOperator (assignTimestampsAndWatermarks). */
function strategyOf(task: StreamTask): WatermarkStrategy | null {
  const spec = task.vertex.spec;
  if (spec.kind === 'source') return spec.watermarkStrategy;
  if (spec.kind === 'timestampsAndWatermarks') return spec.strategy;
  return null;
}

function maxTimestampOf(task: StreamTask): number {
  return task.operator instanceof TimestampsAndWatermarksOperator
    ? task.operator.maxTimestamp
    : task.maxTimestamp;
}
