/**
 * FIFO queues for the network's hot path (channel queues, output buffers, credit returns): ring
 * buffers whose capacity doubles when full and never shrinks, so a steady stream of push/shift
 * allocates nothing (an array + head index had to grow and be re-sliced over and over).
 */
const INITIAL_CAPACITY = 16; // a power of two: indices wrap with `& mask`

export class Deque<T> {
  private items: (T | undefined)[] = new Array<T | undefined>(INITIAL_CAPACITY);
  private mask = INITIAL_CAPACITY - 1;
  private head = 0;
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(item: T): void {
    if (this.size === this.items.length) this.grow();
    this.items[(this.head + this.size) & this.mask] = item;
    this.size++;
  }

  /** Puts `items` in front, in their order (the first of them becomes the head). */
  unshiftAll(items: readonly T[]): void {
    const all = [...items, ...this.toArray()];
    let capacity = INITIAL_CAPACITY;
    while (capacity < all.length) capacity *= 2;
    this.items = new Array<T | undefined>(capacity);
    for (let i = 0; i < all.length; i++) this.items[i] = all[i];
    this.mask = capacity - 1;
    this.head = 0;
    this.size = all.length;
  }

  /** Removes and returns the last element (the newest). */
  pop(): T | undefined {
    if (this.size === 0) return undefined;
    const i = (this.head + this.size - 1) & this.mask;
    const item = this.items[i];
    this.items[i] = undefined;
    this.size--;
    return item;
  }

  peek(): T | undefined {
    return this.size > 0 ? this.items[this.head] : undefined;
  }

  at(i: number): T {
    return this.items[(this.head + i) & this.mask] as T;
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head];
    // Drop the reference: a consumed element must not stay reachable from the buffer (GC pressure).
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.size--;
    return item;
  }

  toArray(): T[] {
    const out = new Array<T>(this.size);
    for (let i = 0; i < this.size; i++) out[i] = this.items[(this.head + i) & this.mask] as T;
    return out;
  }

  clear(): void {
    this.items = new Array<T | undefined>(INITIAL_CAPACITY);
    this.mask = INITIAL_CAPACITY - 1;
    this.head = 0;
    this.size = 0;
  }

  private grow(): void {
    const old = this.items;
    const next = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.size; i++) next[i] = old[(this.head + i) & this.mask];
    this.items = next;
    this.mask = next.length - 1;
    this.head = 0;
  }
}

/**
 * The same ring buffer for numbers (virtual times), in a Float64Array: a generic array holding
 * fractional numbers boxes each one (a heap object per push).
 */
export class NumberDeque {
  private items = new Float64Array(INITIAL_CAPACITY);
  private mask = INITIAL_CAPACITY - 1;
  private head = 0;
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(item: number): void {
    if (this.size === this.items.length) {
      const old = this.items;
      const next = new Float64Array(old.length * 2);
      for (let i = 0; i < this.size; i++) next[i] = old[(this.head + i) & this.mask];
      this.items = next;
      this.mask = next.length - 1;
      this.head = 0;
    }
    this.items[(this.head + this.size) & this.mask] = item;
    this.size++;
  }

  peek(): number | undefined {
    return this.size > 0 ? this.items[this.head] : undefined;
  }

  shift(): number | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head];
    this.head = (this.head + 1) & this.mask;
    this.size--;
    return item;
  }

  /** Removes the leading numbers up to `limit` (inclusive); returns how many (no number crosses a call). */
  removeUpTo(limit: number): number {
    let n = 0;
    while (this.size > 0 && this.items[this.head] <= limit) {
      this.head = (this.head + 1) & this.mask;
      this.size--;
      n++;
    }
    return n;
  }

  toArray(): number[] {
    const out = new Array<number>(this.size);
    for (let i = 0; i < this.size; i++) out[i] = this.items[(this.head + i) & this.mask];
    return out;
  }

  clear(): void {
    this.items = new Float64Array(INITIAL_CAPACITY);
    this.mask = INITIAL_CAPACITY - 1;
    this.head = 0;
    this.size = 0;
  }
}
