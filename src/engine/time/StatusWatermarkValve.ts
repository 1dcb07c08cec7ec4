/**
 * Flink's StatusWatermarkValve: a task's event time is the minimum watermark over its input channels
 * that are active; an idle channel (its sender declared WatermarkStatus.IDLE) is left out. The
 * channels' watermarks and statuses live on the channels (`Channel.watermark`, `Channel.idle`).
 *
 * When the task's watermark advances, its event-time timers fire first, then the watermark goes
 * downstream (in line with the records it emits). When its last active input goes idle, the valve
 * flushes the maximum watermark over all channels and the task turns idle downstream too.
 */
import type { ClusterRuntime } from '../runtime/ClusterRuntime';
import type { Watermark } from '../runtime/StreamElement';
import type { Channel } from '../network/Channel';
import type { StreamTask } from '../tasks/StreamTask';

export class StatusWatermarkValve {
  constructor(private readonly rt: ClusterRuntime) {}

  /** A watermark or idle status read from `channel` at `t`; returns the task's time after the timers it fired. */
  inputWatermark(task: StreamTask, channel: Channel, wm: Watermark, t: number): number {
    if (wm.idle) {
      channel.idle = true;
    } else {
      channel.idle = false;
      if (wm.timestamp > channel.watermark) channel.watermark = wm.timestamp;
    }
    let min = Infinity;
    let anyActive = false;
    for (const ch of task.inputs) {
      if (ch.idle) continue;
      anyActive = true;
      if (ch.watermark < min) min = ch.watermark;
    }
    const writer = this.rt.recordWriter;
    if (!anyActive) {
      // The last active input went idle: Flink's StatusWatermarkValve flushes the max watermark over
      // all channels, then the task is idle downstream too (WatermarkStatus.IDLE).
      let max = -Infinity;
      for (const ch of task.inputs) if (ch.watermark > max) max = ch.watermark;
      if (max > task.currentWatermark) t = this.advance(task, max, t);
      if (!task.idle) {
        task.idle = true;
        writer.broadcastWatermark(task, task.currentWatermark, true, t);
      }
      return t;
    }
    if (task.idle) {
      task.idle = false;
      writer.broadcastWatermark(task, task.currentWatermark, false, t);
    }
    if (min <= task.currentWatermark) return t;
    return this.advance(task, min, t);
  }

  /** The task's watermark moves to `watermark`: fire event-time timers, then forward it. */
  private advance(task: StreamTask, watermark: number, t: number): number {
    const loop = this.rt.loop;
    task.currentWatermark = watermark;
    if (loop.traceListener) loop.emit({ type: 'watermark-advanced', t, task: task.id, watermark });
    t = this.rt.timers.fireEventTimeTimers(task, watermark, t);
    this.rt.recordWriter.broadcastWatermark(task, watermark, false, t);
    return t;
  }
}
