/**
 * The Experiments routes, in the URL's hash like the lessons' (see ../lessons/route.ts):
 *
 *     #/experiments               the Experiments view (the first experiment)
 *     #/experiments/backpressure  one experiment
 *
 * `parseExperimentsRoute` returns null for every other hash (the simulator and lessons routes).
 */
export interface ExperimentsRoute {
  /** The experiment named in the URL, or null (the first one). */
  id: string | null;
}

export function parseExperimentsRoute(hash: string): ExperimentsRoute | null {
  let h: string;
  try {
    h = decodeURIComponent(hash.replace(/^#/, ''));
  } catch {
    return null;
  }
  const m = /^\/experiments(?:\/([a-z0-9-]{1,64}))?\/?$/.exec(h);
  if (!m) return null;
  return { id: m[1] ?? null };
}

export function experimentsHash(id: string | null): string {
  return id ? `#/experiments/${encodeURIComponent(id)}` : '#/experiments';
}
