/**
 * Barrier and idleness details checked against Flink's source (issue 12 §4):
 *
 * - An aborted checkpoint's late barriers: SubtaskCheckpointCoordinatorImpl remembers checkpoints the
 *   JobManager aborted (`abortedCheckpointIds`) and, when their trigger or alignment still comes, takes
 *   no snapshot and broadcasts a CancelCheckpointMarker instead of the barrier
 *   (`checkAndClearAbortedStatus`); Flink's SingleCheckpointBarrierHandler (flink-streaming-java,
 *   org.apache.flink.streaming.runtime.io.checkpointing) ends an alignment on that marker and keeps
 *   `lastCancelledOrCompletedCheckpointId`, dropping a barrier when `currentCheckpointId > barrierId ||
 *   (currentCheckpointId == barrierId && !isCheckpointPending())`.
 * - The at-least-once CheckpointBarrierTracker drops the older pending checkpoints when a newer one
 *   completes ("first, remove this checkpoint and all all prior pending checkpoints (which are now
 *   subsumed)") instead of declining them, and tracks a first barrier only if its checkpoint is newer
 *   than `latestPendingCheckpointID`.
 */
import { describe, expect, it } from 'vitest';
import {
  MiniCluster,
  NonTransactionalSink,
  ReplayableLog,
  StreamExecutionEnvironment,
  type CheckpointingMode,
  type JobGraph,
  type LogRecord,
  type TraceEvent,
  WatermarkStrategies,
} from '../../src/engine/index';
import type {
  BarrierHandlerHost,
  SnapshotRequest,
} from '../../src/engine/checkpointing/barriers/CheckpointBarrierHandler';
import { CheckpointBarrierTracker } from '../../src/engine/checkpointing/barriers/CheckpointBarrierTracker';
import type { Channel } from '../../src/engine/network/Channel';
import { BARRIER, type CheckpointBarrier } from '../../src/engine/runtime/StreamElement';
import type { StreamTask } from '../../src/engine/tasks/StreamTask';
import { CountByK } from './helpers';

/**
 * source (p=2) -> keyBy -> a slow count (p=2, two input channels each) -> sink, behind 4-record
 * channels: barriers wait behind buffered records, and a 20 ms checkpoint timeout expires
 * checkpoints while their barriers are still on the way (unaligned barriers overtake the buffers, so
 * there the count is slower still: 20 ms a record).
 */
function backpressuredJob(mode: CheckpointingMode, countMs: number): JobGraph {
  const parts: LogRecord<{ k: string; v: number }>[][] = [[], []];
  for (let i = 0; i < 600; i++) parts[i % 2].push({ value: { k: `k${i % 17}`, v: i }, timestamp: i });
  // Every operator its own task: these tests count and name per-operator subtasks and channels.
  const env = StreamExecutionEnvironment.getExecutionEnvironment()
    .setParallelism(2)
    .disableOperatorChaining();
  env.enableCheckpointing(100, mode);
  env.configureCheckpointing({ timeoutMs: 20, tolerableFailedCheckpoints: 1000 });
  env.setCostModel({ channelCapacity: 4 });
  env
    .fromSource(new ReplayableLog('in', parts), 'Source: in', 1)
    .uid('src')
    .keyBy((x: { k: string }) => x.k)
    .map(new CountByK())
    .uid('count')
    .setProcessingTime(countMs)
    .addSink(new NonTransactionalSink<[string, number]>())
    .uid('sink');
  return env.getJobGraph('Late barriers');
}

describe("an aborted checkpoint's late barriers take no snapshot; a CancelCheckpointMarker wave ends their alignments", () => {
  it.each([
    ['exactly-once', 8],
    ['at-least-once', 8],
    ['unaligned', 20],
  ] as Array<[CheckpointingMode, number]>)('%s', (mode, countMs) => {
    const events: TraceEvent[] = [];
    const mc = new MiniCluster(backpressuredJob(mode, countMs), { seed: 3, trace: (e) => events.push(e) });
    mc.runToCompletion();
    const abortedAt = new Map<number, number>();
    let lateBarriers = 0;
    const snapshotsAfterAbort: TraceEvent[] = [];
    const markersSent = new Set<number>();
    /** task -> checkpoints it read a CancelCheckpointMarker of; channel blocks for them after that. */
    const cancelledAt = new Map<string, Set<number>>();
    const blockedAfterMarker: TraceEvent[] = [];
    const blocked = new Map<string, number>();
    for (const e of events) {
      if (e.type === 'checkpoint-failed') abortedAt.set(e.checkpointId, e.t);
      if (e.type === 'barrier-received' && abortedAt.has(e.checkpointId)) lateBarriers++;
      if (e.type === 'snapshot-taken' && abortedAt.has(e.checkpointId)) snapshotsAfterAbort.push(e);
      if (e.type === 'cancel-barrier-sent') markersSent.add(e.checkpointId);
      if (e.type === 'cancel-barrier-received') {
        const set = cancelledAt.get(e.task) ?? new Set<number>();
        set.add(e.checkpointId);
        cancelledAt.set(e.task, set);
      }
      if (e.type === 'channel-blocked') {
        blocked.set(e.channel, e.checkpointId);
        if (cancelledAt.get(e.task)?.has(e.checkpointId)) blockedAfterMarker.push(e);
      }
      if (e.type === 'channel-unblocked') blocked.delete(e.channel);
    }
    // The situation arises: checkpoints expire while their barriers are still travelling.
    expect(abortedAt.size).toBeGreaterThan(5);
    expect(lateBarriers).toBeGreaterThan(0);
    // ... their barriers start no snapshot any more: the tasks send CancelCheckpointMarkers instead,
    expect(snapshotsAfterAbort).toEqual([]);
    // (unaligned: every task snapshots on the first barrier's arrival, so none is left to cancel)
    const withMarkers = [...abortedAt.keys()].filter((id) => markersSent.has(id)).length;
    if (mode === 'unaligned') expect(withMarkers).toBe(0);
    else expect(withMarkers).toBeGreaterThan(0);
    // ... a task that read the marker ignores that checkpoint's barriers (no alignment starts), and
    // no channel stays blocked.
    expect(blockedAfterMarker).toEqual([]);
    expect([...blocked]).toEqual([]);
    // The job itself goes on: a later checkpoint completes and every record reaches the sink.
    expect(mc.coordinator.history.some((c) => c.status === 'COMPLETED')).toBe(true);
    expect(mc.metrics.sinkRecords).toBeGreaterThanOrEqual(600);
  });
});

describe('CheckpointBarrierTracker (at-least-once) drops older pending checkpoints', () => {
  function setup() {
    const channels = [{ id: 'a' }, { id: 'b' }] as unknown as Channel[];
    const task = { id: 't#0', inputs: channels } as unknown as StreamTask;
    const triggered: number[] = [];
    const declined: number[] = [];
    /** CancelCheckpointMarkers the task sent on. */
    const forwarded: number[] = [];
    const host: BarrierHandlerHost = {
      triggerCheckpointOnBarrier: (_task: StreamTask, req: SnapshotRequest, t: number) => {
        triggered.push(req.checkpointId);
        return t;
      },
      declineCheckpoint: (_task: StreamTask, id: number) => {
        declined.push(id);
      },
      abortCheckpointOnBarrier: (_task: StreamTask, id: number) => {
        declined.push(id);
        forwarded.push(id);
      },
      setChannelBlocked: () => {},
      traceAlignment: () => {},
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
    const tracker = new CheckpointBarrierTracker(task, host);
    const [a, b] = channels;
    return { tracker, a, b, barrier, triggered, declined, forwarded };
  }

  it('a newer checkpoint completing drops the older one without declining it', () => {
    const { tracker, a, b, barrier, triggered, declined } = setup();
    tracker.processBarrier(a, barrier(1), 1);
    tracker.processBarrier(a, barrier(2), 2);
    tracker.processBarrier(b, barrier(2), 3); // checkpoint 2 has all its barriers first
    expect(triggered).toEqual([2]);
    // Flink: "remove this checkpoint and all prior pending checkpoints (which are now subsumed)";
    // the coordinator subsumes checkpoint 1 when 2 completes. Nothing is declined by the task.
    expect(declined).toEqual([]);
    tracker.processBarrier(b, barrier(1), 4); // checkpoint 1's last barrier, late
    expect(triggered).toEqual([2]);
  });

  it('tracks a first barrier only if its checkpoint is newer than the latest pending one', () => {
    const { tracker, a, b, barrier, triggered } = setup();
    tracker.processBarrier(a, barrier(3), 1); // checkpoint 3 pending
    tracker.processBarrier(b, barrier(2), 2); // first barrier of an older checkpoint: not tracked
    tracker.processBarrier(a, barrier(2), 3);
    expect(triggered).toEqual([]);
    tracker.processBarrier(b, barrier(3), 4);
    expect(triggered).toEqual([3]);
  });

  it('a CancelCheckpointMarker aborts a pending checkpoint once; its late barrier triggers nothing', () => {
    const { tracker, a, b, barrier, triggered, declined, forwarded } = setup();
    tracker.processBarrier(a, barrier(1), 1);
    tracker.processCancellationBarrier(b, 1, 2);
    expect(declined).toEqual([1]);
    expect(forwarded).toEqual([1]);
    tracker.processBarrier(a, barrier(2), 3);
    tracker.processBarrier(b, barrier(2), 4);
    expect(triggered).toEqual([2]);
  });

  it('a marker for a checkpoint newer than every pending one drops the older ones (declined) and is remembered', () => {
    const { tracker, a, b, barrier, triggered, declined, forwarded } = setup();
    tracker.processBarrier(a, barrier(1), 1); // 1 pending
    tracker.processCancellationBarrier(b, 2, 2); // Flink: abort 1 (subsumed), then 2 (new, aborted)
    expect(declined).toEqual([1, 2]);
    expect(forwarded).toEqual([1, 2]);
    tracker.processCancellationBarrier(a, 2, 3); // the second marker: counted, not declined again
    tracker.processBarrier(b, barrier(1), 4); // checkpoint 1's late barrier
    expect(declined).toEqual([1, 2]);
    tracker.processBarrier(a, barrier(3), 5);
    tracker.processBarrier(b, barrier(3), 6);
    expect(triggered).toEqual([3]);
  });
});

/**
 * Flink's PausableRelativeClock (flink-streaming-java, api/operators/util): ProgressiveTimestampsAndWatermarks
 * registers each source's input-activity clock as the task's back-pressure listener, and
 * WatermarksWithIdleness measures idleness on it — a source that cannot emit because its downstream
 * is slow is not idle.
 */
describe('idleness is measured on a clock paused while the source is backpressured (PausableRelativeClock)', () => {
  it('a backpressured source with records left is never declared idle; at the end of its log it is', () => {
    const records: LogRecord<{ k: string; v: number }>[] = [];
    for (let i = 0; i < 40; i++) records.push({ value: { k: `k${i % 3}`, v: i }, timestamp: i * 10 });
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
    env.enableCheckpointing(1000);
    env.setCostModel({ channelCapacity: 2 });
    env
      .fromSource(
        new ReplayableLog('in', [records]),
        'Source: in',
        1,
        WatermarkStrategies.forBoundedOutOfOrderness(0).withIdleness(50),
      )
      .uid('src')
      .keyBy((x: { k: string }) => x.k)
      .map(new CountByK())
      .uid('count')
      // 120 ms a record: the source waits for credit far longer than its 50 ms idleness timeout.
      .setProcessingTime(120)
      .addSink(new NonTransactionalSink<[string, number]>())
      .uid('sink');
    const events: TraceEvent[] = [];
    const mc = new MiniCluster(env.getJobGraph('Backpressured idleness'), {
      seed: 1,
      trace: (e) => events.push(e),
    });
    mc.runToCompletion();
    const sent = events.filter((e) => e.type === 'record-sent' && e.channel.startsWith('src#0->'));
    expect(sent).toHaveLength(40);
    const lastSend = sent[sent.length - 1].t;
    const idle = events.filter((e) => e.type === 'source-idle' && e.task === 'src#0' && e.idle);
    const backpressured = events.filter((e) => e.type === 'backpressure' && e.task === 'src#0' && e.blocked);
    expect(backpressured.length).toBeGreaterThan(5);
    expect(idle.filter((e) => e.t < lastSend)).toEqual([]);
    // Out of records (and no longer backpressured), it does go idle.
    expect(idle.length).toBeGreaterThan(0);
  });
});
