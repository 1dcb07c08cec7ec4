/**
 * Reading FrameUpdate.inFlight (IN_FLIGHT_STRIDE numbers per element, see protocol.ts): counts for
 * the text summary, and where each element is drawn along its channel. Pure, so that the canvas only
 * has to paint.
 */
import { IN_FLIGHT_KIND, IN_FLIGHT_STRIDE } from '../../../worker/protocol';
import { progress } from './geometry';

export interface InFlightCounts {
  records: number;
  barriers: number;
  watermarks: number;
  /** Elements waiting in the senders' output buffers. */
  queued: number;
}

export function countInFlight(inFlight: Float64Array | null | undefined): InFlightCounts {
  const out: InFlightCounts = { records: 0, barriers: 0, watermarks: 0, queued: 0 };
  if (!inFlight) return out;
  for (let i = 0; i + IN_FLIGHT_STRIDE <= inFlight.length; i += IN_FLIGHT_STRIDE) {
    const kind = inFlight[i + 3];
    if (kind === IN_FLIGHT_KIND.record || kind === IN_FLIGHT_KIND.queuedRecord) out.records++;
    else if (
      kind === IN_FLIGHT_KIND.barrier ||
      kind === IN_FLIGHT_KIND.priorityBarrier ||
      kind === IN_FLIGHT_KIND.queuedBarrier ||
      kind === IN_FLIGHT_KIND.cancelBarrier ||
      kind === IN_FLIGHT_KIND.queuedCancelBarrier
    )
      out.barriers++;
    else out.watermarks++;
    if (
      kind === IN_FLIGHT_KIND.queuedRecord ||
      kind === IN_FLIGHT_KIND.queuedBarrier ||
      kind === IN_FLIGHT_KIND.queuedCancelBarrier ||
      kind === IN_FLIGHT_KIND.queuedWatermark
    )
      out.queued++;
  }
  return out;
}

export function isQueued(kind: number): boolean {
  return (
    kind === IN_FLIGHT_KIND.queuedRecord ||
    kind === IN_FLIGHT_KIND.queuedBarrier ||
    kind === IN_FLIGHT_KIND.queuedCancelBarrier ||
    kind === IN_FLIGHT_KIND.queuedWatermark
  );
}

export function isRecord(kind: number): boolean {
  return kind === IN_FLIGHT_KIND.record || kind === IN_FLIGHT_KIND.queuedRecord;
}

/** Element offsets (into inFlight) per channel index, in the frame's order: the channel's queue from its head, then the sender's buffer. */
export function groupByChannel(inFlight: Float64Array, channels: number): number[][] {
  const groups: number[][] = Array.from({ length: channels }, () => []);
  for (let i = 0; i + IN_FLIGHT_STRIDE <= inFlight.length; i += IN_FLIGHT_STRIDE) {
    const ch = inFlight[i];
    if (ch >= 0 && ch < channels) groups[ch].push(i);
  }
  return groups;
}

export interface Placement {
  /** Offset of the element in inFlight. */
  at: number;
  /** Arc length along the channel where it is drawn. */
  s: number;
  /** Drawn as being saved into channel state (unaligned checkpoint in progress). */
  recording: boolean;
}

export interface PlaceOptions {
  /** Arc length of the channel. */
  length: number;
  /** Distance between two elements stacked in a queue. */
  spacing: number;
  /** Keep the stacks this far from the boxes at both ends. */
  pad: number;
  /** Records ahead of this checkpoint's barrier are being recorded as channel state (null: none). */
  recordingFor: number | null;
}

/**
 * Where the elements of one channel go at virtual time `now`. In-channel elements move at
 * (now − sent)/(arrival − sent) of the way but queue up behind each other: the ones that arrived and
 * wait for the receiver (busy, or the channel held for alignment) pile up at the receiver's end.
 * Priority barriers (unaligned) overtake: they move freely. Elements still in the sender's output
 * buffer (NaN send time: backpressure) pile up at the start.
 */
export function placeChannel(
  inFlight: Float64Array,
  offsets: readonly number[],
  now: number,
  o: PlaceOptions,
  out: Placement[] = [],
): Placement[] {
  out.length = 0;
  const end = Math.max(o.pad, o.length - o.pad);
  let limit = end;
  let beforeBarrier = o.recordingFor !== null;
  let queuedIndex = 0;
  // Buffered elements take at most the first third of the channel; beyond that they overlap.
  const bufferSpan = Math.max(0, o.length / 3 - o.pad);
  for (const at of offsets) {
    const kind = inFlight[at + 3];
    if (isQueued(kind)) {
      const s = o.pad + Math.min(queuedIndex * o.spacing, bufferSpan);
      queuedIndex++;
      out.push({ at, s, recording: false });
      continue;
    }
    const f = progress(now, inFlight[at + 1], inFlight[at + 2]);
    if (kind === IN_FLIGHT_KIND.priorityBarrier) {
      out.push({ at, s: o.pad + f * (end - o.pad), recording: false });
      continue;
    }
    if (kind === IN_FLIGHT_KIND.barrier && o.recordingFor !== null && inFlight[at + 4] >= o.recordingFor)
      beforeBarrier = false;
    const s = Math.max(o.pad, Math.min(o.pad + f * (end - o.pad), limit));
    limit = s - o.spacing;
    out.push({ at, s, recording: beforeBarrier && kind === IN_FLIGHT_KIND.record });
  }
  return out;
}

/** Ids of the first `n` in-channel records (from the head) of one channel's elements. */
export function firstRecordIds(inFlight: Float64Array, offsets: readonly number[], n: number): Set<number> {
  const ids = new Set<number>();
  for (const at of offsets) {
    if (ids.size >= n) break;
    if (inFlight[at + 3] === IN_FLIGHT_KIND.record) ids.add(inFlight[at + 5]);
  }
  return ids;
}
