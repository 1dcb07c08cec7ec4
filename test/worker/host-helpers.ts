/** Shared by the EngineHost tests: a host on a fresh fake-indexeddb database, and frame-by-frame play. */
import { IndexedDbCheckpointStorage } from '../../src/storage/index';
import { EngineHost } from '../../src/worker/EngineHost';
import type { FrameUpdate } from '../../src/worker/protocol';

/**
 * `frameBudgetMs`: real ms a frame may run the engine (Infinity: every frame runs its whole slice, so
 * where frames end — and so where an action lands — does not depend on how busy the machine is).
 */
export function newHost(dbName: string, opened: IndexedDbCheckpointStorage[] = [], frameBudgetMs = 1000) {
  return new EngineHost({
    openStorage: async (options) => {
      const s = await IndexedDbCheckpointStorage.open({ ...options, dbName });
      opened.push(s);
      return s;
    },
    frameBudgetMs,
  });
}

export function nonEmpty(state: Record<string, Record<string, Record<string, unknown>>>) {
  const out: typeof state = {};
  for (const [op, states] of Object.entries(state))
    for (const [name, m] of Object.entries(states)) if (Object.keys(m).length > 0) (out[op] ??= {})[name] = m;
  return out;
}

/** Plays frames of `frameMs` real ms until `done(update)` or the frame limit. */
export async function playUntil(
  host: EngineHost,
  done: (u: FrameUpdate) => boolean,
  frameMs = 16,
  maxFrames = 2000,
) {
  await host.play();
  const updates: FrameUpdate[] = [];
  for (let i = 0; i < maxFrames; i++) {
    const u = await host.frame(frameMs);
    updates.push(u);
    if (done(u)) break;
  }
  await host.pause();
  return updates;
}
