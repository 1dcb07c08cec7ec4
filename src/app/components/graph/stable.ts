/**
 * Keeping derived per-frame arrays stable: the graph recomputes what each subtask and channel shows on
 * every frame, but usually nothing changed. Returning the previous array (or the previous item objects)
 * lets Svelte skip every dependent update instead of re-running a template effect per channel per frame.
 */
export interface StableCache<T> {
  last: T[] | null;
}

export function stableCache<T>(): StableCache<T> {
  return { last: null };
}

/** `next`, with every item equal (by `eq`) to the previous one at its index replaced by that one; the previous array itself when all are. */
export function reuseEqual<T>(cache: StableCache<T>, next: T[], eq: (a: T, b: T) => boolean): T[] {
  const prev = cache.last;
  let same = prev !== null && prev.length === next.length;
  if (prev)
    for (let i = 0; i < next.length && i < prev.length; i++) {
      if (eq(prev[i], next[i])) next[i] = prev[i];
      else same = false;
    }
  const out = same && prev ? prev : next;
  cache.last = out;
  return out;
}
