/**
 * The UI side of the engine worker: start one, drive it once per animation frame, kill it (an engine
 * crash: the next worker recovers from IndexedDB).
 */
import { proxy, releaseProxy, wrap, type Remote } from 'comlink';
import type { StorageWriteEvent } from '../storage/index';
import type { EngineWorkerApi, FrameUpdate, StartInfo } from './protocol';

export interface EngineWorker {
  api: Remote<EngineWorkerApi>;
  worker: Worker;
  /** Kills the worker at once, whatever it is doing (even in the middle of a checkpoint write). */
  terminate(): void;
}

export function createEngineWorker(): EngineWorker {
  const worker = new Worker(new URL('./engine.worker.ts', import.meta.url), {
    type: 'module',
    name: 'engine',
  });
  const api = wrap<EngineWorkerApi>(worker);
  return {
    api,
    worker,
    terminate() {
      worker.terminate();
      api[releaseProxy]();
    },
  };
}

/** Starts a worker and lets it recover the job that was running (if any). */
export async function startEngineWorker(
  onStorageEvent?: (event: StorageWriteEvent) => void,
  options?: { recover?: boolean },
): Promise<{ engine: EngineWorker; start: StartInfo }> {
  const engine = createEngineWorker();
  if (onStorageEvent) await engine.api.onStorageEvent(proxy(onStorageEvent));
  const start = await engine.api.start(options);
  return { engine, start };
}

/** The engine worker did not answer within the watchdog's time: the page terminated it. */
export class EngineHangError extends Error {
  constructor(readonly waitedMs: number) {
    super(`the engine worker did not answer for ${Math.round(waitedMs / 1000)} s`);
    this.name = 'EngineHangError';
  }
}

/**
 * Races `request` against a timer: after `ms` without an answer, `onHang` runs (it terminates the
 * worker) and the request fails with EngineHangError. The page's backstop for a user job whose code
 * never returns — the loop guard in the worker should have stopped it long before.
 */
export function withWatchdog<T>(request: Promise<T>, ms: number, onHang: () => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onHang();
      reject(new EngineHangError(ms));
    }, ms);
  });
  return Promise.race([request, hang]).finally(() => clearTimeout(timer));
}

/**
 * Asks the worker for one frame per animation frame, with the real time elapsed since the last one;
 * never more than one request in flight (a slow frame delays the next instead of queueing).
 */
export class FrameLoop {
  private running = false;
  private last = 0;
  private handle = 0;

  constructor(
    private readonly api: Remote<EngineWorkerApi>,
    private readonly onUpdate: (update: FrameUpdate) => void,
    private readonly onError: (error: unknown) => void = (e) => console.error(e),
    /** Wraps each frame request (the page's watchdog: a worker that stops answering is replaced). */
    private readonly guard: <T>(request: Promise<T>) => Promise<T> = (r) => r,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.last = performance.now();
    this.handle = requestAnimationFrame((t) => void this.tick(t));
  }

  stop(): void {
    this.running = false;
    cancelAnimationFrame(this.handle);
  }

  private async tick(t: number): Promise<void> {
    if (!this.running) return;
    const elapsed = t - this.last;
    this.last = t;
    try {
      this.onUpdate(await this.guard(this.api.frame(elapsed)));
    } catch (e) {
      this.running = false;
      this.onError(e);
      return;
    }
    if (this.running) this.handle = requestAnimationFrame((next) => void this.tick(next));
  }
}
