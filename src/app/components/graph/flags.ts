/**
 * What the graph shows beyond positions, derived from the trace events of each frame: which channels
 * are held for barrier alignment, backpressured or having their in-flight records persisted as
 * channel state. A pure reducer: (flags, frame) -> flags, reset when a new job is loaded or the
 * timeline goes back. A subtask's badge is not derived from events: `displayStatus` shows the
 * engine's own status and checkpoint phase.
 */
import type { TraceEvent } from '../../../engine/index';
import {
  IN_FLIGHT_KIND,
  IN_FLIGHT_STRIDE,
  type ChannelInfo,
  type TaskCheckpointPhase,
} from '../../../worker/protocol';
import type { DisplayStatus } from './palette';

export interface ChannelFlags {
  /** Exactly-once alignment: the checkpoint this channel is held for (its records wait), or null. */
  blockedFor: number | null;
  /** The last hold: its checkpoint and when it was released (-Infinity: never held). */
  lastHeldFor: number | null;
  releasedAt: number;
  /** The sender has no credit for this channel: its output buffer fills (backpressure). */
  backpressured: boolean;
  /** Unaligned / Chandy–Lamport: the checkpoint whose channel state is being recorded here, or null. */
  recordingFor: number | null;
  /** The last channel state persisted from this channel. */
  recorded: { checkpointId: number; records: number; t: number } | null;
  /** Highest checkpoint whose barrier the receiver has read from this channel (-1: none). */
  lastBarrier: number;
}

export interface TaskTrack {
  /** Between the first 'channel-blocked' and 'alignment-completed' / 'alignment-aborted'. */
  aligningFor: number | null;
  /** The last alignment: its checkpoint and when it ended. */
  lastAlignedFor: number | null;
  alignedAt: number;
  /** Virtual times of the latest such events (-Infinity: never). */
  snapshotAt: number;
  restoredAt: number;
  failedAt: number;
}

export interface GraphFlags {
  channels: Record<string, ChannelFlags>;
  tasks: Record<string, TaskTrack>;
  /** Virtual time of the last frame reduced (a frame earlier than this is a replay from the start). */
  now: number;
}

export interface Topology {
  channels: readonly ChannelInfo[];
  inputs: ReadonlyMap<string, readonly string[]>;
  outputs: ReadonlyMap<string, readonly string[]>;
  /** The mode persists in-flight records as channel state (unaligned, chandy-lamport). */
  recordsChannelState: boolean;
}

export function topology(channels: readonly ChannelInfo[], mode: string): Topology {
  const inputs = new Map<string, string[]>();
  const outputs = new Map<string, string[]>();
  for (const c of channels) {
    (inputs.get(c.to) ?? inputs.set(c.to, []).get(c.to))?.push(c.id);
    (outputs.get(c.from) ?? outputs.set(c.from, []).get(c.from))?.push(c.id);
  }
  return {
    channels,
    inputs,
    outputs,
    recordsChannelState: mode === 'unaligned' || mode === 'chandy-lamport',
  };
}

const freshChannel = (): ChannelFlags => ({
  blockedFor: null,
  lastHeldFor: null,
  releasedAt: -Infinity,
  backpressured: false,
  recordingFor: null,
  recorded: null,
  lastBarrier: -1,
});

const freshTask = (): TaskTrack => ({
  aligningFor: null,
  lastAlignedFor: null,
  alignedAt: -Infinity,
  snapshotAt: -Infinity,
  restoredAt: -Infinity,
  failedAt: -Infinity,
});

export function emptyFlags(topo: Topology, taskIds: readonly string[]): GraphFlags {
  const channels: Record<string, ChannelFlags> = {};
  for (const c of topo.channels) channels[c.id] = freshChannel();
  const tasks: Record<string, TaskTrack> = {};
  for (const id of taskIds) tasks[id] = freshTask();
  return { channels, tasks, now: -Infinity };
}

function release(f: ChannelFlags, t: number): void {
  if (f.blockedFor === null) return;
  f.lastHeldFor = f.blockedFor;
  f.releasedAt = t;
  f.blockedFor = null;
}

function endAlignment(task: TaskTrack, t: number): void {
  if (task.aligningFor === null) return;
  task.lastAlignedFor = task.aligningFor;
  task.alignedAt = t;
  task.aligningFor = null;
}

/**
 * The checkpoint a channel is shown held for: held now, or released less than `holdMs` ago (an
 * alignment often lasts less than one animation frame; the learner should still see it happen).
 */
export function heldFor(f: ChannelFlags | undefined, now: number, holdMs: number): number | null {
  if (!f) return null;
  if (f.blockedFor !== null) return f.blockedFor;
  return now - f.releasedAt <= holdMs ? f.lastHeldFor : null;
}

function copy(flags: GraphFlags): GraphFlags {
  const channels: Record<string, ChannelFlags> = {};
  for (const [id, c] of Object.entries(flags.channels)) channels[id] = { ...c };
  const tasks: Record<string, TaskTrack> = {};
  for (const [id, t] of Object.entries(flags.tasks)) tasks[id] = { ...t };
  return { channels, tasks, now: flags.now };
}

/** Applies a frame's events (a new object; `flags` is not changed). */
export function reduceEvents(flags: GraphFlags, events: readonly TraceEvent[], topo: Topology): GraphFlags {
  const next = copy(flags);
  const ch = (id: string) => (next.channels[id] ??= freshChannel());
  const task = (id: string) => (next.tasks[id] ??= freshTask());
  // A task that stops (failed, cancelled, restarting) loses its in-flight data in and out: the engine
  // discards those channels, so nothing on them is held, queued or being recorded any more.
  const resetTask = (id: string) => {
    Object.assign(task(id), { aligningFor: null, lastAlignedFor: null, alignedAt: -Infinity });
    for (const c of [...(topo.inputs.get(id) ?? []), ...(topo.outputs.get(id) ?? [])]) {
      const f = ch(c);
      Object.assign(f, { blockedFor: null, lastHeldFor: null, releasedAt: -Infinity });
      f.backpressured = false;
      f.recordingFor = null;
    }
  };
  for (const e of events) {
    switch (e.type) {
      case 'channel-blocked':
        ch(e.channel).blockedFor = e.checkpointId;
        if (task(e.task).aligningFor === null) task(e.task).aligningFor = e.checkpointId;
        break;
      case 'channel-unblocked':
        release(ch(e.channel), e.t);
        break;
      case 'alignment-completed':
      case 'alignment-aborted':
        endAlignment(task(e.task), e.t);
        break;
      case 'backpressure':
        ch(e.channel).backpressured = e.blocked;
        break;
      case 'barrier-received': {
        const f = ch(e.channel);
        f.lastBarrier = Math.max(f.lastBarrier, e.checkpointId);
        if (f.recordingFor !== null && e.checkpointId >= f.recordingFor) f.recordingFor = null;
        break;
      }
      case 'barrier-arrived': {
        const f = ch(e.channel);
        if (f.recordingFor !== null && e.checkpointId >= f.recordingFor) f.recordingFor = null;
        break;
      }
      case 'snapshot-taken':
        task(e.task).snapshotAt = e.t;
        // Channel state: records on every input whose barrier has not been read yet are being
        // persisted until it arrives (the engine reports the end: 'channel-state-recorded').
        if (topo.recordsChannelState)
          for (const id of topo.inputs.get(e.task) ?? []) {
            const f = ch(id);
            if (f.lastBarrier < e.checkpointId && f.recorded?.checkpointId !== e.checkpointId)
              f.recordingFor = e.checkpointId;
          }
        break;
      case 'channel-state-recorded': {
        const f = ch(e.channel);
        f.recorded = { checkpointId: e.checkpointId, records: e.records, t: e.t };
        if (f.recordingFor !== null && f.recordingFor <= e.checkpointId) f.recordingFor = null;
        break;
      }
      case 'checkpoint-completed':
      case 'checkpoint-failed':
        for (const f of Object.values(next.channels)) {
          if (f.recordingFor === e.checkpointId) f.recordingFor = null;
          if (f.blockedFor === e.checkpointId) release(f, e.t);
        }
        for (const t of Object.values(next.tasks)) if (t.aligningFor === e.checkpointId) endAlignment(t, e.t);
        break;
      case 'task-failed':
        task(e.task).failedAt = e.t;
        resetTask(e.task);
        break;
      case 'task-status':
        if (e.status !== 'RUNNING') resetTask(e.task);
        break;
      case 'task-restored':
        task(e.task).restoredAt = e.t;
        break;
      case 'engine-crashed':
      case 'engine-recovered':
        for (const id of Object.keys(next.tasks)) resetTask(id);
        break;
    }
  }
  return next;
}

/**
 * Corrects the backpressure flags with the frame's elements in flight: a channel with records in
 * its sender's output buffer is backpressured, one without is not. (Record-level events beyond the
 * per-frame cap are dropped, so the end-of-frame snapshot is the authority.)
 */
export function settleBackpressure(flags: GraphFlags, inFlight: Float64Array, topo: Topology): GraphFlags {
  const queued = new Uint32Array(topo.channels.length);
  for (let i = 0; i + IN_FLIGHT_STRIDE <= inFlight.length; i += IN_FLIGHT_STRIDE) {
    const kind = inFlight[i + 3];
    if (kind === IN_FLIGHT_KIND.queuedRecord || kind === IN_FLIGHT_KIND.queuedBarrier) queued[inFlight[i]]++;
  }
  topo.channels.forEach((c, i) => {
    const f = flags.channels[c.id];
    if (f) f.backpressured = queued[i] > 0;
  });
  return flags;
}

/** One frame: a replay that went back in time (timeline scrub) starts over from empty flags. */
export function reduceFrame(
  flags: GraphFlags,
  frame: { now: number; events: readonly TraceEvent[]; inFlight: Float64Array },
  topo: Topology,
  taskIds: readonly string[],
): GraphFlags {
  const base = frame.now < flags.now ? emptyFlags(topo, taskIds) : flags;
  const next = settleBackpressure(reduceEvents(base, frame.events, topo), frame.inFlight, topo);
  next.now = frame.now;
  return next;
}

/**
 * What a subtask box and its ARIA label show: exactly the engine's task status and, while RUNNING,
 * the task's checkpoint phase as the engine has it at the end of the frame (`FrameUpdate.taskPhases`,
 * read from the engine's state by the worker). Nothing is held or latched here: a badge says
 * "snapshot" only while the engine has a snapshot of that task in progress.
 */
export function displayStatus(
  engineStatus: string | undefined,
  phase: TaskCheckpointPhase | null | undefined,
  jobFinished = false,
): DisplayStatus {
  // All input processed and committed: the engine keeps its tasks RUNNING, the learner sees them done.
  if (jobFinished && engineStatus === 'RUNNING') return 'finished';
  switch (engineStatus) {
    case 'FINISHED':
      return 'finished';
    case 'FAILED':
      return 'failed';
    case 'CANCELED':
      return 'canceled';
    case 'SCHEDULED':
      return 'scheduled';
    case 'RESTARTING':
    case 'CREATED':
      return 'restarting';
  }
  if (phase?.phase === 'aligning') return 'aligning';
  if (phase?.phase === 'snapshotting') return 'snapshotting';
  return 'running';
}

/**
 * How long a momentary channel mark (channel state just persisted) stays visible, in virtual ms: about
 * half a real second at the current speed, but less than half the checkpoint interval.
 */
export function holdFor(speed: number, checkpointIntervalMs?: number | null): number {
  const cap =
    checkpointIntervalMs && checkpointIntervalMs > 0 ? Math.min(5000, checkpointIntervalMs * 0.4) : 5000;
  return Math.max(Math.min(100, cap), Math.min(cap, speed * 0.5));
}

/**
 * How long an alignment that already ended (a held channel, an aligning subtask) stays visible: a few
 * animation frames (~150 ms real), so that one shorter than a frame is still seen, not longer.
 */
export function latchFor(speed: number, holdMs: number): number {
  return Math.min(holdMs / 2, speed * 0.15);
}
