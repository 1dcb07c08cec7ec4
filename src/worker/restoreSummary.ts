/**
 * The restore summary: what the latest failure did and what the restore brought back, built in the
 * worker as the engine emits its trace — never in the page, which only renders it.
 *
 * At `task-failed` (emitted before the region is cancelled, while the keyed state is still the
 * state at the failure) the tracker copies the keyed state and the source offsets. `job-restarting`
 * gives the delay; the restore (`task-restored`, with the two-phase-commit sinks' `transaction-*`
 * events of the same step) ends it: after that engine step the state is compared key by key with the
 * copy, and each source partition's offset with its offset at the failure.
 */
import type { Message, MiniCluster, TraceEvent } from '../engine/index';
import type { FailureCause, RestoreSummary } from './protocol';

type Cluster = MiniCluster;

/** What caused a failure, from its message code (the page renders `message` in the learner's language). */
export function failureCause(reason: Message): FailureCause {
  if (reason.code === 'task.injected-by-learner') return { code: 'injected' };
  if (reason.code === 'checkpoint.tolerable-exceeded')
    return { code: 'checkpoint-failures', message: reason };
  if (reason.code.startsWith('task.threw')) return { code: 'user-function-threw', message: reason };
  return { code: 'other', message: reason };
}

/** operator uid -> state -> key (as text) -> value as JSON text. */
type StateCopy = Map<string, Map<string, Map<string, string>>>;

function copyState(cluster: Cluster): StateCopy {
  const out: StateCopy = new Map();
  for (const task of cluster.tasks) {
    const backend = task.keyedBackend;
    if (!backend) continue;
    const op = out.get(task.vertex.uid) ?? out.set(task.vertex.uid, new Map()).get(task.vertex.uid)!;
    for (const name of backend.stateNames()) {
      const st = op.get(name) ?? op.set(name, new Map()).get(name)!;
      for (const [key, value] of backend.entries(name)) st.set(String(key), json(value));
    }
  }
  return out;
}

function json(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v instanceof Map ? [...v.entries()] : v)) ?? 'null';
}

function offsetsOf(cluster: Cluster): Map<string, number> {
  const out = new Map<string, number>();
  for (const [task, parts] of Object.entries(cluster.sourceOffsets()))
    for (const p of parts) out.set(`${task}|${p.partition}`, p.offset);
  return out;
}

/** A TTL value is kept with its access time: the learner compares the value. */
function userValue(text: string): unknown {
  const v: unknown = JSON.parse(text);
  if (v && typeof v === 'object' && !Array.isArray(v) && 'value' in v && 'lastAccess' in v)
    return (v as { value: unknown }).value;
  return v;
}

export class RestoreTracker {
  private summary: RestoreSummary | null = null;
  private nextId = 1;
  private before: { state: StateCopy; offsets: Map<string, number> } | null = null;
  /** A restore happened in the current engine step: finish the summary after it. */
  private restoredInStep = false;
  /** Set when playback should stop here (a failure, a finished restore). */
  pauseRequested = false;

  get current(): RestoreSummary | null {
    return this.summary;
  }

  reset(): void {
    this.summary = null;
    this.before = null;
    this.restoredInStep = false;
    this.pauseRequested = false;
  }

  /** The learner failed a subtask; the engine reaches it at its next event: show it at once. */
  pending(task: string, at: number): void {
    if (this.summary?.phase === 'pending' && this.summary.failure.task === task) return;
    if (this.summary?.phase === 'restarting') return; // already failing: the engine will ignore it
    this.summary = this.fresh('pending', task, at, { code: 'injected' });
  }

  private fresh(
    phase: RestoreSummary['phase'],
    task: string | null,
    at: number,
    cause: FailureCause,
  ): RestoreSummary {
    return {
      id: this.nextId++,
      phase,
      failure: { task, at, cause },
      restart: null,
      restored: null,
      sources: [],
      state: null,
      transactions: { aborted: 0, abortedRows: 0, committed: 0, committedRows: 0 },
    };
  }

  /** Every trace event, as the engine emits it; `cluster` is null while the engine is being built. */
  onEvent(e: TraceEvent, cluster: Cluster | null): void {
    const s = this.summary;
    switch (e.type) {
      case 'task-failed': {
        // A second failure while the first one restarts belongs to the same restore.
        if (s && s.phase === 'restarting') return;
        const cause = failureCause(e.reason);
        this.summary =
          s?.phase === 'pending' && s.failure.task === e.task
            ? { ...s, phase: 'restarting', failure: { task: e.task, at: e.t, cause } }
            : this.fresh('restarting', e.task, e.t, cause);
        this.before = cluster ? { state: copyState(cluster), offsets: offsetsOf(cluster) } : null;
        this.pauseRequested = true;
        return;
      }
      case 'job-restarting':
        if (s?.phase === 'restarting')
          s.restart = { delayMs: e.delayMs, attempt: e.attempt, tasks: e.tasks.length, at: e.t + e.delayMs };
        return;
      case 'job-status':
        if (e.status === 'FAILED' && s && s.phase !== 'restored') {
          s.phase = 'job-failed';
          this.pauseRequested = true;
        }
        return;
      case 'transaction-aborted':
      case 'transaction-committed':
        if (s?.phase !== 'restarting') return;
        if (e.type === 'transaction-aborted') {
          s.transactions.aborted++;
          s.transactions.abortedRows += e.rows;
        } else {
          s.transactions.committed++;
          s.transactions.committedRows += e.rows;
        }
        return;
      case 'task-restored':
        if (s?.phase !== 'restarting') return;
        this.restoredInStep = true;
        s.restored ??= { at: e.t, checkpointId: e.checkpointId, checkpointCompletedAt: null };
        for (const p of e.offsets) {
          const from = this.before?.offsets.get(`${e.task}|${p.partition}`) ?? null;
          s.sources.push({
            task: e.task,
            partition: p.partition,
            from,
            to: p.offset,
            replay: from === null ? null : Math.max(0, from - p.offset),
          });
        }
        return;
      case 'engine-recovered': {
        // The whole engine died (worker killed, page reloaded): nothing of its state is left to compare.
        const next = this.fresh('restored', null, e.t, { code: 'engine-crash' });
        next.restored = { at: e.t, checkpointId: e.checkpointId, checkpointCompletedAt: null };
        if (cluster) {
          next.restored.checkpointCompletedAt = cluster.coordinator.latestCompleted?.completionTime ?? null;
          for (const [key, offset] of offsetsOf(cluster)) {
            const [task, partition] = key.split('|');
            next.sources.push({ task, partition: Number(partition), from: null, to: offset, replay: null });
          }
        }
        this.summary = next;
        return;
      }
    }
  }

  /** After each engine step: a restore that happened in it is compared with the state at the failure. */
  afterStep(cluster: Cluster): void {
    if (!this.restoredInStep) return;
    this.restoredInStep = false;
    const s = this.summary;
    if (!s || s.phase !== 'restarting') return;
    // Other regions may still be restarting: the summary is done when none is.
    if (cluster.tasks.some((t) => t.status === 'RESTARTING')) return;
    s.phase = 'restored';
    const cpId = s.restored?.checkpointId ?? null;
    if (s.restored && cpId !== null) {
      const latest = cluster.coordinator.latestCompleted;
      s.restored.checkpointCompletedAt = latest?.checkpointId === cpId ? latest.completionTime : null;
    }
    s.state = this.before ? compare(this.before.state, copyState(cluster)) : null;
    this.before = null;
    this.pauseRequested = true;
  }
}

function compare(before: StateCopy, after: StateCopy): NonNullable<RestoreSummary['state']> {
  let keysBefore = 0;
  let keysRewound = 0;
  let example: NonNullable<RestoreSummary['state']>['example'] = null;
  let exampleDistance = -1;
  for (const [operator, states] of before)
    for (const [state, entries] of states)
      for (const [key, text] of entries) {
        keysBefore++;
        const now = after.get(operator)?.get(state)?.get(key);
        if (now === text) continue;
        const b = userValue(text);
        const a = now === undefined ? null : userValue(now);
        // TTL state differs in its access time alone: the learner's value did not go back.
        if (now !== undefined && JSON.stringify(a) === JSON.stringify(b)) continue;
        keysRewound++;
        const distance = typeof b === 'number' && typeof a === 'number' ? Math.abs(b - a) : 0;
        if (distance > exampleDistance || (distance === exampleDistance && example && key < example.key)) {
          exampleDistance = distance;
          example = { operator, state, key, before: b, after: a };
        }
      }
  return { keysBefore, keysRewound, example };
}
