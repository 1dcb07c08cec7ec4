/**
 * The binary layer under the chunk codec: columns of keys and values packed into ONE ArrayBuffer per
 * stored value, so that IndexedDB's structured clone copies a single buffer instead of walking 100,000
 * small JS values (see docs/performance.md, "IndexedDB").
 *
 * A body is `[header 16 bytes][section][section]...`, every section 8-byte aligned so typed arrays can
 * view it in place:
 *
 *   offset 0  4 bytes  magic "SSL\x02"
 *          4  u16      body format version (BODY_VERSION)
 *          6  u16      reserved (0)
 *          8  u32      byte length of the whole body
 *         12  u32      checksum of bytes 16..end (FNV-1a over 32-bit words)
 *
 * Header fields are little-endian; typed-array sections use the platform's byte order (little-endian
 * in every browser and Node platform we run on). Which section holds what is described by `Column`
 * descriptors kept next to the body in the stored record (a small structured-clone object).
 *
 * Column kinds, chosen per column by `BodyWriter.column` (the first that fits):
 * - `none`:  every item is `undefined`;
 * - `i32`:   every item is an integer in int32 range (not −0) → Int32Array;
 * - `f64`:   every item is a number (NaN, ±Infinity and −0 included) → Float64Array;
 * - `str`:   every item is a string (well-formed UTF-16) → one UTF-8 text for the whole column plus the
 *            UTF-16 length of each item (u8, u16 or u32, the narrowest that fits);
 * - `json`:  every item survives JSON exactly (plain objects, arrays, finite numbers other than −0,
 *            strings, booleans, null; no undefined inside) → one JSON text of the array, UTF-8;
 * - `clone`: anything else (Map, Date, NaN inside an object, class instances, ...): the array itself,
 *            kept in the descriptor, which IndexedDB stores by structured clone (slow but exact).
 * Items that are `undefined` in an otherwise typed column are listed in `holes` (indexes, i32 section)
 * and left out of the typed part.
 *
 * `FastColumn`s fill the common kinds (i32 / f64 / str) in one pass over the entries without building
 * a JS array first; anything they cannot take goes the general way above.
 *
 * Decoding checks everything it reads (magic, version, length, checksum, section bounds, counts) and
 * throws `CorruptChunkError` with what is wrong rather than returning partial or garbage state.
 */

export const BODY_MAGIC = 0x02_4c_53_53; // "SSL\x02" read as little-endian u32
export const BODY_VERSION = 2;
const HEADER_BYTES = 16;

export class CorruptChunkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorruptChunkError';
  }
}

/** Where a column's data is; see the module comment for the kinds. */
export type Column =
  | { kind: 'none'; count: number }
  | { kind: 'i32'; count: number; offset: number; holes?: Section }
  | { kind: 'f64'; count: number; offset: number; holes?: Section }
  | {
      kind: 'str';
      count: number;
      offset: number;
      bytes: number;
      lengths: number;
      width: 1 | 2 | 4;
      holes?: Section;
    }
  | { kind: 'json'; count: number; offset: number; bytes: number; holes?: Section }
  | { kind: 'clone'; count: number; items: unknown[] };

/** An i32 section: `count` int32 values at `offset`. */
export interface Section {
  offset: number;
  count: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

const align8 = (n: number) => (n + 7) & ~7;

/**
 * Scratch buffers the fast columns fill before `BodyWriter.finish` copies them into the body, kept for
 * the next encode: a checkpoint of 100k keys would otherwise allocate (and zero) megabytes of typed
 * arrays each time only to drop them. Encoding is synchronous, so a buffer is never used twice at once.
 */
const scratchPool: ArrayBuffer[] = [];
const SCRATCH_KEEP = 8;

function takeScratch(bytes: number): ArrayBuffer {
  let best = -1;
  for (let i = 0; i < scratchPool.length; i++) {
    const b = scratchPool[i];
    if (b.byteLength >= bytes && (best < 0 || b.byteLength < scratchPool[best].byteLength)) best = i;
  }
  if (best >= 0) return scratchPool.splice(best, 1)[0];
  return new ArrayBuffer(Math.max(1024, 2 ** Math.ceil(Math.log2(bytes))));
}

function giveBackScratch(buffers: ArrayBuffer[]): void {
  for (const b of buffers) scratchPool.push(b);
  if (scratchPool.length > SCRATCH_KEEP) {
    scratchPool.sort((a, b) => b.byteLength - a.byteLength);
    scratchPool.length = SCRATCH_KEEP;
  }
}

type WellFormed = { isWellFormed?: () => boolean };
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** TextEncoder replaces lone surrogates by U+FFFD: such text must not take the UTF-8 path. */
function isWellFormed(s: string): boolean {
  const f = (s as unknown as WellFormed).isWellFormed;
  return typeof f === 'function' ? f.call(s) : !LONE_SURROGATE.test(s);
}

/** True if `JSON.parse(JSON.stringify(v))` gives back exactly `v` (structured-clone equal). */
export function jsonExact(v: unknown): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v) && !Object.is(v, -0);
    case 'object': {
      if (v === null) return true;
      if (Array.isArray(v)) {
        // Holes and extra (non-index) properties would not survive.
        if (Object.keys(v).length !== v.length) return false;
        for (let i = 0; i < v.length; i++) {
          const x: unknown = v[i];
          if (x === undefined || !jsonExact(x)) return false;
        }
        return true;
      }
      const proto: unknown = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return false;
      for (const k in v) {
        if (k === '__proto__' || k === 'toJSON') return false;
        const x = (v as Record<string, unknown>)[k];
        if (x === undefined || !jsonExact(x)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/** Collects sections; `finish()` lays them out in one exact-size ArrayBuffer with header and checksum. */
export class BodyWriter {
  private readonly parts: Array<{ offset: number; bytes: Uint8Array }> = [];
  private size = HEADER_BYTES;
  private readonly scratch: ArrayBuffer[] = [];

  /** A scratch buffer of at least `bytes`, given back to the pool by `finish`. */
  takeScratch(bytes: number): ArrayBuffer {
    const b = takeScratch(bytes);
    this.scratch.push(b);
    return b;
  }

  /** The current end, to `reset` to (drops the sections added after it). */
  mark(): { parts: number; size: number } {
    return { parts: this.parts.length, size: this.size };
  }

  reset(mark: { parts: number; size: number }): void {
    this.parts.length = mark.parts;
    this.size = mark.size;
  }

  /** Adds a section (copied at `finish`); returns its offset. */
  add(view: ArrayBufferView): number {
    const offset = align8(this.size);
    this.parts.push({ offset, bytes: new Uint8Array(view.buffer, view.byteOffset, view.byteLength) });
    this.size = offset + view.byteLength;
    return offset;
  }

  /** A column of `items` (see the module comment for how the kind is chosen). */
  column(items: readonly unknown[]): Column {
    const count = items.length;
    let holes = 0;
    let allInt = true;
    let allNum = true;
    let allStr = true;
    for (let i = 0; i < count; i++) {
      const x = items[i];
      if (x === undefined) holes++;
      else if (typeof x === 'number') {
        allStr = false;
        if (allInt && ((x | 0) !== x || Object.is(x, -0))) allInt = false;
      } else {
        allNum = allInt = false;
        if (typeof x !== 'string') allStr = false;
      }
    }
    if (holes === count) return { kind: 'none', count };
    let present: readonly unknown[] = items;
    let holeIndexes: Int32Array | null = null;
    if (holes > 0) {
      holeIndexes = new Int32Array(holes);
      const rest: unknown[] = [];
      for (let i = 0, h = 0; i < count; i++) {
        if (items[i] === undefined) holeIndexes[h++] = i;
        else rest.push(items[i]);
      }
      present = rest;
    }
    let text: string | null = null;
    if (allStr) {
      const joined = (present as string[]).join('');
      if (isWellFormed(joined)) text = joined;
    }
    if (!allNum && text === null) {
      for (let i = 0; i < present.length; i++)
        if (!jsonExact(present[i])) return { kind: 'clone', count, items: items.slice() };
    }
    const holeSection = holeIndexes ? { offset: this.add(holeIndexes), count: holes } : undefined;
    const withHoles = <C extends Column>(c: C): C => (holeSection ? { ...c, holes: holeSection } : c);
    if (allNum) {
      if (allInt) {
        const a = new Int32Array(present.length);
        for (let i = 0; i < present.length; i++) a[i] = present[i] as number;
        return withHoles({ kind: 'i32', count, offset: this.add(a) });
      }
      const a = new Float64Array(present.length);
      for (let i = 0; i < present.length; i++) a[i] = present[i] as number;
      return withHoles({ kind: 'f64', count, offset: this.add(a) });
    }
    if (text !== null) {
      let max = 0;
      for (let i = 0; i < present.length; i++) {
        const n = (present[i] as string).length;
        if (n > max) max = n;
      }
      const width = max < 0x100 ? 1 : max < 0x10000 ? 2 : 4;
      const lengths =
        width === 1
          ? new Uint8Array(present.length)
          : width === 2
            ? new Uint16Array(present.length)
            : new Uint32Array(present.length);
      for (let i = 0; i < present.length; i++) lengths[i] = (present[i] as string).length;
      const utf8 = encoder.encode(text);
      return withHoles({
        kind: 'str',
        count,
        offset: this.add(utf8),
        bytes: utf8.byteLength,
        lengths: this.add(lengths),
        width,
      });
    }
    const utf8 = encoder.encode(JSON.stringify(present));
    return withHoles({ kind: 'json', count, offset: this.add(utf8), bytes: utf8.byteLength });
  }

  finish(): ArrayBuffer {
    const total = align8(this.size);
    const buffer = new ArrayBuffer(total);
    const u8 = new Uint8Array(buffer);
    for (const p of this.parts) u8.set(p.bytes, p.offset);
    const head = new DataView(buffer);
    head.setUint32(0, BODY_MAGIC, true);
    head.setUint16(4, BODY_VERSION, true);
    head.setUint16(6, 0, true);
    head.setUint32(8, total, true);
    head.setUint32(12, checksum(buffer), true);
    this.parts.length = 0;
    giveBackScratch(this.scratch.splice(0));
    return buffer;
  }
}

/**
 * The fast path of `BodyWriter.column` for the common cases, filled item by item without building a JS
 * array first. `fastColumnFor(first, n)` picks one by the first item: strings (UTF-8-encoded as they
 * come, straight into a byte buffer: no intermediate strings, little garbage) or numbers (int32, turning
 * into float64 at the first other number). `push` returns false as soon as an item does not fit — a
 * different type, or a string with a lone surrogate — and the caller takes the general path.
 * (Small classes with one job each: the engine inlines their `push` into the caller's loop.)
 */
export interface FastColumn {
  push(x: unknown): boolean;
  /** Writes the column (exactly `capacity` items must have been pushed); null: take the general path. */
  finish(w: BodyWriter): Column | null;
}

export function fastColumnFor(first: unknown, capacity: number, w: BodyWriter): FastColumn | null {
  if (capacity === 0) return null;
  if (typeof first === 'string') return new Utf8Column(capacity, w);
  if (typeof first === 'number') return new NumberColumn(capacity, w);
  return null;
}

/** The encoded keys of one run of items (one key group of one state), to reuse when the same keys come again. */
export interface KeyRun {
  keys: readonly unknown[];
  utf8: Uint8Array;
  lengths: Uint32Array;
  maxLength: number;
}

export class Utf8Column implements FastColumn {
  private utf8: Uint8Array;
  private at = 0;
  private n = 0;
  private readonly lengths: Uint32Array;
  private maxLength = 0;

  constructor(
    private readonly capacity: number,
    private readonly w: BodyWriter,
  ) {
    this.lengths = new Uint32Array(w.takeScratch(capacity * 4), 0, capacity);
    this.utf8 = new Uint8Array(w.takeScratch(Math.max(64, capacity * 16)));
  }

  push(s: unknown): boolean {
    if (typeof s !== 'string') return false;
    const n = s.length;
    let buf = this.utf8;
    let at = this.at;
    if (at + 3 * n > buf.length) {
      const grown = new Uint8Array(this.w.takeScratch(Math.max(buf.length * 2, at + 3 * n)));
      grown.set(buf.subarray(0, at));
      this.utf8 = buf = grown;
    }
    for (let j = 0; j < n; j++) {
      const c = s.charCodeAt(j);
      if (c < 0x80) buf[at++] = c;
      else {
        at = utf8Rest(s, j, buf, at);
        if (at < 0) return false; // a lone surrogate: TextDecoder would not give it back
        break;
      }
    }
    this.at = at;
    this.lengths[this.n++] = n;
    if (n > this.maxLength) this.maxLength = n;
    return true;
  }

  /** Where the next item goes (for `runSince`). */
  position(): { at: number; n: number } {
    return { at: this.at, n: this.n };
  }

  /** The items pushed since `from` as a reusable run (copies; `keys` are those items). */
  runSince(from: { at: number; n: number }, keys: readonly unknown[]): KeyRun {
    let maxLength = 0;
    for (let i = from.n; i < this.n; i++) if (this.lengths[i] > maxLength) maxLength = this.lengths[i];
    return {
      keys,
      utf8: this.utf8.slice(from.at, this.at),
      lengths: this.lengths.slice(from.n, this.n),
      maxLength,
    };
  }

  /** Appends a run encoded before: the same strings, so the same bytes. */
  pushRun(run: KeyRun): void {
    let buf = this.utf8;
    const at = this.at;
    if (at + run.utf8.length > buf.length) {
      const grown = new Uint8Array(this.w.takeScratch(Math.max(buf.length * 2, at + run.utf8.length)));
      grown.set(buf.subarray(0, at));
      this.utf8 = buf = grown;
    }
    buf.set(run.utf8, at);
    this.at = at + run.utf8.length;
    this.lengths.set(run.lengths, this.n);
    this.n += run.lengths.length;
    if (run.maxLength > this.maxLength) this.maxLength = run.maxLength;
  }

  finish(w: BodyWriter): Column | null {
    const count = this.n;
    if (count !== this.capacity) return null;
    const width = this.maxLength < 0x100 ? 1 : this.maxLength < 0x10000 ? 2 : 4;
    let lengths: Uint8Array | Uint16Array | Uint32Array = this.lengths;
    if (width !== 4) {
      lengths =
        width === 2
          ? new Uint16Array(this.w.takeScratch(count * 2), 0, count)
          : new Uint8Array(this.w.takeScratch(count), 0, count);
      lengths.set(this.lengths);
    }
    return {
      kind: 'str',
      count,
      offset: w.add(this.utf8.subarray(0, this.at)),
      bytes: this.at,
      lengths: w.add(lengths),
      width,
    };
  }
}

class NumberColumn implements FastColumn {
  private n = 0;
  private ints: Int32Array | null;
  private f64: Float64Array | null = null;

  constructor(
    private readonly capacity: number,
    private readonly w: BodyWriter,
  ) {
    this.ints = new Int32Array(w.takeScratch(capacity * 4), 0, capacity);
  }

  push(x: unknown): boolean {
    if (typeof x !== 'number') return false;
    const ints = this.ints;
    if (ints !== null) {
      if ((x | 0) === x && !(x === 0 && 1 / x < 0)) {
        ints[this.n++] = x;
        return true;
      }
      this.f64 = new Float64Array(this.w.takeScratch(this.capacity * 8), 0, this.capacity);
      this.f64.set(ints.subarray(0, this.n));
      this.ints = null;
    }
    this.f64![this.n++] = x;
    return true;
  }

  finish(w: BodyWriter): Column | null {
    const count = this.n;
    if (count !== this.capacity) return null;
    return this.ints
      ? { kind: 'i32', count, offset: w.add(this.ints) }
      : { kind: 'f64', count, offset: w.add(this.f64!) };
  }
}

/**
 * UTF-8 of `s` from index `j` on into `buf` at `at` (room for 3 bytes per UTF-16 unit is reserved);
 * returns the new end, or −1 at a lone surrogate.
 */
function utf8Rest(s: string, j: number, buf: Uint8Array, at: number): number {
  const n = s.length;
  for (; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 0x80) buf[at++] = c;
    else if (c < 0x800) {
      buf[at++] = 0xc0 | (c >> 6);
      buf[at++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdfff) {
      buf[at++] = 0xe0 | (c >> 12);
      buf[at++] = 0x80 | ((c >> 6) & 0x3f);
      buf[at++] = 0x80 | (c & 0x3f);
    } else {
      // A surrogate pair: one code point, 4 bytes (its 2 UTF-16 units reserved 6).
      const d = j + 1 < n ? s.charCodeAt(j + 1) : 0;
      if (c > 0xdbff || d < 0xdc00 || d > 0xdfff) return -1;
      const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
      buf[at++] = 0xf0 | (cp >> 18);
      buf[at++] = 0x80 | ((cp >> 12) & 0x3f);
      buf[at++] = 0x80 | ((cp >> 6) & 0x3f);
      buf[at++] = 0x80 | (cp & 0x3f);
      j++;
    }
  }
  return at;
}

/** FNV-1a over the 32-bit words after the header (two interleaved lanes: twice the throughput). */
export function checksum(buffer: ArrayBuffer): number {
  const words = new Uint32Array(buffer, HEADER_BYTES, (buffer.byteLength - HEADER_BYTES) >> 2);
  let a = 0x811c9dc5 ^ words.length;
  let b = 0x050c5d1f;
  const n = words.length & ~1;
  for (let i = 0; i < n; i += 2) {
    a = Math.imul(a ^ words[i], 0x01000193);
    b = Math.imul(b ^ words[i + 1], 0x01000193);
  }
  if (n < words.length) a = Math.imul(a ^ words[n], 0x01000193);
  return (Math.imul(a ^ (b >>> 15), 0x01000193) ^ b) >>> 0;
}

/** Reads columns back out of a body after checking its header and checksum. */
export class BodyReader {
  readonly buffer: ArrayBuffer;

  /** `what` names the value in error messages ("state chunk count#1"). */
  constructor(
    body: unknown,
    private readonly what: string,
  ) {
    let buffer: ArrayBuffer;
    if (body instanceof ArrayBuffer) buffer = body;
    else if (ArrayBuffer.isView(body)) {
      // A view (as some structured-clone implementations return): copy its bytes to an aligned buffer.
      buffer = new Uint8Array(body.buffer, body.byteOffset, body.byteLength).slice().buffer;
    } else
      throw this.corrupt(
        `its binary body is missing (found ${body === null ? 'null' : typeof body} instead of an ArrayBuffer)`,
      );
    this.buffer = buffer;
    if (buffer.byteLength < HEADER_BYTES || buffer.byteLength % 8 !== 0)
      throw this.corrupt(`its body has an impossible size of ${buffer.byteLength} bytes`);
    const head = new DataView(buffer);
    if (head.getUint32(0, true) !== BODY_MAGIC)
      throw this.corrupt('its body does not start with the format marker');
    const version = head.getUint16(4, true);
    if (version !== BODY_VERSION)
      throw this.corrupt(`its body has format version ${version}; this build reads version ${BODY_VERSION}`);
    const length = head.getUint32(8, true);
    if (length !== buffer.byteLength)
      throw this.corrupt(
        `its body is ${buffer.byteLength} bytes long but says ${length} (truncated or padded)`,
      );
    const stored = head.getUint32(12, true);
    const computed = checksum(buffer);
    if (stored !== computed)
      throw this.corrupt(
        `checksum mismatch (stored ${hex(stored)}, computed ${hex(computed)}): the bytes were changed after writing`,
      );
  }

  corrupt(problem: string): CorruptChunkError {
    return new CorruptChunkError(`${this.what} is corrupted: ${problem}`);
  }

  private check(offset: unknown, bytes: number, align: number, what: string): number {
    if (
      typeof offset !== 'number' ||
      !Number.isInteger(offset) ||
      offset < HEADER_BYTES ||
      offset % align !== 0 ||
      !Number.isInteger(bytes) ||
      bytes < 0 ||
      offset + bytes > this.buffer.byteLength
    )
      throw this.corrupt(`${what} lies outside its body (offset ${String(offset)}, ${bytes} bytes)`);
    return offset;
  }

  /** An i32 section (a view into the body, not a copy). */
  int32(s: Section, what: string): Int32Array {
    if (!s || !Number.isInteger(s.count) || s.count < 0) throw this.corrupt(`${what} has no valid length`);
    return new Int32Array(this.buffer, this.check(s.offset, s.count * 4, 4, what), s.count);
  }

  /** A column's items (numbers as a typed-array view into the body: read them, do not keep the view). */
  column(c: Column, what: string): ArrayLike<unknown> {
    if (!c || typeof c !== 'object' || !Number.isInteger(c.count) || c.count < 0)
      throw this.corrupt(`${what}: missing or invalid column descriptor`);
    const count = c.count;
    if (c.kind === 'none') return new Array<unknown>(count).fill(undefined);
    if (c.kind === 'clone') {
      if (!Array.isArray(c.items) || c.items.length !== count)
        throw this.corrupt(`${what}: ${count} items expected`);
      return c.items;
    }
    const holes = c.holes ? this.int32(c.holes, `${what} (holes)`) : null;
    const n = count - (holes ? holes.length : 0);
    if (n < 0) throw this.corrupt(`${what}: more holes than items`);
    let present: ArrayLike<unknown>;
    switch (c.kind) {
      case 'i32':
        present = new Int32Array(this.buffer, this.check(c.offset, n * 4, 4, what), n);
        break;
      case 'f64':
        present = new Float64Array(this.buffer, this.check(c.offset, n * 8, 8, what), n);
        break;
      case 'str': {
        const text = this.text(c.offset, c.bytes, what);
        const width = c.width;
        if (width !== 1 && width !== 2 && width !== 4) throw this.corrupt(`${what}: invalid length width`);
        const at = this.check(c.lengths, n * width, width, `${what} (lengths)`);
        const lengths =
          width === 1
            ? new Uint8Array(this.buffer, at, n)
            : width === 2
              ? new Uint16Array(this.buffer, at, n)
              : new Uint32Array(this.buffer, at, n);
        const strings = new Array<string>(n);
        let pos = 0;
        for (let i = 0; i < n; i++) {
          const end = pos + lengths[i];
          strings[i] = text.slice(pos, end);
          pos = end;
        }
        present = strings;
        if (pos !== text.length)
          throw this.corrupt(`${what}: the lengths add up to ${pos} characters, the text has ${text.length}`);
        break;
      }
      case 'json': {
        const text = this.text(c.offset, c.bytes, what);
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch (e) {
          throw this.corrupt(`${what}: invalid JSON (${(e as Error).message})`);
        }
        if (!Array.isArray(parsed) || parsed.length !== n)
          throw this.corrupt(`${what}: ${n} JSON items expected`);
        present = parsed;
        break;
      }
      default:
        throw this.corrupt(`${what}: unknown column kind '${String((c as { kind: unknown }).kind)}'`);
    }
    if (!holes) return present;
    const out = new Array<unknown>(count);
    let h = 0;
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (h < holes.length && holes[h] === i) {
        out[i] = undefined;
        h++;
      } else out[i] = present[p++];
    }
    if (h !== holes.length || p !== n) throw this.corrupt(`${what}: hole indexes out of order`);
    return out;
  }

  private text(offset: number, bytes: number, what: string): string {
    const at = this.check(offset, bytes, 1, what);
    try {
      return decoder.decode(new Uint8Array(this.buffer, at, bytes));
    } catch {
      throw this.corrupt(`${what}: invalid UTF-8`);
    }
  }
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
