/**
 * What the `failover` lesson check follows: how far back a failover took the job. A subtask fails at
 * time t; the job restores the latest completed checkpoint, whose source offsets were taken when it
 * was triggered, so everything done since that trigger is done again: the cost of a failure, bounded
 * by the checkpoint interval (the article's §4.2). Without a completed checkpoint the job goes back to
 * the start of its run.
 */
import { msg, type Message } from '../engine/messages/Message';
import type { TraceEvent } from '../engine/index';

export interface Rewind {
  failedAt: number;
  /** The restored checkpoint (null: none, the run started over). */
  checkpointId: number | null;
  /** Its trigger time (the start of the run without one). */
  from: number;
  rewindMs: number;
}

export class FailoverRewindTracker {
  private failedAt: number | null = null;
  private best: Rewind | null = null;

  /** Starts over (a new step). */
  reset(): void {
    this.failedAt = null;
    this.best = null;
  }

  /** A new run (Apply, an import): a failure of the old one is not followed into it. */
  newRun(): void {
    this.failedAt = null;
  }

  /** `triggerTime`: when a checkpoint of the running job was triggered (its history). */
  observe(e: TraceEvent, triggerTime: (checkpointId: number) => number | null): void {
    if (e.type === 'task-failed') {
      // The first failure of a failover: its other subtasks fail with it.
      this.failedAt ??= e.t;
    } else if (e.type === 'task-restored' && this.failedAt !== null) {
      const from = e.checkpointId === null ? 0 : (triggerTime(e.checkpointId) ?? 0);
      const rewind: Rewind = {
        failedAt: this.failedAt,
        checkpointId: e.checkpointId,
        from,
        rewindMs: Math.max(0, this.failedAt - from),
      };
      if (!this.best || rewind.rewindMs < this.best.rewindMs) this.best = rewind;
      this.failedAt = null;
    }
  }

  /** The check: a failover since the step began went back at most `maxRewindMs` (any, without). */
  result(maxRewindMs: number | undefined): { ok: boolean; why: Message } {
    const b = this.best;
    if (!b) return { ok: false, why: msg('check.no-failover') };
    if (maxRewindMs === undefined || b.rewindMs <= maxRewindMs)
      return { ok: true, why: msg('check.no-check') };
    const rewind = Math.round(b.rewindMs);
    const failedAt = Math.round(b.failedAt);
    return {
      ok: false,
      why:
        b.checkpointId === null
          ? msg('check.rewind-scratch', { rewind, failedAt, max: maxRewindMs })
          : msg('check.rewind', {
              rewind,
              failedAt,
              id: b.checkpointId,
              from: Math.round(b.from),
              max: maxRewindMs,
            }),
    };
  }
}
