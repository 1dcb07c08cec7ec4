/**
 * Pure helpers of the state inspector: how keys and values are shown, which key groups a subtask
 * owns (display only: the engine decides where keys live), and a throttle for re-reading pages while
 * the job runs.
 */
import {
  assignToKeyGroup,
  computeKeyGroupRangeForOperatorIndex,
} from '../../../engine/keygroups/KeyGroupRangeAssignment';
import type { LoadInfo, OperatorInfo, StateChange } from '../../../worker/protocol';

export const PAGE_SIZE = 100;
export const VALUE_MAX_CHARS = 160;
export const CHANGES: readonly StateChange[] = ['changed', 'added', 'removed', 'same'];

/** Compact JSON of a value (`undefined`: null, shown as "—" by the caller); long values are cut with "…". */
export function compactJson(value: unknown, max = VALUE_MAX_CHARS): string {
  let text: string;
  try {
    text =
      JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'undefined';
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** How a key is shown: strings as they are, anything else as JSON. */
export function keyText(key: unknown): string {
  return typeof key === 'string' ? key : compactJson(key);
}

/** The key group of a key (Flink's murmurHash(hashCode) % maxParallelism), or null for keys of other types. */
export function keyGroupOf(key: unknown, maxParallelism: number): number | null {
  if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'boolean') return null;
  try {
    return assignToKeyGroup(key, maxParallelism);
  } catch {
    return null;
  }
}

export interface SubtaskRange {
  index: number;
  /** Inclusive key-group range, or null if it cannot be computed (bad parallelism). */
  start: number | null;
  end: number | null;
}

/** Each subtask's key-group range: [ceil(i*m/p) .. ceil((i+1)*m/p)-1]. */
export function subtaskRanges(parallelism: number, maxParallelism: number): SubtaskRange[] {
  const out: SubtaskRange[] = [];
  for (let i = 0; i < parallelism; i++) {
    try {
      const r = computeKeyGroupRangeForOperatorIndex(maxParallelism, parallelism, i);
      out.push({ index: i, start: r.startKeyGroup, end: r.endKeyGroup });
    } catch {
      out.push({ index: i, start: null, end: null });
    }
  }
  return out;
}

export interface InspectableOperator {
  uid: string;
  name: string;
  parallelism: number;
  maxParallelism: number;
}

/**
 * The operators the inspector offers: the keyed ones when the engine reports operators; otherwise
 * those found to have keyed state (`discovered`, by probing readState).
 */
export function inspectableOperators(
  load: Pick<LoadInfo, 'tasks'> & { operators?: OperatorInfo[] },
  discovered: ReadonlySet<string>,
): InspectableOperator[] {
  if (load.operators?.length)
    return load.operators
      .filter((o) => o.keyed || discovered.has(o.uid))
      .map((o) => ({
        uid: o.uid,
        name: o.name,
        parallelism: o.parallelism,
        maxParallelism: o.maxParallelism,
      }));
  const seen = new Map<string, InspectableOperator>();
  for (const t of load.tasks)
    if (discovered.has(t.operatorUid) && !seen.has(t.operatorUid))
      seen.set(t.operatorUid, {
        uid: t.operatorUid,
        name: t.operatorName,
        parallelism: t.parallelism,
        maxParallelism: Math.max(128, t.parallelism),
      });
  return [...seen.values()];
}

/** The offset of the page to show after the total changed (the last page if this one emptied). */
export function clampOffset(offset: number, total: number, pageSize = PAGE_SIZE): number {
  if (offset < total || offset === 0) return offset;
  return Math.max(0, Math.floor((total - 1) / pageSize) * pageSize);
}

/** The flash key of session.flashes. */
export function flashKey(uid: string, stateName: string, key: unknown): string {
  return `${uid}|${stateName}|${JSON.stringify(key)}`;
}

/**
 * Runs async tasks one at a time, starting at most one every `minGapMs`; asking again while one runs
 * or too soon replaces the waiting task (only the latest matters): at most 1000/minGap reads per second.
 */
export class Throttle {
  private running = false;
  private pending: (() => Promise<void>) | null = null;
  private lastStart = -Infinity;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;

  constructor(
    private readonly minGapMs: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  run(task: () => Promise<void>): void {
    if (this.disposed) return;
    this.pending = task;
    this.pump();
  }

  dispose(): void {
    this.disposed = true;
    this.pending = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private pump(): void {
    if (this.running || this.timer || !this.pending || this.disposed) return;
    const wait = this.lastStart + this.minGapMs - this.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.pump();
      }, wait);
      return;
    }
    const task = this.pending;
    this.pending = null;
    this.running = true;
    this.lastStart = this.now();
    void task()
      .catch(() => undefined)
      .finally(() => {
        this.running = false;
        this.pump();
      });
  }
}
