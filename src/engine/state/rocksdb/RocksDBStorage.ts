/**
 * What the RocksDB-like backend's state handles write through: storages over the LSM for the current
 * key (Flink's RocksDB states address a row by key group, state name, key and, for map state, user
 * key: `Lsm.rowKeyOf`). Values are serialized on every write and parsed on every read.
 */
import type { Key } from '../../keygroups/hashCode';
import type { StateChangeListener } from '../KeyedStateBackend';
import type { State } from '../State';
import type { StateType } from '../StateDescriptor';
import { noKey, type ListStorage, type MapStorage, type UserKey, type ValueStorage } from '../StateStorage';
import type { TtlSettings } from '../ttl/TtlValue';
import { rowKeyOf, serialize, type Lsm, type RowCoords } from './Lsm';
import type { TypeInformation } from '../../api/typeinfo/TypeInformation';

export interface KeyContext {
  key: Key | null;
  keyJson: string;
  kg: number;
  listener: StateChangeListener | null;
}

export interface StateMeta {
  readonly name: string;
  readonly nameJson: string;
  readonly type: StateType;
  ttl: boolean;
  ttlSettings: TtlSettings | null;
  /** Compaction filter on (TTL registered with background cleanup). */
  compactFilter: boolean;
  registered: boolean;
  handle: State | null;
  /** The type of the values (the descriptor's; a restored one until registered; null: not recorded). */
  valueType: TypeInformation | null;
  /**
   * The namespace of the state's (one, cached) handle — Flink's `setCurrentNamespace` on the
   * InternalKvState; undefined: VoidNamespace.
   */
  namespace: string | undefined;
}

export abstract class RocksStorage {
  constructor(
    protected readonly lsm: Lsm,
    protected readonly ctx: KeyContext,
    protected readonly meta: StateMeta,
  ) {}

  protected coords(): RowCoords {
    const ctx = this.ctx;
    if (ctx.key === null) throw noKey();
    const ns = this.meta.namespace;
    const c: RowCoords = {
      kg: ctx.kg,
      state: this.meta.name,
      key: ctx.key,
      keyJson: ctx.keyJson,
      rowKey: rowKeyOf(ctx.kg, this.meta.nameJson, ctx.keyJson, ns),
    };
    if (ns !== undefined) c.ns = ns;
    return c;
  }
}

export class RocksValueStorage extends RocksStorage implements ValueStorage {
  get(): unknown {
    return this.lsm.readValue(this.coords());
  }

  put(stored: unknown): void {
    this.lsm.writeCell(this.coords(), serialize(stored));
  }

  remove(): void {
    this.lsm.writeCell(this.coords(), undefined);
  }
}

export class RocksListStorage extends RocksStorage implements ListStorage {
  get(): unknown[] | undefined {
    return this.lsm.readList(this.coords());
  }

  put(elements: unknown[]): void {
    this.lsm.writeCell(this.coords(), serialize(elements));
  }

  append(elements: unknown[]): void {
    this.lsm.appendCell(this.coords(), serialize(elements));
  }

  remove(): void {
    this.lsm.writeCell(this.coords(), undefined);
  }
}

export class RocksMapStorage extends RocksStorage implements MapStorage {
  get(userKey: UserKey): unknown {
    return this.lsm.readUser(this.coords(), JSON.stringify(userKey));
  }

  put(userKey: UserKey, stored: unknown): void {
    this.lsm.writeUser(this.coords(), userKey, JSON.stringify(userKey), serialize(stored));
  }

  putAll(pairs: ReadonlyArray<readonly [UserKey, unknown]>): void {
    const c = this.coords();
    for (const [uk, v] of pairs) this.lsm.writeUser(c, uk, JSON.stringify(uk), serialize(v));
  }

  remove(userKey: UserKey): void {
    this.lsm.writeUser(this.coords(), userKey, JSON.stringify(userKey), undefined);
  }

  entries(): Array<[UserKey, unknown]> {
    return this.lsm.scanUser(this.coords()).map((e) => [e.uk, JSON.parse(e.json) as unknown]);
  }

  isEmpty(): boolean {
    return this.lsm.scanUser(this.coords()).length === 0;
  }

  /** As Flink's RocksDBMapState: iterate the key's entries and delete each. */
  clear(): void {
    const c = this.coords();
    for (const e of this.lsm.scanUser(c)) this.lsm.writeUser(c, e.uk, e.ukJson, undefined);
  }
}
