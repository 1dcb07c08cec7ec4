/**
 * The page's backstop for a user job whose code never returns: a request to the worker that gets no
 * answer within the watchdog's time fails with EngineHangError after `onHang` ran (the page terminates
 * the worker there); an answer in time passes through and nothing is terminated.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EngineHangError, withWatchdog } from '../../src/worker/client';

describe('withWatchdog', () => {
  afterEach(() => vi.useRealTimers());

  it('a worker that never answers: onHang runs once and the request fails with EngineHangError', async () => {
    vi.useFakeTimers();
    const onHang = vi.fn();
    const request = withWatchdog(new Promise<number>(() => {}), 6000, onHang);
    const settled = request.then(
      () => 'answered',
      (e: unknown) => e,
    );
    await vi.advanceTimersByTimeAsync(5999);
    expect(onHang).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    const error = await settled;
    expect(error).toBeInstanceOf(EngineHangError);
    expect((error as Error).message).toBe('the engine worker did not answer for 6 s');
    expect(onHang).toHaveBeenCalledTimes(1);
  });

  it('an answer in time passes through; the timer is cleared', async () => {
    vi.useFakeTimers();
    const onHang = vi.fn();
    const request = withWatchdog(
      new Promise<number>((resolve) => setTimeout(() => resolve(42), 100)),
      6000,
      onHang,
    );
    await vi.advanceTimersByTimeAsync(100);
    expect(await request).toBe(42);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(onHang).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });
});
