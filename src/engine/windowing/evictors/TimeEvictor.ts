/**
 * Flink's TimeEvictor: keeps the elements whose timestamp is within `windowSize` of the largest
 * timestamp in the window (removes those at or before max − windowSize); elements need timestamps.
 */
import { toMillis, type DurationLike } from '../../api/Duration';
import type { Window } from '../windows/Window';
import type { Evictor, TimestampedValue } from './Evictor';

export class TimeEvictor implements Evictor<unknown, Window> {
  private constructor(
    private readonly windowSize: number,
    private readonly doEvictAfter: boolean,
  ) {}
  static of(windowSize: DurationLike, doEvictAfter = false): TimeEvictor {
    return new TimeEvictor(toMillis(windowSize), doEvictAfter);
  }
  evictBefore(elements: Array<TimestampedValue<unknown>>): void {
    if (!this.doEvictAfter) this.evict(elements);
  }
  evictAfter(elements: Array<TimestampedValue<unknown>>): void {
    if (this.doEvictAfter) this.evict(elements);
  }
  private evict(elements: Array<TimestampedValue<unknown>>): void {
    // Flink: nothing happens unless the first element has a timestamp.
    if (elements.length === 0 || elements[0].timestamp === null) return;
    let max = -Infinity;
    for (const e of elements) if (e.timestamp !== null && e.timestamp > max) max = e.timestamp;
    const cutoff = max - this.windowSize;
    for (let i = elements.length - 1; i >= 0; i--) {
      const ts = elements[i].timestamp;
      if (ts !== null && ts <= cutoff) elements.splice(i, 1);
    }
  }
  toString(): string {
    return `TimeEvictor(${this.windowSize})`;
  }
}
