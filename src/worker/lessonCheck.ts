import type { Message } from '../engine/messages/Message';
/**
 * A lesson step's automatic check, as data: what the engine worker evaluates against every engine
 * event (LessonCheckEvaluator.ts) and what the lesson files declare (src/lessons/format.ts validates
 * them with zod). The worker owns the checker; lessons are data that depend on it, never the reverse.
 */

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** The trace event types a check may count (see src/engine/trace/TraceEvent.ts). */
export const CHECKABLE_EVENTS = [
  'checkpoint-triggered',
  'checkpoint-completed',
  'checkpoint-failed',
  'snapshot-taken',
  'barrier-injected',
  'barrier-received',
  'channel-blocked',
  'channel-unblocked',
  'alignment-completed',
  'alignment-aborted',
  'channel-state-recorded',
  'sources-paused',
  'sources-resumed',
  'task-failed',
  'task-restored',
  'job-status',
  'job-restarting',
  'engine-crashed',
  'engine-recovered',
  'backpressure',
  'timer-fired',
  'watermark-advanced',
  'transaction-committed',
  'transaction-aborted',
  'sink-written',
  'state-changed',
  'taskmanager-lost',
  'taskmanager-registered',
] as const;

export type CheckableEvent = (typeof CHECKABLE_EVENTS)[number];

export type SinkVerdict =
  'so-far-so-good' | 'exactly-once' | 'duplicates' | 'losses' | 'duplicates-and-losses';

/**
 * Any part of a check may name the lesson's own reading of its failure: `why: 'counted-twice'` refers
 * to the step's `### Why not` list in the text (`- counted-twice: a record was counted twice…`), shown
 * after the generic explanation when this part is the one that is not met.
 */
export interface CheckNote {
  why?: string;
}

export type Check = CheckNote &
  (
    | { kind: 'all'; of: Check[] }
    | { kind: 'any'; of: Check[] }
    | { kind: 'not'; check: Check }
    /** Trace events of this type since the step began, optionally with these field values. */
    | {
        kind: 'event';
        type: CheckableEvent;
        where?: Record<string, string | number | boolean | null>;
        atLeast?: number;
        /**
         * Count only the events of the current run: since the job was last started (Apply) or
         * restored from a snapshot file. A challenge's "in one run" (an earlier run does not count).
         */
        sinceStart?: boolean;
        /** Count only the events before this virtual time of the run (each run starts at 0). */
        beforeMs?: number;
      }
    /**
     * A keyed state's value for one key now (`equals: null`: the key has no value). Without `window`
     * the key's value in VoidNamespace; with it, the value in that window's namespace (a window
     * operator's `window-contents`: the window `[start, end)` as the state inspector shows it).
     */
    | {
        kind: 'state';
        operator: string;
        state: string;
        key: string | number | boolean;
        equals: Json;
        subtask?: number;
        window?: { start: number; end: number };
      }
    /**
     * The number of keys of a keyed state now; `entries`: of map entries and list elements over all
     * keys instead (a join's stored rows, a window's accumulators: what grows without a TTL).
     */
    | {
        kind: 'state-size';
        operator: string;
        state: string;
        atLeast?: number;
        atMost?: number;
        entries?: boolean;
      }
    /** Checkpoints of the history triggered since the step began (or since the engine was replaced). */
    | {
        kind: 'checkpoint';
        status: 'COMPLETED' | 'FAILED';
        atLeast?: number;
        savepoint?: boolean;
        /** Unaligned: some channel state was persisted. */
        minPersistedInFlightBytes?: number;
        /** Incremental: uploaded (checkpointed) bytes at most this fraction of the full size. */
        maxCheckpointedFraction?: number;
        /** Acknowledged by exactly this many subtasks (`N/N` in the Web UI: one ack per chain subtask). */
        acks?: number;
        /** Took at most this long from its trigger to its last acknowledgement (the End to end column). */
        maxEndToEndMs?: number;
        /** `atLeast` of them one right after the other: no checkpoint of another status in between. */
        inARow?: boolean;
        /** Took at least this long from trigger to completion (end-to-end duration in the Web UI). */
        minDurationMs?: number;
      }
    /**
     * The job ran to its end (all input processed and committed), or failed for good; `FINISHED`: it
     * ran to its end (not failed).
     */
    | { kind: 'finished'; jobStatus?: 'RUNNING' | 'FAILED' | 'FINISHED' }
    /**
     * What an outside reader sees in a sink now (its committed rows; an upsert table's current rows):
     * exactly `rows` of them, and each of `contains` among them (an object matches a row that has those
     * fields with those values; anything else matches an equal row).
     */
    | { kind: 'output'; sink: string; rows?: number; contains?: Json[] }
    /** The exactly-once checker's verdict now. */
    | { kind: 'sink'; verdict: SinkVerdict[] }
    /** The loaded configuration (as LoadInfo.config reports it). */
    | {
        kind: 'config';
        mode?: string;
        backend?: string;
        intervalMs?: number | null;
        parallelism?: Record<string, number>;
        incremental?: boolean;
        maxConcurrent?: number;
        tolerableFailed?: number;
        timeoutMs?: number;
        /** Operator chaining on or off. */
        chaining?: boolean;
      }
    /** The running job is a job file the learner ran (a code step's check starts with it). */
    | { kind: 'job-file' }
    /** The learner answered this step's prediction (any answer: the engine then shows the truth). */
    | { kind: 'answered' }
    /** Virtual time has reached this point. */
    | { kind: 'time'; atLeast: number }
    /** The job was restored from a snapshot file or a retained checkpoint (since the step began). */
    | { kind: 'imported' }
    /** An import was refused in this step, with errors containing every one of these texts. */
    | { kind: 'import-refused'; contains?: string[] }
    /** How the job came back after the last load or engine crash: from a checkpoint, or from scratch. */
    | { kind: 'recovered'; fromCheckpoint: boolean; checkpointAtLeast?: number }
    /**
     * Since the step began a TaskManager was lost: every subtask in its slots failed at once, the job
     * waited with subtasks SCHEDULED until it registered again, then those subtasks restored the
     * checkpoint that was the latest completed one when it was lost (taskManagerRecovery.ts).
     */
    | { kind: 'taskmanager-recovered' }
    /**
     * Since the step began a subtask failed and the job was restored; with `maxRewindMs`, it went
     * back at most that far: from the failure to the trigger of the checkpoint it restored
     * (failoverRewind.ts).
     */
    | { kind: 'failover'; maxRewindMs?: number }
    /**
     * The rows an outside reader sees in a sink's external system now (what the Output tab lists as
     * visible; sinkRowsCheck.ts): at least `atLeast` of them; `every` row has these field values; some
     * row differs from `someNot` in one of its fields; some row is visible more than once (`repeated:
     * true`) or none is (`false`).
     */
    | {
        kind: 'sink-rows';
        sink: string;
        atLeast?: number;
        every?: Record<string, string | number | boolean | null>;
        someNot?: Record<string, string | number | boolean | null>;
        repeated?: boolean;
      }
  );

/** What the page registers for the step it shows (`EngineWorkerApi.setLessonCheck`). */
export interface LessonCheckSpec {
  /** Names the step (e.g. `wordcount/predict-be#3`); every verdict carries it back. */
  id: string;
  check: Check;
  /** The step's prediction is already answered (or it has none that the check asks about). */
  answered: boolean;
  /**
   * Checks the step's solution plays until ("Show me"): registered now, so that their event counters
   * also start when the step began.
   */
  also?: Check[];
  /** Stop playback at the engine event at which the check passes (default true). */
  pauseOnPass?: boolean;
  /**
   * A new worker takes over after an engine crash: the event counts the previous worker reported
   * (`LessonVerdict.carry`), so that events before the crash still count.
   */
  carry?: LessonCheckCarry;
}

/** Event counters of a spec, in the order of its `event` checks (check, then `also`). */
export interface LessonCheckCarry {
  counts: number[];
  imported: boolean;
  checkpointBase: number;
  tried: boolean;
  attemptsEnded: number;
}

export interface CheckResult {
  ok: boolean;
  /** Why not: a message code (the page shows it in the learner's language; tests read `renderEnglish`). */
  why: Message;
  /** The `why` key of the unmet part (or of the nearest part around it that has one): the lesson's reading. */
  note?: string;
}

/** The worker's verdict on the registered check, sent with every FrameUpdate. */
export interface LessonVerdict {
  id: string;
  /** The check has held at some engine event since the step began (it then stays passed). */
  passed: boolean;
  /** Virtual time of the engine event at which it passed. */
  passedAt: number | null;
  /** The check now, with the reason when it does not hold. */
  now: CheckResult;
  /** The "play until" check set with `pauseWhen`, or null. */
  until: (CheckResult & { check: Check }) | null;
  /**
   * The learner changed the simulation since the step began (what unlocks a challenge's "Show me"):
   * played or stepped (an engine event that is not a replay of the timeline), acted on the job (fail a
   * subtask, kill a TaskManager, poison, storage fault, trigger, slow an operator), applied a
   * configuration (a load), imported a snapshot (accepted or refused), or the engine crashed.
   * Not: speed, pause, scrubbing the timeline, opening panels, hints.
   */
  tried: boolean;
  /**
   * How often since the step began an attempt came to a point where it can be judged: the job
   * finished or failed for good, a subtask was restored (failover) or the engine recovered after a
   * crash, or a snapshot was imported (or refused). When it grows and the check has not passed, the
   * page says why (as it does when the learner presses "Check").
   */
  attemptsEnded: number;
  carry: LessonCheckCarry;
}
