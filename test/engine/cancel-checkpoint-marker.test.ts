/**
 * CancelCheckpointMarker, as Flink 2.x handles it (flink-streaming-java,
 * org.apache.flink.streaming.runtime.io.checkpointing.SingleCheckpointBarrierHandler and
 * SubtaskCheckpointCoordinatorImpl):
 *
 * - `processCancellationBarrier`: a marker for a checkpoint newer than the current one, or for the
 *   current one while its alignment is in progress, aborts it (`abortInternal`: channels resume, no
 *   barrier of it can start an alignment any more, `notifyAbort` → the task declines with
 *   CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER and broadcasts the marker downstream); any other
 *   marker is stale and ignored.
 * - `processEndOfPartition` (checkpoints after tasks finish, the default): a channel that ends during
 *   an alignment counts as aligned (`markCheckpointAlignedAndTransformState`), so the alignment
 *   completes when the other channels' barriers are in.
 * - `checkAndClearAbortedStatus`: a task told of the abort before it took part sends the marker
 *   instead of the barrier, and takes no snapshot.
 */
import { describe, expect, it } from 'vitest';
import {
  MiniCluster,
  NonTransactionalSink,
  ReplayableLog,
  StreamExecutionEnvironment,
  type LogRecord,
  type TraceEvent,
} from '../../src/engine/index';
import type {
  BarrierHandlerHost,
  SnapshotRequest,
} from '../../src/engine/checkpointing/barriers/CheckpointBarrierHandler';
import { SingleCheckpointBarrierHandler } from '../../src/engine/checkpointing/barriers/SingleCheckpointBarrierHandler';
import type { Channel } from '../../src/engine/network/Channel';
import { BARRIER, type CheckpointBarrier } from '../../src/engine/runtime/StreamElement';
import type { StreamTask } from '../../src/engine/tasks/StreamTask';
import { CountByK } from './helpers';

function setup() {
  const channels = [
    { id: 'a', blocked: false, finished: false },
    { id: 'b', blocked: false, finished: false },
  ] as unknown as Channel[];
  const task = { id: 't#0', inputs: channels } as unknown as StreamTask;
  const log: string[] = [];
  const host: BarrierHandlerHost = {
    triggerCheckpointOnBarrier: (_t: StreamTask, req: SnapshotRequest, t: number) => {
      log.push(`snapshot ${req.checkpointId}`);
      return t;
    },
    declineCheckpoint: (_t: StreamTask, id: number) => {
      log.push(`decline ${id}`);
    },
    abortCheckpointOnBarrier: (_t: StreamTask, id: number) => {
      log.push(`decline ${id} + forward marker ${id}`);
    },
    setChannelBlocked: (_t: StreamTask, ch: Channel, blocked: boolean) => {
      ch.blocked = blocked;
      log.push(`${blocked ? 'block' : 'resume'} ${ch.id}`);
    },
    traceAlignment: (_t: StreamTask, event: string, id: number) => {
      log.push(`${event} ${id}`);
    },
    traceBarrierReceived: () => {},
    checkpointTriggerTime: () => 0,
    scheduleAlignmentTimeout: () => {},
  };
  const barrier = (checkpointId: number): CheckpointBarrier => ({
    kind: BARRIER,
    id: checkpointId,
    checkpointId,
    arrival: 0,
    priority: false,
    savepoint: false,
  });
  const handler = new SingleCheckpointBarrierHandler(task, host);
  const [a, b] = channels;
  return { handler, a, b, barrier, log };
}

describe('SingleCheckpointBarrierHandler.processCancellationBarrier (aligned)', () => {
  it('a marker for the checkpoint being aligned ends the alignment, declines and forwards it once', () => {
    const { handler, a, b, barrier, log } = setup();
    handler.processBarrier(a, barrier(1), 1);
    expect(a.blocked).toBe(true);
    handler.processCancellationBarrier(b, 1, 2);
    expect(a.blocked).toBe(false);
    expect(log).toEqual(['block a', 'alignment-aborted 1', 'resume a', 'decline 1 + forward marker 1']);
    // Checkpoint 1's late barrier on b starts nothing (lastCancelledOrCompletedCheckpointId).
    handler.processBarrier(b, barrier(1), 3);
    expect(b.blocked).toBe(false);
    // The next checkpoint aligns as usual.
    handler.processBarrier(a, barrier(2), 4);
    handler.processBarrier(b, barrier(2), 5);
    expect(log.slice(4)).toEqual(['block a', 'alignment-completed 2', 'resume a', 'snapshot 2']);
  });

  it('a marker for a newer checkpoint than any seen aborts it at once; its second marker is ignored', () => {
    const { handler, a, b, barrier, log } = setup();
    handler.processCancellationBarrier(a, 3, 1);
    handler.processCancellationBarrier(b, 3, 2);
    expect(log).toEqual(['decline 3 + forward marker 3']);
    // Barriers of 3 arriving afterwards block nothing; a lower id neither.
    handler.processBarrier(a, barrier(3), 3);
    handler.processBarrier(b, barrier(2), 4);
    expect([a.blocked, b.blocked]).toEqual([false, false]);
    expect(log).toEqual(['decline 3 + forward marker 3']);
  });

  it('a stale marker (an older checkpoint, or the current one already completed) is ignored', () => {
    const { handler, a, b, barrier, log } = setup();
    handler.processBarrier(a, barrier(2), 1);
    handler.processBarrier(b, barrier(2), 2);
    expect(log).toContain('snapshot 2');
    const before = log.length;
    handler.processCancellationBarrier(a, 2, 3);
    handler.processCancellationBarrier(b, 1, 4);
    expect(log.length).toBe(before);
  });

  it('a newer barrier during an alignment aborts it: declined and a marker sent downstream (subsumed)', () => {
    const { handler, a, b, barrier, log } = setup();
    handler.processBarrier(a, barrier(1), 1);
    handler.processBarrier(b, barrier(2), 2);
    expect(log).toEqual([
      'block a',
      'alignment-aborted 1',
      'resume a',
      'decline 1 + forward marker 1',
      'block b',
    ]);
  });
});

describe('SingleCheckpointBarrierHandler.processEndOfPartition (FLIP-147)', () => {
  it('a channel that ends during an alignment counts as aligned: the checkpoint completes', () => {
    const { handler, a, b, barrier, log } = setup();
    handler.processBarrier(a, barrier(1), 1);
    b.finished = true; // EndOfPartition read on b: its sender finished, no barrier will come
    handler.processEndOfPartition(b, 2);
    expect(log).toEqual(['block a', 'alignment-completed 1', 'resume a', 'snapshot 1']);
    expect(a.blocked).toBe(false);
  });

  it('without an alignment in progress, the end of a channel triggers nothing; later alignments skip it', () => {
    const { handler, a, b, barrier, log } = setup();
    b.finished = true;
    handler.processEndOfPartition(b, 1);
    expect(log).toEqual([]);
    handler.processBarrier(a, barrier(1), 2); // the only open channel: no block, snapshot at once
    expect(log.filter((l) => !l.startsWith('alignment-'))).toEqual(['snapshot 1']);
    expect(a.blocked).toBe(false);
  });
});

describe('the CancelCheckpointMarker travels in line with the records (a running job)', () => {
  /** A backpressured keyed job whose checkpoints expire while their barriers are still on the way. */
  function run() {
    const parts: LogRecord<{ k: string; v: number }>[][] = [[], []];
    for (let i = 0; i < 400; i++) parts[i % 2].push({ value: { k: `k${i % 13}`, v: i }, timestamp: i });
    // Every operator its own task: markers on every edge (none travel inside a chain).
    const env = StreamExecutionEnvironment.getExecutionEnvironment()
      .setParallelism(2)
      .disableOperatorChaining();
    env.enableCheckpointing(100, 'exactly-once');
    env.configureCheckpointing({ timeoutMs: 20, tolerableFailedCheckpoints: 1000 });
    env.setCostModel({ channelCapacity: 4 });
    env
      .fromSource(new ReplayableLog('in', parts), 'Source: in', 1)
      .uid('src')
      .keyBy((x: { k: string }) => x.k)
      .map(new CountByK())
      .uid('count')
      .setProcessingTime(8)
      .addSink(new NonTransactionalSink<[string, number]>())
      .uid('sink');
    const events: TraceEvent[] = [];
    const mc = new MiniCluster(env.getJobGraph('Markers'), { seed: 3, trace: (e) => events.push(e) });
    mc.runToCompletion();
    return { mc, events };
  }

  it('each marker sent is read by its receiver, after the records sent before it on that channel', () => {
    const { mc, events } = run();
    const sent = events.filter((e) => e.type === 'cancel-barrier-sent');
    expect(sent.length).toBeGreaterThan(0);
    for (const m of sent) {
      const to = m.channel.split('->')[1];
      const received = events.find(
        (e) =>
          e.type === 'cancel-barrier-received' &&
          e.channel === m.channel &&
          e.checkpointId === m.checkpointId &&
          e.t >= m.arriveAt,
      );
      expect(received, `${m.channel} marker ${m.checkpointId}`).toBeDefined();
      // In line: every record sent on that channel before the marker was processed before it was read.
      const before = events.filter((e) => e.type === 'record-sent' && e.channel === m.channel && e.t < m.t);
      const processed = new Set(
        events
          .filter((e) => e.type === 'record-processed' && e.task === to && e.t <= (received as TraceEvent).t)
          .map((e) => (e as { id: number }).id),
      );
      for (const r of before) expect(processed.has((r as { id: number }).id)).toBe(true);
      // The marker is for a checkpoint that failed (aborted), never for one that completed.
      expect(mc.coordinator.history.find((c) => c.id === m.checkpointId)?.status).toBe('FAILED');
    }
    // No snapshot is taken by a task after it sent a marker for that checkpoint.
    for (const m of sent) {
      const from = m.channel.split('->')[0];
      const late = events.find(
        (e) =>
          e.type === 'snapshot-taken' && e.task === from && e.checkpointId === m.checkpointId && e.t > m.t,
      );
      expect(late).toBeUndefined();
    }
    expect(mc.metrics.sinkRecords).toBeGreaterThanOrEqual(400);
  });
});
