/** Flink's CountEvictor: keeps the last `maxCount` elements (before the function, or after with `doEvictAfter`). */
import type { Window } from '../windows/Window';
import type { Evictor, TimestampedValue } from './Evictor';

export class CountEvictor implements Evictor<unknown, Window> {
  private constructor(
    private readonly maxCount: number,
    private readonly doEvictAfter: boolean,
  ) {}
  static of(maxCount: number, doEvictAfter = false): CountEvictor {
    if (!Number.isInteger(maxCount) || maxCount < 0)
      throw new Error(`CountEvictor needs a count >= 0, got ${maxCount}`);
    return new CountEvictor(maxCount, doEvictAfter);
  }
  evictBefore(elements: Array<TimestampedValue<unknown>>, size: number): void {
    if (!this.doEvictAfter) this.evict(elements, size);
  }
  evictAfter(elements: Array<TimestampedValue<unknown>>, size: number): void {
    if (this.doEvictAfter) this.evict(elements, size);
  }
  private evict(elements: Array<TimestampedValue<unknown>>, size: number): void {
    if (size <= this.maxCount) return;
    elements.splice(0, size - this.maxCount); // the first ones in iteration order, as Flink's iterator.remove()
  }
  toString(): string {
    return `CountEvictor(${this.maxCount})`;
  }
}
