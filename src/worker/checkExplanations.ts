/**
 * Why a lesson check is not met, in the learner's terms: what the simulation shows against what the
 * step expects ("`be` is 3 in count's state 'count', expected 2", "checkpoint 2 completed with 5/5
 * acks, expected 7", "the job is still RUNNING", "the sink shows duplicates…"), and, for a `not`, what
 * happened that must not. Every text is a Message (en.ts; the page's 简体中文 in engineMessages.ts);
 * LessonCheckEvaluator decides which part of a check is unmet and asks here how to say it.
 */
import { msg, text, type Message } from '../engine/messages/Message';
import type { MessageCode } from '../engine/messages/en';
import type { Check, CheckableEvent, SinkVerdict } from './lessonCheck';

type EventCheck = Extract<Check, { kind: 'event' }>;
type CheckpointCheck = Extract<Check, { kind: 'checkpoint' }>;
type ConfigCheck = Extract<Check, { kind: 'config' }>;

/** `a; b; c`. */
export const list = (parts: Message[]): Message =>
  parts.reduce((first, rest) => msg('check.list', { first, rest }));

/** `a; or b; or c`. */
const orList = (parts: Message[]): Message => parts.reduce((first, rest) => msg('check.or', { first, rest }));

const json = (v: unknown): string => JSON.stringify(v) ?? 'undefined';

/** Where an event must happen: "on count#1", "on channel app#0->count#0", "of state 'count'". */
function whereOf(where: EventCheck['where']): Message {
  const parts: Message[] = Object.entries(where ?? {}).map(([k, v]) => {
    if (k === 'task' || k === 'channel' || k === 'state' || k === 'operator')
      return msg(`check.where.${k}`, { [k]: String(v) });
    return msg('check.where.field', { name: k, value: json(v) });
  });
  return parts.length === 0
    ? text('')
    : parts.reduce((first, rest) => msg('check.where.and', { first, rest }));
}

/** The event a check counts, as a phrase: "barrier alignment completed on count#1". */
export function eventPhrase(type: CheckableEvent, where: EventCheck['where']): Message {
  return msg('check.event-phrase', { what: msg(`event-what.${type}` as MessageCode), where: whereOf(where) });
}

/** The part of the step an event check counts in (`sinceStart`, `beforeMs`), or null: all of it. */
function windowOf(check: EventCheck): Message | null {
  if (check.beforeMs !== undefined) return msg('check.run-before', { ms: check.beforeMs });
  return check.sinceStart ? msg('check.run') : null;
}

/** An `event` check with `n` matching events since the step began (or in its window). */
export function explainEvent(check: EventCheck, n: number): Message {
  const what = eventPhrase(check.type, check.where);
  const need = check.atLeast ?? 1;
  const window = windowOf(check);
  if (window)
    return n === 0
      ? msg('check.event-none-window', { what, window })
      : msg('check.event-count-window', { what, n, need, window });
  return n === 0 ? msg('check.event-none', { what }) : msg('check.event-count', { what, n, need });
}

/** A state check's key; with a window, the key in that window ("/shop" in the window [0, 10000)). */
function stateKey(check: Extract<Check, { kind: 'state' }>): Message | string {
  return check.window
    ? msg('check.key-in-window', {
        key: json(check.key),
        window: `[${check.window.start}, ${check.window.end})`,
      })
    : json(check.key);
}

/** A `state` check: the key's value (null: none) and the subtask holding it (null: none). */
export function explainState(
  check: Extract<Check, { kind: 'state' }>,
  value: unknown,
  subtask: number | null,
): Message {
  const at = { key: stateKey(check), operator: check.operator, state: check.state };
  if (subtask !== null && check.subtask !== undefined && subtask !== check.subtask)
    return msg('check.state-subtask', { ...at, subtask, want: check.subtask });
  if (value === null || value === undefined)
    return msg('check.state-missing', { ...at, want: json(check.equals) });
  if (check.equals === null) return msg('check.state-not-empty', { ...at, value: json(value) });
  return msg('check.state-value', { ...at, value: json(value), want: json(check.equals) });
}

export function explainStateSize(check: Extract<Check, { kind: 'state-size' }>, n: number): Message {
  const at = { operator: check.operator, state: check.state, n };
  const unit = check.entries ? 'entries' : 'keys';
  if (check.atLeast !== undefined && n < check.atLeast)
    return msg(`check.${unit}-at-least`, { ...at, need: check.atLeast });
  return msg(`check.${unit}-at-most`, { ...at, need: check.atMost ?? n });
}

/** A checkpoint of the history, as the checkpoint check reads it. */
export interface CheckpointSeen {
  id: number;
  status: 'COMPLETED' | 'FAILED' | string;
  savepoint: boolean;
  numTasks: number;
  numAcknowledged: number;
  persistedInFlightBytes: number;
  checkpointedBytes: number;
  fullBytes: number;
  /** Trigger to last acknowledgement (null or absent: not known, e.g. not completed). */
  endToEndMs?: number | null;
}

/** Why this checkpoint (of the right status) does not count, or null when it does. */
export function checkpointMiss(check: CheckpointCheck, h: CheckpointSeen): Message | null {
  const kind = msg(h.savepoint ? 'check.kind.savepoint' : 'check.kind.checkpoint');
  if (check.savepoint !== undefined && h.savepoint !== check.savepoint)
    return msg(check.savepoint ? 'check.cp-not-savepoint' : 'check.cp-savepoint', { id: h.id });
  if (check.acks !== undefined && (h.numTasks !== check.acks || h.numAcknowledged !== check.acks))
    return msg('check.cp-acks', {
      kind,
      id: h.id,
      status: msg(`checkpoint-status.${check.status}`),
      acks: h.numAcknowledged,
      tasks: h.numTasks,
      want: check.acks,
    });
  if (
    check.minPersistedInFlightBytes !== undefined &&
    h.persistedInFlightBytes < check.minPersistedInFlightBytes
  )
    return h.persistedInFlightBytes === 0
      ? msg('check.cp-no-inflight', { kind, id: h.id })
      : msg('check.cp-inflight', {
          kind,
          id: h.id,
          bytes: h.persistedInFlightBytes,
          want: check.minPersistedInFlightBytes,
        });
  if (
    check.maxCheckpointedFraction !== undefined &&
    h.checkpointedBytes > check.maxCheckpointedFraction * h.fullBytes
  )
    return msg('check.cp-fraction', {
      kind,
      id: h.id,
      pct: h.fullBytes > 0 ? Math.round((100 * h.checkpointedBytes) / h.fullBytes) : 100,
      want: Math.round(100 * check.maxCheckpointedFraction),
    });
  if (check.maxEndToEndMs !== undefined && (h.endToEndMs == null || h.endToEndMs > check.maxEndToEndMs))
    return msg('check.cp-slow', {
      kind,
      id: h.id,
      status: msg(`checkpoint-status.${check.status}`),
      ms: h.endToEndMs == null ? '?' : Math.round(h.endToEndMs),
      max: check.maxEndToEndMs,
    });
  if (check.minDurationMs !== undefined && (h.endToEndMs ?? 0) < check.minDurationMs)
    return msg('check.cp-duration', {
      kind,
      id: h.id,
      ms: Math.round(h.endToEndMs ?? 0),
      want: check.minDurationMs,
    });
  return null;
}

/**
 * A checkpoint check that is not met: `seen` are the checkpoints triggered since the step began, in
 * order. Names the latest one of the right status and what it lacks, or says that there is none.
 */
export function explainCheckpoint(check: CheckpointCheck, seen: CheckpointSeen[]): Message {
  const status = msg(`checkpoint-status.${check.status}`);
  const need = check.atLeast ?? 1;
  const matching = seen.filter((h) => h.status === check.status && !checkpointMiss(check, h));
  const ofStatus = seen.filter((h) => h.status === check.status);
  // Some match, too few: say how many.
  if (matching.length > 0) return msg('check.cp-count', { found: matching.length, status, need });
  const last = ofStatus.at(-1);
  if (last) {
    const miss = checkpointMiss(check, last);
    if (miss) return miss;
  }
  const other = check.status === 'COMPLETED' ? 'FAILED' : 'COMPLETED';
  const others = seen.filter((h) => h.status === other).length;
  return others > 0
    ? msg('check.cp-none-but', { status, others, other: msg(`checkpoint-status.${other}`) })
    : msg('check.cp-none', { status });
}

/** A `finished` check: the job's status now, and whether it has run to its end. */
export function explainFinished(
  check: Extract<Check, { kind: 'finished' }>,
  jobStatus: string | null,
  finished: boolean,
): Message {
  if (jobStatus === null) return msg('check.no-job');
  if (!finished) return msg('check.still-running', { status: jobStatus });
  return msg('check.job-status', { status: jobStatus, want: check.jobStatus ?? 'FINISHED' });
}

/** The exactly-once checker's verdict, in words. */
export const verdictSays = (v: SinkVerdict): Message => msg(`check.sink.${v}`);

export function explainSink(check: Extract<Check, { kind: 'sink' }>, v: SinkVerdict): Message {
  return msg('check.verdict', {
    says: verdictSays(v),
    want: orList(check.verdict.map((w) => msg(`check.sink-want.${w}`))),
  });
}

const CONFIG_FIELDS = [
  'mode',
  'backend',
  'intervalMs',
  'incremental',
  'maxConcurrent',
  'tolerableFailed',
  'timeoutMs',
  'chaining',
] as const;
type ConfigField = (typeof CONFIG_FIELDS)[number];

/** A configuration value as the configuration panel shows it: on/off, ms, or the option's value. */
function configValue(name: ConfigField, v: unknown): Message {
  if (typeof v === 'boolean') return msg(v ? 'check.on' : 'check.off');
  if (v === null || v === undefined) return msg('check.off');
  if (name === 'intervalMs' || name === 'timeoutMs') return msg('check.ms', { ms: Number(v) });
  return text(String(v));
}

/** Each setting the check names that differs from the loaded configuration. */
export function configDiffs(
  check: ConfigCheck,
  have: Record<ConfigField, unknown> & { parallelism: Record<string, number> },
): Message[] {
  const diffs: Message[] = [];
  for (const name of CONFIG_FIELDS) {
    const want = check[name];
    if (want !== undefined && want !== have[name])
      diffs.push(
        msg('check.config', {
          name: msg(`check.setting.${name}`),
          value: configValue(name, have[name]),
          want: configValue(name, want),
        }),
      );
  }
  for (const [operator, p] of Object.entries(check.parallelism ?? {}))
    if (have.parallelism[operator] !== p)
      diffs.push(msg('check.parallelism', { operator, value: have.parallelism[operator] ?? '?', want: p }));
  return diffs;
}

/** What a check asks for, said positively: for a `not` whose inner check holds ("…must not happen"). */
export function describe(
  check: Check,
  facts: { matchingCheckpoint?: number | null; events?: number },
): Message {
  switch (check.kind) {
    case 'all':
      return list(check.of.map((c) => describe(c, {})));
    case 'any':
      return orList(check.of.map((c) => describe(c, {})));
    case 'not':
      return msg('check.d.not', { what: describe(check.check, {}) });
    case 'event': {
      const phrase = eventPhrase(check.type, check.where);
      const window = windowOf(check);
      const what = window ? msg('check.event-in-window', { what: phrase, window }) : phrase;
      return facts.events !== undefined ? msg('check.d.event-n', { what, n: facts.events }) : what;
    }
    case 'state':
      return msg(check.equals === null ? 'check.d.state-empty' : 'check.d.state', {
        key: stateKey(check),
        operator: check.operator,
        state: check.state,
        want: json(check.equals),
      });
    case 'state-size':
      return msg(check.entries ? 'check.d.state-entries' : 'check.d.state-size', {
        operator: check.operator,
        state: check.state,
      });
    case 'checkpoint': {
      const id = facts.matchingCheckpoint;
      const status = msg(`checkpoint-status.${check.status}`);
      const kind = msg(check.savepoint ? 'check.kind.savepoint' : 'check.kind.checkpoint');
      const how = check.minPersistedInFlightBytes
        ? msg('check.d.cp-inflight')
        : check.acks !== undefined
          ? msg('check.d.cp-acks', { acks: check.acks })
          : check.maxEndToEndMs !== undefined
            ? msg('check.d.cp-fast', { max: check.maxEndToEndMs })
            : text('');
      return id != null
        ? msg('check.d.checkpoint-id', { kind, id, status, how })
        : msg('check.d.checkpoint', { kind, status, how });
    }
    case 'finished':
      return msg('check.d.finished');
    case 'sink':
      return msg('check.d.sink', { says: orList(check.verdict.map((v) => verdictSays(v))) });
    case 'config': {
      const parts: Message[] = [];
      for (const name of CONFIG_FIELDS)
        if (check[name] !== undefined)
          parts.push(
            msg('check.d.setting', {
              name: msg(`check.setting.${name}`),
              value: configValue(name, check[name]),
            }),
          );
      for (const [operator, p] of Object.entries(check.parallelism ?? {}))
        parts.push(msg('check.d.parallelism', { operator, value: p }));
      return parts.length ? list(parts) : text('');
    }
    case 'answered':
      return msg('check.d.answered');
    case 'time':
      return msg('check.d.time', { need: check.atLeast });
    case 'imported':
      return msg('check.d.imported');
    case 'import-refused':
      return msg('check.d.import-refused');
    case 'recovered':
      return msg(check.fromCheckpoint ? 'check.d.recovered-from' : 'check.d.recovered-scratch');
    case 'taskmanager-recovered':
      return msg('check.d.tm-recovered');
    case 'failover':
      return msg('check.d.failover');
    case 'sink-rows':
      return msg('check.d.sink-rows', { sink: check.sink });
    case 'output':
      return msg('check.d.output', { sink: check.sink });
    case 'job-file':
      return msg('check.d.job-file');
  }
}
