/**
 * Port of Flink's `org.apache.flink.runtime.state.KeyGroupRangeAssignment`: which key group a key
 * belongs to, and which parallel subtask owns which key groups.
 */
import { javaHashCode, type Key } from './hashCode';
import { KeyGroupRange } from './KeyGroupRange';
import { murmurHash, roundUpToPowerOfTwo } from './MathUtils';

/** Lower bound of the default max parallelism (`1 << 7`). */
export const DEFAULT_LOWER_BOUND_MAX_PARALLELISM = 128;
/** Inclusive upper bound for (max) parallelism (`1 << 15`). */
export const UPPER_BOUND_MAX_PARALLELISM = 32768;

export function checkParallelismPreconditions(parallelism: number): void {
  if (!Number.isInteger(parallelism) || parallelism <= 0 || parallelism > UPPER_BOUND_MAX_PARALLELISM) {
    throw new Error(`Operator parallelism not within bounds: ${parallelism}`);
  }
}

/** `min(max(roundUpToPowerOfTwo(p + p / 2), 128), 32768)`: 128 for p <= 85. */
export function computeDefaultMaxParallelism(operatorParallelism: number): number {
  checkParallelismPreconditions(operatorParallelism);
  return Math.min(
    Math.max(
      roundUpToPowerOfTwo(operatorParallelism + Math.trunc(operatorParallelism / 2)),
      DEFAULT_LOWER_BOUND_MAX_PARALLELISM,
    ),
    UPPER_BOUND_MAX_PARALLELISM,
  );
}

/** `murmurHash(keyHash) % maxParallelism`. */
export function computeKeyGroupForKeyHash(keyHash: number, maxParallelism: number): number {
  return murmurHash(keyHash) % maxParallelism;
}

/** The key group of a key: `murmurHash(key.hashCode()) % maxParallelism`. */
export function assignToKeyGroup(key: Key, maxParallelism: number): number {
  return computeKeyGroupForKeyHash(javaHashCode(key), maxParallelism);
}

/** The subtask owning a key group: `keyGroup * parallelism / maxParallelism` (integer division). */
export function computeOperatorIndexForKeyGroup(
  maxParallelism: number,
  parallelism: number,
  keyGroupId: number,
): number {
  return Math.trunc((keyGroupId * parallelism) / maxParallelism);
}

/** The subtask a key is routed to (what Flink's `KeyGroupStreamPartitioner` does for `keyBy`). */
export function assignKeyToParallelOperator(key: Key, maxParallelism: number, parallelism: number): number {
  if (key === null || key === undefined) throw new Error('Assigned key must not be null!');
  return computeOperatorIndexForKeyGroup(maxParallelism, parallelism, assignToKeyGroup(key, maxParallelism));
}

/**
 * The key groups owned by subtask `operatorIndex`:
 * `[(i * maxP + p - 1) / p, ((i + 1) * maxP - 1) / p]` (integer division).
 */
export function computeKeyGroupRangeForOperatorIndex(
  maxParallelism: number,
  parallelism: number,
  operatorIndex: number,
): KeyGroupRange {
  checkParallelismPreconditions(parallelism);
  checkParallelismPreconditions(maxParallelism);
  if (maxParallelism < parallelism) {
    throw new Error('Maximum parallelism must not be smaller than parallelism.');
  }
  if (!Number.isInteger(operatorIndex) || operatorIndex < 0 || operatorIndex >= parallelism) {
    throw new Error(`Operator index ${operatorIndex} out of bounds for parallelism ${parallelism}`);
  }
  const start = Math.trunc((operatorIndex * maxParallelism + parallelism - 1) / parallelism);
  const end = Math.trunc(((operatorIndex + 1) * maxParallelism - 1) / parallelism);
  return new KeyGroupRange(start, end);
}
