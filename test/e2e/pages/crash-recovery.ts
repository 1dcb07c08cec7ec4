/**
 * A page that drives the engine worker for the crash-recovery end-to-end test: start a worker (which
 * recovers whatever job was running), load and play a scenario frame by frame, and kill the worker at a
 * chosen moment — after N frames, or when the storage reports that a checkpoint write began or that its
 * chunks are written (the worker keeps going until the kill lands, so the moment is really random).
 */
import { proxy } from 'comlink';
import { createEngineWorker, type EngineWorker } from '../../../src/worker/client';
import type { LoadOptions, StartInfo } from '../../../src/worker/protocol';
import type { StorageWriteEvent } from '../../../src/storage/index';

export interface KillPlan {
  /** Kill on the n-th storage event of this phase (1-based), after `delayMs` (0: at once). */
  onPhase?: { phase: StorageWriteEvent['phase']; nth: number; delayMs: number };
  /** Kill after this many frames (if nothing else killed it before). */
  afterFrames: number;
  frameMs: number;
}

export interface RunReport {
  killedBy: 'phase' | 'frames';
  frames: number;
  /** Storage events the page saw before the kill. */
  events: StorageWriteEvent[];
  lastNow: number;
}

let engine: EngineWorker | null = null;
let events: StorageWriteEvent[] = [];
let killed = false;
let plan: KillPlan | null = null;

function kill(): void {
  if (killed || !engine) return;
  killed = true;
  engine.terminate();
}

function onStorageEvent(e: StorageWriteEvent): void {
  if (killed) return;
  events.push(e);
  const p = plan?.onPhase;
  if (!p || e.phase !== p.phase) return;
  if (events.filter((x) => x.phase === p.phase).length !== p.nth) return;
  if (p.delayMs > 0) setTimeout(kill, p.delayMs);
  else kill();
}

const lab = {
  /** A new worker: opens IndexedDB, removes half-written checkpoints, recovers the running job. */
  async start(): Promise<StartInfo> {
    engine = createEngineWorker();
    events = [];
    killed = false;
    plan = null;
    await engine.api.onStorageEvent(proxy(onStorageEvent));
    return engine.api.start();
  },
  async load(options: LoadOptions) {
    return (engine as EngineWorker).api.load(options);
  },
  /** Plays frames until the plan kills the worker. */
  async run(p: KillPlan): Promise<RunReport> {
    plan = p;
    events = [];
    const api = (engine as EngineWorker).api;
    await api.play();
    let frames = 0;
    let lastNow = 0;
    while (!killed && frames < p.afterFrames) {
      try {
        const u = await Promise.race([
          api.frame(p.frameMs),
          new Promise<null>((resolve) => {
            const check = setInterval(() => {
              if (killed) {
                clearInterval(check);
                resolve(null);
              }
            }, 5);
          }),
        ]);
        if (u === null) break;
        lastNow = u.now;
      } catch {
        break;
      }
      frames++;
    }
    const by = killed ? 'phase' : 'frames';
    kill();
    return { killedBy: by, frames, events: [...events], lastNow };
  },
  async inspect() {
    return (engine as EngineWorker).api.inspect();
  },
  async exportSnapshot(id?: number) {
    return (engine as EngineWorker).api.exportSnapshot(id);
  },
  async frames(n: number, frameMs: number) {
    const api = (engine as EngineWorker).api;
    await api.play();
    let last = null;
    for (let i = 0; i < n; i++) last = await api.frame(frameMs);
    await api.pause();
    return last;
  },
  kill,
  /** What IndexedDB holds now, read from the page (not through the worker). */
  async dump(): Promise<{
    checkpoints: Array<{ id: number; status: string }>;
    chunkCheckpointIds: number[];
  }> {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('stream-state-lab');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const all = <T>(store: string, keysOnly: boolean) =>
      new Promise<T[]>((resolve, reject) => {
        const s = db.transaction(store, 'readonly').objectStore(store);
        const req = keysOnly ? s.getAllKeys() : s.getAll();
        req.onsuccess = () => resolve(req.result as T[]);
        req.onerror = () => reject(req.error);
      });
    const metas = await all<{ checkpointId: number; status: string }>('checkpoints', false);
    const chunkKeys = await all<[string, number, string, number]>('chunks', true);
    db.close();
    return {
      checkpoints: metas.map((m) => ({ id: m.checkpointId, status: m.status })),
      chunkCheckpointIds: [...new Set(chunkKeys.map((k) => k[1]))].sort((a, b) => a - b),
    };
  },
};

(window as unknown as { lab: typeof lab }).lab = lab;
document.body.dataset.ready = 'true';
