/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self time, the
 * most total (inclusive) time, and self time per source file.
 *
 *   npx tsx bench/tools/cpuprofile-top.ts FILE.cpuprofile [--top N] [--filter substring]
 *
 * Frames of a script with a source map next to it (`script.mjs.map`, as `bench/profile.ts` builds
 * them) are reported at their original TypeScript file and line.
 *
 * `--filter` keeps only samples whose stack contains a frame whose function name or file contains
 * the substring (e.g. `runToCompletion` to drop set-up and verification).
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  /** 0-based, in the generated code. */
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
if (!file) {
  process.stderr.write('usage: cpuprofile-top.ts FILE.cpuprofile [--top N] [--filter substring]\n');
  process.exit(2);
}
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const top = Number(opt('top') ?? 25);
const filter = opt('filter');

const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const byId = new Map<number, ProfileNode>();
const parent = new Map<number, number>();
for (const n of profile.nodes) byId.set(n.id, n);
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const cwd = process.cwd();
const maps = new Map<string, SourceMap | null>();
function sourceMapFor(url: string): SourceMap | null {
  let m = maps.get(url);
  if (m === undefined) {
    m = null;
    if (url.startsWith('file://')) {
      const mapFile = fileURLToPath(url) + '.map';
      if (existsSync(mapFile)) m = new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')));
    }
    maps.set(url, m);
  }
  return m;
}
function relative(u: string): string {
  u = u.replace(/^file:\/\//, '');
  const abs = path.resolve(u);
  return abs.startsWith(cwd) ? path.relative(cwd, abs) : u;
}
/** Original location of a frame: [file, 1-based line]. */
function location(f: CallFrame): [string, number] | null {
  if (!f.url) return null;
  const sm = sourceMapFor(f.url);
  if (sm) {
    const e = sm.findEntry(f.lineNumber, f.columnNumber) as {
      originalSource?: string;
      originalLine?: number;
    };
    if (e.originalSource)
      return [
        relative(
          path.resolve(path.dirname(fileURLToPath(f.url)), e.originalSource.replace(/^file:\/\//, '')),
        ),
        (e.originalLine ?? 0) + 1,
      ];
  }
  return [relative(f.url), f.lineNumber + 1];
}
function frameKey(f: CallFrame): string {
  const name = f.functionName || '(anonymous)';
  const loc = location(f);
  return loc ? `${name}  ${loc[0]}:${loc[1]}` : name;
}
function fileKey(f: CallFrame): string {
  const loc = location(f);
  if (!loc) return f.functionName.startsWith('(') ? f.functionName : '(native)';
  return loc[0].includes('node_modules') ? '(node_modules)' : loc[0];
}

const self = new Map<string, number>();
const total = new Map<string, number>();
const files = new Map<string, number>();
let sampled = 0;
let all = 0;
let gc = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000; // ms
  all += dt;
  const stack: CallFrame[] = [];
  for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parent.get(id))
    stack.push((byId.get(id) as ProfileNode).callFrame);
  if (stack[0].functionName === '(garbage collector)') gc += dt;
  if (filter && !stack.some((f) => f.functionName.includes(filter) || f.url.includes(filter))) continue;
  sampled += dt;
  const leaf = stack[0];
  self.set(frameKey(leaf), (self.get(frameKey(leaf)) ?? 0) + dt);
  files.set(fileKey(leaf), (files.get(fileKey(leaf)) ?? 0) + dt);
  const seen = new Set<string>();
  for (const f of stack) {
    const k = frameKey(f);
    if (seen.has(k)) continue;
    seen.add(k);
    total.set(k, (total.get(k) ?? 0) + dt);
  }
}

function print(title: string, m: Map<string, number>, n: number): void {
  process.stdout.write(`\n${title}\n`);
  const rows = [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
  for (const [k, ms] of rows)
    process.stdout.write(
      `  ${ms.toFixed(0).padStart(7)} ms  ${((ms / sampled) * 100).toFixed(1).padStart(5)}%  ${k}\n`,
    );
}
process.stdout.write(
  `${file}: ${all.toFixed(0)} ms sampled${filter ? `, ${sampled.toFixed(0)} ms under '${filter}'` : ''}; ` +
    `(garbage collector): ${gc.toFixed(0)} ms = ${((gc / all) * 100).toFixed(1)}% of all samples` +
    `${filter ? ' (GC samples have no JS stack, so the filter drops them)' : ''}\n`,
);
print('self time', self, top);
print('total (inclusive) time', total, top);
print('self time by file', files, 15);
