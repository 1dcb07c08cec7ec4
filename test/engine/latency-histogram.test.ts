/**
 * The latency histogram's bucket index comes from the bits of the value (JobMetrics.logBucket), not
 * from Math.log2: it must give exactly the index `(Math.log2(y) * 16) | 0` gave, everywhere —
 * including right at the edges of the buckets, where rounding decides.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logBucket } from '../../src/engine/runtime/JobMetrics';
import { LatencyHistogram } from '../../src/engine/runtime/MiniCluster';

/** fast-check's seed: fixed, so that CI is reproducible; FC_SEED=<n> explores others. */
const FC_SEED = Number(process.env.FC_SEED ?? 20261206);

const reference = (y: number): number => (Math.log2(y) * 16) | 0;

/** The double `k` steps (ulps) away from a positive double `x`. */
function nudge(x: number, k: number): number {
  const f = new Float64Array([x]);
  const i = new BigInt64Array(f.buffer);
  i[0] += BigInt(k);
  return f[0];
}

describe('LatencyHistogram bucket index (logBucket)', () => {
  it('equals (Math.log2(y) * 16) | 0 for any y > 1', () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 1e300, noNaN: true, minExcluded: true }), (y) => {
        expect(logBucket(y)).toBe(reference(y));
      }),
      { seed: FC_SEED, numRuns: 5_000 },
    );
  });

  it('equals it at and next to every bucket edge 2^(k/16) (±40 ulp), over 200 octaves', () => {
    const wrong: string[] = [];
    let checked = 0;
    for (let k = 1; k < 16 * 200; k++) {
      const edge = Math.pow(2, k / 16);
      for (let d = -40; d <= 40; d++) {
        const y = nudge(edge, d);
        if (y <= 1) continue;
        checked++;
        if (logBucket(y) !== reference(y)) wrong.push(`y=${y} (edge 2^(${k}/16), ${d} ulp)`);
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(250_000);
  });

  it('puts the values a latency run produces in the buckets Math.log2 would', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e7, noNaN: true }), { maxLength: 200 }), (values) => {
        const h = new LatencyHistogram();
        const want = new Float64Array(512);
        for (const ms of values) {
          h.add(ms);
          let i = ms > 0.01 ? reference(ms / 0.01) : 0;
          if (i >= 512) i = 511;
          want[i]++;
        }
        expect(Array.from(h.buckets)).toEqual(Array.from(want));
      }),
      { seed: FC_SEED },
    );
  });
});
