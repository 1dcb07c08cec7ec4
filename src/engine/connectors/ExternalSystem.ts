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

export interface SinkTable {
  kind: SinkKind;
  /** Every row the sink ever wrote, including rows of transactions later aborted. */
  written: SinkRow[];
  /** What a reader sees: for non-transactional sinks every write; for 2PC only committed transactions. */
  committed: SinkRow[];
  /** Upsert sinks: current value per key. */
  upserts: Map<string, SinkRow>;
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
      const written: SinkRow[] = [];
      t = {
        kind,
        written,
        // A reader of a non-transactional sink sees every write: the same rows, not a copy.
        committed: kind === 'non-transactional' ? written : [],
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
    if (t.kind === 'idempotent-upsert') return [...t.upserts.values()].map((r) => r.value);
    return t.committed.map((r) => r.value);
  }

  writtenValues(sinkUid: string): unknown[] {
    return this.tables.get(sinkUid)?.written.map((r) => r.value) ?? [];
  }
}
