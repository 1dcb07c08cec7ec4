/**
 * The seed article's §3.2 "stop the world" checkpoint, which Flink does not do (it is here to be
 * compared with barriers): pause the sources, wait until no record is in flight anywhere, snapshot
 * every task at once (no barriers, no channel state), resume the sources after the checkpoint
 * completed (or was aborted).
 */
import type { ClusterRuntime } from '../runtime/ClusterRuntime';

export class StopTheWorldCheckpoint {
  /** The checkpoint in progress (sources paused until it completes), or null. */
  private current: { checkpointId: number; phase: 'draining' | 'snapshotting' } | null = null;

  constructor(private readonly rt: ClusterRuntime) {}

  /** Sources are paused. */
  get active(): boolean {
    return this.current !== null;
  }

  get draining(): boolean {
    return this.current?.phase === 'draining';
  }

  start(checkpointId: number, t: number): void {
    this.current = { checkpointId, phase: 'draining' };
    this.rt.loop.emit({ type: 'sources-paused', t, checkpointId });
    this.checkDrained();
  }

  /** After every event while draining: once nothing is in flight, snapshot when the last task is idle. */
  checkDrained(): void {
    const stw = this.current;
    const loop = this.rt.loop;
    if (!stw || stw.phase !== 'draining' || loop.recordsInFlight > 0) return;
    let quietAt = loop.now;
    for (const t of this.rt.graph.tasks) quietAt = Math.max(quietAt, t.busyUntil);
    stw.phase = 'snapshotting';
    loop.control.push(quietAt, { kind: 'stw-snapshot', checkpointId: stw.checkpointId });
  }

  /** Every task snapshots at once, with nothing in flight: no barriers, no channel state. */
  snapshot(checkpointId: number): void {
    if (this.current?.checkpointId !== checkpointId) return;
    const loop = this.rt.loop;
    if (loop.recordsInFlight > 0) {
      this.current.phase = 'draining';
      return;
    }
    for (const task of this.rt.graph.tasks) {
      if (task.status !== 'RUNNING') continue;
      const t = Math.max(loop.now, task.busyUntil);
      task.firstBarrierAt.set(checkpointId, loop.now);
      // Nothing is in flight: no barrier to forward, no channel state.
      task.busyUntil = this.rt.subtaskCheckpoints.triggerCheckpointOnBarrier(
        task,
        {
          checkpointId,
          alignmentMs: 0,
          unaligned: false,
          recordChannelState: false,
          triggerChannel: null,
          forwardBarrier: false,
        },
        t,
      );
    }
  }

  /** The checkpoint completed or was aborted: the sources go on. */
  finish(checkpointId: number, t: number): void {
    if (this.current?.checkpointId !== checkpointId) return;
    this.current = null;
    this.rt.loop.emit({ type: 'sources-resumed', t, checkpointId });
    for (const task of this.rt.graph.tasks)
      if (task.isSource && task.status === 'RUNNING')
        this.rt.loop.scheduleWake(task, Math.max(t, task.busyUntil));
  }

  /** A task was cancelled: the checkpoint cannot complete (the coordinator aborts it). */
  cancel(): void {
    this.current = null;
  }
}
