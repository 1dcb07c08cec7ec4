/**
 * The Content-Security-Policy of the app (issue 14 §3): only the app's own origin, for the page and
 * for its workers. User code (the editor's job files) runs only in the engine worker, evaluated with
 * an indirect `eval` (src/jobs/buildJob.ts): that worker alone gets 'unsafe-eval'; nothing may go to
 * the network but the app's origin.
 *
 * The page's policy is also a <meta> tag in index.html (any static host serves it); a worker's policy
 * comes only from its response headers, so the server sends both (vite.config.ts: dev and preview;
 * a static host: public/_headers). The engine worker also removes the network APIs from its global
 * scope before any user code runs (engine.worker.ts), for hosts that send no headers.
 */
const COMMON = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  // Svelte's style attributes and CodeMirror's injected style sheets.
  "style-src 'self' 'unsafe-inline'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
];

/** The page (and every response but the engine worker's). */
export const PAGE_CSP = [...COMMON, "script-src 'self'"].join('; ');

/** The engine worker: evaluates job files. */
export const ENGINE_WORKER_CSP = [...COMMON, "script-src 'self' 'unsafe-eval'"].join('; ');

/** Which policy a request path gets: the engine worker's script (dev: its module URL; build: its chunk). */
export function cspFor(url: string): string {
  return /\/engine\.worker[^/]*$/.test(url.split(/[?#]/)[0]) ? ENGINE_WORKER_CSP : PAGE_CSP;
}
