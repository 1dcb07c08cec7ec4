/**
 * Builds the test pages (test/e2e/pages/*.html, with the engine worker) into test-results/e2e-pages/
 * and serves them with `vite preview` on 127.0.0.1: the same production bundling as the app, without
 * adding test pages to the app's own build.
 */
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { build, preview } from 'vite';
import { ROOT, type AppServer } from '../harness.ts';

export const PAGES_OUT_DIR = path.join(ROOT, 'test-results', 'e2e-pages');
export const CRASH_PAGE = '/test/e2e/pages/crash-recovery.html';
export const BENCH_PAGE = '/test/e2e/pages/idb-bench.html';

export async function buildTestPages(): Promise<void> {
  await build({
    root: ROOT,
    configFile: false,
    logLevel: 'warn',
    mode: 'production',
    worker: { format: 'es' },
    build: {
      outDir: PAGES_OUT_DIR,
      emptyOutDir: true,
      target: 'es2022',
      rollupOptions: {
        input: ['crash-recovery.html', 'idb-bench.html'].map((f) =>
          path.join(ROOT, 'test', 'e2e', 'pages', f),
        ),
      },
    },
  });
}

export async function servePages(): Promise<AppServer> {
  const server = await preview({
    root: ROOT,
    configFile: false,
    logLevel: 'warn',
    build: { outDir: PAGES_OUT_DIR },
    preview: { host: '127.0.0.1', port: 0, strictPort: true, open: false },
  });
  const address = server.httpServer.address() as AddressInfo;
  const origin = `http://127.0.0.1:${address.port}`;
  return { url: `${origin}/`, origin, server, close: () => server.close() };
}
