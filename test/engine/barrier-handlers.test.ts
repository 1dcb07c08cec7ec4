/**
 * Barrier handling per checkpointing mode, observed through the trace: aligned exactly-once blocks
 * channels and holds back the records behind a barrier, at-least-once never blocks, unaligned
 * overtakes buffered data and persists it, stop-the-world pauses the sources, Chandy-Lamport records
 * channel state.
 */
import { describe, expect, it } from 'vitest';
import {
  MiniCluster,
  NonTransactionalSink,
  ReplayableLog,
  StreamExecutionEnvironment,
  type CheckpointStats,
  type CheckpointingMode,
  type JobGraph,
  type LogRecord,
  type TraceEvent,
} from '../../src/engine/index';
import { ofType, CountByK, type Ev } from './helpers';

interface Setup {
  records?: number;
  /** Channel capacity: small values create backpressure. */
  capacity?: number;
  /** Processing time per record of the count operator. */
  slowMs?: number;
}

/** source (p=2) -> keyBy -> count (p=2: two input channels each) -> sink (p=2, forward: one input each). */
function buildJob(mode: CheckpointingMode, s: Setup = {}): JobGraph {
  const n = s.records ?? 1000;
  const parts: LogRecord<{ k: string; v: number }>[][] = [[], []];
  for (let i = 0; i < n; i++) parts[i % 2].push({ value: { k: `k${i % 17}`, v: i }, timestamp: i });
  // Every operator its own task: these tests count and name per-operator subtasks and channels.
  const env = StreamExecutionEnvironment.getExecutionEnvironment()
    .setParallelism(2)
    .disableOperatorChaining();
  env.enableCheckpointing(100, mode);
  if (s.capacity) env.setCostModel({ channelCapacity: s.capacity });
  const count = env
    .fromSource(new ReplayableLog('in', parts), 'Source: in', 1)
    .uid('src')
    .keyBy((x: { k: string }) => x.k)
    .map(new CountByK())
    .uid('count');
  if (s.slowMs) count.setProcessingTime(s.slowMs);
  count.addSink(new NonTransactionalSink<[string, number]>()).uid('sink');
  return env.getJobGraph('Barriers');
}

/** Under backpressure: a slow count operator behind small channels. */
const BACKPRESSURE: Setup = { records: 600, capacity: 4, slowMs: 3 };

function run(job: JobGraph, seed = 3): { mc: MiniCluster; events: TraceEvent[] } {
  const events: TraceEvent[] = [];
  const mc = new MiniCluster(job, { seed, trace: (e) => events.push(e) });
  mc.runToCompletion();
  return { mc, events };
}

function meanEndToEnd(history: readonly CheckpointStats[]): number {
  const done = history.filter((s) => s.status === 'COMPLETED');
  return done.reduce((a, s) => a + (s.endToEndMs as number), 0) / done.length;
}

/**
 * For each (channel, checkpoint): ids of the records the sender put on the channel before and after
 * barrier n, in the channel's FIFO order.
 */
function recordsAroundBarriers(events: readonly TraceEvent[]) {
  const seenBarrier = new Map<string, number>(); // channel -> highest checkpoint whose barrier was sent
  const before = new Map<string, number[]>(); // `${channel}|${cp}` -> ids sent before barrier cp
  const after = new Map<string, number[]>(); // ids sent after barrier cp and before barrier cp+1
  for (const e of events) {
    if (e.type === 'barrier-sent') seenBarrier.set(e.channel, e.checkpointId);
    if (e.type !== 'record-sent') continue;
    const cp = seenBarrier.get(e.channel);
    if (cp !== undefined) {
      const key = `${e.channel}|${cp}`;
      after.set(key, [...(after.get(key) ?? []), e.id]);
    }
    const nextKey = `${e.channel}|${(cp ?? 0) + 1}`;
    before.set(nextKey, [...(before.get(nextKey) ?? []), e.id]);
  }
  return { before, after };
}

describe('aligned exactly-once (SingleCheckpointBarrierHandler)', () => {
  it('blocks a channel when its barrier arrives and unblocks it when alignment completes', () => {
    const { events } = run(buildJob('exactly-once', BACKPRESSURE));
    const blocked = ofType(events, 'channel-blocked');
    expect(blocked.length).toBeGreaterThan(0);
    const received = ofType(events, 'barrier-received');
    const unblocked = ofType(events, 'channel-unblocked');
    const aligned = ofType(events, 'alignment-completed');
    for (const b of blocked) {
      // Blocked at the moment its barrier was read.
      expect(
        received.some(
          (r) =>
            r.channel === b.channel && r.checkpointId === b.checkpointId && r.t === b.t && r.task === b.task,
        ),
      ).toBe(true);
      const u = unblocked.find(
        (x) =>
          x.channel === b.channel &&
          x.checkpointId === b.checkpointId &&
          events.indexOf(x) > events.indexOf(b),
      );
      expect(u).toBeDefined();
      const done = aligned.find((a) => a.task === b.task && a.checkpointId === b.checkpointId);
      expect(done).toBeDefined();
      expect((u as Ev<'channel-unblocked'>).t).toBe((done as Ev<'alignment-completed'>).t);
      expect((u as Ev<'channel-unblocked'>).t).toBeGreaterThanOrEqual(b.t);
    }
    // With two inputs, the last barrier completes the alignment: exactly one channel blocks per task and checkpoint.
    const perTaskCp = new Map<string, number>();
    for (const b of blocked)
      perTaskCp.set(`${b.task}|${b.checkpointId}`, (perTaskCp.get(`${b.task}|${b.checkpointId}`) ?? 0) + 1);
    for (const n of perTaskCp.values()) expect(n).toBe(1);
  });

  it('does not process records behind a barrier until alignment completes; records before it are in the snapshot', () => {
    const { events } = run(buildJob('exactly-once', BACKPRESSURE));
    const processedAt = new Map(ofType(events, 'record-processed').map((e) => [e.id, e]));
    const snapshotAt = new Map(
      ofType(events, 'snapshot-taken').map((e) => [`${e.task}|${e.checkpointId}`, e.t]),
    );
    const { before, after } = recordsAroundBarriers(events);
    let heldBack = 0;
    for (const [key, ids] of after) {
      const [channel, cp] = key.split('|');
      const task = channel.split('->')[1];
      if (!task.startsWith('count#')) continue;
      const snap = snapshotAt.get(`${task}|${cp}`);
      if (snap === undefined) continue; // checkpoint still open at the end
      for (const id of ids) {
        const p = processedAt.get(id);
        if (!p) continue;
        expect(p.t).toBeGreaterThan(snap);
        heldBack++;
      }
    }
    for (const [key, ids] of before) {
      const [channel, cp] = key.split('|');
      const task = channel.split('->')[1];
      if (!task.startsWith('count#')) continue;
      const snap = snapshotAt.get(`${task}|${cp}`);
      if (snap === undefined) continue;
      for (const id of ids)
        expect((processedAt.get(id) as Ev<'record-processed'>).t).toBeLessThanOrEqual(snap);
    }
    expect(heldBack).toBeGreaterThan(0);
  });

  it('records on a blocked channel are not processed while it is blocked', () => {
    const { events } = run(buildJob('exactly-once', BACKPRESSURE));
    const processed = ofType(events, 'record-processed');
    const unblocked = ofType(events, 'channel-unblocked');
    let windows = 0;
    for (const b of ofType(events, 'channel-blocked')) {
      const u = unblocked.find(
        (x) =>
          x.channel === b.channel &&
          x.checkpointId === b.checkpointId &&
          events.indexOf(x) > events.indexOf(b),
      ) as Ev<'channel-unblocked'>;
      if (u.t > b.t) windows++;
      const during = processed.filter((p) => p.channel === b.channel && p.t > b.t && p.t <= u.t);
      expect(during).toEqual([]);
    }
    expect(windows).toBeGreaterThan(0);
  });

  it('alignment time = first barrier -> last barrier, in the trace and in the statistics', () => {
    const { mc, events } = run(buildJob('exactly-once', BACKPRESSURE));
    const received = ofType(events, 'barrier-received');
    const aligned = ofType(events, 'alignment-completed');
    expect(aligned.length).toBeGreaterThan(0);
    for (const a of aligned) {
      const mine = received
        .filter((r) => r.task === a.task && r.checkpointId === a.checkpointId)
        .map((r) => r.t);
      expect(mine).toHaveLength(2);
      expect(a.alignmentMs).toBeCloseTo(Math.max(...mine) - Math.min(...mine), 9);
      expect(a.t).toBe(Math.max(...mine));
      const stats = mc.coordinator.history.find((s) => s.id === a.checkpointId);
      const st = stats?.subtasks.find((x) => x.taskId === a.task);
      if (st) expect(st.alignmentMs).toBeCloseTo(a.alignmentMs, 9);
    }
    expect(aligned.some((a) => a.alignmentMs > 0)).toBe(true);
  });

  it('a task with a single input channel never blocks', () => {
    const { mc, events } = run(buildJob('exactly-once', BACKPRESSURE));
    const blockedTasks = new Set(ofType(events, 'channel-blocked').map((e) => e.task));
    expect([...blockedTasks].sort()).toEqual(['count#0', 'count#1']);
    expect(ofType(events, 'alignment-completed').every((e) => e.task.startsWith('count#'))).toBe(true);
    for (const s of mc.coordinator.history)
      for (const st of s.subtasks.filter((x) => x.taskId.startsWith('sink#'))) expect(st.alignmentMs).toBe(0);
  });

  it('channel-unblocked is only emitted for a channel that was blocked', () => {
    // The handler "unblocks" every channel that delivered a barrier, including the last one (never
    // blocked) and the single input of one-input tasks, so the trace has 3x more unblocks than blocks.
    const { events } = run(buildJob('exactly-once'));
    const blocked = ofType(events, 'channel-blocked');
    const unblocked = ofType(events, 'channel-unblocked');
    expect(unblocked.filter((u) => u.task.startsWith('sink#'))).toEqual([]);
    expect(unblocked).toHaveLength(blocked.length);
  });

  it('sends barriers in line with records (no priority)', () => {
    const { events } = run(buildJob('exactly-once'));
    const sent = ofType(events, 'barrier-sent');
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((b) => b.priority === false)).toBe(true);
  });
});

describe('at-least-once (CheckpointBarrierTracker)', () => {
  it('never blocks a channel, even under backpressure', () => {
    for (const setup of [{}, BACKPRESSURE]) {
      const { mc, events } = run(buildJob('at-least-once', setup));
      expect(ofType(events, 'channel-blocked')).toEqual([]);
      expect(ofType(events, 'channel-unblocked')).toEqual([]);
      expect(mc.coordinator.counts.completed).toBeGreaterThan(0);
    }
  });

  it('snapshots when the last barrier arrived, and lets records behind the first barrier be processed before it', () => {
    const { events } = run(buildJob('at-least-once', BACKPRESSURE));
    const received = ofType(events, 'barrier-received');
    const snapshots = ofType(events, 'snapshot-taken').filter((s) => s.task.startsWith('count#'));
    for (const s of snapshots) {
      const mine = received
        .filter((r) => r.task === s.task && r.checkpointId === s.checkpointId)
        .map((r) => r.t);
      expect(mine).toHaveLength(2);
      expect(s.t).toBe(Math.max(...mine));
    }
    // Records sent after barrier n that the count processed before its snapshot n: in the state *and*
    // replayed after a restore from n. That is why this mode is only at-least-once.
    const processedAt = new Map(ofType(events, 'record-processed').map((e) => [e.id, e.t]));
    const snapshotAt = new Map(snapshots.map((e) => [`${e.task}|${e.checkpointId}`, e.t]));
    const { after } = recordsAroundBarriers(events);
    let overtaking = 0;
    for (const [key, ids] of after) {
      const [channel, cp] = key.split('|');
      const snap = snapshotAt.get(`${channel.split('->')[1]}|${cp}`);
      if (snap === undefined) continue;
      for (const id of ids) if ((processedAt.get(id) ?? Infinity) <= snap) overtaking++;
    }
    expect(overtaking).toBeGreaterThan(0);
  });
});

describe('unaligned checkpoints', () => {
  it('never block, and send every barrier with priority', () => {
    const { mc, events } = run(buildJob('unaligned', BACKPRESSURE));
    expect(ofType(events, 'channel-blocked')).toEqual([]);
    const sent = ofType(events, 'barrier-sent');
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((b) => b.priority === true)).toBe(true);
    expect(mc.coordinator.counts.completed).toBeGreaterThan(0);
    for (const s of mc.coordinator.history.filter((x) => x.status === 'COMPLETED')) {
      for (const st of s.subtasks) {
        expect(st.unaligned).toBe(true);
        expect(st.alignmentMs).toBe(0);
      }
    }
  });

  it('snapshot at the first barrier, without waiting for the second one', () => {
    const { events } = run(buildJob('unaligned', BACKPRESSURE));
    const received = ofType(events, 'barrier-received');
    const snaps = ofType(events, 'snapshot-taken').filter((s) => s.task.startsWith('count#'));
    expect(snaps.length).toBeGreaterThan(0);
    let beforeSecondBarrier = 0;
    for (const s of snaps) {
      const times = received
        .filter((r) => r.task === s.task && r.checkpointId === s.checkpointId)
        .map((r) => r.t);
      const first = Math.min(...times);
      expect(s.t).toBeGreaterThanOrEqual(first);
      // At most the record being processed (3 ms) delays it.
      expect(s.t).toBeLessThanOrEqual(first + 3 + 1e-9);
      if (times.length === 2 && s.t < Math.max(...times)) beforeSecondBarrier++;
      // Only the first barrier is "received": later ones of the same checkpoint change nothing.
      expect(
        events.filter(
          (e) => e.type === 'snapshot-taken' && e.task === s.task && e.checkpointId === s.checkpointId,
        ),
      ).toHaveLength(1);
    }
    expect(beforeSecondBarrier).toBeGreaterThan(0);
  });

  it('under backpressure, persist in-flight data and complete faster than aligned checkpoints', () => {
    const aligned = run(buildJob('exactly-once', BACKPRESSURE)).mc.coordinator.history;
    const unaligned = run(buildJob('unaligned', BACKPRESSURE)).mc.coordinator.history;
    expect(unaligned.some((s) => s.persistedInFlightBytes > 0)).toBe(true);
    expect(aligned.every((s) => s.persistedInFlightBytes === 0)).toBe(true);
    expect(unaligned.some((s) => s.subtasks.some((st) => st.persistedInFlightBytes > 0))).toBe(true);
    const a = meanEndToEnd(aligned);
    const u = meanEndToEnd(unaligned);
    expect(u).toBeLessThan(a);
    // Each checkpoint's bytes include its in-flight data.
    for (const s of unaligned.filter((x) => x.status === 'COMPLETED'))
      expect(s.checkpointedBytes).toBeGreaterThanOrEqual(s.persistedInFlightBytes);
  });

  it('record channel state for every input channel of every task', () => {
    const { events } = run(buildJob('unaligned', BACKPRESSURE));
    const recorded = ofType(events, 'channel-state-recorded');
    expect(recorded.some((r) => r.records > 0)).toBe(true);
    const cps = new Set(ofType(events, 'checkpoint-completed').map((c) => c.checkpointId));
    for (const cp of cps) {
      const channels = new Set(recorded.filter((r) => r.checkpointId === cp).map((r) => r.channel));
      // 4 keyed channels into the counts + 2 forward channels into the sinks.
      expect(channels.size).toBe(6);
    }
  });
});

describe('stop-the-world (the seed’s synchronous snapshot)', () => {
  it('pauses and resumes the sources, sends no barriers, and the sources read nothing while paused', () => {
    const events: TraceEvent[] = [];
    const pausedOffsets = new Map<number, string>();
    let checked = 0;
    const job = buildJob('stop-the-world', BACKPRESSURE);
    const mc: MiniCluster = new MiniCluster(job, {
      seed: 3,
      trace: (e) => {
        events.push(e);
        if (e.type === 'sources-paused')
          pausedOffsets.set(e.checkpointId, JSON.stringify(mc.sourceOffsets()));
        if (e.type === 'sources-resumed') {
          expect(JSON.stringify(mc.sourceOffsets())).toBe(pausedOffsets.get(e.checkpointId));
          checked++;
        }
      },
    });
    mc.runToCompletion();
    const paused = ofType(events, 'sources-paused');
    const resumed = ofType(events, 'sources-resumed');
    expect(paused.length).toBeGreaterThan(2);
    expect(resumed.map((e) => e.checkpointId)).toEqual(paused.map((e) => e.checkpointId));
    expect(checked).toBe(resumed.length);
    for (let i = 0; i < paused.length; i++) expect(resumed[i].t).toBeGreaterThanOrEqual(paused[i].t);
    expect(ofType(events, 'barrier-injected')).toEqual([]);
    expect(ofType(events, 'barrier-sent')).toEqual([]);
    expect(ofType(events, 'channel-blocked')).toEqual([]);
    // Every task snapshots while the world is stopped.
    for (let i = 0; i < paused.length; i++) {
      const snaps = ofType(events, 'snapshot-taken').filter((s) => s.checkpointId === paused[i].checkpointId);
      expect(snaps).toHaveLength(6);
      for (const s of snaps) {
        expect(s.t).toBeGreaterThanOrEqual(paused[i].t);
        expect(s.t).toBeLessThanOrEqual(resumed[i].t);
      }
    }
    expect(mc.coordinator.history.every((s) => s.persistedInFlightBytes === 0)).toBe(true);
  });

  it('drains the pipeline before the snapshot: nothing is in flight when the tasks snapshot', () => {
    const { events } = run(buildJob('stop-the-world', BACKPRESSURE));
    const sent = ofType(events, 'record-sent');
    const processed = new Map(ofType(events, 'record-processed').map((e) => [e.id, e.t]));
    for (const p of ofType(events, 'sources-paused')) {
      const firstSnap = Math.min(
        ...ofType(events, 'snapshot-taken')
          .filter((s) => s.checkpointId === p.checkpointId)
          .map((s) => s.t),
      );
      // Every record sent before the snapshot was processed before it.
      for (const s of sent.filter((x) => x.t <= firstSnap))
        expect(processed.get(s.id) as number).toBeLessThanOrEqual(firstSnap);
    }
  });
});

describe('Chandy-Lamport markers', () => {
  it('record channel state (records > 0 in some run) and never block', () => {
    let withRecords = 0;
    for (const setup of [{}, BACKPRESSURE]) {
      const { mc, events } = run(buildJob('chandy-lamport', setup));
      expect(ofType(events, 'channel-blocked')).toEqual([]);
      expect(ofType(events, 'barrier-sent').every((b) => b.priority === false)).toBe(true);
      expect(mc.coordinator.counts.completed).toBeGreaterThan(0);
      withRecords += ofType(events, 'channel-state-recorded').filter((r) => r.records > 0).length;
      for (const r of ofType(events, 'channel-state-recorded'))
        expect(r.task.startsWith('count#')).toBe(true);
    }
    expect(withRecords).toBeGreaterThan(0);
  });

  it('snapshot at the first marker, then records the other channel until its marker', () => {
    const { mc, events } = run(buildJob('chandy-lamport', BACKPRESSURE));
    const received = ofType(events, 'barrier-received');
    for (const r of ofType(events, 'channel-state-recorded')) {
      const snap = ofType(events, 'snapshot-taken').find(
        (s) => s.task === r.task && s.checkpointId === r.checkpointId,
      );
      const markers = received.filter((x) => x.task === r.task && x.checkpointId === r.checkpointId);
      expect(snap).toBeDefined();
      expect((snap as Ev<'snapshot-taken'>).t).toBe(Math.min(...markers.map((m) => m.t)));
    }
    expect(mc.coordinator.history.some((s) => s.persistedInFlightBytes > 0)).toBe(true);
  });
});
