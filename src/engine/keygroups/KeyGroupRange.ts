/**
 * Flink's `KeyGroupRange`: a contiguous, inclusive range of key groups `[startKeyGroup, endKeyGroup]`.
 * The empty range is `KeyGroupRange.EMPTY` (start 0, end -1).
 */
export class KeyGroupRange {
  static readonly EMPTY: KeyGroupRange = new KeyGroupRange(0, -1);

  readonly startKeyGroup: number;
  /** Inclusive. */
  readonly endKeyGroup: number;

  /** `(0, -1)` makes an empty range; otherwise `0 <= startKeyGroup <= endKeyGroup` must hold. */
  constructor(startKeyGroup: number, endKeyGroup: number) {
    if (!(startKeyGroup === 0 && endKeyGroup === -1)) {
      if (!Number.isInteger(startKeyGroup) || !Number.isInteger(endKeyGroup)) {
        throw new Error(`Key group bounds must be integers: ${startKeyGroup}, ${endKeyGroup}`);
      }
      if (startKeyGroup < 0) throw new Error(`startKeyGroup must be >= 0, was ${startKeyGroup}`);
      if (startKeyGroup > endKeyGroup) {
        throw new Error(`startKeyGroup (${startKeyGroup}) must be <= endKeyGroup (${endKeyGroup})`);
      }
    }
    this.startKeyGroup = startKeyGroup;
    this.endKeyGroup = endKeyGroup;
  }

  /** Flink's `KeyGroupRange.of(start, end)`: `EMPTY` when start > end. */
  static of(startKeyGroup: number, endKeyGroup: number): KeyGroupRange {
    return startKeyGroup <= endKeyGroup ? new KeyGroupRange(startKeyGroup, endKeyGroup) : KeyGroupRange.EMPTY;
  }

  contains(keyGroup: number): boolean {
    return keyGroup >= this.startKeyGroup && keyGroup <= this.endKeyGroup;
  }

  getNumberOfKeyGroups(): number {
    return 1 + this.endKeyGroup - this.startKeyGroup;
  }

  /** The key groups in both ranges, or `EMPTY`. */
  getIntersection(other: KeyGroupRange): KeyGroupRange {
    const start = Math.max(this.startKeyGroup, other.startKeyGroup);
    const end = Math.min(this.endKeyGroup, other.endKeyGroup);
    return start <= end ? new KeyGroupRange(start, end) : KeyGroupRange.EMPTY;
  }

  isEmpty(): boolean {
    return this.endKeyGroup < this.startKeyGroup;
  }

  equals(other: KeyGroupRange): boolean {
    return this.startKeyGroup === other.startKeyGroup && this.endKeyGroup === other.endKeyGroup;
  }

  *[Symbol.iterator](): IterableIterator<number> {
    for (let kg = this.startKeyGroup; kg <= this.endKeyGroup; kg++) yield kg;
  }

  toString(): string {
    return `KeyGroupRange{startKeyGroup=${this.startKeyGroup}, endKeyGroup=${this.endKeyGroup}}`;
  }
}
