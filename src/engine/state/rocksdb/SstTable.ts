/**
 * SST files and the order of their entries (RocksDB's block-based tables, modelled): entries sorted by
 * key group, state, key, then the row cell before its user keys; list appends as merge operands;
 * a lazily built index per file (RocksDB's index block) so a point lookup does not scan.
 */
import { serializeKey } from '../../keygroups/hashCode';
import { compareKeys } from '../StateStorage';
import { sstEntryBytes, type SstEntry, type SstFile } from './types';

/** The row's key: key group, state, key and — other than VoidNamespace — the namespace after `\u0001`. */
export function rowKeyOf(kg: number, stateJson: string, keyJson: string, ns?: string): string {
  return ns === undefined ? `${kg},${stateJson},${keyJson}` : `${kg},${stateJson},${keyJson}\u0001${ns}`;
}

export function userKeyOf(rowKey: string, ukJson: string): string {
  return `${rowKey}\u0000${ukJson}`;
}

/** JSON of a value to store; `undefined` is stored as `null`. */
export function serialize(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

/** The order of entries in files: key group, state, key, then the row cell before user keys. */
export function compareSstEntries(a: SstEntry, b: SstEntry): number {
  if (a.kg !== b.kg) return a.kg - b.kg;
  if (a.state !== b.state) return a.state < b.state ? -1 : 1;
  const c = compareKeys(a.key, b.key);
  if (c !== 0) return c;
  if (a.ns !== b.ns) {
    if (a.ns === undefined) return -1;
    if (b.ns === undefined) return 1;
    return a.ns < b.ns ? -1 : 1;
  }
  if (a.uk === undefined) return b.uk === undefined ? 0 : -1;
  if (b.uk === undefined) return 1;
  return compareKeys(a.uk, b.uk);
}

/** Concatenates two JSON arrays without parsing them. */
function concatJsonArrays(a: string, b: string): string {
  if (a === '[]') return b;
  if (b === '[]') return a;
  return `${a.slice(0, -1)},${b.slice(1)}`;
}

/** A newer entry applied over an older one for the same key (merge operands append). */
export function applyOver(older: SstEntry | undefined, newer: SstEntry): SstEntry {
  if (newer.op !== 'merge' || older === undefined) return newer;
  const operand = newer.value as string;
  if (older.op === 'delete') return { ...newer, op: 'put' };
  return { ...newer, op: older.op, value: concatJsonArrays(older.value as string, operand) };
}

const stateJsonCache = new Map<string, string>();
function stateJson(state: string): string {
  let j = stateJsonCache.get(state);
  if (j === undefined) {
    j = JSON.stringify(state);
    if (stateJsonCache.size < 10_000) stateJsonCache.set(state, j);
  }
  return j;
}

export function fullKeyOf(e: SstEntry): string {
  const row = rowKeyOf(e.kg, stateJson(e.state), serializeKey(e.key), e.ns);
  return e.uk === undefined ? row : userKeyOf(row, JSON.stringify(e.uk));
}

/** `sstEntryBytes` of an entry, given its full key (`fullKeyOf`): no need to serialize the key again. */
export function entryBytesOf(e: SstEntry, fullKey: string): number {
  // fullKey = kg "," stateJson "," keyJson, plus "\0" ukJson for map entries
  const keyBytes =
    fullKey.length - String(e.kg).length - stateJson(e.state).length - 2 - (e.uk === undefined ? 0 : 1);
  return sstEntryBytes('', undefined, e.value) + keyBytes;
}

/** Entries with their full keys (`fullKeyOf`) alongside, so keys are serialized once per entry. */
export interface KeyedEntries {
  entries: SstEntry[];
  keys: string[];
}

/** Sorts entries (and their keys alongside) into file order. */
export function sortKeyed(unsorted: KeyedEntries): KeyedEntries {
  const { entries, keys } = unsorted;
  const order = new Array<number>(entries.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => compareSstEntries(entries[a], entries[b]));
  return { entries: order.map((i) => entries[i]), keys: order.map((i) => keys[i]) };
}

/** An SST file opened for reading: the plain file plus its (lazily built) index. */
export class SstTable {
  private index: Map<string, number> | null = null;
  /** Map-state rows: rowKey → [first, end) of its user-key entries. */
  private rows: Map<string, [number, number]> | null = null;
  private fullKeys: string[] | null;

  constructor(
    readonly file: SstFile,
    /** The entries' full keys, when known. */
    keys?: string[],
  ) {
    this.fullKeys = keys ?? null;
  }

  /** The full key of every entry (computed once). */
  keys(): string[] {
    if (this.fullKeys === null) this.fullKeys = this.file.entries.map(fullKeyOf);
    return this.fullKeys;
  }

  private build(): void {
    const index = new Map<string, number>();
    const rows = new Map<string, [number, number]>();
    const entries = this.file.entries;
    const keys = this.keys();
    let lastRow = '';
    let lastRange: [number, number] | null = null;
    for (let i = 0; i < entries.length; i++) {
      const key = keys[i];
      index.set(key, i);
      if (entries[i].uk !== undefined) {
        const row = key.slice(0, key.indexOf('\u0000'));
        if (lastRange !== null && lastRow === row) lastRange[1] = i + 1;
        else {
          lastRange = [i, i + 1];
          lastRow = row;
          rows.set(row, lastRange);
        }
      }
    }
    this.index = index;
    this.rows = rows;
  }

  get(fullKey: string): SstEntry | undefined {
    if (this.index === null) this.build();
    const i = (this.index as Map<string, number>).get(fullKey);
    return i === undefined ? undefined : this.file.entries[i];
  }

  /** The user-key entries of one map-state row, sorted by user key. */
  userEntries(rowKey: string): SstEntry[] {
    if (this.rows === null) this.build();
    const r = (this.rows as Map<string, [number, number]>).get(rowKey);
    return r === undefined ? [] : this.file.entries.slice(r[0], r[1]);
  }
}
