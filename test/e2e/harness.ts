/**
 * End-to-end test harness: builds the app when `dist/` is stale, serves it with `vite preview` on
 * 127.0.0.1, drives it in Debian's Chromium through playwright-core, and saves screenshots.
 *
 * Nothing here downloads a browser or talks to the network: the only browser is `/usr/bin/chromium`
 * (`apt-get install -y chromium`), and requests leaving the app's origin are recorded and aborted.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';

const execFileAsync = promisify(execFile);

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DIST_DIR = path.join(ROOT, 'dist');
export const SCREENSHOT_DIR = path.join(ROOT, 'test-results', 'screenshots');
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** How long `vite build` may take before the harness gives up. */
export const BUILD_TIMEOUT_MS = 120_000;

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** Files and folders whose changes require a rebuild of `dist/`. Missing entries are ignored. */
const BUILD_INPUTS = [
  'src',
  'lessons',
  'reading',
  'public',
  'index.html',
  'vite.config.ts',
  'svelte.config.js',
  'tsconfig.json',
  'package.json',
  'package-lock.json',
];

// ---------------------------------------------------------------------------------------------------------
// Availability: skip locally without Chromium, fail in CI.

/** True when the CI environment variable is set (to anything but an empty string, "0" or "false"). */
export function isCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.CI;
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/**
 * Returns null when the end-to-end tests can run, or the reason they are skipped.
 * Throws when Chromium is missing in CI: there the end-to-end tests must never skip.
 */
export function e2eSkipReason(): string | null {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
    return null;
  } catch {
    // missing or not executable
  }
  const reason =
    `end-to-end tests need Debian's Chromium at ${CHROMIUM_PATH}, which is missing or not executable ` +
    `(install it with: apt-get install -y chromium)`;
  if (isCI()) throw new Error(`${reason}; CI is set, so they fail instead of skipping`);
  return `${reason}; skipping them because CI is not set`;
}

// ---------------------------------------------------------------------------------------------------------
// (a) Build once, only when dist/ is missing or older than the sources.

function newestMtime(target: string): number {
  if (!existsSync(target)) return 0;
  const stats = statSync(target);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs; // catches deleted files
  for (const entry of readdirSync(target)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}

/** Why `dist/` must be rebuilt, or null when it is up to date. */
export function staleBuildReason(): string | null {
  const builtIndex = path.join(DIST_DIR, 'index.html');
  if (!existsSync(builtIndex)) return 'dist/index.html is missing';
  const builtAt = statSync(builtIndex).mtimeMs;
  for (const input of BUILD_INPUTS) {
    if (newestMtime(path.join(ROOT, input)) > builtAt) return `${input} changed after the last build`;
  }
  return null;
}

/** The environment for `vite build`: the caller's, without what Vitest sets for its own run. */
function buildEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key === 'NODE_ENV' || key === 'MODE' || key === 'TEST' || key.startsWith('VITEST')) delete env[key];
  }
  return env;
}

/** Runs `npx vite build` when `dist/` is missing or stale. Returns whether it built. */
export async function ensureBuilt(): Promise<boolean> {
  const reason = staleBuildReason();
  if (reason === null) return false;
  console.info(`e2e: building the app (${reason})`);
  try {
    await execFileAsync('npx', ['vite', 'build'], {
      cwd: ROOT,
      env: buildEnv(),
      timeout: BUILD_TIMEOUT_MS,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`npx vite build failed: ${String(error)}\n${stdout ?? ''}\n${stderr ?? ''}`, {
      cause: error,
    });
  }
  const still = staleBuildReason();
  if (still !== null) throw new Error(`npx vite build finished but dist/ is still stale: ${still}`);
  return true;
}

// ---------------------------------------------------------------------------------------------------------
// (b) Serve dist/ with `vite preview` on a free port on 127.0.0.1.

export interface AppServer {
  /** Base URL with a trailing slash, e.g. http://127.0.0.1:41234/ */
  url: string;
  /** The app's origin, e.g. http://127.0.0.1:41234 */
  origin: string;
  server: PreviewServer;
  close(): Promise<void>;
}

export async function startPreviewServer(): Promise<AppServer> {
  const server = await preview({
    root: ROOT,
    logLevel: 'warn',
    clearScreen: false,
    preview: { host: '127.0.0.1', port: 0, strictPort: true, open: false },
  });
  const address = server.httpServer.address() as AddressInfo | null;
  if (!address || typeof address !== 'object') {
    await server.close();
    throw new Error('vite preview did not report a listening address');
  }
  const origin = `http://127.0.0.1:${address.port}`;
  return { url: `${origin}/`, origin, server, close: () => server.close() };
}

// ---------------------------------------------------------------------------------------------------------
// (c) Launch Debian's Chromium.

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
}

/** Everything a test needs; `close()` releases what was started, in reverse order. */
export interface E2ESession {
  app: AppServer;
  browser: Browser;
  close(): Promise<void>;
}

/** Builds if needed, starts the preview server and the browser. Call from `beforeAll`. */
export async function startSession(): Promise<E2ESession> {
  await ensureBuilt();
  const app = await startPreviewServer();
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (error) {
    await app.close();
    throw error;
  }
  return {
    app,
    browser,
    async close() {
      try {
        await browser.close();
      } finally {
        await app.close();
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Opening the app with a recorder for console errors, page errors and requests.

export interface PageRecord {
  /** console.error messages from the page and its workers, with their source location. */
  consoleErrors: string[];
  /** Uncaught exceptions and unhandled rejections in the page. */
  pageErrors: string[];
  /** Every URL the page or its workers requested, including WebSocket URLs. */
  requests: string[];
  /** Requested URLs outside the app's origin (these were aborted). */
  foreignRequests: string[];
}

export interface OpenedApp {
  context: BrowserContext;
  page: Page;
  record: PageRecord;
}

/** True when `url` would reach a server other than `origin` (data: and about: URLs reach none). */
export function isForeignUrl(url: string, origin: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return true;
  }
  if (parsed.protocol === 'data:' || parsed.protocol === 'about:') return false;
  // A WebSocket to the app's own host and port is the app's own server.
  if (parsed.protocol === 'ws:' || parsed.protocol === 'wss:') {
    parsed = new URL(`${parsed.protocol === 'ws:' ? 'http:' : 'https:'}//${parsed.host}/`);
  }
  return parsed.origin !== origin; // blob: URLs carry the origin that created them
}

function describeConsole(message: ConsoleMessage): string {
  const { url, lineNumber, columnNumber } = message.location();
  return url ? `${message.text()} (at ${url}:${lineNumber}:${columnNumber})` : message.text();
}

/** Opens `pathname` of the app in a fresh browser context and waits for the page to load. */
export async function openApp(
  session: E2ESession,
  pathname = '/',
  /** Extra browser-context options (e.g. bypassCSP for a test that injects its own script). */
  contextOptions: { bypassCSP?: boolean } = {},
): Promise<OpenedApp> {
  const { app, browser } = session;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...contextOptions });
  const record: PageRecord = { consoleErrors: [], pageErrors: [], requests: [], foreignRequests: [] };
  const seenConsole = new WeakSet<ConsoleMessage>();
  const onConsole = (message: ConsoleMessage) => {
    if (seenConsole.has(message)) return;
    seenConsole.add(message);
    if (message.type() === 'error') record.consoleErrors.push(describeConsole(message));
  };
  const onRequestUrl = (url: string) => {
    record.requests.push(url);
    if (isForeignUrl(url, app.origin)) record.foreignRequests.push(url);
  };

  // Keep the test hermetic: nothing may leave the app's origin.
  await context.route(
    (url) => isForeignUrl(url.href, app.origin),
    (route) => route.abort('blockedbyclient'),
  );
  context.on('console', onConsole);
  context.on('request', (request) => onRequestUrl(request.url()));

  const page = await context.newPage();
  page.on('pageerror', (error) => record.pageErrors.push(error.stack ?? String(error)));
  page.on('websocket', (socket) => onRequestUrl(socket.url()));
  page.on('worker', (worker) => worker.on('console', onConsole));

  await page.goto(new URL(pathname, app.url).href, { waitUntil: 'load' });
  return { context, page, record };
}

// ---------------------------------------------------------------------------------------------------------
// (d) Screenshots go to test-results/screenshots/NAME.png.

export async function saveScreenshot(page: Page, name: string): Promise<string> {
  if (!/^[\w.-]+$/.test(name)) throw new Error(`screenshot name must be a plain file name: ${name}`);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
