/**
 * Flink's Evictor: removes elements from a window's contents before and/or after the window function
 * runs (only with `.evictor(..)`: the window keeps every element, not a pre-aggregate). Elements carry
 * their timestamps (Flink's TimestampedValue); an evictor removes in place (`splice`).
 */
import type { Window } from '../windows/Window';

export interface TimestampedValue<T> {
  value: T;
  /** null: the record had no timestamp. */
  timestamp: number | null;
}

export interface EvictorContext {
  getCurrentProcessingTime(): number;
  getCurrentWatermark(): number;
}

export interface Evictor<T = unknown, W extends Window = Window> {
  evictBefore(elements: Array<TimestampedValue<T>>, size: number, window: W, ctx: EvictorContext): void;
  evictAfter(elements: Array<TimestampedValue<T>>, size: number, window: W, ctx: EvictorContext): void;
  toString(): string;
}
