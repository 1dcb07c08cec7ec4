/**
 * The discrete-event scheduler's queue: a binary min-heap ordered by (time, sequence number).
 * The sequence number makes ties deterministic: events at the same virtual time run in the order
 * they were scheduled.
 */
export interface ScheduledEvent<E> {
  time: number;
  seq: number;
  event: E;
}

export class EventQueue<E> {
  private heap: ScheduledEvent<E>[] = [];

  /** `seq` may be shared by several queues so that ties across them are ordered too. */
  constructor(private readonly seq: { n: number } = { n: 0 }) {}

  get size(): number {
    return this.heap.length;
  }

  push(time: number, event: E): void {
    const item: ScheduledEvent<E> = { time, seq: this.seq.n++, event };
    const heap = this.heap;
    let i = heap.length;
    heap.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent];
      if (p.time < time || (p.time === time && p.seq < item.seq)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = item;
  }

  peekTime(): number {
    return this.heap.length > 0 ? this.heap[0].time : Infinity;
  }

  pop(): ScheduledEvent<E> | undefined {
    const heap = this.heap;
    if (heap.length === 0) return undefined;
    const top = heap[0];
    const last = heap.pop() as ScheduledEvent<E>;
    const n = heap.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        if (r < n && less(heap[r], heap[l])) c = r;
        if (!less(heap[c], last)) break;
        heap[i] = heap[c];
        i = c;
      }
      heap[i] = last;
    }
    return top;
  }

  clear(): void {
    this.heap = [];
  }
}

function less<E>(a: ScheduledEvent<E>, b: ScheduledEvent<E>): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
