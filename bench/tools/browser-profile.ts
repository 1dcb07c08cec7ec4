/**
 * Summaries of what the browser's main thread did, for the UI benchmark (`bench/ui.ts --profile 1`):
 *
 * - a V8 CPU profile (CDP `Profiler`) of the page: self time per function, located at the original
 *   source file and line through the build's source maps (`dist/assets/*.js.map`), as shares of all
 *   samples — so that a loaded machine (which slows everything alike) still shows where the time goes;
 * - a Chromium performance trace (CDP `Tracing`, `devtools.timeline`): self time per trace event on
 *   the renderer's main thread (`UpdateLayoutTree` = style, `Layout`, `Paint`, `FunctionCall`, GC…),
 *   which the CPU profile lumps together as "(program)".
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface Share {
  name: string;
  /** Share of the window, percent. */
  pct: number;
  ms: number;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** Self time per function (and the idle / GC / program pseudo-frames), largest first. */
export function cpuProfileTop(profile: CpuProfile, distDir: string, top = 15): Share[] {
  const maps = new Map<string, SourceMap | null>();
  const mapFor = (url: string): SourceMap | null => {
    let m = maps.get(url);
    if (m !== undefined) return m;
    m = null;
    try {
      const file = path.join(distDir, new URL(url).pathname);
      if (existsSync(`${file}.map`)) m = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
    } catch {
      // not a URL of the built app
    }
    maps.set(url, m);
    return m;
  };
  const label = (f: CallFrame): string => {
    if (!f.url) return f.functionName || '(anonymous)';
    const sm = mapFor(f.url);
    const entry = sm?.findEntry(f.lineNumber, f.columnNumber) as
      { originalSource?: string; originalLine?: number; name?: string } | undefined;
    if (entry?.originalSource) {
      const src = entry.originalSource.replace(/^(\.\.\/)+/, '');
      return `${entry.name ?? (f.functionName || '(anonymous)')} ${src}:${(entry.originalLine ?? 0) + 1}`;
    }
    return `${f.functionName || '(anonymous)'} ${f.url.replace(/^https?:\/\/[^/]+\//, '')}`;
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000;
    const n = byId.get(id);
    if (!n) return;
    const key = label(n.callFrame);
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ms]) => ({ name, ms: round1(ms), pct: round1((100 * ms) / total) }));
}

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string };
}

/**
 * Self time per event name on the busiest renderer main thread, over the trace's window; plus
 * `busyPct`: the share of the window the thread spent in tasks at all.
 */
export function traceTop(json: string, top = 15): { windowMs: number; busyPct: number; events: Share[] } {
  const events = (JSON.parse(json) as { traceEvents: TraceEvent[] }).traceEvents;
  const mains = new Set(
    events
      .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const perThread = new Map<string, TraceEvent[]>();
  for (const e of events) {
    const key = `${e.pid}:${e.tid}`;
    if (e.ph !== 'X' || e.dur === undefined || !mains.has(key)) continue;
    (perThread.get(key) ?? perThread.set(key, []).get(key)!).push(e);
  }
  const [, list] = [...perThread].sort((a, b) => b[1].length - a[1].length)[0] ?? ['', []];
  if (list.length === 0) return { windowMs: 0, busyPct: 0, events: [] };
  list.sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const self = new Map<string, number>();
  const stack: Array<{ end: number; name: string }> = [];
  let busy = 0;
  for (const e of list) {
    const end = e.ts + (e.dur ?? 0);
    while (stack.length && stack[stack.length - 1].end <= e.ts) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - (e.dur ?? 0));
    else busy += e.dur ?? 0;
    self.set(e.name, (self.get(e.name) ?? 0) + (e.dur ?? 0));
    stack.push({ end, name: e.name });
  }
  const windowUs = list[list.length - 1].ts + (list[list.length - 1].dur ?? 0) - list[0].ts;
  return {
    windowMs: round1(windowUs / 1000),
    busyPct: round1((100 * busy) / windowUs),
    events: [...self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: round1(us / 1000), pct: round1((100 * us) / windowUs) })),
  };
}
