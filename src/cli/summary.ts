/**
 * The readable summary `npm run sim` prints without `--json`: what a learner looks at after a run.
 * `formatSummary` is a pure function of plain data, so it can be tested without running anything.
 */
import type { ScheduledFailure, SimulationResult } from '../engine/index';
import { ignoredFailures } from './ignoredFailures';

export interface SummaryInput {
  scenario: string;
  /** With `--job FILE`: the header names the file instead of a scenario. */
  jobFile?: string;
  seed: number;
  until: number | undefined;
  /** The failures asked for on the command line (including any after `until`). */
  requestedFailures: readonly ScheduledFailure[];
  /** The job's operators, in job-graph order. */
  operators: ReadonlyArray<{ uid: string; name: string; parallelism: number; isSink: boolean }>;
  /** Sink uid → kind of the external table it writes (two-phase-commit, non-transactional, ...). */
  sinkKinds: Readonly<Record<string, string>>;
  result: SimulationResult;
  /** Ids of the completed savepoints (`--savepoint-at`), marked in the checkpoint table. */
  savepointIds?: readonly number[];
  /** The task that runs a `--fail` target (an operator subtask chained into another's task). */
  taskOf?: (target: string) => string;
  /** `--restore FILE`: the snapshot the run started from. */
  restoredFrom?: { file: string; checkpointId: number; kind: string };
}

/** How many keys of one state are listed before the rest is summarised as a count. */
export const MAX_KEYS_SHOWN = 20;

/** ` · 12/12 tasks FINISHED`, or the count per status when they differ. */
function taskCounts(tasks: Readonly<Record<string, string>>): string {
  const counts = new Map<string, number>();
  for (const status of Object.values(tasks)) counts.set(status, (counts.get(status) ?? 0) + 1);
  const total = Object.keys(tasks).length;
  const parts = [...counts].map(([status, n]) => `${n}/${total} tasks ${status}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

export function formatSummary(input: SummaryInput): string {
  const r = input.result;
  const lines: string[] = [];
  lines.push(
    input.jobFile !== undefined
      ? `${r.job} (job file ${input.jobFile})`
      : `${r.job} (scenario ${input.scenario})`,
  );
  lines.push(
    `mode ${r.mode} · seed ${input.seed} · virtual time ${ms(r.time)} · job ${r.jobStatus}` +
      taskCounts(r.tasks ?? {}) +
      (input.until !== undefined ? ` · stopped at --until ${ms(input.until)}` : ''),
  );
  if (input.restoredFrom)
    lines.push(
      `started from snapshot ${input.restoredFrom.file} (${input.restoredFrom.kind} ${input.restoredFrom.checkpointId})`,
    );

  lines.push('', 'Keyed state');
  let anyState = false;
  for (const op of input.operators) {
    const states = r.state[op.uid];
    if (!states) continue;
    for (const [stateName, entries] of Object.entries(states)) {
      anyState = true;
      lines.push(...formatState(op.uid, op.name, stateName, entries));
    }
  }
  if (!anyState) lines.push('  (no keyed state)');

  // The broadcast state pattern: every subtask holds its own copy of the broadcast state.
  const broadcast = r.broadcastState ?? {};
  if (Object.keys(broadcast).length > 0) {
    lines.push('', 'Broadcast state (every subtask its own copy)');
    for (const [uid, subtasks] of Object.entries(broadcast))
      for (const [index, states] of Object.entries(subtasks))
        for (const [name, entries] of Object.entries(states))
          lines.push(
            `  ${uid}#${index} ${name}: ${entries.map(([k, v]) => `${String(k)}=${JSON.stringify(v)}`).join(', ') || '(empty)'}`,
          );
  }

  lines.push('', 'Sinks (committed: what a reader sees; duplicates: committed rows equal to an earlier one)');
  const sinkRows: string[][] = [];
  for (const op of input.operators) {
    if (!op.isSink) continue;
    const s = r.sinks[op.uid] ?? { committed: [], written: [] };
    sinkRows.push([
      op.uid,
      input.sinkKinds[op.uid] ?? '?',
      String(s.committed.length),
      String(s.written.length),
      String(countDuplicates(s.committed)),
    ]);
  }
  lines.push(...table(['sink', 'kind', 'committed', 'written', 'duplicates'], sinkRows, 'llrrr').map(indent));

  const vertices = r.vertices ?? [];
  if (vertices.length > 0) {
    // As Flink's Web UI lists the job: one vertex per operator chain, its subtasks are the tasks.
    lines.push('', `Job vertices (${vertices.length}; ${Object.keys(r.tasks ?? {}).length} subtasks)`);
    lines.push(
      ...table(
        ['vertex', 'operators', 'parallelism'],
        vertices.map((v) => [v.name, v.operators.join(' -> '), String(v.parallelism)]),
        'llr',
      ).map(indent),
    );
  }

  lines.push('', `Checkpoints (${r.checkpoints.length})`);
  if (r.checkpoints.length === 0) lines.push('  (none)');
  else lines.push(...checkpointTable(r, new Set(input.savepointIds ?? [])).map(indent));

  const tms = r.taskManagers ?? [];
  if (tms.length > 0) {
    const slots = tms.reduce((n, tm) => n + tm.slots.length, 0);
    lines.push('', `TaskManagers (${tms.length}, ${slots} slots running; the job needs ${r.slotsNeeded})`);
    for (const tm of tms) {
      const held = tm.slots.map((tasks, i) => `slot ${i}: ${tasks.length > 0 ? tasks.join(' ') : '(free)'}`);
      lines.push(`  ${tm.id}  ${tm.status}${held.length > 0 ? `  ${held.join(' · ')}` : ''}`);
    }
    const added = input.requestedFailures.filter((f) => f.target === 'add-taskmanager');
    if (added.length > 0)
      lines.push(`  added by --add-taskmanager at: ${added.map((f) => ms(f.at)).join(', ')}`);
  }
  // (--add-taskmanager is scheduled with the failures, but it is not one.)
  const requested = input.requestedFailures.filter((f) => f.target !== 'add-taskmanager');

  lines.push('', `Failures (${r.failures.length})`);
  if (requested.length > 0)
    lines.push(`  injected: ${requested.map((f) => `${f.target}@${f.at}`).join(', ')}`);
  if (r.failures.length === 0) lines.push('  (none)');
  else
    lines.push(
      ...table(
        ['time', 'task', 'reason', 'restart delay', 'restored from'],
        r.failures.map((f) => [
          ms(f.time),
          f.task,
          f.reason,
          f.restartDelayMs === null ? '-' : ms(f.restartDelayMs),
          restoredFrom(f, r),
        ]),
        'rllrl',
      ).map(indent),
    );
  const ignored = ignoredFailures(input.requestedFailures, r, input.until, input.taskOf);
  const ended = `the run ended at ${ms(r.time)}`;
  const notReached = ignored.filter((f) => f.reason === ended);
  if (notReached.length > 0)
    lines.push(`  not reached (${ended}): ${notReached.map((f) => `${f.target}@${f.at}`).join(', ')}`);
  for (const f of ignored) if (f.reason !== ended) lines.push(`  ignored: ${f.target}@${f.at}: ${f.reason}`);
  return lines.join('\n') + '\n';
}

/** One row per checkpoint, in the order they were triggered (ids never repeat, even across engine crashes). */
function checkpointTable(r: SimulationResult, savepoints: ReadonlySet<number>): string[] {
  const header = [
    'id',
    'status',
    'trigger',
    'end-to-end',
    'acks',
    'size',
    'in-flight',
    'max align',
    'failure',
  ];
  const rows = r.checkpoints.map((c) => [
    String(c.id),
    savepoints.has(c.id) ? `${c.status} (savepoint)` : c.status,
    ms(c.triggerTime),
    c.endToEndMs === null ? '-' : ms(c.endToEndMs),
    c.acks,
    bytes(c.checkpointedBytes),
    bytes(c.persistedInFlightBytes),
    ms(c.alignmentMsMax),
    c.failureReason ?? '',
  ]);
  return table(header, rows, 'rlrrrrrrl');
}

function formatState(
  uid: string,
  name: string,
  stateName: string,
  entries: Record<string, unknown>,
): string[] {
  const keys = Object.keys(entries).sort(compareKeys);
  const values = keys.map((k) => entries[k]);
  let header = `  ${uid} (${name}) · state '${stateName}' · ${keys.length} key${keys.length === 1 ? '' : 's'}`;
  if (values.length > 0 && values.every((v) => typeof v === 'number'))
    header += ` · sum ${String((values as number[]).reduce((a, b) => a + b, 0))}`;
  const shown = keys.slice(0, MAX_KEYS_SHOWN);
  const width = Math.max(0, ...shown.map((k) => k.length));
  const out = [header];
  for (const k of shown) out.push(`    ${k.padEnd(width)}  ${formatValue(entries[k])}`);
  if (keys.length > shown.length) out.push(`    … and ${keys.length - shown.length} more`);
  return out;
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function formatValue(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  return s.length > 80 ? `${s.slice(0, 79)}…` : s;
}

/** Rows that appeared earlier in the same output (by value): what an outside reader sees twice. */
export function countDuplicates(rows: readonly unknown[]): number {
  const seen = new Set<string>();
  let dups = 0;
  for (const row of rows) {
    const k = JSON.stringify(row) ?? String(row);
    if (seen.has(k)) dups++;
    else seen.add(k);
  }
  return dups;
}

function restoredFrom(f: SimulationResult['failures'][number], r: SimulationResult): string {
  if (f.restoredFrom !== null) return `checkpoint ${f.restoredFrom}`;
  if (f.restartDelayMs === null) return 'not restarted (job failed)';
  const restartAt = f.time + f.restartDelayMs;
  if (
    f.task !== 'engine' &&
    r.failures.some((e) => e.task === 'engine' && e.time > f.time && e.time <= restartAt)
  )
    return 'engine crashed before the restart';
  if (restartAt > r.time) return 'restart pending';
  return 'nothing (from scratch)';
}

export function ms(v: number): string {
  return `${v.toFixed(1)} ms`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function indent(s: string): string {
  return `  ${s}`;
}

/** Column-aligned rows; `align` has one 'l' or 'r' per column. Trailing spaces are trimmed. */
export function table(header: string[], rows: string[][], align: string): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (align[i] === 'r' ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
