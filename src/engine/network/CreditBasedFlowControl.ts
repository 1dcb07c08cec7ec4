/**
 * The network between subtasks with Flink's credit-based flow control (FLIP / Flink 1.5+:
 * CreditBasedSequenceNumberingViewReader on the sender, RemoteInputChannel announcing credit on the
 * receiver).
 *
 * - A sender may have at most `channelCapacity` records on a channel whose credit has not come back;
 *   a credit returns one (minimum) channel latency after the receiver consumed the record.
 * - Without credit, records wait in the sender's output buffer (the channel's `backlog`, Flink's
 *   ResultSubpartition) and the sender stops processing: **backpressure**, propagating upstream.
 * - Credit is judged as of the moment the work that produced a record started, so batched
 *   (fast-forward) and one-at-a-time execution see the same credits.
 * - Each element's latency is drawn from its channel's own seeded random stream; a channel is FIFO.
 *
 * Watermarks need no credit; barriers go out through here too and are handed to the task-side
 * checkpointing as they leave (SubtaskCheckpointCoordinator.onBarrierSent).
 */
import type { ClusterRuntime } from '../runtime/ClusterRuntime';
import {
  BARRIER,
  CANCEL_BARRIER,
  END_OF_PARTITION,
  RECORD,
  WATERMARK,
  type StreamElement,
} from '../runtime/StreamElement';
import type { StreamTask } from '../tasks/StreamTask';
import type { Channel } from './Channel';

export class CreditBasedFlowControl {
  constructor(private readonly rt: ClusterRuntime) {}

  /** Sends an element, or queues it in the sender's output buffer when the channel has no credit. */
  send(channel: Channel, el: StreamElement, t: number): void {
    const loop = this.rt.loop;
    if (el.kind === RECORD) loop.recordsInFlight++;
    if (
      channel.backlog.length > 0 ||
      // Credit is judged at the start of the work that produced the record: every credit that can have
      // arrived by then is known, in batched and one-at-a-time execution alike.
      (el.kind === RECORD &&
        !channel.hasCredit(channel.from.workStartedAt, this.rt.job.costs.channelCapacity))
    ) {
      if (channel.backlog.length === 0) {
        // Backpressured from now on: the sender's activity clock (idleness) stands still.
        if (channel.from.backloggedChannels++ === 0) channel.from.inputActivityClock.pause(t);
        this.wakeOnNextCredit(channel);
        if (loop.recordTrace)
          loop.emit({ type: 'backpressure', t, task: channel.from.id, channel: channel.id, blocked: true });
      }
      channel.backlog.push(el);
      return;
    }
    this.transmit(channel, el, t);
  }

  /** Puts an element on the wire now (no credit check): it arrives one channel latency later. */
  transmit(channel: Channel, el: StreamElement, t: number): void {
    const loop = this.rt.loop;
    const costs = this.rt.job.costs;
    const latency =
      costs.channelLatencyMinMs +
      channel.rng.next() * (costs.channelLatencyMaxMs - costs.channelLatencyMinMs);
    const arrival = Math.max(t + latency, channel.lastArrival);
    channel.lastArrival = arrival;
    el.arrival = arrival;
    channel.queue.push(el);
    if (el.kind === RECORD) {
      channel.records++;
      channel.outstanding++;
      if (channel.recording !== null) channel.recording.records.push({ value: el.value, ts: el.ts });
      if (loop.recordTrace) {
        loop.emit({
          type: 'record-sent',
          t,
          id: el.id,
          channel: channel.id,
          key: el.key,
          value: el.value,
          arriveAt: arrival,
        });
        loop.control.push(arrival, {
          kind: 'trace',
          event: { type: 'record-arrived', t: arrival, id: el.id, channel: channel.id },
        });
      }
    } else if (el.kind === WATERMARK) {
      // Watermarks travel in line with records but need no credit.
    } else if (el.kind === BARRIER) {
      this.rt.subtaskCheckpoints.onBarrierSent(channel, el, arrival, t);
    } else if (el.kind === CANCEL_BARRIER) {
      this.rt.subtaskCheckpoints.onCancelMarkerSent(channel, el, arrival, t);
    } else if (el.kind === END_OF_PARTITION && channel.recording !== null) {
      // The sender finished without a barrier: the channel's recorded state is complete.
      this.rt.subtaskCheckpoints.onEndOfPartitionSent(channel, arrival);
    } // EndOfData / EndOfPartition: in line, no credit
    const to = channel.to;
    if (to.status === 'RUNNING') loop.scheduleWake(to, Math.max(arrival, to.busyUntil));
  }

  /** The receiver took a record: its credit travels back to the sender, who may then send more. */
  consumeCredit(channel: Channel, t: number): void {
    channel.records--;
    this.rt.loop.recordsInFlight--;
    const creditAt = t + this.rt.job.costs.channelLatencyMinMs;
    channel.creditReturns.push(creditAt);
    // The sender drains its output buffer when it wakes up at the credit's arrival.
    if (channel.backlog.length > 0 && channel.from.status === 'RUNNING')
      this.rt.loop.scheduleWake(channel.from, creditAt);
  }

  /** A credit already on its way wakes the blocked sender when it arrives. */
  private wakeOnNextCredit(channel: Channel): void {
    const next = channel.creditReturns.peek();
    if (next !== undefined && channel.from.status === 'RUNNING')
      this.rt.loop.scheduleWake(channel.from, next);
  }

  /** Sends what the channel's credit allows from the sender's output buffer; unblocks the sender when empty. */
  drainBacklog(channel: Channel, t: number): void {
    const loop = this.rt.loop;
    const backlog = channel.backlog;
    const capacity = this.rt.job.costs.channelCapacity;
    while (backlog.length > 0) {
      const head = backlog.peek() as StreamElement;
      if (head.kind === RECORD && !channel.hasCredit(t, capacity)) break;
      backlog.shift();
      this.transmit(channel, head, t);
    }
    if (backlog.length > 0) {
      this.wakeOnNextCredit(channel);
    } else {
      const from = channel.from;
      if (--from.backloggedChannels === 0) from.inputActivityClock.resume(t);
      if (loop.recordTrace)
        loop.emit({ type: 'backpressure', t, task: from.id, channel: channel.id, blocked: false });
      if (from.backloggedChannels === 0 && from.status === 'RUNNING')
        loop.scheduleWake(from, Math.max(t, from.busyUntil));
    }
  }

  /** A backpressured task drains every output buffer it can before doing new work. */
  drainBacklogs(task: StreamTask, t: number): void {
    for (const gate of task.outputs)
      for (const ch of gate.channels) if (ch.backlog.length > 0) this.drainBacklog(ch, t);
  }

  /** Cancelling a task discards its in-flight data, in both directions. */
  discardChannel(ch: Channel): void {
    let n = ch.records;
    ch.backlog.toArray().forEach((e) => {
      if (e.kind === RECORD) n++;
    });
    this.rt.loop.recordsInFlight -= n;
    if (ch.backlog.length > 0 && ch.from.backloggedChannels > 0) ch.from.backloggedChannels--;
    ch.clear();
  }
}
