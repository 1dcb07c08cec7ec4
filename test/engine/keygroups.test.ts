import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  doubleHashCode,
  javaHashCode,
  longHashCode,
  stringHashCode,
} from '../../src/engine/keygroups/hashCode';
import { KeyGroupRange } from '../../src/engine/keygroups/KeyGroupRange';
import {
  DEFAULT_LOWER_BOUND_MAX_PARALLELISM,
  UPPER_BOUND_MAX_PARALLELISM,
  assignKeyToParallelOperator,
  assignToKeyGroup,
  computeDefaultMaxParallelism,
  computeKeyGroupForKeyHash,
  computeKeyGroupRangeForOperatorIndex,
  computeOperatorIndexForKeyGroup,
} from '../../src/engine/keygroups/KeyGroupRangeAssignment';
import { murmurHash, roundUpToPowerOfTwo } from '../../src/engine/keygroups/MathUtils';

/** fast-check's seed: fixed, so that CI is reproducible; FC_SEED=<n> explores others. */
const FC_SEED = Number(process.env.FC_SEED ?? 20261206);

// ---- An independent reference: Flink's MathUtils.murmurHash(int) in BigInt arithmetic mod 2^32 ----
const M32 = 0xffffffffn;
const mul32 = (a: bigint, b: bigint): bigint => (a * b) & M32;
const rotl32 = (x: bigint, r: bigint): bigint => ((x << r) | (x >> (32n - r))) & M32;
const toSigned = (x: bigint): number => Number(BigInt.asIntN(32, x));

function refMurmurHash(code: number): number {
  let c = BigInt(code) & M32;
  c = mul32(c, 0xcc9e2d51n);
  c = rotl32(c, 15n);
  c = mul32(c, 0x1b873593n);
  c = rotl32(c, 13n);
  c = (mul32(c, 5n) + 0xe6546b64n) & M32;
  c ^= 4n;
  c ^= c >> 16n;
  c = mul32(c, 0x85ebca6bn);
  c ^= c >> 13n;
  c = mul32(c, 0xc2b2ae35n);
  c ^= c >> 16n;
  const s = toSigned(c);
  return s === -2147483648 ? 0 : Math.abs(s);
}

function refStringHashCode(s: string): number {
  let h = 0n;
  for (let i = 0; i < s.length; i++) h = (31n * h + BigInt(s.charCodeAt(i))) & M32;
  return toSigned(h);
}

describe('MathUtils.murmurHash', () => {
  it('matches literal values (computed with the BigInt reference and with Java running Flink’s formula)', () => {
    const expected: Array<[number, number]> = [
      [0, 593689054],
      [1, 68075478],
      [-1, 1982413648],
      [2, 1085422463],
      [42, 1134849565],
      [1000, 3506311],
      [-1000, 696921294],
      [123456789, 1088346449],
      [2147483647, 1653689534],
      [-2147483648, 1718298732],
    ];
    for (const [input, out] of expected) {
      expect(refMurmurHash(input)).toBe(out);
      expect(murmurHash(input)).toBe(out);
    }
  });

  it('equals the BigInt reference on random ints and is never negative', () => {
    fc.assert(
      fc.property(fc.integer({ min: -2147483648, max: 2147483647 }), (x) => {
        const h = murmurHash(x);
        expect(h).toBe(refMurmurHash(x));
        expect(h).toBeGreaterThanOrEqual(0);
      }),
      { seed: FC_SEED, numRuns: 2000 },
    );
  });

  it('roundUpToPowerOfTwo', () => {
    expect([1, 2, 3, 4, 5, 7, 8, 9, 127, 128, 129, 192].map(roundUpToPowerOfTwo)).toEqual([
      1, 2, 4, 4, 8, 8, 8, 16, 128, 128, 256, 256,
    ]);
    expect(roundUpToPowerOfTwo(1 << 30)).toBe(1 << 30);
  });
});

describe('javaHashCode', () => {
  it('String.hashCode', () => {
    expect(stringHashCode('be')).toBe(3139);
    expect(stringHashCode('to')).toBe(3707);
    expect(stringHashCode('')).toBe(0);
    expect(stringHashCode('hello')).toBe(99162322);
    expect(stringHashCode('question')).toBe(-1165870106); // overflows int
    expect(stringHashCode('héllo')).toBe(103094734);
    expect(stringHashCode('日本')).toBe(835047);
    expect(stringHashCode('😀')).toBe(1772899); // a surrogate pair: two UTF-16 units
    expect(javaHashCode('hello')).toBe(99162322);
  });

  it('String.hashCode equals the BigInt reference on random strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        expect(stringHashCode(s)).toBe(refStringHashCode(s));
      }),
      { seed: FC_SEED },
    );
  });

  it('int32 numbers hash as Integer (the value); -0 as 0', () => {
    for (const v of [0, 1, -1, 42, 2147483647, -2147483648]) expect(javaHashCode(v)).toBe(v);
    expect(javaHashCode(-0)).toBe(0);
  });

  it('other safe integers hash as Long', () => {
    const expected: Array<[number, number]> = [
      [4294967296, 1],
      [-4294967296, -1],
      [2147483648, -2147483648],
      [-2147483649, -2147483648],
      [Number.MAX_SAFE_INTEGER, -2097152],
      [Number.MIN_SAFE_INTEGER, -2097151],
      [1700000000000, -807048821],
    ];
    for (const [v, h] of expected) {
      expect(javaHashCode(v)).toBe(h);
      expect(longHashCode(v)).toBe(h);
    }
    fc.assert(
      fc.property(
        fc.bigInt({ min: BigInt(Number.MIN_SAFE_INTEGER), max: BigInt(Number.MAX_SAFE_INTEGER) }),
        (b) => {
          const u = BigInt.asUintN(64, b);
          expect(longHashCode(Number(b))).toBe(toSigned((u ^ (u >> 32n)) & M32));
        },
      ),
      { seed: FC_SEED },
    );
  });

  it('all other numbers hash as Double (doubleToLongBits, canonical NaN)', () => {
    const expected: Array<[number, number]> = [
      [0.5, 1071644672],
      [-0.5, -1075838976],
      [1.5, 1073217536],
      [Math.PI, 340593891],
      [NaN, 2146959360],
      [Infinity, 2146435072],
      [-Infinity, -1048576],
      [1e300, -164130400],
      [2 ** 53, 1128267776], // not a safe integer
    ];
    for (const [v, h] of expected) {
      expect(javaHashCode(v)).toBe(h);
      expect(doubleHashCode(v)).toBe(h);
    }
  });

  it('booleans hash as Boolean', () => {
    expect(javaHashCode(true)).toBe(1231);
    expect(javaHashCode(false)).toBe(1237);
  });
});

describe('KeyGroupRangeAssignment', () => {
  it('assigns words to key groups and subtasks (maxP 128, p 4), as Flink does', () => {
    // Cross-checked with Java: murmurHash(word.hashCode()) % 128, then kg * 4 / 128.
    const expected: Record<string, [keyGroup: number, subtask: number]> = {
      to: [91, 2],
      be: [84, 2],
      or: [81, 2],
      not: [58, 1],
      that: [79, 2],
      is: [120, 3],
      the: [66, 2],
      question: [79, 2],
    };
    for (const [word, [kg, op]] of Object.entries(expected)) {
      expect(assignToKeyGroup(word, 128)).toBe(kg);
      expect(computeKeyGroupForKeyHash(refStringHashCode(word), 128)).toBe(
        refMurmurHash(refStringHashCode(word)) % 128,
      );
      expect(assignToKeyGroup(word, 128)).toBe(refMurmurHash(refStringHashCode(word)) % 128);
      expect(computeOperatorIndexForKeyGroup(128, 4, kg)).toBe(op);
      expect(assignKeyToParallelOperator(word, 128, 4)).toBe(op);
    }
    expect([0, 1, -1, 42].map((k) => assignToKeyGroup(k, 128))).toEqual([94, 86, 80, 29]);
  });

  it('computes the key-group ranges of p = 4 of 128', () => {
    const ranges = [0, 1, 2, 3].map((i) => computeKeyGroupRangeForOperatorIndex(128, 4, i).toString());
    expect(ranges).toEqual([
      'KeyGroupRange{startKeyGroup=0, endKeyGroup=31}',
      'KeyGroupRange{startKeyGroup=32, endKeyGroup=63}',
      'KeyGroupRange{startKeyGroup=64, endKeyGroup=95}',
      'KeyGroupRange{startKeyGroup=96, endKeyGroup=127}',
    ]);
    expect(computeKeyGroupRangeForOperatorIndex(128, 3, 0).toString()).toBe(
      'KeyGroupRange{startKeyGroup=0, endKeyGroup=42}',
    );
  });

  it('ranges for p = 1..10 cover 0..maxP-1 exactly, without overlap, and agree with the operator index', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.oneof(fc.constantFrom(128, 256, 32768), fc.integer({ min: 10, max: 1000 })),
        (p, maxP) => {
          let next = 0;
          for (let i = 0; i < p; i++) {
            const r = computeKeyGroupRangeForOperatorIndex(maxP, p, i);
            expect(r.startKeyGroup).toBe(next); // contiguous: no gap, no overlap
            expect(r.getNumberOfKeyGroups()).toBeGreaterThan(0);
            expect(computeOperatorIndexForKeyGroup(maxP, p, r.startKeyGroup)).toBe(i);
            expect(computeOperatorIndexForKeyGroup(maxP, p, r.endKeyGroup)).toBe(i);
            next = r.endKeyGroup + 1;
          }
          expect(next).toBe(maxP);
        },
      ),
      { seed: FC_SEED },
    );
  });

  it('routes every key to the subtask whose range holds its key group', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean()),
        fc.integer({ min: 1, max: 10 }),
        (key, p) => {
          const op = assignKeyToParallelOperator(key, 128, p);
          expect(computeKeyGroupRangeForOperatorIndex(128, p, op).contains(assignToKeyGroup(key, 128))).toBe(
            true,
          );
        },
      ),
      { seed: FC_SEED },
    );
  });

  it('default max parallelism', () => {
    expect(DEFAULT_LOWER_BOUND_MAX_PARALLELISM).toBe(128);
    expect(UPPER_BOUND_MAX_PARALLELISM).toBe(32768);
    for (let p = 1; p <= 85; p++) expect(computeDefaultMaxParallelism(p)).toBe(128);
    expect(computeDefaultMaxParallelism(86)).toBe(256);
    expect(computeDefaultMaxParallelism(128)).toBe(256);
    expect(computeDefaultMaxParallelism(171)).toBe(256);
    expect(computeDefaultMaxParallelism(172)).toBe(512);
    expect(computeDefaultMaxParallelism(20000)).toBe(32768);
    expect(computeDefaultMaxParallelism(32768)).toBe(32768);
    expect(() => computeDefaultMaxParallelism(0)).toThrow(/not within bounds/);
    expect(() => computeDefaultMaxParallelism(32769)).toThrow(/not within bounds/);
  });

  it('rejects parallelism above max parallelism', () => {
    expect(() => computeKeyGroupRangeForOperatorIndex(4, 8, 0)).toThrow(/must not be smaller/);
  });
});

describe('KeyGroupRange', () => {
  it('contains, size, intersection, EMPTY, toString', () => {
    const r = new KeyGroupRange(0, 31);
    expect(r.toString()).toBe('KeyGroupRange{startKeyGroup=0, endKeyGroup=31}');
    expect(r.getNumberOfKeyGroups()).toBe(32);
    expect(r.contains(0)).toBe(true);
    expect(r.contains(31)).toBe(true);
    expect(r.contains(32)).toBe(false);
    expect(r.contains(-1)).toBe(false);
    expect(r.getIntersection(new KeyGroupRange(16, 63)).toString()).toBe(
      'KeyGroupRange{startKeyGroup=16, endKeyGroup=31}',
    );
    expect(r.getIntersection(new KeyGroupRange(32, 63))).toBe(KeyGroupRange.EMPTY);
    expect(KeyGroupRange.EMPTY.getNumberOfKeyGroups()).toBe(0);
    expect(KeyGroupRange.EMPTY.contains(0)).toBe(false);
    expect(KeyGroupRange.EMPTY.isEmpty()).toBe(true);
    expect(KeyGroupRange.of(5, 4)).toBe(KeyGroupRange.EMPTY);
    expect([...new KeyGroupRange(3, 5)]).toEqual([3, 4, 5]);
    expect(() => new KeyGroupRange(-1, 3)).toThrow();
    expect(() => new KeyGroupRange(5, 3)).toThrow();
  });
});
