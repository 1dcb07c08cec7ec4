/**
 * The exactly-once checker's names for what went wrong, from the counts of each visible value
 * against the failure-free reference run: a row the reference also writes, written again, is
 * *repeated* (a replayed write the sink did not hide); a row the reference never writes is an
 * *over-count* (the state counted a record twice, so the value itself is wrong, e.g. `["be", 3]`);
 * a row seen less often than in the reference is *missing*.
 */
export interface ValueCount {
  value: unknown;
  seen: number;
  expected: number;
}

export type RowIssue = 'repeated' | 'over-count';

/** A value seen `seen` times where the reference has it `expected` times (seen > expected). */
export function rowIssue(expected: number): RowIssue {
  return expected === 0 ? 'over-count' : 'repeated';
}

/** Splits the values seen more often than in the reference into repeated rows and over-counts. */
export function splitDuplicates(duplicates: readonly ValueCount[]): {
  repeated: ValueCount[];
  overCounts: ValueCount[];
} {
  const repeated: ValueCount[] = [];
  const overCounts: ValueCount[] = [];
  for (const d of duplicates) (rowIssue(d.expected) === 'over-count' ? overCounts : repeated).push(d);
  return { repeated, overCounts };
}
