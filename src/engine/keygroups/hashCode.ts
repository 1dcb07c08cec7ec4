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
 * | boolean                                             | Boolean   | `true` → 1231, `false` → 1237      |
 *
 * `bits` is `Double.doubleToLongBits`, which collapses every NaN to `0x7ff8000000000000`. `-0` never
 * reaches the Double branch: JS `Map` treats `-0` and `0` as the same key, so they must hash the same.
 */
export type Key = string | number | boolean;

const TWO_POW_32 = 4294967296;

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

/** The Java `hashCode()` of a key, per the mapping documented above. */
export function javaHashCode(key: Key): number {
  if (typeof key === 'string') return stringHashCode(key);
  if (typeof key === 'number') {
    if ((key | 0) === key) return key | 0; // Integer (also maps -0 to 0)
    if (Number.isSafeInteger(key)) return longHashCode(key);
    return doubleHashCode(key);
  }
  return key ? 1231 : 1237;
}
