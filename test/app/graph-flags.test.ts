import { text } from '../../src/engine/messages/Message';
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/engine/index';
import {
  displayStatus,
  emptyFlags,
  heldFor,
  holdFor,
  latchFor,
  reduceEvents,
  reduceFrame,
  topology,
  type GraphFlags,
} from '../../src/app/components/graph/flags';
import {
  countInFlight,
  firstRecordIds,
  groupByChannel,
  placeChannel,
} from '../../src/app/components/graph/inflight';
import { keySlot, KEY_COLOUR_VARS } from '../../src/app/components/graph/palette';
import { IN_FLIGHT_KIND as K } from '../../src/worker/protocol';
import type { ChannelInfo } from '../../src/worker/protocol';

// a#0, a#1 -> b#0 (two inputs: alignment), b#0 -> c#0
const channels: ChannelInfo[] = [
  { id: 'a#0->b#0', from: 'a#0', to: 'b#0' },
  { id: 'a#1->b#0', from: 'a#1', to: 'b#0' },
  { id: 'b#0->c#0', from: 'b#0', to: 'c#0' },
];
const tasks = ['a#0', 'a#1', 'b#0', 'c#0'];
const aligned = topology(channels, 'exactly-once');
const unaligned = topology(channels, 'unaligned');

function run(events: TraceEvent[], topo = aligned, from?: GraphFlags) {
  return reduceEvents(from ?? emptyFlags(topo, tasks), events, topo);
}

describe('channel flags', () => {
  it('holds a channel for alignment between channel-blocked and channel-unblocked; the task is aligning', () => {
    const blocked = run([
      { type: 'barrier-received', t: 1, task: 'b#0', channel: 'a#0->b#0', checkpointId: 3 },
      { type: 'channel-blocked', t: 1, task: 'b#0', channel: 'a#0->b#0', checkpointId: 3 },
    ]);
    expect(blocked.channels['a#0->b#0'].blockedFor).toBe(3);
    expect(blocked.channels['a#1->b#0'].blockedFor).toBeNull();
    expect(blocked.tasks['b#0'].aligningFor).toBe(3);

    const done = run(
      [
        { type: 'alignment-completed', t: 5, task: 'b#0', checkpointId: 3, alignmentMs: 4 },
        { type: 'snapshot-taken', t: 5, task: 'b#0', checkpointId: 3, syncMs: 1, stateBytes: 10 },
        { type: 'channel-unblocked', t: 5, task: 'b#0', channel: 'a#0->b#0', checkpointId: 3 },
      ],
      aligned,
      blocked,
    );
    expect(done.channels['a#0->b#0'].blockedFor).toBeNull();
    expect(done.tasks['b#0'].aligningFor).toBeNull();
    // a short hold of a channel stays visible a moment
    expect(heldFor(done.channels['a#0->b#0'], 6, 100)).toBe(3);
    expect(heldFor(done.channels['a#0->b#0'], 200, 100)).toBeNull();
    // the reducer does not change its input
    expect(blocked.channels['a#0->b#0'].blockedFor).toBe(3);
  });

  it('an aborted alignment or a failed checkpoint ends the aligning', () => {
    const blocked = run([
      { type: 'channel-blocked', t: 1, task: 'b#0', channel: 'a#0->b#0', checkpointId: 3 },
    ]);
    const aborted = run(
      [{ type: 'alignment-aborted', t: 2, task: 'b#0', checkpointId: 3, byCheckpointId: 4 }],
      aligned,
      blocked,
    );
    expect(aborted.tasks['b#0'].aligningFor).toBeNull();
    const failed = run(
      [{ type: 'checkpoint-failed', t: 2, checkpointId: 3, reason: text('timeout') }],
      aligned,
      blocked,
    );
    expect(failed.tasks['b#0'].aligningFor).toBeNull();
    expect(failed.channels['a#0->b#0'].blockedFor).toBeNull();
  });

  it('tracks backpressure from events, corrected by the queued elements at the end of the frame', () => {
    const bp = run([{ type: 'backpressure', t: 1, task: 'b#0', channel: 'b#0->c#0', blocked: true }]);
    expect(bp.channels['b#0->c#0'].backpressured).toBe(true);
    // A frame that still has a queued record on channel 2 keeps it; one without clears it.
    const queued = new Float64Array([2, NaN, NaN, K.queuedRecord, 7, 1]);
    const kept = reduceFrame(bp, { now: 2, events: [], inFlight: queued }, aligned, tasks);
    expect(kept.channels['b#0->c#0'].backpressured).toBe(true);
    const cleared = reduceFrame(kept, { now: 3, events: [], inFlight: new Float64Array(0) }, aligned, tasks);
    expect(cleared.channels['b#0->c#0'].backpressured).toBe(false);
    // Dropped events (over the per-frame cap): the queued elements alone flag the channel.
    const fromQueue = reduceFrame(
      emptyFlags(aligned, tasks),
      { now: 1, events: [], inFlight: queued },
      aligned,
      tasks,
    );
    expect(fromQueue.channels['b#0->c#0'].backpressured).toBe(true);
  });

  it('unaligned: records on inputs whose barrier has not come are recorded until channel-state-recorded', () => {
    const f = run(
      [
        { type: 'barrier-received', t: 1, task: 'b#0', channel: 'a#0->b#0', checkpointId: 2 },
        { type: 'snapshot-taken', t: 1, task: 'b#0', checkpointId: 2, syncMs: 1, stateBytes: 10 },
      ],
      unaligned,
    );
    expect(f.channels['a#0->b#0'].recordingFor).toBeNull(); // the trigger channel
    expect(f.channels['a#1->b#0'].recordingFor).toBe(2);
    const g = run(
      [
        {
          type: 'channel-state-recorded',
          t: 4,
          task: 'b#0',
          channel: 'a#1->b#0',
          checkpointId: 2,
          records: 5,
        },
      ],
      unaligned,
      f,
    );
    expect(g.channels['a#1->b#0'].recordingFor).toBeNull();
    expect(g.channels['a#1->b#0'].recorded).toEqual({ checkpointId: 2, records: 5, t: 4 });
    // aligned modes never record channel state
    const a = run([{ type: 'snapshot-taken', t: 1, task: 'b#0', checkpointId: 2, syncMs: 1, stateBytes: 1 }]);
    expect(a.channels['a#1->b#0'].recordingFor).toBeNull();
  });

  it('a failed task loses its channels: nothing held, queued or recorded on them any more', () => {
    const busy = run(
      [
        { type: 'channel-blocked', t: 1, task: 'b#0', channel: 'a#0->b#0', checkpointId: 3 },
        { type: 'backpressure', t: 1, task: 'b#0', channel: 'b#0->c#0', blocked: true },
      ],
      aligned,
    );
    const failed = run(
      [
        { type: 'task-failed', t: 2, task: 'b#0', reason: text('boom') },
        { type: 'task-status', t: 2, task: 'b#0', status: 'FAILED' },
        { type: 'task-status', t: 2, task: 'b#0', status: 'RESTARTING' },
        { type: 'task-status', t: 2, task: 'a#0', status: 'RESTARTING' },
      ],
      aligned,
      busy,
    );
    expect(failed.channels['a#0->b#0'].blockedFor).toBeNull();
    expect(failed.channels['b#0->c#0'].backpressured).toBe(false);
    expect(failed.tasks['b#0'].aligningFor).toBeNull();
  });

  it('shows exactly the engine statuses and checkpoint phases, and a finished job', () => {
    expect(displayStatus('FINISHED', null)).toBe('finished');
    expect(displayStatus('FAILED', null)).toBe('failed');
    expect(displayStatus('CANCELED', null)).toBe('canceled');
    expect(displayStatus('RESTARTING', null)).toBe('restarting');
    expect(displayStatus('RUNNING', null)).toBe('running');
    expect(displayStatus(undefined, undefined)).toBe('running');
    expect(displayStatus('RUNNING', null, true)).toBe('finished');
    expect(displayStatus('RUNNING', { phase: 'aligning', checkpointId: 3 })).toBe('aligning');
    expect(displayStatus('RUNNING', { phase: 'snapshotting', checkpointId: 3 })).toBe('snapshotting');
    // a phase never hides a status that is not RUNNING
    expect(displayStatus('RESTARTING', { phase: 'snapshotting', checkpointId: 3 })).toBe('restarting');
  });

  it('starts over when the timeline goes back', () => {
    const blocked = reduceFrame(
      emptyFlags(aligned, tasks),
      {
        now: 10,
        events: [{ type: 'channel-blocked', t: 9, task: 'b#0', channel: 'a#0->b#0', checkpointId: 3 }],
        inFlight: new Float64Array(0),
      },
      aligned,
      tasks,
    );
    expect(blocked.channels['a#0->b#0'].blockedFor).toBe(3);
    const back = reduceFrame(blocked, { now: 5, events: [], inFlight: new Float64Array(0) }, aligned, tasks);
    expect(back.channels['a#0->b#0'].blockedFor).toBeNull();
    expect(back.now).toBe(5);
  });

  it('keeps momentary statuses short when fast-forwarding', () => {
    expect(holdFor(1000, 1000)).toBe(400);
    expect(holdFor(20000, 1000)).toBe(400);
    expect(holdFor(100, 1000)).toBe(100);
    expect(holdFor(1000, null)).toBe(500);
    expect(latchFor(1000, 400)).toBe(150);
    expect(latchFor(100, 100)).toBe(15);
  });
});

describe('elements in flight', () => {
  // channel, send, arrive, kind, tag, id
  // prettier-ignore
  const data = new Float64Array([
    0, 0, 10, K.record, 11, 1,
    0, 0, 10, K.record, 12, 2,
    0, 5, 15, K.barrier, 4, 3,
    0, 8, 18, K.record, 13, 4,
    0, NaN, NaN, K.queuedRecord, 14, 5,
    0, NaN, NaN, K.queuedRecord, 15, 6,
    1, 0, 10, K.priorityBarrier, 4, 7,
    1, 0, 10, K.watermark, 1000, 8,
  ]);

  it('counts records and barriers (queued ones included)', () => {
    expect(countInFlight(data)).toEqual({ records: 5, barriers: 2, watermarks: 1, queued: 2 });
    expect(countInFlight(null)).toEqual({ records: 0, barriers: 0, watermarks: 0, queued: 0 });
  });

  it('moves elements by (now - sent) / (arrival - sent), piles arrived ones at the receiver and buffered ones at the sender', () => {
    const groups = groupByChannel(data, 2);
    expect(groups[0]).toHaveLength(6);
    const o = { length: 100, spacing: 10, pad: 5, recordingFor: null };
    const p = placeChannel(data, groups[0], 10, o);
    // two records arrived: the head at the end, the next one stacked behind it
    expect(p[0].s).toBe(95);
    expect(p[1].s).toBe(85);
    // the barrier is half way (90 * 0.5 + 5 = 50)
    expect(p[2].s).toBe(50);
    // a record at 20% of its way
    expect(p[3].s).toBeCloseTo(5 + 90 * 0.2);
    // buffered records at the start, one after the other
    expect(p[4].s).toBe(5);
    expect(p[5].s).toBe(15);
    // a priority barrier moves freely
    const q = placeChannel(data, groups[1], 5, o);
    expect(q[0].s).toBe(50);
  });

  it('rings records ahead of the barrier of the checkpoint being recorded', () => {
    const groups = groupByChannel(data, 2);
    const p = placeChannel(data, groups[0], 10, { length: 100, spacing: 10, pad: 5, recordingFor: 4 });
    expect(p.map((x) => x.recording)).toEqual([true, true, false, false, false, false]);
    expect([...firstRecordIds(data, groups[0], 1)]).toEqual([1]);
  });
});

describe('key colours', () => {
  it('gives every key a palette slot, the same one for the same key, and none without a key', () => {
    const slots = new Set<number>();
    for (let h = -500; h < 500; h += 7) {
      const s = keySlot(h);
      expect(s).toBe(keySlot(h));
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThan(KEY_COLOUR_VARS.length);
      slots.add(s);
    }
    expect(slots.size).toBe(KEY_COLOUR_VARS.length);
    expect(keySlot(NaN)).toBe(-1);
  });
});
