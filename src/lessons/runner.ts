/**
 * Running a lesson step. The step's check is evaluated in the engine worker, on every engine event
 * (src/worker/LessonCheckEvaluator.ts): `stepCheckSpec` is what the page (or the headless test)
 * registers for a step, and `playSolution` performs a step's solution through a LessonDriver — the
 * app's session, or an EngineHost in Node (headless.ts). A solution's "play until" is the worker's
 * `pauseWhen`: playback stops at the very engine event at which its goal holds, at any speed.
 */
import { renderEnglish } from '../engine/messages/Message';
import type { Check, CheckResult, ImportResult, LessonCheckSpec, LoadOptions } from '../worker/protocol';
import type { SnapshotEdit } from './editSnapshot';
import type { LessonAction, LessonDefinition, LessonOptions, Step } from './format';

export type { CheckResult };

/** Every "play until" goal of a solution: registered with the step so that they count from its start. */
export function solutionGoals(step: Step): Check[] {
  return step.solution.flatMap((a) => (a.do === 'play' ? [a.until] : []));
}

/** What the worker evaluates for a step; `visit` tells one visit of the step from another. */
export function stepCheckSpec(lesson: LessonDefinition, step: Step, visit: number): LessonCheckSpec {
  return {
    id: `${lesson.slug}/${step.id}#${visit}`,
    check: step.check,
    // A step without a prediction has nothing to answer; with one, the check asks for the answer.
    answered: !step.prediction,
    also: solutionGoals(step),
  };
}

/** What a solution needs to do things (the app's session, or an EngineHost in Node). */
export interface LessonDriver {
  /** (Re)starts the lesson's job with these options. */
  load(options: LoadOptions): Promise<void>;
  /**
   * Plays until the worker says `until` holds (it stops the engine at that event), the job finished,
   * or `maxMs` of virtual time passed; answers the goal's last verdict.
   */
  playUntil(until: Check, maxMs: number): Promise<CheckResult>;
  /** Answers the step's prediction. */
  answer(choice: number): Promise<void>;
  step(kind: 'event' | 'barrier'): Promise<void>;
  failTask(task: string): Promise<void>;
  killTaskManager(id: string): Promise<void>;
  /** A new TaskManager registers (with the configured slots per TaskManager). */
  addTaskManager(): Promise<void>;
  poison(source?: string, partition?: number): Promise<void>;
  storageFault(kind: 'quota' | 'write-error', count: number): Promise<void>;
  trigger(kind: 'checkpoint' | 'savepoint'): Promise<void>;
  setProcessingTime(operator: string, ms: number): Promise<void>;
  crash(): Promise<void>;
  /** Exports the latest retained checkpoint/savepoint, optionally reloads with `options`, imports it. */
  restore(from: 'latest-checkpoint' | 'latest-savepoint', options: LoadOptions | null): Promise<void>;
  /** Exports the latest retained checkpoint/savepoint, applies `edit` to the file, imports it. */
  importEdited(from: 'latest-checkpoint' | 'latest-savepoint', edit: SnapshotEdit): Promise<ImportResult>;
  /** The options the job runs with now (to merge a `configure`). */
  currentOptions(): LoadOptions;
}

/** A lesson's options with its `sql` file name replaced by the script (what the worker runs). */
function withSql(
  lesson: LessonDefinition,
  options: LessonOptions | undefined,
): Omit<LoadOptions, 'scenario' | 'seed'> {
  const { sql, ...rest } = options ?? {};
  if (sql === undefined) return rest;
  const script = lesson.sqlFiles?.[sql];
  if (script === undefined) throw new Error(`lesson ${lesson.slug}: no SQL file '${sql}'`);
  return { ...rest, sql: { script } };
}

/** The lesson's starting options as the worker's LoadOptions. */
export function lessonLoadOptions(
  lesson: LessonDefinition,
  lessonExtra?: LessonOptions,
  base?: LoadOptions,
): LoadOptions {
  const start: LoadOptions = base ?? {
    scenario: lesson.scenario,
    seed: lesson.seed,
    ...withSql(lesson, lesson.options),
  };
  if (!lessonExtra) return start;
  const extra = withSql(lesson, lessonExtra);
  return {
    ...start,
    ...extra,
    checkpoint: { ...start.checkpoint, ...extra.checkpoint },
    parallelism: { ...start.parallelism, ...extra.parallelism },
    processingTimeMs: { ...start.processingTimeMs, ...extra.processingTimeMs },
    ...(start.playground || extra.playground
      ? { playground: { ...start.playground, ...extra.playground } }
      : {}),
  };
}

export const DEFAULT_PLAY_LIMIT_MS = 120_000;

/** Plays a step's solution. Throws when an action cannot be done (e.g. `play` never reached its goal). */
export async function playSolution(
  lesson: LessonDefinition,
  actions: readonly LessonAction[],
  driver: LessonDriver,
): Promise<void> {
  for (const [i, a] of actions.entries()) {
    switch (a.do) {
      case 'play': {
        const r = await driver.playUntil(a.until, a.maxMs ?? DEFAULT_PLAY_LIMIT_MS);
        if (!r.ok)
          throw new Error(
            `solution action ${i} (play until ${JSON.stringify(a.until)}) never got there: ${renderEnglish(r.why)}`,
          );
        break;
      }
      case 'step':
        for (let n = 0; n < (a.times ?? 1); n++) await driver.step(a.kind);
        break;
      case 'fail':
        await driver.failTask(a.task);
        break;
      case 'kill-taskmanager':
        await driver.killTaskManager(a.taskManager);
        break;
      case 'add-taskmanager':
        await driver.addTaskManager();
        break;
      case 'poison':
        await driver.poison(a.source, a.partition);
        break;
      case 'storage-fault':
        await driver.storageFault(a.fault, a.count ?? 1);
        break;
      case 'trigger':
        await driver.trigger(a.kind);
        break;
      case 'slow':
        await driver.setProcessingTime(a.operator, a.ms);
        break;
      case 'configure':
        await driver.load(lessonLoadOptions(lesson, a.options, driver.currentOptions()));
        break;
      case 'answer':
        await driver.answer(a.choice);
        break;
      case 'crash':
        await driver.crash();
        break;
      case 'restore':
        await driver.restore(
          a.from,
          a.options ? lessonLoadOptions(lesson, a.options, driver.currentOptions()) : null,
        );
        break;
      case 'import-edited': {
        // The worker's check sees the import (refused or restored) itself.
        await driver.importEdited(a.from, a);
        break;
      }
    }
  }
}
