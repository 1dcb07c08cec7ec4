/**
 * The app on a phone, a tablet and a laptop (390×844, 800×900, 1440×900), in English and 简体中文: the
 * simulator, a lesson and the Experiments view. What a learner would check on each:
 *
 * - the page never scrolls sideways (the graph pans inside its own box instead);
 * - every control can be reached: on screen horizontally, and not covered by something else once
 *   scrolled to (header, playback controls, failure buttons, the four panel tabs, the graph's view
 *   buttons; the Experiments view's picker and Run); every panel tab opened keeps the page from
 *   scrolling sideways, and the Configuration tab's Apply can be reached;
 * - every label of the job graph is at least 11 CSS px on screen at the initial view (computed font
 *   size × the graph's current scale, from each text's screen transform); on a phone the graph starts
 *   at its sources and a drag pans it to the sinks; focusing a subtask out of view (Tab) pans to it;
 * - from 800 px up, the lesson's text and the job graph are on screen together, without scrolling;
 * - axe-core (`@axe-core/playwright`) finds no serious or critical violation (contrast, names, roles)
 *   in the simulator (after playing), the lesson and the Experiments view.
 *
 * Screenshots of what is on screen: test-results/screenshots/layout-<view>-<width>-<lang>.png.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIN_LABEL_PX } from '../../src/app/components/graph/geometry';
import { SCREENSHOT_DIR, e2eSkipReason, openApp, startSession, type E2ESession } from './harness.ts';

const skipReason = e2eSkipReason();
if (skipReason !== null) console.warn(`e2e: ${skipReason}`);

const SIZES = [
  { width: 390, height: 844 },
  { width: 800, height: 900 },
  { width: 1440, height: 900 },
] as const;
const LANGS = ['en', 'zh-CN'] as const;
type View = 'simulator' | 'lesson' | 'experiments';
const VIEWS: readonly View[] = ['simulator', 'lesson', 'experiments'];

function url(view: View, lang: string): string {
  if (view === 'simulator') return `/?scenario=visits&seed=1&lang=${lang}`;
  if (view === 'lesson') return `/?lang=${lang}#/lesson/6/step/1`;
  return `/?lang=${lang}#/experiments`;
}

/** The controls a learner needs in each view. */
const CONTROLS: Record<View, string[]> = {
  simulator: [
    'nav-lessons',
    'nav-experiments',
    'scenario',
    'seed',
    'restart',
    'language',
    'play',
    'step',
    'step-barrier',
    'speed',
    'poison',
    'crash',
    'graph-reset-view',
    'tab-state',
    'tab-checkpoints',
    'tab-output',
    'tab-config',
  ],
  lesson: [
    'back-to-lessons',
    'play',
    'step',
    'step-barrier',
    'speed',
    'graph-reset-view',
    'tab-state',
    'tab-config',
    'language',
  ],
  experiments: ['nav-simulator', 'nav-lessons', 'experiment-select', 'experiment-run', 'language'],
};

async function waitReady(page: Page, view: View): Promise<void> {
  if (view === 'experiments') {
    await page.getByTestId('experiment-run').waitFor({ timeout: 20_000 });
    return;
  }
  if (view === 'lesson') await page.getByTestId('lesson-step').waitFor({ timeout: 20_000 });
  await page.locator('[data-testid^="subtask-"]').first().waitFor({ timeout: 20_000 });
  await page.waitForFunction(
    () => !(document.querySelector('[data-testid="play"]') as HTMLButtonElement | null)?.disabled,
    undefined,
    { timeout: 20_000 },
  );
}

/** Whether the element, scrolled into view, is inside the viewport and is what a click there hits. */
async function reachable(page: Page, testId: string): Promise<string | null> {
  const el = page.getByTestId(testId);
  if ((await el.count()) !== 1) return `${testId}: ${await el.count()} elements`;
  await el.scrollIntoViewIfNeeded();
  return el.evaluate((node, id) => {
    const r = node.getBoundingClientRect();
    const w = document.documentElement.clientWidth;
    const h = document.documentElement.clientHeight;
    if (r.width === 0 || r.height === 0) return `${id}: not displayed`;
    if (r.left < 0 || r.right > w + 0.5) return `${id}: ${r.left}..${r.right} outside 0..${w}`;
    if (r.top < 0 || r.bottom > h + 0.5) return `${id}: ${r.top}..${r.bottom} outside 0..${h}`;
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    if (!hit || !(node === hit || node.contains(hit) || hit.contains(node)))
      return `${id}: covered by ${hit?.tagName}.${hit?.getAttribute('class')}`;
    return null;
  }, testId);
}

/** Every text of the job graph and its legend: [text, on-screen px] of those under MIN_LABEL_PX, and how many there are. */
async function graphLabels(page: Page): Promise<{ count: number; small: Array<[string, number]> }> {
  return page.evaluate((min) => {
    const texts = Array.from(document.querySelectorAll<SVGTextElement>('.job-graph svg text'));
    const small: Array<[string, number]> = [];
    for (const t of texts) {
      const ctm = t.getScreenCTM();
      if (!ctm) continue;
      const scale = Math.hypot(ctm.a, ctm.b);
      const px = parseFloat(getComputedStyle(t).fontSize) * scale;
      if (px < min - 0.01) small.push([t.textContent ?? '', Math.round(px * 10) / 10]);
    }
    return { count: texts.length, small };
  }, MIN_LABEL_PX);
}

/** Pixels of the element inside the viewport, vertically, at the current scroll. */
async function visibleHeight(page: Page, selector: string): Promise<number> {
  return page
    .locator(selector)
    .first()
    .evaluate((node) => {
      const r = node.getBoundingClientRect();
      return Math.max(0, Math.min(r.bottom, window.innerHeight) - Math.max(r.top, 0));
    });
}

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe.skipIf(skipReason !== null)('phones, tablets and laptops', () => {
  let session: E2ESession | undefined;

  beforeAll(async () => {
    session = await startSession();
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
  });

  afterAll(async () => {
    await session?.close();
  });

  for (const size of SIZES)
    for (const view of VIEWS)
      it(`${view} at ${size.width}×${size.height}`, { timeout: 180_000 }, async () => {
        if (!session) throw new Error('the e2e session did not start');
        for (const lang of LANGS) {
          const { context, page, record } = await openApp(session, 'about:blank');
          try {
            await page.setViewportSize(size);
            await page.goto(new URL(url(view, lang), session.app.url).href);
            await waitReady(page, view);
            expect(await page.locator('html').getAttribute('lang')).toBe(lang);
            await page.screenshot({
              path: path.join(SCREENSHOT_DIR, `layout-${view}-${size.width}-${lang}.png`),
            });

            const overflow = await page.evaluate(() => ({
              scroll: document.documentElement.scrollWidth,
              client: document.documentElement.clientWidth,
            }));
            expect(overflow.scroll, `${lang}: the page scrolls sideways`).toBeLessThanOrEqual(
              overflow.client,
            );

            if (view !== 'experiments') {
              const labels = await graphLabels(page);
              expect(labels.count).toBeGreaterThan(10);
              expect(labels.small, `${lang}: graph labels under ${MIN_LABEL_PX} px`).toEqual([]);
            }
            if (view === 'simulator' && size.width < 800 && lang === 'en') {
              // Too wide for a phone at a readable size: it starts at the sources and pans to the sinks.
              // (the sink is chained to count: their vertex is the last column)
              const sink = page.getByTestId('subtask-count#0');
              const inView = async () =>
                sink.evaluate((node) => {
                  const box = node.closest('.viewport')!.getBoundingClientRect();
                  const r = node.getBoundingClientRect();
                  return r.left >= box.left && r.right <= box.right;
                });
              expect(await inView()).toBe(false);
              const box = (await page.locator('.job-graph .viewport').boundingBox())!;
              await page.mouse.move(box.x + box.width - 20, box.y + 20);
              await page.mouse.down();
              // (half a phone's width: visits has two columns, its source and count -> sink)
              await page.mouse.move(box.x + box.width / 2 - 20, box.y + 20, { steps: 8 });
              await page.mouse.up();
              expect(await inView()).toBe(true);
              expect((await graphLabels(page)).small).toEqual([]);
              await page.getByTestId('graph-reset-view').click();
              expect(await inView()).toBe(false);
              // A keyboard user reaches it too: focusing it pans the graph to it.
              await sink.focus();
              await expect.poll(inView).toBe(true);
              await page.getByTestId('graph-reset-view').click();
            }
            if (view === 'lesson' && size.width >= 800) {
              expect(await visibleHeight(page, '[data-testid="lesson-panel"]')).toBeGreaterThanOrEqual(150);
              expect(await visibleHeight(page, '.job-graph .viewport')).toBeGreaterThanOrEqual(150);
            }

            const unreachable: string[] = [];
            for (const id of CONTROLS[view]) {
              const problem = await reachable(page, id);
              if (problem) unreachable.push(problem);
            }
            expect(unreachable, `${lang}: controls`).toEqual([]);

            // Every panel tab: its content wraps or scrolls inside the panel, never the page sideways.
            if (view === 'simulator')
              for (const tab of ['checkpoints', 'output', 'config', 'state']) {
                await page.getByTestId(`tab-${tab}`).click();
                await page.locator(`#panel-${tab}`).waitFor();
                const width = await page.evaluate(() => document.documentElement.scrollWidth);
                expect(width, `${lang}: ${tab} tab scrolls the page sideways`).toBeLessThanOrEqual(
                  size.width,
                );
                if (tab === 'config') expect(await reachable(page, 'config-apply')).toBeNull();
              }

            // Accessibility: once per view and language, at the largest size (the rules do not depend
            // on the width) and at the phone size (where the layout differs most).
            if (size.width !== 800) {
              if (view === 'simulator') {
                await page.getByTestId('play').click();
                await page.waitForFunction(
                  () => Number(document.querySelector('[data-testid="inflight-records"]')?.textContent) > 0,
                );
                await page.getByTestId('play').click();
              }
              expect(await seriousViolations(page), `${lang}: axe`).toEqual([]);
            }
            expect(record.pageErrors).toEqual([]);
          } finally {
            await context.close();
          }
        }
      });
});
