/**
 * What a task does when it wakes up: Flink's mailbox loop (`StreamTask.processInput`) with its
 * StreamInputProcessor — read the next element from the input gate and hand it to the operator chain.
 *
 * - A backpressured task first drains its output buffers as far as credit allows, and does nothing
 *   else while any is still full.
 * - A source (SourceStreamTask) emits one record every `processingTimeMs` and is idle in between.
 * - Any other task takes the input element that arrived first over its unblocked channels (ties: the
 *   lower channel index), spends the head operator's `processingTimeMs` on a record, and emits its
 *   outputs at the end; operators chained to it take theirs in turn (`OperatorChain.pushToOperator`). Watermarks go to the StatusWatermarkValve, barriers to the barrier handler.
 *
 * Fast-forward: a woken task keeps processing up to a horizon = min(now + lookahead, next control
 * event, runUntil's bound). Nothing sent by anyone after `now` can reach it earlier, so it sees exactly
 * the input it would see one event at a time.
 */
import type { Key } from '../keygroups/hashCode';
import { isPoison } from '../connectors/ReplayableLog';
import type { Channel } from '../network/Channel';
import type { ClusterRuntime } from '../runtime/ClusterRuntime';
import { SourceOperator } from '../runtime/operators';
import { isUnrecoverableError } from '../failover/SuppressRestartsException';
import {
  CANCEL_BARRIER,
  END_OF_DATA,
  END_OF_PARTITION,
  RECORD,
  WATERMARK,
  type StreamElement,
  type StreamRecord,
} from '../runtime/StreamElement';
import type { StreamTask } from './StreamTask';
import { failedOperator } from './OperatorChain';
import { EngineError, messageOf, msg } from '../messages/Message';

/** How often a source at the end of its log looks for new records. */
const SOURCE_POLL_INTERVAL_MS = 100;

export class StreamInputProcessor {
  /**
   * When the task is done with the record `processRecord` just ran (a field, not a return value: a
   * double returned or passed to a call that is not inlined is boxed, one allocation per record).
   */
  private recordDone = 0;

  constructor(private readonly rt: ClusterRuntime) {}

  processInput(task: StreamTask): void {
    if (task.status !== 'RUNNING') return;
    const rt = this.rt;
    const loop = rt.loop;
    const network = rt.network;
    const now = loop.now;
    let t = Math.max(now, task.busyUntil);
    if (t > now) {
      loop.scheduleWake(task, t);
      return;
    }
    if (task.backloggedChannels > 0) network.drainBacklogs(task, t);
    // Waiting to finish (FLIP-147) only for its output buffers to drain?
    if (task.endOfInput && task.backloggedChannels === 0) rt.endOfInput.maybeFinish(task, t);
    const horizon =
      loop.lookahead > 0
        ? Math.min(now + loop.lookahead, loop.control.peekTime(), loop.runLimit + 1e-9)
        : now;
    const pt = task.vertex.processingTimeMs;
    const isSource = task.operator instanceof SourceOperator;
    const isSink = task.vertex.spec.kind === 'sink';
    let processed = 0;
    let sticky: Channel | null = null;
    let limitArrival = Infinity;
    let limitIndex = Infinity;
    for (;;) {
      if (task.status !== 'RUNNING' || task.backloggedChannels > 0) break;
      if (processed > 0 && t >= horizon) {
        loop.scheduleWake(task, t);
        break;
      }
      if (isSource) {
        if (rt.stopTheWorld.active || task.endOfInput) break;
        // A source emits one record every `pt` ms and is idle in between (it is not busy): an idle
        // status or a barrier can go out between two records.
        if (t < task.nextEmitAt) {
          if (task.nextEmitAt >= horizon) {
            loop.scheduleWake(task, task.nextEmitAt);
            break;
          }
          t = task.nextEmitAt;
        }
        task.clock = t;
        task.workStartedAt = t;
        task.currentTimestamp = null;
        loop.ingestTime = t;
        let emitted: boolean;
        try {
          emitted = (task.operator as SourceOperator).emitNext();
        } catch (e) {
          // e.g. a key selector that throws while partitioning the record, or a chained operator
          const failed = failedOperator(e, task.vertex);
          rt.scheduler.failTask(
            task,
            msg('task.threw', {
              operator: failed.vertex.name,
              task: task.id,
              error: messageOf(failed.error),
            }),
            false,
            isUnrecoverableError(failed.error),
          );
          break;
        }
        if (!emitted) {
          const source = task.operator as SourceOperator;
          // A bounded source's input ends here (FLIP-147); an unbounded one polls again later, as a
          // Kafka consumer does (records may be appended).
          if (source.reachedEnd()) rt.endOfInput.sourceReachedEnd(task, t);
          else loop.scheduleWake(task, t + SOURCE_POLL_INTERVAL_MS);
          break;
        }
        task.nextEmitAt = t + pt;
        if (t > loop.lastRecordTime) loop.lastRecordTime = t;
        // Operators chained to the source worked on the record: the task is busy until they are done.
        if (task.clock > t) {
          t = task.clock;
          if (t > task.nextEmitAt) task.nextEmitAt = t;
        }
        rt.metrics.sourceRecords++;
        processed++;
        continue;
      }
      // Pick the input element that arrived first (ties: lower channel index), skipping blocked channels.
      // Fast path: keep reading the channel chosen last while its head still beats every other head
      // (other queues cannot change during this call, except through a barrier, which resets it).
      let best: Channel | null = null;
      let bestArrival = Infinity;
      if (sticky !== null) {
        const head = sticky.queue.peek();
        if (
          head !== undefined &&
          (head.arrival < limitArrival || (head.arrival === limitArrival && sticky.inputIndex < limitIndex))
        ) {
          best = sticky;
          bestArrival = head.arrival;
        }
      }
      if (best === null) {
        limitArrival = Infinity;
        limitIndex = Infinity;
        const inputs = task.inputs;
        for (let i = 0; i < inputs.length; i++) {
          const ch = inputs[i];
          if (ch.blocked) continue;
          const head = ch.queue.peek();
          if (head === undefined) continue;
          if (head.arrival < bestArrival) {
            if (best !== null) {
              limitArrival = bestArrival;
              limitIndex = best.inputIndex;
            }
            best = ch;
            bestArrival = head.arrival;
          } else if (head.arrival < limitArrival) {
            limitArrival = head.arrival;
            limitIndex = i;
          }
        }
        sticky = best;
      }
      if (best === null) break;
      if (bestArrival > t) {
        loop.scheduleWake(task, bestArrival);
        break;
      }
      const el = best.queue.shift() as StreamElement;
      processed++;
      if (el.kind === RECORD) {
        network.consumeCredit(best, t);
        task.workStartedAt = t;
        task.clock = t + (task.vertex.processingTimeFn?.(t) ?? pt);
        this.processRecord(task, best, el);
        t = this.recordDone;
        if (isSink && task.status === 'RUNNING') rt.metrics.recordSink(el, t);
      } else if (el.kind === WATERMARK) {
        t = rt.watermarkValve.inputWatermark(task, best, el, t);
      } else if (el.kind === END_OF_DATA) {
        t = rt.endOfInput.onEndOfData(task, best, t);
      } else if (el.kind === END_OF_PARTITION) {
        sticky = null; // may complete an alignment (unblocks channels)
        t = rt.endOfInput.onEndOfPartition(task, best, t);
      } else if (el.kind === CANCEL_BARRIER) {
        sticky = null; // may end an alignment (unblocks channels)
        t = rt.subtaskCheckpoints.processCancellationBarrier(task, best, el, t);
      } else {
        sticky = null; // a barrier may block or unblock channels
        if (el.priority) continue; // unaligned: already handled when it arrived
        t = rt.subtaskCheckpoints.processBarrier(task, best, el, t);
      }
    }
    if (task.status === 'RUNNING') task.busyUntil = Math.max(task.busyUntil, t);
  }

  /**
   * Runs the operator on one record, which ends at `task.clock` (set by the caller); `recordDone` is
   * when the task is done with it (RocksDB-like: + (de)serialization).
   */
  private processRecord(task: StreamTask, channel: Channel, record: StreamRecord): void {
    const loop = this.rt.loop;
    const end = task.clock;
    task.currentTimestamp = record.ts;
    loop.ingestTime = record.ingest;
    loop.recordsProcessed++;
    if (end > loop.lastRecordTime) loop.lastRecordTime = end;
    if (loop.recordTrace)
      loop.emit({ type: 'record-processed', t: end, id: record.id, task: task.id, channel: channel.id });
    try {
      if (isPoison(record.value)) throw new EngineError(msg('task.poison', { record: String(record.value) }));
      const backend = task.keyedBackend;
      if (channel.typeNumber === 2) {
        // The second input of a two-input operator: keyed with its own selector, or not keyed at all
        // (the broadcast side of the broadcast state pattern has no current key).
        const selector = task.vertex.keySelector2;
        if (backend !== null) {
          if (record.key !== null) backend.setCurrentKeyInKeyGroup(record.key, record.keyGroup);
          else if (selector) backend.setCurrentKey((selector as (v: unknown) => Key)(record.value));
        }
        task.operator.processElement2(record.value);
      } else {
        if (backend !== null) {
          // A record that came through keyBy carries its key and key group: no selector, no hashing.
          if (record.key !== null) backend.setCurrentKeyInKeyGroup(record.key, record.keyGroup);
          else backend.setCurrentKey((task.vertex.keySelector as (v: unknown) => Key)(record.value));
        }
        task.operator.processElement(record.value);
      }
      // Operators chained to the head worked on what it emitted, on the task's clock. RocksDB-like backend: reads and writes (de)serialize, which takes virtual time.
      this.recordDone = backend !== null ? task.clock + backend.takeCost() : task.clock;
      return;
    } catch (e) {
      const failed = failedOperator(e, task.vertex);
      this.rt.scheduler.failTask(
        task,
        msg('task.threw', { operator: failed.vertex.name, task: task.id, error: messageOf(failed.error) }),
        false,
        isUnrecoverableError(failed.error),
      );
    }
    this.recordDone = end;
  }
}
