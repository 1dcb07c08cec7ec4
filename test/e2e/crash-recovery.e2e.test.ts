/**
 * Crash survival in real Chromium: a test page runs `visits` in the engine worker on IndexedDB (fs
 * backend) and the worker is terminated at 24 random moments — many right when a checkpoint write
 * begins or between its chunk transaction and its completion — then the page reloads and a new worker
 * starts. Every time, the restored state must equal the reference state at the restored checkpoint id
 * (the same seed run in Node), the restored checkpoint must be one whose completion the page saw or a
 * later one, and no half-written checkpoint may remain in or be restored from IndexedDB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random, toSnapshotJson, type CompletedCheckpoint } from '../../src/engine/index';
import type { StartInfo } from '../../src/worker/protocol';
import { keyedStateOf, referenceCheckpoints, sourceOffsetsOf } from '../worker/reference';
import { e2eSkipReason, launchChromium, openApp, type E2ESession, type OpenedApp } from './harness.ts';
import type { KillPlan, RunReport } from './pages/crash-recovery';
import { buildTestPages, CRASH_PAGE, servePages } from './pages/serve.ts';

const skipReason = e2eSkipReason();
if (skipReason !== null) console.warn(`e2e: ${skipReason}`);

const KILLS = 24;
const SEEDS = [1, 2, 3];
const SPEED = 4000; // virtual ms per real second
const REFERENCE_UNTIL = 12_000;

type Lab = {
  start(): Promise<StartInfo>;
  load(o: unknown): Promise<unknown>;
  run(p: KillPlan): Promise<RunReport>;
  inspect(): Promise<{
    now: number;
    state: Record<string, Record<string, Record<string, unknown>>>;
    offsets: Record<string, unknown>;
  }>;
  exportSnapshot(id?: number): Promise<{ ok: true; text: string } | { ok: false; error: string }>;
  dump(): Promise<{ checkpoints: Array<{ id: number; status: string }>; chunkCheckpointIds: number[] }>;
};

function nonEmpty(state: Record<string, Record<string, Record<string, unknown>>>) {
  const out: typeof state = {};
  for (const [op, states] of Object.entries(state))
    for (const [name, m] of Object.entries(states)) if (Object.keys(m).length > 0) (out[op] ??= {})[name] = m;
  return out;
}

/** A kill moment, drawn from a seeded generator so a failure can be replayed. */
function plan(rng: Random, i: number): { plan: KillPlan; pauseMs: number; label: string } {
  const r = rng.next();
  const nth = rng.int(1, 4);
  if (r < 0.4)
    return {
      plan: { afterFrames: 400, frameMs: 16, onPhase: { phase: 'writing-chunks', nth, delayMs: 0 } },
      pauseMs: 0,
      label: `#${i} when checkpoint write ${nth} begins`,
    };
  if (r < 0.65)
    return {
      plan: { afterFrames: 400, frameMs: 16, onPhase: { phase: 'chunks-written', nth, delayMs: 0 } },
      pauseMs: 25,
      label: `#${i} between the chunk and completion transactions of write ${nth}`,
    };
  if (r < 0.8) {
    const delayMs = rng.int(0, 12);
    return {
      plan: { afterFrames: 400, frameMs: 16, onPhase: { phase: 'writing-chunks', nth, delayMs } },
      pauseMs: 0,
      label: `#${i} ${delayMs} ms after write ${nth} begins`,
    };
  }
  const frames = rng.int(2, 120);
  return { plan: { afterFrames: frames, frameMs: 16 }, pauseMs: 0, label: `#${i} after ${frames} frames` };
}

describe.skipIf(skipReason !== null)('engine worker crash recovery in Chromium', () => {
  let session: E2ESession | undefined;
  let opened: OpenedApp | undefined;
  const references = new Map<number, Map<number, CompletedCheckpoint>>();

  beforeAll(async () => {
    await buildTestPages();
    const app = await servePages();
    const browser = await launchChromium();
    session = {
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
    for (const seed of SEEDS) references.set(seed, referenceCheckpoints('visits', seed, REFERENCE_UNTIL));
  });

  afterAll(async () => {
    await opened?.context.close();
    await session?.close();
  });

  it(`restores exactly the reference state after ${KILLS} kills, never a partial checkpoint`, async () => {
    if (!session) throw new Error('the e2e session did not start');
    opened = await openApp(session, CRASH_PAGE);
    const { page, record } = opened;
    const lab = () => page.waitForFunction(() => document.body.dataset.ready === 'true');
    await lab();
    const rng = new Random(20240601);
    let start = (await page.evaluate(() => (window as unknown as { lab: Lab }).lab.start())) as StartInfo;
    expect(start.recovered).toBe(false);
    const outcomes: string[] = [];
    let midWrite = 0;
    let restoredSome = 0;

    for (let i = 0; i < KILLS; i++) {
      const seed = SEEDS[i % SEEDS.length];
      const { plan: p, pauseMs, label } = plan(rng, i);
      await page.evaluate(
        ([s, pause, speed]) =>
          (window as unknown as { lab: Lab }).lab.load({
            scenario: 'visits',
            seed: s,
            backend: 'fs',
            speed,
            fresh: true,
            pauseBetweenTransactionsMs: pause,
          }),
        [seed, pauseMs, SPEED] as const,
      );
      const report = (await page.evaluate(
        (kp) => (window as unknown as { lab: Lab }).lab.run(kp),
        p,
      )) as RunReport;

      // The page reloads; a new worker opens IndexedDB and brings the job back.
      await page.reload({ waitUntil: 'load' });
      await lab();
      start = (await page.evaluate(() => (window as unknown as { lab: Lab }).lab.start())) as StartInfo;
      expect(start.recovered, label).toBe(true);
      const restoredFrom = start.load?.recovery.restoredFrom ?? null;
      const completedSeen = Math.max(
        0,
        ...report.events.filter((e) => e.phase === 'completed').map((e) => e.checkpointId),
      );
      const writesBegun = Math.max(
        0,
        ...report.events.filter((e) => e.phase === 'writing-chunks').map((e) => e.checkpointId),
      );
      if (start.removedPendingCheckpoints.length > 0) midWrite++;
      outcomes.push(
        `${label}: restored ${restoredFrom ?? 'nothing'} (completed seen ${completedSeen}, removed pending ${JSON.stringify(start.removedPendingCheckpoints)})`,
      );

      const now = (await page.evaluate(() => (window as unknown as { lab: Lab }).lab.inspect())) as Awaited<
        ReturnType<Lab['inspect']>
      >;
      const dump = (await page.evaluate(() => (window as unknown as { lab: Lab }).lab.dump())) as Awaited<
        ReturnType<Lab['dump']>
      >;
      // Nothing half-written is left: only completed metadata, and chunks only of completed checkpoints.
      expect(
        dump.checkpoints.every((c) => c.status === 'COMPLETED'),
        label,
      ).toBe(true);
      const completedIds = dump.checkpoints.map((c) => c.id);
      expect(
        dump.chunkCheckpointIds.every((id) => completedIds.includes(id)),
        label,
      ).toBe(true);

      if (restoredFrom === null) {
        expect(completedSeen, label).toBe(0);
        expect(nonEmpty(now.state), label).toEqual({});
        expect(completedIds, label).toEqual([]);
        continue;
      }
      restoredSome++;
      // Durable means durable: never older than a completion the page was told about; never a write that had not begun.
      expect(restoredFrom, label).toBeGreaterThanOrEqual(completedSeen);
      expect(restoredFrom, label).toBeLessThanOrEqual(Math.max(writesBegun, completedSeen));
      expect(completedIds, label).toEqual([restoredFrom]);
      const reference = references.get(seed)?.get(restoredFrom);
      if (!reference) throw new Error(`${label}: the reference run has no checkpoint ${restoredFrom}`);
      // The restored engine holds exactly the reference checkpoint: all keys of all subtasks, all offsets.
      expect(nonEmpty(now.state), label).toEqual(nonEmpty(keyedStateOf(reference)));
      expect(now.offsets, label).toEqual(sourceOffsetsOf(reference));
      const exported = await page.evaluate(
        (id) => (window as unknown as { lab: Lab }).lab.exportSnapshot(id),
        restoredFrom,
      );
      if (!exported.ok) throw new Error(`${label}: ${exported.error}`);
      expect(JSON.parse(exported.text), label).toEqual(JSON.parse(JSON.stringify(toSnapshotJson(reference))));
    }

    console.info(`crash recovery in Chromium:\n  ${outcomes.join('\n  ')}`);
    expect(restoredSome).toBeGreaterThanOrEqual(KILLS / 2);
    expect(midWrite).toBeGreaterThanOrEqual(3); // kills that really landed in the middle of a checkpoint write
    expect(record.pageErrors).toEqual([]);
    expect(record.consoleErrors).toEqual([]);
    expect(record.foreignRequests).toEqual([]);
  }, 120_000);
});
