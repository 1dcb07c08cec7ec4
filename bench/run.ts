/**
 * `npm run bench`: runs the registered benchmarks (bench/benchmarks.ts) and reports.
 *
 *   npm run bench                         aligned table on stdout
 *   npm run --silent bench -- --json      exactly one JSON object on stdout (--silent: no npm banner)
 *   npm run bench -- --quick              smaller inputs, fewer repeats (smoke run)
 *   npm run bench -- --only engine-throughput --repeats 7 --lines 200000
 *   npm run bench -- --list
 *
 * Progress goes to stderr. Every run writes ONE JSON report, to test-results/bench/latest.json
 * (git-ignored) or `--out FILE`, and ends the table with a short summary (one line per benchmark: its
 * headline figures and duration). A benchmark that throws (a failure or a wrong result) is recorded in
 * the report (`failed`, and its `error`), the others still run, and the exit code is 1. This is not a
 * timed test: nothing here runs under `npm test`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCHMARKS } from './benchmarks';
import type { BenchmarkResult, BenchOptions } from './suite';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_OUT = path.join(ROOT, 'test-results', 'bench', 'latest.json');

interface Cli {
  json: boolean;
  quick: boolean;
  list: boolean;
  help: boolean;
  only: string[] | null;
  repeats?: number;
  out: string;
  params: Map<string, string>;
}

function parseArgs(argv: string[]): Cli {
  const cli: Cli = {
    json: false,
    quick: false,
    list: false,
    help: false,
    only: null,
    out: DEFAULT_OUT,
    params: new Map(),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--json') cli.json = true;
    else if (a === '--quick') cli.quick = true;
    else if (a === '--list') cli.list = true;
    else if (a === '--help' || a === '-h') cli.help = true;
    else if (a === '--only')
      cli.only = value()
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else if (a === '--out') cli.out = path.resolve(value());
    else if (a === '--repeats') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) throw new Error('--repeats must be a positive integer');
      cli.repeats = n;
    } else if (a.startsWith('--')) cli.params.set(a.slice(2), value());
    else throw new Error(`unexpected argument '${a}' (try --help)`);
  }
  return cli;
}

function environment(): Record<string, unknown> {
  let commit: string | null = null;
  let dirty: boolean | null = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim();
    dirty =
      execFileSync('git', ['status', '--porcelain', '--', 'src'], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'ignore'],
      })
        .toString()
        .trim().length > 0;
  } catch {
    // not a git checkout: leave null
  }
  const cpus = os.cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()}`,
    arch: os.arch(),
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    totalMemoryMB: Math.round(os.totalmem() / 2 ** 20),
    gitCommit: commit,
    srcDirty: dirty,
  };
}

interface Outcome {
  name: string;
  durationMs: number;
  result: BenchmarkResult | null;
  error: string | null;
}

function headlineValue(v: number | boolean): string {
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return Number(v.toPrecision(3)).toLocaleString('en-US', { maximumFractionDigits: 6 });
}

/** One line per benchmark: its headline figures (or its error) and how long it took. */
function printSummary(outcomes: Outcome[], out: string): void {
  const nw = Math.max(...outcomes.map((o) => o.name.length));
  const lines = ['', `summary (report: ${path.relative(process.cwd(), out) || out})`];
  for (const o of outcomes) {
    const what = o.error
      ? `FAILED: ${o.error.split('\n')[0]}`
      : Object.entries(o.result?.headline ?? {})
          .map(([k, v]) => `${k} ${headlineValue(v)}`)
          .join(' · ') || 'ok';
    lines.push(`  ${o.name.padEnd(nw)}  ${`${(o.durationMs / 1000).toFixed(1)} s`.padStart(7)}  ${what}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

function printTable(results: BenchmarkResult[], env: Record<string, unknown>): void {
  const lines: string[] = [];
  lines.push(
    `Stream State Lab benchmarks — node ${String(env.node)}, ${String(env.cpus)} CPU (${String(env.cpuModel)})`,
  );
  for (const r of results) {
    lines.push('', r.name);
    const lw = Math.max(...r.rows.map((x) => x.label.length));
    const vw = Math.max(...r.rows.map((x) => x.value.length));
    for (const row of r.rows)
      lines.push(`  ${row.label.padEnd(lw)}  ${row.value.padStart(vw)}${row.note ? `   ${row.note}` : ''}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

async function main(): Promise<number> {
  const cli = parseArgs(process.argv.slice(2));
  if (cli.help) {
    process.stdout.write(
      'usage: npm run bench -- [--json] [--quick] [--only a,b] [--repeats N] [--out FILE] [--list] [--<param> value]\n',
    );
    return 0;
  }
  if (cli.list) {
    for (const b of BENCHMARKS) process.stdout.write(`${b.name.padEnd(20)} ${b.description}\n`);
    return 0;
  }
  const selected = cli.only ? BENCHMARKS.filter((b) => cli.only!.includes(b.name)) : BENCHMARKS;
  const unknown = (cli.only ?? []).filter((n) => !BENCHMARKS.some((b) => b.name === n));
  if (unknown.length > 0) throw new Error(`unknown benchmark(s): ${unknown.join(', ')} (see --list)`);

  const env = environment();
  const options: BenchOptions = {
    quick: cli.quick,
    repeats: cli.repeats,
    params: cli.params,
    log: (m) => process.stderr.write(m + '\n'),
  };
  const results: BenchmarkResult[] = [];
  const outcomes: Outcome[] = [];
  const report: Record<string, unknown> = {
    date: new Date().toISOString(),
    quick: cli.quick,
    environment: env,
  };
  const perBenchmark: Record<string, unknown> = {};
  const failed: string[] = [];
  for (const b of selected) {
    const t0 = performance.now();
    let r: BenchmarkResult;
    try {
      r = await b.run(options);
    } catch (e) {
      // Recorded, and the rest of the suite still runs; the exit code says it failed.
      const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
      const durationMs = Math.round(performance.now() - t0);
      process.stderr.write(`bench: ${b.name} failed: ${error}\n`);
      failed.push(b.name);
      perBenchmark[b.name] = { error, durationMs };
      outcomes.push({ name: b.name, durationMs, result: null, error });
      continue;
    }
    const durationMs = Math.round(performance.now() - t0);
    results.push(r);
    outcomes.push({ name: b.name, durationMs, result: r, error: null });
    perBenchmark[b.name] = { ...r.metrics, durationMs };
    for (const [k, v] of Object.entries(r.headline ?? {})) {
      if (k in report) throw new Error(`headline '${k}' of ${b.name} clashes with another field`);
      report[k] = v;
    }
  }
  report.failed = failed;
  report.benchmarks = perBenchmark;

  const json = JSON.stringify(report, null, 2);
  mkdirSync(path.dirname(cli.out), { recursive: true });
  writeFileSync(cli.out, json + '\n');
  if (cli.json) process.stdout.write(JSON.stringify(report) + '\n');
  else {
    printTable(results, env);
    printSummary(outcomes, cli.out);
  }
  return failed.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
