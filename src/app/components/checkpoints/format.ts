/**
 * Pure helpers of the checkpoint panel: number formatting (bytes, virtual durations and times), the
 * phase layout of one checkpoint's subtasks, and the checks a snapshot file passes before it is sent
 * to the worker. No DOM, no Svelte, no i18n: the components translate what these return.
 */
import type {
  CheckpointStats,
  SubtaskCheckpointStats,
} from '../../../engine/checkpointing/CompletedCheckpoint';

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** 725 → "725 B", 1536 → "1.5 KiB", 5 MiB → "5.0 MiB" (binary units, as Flink's Web UI). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  const sign = bytes < 0 ? '-' : '';
  let n = Math.abs(bytes);
  let unit = 0;
  while (n >= 1024 && unit < BYTE_UNITS.length - 1) {
    n /= 1024;
    unit++;
  }
  if (unit === 0) return `${sign}${Math.round(n)} B`;
  return `${sign}${n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : Math.round(n)} ${BYTE_UNITS[unit]}`;
}

/** A duration in virtual ms: "0 ms", "0.42 ms", "19.8 ms", "312 ms", "1.53 s", "2 min 5 s". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const sign = ms < 0 ? '-' : '';
  const a = Math.abs(ms);
  if (a === 0) return '0 ms';
  if (a < 1) return `${sign}${a.toFixed(2)} ms`;
  if (a < 100) return `${sign}${trimZero(a.toFixed(1))} ms`;
  if (a < 1000) return `${sign}${Math.round(a)} ms`;
  if (a < 60_000) return `${sign}${(a / 1000).toFixed(a < 10_000 ? 2 : 1)} s`;
  const min = Math.floor(a / 60_000);
  const s = Math.round((a - min * 60_000) / 1000);
  return `${sign}${min} min ${s} s`;
}

/** A point in virtual time (ms since the run began): "850.0 ms", "1.511 s", "2 min 3.4 s". */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (Math.abs(ms) < 1000) return `${ms.toFixed(1)} ms`;
  if (Math.abs(ms) < 60_000) return `${(ms / 1000).toFixed(3)} s`;
  const min = Math.floor(ms / 60_000);
  return `${min} min ${((ms - min * 60_000) / 1000).toFixed(1)} s`;
}

function trimZero(s: string): string {
  return s.endsWith('.0') ? s.slice(0, -2) : s;
}

// ------------------------------------------------------------------------------------ history

/** Newest first (by id: ids grow with trigger order), at most `limit`. */
export function newestFirst<T extends { id: number }>(history: readonly T[], limit = Infinity): T[] {
  return [...history].sort((a, b) => b.id - a.id).slice(0, limit);
}

export type StatusKey = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

/** A symbol that says the status without colour (the text says it too). */
export const STATUS_SYMBOL: Record<StatusKey, string> = { IN_PROGRESS: '…', COMPLETED: '✓', FAILED: '✗' };

// ------------------------------------------------------------------------------------ phases

export type Phase = 'startDelay' | 'alignment' | 'sync' | 'async' | 'ack';
export const PHASES: readonly Phase[] = ['startDelay', 'alignment', 'sync', 'async', 'ack'];

export interface PhaseSegment {
  phase: Phase;
  /** Virtual ms after the checkpoint's trigger. */
  start: number;
  end: number;
}

export interface SubtaskPhases {
  taskId: string;
  acknowledged: boolean;
  /** Empty for a subtask that has not acknowledged (yet). */
  segments: PhaseSegment[];
  /** Virtual ms after the trigger at which the acknowledgement reached the coordinator, or null. */
  ackAt: number | null;
  unaligned: boolean;
}

export interface CheckpointPhases {
  rows: SubtaskPhases[];
  /** Right end of the time axis (virtual ms after the trigger), > 0. */
  extent: number;
  /** The checkpoint's end-to-end duration (completed or failed), or null while in progress. */
  endToEnd: number | null;
}

/**
 * Approximates each subtask's phases from its statistics, laid end to end from the trigger:
 * start delay (trigger → first barrier), alignment (first → last barrier), synchronous snapshot,
 * asynchronous upload, then the wait until the acknowledgement reached the coordinator ("ack").
 * Phases that would run past the acknowledgement are cut at it (in unaligned mode the phases
 * overlap, so the sum can exceed the end-to-end time). `taskIds` lists every subtask of the job, in
 * order: those without statistics are shown as not acknowledged.
 */
export function checkpointPhases(stats: CheckpointStats, taskIds: readonly string[] = []): CheckpointPhases {
  const byTask = new Map<string, SubtaskCheckpointStats>(stats.subtasks.map((s) => [s.taskId, s]));
  const order = [...taskIds];
  for (const s of stats.subtasks) if (!order.includes(s.taskId)) order.push(s.taskId);
  let extent = stats.endToEndMs ?? 0;
  const rows = order.map((taskId): SubtaskPhases => {
    const s = byTask.get(taskId);
    if (!s) return { taskId, acknowledged: false, segments: [], ackAt: null, unaligned: false };
    const ackAt = s.endToEndMs ?? (s.ackTime !== null ? s.ackTime - stats.triggerTime : null);
    const limit = ackAt ?? Infinity;
    const segments: PhaseSegment[] = [];
    let t = 0;
    const lengths: Array<[Phase, number]> = [
      ['startDelay', s.startDelayMs],
      ['alignment', s.alignmentMs],
      ['sync', s.syncMs],
      ['async', s.asyncMs],
    ];
    for (const [phase, raw] of lengths) {
      const len = Number.isFinite(raw) && raw > 0 ? raw : 0;
      const start = Math.min(t, limit);
      const end = Math.min(t + len, limit);
      if (end > start) segments.push({ phase, start, end });
      t += len;
    }
    if (ackAt !== null && ackAt > t) segments.push({ phase: 'ack', start: t, end: ackAt });
    extent = Math.max(extent, ackAt ?? 0, Math.min(t, limit === Infinity ? t : limit));
    return { taskId, acknowledged: true, segments, ackAt, unaligned: s.unaligned };
  });
  return { rows, extent: extent > 0 ? extent : 1, endToEnd: stats.endToEndMs };
}

// ------------------------------------------------------------------------------------ import

/** Larger files are refused before they are read (a checkpoint of this simulator is far smaller). */
export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;

export type ImportRejection =
  | { reason: 'too-large'; size: number }
  | { reason: 'not-json-file'; name: string; type: string }
  | { reason: 'empty' }
  | { reason: 'not-json-text'; detail: string };

/** What can be told from the file's name, type and size alone. */
export function checkImportFile(file: { name: string; size: number; type: string }): ImportRejection | null {
  if (file.size > MAX_IMPORT_BYTES) return { reason: 'too-large', size: file.size };
  const jsonName = /\.json$/i.test(file.name);
  const jsonType = /(^|\/|\+)json$/i.test(file.type);
  if (!jsonName && !jsonType) return { reason: 'not-json-file', name: file.name, type: file.type };
  if (file.size === 0) return { reason: 'empty' };
  return null;
}

export type ParsedImport =
  { ok: true; kind: 'checkpoint' | 'savepoint' | null } | { ok: false; rejection: ImportRejection };

/** The file's text must at least be JSON (the worker checks everything else, with paths). */
export function parseImportText(text: string): ParsedImport {
  if (text.trim() === '') return { ok: false, rejection: { reason: 'empty' } };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return {
      ok: false,
      rejection: { reason: 'not-json-text', detail: e instanceof Error ? e.message : String(e) },
    };
  }
  const kind =
    typeof value === 'object' && value !== null && 'kind' in value ? (value as { kind: unknown }).kind : null;
  return { ok: true, kind: kind === 'checkpoint' || kind === 'savepoint' ? kind : null };
}

/** Pretty-prints a snapshot's JSON text for reading, cut at `maxChars` (the rest is in the export). */
export function prettySnapshot(text: string, maxChars = 200_000): { text: string; truncated: boolean } {
  let pretty = text;
  try {
    pretty = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // not JSON: shown as it is
  }
  if (pretty.length <= maxChars) return { text: pretty, truncated: false };
  return { text: pretty.slice(0, maxChars), truncated: true };
}
