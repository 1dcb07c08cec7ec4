/**
 * The real entry point, spawned as `npx tsx src/cli/sim.ts` (one to a few seconds each, so the spawn
 * tests run only a few, one at a time: CI machines have two cores).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface SimRun {
  /** The exit code (null when killed, e.g. by the timeout). */
  code: number | null;
  stdout: string;
  stderr: string;
}

export function spawnSim(args: string[], timeoutMs = 60_000): Promise<SimRun> {
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['tsx', 'src/cli/sim.ts', ...args],
      { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
