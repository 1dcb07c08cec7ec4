/**
 * Storages under the shared TTL handles (`ttl/TtlStates.ts`) for the heap backend: stored values are
 * `TtlValue`s (per list element, per map entry); map state keeps a Map of user keys per key.
 */
import { noKey, type ListStorage, type MapStorage, type UserKey, type ValueStorage } from '../StateStorage';
import type { KeyContext, StateTable } from './StateTable';

export abstract class HeapStorage {
  constructor(
    protected readonly ctx: KeyContext,
    protected readonly table: StateTable,
  ) {}

  protected current(): unknown {
    const key = this.ctx.key;
    if (key === null) throw noKey();
    const m = this.table.groups[this.ctx.kgIndex];
    return m === undefined ? undefined : m.get(key);
  }

  protected set(stored: unknown): void {
    const key = this.ctx.key;
    if (key === null) throw noKey();
    const groups = this.table.groups;
    let m = groups[this.ctx.kgIndex];
    if (m === undefined) {
      m = new Map();
      groups[this.ctx.kgIndex] = m;
    }
    m.set(key, stored);
  }

  remove(): void {
    const key = this.ctx.key;
    if (key === null) throw noKey();
    const m = this.table.groups[this.ctx.kgIndex];
    if (m !== undefined) m.delete(key);
  }
}

export class HeapValueStorage extends HeapStorage implements ValueStorage {
  get(): unknown {
    return this.current();
  }

  put(stored: unknown): void {
    this.set(stored);
  }
}

export class HeapListStorage extends HeapStorage implements ListStorage {
  get(): unknown[] | undefined {
    return this.current() as unknown[] | undefined;
  }

  put(elements: unknown[]): void {
    this.set(elements);
  }

  append(elements: unknown[]): void {
    const list = this.current() as unknown[] | undefined;
    if (list === undefined) this.set(elements.slice());
    else for (const e of elements) list.push(e);
  }
}

export class HeapMapStorage extends HeapStorage implements MapStorage {
  private userMap(): Map<UserKey, unknown> | undefined {
    return this.current() as Map<UserKey, unknown> | undefined;
  }

  private userMapForWrite(): Map<UserKey, unknown> {
    let um = this.userMap();
    if (um === undefined) {
      um = new Map();
      this.set(um);
    }
    return um;
  }

  get(userKey: UserKey): unknown {
    const um = this.userMap();
    return um === undefined ? undefined : um.get(userKey);
  }

  put(userKey: UserKey, stored: unknown): void {
    this.userMapForWrite().set(userKey, stored);
  }

  putAll(pairs: ReadonlyArray<readonly [UserKey, unknown]>): void {
    const um = this.userMapForWrite();
    for (const [uk, v] of pairs) um.set(uk, v);
  }

  override remove(userKey?: UserKey): void {
    if (userKey === undefined) {
      super.remove();
      return;
    }
    const um = this.userMap();
    if (um === undefined) return;
    um.delete(userKey);
    if (um.size === 0) super.remove();
  }

  entries(): Array<[UserKey, unknown]> {
    const um = this.userMap();
    return um === undefined ? [] : Array.from(um.entries());
  }

  isEmpty(): boolean {
    const um = this.userMap();
    return um === undefined || um.size === 0;
  }

  clear(): void {
    super.remove();
  }
}
