/**
 * Java `hashCode()` for the key types the simulator supports.
 *
 * Flink routes a record by `key.hashCode()`; a JavaScript key has no Java type, so we map it to the
 * Java type a Flink job would most likely use:
 *
 * | JS key                                              | Java type | hashCode                           |
 * | --------------------------------------------------- | --------- | ---------------------------------- |
 * | string                                              | String    | `h = 31*h + c` over UTF-16 units   |
 * | integer in int32 range (incl. `-0`, treated as `0`) | Integer   | the value                          |
 * | other safe integer (abs < 2^53)                     | Long      | `(int)(v ^ (v >>> 32))`            |
 * | any other number (fractions, ±Infinity, NaN, ≥2^53) | Double    | `(int)(bits ^ (bits >>> 32))`      |
 * | bigint in Java's long range                         | Long      | `(int)(v ^ (v >>> 32))`            |
 * | boolean                                             | Boolean   | `true` → 1231, `false` → 1237      |
 *
 * `bits` is `Double.doubleToLongBits`, which collapses every NaN to `0x7ff8000000000000`. `-0` never
 * reaches the Double branch: JS `Map` treats `-0` and `0` as the same key, so they must hash the same.
 *
 * The type matters even for the same value, as in Flink: a `Long` in the int range hashes like the
 * `Integer` only when it is >= 0 (`-1L` → 0, `-1` → -1), and a `Double` never does (`5.0` →
 * 1075052544, `5` → 5), so each lands in another key group. A job keyed by a Java `long` writes its
 * keys as bigint (`5n`). JS has a single number type, so no number stands for an integral `Double`
 * (`5.0` is the number 5, an Integer); only fractional and non-finite numbers are Doubles.
 */
export type Key = string | number | boolean | bigint;

const TWO_POW_32 = 4294967296;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** Java `String.hashCode()`. */
export function stringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) {
    h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  }
  return h;
}

/** Java `Long.hashCode(long)` for a safe integer. */
export function longHashCode(v: number): number {
  const hi = Math.floor(v / TWO_POW_32); // signed upper 32 bits
  const lo = v - hi * TWO_POW_32; // unsigned lower 32 bits
  return (lo ^ hi) | 0;
}

let f64View: DataView | null = null;

/** Java `Double.hashCode(double)`. */
export function doubleHashCode(v: number): number {
  if (Number.isNaN(v)) return 0x7ff80000; // canonical NaN: 0x7ff8000000000000
  if (f64View === null) f64View = new DataView(new ArrayBuffer(8));
  f64View.setFloat64(0, v);
  return (f64View.getInt32(0) ^ f64View.getInt32(4)) | 0;
}

/** Java `Long.hashCode(long)` for a bigint in Java's long range; a clear error outside it. */
export function bigintHashCode(v: bigint): number {
  if (v < LONG_MIN || v > LONG_MAX)
    throw new Error(`key ${v}n does not fit a Java long (a bigint key is a Long: -2^63 .. 2^63-1)`);
  const bits = BigInt.asUintN(64, v);
  return Number(BigInt.asIntN(32, bits ^ (bits >> 32n)));
}

/** The Java `hashCode()` of a key, per the mapping documented above. */
export function javaHashCode(key: Key): number {
  if (typeof key === 'string') return stringHashCode(key);
  if (typeof key === 'number') {
    if ((key | 0) === key) return key | 0; // Integer (also maps -0 to 0)
    if (Number.isSafeInteger(key)) return longHashCode(key);
    return doubleHashCode(key);
  }
  if (typeof key === 'bigint') return bigintHashCode(key);
  return key ? 1231 : 1237;
}

/**
 * A key as a string that tells every key apart (for serialized-state row keys): JSON, except that a
 * bigint, which JSON cannot write, is its digits and `n` (`5n`, unlike the number `5`).
 */
export function serializeKey(key: Key): string {
  return typeof key === 'bigint' ? `${key}n` : JSON.stringify(key);
}

/**
 * Length of `value` as JSON, for size estimates of state and in-flight records. A bigint (a Java
 * Long, e.g. a key field) counts as its digits and `n`; the replacer only runs when plain JSON fails.
 */
export function jsonLength(value: unknown): number {
  try {
    return (JSON.stringify(value) ?? '').length;
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    return (JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? '').length;
  }
}
