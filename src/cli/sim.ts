/**
 * `npm run sim -- <scenario> [options]`: runs a built-in scenario in the simulator and prints a summary
 * (or, with --json, one JSON object). The work is in run.ts; this file only binds it to the process.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { runCliAsync } from './run';

// `npm run sim -- visits --json | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

try {
  process.exitCode = await runCliAsync(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    readFile: (path) => readFileSync(path, 'utf8'),
    writeFile: (path, text) => writeFileSync(path, text),
  });
} catch (e) {
  process.stderr.write(`sim: error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
}
