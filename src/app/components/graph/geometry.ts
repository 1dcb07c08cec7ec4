/**
 * Geometry for the graph and its animation: cubic Bézier paths sampled into an arc-length table, so
 * that "a fraction of the way along a channel" is a constant-speed position (and cheap to look up
 * hundreds of times per animation frame), plus the fit-to-view transform.
 */
export type Point = readonly [number, number];
/** Start, control 1, control 2, end. */
export type Bezier = readonly [Point, Point, Point, Point];

export interface SampledPath {
  /** Total arc length. */
  length: number;
  /** Sample i: xs[i], ys[i] at arc length ss[i] (ss[0] = 0, ss[n-1] = length). */
  xs: Float64Array;
  ys: Float64Array;
  ss: Float64Array;
}

export interface PathPoint {
  x: number;
  y: number;
  /** Direction of travel, radians. */
  angle: number;
}

const SAMPLES_PER_SEGMENT = 32;

export function bezierPoint(b: Bezier, t: number): Point {
  const u = 1 - t;
  const a = u * u * u;
  const c1 = 3 * u * u * t;
  const c2 = 3 * u * t * t;
  const d = t * t * t;
  return [
    a * b[0][0] + c1 * b[1][0] + c2 * b[2][0] + d * b[3][0],
    a * b[0][1] + c1 * b[1][1] + c2 * b[2][1] + d * b[3][1],
  ];
}

export function pathFromBeziers(beziers: readonly Bezier[]): SampledPath {
  const n = beziers.length * SAMPLES_PER_SEGMENT + 1;
  const xs = new Float64Array(Math.max(n, 1));
  const ys = new Float64Array(Math.max(n, 1));
  const ss = new Float64Array(Math.max(n, 1));
  if (beziers.length === 0) return { length: 0, xs, ys, ss };
  [xs[0], ys[0]] = beziers[0][0];
  let i = 1;
  for (const b of beziers) {
    for (let k = 1; k <= SAMPLES_PER_SEGMENT; k++) {
      const [x, y] = bezierPoint(b, k / SAMPLES_PER_SEGMENT);
      xs[i] = x;
      ys[i] = y;
      ss[i] = ss[i - 1] + Math.hypot(x - xs[i - 1], y - ys[i - 1]);
      i++;
    }
  }
  return { length: ss[n - 1], xs, ys, ss };
}

/** The point at arc length `s` (clamped to the path), by binary search in the sample table. */
export function pointAtLength(
  path: SampledPath,
  s: number,
  out: PathPoint = { x: 0, y: 0, angle: 0 },
): PathPoint {
  const { xs, ys, ss } = path;
  const n = ss.length;
  if (n < 2) {
    out.x = xs[0] ?? 0;
    out.y = ys[0] ?? 0;
    out.angle = 0;
    return out;
  }
  const target = Math.max(0, Math.min(path.length, s));
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (ss[mid] <= target) lo = mid;
    else hi = mid;
  }
  const span = ss[hi] - ss[lo];
  const f = span > 0 ? (target - ss[lo]) / span : 0;
  out.x = xs[lo] + (xs[hi] - xs[lo]) * f;
  out.y = ys[lo] + (ys[hi] - ys[lo]) * f;
  out.angle = Math.atan2(ys[hi] - ys[lo], xs[hi] - xs[lo]);
  return out;
}

export function pointAtFraction(path: SampledPath, f: number, out?: PathPoint): PathPoint {
  return pointAtLength(path, f * path.length, out);
}

/** Where an element is along its channel: (now − sent) / (arrival − sent), clamped to [0, 1]. */
export function progress(now: number, sendTime: number, arriveTime: number): number {
  if (Number.isNaN(sendTime)) return 0;
  const span = arriveTime - sendTime;
  if (!(span > 0)) return now >= arriveTime ? 1 : 0;
  return Math.max(0, Math.min(1, (now - sendTime) / span));
}

export interface ViewTransform {
  k: number;
  x: number;
  y: number;
}

/** Scale and centre a `width × height` drawing in a `viewWidth × viewHeight` view (never above maxScale). */
export function fitTransform(
  width: number,
  height: number,
  viewWidth: number,
  viewHeight: number,
  maxScale = 1.25,
): ViewTransform {
  if (width <= 0 || height <= 0 || viewWidth <= 0 || viewHeight <= 0) return { k: 1, x: 0, y: 0 };
  const k = Math.min(maxScale, viewWidth / width, viewHeight / height);
  return { k, x: (viewWidth - width * k) / 2, y: (viewHeight - height * k) / 2 };
}

/** No label of the graph may be smaller than this on screen, in CSS pixels. */
export const MIN_LABEL_PX = 11;
/** The smallest font size of any label drawn in the graph, in graph units (JobGraph's styles, the canvas). */
export const SMALLEST_LABEL_FONT = 11;
/** The initial view never scales the graph below this: every label stays ≥ MIN_LABEL_PX. */
export const MIN_FIT_SCALE = MIN_LABEL_PX / SMALLEST_LABEL_FONT;

export interface InitialView extends ViewTransform {
  /** The height the view takes for it. */
  viewHeight: number;
}

/**
 * The initial view of a `width × height` graph in a view `viewWidth` wide: as large as fits (up to
 * `maxScale`, and no taller than `maxHeight`), but never below `minScale` — a graph too wide for the
 * view at that scale shows its left part (the sources, where data enters) and is panned from there.
 * The view is as tall as the graph at that scale, within [minHeight, maxHeight].
 */
export function initialView(
  width: number,
  height: number,
  viewWidth: number,
  o: { minScale?: number; maxScale?: number; minHeight?: number; maxHeight?: number } = {},
): InitialView {
  const { minScale = MIN_FIT_SCALE, maxScale = 1.25, minHeight = 160, maxHeight = 520 } = o;
  if (width <= 0 || height <= 0 || viewWidth <= 0) return { k: 1, x: 0, y: 0, viewHeight: minHeight };
  const k = Math.max(minScale, Math.min(maxScale, viewWidth / width, maxHeight / height));
  const viewHeight = Math.round(Math.max(minHeight, Math.min(maxHeight, height * k)));
  return {
    k,
    x: width * k <= viewWidth ? (viewWidth - width * k) / 2 : 0,
    y: height * k <= viewHeight ? (viewHeight - height * k) / 2 : 0,
    viewHeight,
  };
}
