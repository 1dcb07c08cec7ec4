/**
 * End-to-end guarantees of the three sink kinds, as an outside reader of the external system sees
 * them: a non-transactional sink shows replays as duplicates, an idempotent upsert sink converges to
 * the failure-free table, a two-phase-commit sink exposes only committed transactions.
 */
import { describe, expect, it } from 'vitest';
import {
  FsStateBackend,
  IdempotentUpsertSink,
  NonTransactionalSink,
  ReplayableLog,
  RestartStrategies,
  Simulation,
  StreamExecutionEnvironment,
  TwoPhaseCommitSink,
  ValueStateDescriptor,
  type ExternalSystem,
  type JobGraph,
  type LogRecord,
  type RuntimeContext,
  type SinkDefinition,
  type TraceEvent,
  type ValueState,
} from '../../src/engine/index';
import { ofType } from './helpers';

type Row = [string, number];

class Count {
  private n!: ValueState<number>;
  open(ctx: RuntimeContext): void {
    this.n = ctx.getState(new ValueStateDescriptor<number>('n'));
  }
  map(x: { k: string }): Row {
    const n = (this.n.value() ?? 0) + 1;
    this.n.update(n);
    return [x.k, n];
  }
}

const RECORDS = 600;

/** source (p=2) -> keyBy -> count (p=2) -> sink (p=2), checkpoint every 100 ms, FsStateBackend. */
function buildJob(sink: SinkDefinition<Row>): JobGraph {
  const parts: LogRecord<{ k: string; v: number }>[][] = [[], []];
  for (let i = 0; i < RECORDS; i++) parts[i % 2].push({ value: { k: `k${i % 7}`, v: i }, timestamp: i });
  // The sink in a task of its own: these tests read its subtasks' events by the sink's id.
  const env = StreamExecutionEnvironment.getExecutionEnvironment()
    .setParallelism(2)
    .disableOperatorChaining();
  env.enableCheckpointing(100).setStateBackend(new FsStateBackend());
  env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 50));
  env
    .fromSource(new ReplayableLog('in', parts), 'Source: in', 1)
    .uid('src')
    .keyBy((x: { k: string }) => x.k)
    .map(new Count())
    .uid('count')
    .setProcessingTime(0.5)
    .addSink(sink)
    .uid('sink');
  return env.getJobGraph('Sinks');
}

interface Run {
  sim: Simulation;
  events: TraceEvent[];
  committed: Row[];
  written: Row[];
}

function simulate(
  sink: SinkDefinition<Row>,
  failures: { target: string; at: number }[] = [],
  listener?: (e: TraceEvent, external: ExternalSystem) => void,
): Run {
  const events: TraceEvent[] = [];
  let sim: Simulation | null = null;
  sim = new Simulation(buildJob(sink), {
    seed: 9,
    trace: (e) => {
      events.push(e);
      if (listener && sim) listener(e, sim.external);
    },
  });
  sim.run(failures);
  return {
    sim,
    events,
    committed: sim.external.committedValues('sink') as Row[],
    written: sim.external.writtenValues('sink') as Row[],
  };
}

const key = (r: Row) => `${r[0]}:${r[1]}`;
const sorted = (rows: readonly Row[]) => rows.map(key).sort();

function duplicates(rows: readonly Row[]): number {
  return rows.length - new Set(rows.map(key)).size;
}

/** A time after the second checkpoint completed, in a failure-free run: failing there restores checkpoint 2. */
function failureTime(sink: SinkDefinition<Row>): number {
  const { events } = simulate(sink);
  const completed = ofType(events, 'checkpoint-completed');
  return completed[1].t + 40;
}

describe('non-transactional sink', () => {
  it('without failures, shows every result exactly once, as soon as it is written', () => {
    const { committed, written } = simulate(new NonTransactionalSink<Row>());
    expect(committed).toHaveLength(RECORDS);
    expect(duplicates(committed)).toBe(0);
    expect(committed).toEqual(written);
  });

  it('shows duplicates after a restore: the records replayed since the checkpoint are written again', () => {
    const sink = new NonTransactionalSink<Row>();
    const reference = simulate(sink).committed;
    const { committed, sim } = simulate(sink, [{ target: 'count#0', at: failureTime(sink) }]);
    expect(sim.failures).toHaveLength(1);
    expect(sim.failures[0].restoredFrom).not.toBeNull();
    expect(duplicates(committed)).toBeGreaterThan(0);
    expect(committed.length).toBeGreaterThan(RECORDS);
    // Nothing lost, nothing invented: the distinct rows are the failure-free ones.
    expect([...new Set(committed.map(key))].sort()).toEqual(sorted(reference));
  });
});

describe('idempotent upsert sink', () => {
  const upsert = () => new IdempotentUpsertSink<Row>((r) => r[0]);

  it('ends with the failure-free table after a restore', () => {
    const reference = simulate(upsert()).committed;
    expect(reference).toHaveLength(7);
    const { committed, written, sim } = simulate(upsert(), [
      { target: 'count#1', at: failureTime(upsert()) },
    ]);
    expect(sim.failures).toHaveLength(1);
    expect(sorted(committed)).toEqual(sorted(reference));
    // The replays did reach the sink; they just overwrote the same rows.
    expect(written.length).toBeGreaterThan(RECORDS);
  });

  it('a reader may briefly see a row go back to an older value while the replay catches up', () => {
    const at = failureTime(upsert());
    const latest = new Map<string, number>();
    let regressions = 0;
    simulate(upsert(), [{ target: 'count#1', at }], (e, external) => {
      if (e.type !== 'sink-written') return;
      const rows = external.committedValues('sink') as Row[];
      for (const [k, n] of rows) {
        if (n < (latest.get(k) ?? 0)) regressions++;
        latest.set(k, n);
      }
    });
    expect(regressions).toBeGreaterThan(0);
  });
});

describe('two-phase-commit sink', () => {
  it('commits nothing before the first checkpoint completes', () => {
    let atFirstCompletion: { committed: number; written: number } | null = null;
    simulate(new TwoPhaseCommitSink<Row>(), [], (e, external) => {
      if (e.type === 'checkpoint-completed' && atFirstCompletion === null)
        atFirstCompletion = {
          committed: external.committedValues('sink').length,
          written: external.writtenValues('sink').length,
        };
    });
    expect(atFirstCompletion).not.toBeNull();
    const snap = atFirstCompletion as unknown as { committed: number; written: number };
    expect(snap.written).toBeGreaterThan(0);
    expect(snap.committed).toBe(0);
  });

  it('commits only on notifyCheckpointComplete: committed rows lag written rows, and catch up at the end', () => {
    const lag: number[] = [];
    const run = simulate(new TwoPhaseCommitSink<Row>(), [], (e, external) => {
      if (e.type === 'checkpoint-completed')
        lag.push(external.writtenValues('sink').length - external.committedValues('sink').length);
    });
    expect(lag.length).toBeGreaterThan(2);
    expect(lag.every((n) => n > 0)).toBe(true);
    expect(sorted(run.committed)).toEqual(sorted(run.written));
    expect(run.committed).toHaveLength(RECORDS);

    const notified = ofType(run.events, 'checkpoint-notified');
    const completed = ofType(run.events, 'checkpoint-completed');
    const commits = ofType(run.events, 'transaction-committed');
    expect(commits.length).toBeGreaterThan(0);
    for (const c of commits) {
      // At the same time as the task's notification, after some checkpoint completed.
      expect(notified.some((n) => n.task === c.task && n.t === c.t)).toBe(true);
      expect(completed.some((x) => x.t < c.t)).toBe(true);
    }
  });

  it('checkpoint n commits exactly the rows the sink wrote before its snapshot n', () => {
    const writtenBySubtask = new Map<string, number>();
    const writtenAtSnapshot = new Map<string, number>(); // `${task}|${cp}` -> rows written before the snapshot
    const committedAtNotify = new Map<string, number>();
    simulate(new TwoPhaseCommitSink<Row>(), [], (e, external) => {
      if (e.type === 'sink-written') writtenBySubtask.set(e.task, (writtenBySubtask.get(e.task) ?? 0) + 1);
      if (e.type === 'snapshot-taken' && e.task.startsWith('sink#'))
        writtenAtSnapshot.set(`${e.task}|${e.checkpointId}`, writtenBySubtask.get(e.task) ?? 0);
      if (e.type === 'checkpoint-notified' && e.task.startsWith('sink#')) {
        const table = external.tables.get('sink');
        const mine = (table?.committed ?? []).filter((r) => (r.txn ?? '').startsWith(`${e.task}/`));
        committedAtNotify.set(`${e.task}|${e.checkpointId}`, mine.length);
      }
    });
    expect(committedAtNotify.size).toBeGreaterThan(4);
    for (const [k, n] of committedAtNotify) expect(n).toBe(writtenAtSnapshot.get(k));
  });

  it('on restore, aborts the open transaction: its rows never become visible', () => {
    const sink = new TwoPhaseCommitSink<Row>();
    const reference = simulate(sink).committed;
    const run = simulate(sink, [{ target: 'count#0', at: failureTime(sink) }]);
    const aborted = ofType(run.events, 'transaction-aborted');
    expect(aborted.map((a) => a.task).sort()).toEqual(['sink#0', 'sink#1']);
    expect(aborted.some((a) => a.rows > 0)).toBe(true);
    const table = run.sim.external.tables.get('sink');
    expect(table).toBeDefined();
    for (const a of aborted) {
      expect(table?.abortedTransactions.has(a.txn)).toBe(true);
      expect(table?.committedTransactions.has(a.txn)).toBe(false);
      expect(table?.committed.some((r) => r.txn === a.txn)).toBe(false);
    }
    // Written includes the aborted rows; the reader's view is exactly the failure-free output.
    expect(run.written.length).toBeGreaterThan(RECORDS);
    expect(duplicates(run.committed)).toBe(0);
    expect(sorted(run.committed)).toEqual(sorted(reference));
  });

  it('on restore, commits the pending transactions recorded in the checkpoint (notification lost)', () => {
    const sink = new TwoPhaseCommitSink<Row>();
    const probe = simulate(sink);
    const first = ofType(probe.events, 'checkpoint-completed')[0];
    // Fail between the completion (t) and the notifications (t + RPC latency): no sink commits in the old attempt.
    const run = simulate(sink, [{ target: 'count#1', at: first.t + 0.5 }]);
    const failedAt = ofType(run.events, 'task-failed')[0];
    expect(ofType(run.events, 'checkpoint-notified').filter((n) => n.t < failedAt.t)).toEqual([]);
    expect(run.sim.failures[0].restoredFrom).toBe(first.checkpointId);

    // The first commits happen while the sinks are restored, before any later checkpoint completes.
    const commits = ofType(run.events, 'transaction-committed');
    const secondCompletion = ofType(run.events, 'checkpoint-completed')[1];
    const restoreCommits = commits.filter(
      (c) => run.events.indexOf(c) < run.events.indexOf(secondCompletion),
    );
    expect(restoreCommits.map((c) => c.task).sort()).toEqual(['sink#0', 'sink#1']);
    expect(restoreCommits.every((c) => c.rows > 0)).toBe(true);
    expect(duplicates(run.committed)).toBe(0);
    expect(sorted(run.committed)).toEqual(sorted(probe.committed));
  });

  it('commits and aborts done while restoring are stamped with the restore time, not the old task clock', () => {
    // SinkOperator.initializeState traces with ctx.now() = task.clock, which deployTask does not reset:
    // the events (and the committed rows' `time`) carry the time of the failed attempt's last record,
    // i.e. they appear *before* the failure in virtual time.
    const sink = new TwoPhaseCommitSink<Row>();
    const at = failureTime(sink);
    const run = simulate(sink, [{ target: 'count#0', at }]);
    const aborted = ofType(run.events, 'transaction-aborted');
    expect(aborted.length).toBeGreaterThan(0);
    for (const a of aborted) expect(a.t).toBeGreaterThanOrEqual(at);
  });
});
