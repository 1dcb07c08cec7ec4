/**
 * The Content-Security-Policy: only the app's origin; 'unsafe-eval' (which evaluating a job file
 * needs) for the engine worker's script alone, never for the page; the page's <meta> tag is the
 * policy the servers send.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENGINE_WORKER_CSP, PAGE_CSP, cspFor } from '../../src/csp';

const directives = (csp: string) =>
  Object.fromEntries(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([k, ...v]) => [k, v]),
  );

describe('Content-Security-Policy', () => {
  it('allows the network only to the app itself, and eval only in the engine worker', () => {
    for (const csp of [PAGE_CSP, ENGINE_WORKER_CSP]) {
      const d = directives(csp);
      expect(d['default-src']).toEqual(["'self'"]);
      expect(d['connect-src']).toEqual(["'self'"]);
      expect(d['object-src']).toEqual(["'none'"]);
    }
    expect(directives(PAGE_CSP)['script-src']).toEqual(["'self'"]);
    expect(directives(ENGINE_WORKER_CSP)['script-src']).toEqual(["'self'", "'unsafe-eval'"]);
  });

  it('gives the engine worker its policy in development and in the build, everything else the page’s', () => {
    expect(cspFor('/src/worker/engine.worker.ts?worker_file&type=module')).toBe(ENGINE_WORKER_CSP);
    expect(cspFor('/assets/engine.worker-KUUHnhI7.js')).toBe(ENGINE_WORKER_CSP);
    expect(cspFor('/')).toBe(PAGE_CSP);
    expect(cspFor('/assets/typescript.worker-DCVw6POw.js')).toBe(PAGE_CSP);
    expect(cspFor('/assets/index-q7hc29Be.js?engine.worker')).toBe(PAGE_CSP);
  });

  it('index.html carries the page policy', () => {
    const html = readFileSync(new URL('../../index.html', import.meta.url), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(html);
    expect(meta?.[1]).toBe(PAGE_CSP);
  });
});
