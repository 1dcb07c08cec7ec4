/**
 * Summarises a V8 sampling heap profile (.heapprofile, from bench/profile-alloc.ts): the allocation
 * sites (function, TypeScript file:line through the bundle's source map) with the most sampled bytes,
 * and the bytes per source file.
 *
 *   npx tsx bench/tools/heapprofile-top.ts FILE.heapprofile [--top N] [--per N]
 *
 * `--per N` also prints bytes per unit (e.g. the number of records of the sampled runs).
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface HeapNode {
  callFrame: CallFrame;
  selfSize: number;
  id: number;
  children: HeapNode[];
}

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
if (!file) {
  process.stderr.write('usage: heapprofile-top.ts FILE.heapprofile [--top N] [--per N]\n');
  process.exit(2);
}
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const top = Number(opt('top') ?? 25);
const per = opt('per') ? Number(opt('per')) : null;
const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode };

const cwd = process.cwd();
const maps = new Map<string, SourceMap | null>();
function location(f: CallFrame): string {
  if (!f.url) return '';
  let sm = maps.get(f.url);
  if (sm === undefined) {
    sm = null;
    if (f.url.startsWith('file://')) {
      const mapFile = fileURLToPath(f.url) + '.map';
      if (existsSync(mapFile)) sm = new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')));
    }
    maps.set(f.url, sm);
  }
  let where = f.url.replace(/^file:\/\//, '');
  let line = f.lineNumber + 1;
  if (sm) {
    const e = sm.findEntry(f.lineNumber, f.columnNumber) as {
      originalSource?: string;
      originalLine?: number;
    };
    if (e.originalSource) {
      where = path.resolve(path.dirname(fileURLToPath(f.url)), e.originalSource.replace(/^file:\/\//, ''));
      line = (e.originalLine ?? 0) + 1;
    }
  }
  const abs = path.resolve(where);
  return `${abs.startsWith(cwd) ? path.relative(cwd, abs) : where}:${line}`;
}

const sites = new Map<string, number>();
const files = new Map<string, number>();
let totalBytes = 0;
(function walk(n: HeapNode): void {
  if (n.selfSize > 0) {
    const loc = location(n.callFrame);
    const key = `${n.callFrame.functionName || '(anonymous)'}  ${loc}`;
    sites.set(key, (sites.get(key) ?? 0) + n.selfSize);
    const f = loc ? loc.replace(/:\d+$/, '') : n.callFrame.functionName;
    files.set(f, (files.get(f) ?? 0) + n.selfSize);
    totalBytes += n.selfSize;
  }
  for (const c of n.children) walk(c);
})(head);

function print(title: string, m: Map<string, number>, n: number): void {
  process.stdout.write(`\n${title}\n`);
  for (const [k, b] of [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n))
    process.stdout.write(
      `  ${(b / 1e6).toFixed(1).padStart(8)} MB  ${((b / totalBytes) * 100).toFixed(1).padStart(5)}%` +
        `${per ? `  ${(b / per).toFixed(1).padStart(7)} B/unit` : ''}  ${k}\n`,
    );
}
process.stdout.write(`${file}: ${(totalBytes / 1e6).toFixed(1)} MB sampled\n`);
print('allocation sites (self)', sites, top);
print('by file', files, 15);
