/**
 * CPU profile of the engine side of engine-throughput, reported at TypeScript file:line.
 *
 *   npx tsx bench/profile.ts [runs=3] [--no-inline]
 *   npx tsx bench/profile.ts --alloc [runs=1]     allocation sites instead (bench/profile-alloc.ts)
 *
 * Bundles bench/profile-engine.ts with esbuild (not minified, with a source map; esbuild comes with
 * tsx), runs it under `node --cpu-prof`, and prints bench/tools/cpuprofile-top.ts's summary of the
 * samples under `runToCompletion`. `--no-inline` adds V8's `--max-inlined-bytecode-size=0`, which
 * slows everything down but charges each function its own time instead of its caller's; use it to
 * split a big "self time" entry, not for absolute figures. Output: test-results/bench/prof/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'test-results', 'bench', 'prof');
const args = process.argv.slice(2);
const noInline = args.includes('--no-inline');
const alloc = args.includes('--alloc');
const runs = args.find((a) => !a.startsWith('--')) ?? (alloc ? '1' : '3');

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const bundle = path.join(OUT, 'profile-engine.mjs');
execFileSync(
  path.join(ROOT, 'node_modules', '.bin', 'esbuild'),
  [
    path.join(ROOT, 'bench', alloc ? 'profile-alloc.ts' : 'profile-engine.ts'),
    '--bundle',
    '--platform=node',
    '--format=esm',
    '--target=node20',
    '--sourcemap',
    '--log-level=warning',
    `--outfile=${bundle}`,
  ],
  { stdio: 'inherit' },
);
if (alloc) {
  const heapProfile = path.join(OUT, 'engine.heapprofile');
  execFileSync(process.execPath, [bundle, runs, heapProfile], { stdio: 'inherit' });
  execFileSync(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'bench', 'tools', 'heapprofile-top.ts'), heapProfile, '--top', '30'],
    { stdio: 'inherit', cwd: ROOT },
  );
  process.exit(0);
}
const nodeFlags = ['--cpu-prof', `--cpu-prof-dir=${OUT}`];
if (noInline) nodeFlags.push('--max-inlined-bytecode-size=0');
execFileSync(process.execPath, [...nodeFlags, bundle, runs], { stdio: 'inherit' });
const prof = readdirSync(OUT).find((f) => f.endsWith('.cpuprofile'));
if (!prof) throw new Error('no .cpuprofile written');
execFileSync(
  process.execPath,
  [
    '--import',
    'tsx',
    path.join(ROOT, 'bench', 'tools', 'cpuprofile-top.ts'),
    path.join(OUT, prof),
    '--filter',
    'runToCompletion',
    '--top',
    '30',
  ],
  { stdio: 'inherit', cwd: ROOT },
);
