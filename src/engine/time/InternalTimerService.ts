/**
 * Timers of one keyed subtask (Flink's InternalTimerServiceImpl with TimerHeapInternalTimer): at most
 * one timer per key, namespace, time domain and timestamp (the namespace is VoidNamespace — absent —
 * for a KeyedProcessFunction's timers, the window for a window operator's); kept in time order; part of the checkpoint, per key group, so they survive a
 * restore (and move with their key group when rescaling). Processing-time timers fire when the
 * virtual clock reaches them; event-time timers when the subtask's watermark passes them.
 */
import type { Key } from '../keygroups/hashCode';

export type TimeDomain = 'EVENT_TIME' | 'PROCESSING_TIME';

export interface TimerSnapshot {
  key: Key;
  keyGroup: number;
  timestamp: number;
  domain: TimeDomain;
  /** Absent: VoidNamespace. */
  namespace?: string;
}

export interface Timer {
  key: Key;
  keyGroup: number;
  timestamp: number;
  namespace?: string;
}

class TimerQueue {
  private readonly timers: Timer[] = [];
  private readonly ids = new Set<string>();

  private static id(key: Key, ts: number, ns: string | undefined): string {
    return ns === undefined
      ? `${typeof key}:${String(key)}@${ts}`
      : `${typeof key}:${String(key)}@${ts}/${ns}`;
  }

  add(t: Timer): boolean {
    const id = TimerQueue.id(t.key, t.timestamp, t.namespace);
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    // Binary search insert, ties by insertion order.
    let lo = 0;
    let hi = this.timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.timers[mid].timestamp <= t.timestamp) lo = mid + 1;
      else hi = mid;
    }
    this.timers.splice(lo, 0, t);
    return true;
  }

  remove(key: Key, ts: number, ns?: string): void {
    const id = TimerQueue.id(key, ts, ns);
    if (!this.ids.delete(id)) return;
    const i = this.timers.findIndex((x) => x.timestamp === ts && x.key === key && x.namespace === ns);
    if (i >= 0) this.timers.splice(i, 1);
  }

  peek(): Timer | undefined {
    return this.timers[0];
  }

  poll(): Timer | undefined {
    const t = this.timers.shift();
    if (t) this.ids.delete(TimerQueue.id(t.key, t.timestamp, t.namespace));
    return t;
  }

  all(): readonly Timer[] {
    return this.timers;
  }

  get size(): number {
    return this.timers.length;
  }
}

export class InternalTimerService {
  readonly eventTime = new TimerQueue();
  readonly processingTime = new TimerQueue();

  register(domain: TimeDomain, key: Key, keyGroup: number, timestamp: number, namespace?: string): boolean {
    const t: Timer = { key, keyGroup, timestamp };
    if (namespace !== undefined) t.namespace = namespace;
    return (domain === 'EVENT_TIME' ? this.eventTime : this.processingTime).add(t);
  }

  delete(domain: TimeDomain, key: Key, timestamp: number, namespace?: string): void {
    (domain === 'EVENT_TIME' ? this.eventTime : this.processingTime).remove(key, timestamp, namespace);
  }

  get size(): number {
    return this.eventTime.size + this.processingTime.size;
  }

  snapshot(): TimerSnapshot[] {
    const out: TimerSnapshot[] = [];
    for (const t of this.eventTime.all()) out.push({ ...t, domain: 'EVENT_TIME' });
    for (const t of this.processingTime.all()) out.push({ ...t, domain: 'PROCESSING_TIME' });
    return out;
  }

  /** Takes the timers whose key group this subtask owns. */
  restore(timers: readonly TimerSnapshot[], ownsKeyGroup: (kg: number) => boolean): void {
    for (const t of timers)
      if (ownsKeyGroup(t.keyGroup)) this.register(t.domain, t.key, t.keyGroup, t.timestamp, t.namespace);
  }
}
