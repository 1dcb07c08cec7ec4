/**
 * Runs only the engine side of engine-throughput (no baseline), for a CPU profile:
 *
 *   node --cpu-prof --cpu-prof-dir=test-results/bench/prof --import tsx bench/profile-engine.ts [runs]
 *   npx tsx bench/tools/cpuprofile-top.ts test-results/bench/prof/<file>.cpuprofile
 *
 * One untimed warm-up run, then `runs` (default 3) verified runs.
 */
import { DEFAULT_CONFIG, prepareWorkload, runEngineOnce } from './engine-throughput';

const runs = Number(process.argv[2] ?? 3);
const w = prepareWorkload(DEFAULT_CONFIG);
runEngineOnce(w);
for (let i = 0; i < runs; i++) {
  const r = runEngineOnce(w);
  process.stderr.write(
    `run ${i + 1}/${runs}: ${r.wallMs.toFixed(0)} ms, ${Math.round((r.wordsCounted / r.wallMs) * 1000)} records/s\n`,
  );
}
