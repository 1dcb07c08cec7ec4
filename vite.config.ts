import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import type { Connect, Plugin } from 'vite';
import { fileURLToPath } from 'node:url';
import { cspFor } from './src/csp.ts';

/** The build fails on a broken lesson, naming the file, the field and the problem. */
function validateLessons(): Plugin {
  return {
    name: 'stream-state-lab:validate-lessons',
    apply: 'build',
    async buildStart() {
      // Loaded through tsx, not bundled into the config: the lesson code is the app's TypeScript.
      const { tsImport } = await import('tsx/esm/api');
      const { lessonErrorsOnDisk, formatLessonError } = (await tsImport(
        './src/lessons/node.ts',
        import.meta.url,
      )) as typeof import('./src/lessons/node');
      const errors = await lessonErrorsOnDisk(process.cwd());
      if (errors.length) this.error(`broken lessons:\n${errors.map(formatLessonError).join('\n')}`);
    },
  };
}

/**
 * Sends the Content-Security-Policy header (src/csp.ts) from the dev and preview servers: a worker's
 * policy comes only from its own response, and the engine worker (which evaluates job files) needs
 * 'unsafe-eval' that the page does not get.
 */
function contentSecurityPolicy(): Plugin {
  const middleware: Connect.NextHandleFunction = (req, res, next) => {
    res.setHeader('Content-Security-Policy', cspFor(req.url ?? '/'));
    next();
  };
  return {
    name: 'stream-state-lab:content-security-policy',
    configureServer: (server) => void server.middlewares.use(middleware),
    configurePreviewServer: (server) => void server.middlewares.use(middleware),
  };
}

export default defineConfig({
  plugins: [svelte(), validateLessons(), contentSecurityPolicy()],
  // Job files import the lab's API by its package name (package.json "exports", tsconfig "paths").
  resolve: {
    alias: { 'stream-state-lab': fileURLToPath(new URL('./src/engine/index.ts', import.meta.url)) },
  },
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true },
  test: {
    // `npm test` (vitest run) runs both projects: the unit tests first, then the end-to-end tests alone.
    environment: 'node',
    testTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // One browser at a time, and not while the unit tests are running (2-core CI machines).
          fileParallelism: false,
          sequence: { groupOrder: 1 },
          // beforeAll may build the app (up to 120 s) and then start the server and the browser.
          hookTimeout: 180_000,
          testTimeout: 60_000,
        },
      },
    ],
  },
});
