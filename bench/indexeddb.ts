/**
 * IndexedDB checkpoint benchmark, measured in headless Chromium (Debian's /usr/bin/chromium), on the
 * page test/e2e/pages/idb-bench.ts:
 *
 * - a full checkpoint of 100k keys written by IndexedDbCheckpointStorage (`store` → `done`: encode,
 *   chunk transaction, completion transaction with retention) against ONE raw put of an ArrayBuffer
 *   holding exactly the bytes that checkpoint wrote (its chunks' packed bodies), goal ≤ 2×. Each
 *   checkpoint is followed by its raw put (pairs, so load on the machine hits both alike), with 100 ms
 *   of idle time before every timed write, as between checkpoints; the same back to back, too. Every
 *   snapshot is fresh (new entry arrays, a tenth of the values changed), with the same key strings, as
 *   the engine's backends produce them; 3 untimed warm-up runs before each series;
 * - a restore of 100k keys: open the database and read + decode the latest checkpoint, then the engine's
 *   restore into four keyed state backends;
 * - incremental checkpoints of the RocksDB-like backend (100k keys, a tenth rewritten between
 *   checkpoints): SST files written once as shared files, then referenced; and their restore.
 *
 * `run()` returns the figures; `npx tsx bench/indexeddb.ts [--keys N] [--repeats N]` prints them as JSON.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../test/e2e/harness.ts';
import { BENCH_PAGE, buildTestPages, servePages } from '../test/e2e/pages/serve.ts';
import { numberParam, type Benchmark } from './suite';

export async function run(
  options: { keys?: number; repeats?: number } = {},
): Promise<Record<string, number | string>> {
  await buildTestPages();
  const app = await servePages();
  try {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(new URL(BENCH_PAGE, app.url).href);
      await page.waitForFunction(() => document.body.dataset.ready === 'true');
      const figures = await page.evaluate(
        ([keys, repeats]) =>
          (
            window as unknown as {
              bench: { run(k: number, r: number): Promise<Record<string, number | string>> };
            }
          ).bench.run(keys, repeats),
        [options.keys ?? 100_000, options.repeats ?? 9] as const,
      );
      return { browser: `chromium ${browser.version()}`, ...figures };
    } finally {
      await browser.close();
    }
  } finally {
    await app.close();
  }
}

/** The same, in the shape `bench/benchmarks.ts` registers (`--keys N`; `--quick`: 20k keys, 2 repeats; default 9). */
export const indexedDbBenchmark: Benchmark = {
  name: 'indexeddb',
  description:
    'IndexedDB in headless Chromium: full checkpoint of 100k keys vs one raw put, restore, incremental',
  async run(options) {
    const metrics = await run({
      keys: numberParam(options, 'keys', options.quick ? 20_000 : 100_000),
      repeats: options.repeats ?? (options.quick ? 2 : 9),
    });
    return {
      name: 'indexeddb',
      rows: Object.entries(metrics).map(([label, value]) => ({ label, value: String(value) })),
      metrics,
      headline: {
        idbFullCheckpointMs: metrics.fullCheckpointMs as number,
        idbFullVsRawBytes: metrics.fullVsRawBytes as number,
        idbBackToBackVsRawBytes: metrics.backToBackVsRawBytes as number,
        idbRestoreTotalMs: metrics.restoreTotalMs as number,
      },
    };
  },
};

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const figures = await run({ keys: arg('--keys'), repeats: arg('--repeats') });
  process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
}
