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
import { MAX_WATERMARK, type Watermark } from '../runtime/StreamElement';
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
    if (task.vertex.spec.kind === 'timestampsAndWatermarks') return this.regenerating(task, t);
    if (task.numberOfInputs === 2) return this.twoInputWatermark(task, channel.typeNumber === 2 ? 1 : 0, t);
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

  /**
   * A two-input task (Flink's StreamTwoInputProcessor): one valve per input over that input's
   * channels, then the operator combines the inputs' watermarks as `AbstractStreamOperator
   * .processWatermark1/2` does with its IndexedCombinedWatermarkStatus — the minimum over the inputs
   * that are not idle; when both are idle nothing advances and the task is idle downstream.
   */
  private twoInputWatermark(task: StreamTask, input: 0 | 1, t: number): number {
    const typeNumber = input + 1;
    let min = Infinity;
    let max = -Infinity;
    let anyActive = false;
    for (const ch of task.inputs) {
      if (ch.typeNumber !== typeNumber) continue;
      if (ch.watermark > max) max = ch.watermark;
      if (ch.idle) continue;
      anyActive = true;
      if (ch.watermark < min) min = ch.watermark;
    }
    if (anyActive) {
      if (task.inputIdle[input]) t = this.combinedStatus(task, input, false, t);
      if (min > task.inputWatermarks[input]) {
        task.inputWatermarks[input] = min;
        t = this.combinedWatermark(task, t);
      }
      return t;
    }
    // This input's last active channel went idle: its valve flushes the max watermark over its
    // channels first, then reports the input idle.
    if (max > task.inputWatermarks[input]) {
      task.inputWatermarks[input] = max;
      t = this.combinedWatermark(task, t);
    }
    if (!task.inputIdle[input]) t = this.combinedStatus(task, input, true, t);
    return t;
  }

  /** IndexedCombinedWatermarkStatus.updateWatermark/updateStatus, then processWatermark if it advanced. */
  private combinedWatermark(task: StreamTask, t: number): number {
    let min = Infinity;
    let allIdle = true;
    for (let i = 0; i < 2; i++) {
      if (task.inputIdle[i]) continue;
      allIdle = false;
      if (task.inputWatermarks[i] < min) min = task.inputWatermarks[i];
    }
    if (allIdle || min <= task.currentWatermark) return t;
    return this.advance(task, min, t);
  }

  private combinedStatus(task: StreamTask, input: 0 | 1, idle: boolean, t: number): number {
    const wasIdle = task.inputIdle[0] && task.inputIdle[1];
    task.inputIdle[input] = idle;
    t = this.combinedWatermark(task, t);
    const isIdle = task.inputIdle[0] && task.inputIdle[1];
    if (wasIdle !== isIdle) {
      task.idle = isIdle;
      this.rt.recordWriter.broadcastWatermark(task, task.currentWatermark, isIdle, t);
    }
    return t;
  }

  /**
   * TimestampsAndWatermarksOperator: upstream watermarks and idle statuses stop here (it generates
   * its own); only the end of input's MAX_WATERMARK goes on, once every input channel sent it.
   */
  private regenerating(task: StreamTask, t: number): number {
    if (task.currentWatermark === MAX_WATERMARK) return t;
    for (const ch of task.inputs) if (ch.watermark !== MAX_WATERMARK) return t;
    task.lastEmittedWatermark = MAX_WATERMARK;
    return this.advance(task, MAX_WATERMARK, t);
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
