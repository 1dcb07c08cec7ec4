/**
 * Flink's TimeWindow: the interval [start, end), max timestamp end − 1. `getWindowStartWithOffset` and
 * `mergeWindows` follow Flink's code (tested against values from it: test/engine/windowing/).
 */
import type { Window } from './Window';

export class TimeWindow implements Window {
  constructor(
    readonly start: number,
    readonly end: number,
  ) {}

  getStart(): number {
    return this.start;
  }
  getEnd(): number {
    return this.end;
  }
  maxTimestamp(): number {
    return this.end - 1;
  }
  equals(other: Window): boolean {
    return other instanceof TimeWindow && other.start === this.start && other.end === this.end;
  }
  toString(): string {
    return `TimeWindow{start=${this.start}, end=${this.end}}`;
  }
  namespace(): string {
    return this.toString();
  }
  /** True if the windows overlap or touch (Flink merges adjacent session windows too). */
  intersects(other: TimeWindow): boolean {
    return this.start <= other.end && this.end >= other.start;
  }
  /** The smallest window covering both. */
  cover(other: TimeWindow): TimeWindow {
    return new TimeWindow(Math.min(this.start, other.start), Math.max(this.end, other.end));
  }

  /** The start of the window of `size` (shifted by `offset`) that holds `timestamp`; negative timestamps too. */
  static getWindowStartWithOffset(timestamp: number, offset: number, windowSize: number): number {
    const remainder = (timestamp - offset) % windowSize; // JS %, like Java's, keeps the dividend's sign
    return remainder < 0 ? timestamp - (remainder + windowSize) : timestamp - remainder;
  }

  /**
   * Merges overlapping windows (Flink's TimeWindow.mergeWindows): sorted by start, each run of
   * intersecting windows becomes its cover; `callback(merged, result)` for each run of more than one.
   */
  static mergeWindows(
    windows: readonly TimeWindow[],
    callback: (toBeMerged: TimeWindow[], mergeResult: TimeWindow) => void,
  ): void {
    const sorted = windows.slice().sort((a, b) => a.start - b.start);
    const merged: Array<[TimeWindow, TimeWindow[]]> = [];
    let current: [TimeWindow, TimeWindow[]] | null = null;
    for (const candidate of sorted) {
      if (current === null) current = [candidate, [candidate]];
      else if (current[0].intersects(candidate)) {
        current[0] = current[0].cover(candidate);
        if (!current[1].some((w) => w.equals(candidate))) current[1].push(candidate); // a set in Flink
      } else {
        merged.push(current);
        current = [candidate, [candidate]];
      }
    }
    if (current !== null) merged.push(current);
    for (const [result, group] of merged) if (group.length > 1) callback(group, result);
  }
}
