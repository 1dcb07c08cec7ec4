/**
 * The log-structured merge tree under the RocksDB backend, modelled: a memtable plus immutable sorted
 * SST files in levels, with serialized (JSON) values, tombstones and list merge operands.
 *
 * - Writes go to the memtable (one entry per key: a newer write replaces the older one; a list append
 *   is a merge operand that is folded into what the memtable holds for the key). When the memtable
 *   holds more than `memtableEntries` entries it is flushed: sorted by (key group, state, key, user
 *   key) and written as a new level-0 file.
 * - Reads look at the memtable, then at the files newest first; the first put or delete decides, merge
 *   operands met on the way are appended to it. Every file has an index (RocksDB's index block), so a
 *   point lookup does not scan.
 * - Compaction ("universal" / tiered, in the background, instantaneous in virtual time): when a level
 *   holds `compactionTrigger` files they are merged into one new file on the next level (the last
 *   level merges into itself). Every file of a level is newer than every file of a deeper level, so
 *   the newest-first read order is (level ascending, newest first within a level). A compaction that
 *   has no older data below it (bottommost) drops tombstones and resolves merge operands into puts;
 *   with TTL it also drops expired values (Flink's compaction filter).
 */
import type { Key } from '../../keygroups/hashCode';
import { compareKeys, type UserKey } from '../StateStorage';
import type { StateType } from '../StateDescriptor';
import { isExpired, type TtlValue } from '../ttl/TtlValue';
import type { SstEntry, SstFile, SstOp } from './types';
import {
  userKeyOf,
  applyOver,
  fullKeyOf,
  entryBytesOf,
  type KeyedEntries,
  sortKeyed,
  SstTable,
} from './SstTable';
export { compareSstEntries, rowKeyOf, serialize, SstTable, type KeyedEntries } from './SstTable';

export const NUM_LEVELS = 7;
export const LAST_LEVEL = NUM_LEVELS - 1;

/** Modelled costs of state access in virtual time (ms). */
export interface RocksDBCostModel {
  /** Per point read (`value()`, `get`, `contains`, the read of a read-modify-write). */
  readMs: number;
  /** Per write (put, delete, merge). */
  writeMs: number;
  /** Per iterator seek (map `entries/keys/values/isEmpty/clear`). */
  seekMs: number;
  /** (De)serialization per byte of key and value read or written. */
  perByteMs: number;
}

export const DEFAULT_ROCKSDB_COSTS: Readonly<RocksDBCostModel> = Object.freeze({
  readMs: 0.01,
  writeMs: 0.005,
  seekMs: 0.02,
  perByteMs: 0.0001,
});

/** What a compaction needs to know about a state with TTL. */
export interface CompactionTtl {
  type: StateType;
  ttl: number;
}

/** The coordinates of the current key in one state. */
export interface RowCoords {
  kg: number;
  state: string;
  key: Key;
  keyJson: string;
  /** The namespace; absent: VoidNamespace. */
  ns?: string;
  /** `${kg},${JSON.stringify(state)},${keyJson}` (+ `\u0001${ns}`): `rowKeyOf` */
  rowKey: string;
}

interface MemRow {
  cell: SstEntry | undefined;
  user: Map<string, SstEntry> | undefined;
}

export interface LsmOptions {
  ownerId: string;
  memtableEntries: number;
  compactionTrigger: number;
  costs: RocksDBCostModel;
}

export interface LsmStats {
  memtableEntries: number;
  flushes: number;
  compactions: number;
  /** Files per level (index = level), newest first. */
  levels: Array<
    Array<{ id: string; entries: number; bytes: number; keyGroupRange: { start: number; end: number } }>
  >;
}

export class Lsm {
  private memtable = new Map<string, MemRow>();
  private memEntries = 0;
  private levels: SstTable[][] = Array.from({ length: NUM_LEVELS }, () => []);
  /** All files, newest first. */
  private readOrder: SstTable[] = [];
  private nextFileNumber = 1;
  private cost = 0;
  private silentDepth = 0;
  private flushes = 0;
  private compactions = 0;
  /** Incremented on every change of the visible content (for caching full views). */
  version = 0;

  constructor(
    private readonly options: LsmOptions,
    /** The TTL states a compaction filters (by state name), and the current time. */
    private readonly compactionTtl: (state: string) => CompactionTtl | null,
    private readonly now: () => number,
  ) {}

  // ---- costs

  takeCost(): number {
    const c = this.cost;
    this.cost = 0;
    return c;
  }

  silently<T>(fn: () => T): T {
    this.silentDepth++;
    try {
      return fn();
    } finally {
      this.silentDepth--;
    }
  }

  private charge(baseMs: number, bytes: number): void {
    if (this.silentDepth === 0) this.cost += baseMs + bytes * this.options.costs.perByteMs;
  }

  // ---- reads

  /** The newest entry for a key (memtable first), following no merge chain. */
  private newest(fullKey: string, fromMem: SstEntry | undefined): SstEntry | undefined {
    if (fromMem !== undefined) return fromMem;
    for (const t of this.readOrder) {
      const e = t.get(fullKey);
      if (e !== undefined) return e;
    }
    return undefined;
  }

  /** Value, reducing and aggregating state: the deserialized value or `undefined`. */
  readValue(c: RowCoords): unknown {
    const e = this.newest(c.rowKey, this.memtable.get(c.rowKey)?.cell);
    if (e === undefined || e.op === 'delete') {
      this.charge(this.options.costs.readMs, c.keyJson.length);
      return undefined;
    }
    const json = e.value as string;
    this.charge(this.options.costs.readMs, c.keyJson.length + json.length);
    return JSON.parse(json) as unknown;
  }

  /** List state: base value plus merge operands, newest first until a put or delete. */
  readList(c: RowCoords): unknown[] | undefined {
    const operands: string[] = [];
    let base: string | undefined;
    const visit = (e: SstEntry | undefined): boolean => {
      if (e === undefined) return false;
      if (e.op === 'merge') {
        operands.push(e.value as string);
        return false;
      }
      if (e.op === 'put') base = e.value as string;
      return true;
    };
    let done = visit(this.memtable.get(c.rowKey)?.cell);
    for (let i = 0; !done && i < this.readOrder.length; i++) done = visit(this.readOrder[i].get(c.rowKey));
    let bytes = c.keyJson.length;
    let result: unknown[] | undefined;
    if (base !== undefined) {
      bytes += base.length;
      result = JSON.parse(base) as unknown[];
    }
    for (let i = operands.length - 1; i >= 0; i--) {
      bytes += operands[i].length;
      const elements = JSON.parse(operands[i]) as unknown[];
      if (result === undefined) result = elements;
      else for (const el of elements) result.push(el);
    }
    this.charge(this.options.costs.readMs, bytes);
    return result === undefined || result.length === 0 ? undefined : result;
  }

  /** Map state: one entry. */
  readUser(c: RowCoords, ukJson: string): unknown {
    const full = userKeyOf(c.rowKey, ukJson);
    const e = this.newest(full, this.memtable.get(c.rowKey)?.user?.get(ukJson));
    if (e === undefined || e.op === 'delete') {
      this.charge(this.options.costs.readMs, c.keyJson.length + ukJson.length);
      return undefined;
    }
    const json = e.value as string;
    this.charge(this.options.costs.readMs, c.keyJson.length + ukJson.length + json.length);
    return JSON.parse(json) as unknown;
  }

  /** Map state: every visible entry of the row, sorted by user key (an iterator over the prefix). */
  scanUser(c: RowCoords): Array<{ uk: UserKey; ukJson: string; json: string }> {
    const seen = new Set<string>();
    const out: Array<{ uk: UserKey; ukJson: string; json: string }> = [];
    let bytes = 0;
    const take = (ukJson: string, e: SstEntry): void => {
      if (seen.has(ukJson)) return;
      seen.add(ukJson);
      if (e.op === 'delete') return;
      const json = e.value as string;
      bytes += c.keyJson.length + ukJson.length + json.length;
      out.push({ uk: e.uk as UserKey, ukJson, json });
    };
    const mem = this.memtable.get(c.rowKey)?.user;
    if (mem !== undefined) for (const [ukJson, e] of mem) take(ukJson, e);
    for (const t of this.readOrder) {
      for (const e of t.userEntries(c.rowKey)) take(JSON.stringify(e.uk), e);
    }
    this.charge(this.options.costs.seekMs, bytes);
    if (out.length > 1) out.sort((a, b) => compareKeys(a.uk, b.uk));
    return out;
  }

  // ---- writes

  private row(c: RowCoords): MemRow {
    let row = this.memtable.get(c.rowKey);
    if (row === undefined) {
      row = { cell: undefined, user: undefined };
      this.memtable.set(c.rowKey, row);
    }
    return row;
  }

  private entry(c: RowCoords, op: SstOp, value: string | undefined, uk?: UserKey): SstEntry {
    const e: SstEntry = { kg: c.kg, state: c.state, key: c.key, op };
    if (c.ns !== undefined) e.ns = c.ns;
    if (uk !== undefined) e.uk = uk;
    if (value !== undefined) e.value = value;
    return e;
  }

  /** Put (a JSON value) or delete (`undefined`) the row's value. */
  writeCell(c: RowCoords, json: string | undefined): void {
    const row = this.row(c);
    if (row.cell === undefined) this.memEntries++;
    row.cell = this.entry(c, json === undefined ? 'delete' : 'put', json);
    this.charge(this.options.costs.writeMs, c.keyJson.length + (json === undefined ? 0 : json.length));
    this.afterWrite();
  }

  /** List append: a merge operand (a JSON array), folded into the memtable's entry for the key. */
  appendCell(c: RowCoords, operandJson: string): void {
    const row = this.row(c);
    const old = row.cell;
    if (old === undefined) this.memEntries++;
    row.cell = applyOver(old, this.entry(c, 'merge', operandJson));
    this.charge(this.options.costs.writeMs, c.keyJson.length + operandJson.length);
    this.afterWrite();
  }

  /** Put (a JSON value) or delete (`undefined`) one map entry. */
  writeUser(c: RowCoords, uk: UserKey, ukJson: string, json: string | undefined): void {
    const row = this.row(c);
    if (row.user === undefined) row.user = new Map();
    if (!row.user.has(ukJson)) this.memEntries++;
    row.user.set(ukJson, this.entry(c, json === undefined ? 'delete' : 'put', json, uk));
    this.charge(
      this.options.costs.writeMs,
      c.keyJson.length + ukJson.length + (json === undefined ? 0 : json.length),
    );
    this.afterWrite();
  }

  private afterWrite(): void {
    this.version++;
    if (this.memEntries > this.options.memtableEntries) this.flush();
  }

  // ---- flush and compaction

  /** The memtable's entries with their full keys, unsorted. */
  private memtableEntries(): KeyedEntries {
    const entries: SstEntry[] = [];
    const keys: string[] = [];
    for (const [rowKey, row] of this.memtable) {
      if (row.cell !== undefined) {
        entries.push(row.cell);
        keys.push(rowKey);
      }
      if (row.user !== undefined) {
        for (const [ukJson, e] of row.user) {
          entries.push(e);
          keys.push(userKeyOf(rowKey, ukJson));
        }
      }
    }
    return { entries, keys };
  }

  /** Writes the memtable as a level-0 file (if it holds anything), then compacts as needed. */
  flush(): void {
    if (this.memEntries === 0) return;
    const sorted = sortKeyed(this.memtableEntries());
    this.memtable = new Map();
    this.memEntries = 0;
    this.flushes++;
    this.addFile(0, sorted);
    this.maybeCompact();
  }

  private maybeCompact(): void {
    for (let level = 0; level < NUM_LEVELS; level++) {
      if (this.levels[level].length >= this.options.compactionTrigger) this.compactLevel(level);
    }
  }

  /** Merges every file of the given level into one (on the next level). */
  compactLevel(level: number): void {
    const inputs = this.levels[level];
    if (inputs.length === 0) return;
    let bottommost = true;
    for (let l = level + 1; l < NUM_LEVELS; l++) if (this.levels[l].length > 0) bottommost = false;
    const sources = inputs
      .slice()
      .reverse()
      .map((t) => ({ entries: t.file.entries, keys: t.keys() }));
    const merged = this.mergeEntries(sources, bottommost, true);
    this.levels[level] = [];
    this.compactions++;
    this.addFile(level === LAST_LEVEL ? LAST_LEVEL : level + 1, merged);
  }

  /** Flushes and merges everything into one file on the last level (RocksDB's CompactRange). */
  compactAll(): void {
    this.flush();
    if (this.readOrder.length === 0) return;
    const sources = this.readOrder
      .slice()
      .reverse()
      .map((t) => ({ entries: t.file.entries, keys: t.keys() }));
    const merged = this.mergeEntries(sources, true, true);
    this.levels = Array.from({ length: NUM_LEVELS }, () => []);
    this.compactions++;
    this.addFile(LAST_LEVEL, merged);
  }

  /**
   * Merges sources (oldest first) into sorted entries, one per key. `bottommost`: nothing older exists,
   * so tombstones are dropped and merge operands become puts. `filterTtl`: the compaction filter.
   */
  mergeEntries(
    sources: ReadonlyArray<{ entries: ReadonlyArray<SstEntry>; keys?: ReadonlyArray<string> }>,
    bottommost: boolean,
    filterTtl: boolean,
  ): KeyedEntries {
    const byKey = new Map<string, SstEntry>();
    for (const { entries, keys } of sources) {
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i];
        const k = keys === undefined ? fullKeyOf(e) : keys[i];
        const older = byKey.get(k);
        byKey.set(k, older === undefined ? e : applyOver(older, e));
      }
    }
    const now = filterTtl ? this.now() : 0;
    const out: SstEntry[] = [];
    const outKeys: string[] = [];
    for (const [k, entry] of byKey) {
      let e = entry;
      if (bottommost) {
        if (e.op === 'delete') continue;
        if (e.op === 'merge') e = { ...e, op: 'put' };
      }
      if (filterTtl) {
        const ttl = this.compactionTtl(e.state);
        if (ttl !== null) {
          const filtered = filterExpired(e, ttl, now, bottommost);
          if (filtered === null) continue;
          e = filtered;
        }
      }
      out.push(e);
      outKeys.push(k);
    }
    return sortKeyed({ entries: out, keys: outKeys });
  }

  private addFile(level: number, sorted: KeyedEntries): void {
    this.version++;
    const { entries, keys } = sorted;
    if (entries.length === 0) {
      this.readOrder = this.levels.flat();
      return;
    }
    let bytes = 0;
    for (let i = 0; i < entries.length; i++) bytes += entryBytesOf(entries[i], keys[i]);
    const file: SstFile = {
      id: `${this.options.ownerId}-${String(this.nextFileNumber++).padStart(6, '0')}.sst`,
      level,
      keyGroupRange: { start: entries[0].kg, end: entries[entries.length - 1].kg },
      entries,
      bytes,
    };
    this.levels[level].unshift(new SstTable(file, keys));
    this.readOrder = this.levels.flat();
  }

  // ---- whole-store access

  /** Live files, newest first (read order). */
  files(): SstFile[] {
    return this.readOrder.map((t) => t.file);
  }

  /** Every visible entry (puts only, merges resolved), sorted. */
  visibleEntries(): SstEntry[] {
    const sources: KeyedEntries[] = this.readOrder
      .slice()
      .reverse()
      .map((t) => ({ entries: t.file.entries, keys: t.keys() }));
    sources.push(this.memtableEntries());
    return this.mergeEntries(sources, true, false).entries;
  }

  /** Drops everything; file numbering continues. */
  clear(): void {
    this.memtable = new Map();
    this.memEntries = 0;
    this.levels = Array.from({ length: NUM_LEVELS }, () => []);
    this.readOrder = [];
    this.version++;
  }

  /** Takes files over as they are (restore without rescaling), given in read order (newest first). */
  adoptFiles(files: ReadonlyArray<SstFile>): void {
    for (const f of files) {
      if (!Number.isInteger(f.level) || f.level < 0 || f.level >= NUM_LEVELS) {
        throw new Error(`SST file ${f.id} has an invalid level ${f.level}`);
      }
      this.levels[f.level].push(new SstTable(f));
      const prefix = `${this.options.ownerId}-`;
      if (f.id.startsWith(prefix)) {
        const n = Number.parseInt(f.id.slice(prefix.length), 10);
        if (Number.isFinite(n) && n >= this.nextFileNumber) this.nextFileNumber = n + 1;
      }
    }
    this.readOrder = this.levels.flat();
    this.version++;
  }

  /** Writes sorted, merged entries (from `mergeEntries`) as one file on the last level (bulk load). */
  ingest(sorted: KeyedEntries): void {
    this.addFile(LAST_LEVEL, sorted);
  }

  stats(): LsmStats {
    return {
      memtableEntries: this.memEntries,
      flushes: this.flushes,
      compactions: this.compactions,
      levels: this.levels.map((files) =>
        files.map((t) => ({
          id: t.file.id,
          entries: t.file.entries.length,
          bytes: t.file.bytes,
          keyGroupRange: { ...t.file.keyGroupRange },
        })),
      ),
    };
  }
}

/** The TTL compaction filter on one entry: `null` to drop it. */
function filterExpired(e: SstEntry, ttl: CompactionTtl, now: number, bottommost: boolean): SstEntry | null {
  if (e.op === 'delete' || e.value === undefined) return e;
  if (ttl.type === 'list') {
    const list = JSON.parse(e.value) as TtlValue[];
    const kept = list.filter((tv) => !isExpired(tv, ttl.ttl, now));
    if (kept.length === list.length) return e;
    if (kept.length > 0) return { ...e, value: JSON.stringify(kept) };
    if (e.op === 'merge' || bottommost) return null; // an empty operand changes nothing
  } else {
    const tv = JSON.parse(e.value) as TtlValue;
    if (!isExpired(tv, ttl.ttl, now)) return e;
    if (bottommost) return null;
  }
  // Not bottommost: a tombstone keeps older versions of the key hidden.
  const tomb: SstEntry = { kg: e.kg, state: e.state, key: e.key, op: 'delete' };
  if (e.ns !== undefined) tomb.ns = e.ns;
  if (e.uk !== undefined) tomb.uk = e.uk;
  return tomb;
}
