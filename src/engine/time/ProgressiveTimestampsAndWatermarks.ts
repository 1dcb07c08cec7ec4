/**
 * Watermark generation at the sources, as Flink's ProgressiveTimestampsAndWatermarks does it inside a
 * FLIP-27 SourceOperator: **per split**. Every split (Kafka partition) the source subtask reads has its
 * own watermark generator — BoundedOutOfOrdernessWatermarks, `maxTimestamp − bound − 1` of that split's
 * records, wrapped in WatermarksWithIdleness — and a WatermarkOutputMultiplexer emits, every
 * `autoWatermarkIntervalMs`, the minimum over the splits that are not idle. So a subtask that reads
 * one partition ahead of another (after a restore, or partitions of different lengths) does not make
 * the slower partition's records late, and the result does not depend on how splits interleave.
 *
 * As in Flink 1.18+/2.x, a split's output is registered when the split is assigned (or restored), before
 * its first record, so the subtask emits no watermark until every split has a record (a new generator's
 * watermark is Long.MIN_VALUE); a split that finished (a bounded split at its stopping offset) is
 * released (`SourceReaderBase.finishCurrentFetch` → `releaseOutputForSplit`) and no longer holds the
 * minimum back. With `withIdleness(ms)` a split without records for that long is idle and left out of
 * the minimum; when every split is idle the subtask is idle (WatermarkStatus.IDLE), which takes its
 * channels out of the downstream minimum until its next record. Idleness is measured on the task's
 * PausableRelativeClock, which stands still while the source is backpressured.
 *
 * A TimestampsAndWatermarksOperator (`assignTimestampsAndWatermarks` after the sources) generates its
 * watermarks the same way from the highest timestamp it has seen, as one output (idleness: sources only).
 */
import type { ClusterRuntime } from '../runtime/ClusterRuntime';
import type { SourceOperator } from '../runtime/operators';
import type { StreamTask } from '../tasks/StreamTask';
import { TimestampsAndWatermarksOperator } from '../runtime/TimestampsAndWatermarksOperator';
import type { WatermarkStrategy } from './WatermarkStrategy';

/** One split's watermark generator and idleness timer (Flink's split-local SourceOutputWithWatermarks). */
export interface SplitWatermarkOutput {
  split: number;
  /** Highest timestamp of this split's records. */
  maxTimestamp: number;
  /** When this split last emitted a record, on the task's `inputActivityClock`. */
  lastRecordAt: number;
  idle: boolean;
}

export class ProgressiveTimestampsAndWatermarks {
  constructor(private readonly rt: ClusterRuntime) {}

  /** A newly deployed source with a watermark strategy registers its splits' outputs and starts emitting. */
  start(task: StreamTask): void {
    task.splitWatermarks.clear();
    const strategy = strategyOf(task);
    if (!strategy) return;
    const loop = this.rt.loop;
    const source = task.isSource ? (task.operator as SourceOperator) : null;
    const at = task.inputActivityClock.relativeTime(loop.now);
    for (const split of source?.unfinishedSplits() ?? [])
      task.splitWatermarks.set(split, { split, maxTimestamp: -Infinity, lastRecordAt: at, idle: false });
    loop.control.push(loop.now + strategy.autoWatermarkIntervalMs, {
      kind: 'watermark-tick',
      task,
      attempt: task.attempt,
    });
  }

  /** A source emitted a record with timestamp `ts` at `t`: its split is active, its max timestamp may grow. */
  onRecord(task: StreamTask, ts: number | null, t: number): void {
    if (ts !== null && ts > task.maxTimestamp) task.maxTimestamp = ts;
    const now = task.inputActivityClock.relativeTime(t);
    task.lastRecordAt = now;
    const source = task.operator as SourceOperator;
    const output = task.splitWatermarks.get(source.currentSplit);
    if (output) {
      if (ts !== null && ts > output.maxTimestamp) output.maxTimestamp = ts;
      output.lastRecordAt = now;
      output.idle = false;
      // The split's last record (bounded): its output is released, it holds no watermark back any more.
      if (source.currentSplitFinished) task.splitWatermarks.delete(source.currentSplit);
    }
    if (task.idle) this.setSourceIdle(task, false, t);
  }

  /** The minimum over the active splits' watermarks; null when every split is idle or released. */
  private combinedWatermark(task: StreamTask, boundMs: number): number | null {
    if (task.operator instanceof TimestampsAndWatermarksOperator)
      return task.operator.maxTimestamp - boundMs - 1;
    let min: number | null = null;
    for (const out of task.splitWatermarks.values()) {
      if (out.idle) continue;
      const wm = out.maxTimestamp - boundMs - 1;
      if (min === null || wm < min) min = wm;
    }
    return min;
  }

  /** Periodic watermark generation at a source (per split, then the minimum), and the idleness rule. */
  tick(task: StreamTask): void {
    const strategy = strategyOf(task);
    // After the end of input the source has sent MAX_WATERMARK: nothing more to generate.
    if (!strategy || task.endOfInput) return;
    const loop = this.rt.loop;
    const t = Math.max(loop.now, task.busyUntil);
    if (task.isSource && strategy.idlenessMs !== null) {
      const now = task.inputActivityClock.relativeTime(loop.now);
      for (const out of task.splitWatermarks.values())
        if (!out.idle && now - out.lastRecordAt >= strategy.idlenessMs) out.idle = true;
    }
    const wm = this.combinedWatermark(task, strategy.boundMs);
    if (!task.idle && wm !== null && wm > task.lastEmittedWatermark) {
      task.lastEmittedWatermark = wm;
      this.rt.recordWriter.broadcastWatermark(task, wm, false, t);
    }
    // Idle when every registered split is idle (a source whose splits all ended waits for its end of input).
    if (task.isSource && strategy.idlenessMs !== null && !task.idle && task.splitWatermarks.size > 0 && wm === null)
      this.setSourceIdle(task, true, t);
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
    const wm = this.combinedWatermark(task, strategy.boundMs);
    if (wm !== null && wm > task.lastEmittedWatermark) return true;
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
