/**
 * Integer helpers ported from Flink's `org.apache.flink.util.MathUtils`.
 * All arithmetic is 32-bit two's complement, like Java `int`.
 */

/** Java's `Integer.MIN_VALUE`. */
const INT_MIN = -2147483648;

/**
 * Flink's `MathUtils.murmurHash(int)`: one MurmurHash3 (x86_32) round over the 4-byte input, then the
 * fmix32 finaliser; the result is made non-negative (`Integer.MIN_VALUE` maps to 0).
 */
export function murmurHash(code: number): number {
  code = Math.imul(code, 0xcc9e2d51);
  code = (code << 15) | (code >>> 17); // Integer.rotateLeft(code, 15)
  code = Math.imul(code, 0x1b873593);
  code = (code << 13) | (code >>> 19); // Integer.rotateLeft(code, 13)
  code = (Math.imul(code, 5) + 0xe6546b64) | 0;
  code ^= 4;
  // bitMix (fmix32)
  code ^= code >>> 16;
  code = Math.imul(code, 0x85ebca6b);
  code ^= code >>> 13;
  code = Math.imul(code, 0xc2b2ae35);
  code ^= code >>> 16;
  if (code >= 0) return code;
  if (code !== INT_MIN) return -code;
  return 0;
}

/** Flink's `MathUtils.roundUpToPowerOfTwo(int)`: the smallest power of two >= x (for 0 < x <= 2^30). */
export function roundUpToPowerOfTwo(x: number): number {
  x = (x - 1) | 0;
  x |= x >> 1;
  x |= x >> 2;
  x |= x >> 4;
  x |= x >> 8;
  x |= x >> 16;
  return (x + 1) | 0;
}

/** Flink's `MathUtils.isPowerOf2(long)`. */
export function isPowerOf2(x: number): boolean {
  return x > 0 && (x & (x - 1)) === 0;
}
