/**
 * Flink's SequentialChannelStateReader: after a restore from an unaligned (or Chandy-Lamport)
 * checkpoint, the in-flight records it persisted are replayed before any new input — input channel
 * state at the head of the receiver's channels, output channel state into the sender's output buffer
 * (sent once every receiver is deployed: `DefaultScheduler` flushes it after deploying a region).
 */
import type { ClusterRuntime } from '../runtime/ClusterRuntime';
import type { StreamTask } from '../tasks/StreamTask';
import type { TaskStateSnapshot } from './CompletedCheckpoint';

/**
 * `snapshot`: one chained operator's snapshot of this subtask. Peers are operator subtasks
 * (`<uid>#<i>`), so channel state moves between a job with chaining and one without: input channel
 * state is found by the operator that sent into the channel, output channel state by the operator
 * that reads it (and goes out of the channel the snapshot's operator emits into).
 */
export function restoreChannelState(rt: ClusterRuntime, task: StreamTask, snapshot: TaskStateSnapshot): void {
  const loop = rt.loop;
  const writer = rt.recordWriter;
  for (const cs of snapshot.inputChannelState) {
    const ch = task.inputs.find((c) => c.fromOperator === cs.peer);
    if (!ch) continue;
    ch.queue.unshiftAll(cs.records.map((r) => writer.newRecord(r.value, r.ts, null, -1, loop.now, loop.now)));
    ch.records += cs.records.length;
    ch.outstanding += cs.records.length;
    loop.recordsInFlight += cs.records.length;
  }
  for (const cs of snapshot.outputChannelState) {
    const ch = task.outputs
      .filter((g) => g.edge.source.uid === snapshot.operatorUid)
      .flatMap((g) => g.channels)
      .find((c) => c.toOperator === cs.peer);
    if (!ch || cs.records.length === 0) continue;
    if (ch.backlog.length === 0) task.backloggedChannels++;
    for (const r of cs.records)
      ch.backlog.push(writer.newRecord(r.value, r.ts, null, -1, loop.now, loop.now));
    loop.recordsInFlight += cs.records.length;
  }
}
