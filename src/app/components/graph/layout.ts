/**
 * The job graph's layout: pure math, no DOM. Job vertices — operator chains, as Flink's Web UI draws
 * them: one box per chain, its chained operators listed inside under the head's name — are laid out
 * left to right by d3-dag's sugiyama (layers = topological depth), each box is expanded into one row
 * per subtask, and
 * every channel (subtask -> subtask) gets a path made of cubic Bézier segments from the sender's
 * right edge to the receiver's left edge.
 *
 * The operator graph is derived from the channels (always present); `operators` only adds names,
 * kinds, partitioners and processing times when the host sends them.
 */
import { coordSimplex, decrossTwoLayer, graphStratify, layeringLongestPath, sugiyama } from 'd3-dag';
import type { ChannelInfo, OperatorInfo, TaskInfo } from '../../../worker/protocol';
import { pathFromBeziers, type Bezier, type Point, type SampledPath } from './geometry';

export type Partitioner = OperatorInfo['inputs'][number]['partitioner'];

export interface LayoutInput {
  tasks: readonly TaskInfo[];
  channels: readonly ChannelInfo[];
  /** May be missing while the host does not send it yet. */
  operators?: readonly OperatorInfo[] | null;
}

export interface OperatorBox {
  uid: string;
  name: string;
  /** The name wrapped to the box's width. */
  nameLines: string[];
  kind: OperatorInfo['kind'] | null;
  parallelism: number;
  processingTimeMs: number | null;
  keyed: boolean;
  /** The operators chained after the head (none without chaining): drawn inside the box. */
  chained: Array<{ uid: string; name: string }>;
  /** Height of the header (names, chained operators, details) above the subtask rows. */
  headerHeight: number;
  /** Top-left corner and size, in graph coordinates. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** Topological layer (column), 0 = sources. */
  layer: number;
}

export interface SubtaskBox {
  id: string;
  operatorUid: string;
  index: number;
  /** Position of the task in LoadInfo.tasks (and so in FrameUpdate.taskStatuses). */
  taskIndex: number;
  label: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ChannelPath {
  id: string;
  /** Index in LoadInfo.channels (= the channel field of FrameUpdate.inFlight). */
  index: number;
  from: string;
  to: string;
  partitioner: Partitioner | null;
  /** SVG path data. */
  d: string;
  path: SampledPath;
}

export interface OperatorEdge {
  from: string;
  to: string;
  partitioner: Partitioner | null;
  /** The side output (OutputTag id) the edge carries, e.g. a window's late data; null: the main output. */
  sideOutput: string | null;
  /** Into a two-input operator (connect, broadcast state, interval join): input 1 or 2; else null. */
  input: 1 | 2 | null;
  /** Where a label for the edge goes (between the two boxes). */
  labelAt: Point;
}

export interface GraphLayout {
  width: number;
  height: number;
  operators: OperatorBox[];
  subtasks: SubtaskBox[];
  channels: ChannelPath[];
  edges: OperatorEdge[];
}

/** Two lines of operator name and one of details (parallelism, cost, the "slow" toggle). */
export const HEADER_HEIGHT = 50;
/** A subtask row: its label, and its status under it. */
export const ROW_HEIGHT = 32;
export const ROW_GAP = 5;
export const BOX_PADDING = 8;
/**
 * Horizontal room between two columns: the channels live there (records move and queue up on them).
 * Kept as short as that allows: the graph is shown at 100 % or more (labels ≥ 11 px, geometry.ts), so
 * its width decides whether a four-operator job fits a laptop's graph column without panning.
 */
export const LAYER_GAP = 80;
export const ACROSS_GAP = 32;
export const MARGIN = 16;
/** Narrow boxes keep the graph legible in a half-screen column: names wrap onto two lines. */
const MIN_WIDTH = 150;
const MAX_WIDTH = 200;
/** A rough width per character of the bold 11.5px header font (no text measuring in a pure module). */
const CHAR_WIDTH = 7;
const NAME_LINES = 2;

/** One line per operator chained after the head. */
export const CHAINED_LINE_HEIGHT = 16;

export function headerHeight(chained: number): number {
  return HEADER_HEIGHT + chained * CHAINED_LINE_HEIGHT;
}

export function operatorHeight(parallelism: number, chained = 0): number {
  return headerHeight(chained) + parallelism * (ROW_HEIGHT + ROW_GAP) + BOX_PADDING - ROW_GAP;
}

/** Wide enough for the longest word of the name (the rest wraps). */
export function operatorWidth(name: string): number {
  const longest = Math.max(0, ...name.split(/\s+/).map((w) => w.length));
  return Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, longest * CHAR_WIDTH + 2 * BOX_PADDING));
}

/** The name word-wrapped into at most two lines of the box's width; an ellipsis if it does not fit. */
export function nameLines(name: string, width: number): string[] {
  const max = Math.max(4, Math.floor((width - 2 * BOX_PADDING) / CHAR_WIDTH));
  const lines: string[] = [];
  let line = '';
  for (const word of name.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (next.length <= max || !line) line = next;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  if (lines.length > NAME_LINES) {
    const kept = lines.slice(0, NAME_LINES);
    kept[NAME_LINES - 1] = `${kept[NAME_LINES - 1].slice(0, max - 1)}…`;
    return kept;
  }
  return lines.map((l) => (l.length > max ? `${l.slice(0, max - 1)}…` : l));
}

interface OpDatum {
  id: string;
  parentIds: string[];
  width: number;
  height: number;
}

/** Operators in first-seen task order, with what the tasks and (optionally) `operators` tell. */
function collectOperators(input: LayoutInput): Map<string, Omit<OperatorBox, 'x' | 'y' | 'layer'>> {
  const infos = new Map((input.operators ?? []).map((o) => [o.uid, o]));
  const ops = new Map<string, Omit<OperatorBox, 'x' | 'y' | 'layer'>>();
  for (const t of input.tasks) {
    if (ops.has(t.operatorUid)) continue;
    const info = infos.get(t.operatorUid);
    const name = info?.name ?? t.operatorName;
    const chained = (t.operators ?? []).slice(1).map((o) => ({ uid: o.uid, name: o.name }));
    const width = Math.max(operatorWidth(name), ...chained.map((o) => operatorWidth(`→ ${o.name}`)));
    ops.set(t.operatorUid, {
      uid: t.operatorUid,
      name,
      nameLines: nameLines(name, width),
      kind: info?.kind ?? null,
      parallelism: info?.parallelism ?? t.parallelism,
      processingTimeMs: info?.processingTimeMs ?? null,
      keyed: info?.keyed ?? false,
      chained,
      headerHeight: headerHeight(chained.length),
      width,
      height: operatorHeight(t.parallelism, chained.length),
    });
  }
  return ops;
}

export function computeLayout(input: LayoutInput): GraphLayout {
  const ops = collectOperators(input);
  const taskOp = new Map(input.tasks.map((t) => [t.id, t.operatorUid]));
  const parents = new Map<string, Set<string>>([...ops.keys()].map((uid) => [uid, new Set<string>()]));
  for (const c of input.channels) {
    const from = taskOp.get(c.from);
    const to = taskOp.get(c.to);
    if (from && to && from !== to) parents.get(to)?.add(from);
  }
  if (ops.size === 0) return { width: 0, height: 0, operators: [], subtasks: [], channels: [], edges: [] };

  const data: OpDatum[] = [...ops.values()].map((o) => ({
    id: o.uid,
    parentIds: [...(parents.get(o.uid) ?? [])],
    width: o.width,
    height: o.height,
  }));
  const dag = graphStratify()(data);
  // d3-dag lays layers out top to bottom; we lay it out with swapped sizes and swap x/y after,
  // so that the layers become columns (data flows left to right as in Flink's Web UI).
  const layout = sugiyama()
    .layering(layeringLongestPath())
    .decross(decrossTwoLayer())
    .coord(coordSimplex())
    .nodeSize((n: { data: OpDatum }) => [n.data.height, n.data.width] as const)
    .gap([ACROSS_GAP, LAYER_GAP]);
  const size = layout(dag);

  const boxes = new Map<string, OperatorBox>();
  const layerYs = [...new Set([...dag.nodes()].map((n) => n.y))].sort((a, b) => a - b);
  for (const n of dag.nodes()) {
    const o = ops.get(n.data.id);
    if (!o) continue;
    boxes.set(o.uid, {
      ...o,
      x: MARGIN + n.y - o.width / 2,
      y: MARGIN + n.x - o.height / 2,
      layer: layerYs.indexOf(n.y),
    });
  }
  const linkPoints = new Map<string, Point[]>();
  for (const link of dag.links()) {
    linkPoints.set(
      `${link.source.data.id}->${link.target.data.id}`,
      link.points.map(([x, y]) => [MARGIN + y, MARGIN + x] as Point),
    );
  }

  const subtasks: SubtaskBox[] = [];
  const byTask = new Map<string, SubtaskBox>();
  input.tasks.forEach((t, taskIndex) => {
    const box = boxes.get(t.operatorUid);
    if (!box) return;
    const s: SubtaskBox = {
      id: t.id,
      operatorUid: t.operatorUid,
      index: t.subtaskIndex,
      taskIndex,
      label: `${t.operatorUid} #${t.subtaskIndex}`,
      x: box.x + BOX_PADDING,
      y: box.y + box.headerHeight + t.subtaskIndex * (ROW_HEIGHT + ROW_GAP),
      width: box.width - 2 * BOX_PADDING,
      height: ROW_HEIGHT,
    };
    subtasks.push(s);
    byTask.set(t.id, s);
  });

  const partitioners = new Map<string, Partitioner>();
  const sideOutputs = new Map<string, string>();
  const inputNumbers = new Map<string, 1 | 2>();
  for (const o of input.operators ?? [])
    for (const inp of o.inputs) {
      partitioners.set(`${inp.uid}->${o.uid}`, inp.partitioner);
      if (inp.sideOutput) sideOutputs.set(`${inp.uid}->${o.uid}`, inp.sideOutput);
      if (inp.input) inputNumbers.set(`${inp.uid}->${o.uid}`, inp.input);
    }

  // Ports: the channels leaving (or entering) one subtask fan out over its row's height, so that
  // an all-to-all exchange reads as separate lines rather than one bundle.
  const outs = groupIndices(input.channels, (c) => c.from);
  const ins = groupIndices(input.channels, (c) => c.to);

  const channels: ChannelPath[] = [];
  input.channels.forEach((c, index) => {
    const a = byTask.get(c.from);
    const b = byTask.get(c.to);
    if (!a || !b) return;
    const start: Point = [a.x + a.width, a.y + a.height / 2 + portOffset(outs, c.from, index, a.height)];
    const end: Point = [b.x, b.y + b.height / 2 + portOffset(ins, c.to, index, b.height)];
    const key = `${a.operatorUid}->${b.operatorUid}`;
    // A link that skips layers bends through d3-dag's dummy nodes: follow them, shifted by this
    // channel's own offset from the operators' centre line.
    const ca = boxes.get(a.operatorUid);
    const cb = boxes.get(b.operatorUid);
    const offset = ca && cb ? (start[1] - (ca.y + ca.height / 2) + (end[1] - (cb.y + cb.height / 2))) / 2 : 0;
    const inner = (linkPoints.get(key) ?? []).slice(1, -1).map(([x, y]) => [x, y + offset] as Point);
    const beziers = smoothThrough([start, ...inner, end]);
    const path = pathFromBeziers(beziers);
    channels.push({
      id: c.id,
      index,
      from: c.from,
      to: c.to,
      partitioner: partitioners.get(key) ?? null,
      d: bezierPathData(beziers),
      path,
    });
  });

  const edges: OperatorEdge[] = [];
  for (const [to, from] of parents) {
    const b = boxes.get(to);
    for (const f of from) {
      const a = boxes.get(f);
      if (!a || !b) continue;
      edges.push({
        from: f,
        to,
        partitioner: partitioners.get(`${f}->${to}`) ?? null,
        sideOutput: sideOutputs.get(`${f}->${to}`) ?? null,
        input: inputNumbers.get(`${f}->${to}`) ?? null,
        labelAt: [(a.x + a.width + b.x) / 2, Math.min(a.y, b.y) - 6],
      });
    }
  }

  return {
    width: size.height + 2 * MARGIN,
    height: size.width + 2 * MARGIN,
    operators: [...boxes.values()],
    subtasks,
    channels,
    edges,
  };
}

function groupIndices(
  channels: readonly ChannelInfo[],
  by: (c: ChannelInfo) => string,
): Map<string, number[]> {
  const m = new Map<string, number[]>();
  channels.forEach((c, i) => {
    const k = by(c);
    const list = m.get(k);
    if (list) list.push(i);
    else m.set(k, [i]);
  });
  return m;
}

function portOffset(groups: Map<string, number[]>, task: string, index: number, height: number): number {
  const list = groups.get(task) ?? [];
  const n = list.length;
  if (n <= 1) return 0;
  const step = Math.min(7, (height - 10) / (n - 1));
  return (list.indexOf(index) - (n - 1) / 2) * step;
}

/** Horizontal-tangent cubic segments through the points (a left-to-right "link" curve per hop). */
export function smoothThrough(points: readonly Point[]): Bezier[] {
  const out: Bezier[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const p0 = points[i];
    const p3 = points[i + 1];
    const dx = Math.max(20, (p3[0] - p0[0]) / 2);
    out.push([p0, [p0[0] + dx, p0[1]], [p3[0] - dx, p3[1]], p3]);
  }
  return out;
}

export function bezierPathData(beziers: readonly Bezier[]): string {
  if (beziers.length === 0) return '';
  const f = (p: Point) => `${round(p[0])},${round(p[1])}`;
  let d = `M${f(beziers[0][0])}`;
  for (const [, c1, c2, p] of beziers) d += `C${f(c1)} ${f(c2)} ${f(p)}`;
  return d;
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}
