/**
 * The math of the experiment plots (D3 scales, ticks, line paths, marker shapes) and number
 * formatting; the Svelte components draw the DOM from it.
 */
import {
  format,
  line,
  scaleLinear,
  scaleLog,
  symbol,
  symbolCircle,
  symbolCross,
  symbolDiamond,
  symbolSquare,
  symbolStar,
  symbolTriangle,
  symbolWye,
  type ScaleContinuousNumeric,
  type SymbolType,
} from 'd3';
import type { Axis, Point } from '../../../engine/experiments/types';

export type Scale = ScaleContinuousNumeric<number, number>;

/** Okabe–Ito colours (the app's CSS variables), dash patterns and marker shapes, by series index. */
const COLOURS = [
  'var(--c-blue)',
  'var(--c-orange)',
  'var(--c-green)',
  'var(--c-vermillion)',
  'var(--c-purple)',
  'var(--c-sky)',
  'var(--c-grey)',
];
const DASHES = ['', '8 4', '2 3', '10 3 2 3', '4 4', '1 3', '12 2'];
const SYMBOLS: SymbolType[] = [
  symbolCircle,
  symbolSquare,
  symbolTriangle,
  symbolDiamond,
  symbolCross,
  symbolWye,
  symbolStar,
];

export interface SeriesStyle {
  colour: string;
  dash: string;
  /** An SVG path of the marker, centred on (0, 0). */
  marker: string;
}

export function seriesStyle(index: number, markerSize = 56): SeriesStyle {
  const n = index % COLOURS.length;
  return {
    colour: COLOURS[n],
    dash: DASHES[n],
    marker: symbol(SYMBOLS[n], markerSize)() ?? '',
  };
}

/** A value the axis can place: finite, and positive on a log axis. */
export function drawable(axis: Axis, v: number | null): v is number {
  return v !== null && Number.isFinite(v) && (axis.scale !== 'log' || v > 0);
}

/**
 * A D3 scale for the axis over the values. `padded`: room above and below (a y axis); linear y axes
 * start at zero. Degenerate domains (one value, no value) are widened.
 */
export function makeScale(axis: Axis, values: number[], range: [number, number], padded: boolean): Scale {
  const finite = values.filter((v) => drawable(axis, v));
  if (axis.scale === 'log') {
    let lo = finite.length ? Math.min(...finite) : 1;
    let hi = finite.length ? Math.max(...finite) : 10;
    if (lo === hi) {
      lo /= 2;
      hi *= 2;
    }
    // No nice(): on a log axis it rounds out to whole decades, which can waste most of the plot.
    return scaleLog()
      .domain(padded ? [lo / 1.25, hi * 1.25] : [lo, hi])
      .range(range);
  }
  let lo = finite.length ? Math.min(...finite) : 0;
  let hi = finite.length ? Math.max(...finite) : 1;
  if (padded) {
    lo = Math.min(0, lo);
    hi = hi > 0 ? hi * 1.05 : hi;
  }
  if (lo === hi) {
    lo -= lo === 0 ? 0 : Math.abs(lo) / 2;
    hi += hi === 0 ? 1 : Math.abs(hi) / 2;
  }
  const s = scaleLinear().domain([lo, hi]).range(range);
  return padded ? s.nice() : s;
}

const SI = format('~s');
const PLAIN = format(',~g');

/** A tick label: SI prefixes from 10,000 up (20k, 1.5M), plain below (0.05, 500, 2,000). */
export function tickLabel(v: number): string {
  return Math.abs(v) >= 1e4 ? SI(v) : PLAIN(v);
}

/**
 * Ticks with labels. On a log axis the finest of 1–9 × 10ⁿ, 1, 2 and 5 × 10ⁿ, or powers of ten that
 * gives at most about `count` ticks (then every k-th power of ten).
 */
export function axisTicks(scale: Scale, axis: Axis, count: number): Array<{ value: number; label: string }> {
  if (axis.scale !== 'log') return scale.ticks(count).map((value) => ({ value, label: tickLabel(value) }));
  const all = scale.ticks();
  const mantissa = (v: number) => Math.round(v / 10 ** Math.floor(Math.log10(v) + 1e-9));
  const limit = Math.max(3, Math.round(count * 1.5));
  let ticks = all;
  for (const keep of [[1, 2, 5], [1]]) {
    if (ticks.length <= limit) break;
    ticks = all.filter((v) => keep.includes(mantissa(v)));
  }
  if (ticks.length > limit) {
    const every = Math.ceil(ticks.length / count);
    ticks = ticks.filter((_, i) => i % every === 0);
  }
  return ticks.map((value) => ({ value, label: tickLabel(value) }));
}

/** The SVG path of a series (gaps where a point has no value or cannot be drawn). */
export function seriesPath(points: readonly Point[], x: Scale, y: Scale, xAxis: Axis, yAxis: Axis): string {
  const sorted = [...points].sort((a, b) => a.x - b.x);
  return (
    line<Point>()
      .defined((p) => drawable(xAxis, p.x) && drawable(yAxis, p.y))
      .x((p) => x(p.x))
      .y((p) => y(p.y as number))(sorted) ?? ''
  );
}

/** A measured value for tooltips and the table: up to 4 significant digits, the language's separators. */
export function formatNumber(v: number | null | undefined, lang: string): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const abs = Math.abs(v);
  const digits = abs >= 1000 ? { maximumFractionDigits: 0 } : { maximumSignificantDigits: 4 };
  return new Intl.NumberFormat(lang, digits).format(v);
}

/** The index of the x value nearest to pixel `px`. */
export function nearestIndex(xs: readonly number[], scale: Scale, px: number): number {
  let best = -1;
  let bestDistance = Infinity;
  xs.forEach((x, i) => {
    const d = Math.abs(scale(x) - px);
    if (d < bestDistance) {
      bestDistance = d;
      best = i;
    }
  });
  return best;
}
