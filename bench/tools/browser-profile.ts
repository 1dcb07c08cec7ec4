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
  /** Thread (CPU) time of the event, µs: unlike `dur`, not stretched when the OS deschedules the thread. */
  tdur?: number;
  pid: number;
  tid: number;
  args?: { name?: string };
}

/**
 * CPU time per event name (self, by thread clock) on the busiest renderer main thread, as shares of the
 * trace's wall-clock window; `cpuPct`: the thread's CPU time in tasks over the window (100 % = one core
 * all the time). Thread time, not wall time: on a machine shared with other processes a task's wall
 * time includes the time the OS ran someone else, its thread time does not.
 */
export interface TraceSummary {
  windowMs: number;
  /** Main-thread CPU time over the window, percent of one core. */
  cpuPct: number;
  /** Frames the main thread produced in the window (BeginMainFrame events), and its CPU per frame. */
  frames: number;
  cpuMsPerFrame: number;
  /** The longest top-level task by CPU time, and how many took over 50 ms of CPU. */
  longestTaskCpuMs: number;
  tasksOver50CpuMs: number;
  events: Share[];
}

export function traceTop(json: string, top = 15): TraceSummary {
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
  if (list.length === 0)
    return {
      windowMs: 0,
      cpuPct: 0,
      frames: 0,
      cpuMsPerFrame: 0,
      longestTaskCpuMs: 0,
      tasksOver50CpuMs: 0,
      events: [],
    };
  list.sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const self = new Map<string, number>();
  const stack: Array<{ end: number; name: string }> = [];
  const cpu = (e: TraceEvent) => e.tdur ?? e.dur ?? 0;
  let busy = 0;
  let frames = 0;
  let longest = 0;
  let over50 = 0;
  for (const e of list) {
    // One per frame the main thread produced (FireAnimationFrame is one per rAF callback: two here).
    if (e.name === 'WebFrameWidgetImpl::BeginMainFrame') frames++;
    const end = e.ts + (e.dur ?? 0);
    while (stack.length && stack[stack.length - 1].end <= e.ts) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - cpu(e));
    // A timer that spans the whole trace (tracing's own) is not work of the page.
    else if (e.name !== 'TimerBase::run' || (e.dur ?? 0) < 1_000_000) {
      busy += cpu(e);
      longest = Math.max(longest, cpu(e));
      if (cpu(e) > 50_000) over50++;
    }
    self.set(e.name, (self.get(e.name) ?? 0) + cpu(e));
    stack.push({ end, name: e.name });
  }
  const windowUs = list[list.length - 1].ts + (list[list.length - 1].dur ?? 0) - list[0].ts;
  return {
    windowMs: round1(windowUs / 1000),
    cpuPct: round1((100 * busy) / windowUs),
    frames,
    cpuMsPerFrame: frames ? round1(busy / frames / 1000) : 0,
    longestTaskCpuMs: round1(longest / 1000),
    tasksOver50CpuMs: over50,
    events: [...self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: round1(us / 1000), pct: round1((100 * us) / windowUs) })),
  };
}
