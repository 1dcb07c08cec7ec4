/**
 * The lesson format: what `lessons/NN-slug/lesson.ts` declares (validated with zod, so a broken lesson
 * fails with its file, field and problem), the automatic checks a step passes, and the actions a
 * step's solution plays. Checks and actions are data, not functions: the engine worker evaluates the
 * checks (src/worker/LessonCheckEvaluator.ts) — in the app and in the headless test alike.
 *
 * Text lives next to it in `en.md` and `zh-CN.md` (see markdown.ts).
 */
import { z } from 'zod';
import { CHECKPOINTING_MODES } from '../engine/index';
import { CHECKABLE_EVENTS, type Check } from '../worker/lessonCheck';

/** The check type is the worker's (it evaluates them); here it is validated as a lesson declares it. */
export { CHECKABLE_EVENTS, type Check };

const uid = z.string().min(1);
const nonNegative = z.number().finite().min(0);

const SCALAR = z.union([z.string(), z.number(), z.boolean(), z.null()]);
type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
const JSON_VALUE: z.ZodType<Json> = z.lazy(() =>
  z.union([SCALAR, z.array(JSON_VALUE), z.record(z.string(), JSON_VALUE)]),
);

/** A key of the step's `### Why not` list (markdown.ts): the lesson's reading of this part's failure. */
export const WHY_KEY = z
  .string()
  .regex(/^[a-z0-9-]+$/, 'a key of the step\'s "### Why not" list: lower-case letters, digits and dashes');

/** Every part of a check is strict, and may carry a `why` key. */
const check = <T extends z.ZodRawShape>(shape: T) => z.strictObject({ ...shape, why: WHY_KEY.optional() });

export const CheckSchema: z.ZodType<Check> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    check({ kind: z.literal('all'), of: z.array(CheckSchema).min(1) }),
    check({ kind: z.literal('any'), of: z.array(CheckSchema).min(1) }),
    check({ kind: z.literal('not'), check: CheckSchema }),
    check({
      kind: z.literal('event'),
      type: z.enum(CHECKABLE_EVENTS),
      where: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
      atLeast: z.number().int().min(1).optional(),
      sinceStart: z.boolean().optional(),
      beforeMs: nonNegative.optional(),
    }),
    check({
      kind: z.literal('state'),
      operator: uid,
      state: z.string().min(1),
      key: z.union([z.string(), z.number(), z.boolean()]),
      equals: JSON_VALUE,
      /** …and the key's state lives in this subtask (its key group is in the subtask's range). */
      subtask: z.number().int().min(0).optional(),
      /** The value in this window's namespace (window state), not in VoidNamespace. */
      window: z
        .strictObject({ start: z.number().int(), end: z.number().int() })
        .refine((w) => w.end > w.start, 'a window ends after it starts')
        .optional(),
    }),
    check({
      kind: z.literal('state-size'),
      operator: uid,
      state: z.string().min(1),
      atLeast: z.number().int().min(0).optional(),
      atMost: z.number().int().min(0).optional(),
      entries: z.boolean().optional(),
    }),
    check({
      kind: z.literal('checkpoint'),
      status: z.enum(['COMPLETED', 'FAILED']),
      atLeast: z.number().int().min(1).optional(),
      savepoint: z.boolean().optional(),
      minPersistedInFlightBytes: nonNegative.optional(),
      maxCheckpointedFraction: z.number().min(0).max(1).optional(),
      acks: z.number().int().min(1).optional(),
      maxEndToEndMs: nonNegative.optional(),
      inARow: z.boolean().optional(),
      minDurationMs: nonNegative.optional(),
    }),
    check({ kind: z.literal('finished'), jobStatus: z.enum(['RUNNING', 'FAILED', 'FINISHED']).optional() }),
    check({
      kind: z.literal('output'),
      sink: uid,
      rows: z.number().int().min(0).optional(),
      contains: z.array(JSON_VALUE).min(1).optional(),
    }),
    check({
      kind: z.literal('sink'),
      verdict: z
        .array(z.enum(['so-far-so-good', 'exactly-once', 'duplicates', 'losses', 'duplicates-and-losses']))
        .min(1),
    }),
    check({
      kind: z.literal('config'),
      mode: z.enum(CHECKPOINTING_MODES).optional(),
      backend: z.enum(['memory', 'fs', 'hashmap', 'rocksdb']).optional(),
      intervalMs: z.number().min(0).nullable().optional(),
      parallelism: z.record(z.string(), z.number().int().min(1)).optional(),
      incremental: z.boolean().optional(),
      maxConcurrent: z.number().int().min(1).optional(),
      tolerableFailed: z.number().int().min(0).optional(),
      timeoutMs: nonNegative.optional(),
      chaining: z.boolean().optional(),
    }),
    check({ kind: z.literal('answered') }),
    check({ kind: z.literal('job-file') }),
    check({ kind: z.literal('time'), atLeast: nonNegative }),
    check({ kind: z.literal('imported') }),
    check({ kind: z.literal('import-refused'), contains: z.array(z.string().min(1)).optional() }),
    check({
      kind: z.literal('recovered'),
      fromCheckpoint: z.boolean(),
      /** …from this checkpoint id or a later one. */
      checkpointAtLeast: z.number().int().min(1).optional(),
    }),
    check({ kind: z.literal('taskmanager-recovered') }),
    check({ kind: z.literal('failover'), maxRewindMs: nonNegative.optional() }),
    check({
      kind: z.literal('sink-rows'),
      sink: uid,
      atLeast: z.number().int().min(1).optional(),
      every: z.record(z.string(), SCALAR).optional(),
      someNot: z.record(z.string(), SCALAR).optional(),
      repeated: z.boolean().optional(),
    }),
  ]),
) as z.ZodType<Check>;

/** Settings a lesson starts with or a solution changes (the app's configuration panel, as data). */
export const LessonOptionsSchema = z.strictObject({
  /**
   * A Flink SQL script of the lesson's folder (`count.sql`): its query is the job instead of the
   * scenario (the worker plans it, src/worker/sqlJob.ts); in a `configure`, it switches the query.
   */
  sql: z
    .string()
    .regex(/^[a-z0-9-]+\.sql$/, 'a .sql file of the lesson folder, such as count.sql')
    .optional(),
  mode: z.enum(CHECKPOINTING_MODES).optional(),
  intervalMs: nonNegative.optional(),
  backend: z.enum(['memory', 'fs', 'hashmap', 'rocksdb']).optional(),
  checkpoint: z
    .strictObject({
      timeoutMs: nonNegative.optional(),
      minPauseMs: nonNegative.optional(),
      maxConcurrent: z.number().int().min(1).optional(),
      tolerableFailed: z.number().int().min(0).optional(),
      alignedTimeoutMs: nonNegative.optional(),
      incremental: z.boolean().optional(),
    })
    .optional(),
  parallelism: z.record(z.string(), z.number().int().min(1)).optional(),
  processingTimeMs: z.record(z.string(), nonNegative).optional(),
  /** false: env.disableOperatorChaining(). */
  chaining: z.boolean().optional(),
  /** The cluster: TaskManagers (default 1) and slots per TaskManager (default: enough for the job). */
  taskManagers: z.number().int().min(1).max(128).optional(),
  slotsPerTaskManager: z.number().int().min(1).max(128).optional(),
  /**
   * The Operations Playground job's arguments (the `clickcount` scenario only): `checkpointing: false`
   * is the job without `--checkpointing`, `processingTime` without `--event-time`, `backpressure`
   * with `--backpressure`, `sink` the Kafka producer's guarantee.
   */
  playground: z
    .strictObject({
      checkpointing: z.boolean().optional(),
      processingTime: z.boolean().optional(),
      backpressure: z.boolean().optional(),
      sink: z.enum(['at-least-once', 'exactly-once']).optional(),
    })
    .optional(),
  restartStrategy: z
    .union([
      z.strictObject({ type: z.literal('none') }),
      z.strictObject({
        type: z.literal('fixed-delay'),
        attempts: z.number().int().min(0),
        delayMs: nonNegative,
      }),
      z.strictObject({
        type: z.literal('failure-rate'),
        maxFailuresPerInterval: z.number().int().min(1),
        failureRateIntervalMs: nonNegative,
        delayMs: nonNegative,
      }),
      z.strictObject({
        type: z.literal('exponential-delay'),
        initialBackoffMs: nonNegative,
        backoffMultiplier: z.number().min(1),
        maxBackoffMs: nonNegative,
        resetBackoffThresholdMs: nonNegative,
        jitterFactor: z.number().min(0).max(1),
      }),
    ])
    .optional(),
});
export type LessonOptions = z.infer<typeof LessonOptionsSchema>;

/** A code step's files, in the lesson folder: `code/<name>.start.ts` and `code/<name>.solution.ts`. */
const CODE_FILE = /^code\/[a-z0-9][a-z0-9-]*\.(start|solution)\.ts$/;

/** The file name the editor shows for a code file: `code/count.start.ts` -> `count.ts`. */
export function codeFileName(path: string): string {
  return path.replace(/^.*\//, '').replace(/\.(start|solution)\.ts$/, '.ts');
}

/** What a learner can do; a step's solution is a list of these. */
export const LessonActionSchema = z.discriminatedUnion('do', [
  /** Play until the check holds (or `maxMs` of virtual time passed: then the solution is wrong). */
  z.strictObject({ do: z.literal('play'), until: CheckSchema, maxMs: nonNegative.optional() }),
  z.strictObject({
    do: z.literal('step'),
    kind: z.enum(['event', 'barrier']),
    times: z.number().int().min(1).optional(),
  }),
  z.strictObject({
    do: z.literal('fail'),
    task: z.string().regex(/^[\w-]+#\d+$/, 'a subtask id such as count#1'),
  }),
  z.strictObject({
    do: z.literal('poison'),
    source: uid.optional(),
    partition: z.number().int().min(0).optional(),
  }),
  z.strictObject({
    do: z.literal('storage-fault'),
    fault: z.enum(['quota', 'write-error']),
    count: z.number().int().min(1).optional(),
  }),
  z.strictObject({ do: z.literal('trigger'), kind: z.enum(['checkpoint', 'savepoint']) }),
  /** The job graph's "Kill TaskManager" button (its slots' subtasks fail; a supervisor restarts it). */
  z.strictObject({
    do: z.literal('kill-taskmanager'),
    taskManager: z.string().regex(/^taskmanager-\d+$/, 'a TaskManager id such as taskmanager-1'),
  }),
  z.strictObject({ do: z.literal('slow'), operator: uid, ms: nonNegative }),
  /** The job graph's "Add TaskManager" (the Playground's `docker compose scale taskmanager=2`). */
  z.strictObject({ do: z.literal('add-taskmanager') }),
  /** Restart the lesson's job with these settings (the configuration panel's Apply). */
  z.strictObject({ do: z.literal('configure'), options: LessonOptionsSchema }),
  z.strictObject({ do: z.literal('answer'), choice: z.number().int().min(0) }),
  /**
   * A code step: run a job file of the step (the editor's Run) — in a solution, the step's
   * `code.solution` ("Show me" puts it into the editor and runs it). The step's check starts again
   * with the new job: it judges the job that was run, not the one before.
   */
  z.strictObject({
    do: z.literal('run-code'),
    file: z.string().regex(CODE_FILE, 'a file such as code/count.solution.ts'),
  }),
  /** Kill the engine worker; a new one recovers the job from IndexedDB. */
  z.strictObject({ do: z.literal('crash') }),
  /**
   * Export the latest retained checkpoint or savepoint and restore the job from that file, optionally
   * into a job started with other settings (rescaling: `options.parallelism`).
   */
  z.strictObject({
    do: z.literal('restore'),
    from: z.enum(['latest-checkpoint', 'latest-savepoint']),
    options: LessonOptionsSchema.optional(),
  }),
  /**
   * Export the latest retained checkpoint, set one key's value of one keyed state in the file (as a
   * learner would in an editor) and import it: the import is refused if the value does not have the
   * state's type (the refusal is what the step's check reads), else the job restores from it.
   */
  z.strictObject({
    do: z.literal('import-edited'),
    from: z.enum(['latest-checkpoint', 'latest-savepoint']),
    operator: uid,
    state: z.string().min(1),
    key: z.union([z.string(), z.number(), z.boolean()]),
    value: JSON_VALUE,
  }),
]);
export type LessonAction = z.infer<typeof LessonActionSchema>;

export const StepSchema = z.strictObject({
  /** Matches the `## step: <id>` sections of the text files. */
  id: z.string().regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and dashes'),
  check: CheckSchema,
  solution: z.array(LessonActionSchema).min(1),
  /**
   * A challenge states only the goal (`### Goal` in the text, no `### Do`): hints come one at a time on
   * request and "Show me" only after the learner has tried (changed the simulation) or gave up.
   */
  challenge: z.boolean().optional(),
  /**
   * A code step: the learner writes the job in the editor, starting from `start`; the check judges the
   * job they ran. `solution` is what "Show me" runs (its `run-code` action names it).
   */
  code: z
    .strictObject({
      start: z.string().regex(CODE_FILE, 'code/<name>.start.ts'),
      solution: z.string().regex(CODE_FILE, 'code/<name>.solution.ts'),
    })
    .optional(),
  /** A question answered before the engine shows the truth: `answer` is the index of the right choice. */
  prediction: z
    .strictObject({ choices: z.number().int().min(2).max(6), answer: z.number().int().min(0) })
    .optional(),
});
export type Step = z.infer<typeof StepSchema>;

export const LessonSchema = z
  .strictObject({
    number: z.number().int().min(1).max(99),
    slug: z.string().regex(/^[a-z0-9-]+$/),
    /** A built-in scenario (src/engine/scenarios) or a job of this lesson (job.ts, registered as `lesson-<slug>`). */
    scenario: z.string().min(1),
    seed: z.number().int().min(0),
    options: LessonOptionsSchema.optional(),
    steps: z.array(StepSchema).min(1),
    /** Filled by the assembler (assemble.ts) from the folder's `*.sql` files: file name -> script. */
    sqlFiles: z.record(z.string(), z.string()).optional(),
  })
  .superRefine((lesson, ctx) => {
    const ids = new Set<string>();
    lesson.steps.forEach((step, i) => {
      if (ids.has(step.id))
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'id'], message: `duplicate step id '${step.id}'` });
      ids.add(step.id);
      if (step.prediction && step.prediction.answer >= step.prediction.choices)
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i, 'prediction', 'answer'],
          message: `answer ${step.prediction.answer} is not one of the ${step.prediction.choices} choices (0-based)`,
        });
      const answers = step.solution.filter((a) => a.do === 'answer');
      if (step.prediction && answers.length === 0)
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i, 'solution'],
          message: 'a prediction step needs an answer action',
        });
      if (!step.prediction && answers.length > 0)
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i, 'solution'],
          message: 'an answer action needs a prediction',
        });
      const runs = step.solution.flatMap((a, j) => (a.do === 'run-code' ? [{ a, j }] : []));
      if (step.code) {
        const { start, solution } = step.code;
        if (!start.endsWith('.start.ts'))
          ctx.addIssue({
            code: 'custom',
            path: ['steps', i, 'code', 'start'],
            message: `'${start}' must end in .start.ts`,
          });
        if (!solution.endsWith('.solution.ts'))
          ctx.addIssue({
            code: 'custom',
            path: ['steps', i, 'code', 'solution'],
            message: `'${solution}' must end in .solution.ts`,
          });
        else if (codeFileName(start) !== codeFileName(solution))
          ctx.addIssue({
            code: 'custom',
            path: ['steps', i, 'code'],
            message: `start and solution are two versions of one file: ${codeFileName(start)} vs ${codeFileName(solution)}`,
          });
        if (runs.length !== 1 || runs[0].a.file !== solution)
          ctx.addIssue({
            code: 'custom',
            path: ['steps', i, 'solution'],
            message: `a code step's solution runs its solution file once: { do: 'run-code', file: '${solution}' }`,
          });
      } else if (runs.length > 0)
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i, 'solution', runs[0].j],
          message: "a 'run-code' action needs a code step (`code: { start, solution }`)",
        });
    });
  });
export type LessonDefinition = z.infer<typeof LessonSchema> & {
  /**
   * The lesson folder's code files (`code/x.start.ts` -> source), added by assembleLesson (never
   * written in lesson.ts): what a code step's `run-code` runs.
   */
  files?: Readonly<Record<string, string>>;
};

export interface LessonError {
  file: string;
  field: string;
  message: string;
}

export function formatLessonError(e: LessonError): string {
  return `${e.file}${e.field ? ` ${e.field}` : ''}: ${e.message}`;
}

function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}

/** Validates a lesson.ts default export: the lesson, or errors naming the file and the field. */
export function validateLesson(
  input: unknown,
  file: string,
): { ok: true; lesson: LessonDefinition } | { ok: false; errors: LessonError[] } {
  const r = LessonSchema.safeParse(input);
  if (r.success) return { ok: true, lesson: r.data };
  return {
    ok: false,
    errors: r.error.issues.map((i) => ({ file, field: fieldPath(i.path), message: i.message })),
  };
}

/** Every `why` key of a check, in order (a step's `### Why not` list must explain exactly these). */
export function whyKeys(c: Check): string[] {
  const inner =
    c.kind === 'all' || c.kind === 'any' ? c.of.flatMap(whyKeys) : c.kind === 'not' ? whyKeys(c.check) : [];
  return c.why === undefined ? inner : [c.why, ...inner];
}

/** Identity with types: `export default defineLesson({...})` in lesson.ts. */
export function defineLesson(lesson: LessonDefinition): LessonDefinition {
  return lesson;
}
