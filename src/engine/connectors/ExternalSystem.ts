/**
 * What lives outside the job: the systems sinks write to. A reader of these systems is the "outside
 * reader" whose view end-to-end exactly-once is about. Like the source log, it survives an engine
 * crash: it is passed in, never created, by the engine.
 */
export interface SinkRow {
  /** Virtual time at which the row was written. */
  time: number;
  value: unknown;
  /** Transaction id for two-phase-commit sinks. */
  txn?: string;
}

/** Rows per column chunk: chunks are allocated once and never copied (a growing array copies itself). */
const CHUNK_BITS = 12;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

/**
 * A sink's rows, stored column-wise in fixed-size chunks: a large run writes millions of rows and
 * keeps them all, and one object per row (with its boxed time) made the garbage collector copy and
 * promote three objects per record instead of one (the value). Reads give `SinkRow` objects, made on
 * demand: not the same object twice. Methods as an array's, for readers.
 */
export class SinkRows implements Iterable<SinkRow> {
  private readonly times: Float64Array[] = [];
  private readonly values: unknown[][] = [];
  /** Transaction ids, created with the first row that has one (two-phase commit). */
  private txns: Array<string | undefined> | null = null;
  private n = 0;

  get length(): number {
    return this.n;
  }

  push(time: number, value: unknown, txn?: string): void {
    const i = this.n;
    const j = i & MASK;
    if (j === 0) {
      this.times.push(new Float64Array(CHUNK));
      this.values.push(new Array<unknown>(CHUNK));
    }
    const c = i >>> CHUNK_BITS;
    this.times[c][j] = time;
    this.values[c][j] = value;
    if (txn !== undefined && this.txns === null) this.txns = Array.from({ length: i }, () => undefined);
    if (this.txns !== null) this.txns.push(txn);
    this.n = i + 1;
  }

  timeAt(i: number): number {
    return this.times[i >>> CHUNK_BITS][i & MASK];
  }

  valueAt(i: number): unknown {
    return this.values[i >>> CHUNK_BITS][i & MASK];
  }

  txnAt(i: number): string | undefined {
    return this.txns === null ? undefined : this.txns[i];
  }

  /** Row `i` (negative: from the end), as `Array.prototype.at`. */
  at(i: number): SinkRow | undefined {
    const n = this.n;
    const k = i < 0 ? n + i : i;
    if (k < 0 || k >= n) return undefined;
    return { time: this.timeAt(k), value: this.valueAt(k), txn: this.txnAt(k) };
  }

  /** The rows from `start` to `end` (exclusive), as `Array.prototype.slice`. */
  slice(start = 0, end = this.n): SinkRow[] {
    const n = this.n;
    const from = Math.max(0, start < 0 ? n + start : Math.min(start, n));
    const to = Math.max(0, end < 0 ? n + end : Math.min(end, n));
    const out: SinkRow[] = [];
    for (let i = from; i < to; i++) out.push(this.at(i) as SinkRow);
    return out;
  }

  /** The values alone, in order (no row objects). */
  valueList(): unknown[] {
    const out = new Array<unknown>(this.n);
    for (let i = 0; i < this.n; i++) out[i] = this.valueAt(i);
    return out;
  }

  map<U>(fn: (row: SinkRow, index: number) => U): U[] {
    const out: U[] = [];
    for (let i = 0; i < this.n; i++) out.push(fn(this.at(i) as SinkRow, i));
    return out;
  }

  filter(fn: (row: SinkRow, index: number) => boolean): SinkRow[] {
    const out: SinkRow[] = [];
    for (let i = 0; i < this.n; i++) {
      const row = this.at(i) as SinkRow;
      if (fn(row, i)) out.push(row);
    }
    return out;
  }

  some(fn: (row: SinkRow, index: number) => boolean): boolean {
    for (let i = 0; i < this.n; i++) if (fn(this.at(i) as SinkRow, i)) return true;
    return false;
  }

  forEach(fn: (row: SinkRow, index: number) => void): void {
    for (let i = 0; i < this.n; i++) fn(this.at(i) as SinkRow, i);
  }

  /** As JSON, the array of rows it stands for. */
  toJSON(): SinkRow[] {
    return this.slice();
  }

  *[Symbol.iterator](): Iterator<SinkRow> {
    for (let i = 0; i < this.n; i++) yield this.at(i) as SinkRow;
  }
}

export interface SinkTable {
  kind: SinkKind;
  /** Every row the sink ever wrote, including rows of transactions later aborted. */
  written: SinkRows;
  /** What a reader sees: for non-transactional sinks every write; for 2PC only committed transactions. */
  committed: SinkRows;
  /** Upsert sinks: per key, the index in `written` of the row a reader sees. */
  upserts: Map<string, number>;
  /** 2PC: rows of transactions not yet committed or aborted. */
  openTransactions: Map<string, SinkRow[]>;
  committedTransactions: Set<string>;
  abortedTransactions: Set<string>;
}

export type SinkKind = 'non-transactional' | 'idempotent-upsert' | 'two-phase-commit';

export class ExternalSystem {
  readonly tables = new Map<string, SinkTable>();
  private deployments = 0;

  /** A number no sink deployment writing here used before: keeps transaction ids unique. */
  nextDeployment(): number {
    return this.deployments++;
  }

  table(sinkUid: string, kind: SinkKind): SinkTable {
    let t = this.tables.get(sinkUid);
    if (!t) {
      const written = new SinkRows();
      t = {
        kind,
        written,
        // A reader of a non-transactional sink sees every write: the same rows, not a copy.
        committed: kind === 'non-transactional' ? written : new SinkRows(),
        upserts: new Map(),
        openTransactions: new Map(),
        committedTransactions: new Set(),
        abortedTransactions: new Set(),
      };
      this.tables.set(sinkUid, t);
    }
    return t;
  }

  /** A reader's view of a sink: the rows it can see, in the order they became visible. */
  committedValues(sinkUid: string): unknown[] {
    const t = this.tables.get(sinkUid);
    if (!t) return [];
    if (t.kind === 'idempotent-upsert') return [...t.upserts.values()].map((i) => t.written.valueAt(i));
    return t.committed.valueList();
  }

  writtenValues(sinkUid: string): unknown[] {
    return this.tables.get(sinkUid)?.written.valueList() ?? [];
  }
}
