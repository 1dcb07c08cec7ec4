/**
 * UI benchmark, in headless Chromium (Debian's /usr/bin/chromium) on the built app:
 *
 * - frame times while ≥ 500 elements are in flight: the Visits scenario with a slow `count` operator
 *   (`p.count=8&pt.count=20` in the permalink: backpressure fills 32 channels), playing at real time. Measured as
 *   the intervals between requestAnimationFrame callbacks (goal p95 ≤ 20 ms) and the main thread's long
 *   tasks (goal: none over 50 ms). Baseline, in the same run and browser: the same rAF loop on an empty
 *   page — the ratio says what the app costs over the browser's own frame pacing.
 * - the gzipped size of the initial JavaScript (what index.html loads before the app can run; the
 *   engine worker is fetched afterwards and reported separately). Goal ≤ 250 KB.
 *
 * `npx tsx bench/ui.ts [--seconds N]` prints the figures as JSON.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { DIST_DIR, ensureBuilt, launchChromium, startPreviewServer } from '../test/e2e/harness.ts';
import { numberParam, type Benchmark } from './suite';

export const FRAME_P95_GOAL_MS = 20;
export const LONG_TASK_GOAL_MS = 50;
export const INITIAL_JS_GOAL_KB = 250;
const MIN_IN_FLIGHT = 500;

interface FrameStats {
  frames: number;
  p50: number;
  p95: number;
  max: number;
  longTasks: number;
  longestTaskMs: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** rAF intervals and long tasks on `page` for `seconds`; `sample` runs each frame (in-flight counts). */
async function measureFrames(page: Page, seconds: number): Promise<FrameStats & { inFlight: number[] }> {
  // A string, not a function: tsx would wrap a function's inner closures in a helper the page lacks.
  const raw = (await page.evaluate(`(async (ms) => {
    const longTasks = [];
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longTasks.push(e.duration);
    });
    observer.observe({ type: 'longtask', buffered: false });
    const intervals = [];
    const inFlight = [];
    await new Promise((resolve) => {
      let last = performance.now();
      const end = last + ms;
      const tick = (t) => {
        intervals.push(t - last);
        last = t;
        const el = document.querySelector('[data-testid="inflight-records"]');
        if (el) inFlight.push(Number(el.textContent));
        if (t < end) requestAnimationFrame(tick);
        else resolve();
      };
      requestAnimationFrame(tick);
    });
    observer.disconnect();
    return { intervals: intervals.slice(1), longTasks, inFlight };
  })(${seconds * 1000})`)) as { intervals: number[]; longTasks: number[]; inFlight: number[] };
  const sorted = [...raw.intervals].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    frames: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
    longTasks: raw.longTasks.filter((d) => d > LONG_TASK_GOAL_MS).length,
    longestTaskMs: round(Math.max(0, ...raw.longTasks)),
    inFlight: raw.inFlight,
  };
}

/** Gzipped bytes of the scripts index.html loads (module entry + modulepreloads), and of the worker. */
export function bundleSizes(distDir = DIST_DIR): {
  initialJsGzipBytes: number;
  workerGzipBytes: number;
  files: string[];
} {
  const html = readFileSync(path.join(distDir, 'index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="\/?([^"]+\.js)"/g)].map((m) => m[1]);
  const gz = (file: string) => gzipSync(readFileSync(path.join(distDir, file)), { level: 9 }).length;
  const initial = files.reduce((n, f) => n + gz(f), 0);
  // The worker is a separate chunk: find it through the entry's `new URL(..., import.meta.url)`.
  const entry = files.map((f) => readFileSync(path.join(distDir, f), 'utf8')).join('\n');
  const worker = /assets\/engine\.worker-[\w-]+\.js/.exec(entry)?.[0];
  return { initialJsGzipBytes: initial, workerGzipBytes: worker ? gz(worker) : 0, files };
}

export async function run(
  options: { seconds?: number } = {},
): Promise<Record<string, number | string | boolean>> {
  const seconds = options.seconds ?? 5;
  await ensureBuilt();
  const sizes = bundleSizes();
  const app = await startPreviewServer();
  try {
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      // Baseline: the browser's own frame pacing on an empty page, same browser, same run.
      await page.setContent('<!doctype html><title>baseline</title><body></body>');
      const baseline = await measureFrames(page, seconds);

      await page.goto(new URL('/?scenario=visits&seed=1&p.count=8&pt.count=20&speed=1000', app.url).href);
      const play = page.getByTestId('play');
      await play.waitFor({ timeout: 20_000 });
      await page.waitForFunction(
        () => !(document.querySelector('[data-testid="play"]') as HTMLButtonElement | null)?.disabled,
      );
      await play.click();
      await page.waitForFunction(
        (min) => Number(document.querySelector('[data-testid="inflight-records"]')?.textContent) >= min,
        MIN_IN_FLIGHT,
        { timeout: 30_000 },
      );
      const appFrames = await measureFrames(page, seconds);
      const inFlight = [...appFrames.inFlight].sort((a, b) => a - b);
      await context.close();
      const result = {
        browser: `chromium ${browser.version()}`,
        seconds,
        inFlightMin: inFlight[0] ?? 0,
        inFlightMedian: percentile(inFlight, 50),
        appFrames: appFrames.frames,
        appFrameP50Ms: appFrames.p50,
        appFrameP95Ms: appFrames.p95,
        appFrameMaxMs: appFrames.max,
        appLongTasksOver50Ms: appFrames.longTasks,
        appLongestTaskMs: appFrames.longestTaskMs,
        baselineFrameP50Ms: baseline.p50,
        baselineFrameP95Ms: baseline.p95,
        frameP95VsBaseline: Math.round((appFrames.p95 / baseline.p95) * 100) / 100,
        frameP95GoalMet: appFrames.p95 <= FRAME_P95_GOAL_MS,
        longTaskGoalMet: appFrames.longTasks === 0,
        initialJsGzipKB: Math.round(sizes.initialJsGzipBytes / 102.4) / 10,
        workerJsGzipKB: Math.round(sizes.workerGzipBytes / 102.4) / 10,
        initialJsGoalMet: sizes.initialJsGzipBytes <= INITIAL_JS_GOAL_KB * 1024,
      };
      if ((inFlight[0] ?? 0) < MIN_IN_FLIGHT)
        throw new Error(
          `only ${inFlight[0]} elements in flight during the measurement: not the load the goal is about`,
        );
      return result;
    } finally {
      await browser.close();
    }
  } finally {
    await app.close();
  }
}

export const uiBenchmark: Benchmark = {
  name: 'ui',
  description: 'The app in headless Chromium: frame times with ≥ 500 elements in flight, initial JS size',
  async run(options) {
    const metrics = await run({ seconds: numberParam(options, 'seconds', options.quick ? 2 : 5) });
    return {
      name: 'ui',
      rows: Object.entries(metrics).map(([label, value]) => ({ label, value: String(value) })),
      metrics,
      headline: {
        uiFrameP95Ms: metrics.appFrameP95Ms as number,
        uiFrameP95VsBaseline: metrics.frameP95VsBaseline as number,
        uiLongTasksOver50Ms: metrics.appLongTasksOver50Ms as number,
        uiInitialJsGzipKB: metrics.initialJsGzipKB as number,
      },
    };
  },
};

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--seconds');
  const figures = await run({ seconds: i >= 0 ? Number(process.argv[i + 1]) : undefined });
  process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
}
