/**
 * Where the engine side of engine-throughput allocates: V8's sampling heap profiler over verified
 * runs, keeping the samples of objects that were already collected (short-lived garbage is what
 * costs GC time here), written as a .heapprofile for bench/tools/heapprofile-top.ts.
 *
 *   npx tsx bench/profile.ts --alloc [runs]     (bundles this file with a source map, then summarises)
 *
 * One untimed warm-up run, then `runs` (default 1) sampled runs. Sampling interval 4 KiB.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { DEFAULT_CONFIG, prepareWorkload, runEngineOnce } from './engine-throughput';

const runs = Number(process.argv[2] ?? 1);
const out = process.argv[3] ?? 'engine.heapprofile';
const w = prepareWorkload(DEFAULT_CONFIG);
runEngineOnce(w);
const session = new Session();
session.connect();
await session.post('HeapProfiler.enable');
await session.post('HeapProfiler.startSampling', {
  samplingInterval: 4096,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
for (let i = 0; i < runs; i++) {
  const r = runEngineOnce(w);
  process.stderr.write(`run ${i + 1}/${runs}: ${r.wordsCounted} words (sampled, not timed)\n`);
}
const { profile } = await session.post('HeapProfiler.stopSampling');
writeFileSync(out, JSON.stringify(profile));
session.disconnect();
