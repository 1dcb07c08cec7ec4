/**
 * The snapshot JSON format, version 2, as a zod schema: the single source of truth for the shape of a
 * file. `public/snapshot.schema.json` is generated from it (`npm run snapshot-schema`; a test keeps the
 * two in sync), `docs/snapshot-format.md` explains it field by field.
 *
 * The schema checks the shape only. What a shape cannot say (key-group ranges cover every key group
 * exactly once, each key lies in its subtask's range, operators exist in the job, ...) is checked by
 * `validateSnapshotAgainstJob` in validate.ts.
 */
import { z } from 'zod';
import { CHECKPOINTING_MODES, type CheckpointingMode } from '../api/JobGraph';
import { BASIC_TYPE_NAMES, type TypeInfoJson } from '../api/typeinfo/TypeInformation';

export const SNAPSHOT_FORMAT = 'stream-state-lab/snapshot';
/** 2: every keyed state and operator list state records the type of its values. */
export const SNAPSHOT_FORMAT_VERSION = 2;
/** Older versions this build reads (migrated on import: see convert.ts). */
export const READABLE_FORMAT_VERSIONS: readonly number[] = [1, 2];

export const STATE_TYPES = ['value', 'list', 'map', 'reducing', 'aggregating'] as const;

/**
 * How operator state is redistributed on restore (Flink: `getListState` splits, `getUnionListState`
 * unions, broadcast state — items are its `[key, value]` entries — gives new subtask i old subtask
 * i mod oldParallelism's map).
 */
export const REDISTRIBUTION_MODES = ['split', 'union', 'broadcast'] as const;

const MODES = CHECKPOINTING_MODES as [CheckpointingMode, ...CheckpointingMode[]];

const nonNegative = z.number().min(0);

/**
 * Virtual times are bounded (about 31 years in ms), so that the engine's time arithmetic stays exact:
 * at 1e185 ms, `now + 100` is `now` and a restored job would never get anywhere.
 */
export const MAX_VIRTUAL_TIME_MS = 1e12;
const virtualTime = z.number().min(0).max(MAX_VIRTUAL_TIME_MS);
const nonNegativeInt = z.int().min(0);

/** Any JSON value: keys and values are written as plain JSON, never as opaque blobs. */
const jsonValue = z.unknown().meta({ description: 'any JSON value' });

/** The schema's one message of its own (convert.ts gives it a message code). */
export const KEY_ERROR = 'a key is a string, a number or a boolean';

export const KeySchema = z
  .union([z.string(), z.number(), z.boolean()], {
    error: KEY_ERROR,
  })
  .meta({ description: 'the key as keyBy returned it' });

export const KeyedStateEntrySchema = z
  .strictObject({
    key: KeySchema,
    namespace: z.string().optional().meta({
      description:
        "the state's namespace: absent for VoidNamespace (all state but windows'); a window's contents and accumulators: 'TimeWindow{start=0, end=10000}' or 'GlobalWindow'",
    }),
    keyGroup: nonNegativeInt.meta({ description: 'murmurHash(key.hashCode()) % maxParallelism' }),
    value: jsonValue.meta({
      description:
        'value/reducing: the value; list: an array; map: an array of [userKey, userValue] pairs; aggregating: the accumulator',
    }),
  })
  .meta({ id: 'KeyedStateEntry' });

/**
 * The type of a state's values, as its descriptor declares it (`Types.INT`, `Types.LIST(..)`…): what
 * Flink records as the state's serializer snapshot. Values are checked against it on restore.
 */
export const TypeInfoSchema: z.ZodType<TypeInfoJson> = z
  .lazy(() =>
    z.union([
      z.enum([...BASIC_TYPE_NAMES, 'GENERIC']),
      z.strictObject({ LIST: TypeInfoSchema }),
      z.strictObject({ MAP: z.tuple([TypeInfoSchema, TypeInfoSchema]) }),
      z.strictObject({ POJO: z.string().min(1), fields: z.record(z.string(), TypeInfoSchema) }),
      z.strictObject({ ROW: z.array(z.tuple([z.string().min(1), TypeInfoSchema])) }),
      z.strictObject({ TUPLE: z.array(TypeInfoSchema) }),
    ]),
  )
  .meta({
    id: 'TypeInfo',
    description:
      'Flink Types: STRING, BOOLEAN, BYTE, SHORT, INT, LONG, FLOAT, DOUBLE, GENERIC (not checked), { LIST: t }, { MAP: [k, v] }, { POJO: class, fields: { name: t } }, { ROW: [[name, t]] }, { TUPLE: [t] }',
  });

export const KeyedStateSchema = z
  .strictObject({
    name: z.string().min(1).meta({ description: 'the state descriptor name, unique per operator' }),
    type: z.enum(STATE_TYPES),
    valueType: TypeInfoSchema.meta({
      description:
        'the type of the value per key (value/reducing: T, aggregating: the accumulator, list: { LIST: T }, map: { MAP: [UK, UV] }), as the descriptor declares it',
    }),
    ttl: z.literal(true).optional().meta({
      description:
        'the state has a time-to-live: each value (list element, map entry) is { value, lastAccess } with lastAccess in ms of processing time',
    }),
    entries: z
      .array(KeyedStateEntrySchema)
      .meta({ description: 'sorted by key, then namespace (VoidNamespace first)' }),
  })
  .meta({ id: 'KeyedState' });

export const SourceSplitSchema = z.strictObject({
  partition: nonNegativeInt,
  offset: nonNegativeInt.meta({ description: 'the next offset to read' }),
  stoppingOffset: nonNegativeInt
    .optional()
    .meta({ description: 'a bounded source: where this split ends (the log end at its first start)' }),
});

export const PendingTransactionSchema = z.strictObject({
  checkpointId: z.int().min(1).meta({ description: 'the checkpoint whose barrier pre-committed it' }),
  txn: z
    .string()
    .min(1)
    .meta({ description: '<operator uid>#<subtask>/<scope>: the subtask that commits it' }),
  rows: z.array(jsonValue),
});

export const OperatorListSchema = z
  .strictObject({
    name: z.string().min(1),
    redistribution: z.enum(REDISTRIBUTION_MODES),
    elementType: TypeInfoSchema.meta({ description: 'the type of the items, as the descriptor declares it' }),
    items: z.array(jsonValue),
  })
  .meta({ id: 'OperatorList', description: "a CheckpointedFunction's list state" });

export const OperatorStateSchema = z
  .strictObject({
    lists: z
      .array(OperatorListSchema)
      .optional()
      .meta({ description: 'CheckpointedFunction list states, by name' }),
    sourceOffsets: z
      .strictObject({
        redistribution: z.enum(REDISTRIBUTION_MODES),
        splits: z.array(SourceSplitSchema),
      })
      .optional()
      .meta({ description: "a source's offsets per log partition (Kafka-like: union list state)" }),
    pendingTransactions: z.array(PendingTransactionSchema).optional().meta({
      description:
        "a two-phase-commit sink: transactions pre-committed, not yet known committed (after rescaling, old subtask i's go to new subtask i % parallelism)",
    }),
  })
  .meta({ id: 'OperatorState' });

export const TimerSchema = z
  .strictObject({
    key: KeySchema,
    keyGroup: nonNegativeInt,
    timestamp: z.number(),
    domain: z.enum(['EVENT_TIME', 'PROCESSING_TIME']),
    namespace: z.string().optional().meta({
      description:
        "absent for VoidNamespace (a KeyedProcessFunction's timers); a window operator's: the window",
    }),
  })
  .meta({ id: 'Timer' });

export const PersistedRecordSchema = z.strictObject({
  value: jsonValue,
  ts: z.number().nullable().meta({ description: 'event time of the record, or null' }),
  poison: z
    .literal(true)
    .optional()
    .meta({ description: 'a poison record (its value is the label): throws in the first user function' }),
});

export const ChannelStateSchema = z
  .strictObject({
    peer: z
      .string()
      .min(1)
      .meta({ description: 'the task at the other end: upstream (input) or downstream (output)' }),
    records: z.array(PersistedRecordSchema),
  })
  .meta({ id: 'ChannelState' });

export const KeyGroupRangeSchema = z
  .strictObject({ start: z.int(), end: z.int().meta({ description: 'inclusive' }) })
  .meta({ id: 'KeyGroupRange' });

export const SubtaskSchema = z
  .strictObject({
    index: nonNegativeInt,
    keyGroupRange: KeyGroupRangeSchema.nullable().meta({
      description: 'null for an operator that is not keyed',
    }),
    keyedState: z.array(KeyedStateSchema).meta({ description: 'by state name; empty when not keyed' }),
    operatorState: OperatorStateSchema.nullable(),
    timers: z
      .array(TimerSchema)
      .meta({ description: 'registered timers, per key, namespace, domain and timestamp' }),
    inputChannelState: z
      .array(ChannelStateSchema)
      .meta({ description: 'unaligned / Chandy-Lamport: records in flight on input channels' }),
    outputChannelState: z
      .array(ChannelStateSchema)
      .meta({ description: "unaligned: records in the subtask's output buffers, overtaken by the barrier" }),
    stateBytes: nonNegative,
    channelStateBytes: nonNegative,
    finished: z.literal(true).optional().meta({
      description:
        'FLIP-147: the subtask had finished (its input ended); restored, it is deployed as finished',
    }),
  })
  .meta({ id: 'Subtask' });

export const OperatorSchema = z
  .strictObject({
    uid: z.string().min(1),
    name: z.string(),
    parallelism: z.int().min(1).max(32768),
    maxParallelism: z.int().min(1).max(32768),
    subtasks: z.array(SubtaskSchema),
  })
  .meta({ id: 'Operator' });

export const SubtaskStatisticsSchema = z.strictObject({
  taskId: z.string(),
  ackTime: virtualTime.nullable(),
  endToEndMs: nonNegative.nullable(),
  stateBytes: nonNegative,
  syncMs: nonNegative,
  asyncMs: nonNegative,
  alignmentMs: nonNegative,
  startDelayMs: z.number(),
  persistedInFlightBytes: nonNegative,
  unaligned: z.boolean(),
  finished: z.literal(true).optional().meta({ description: 'FLIP-147: the subtask had finished' }),
});

export const StatisticsSchema = z
  .strictObject({
    id: z.int().min(1),
    status: z.enum(['IN_PROGRESS', 'COMPLETED', 'FAILED']),
    mode: z.enum(MODES),
    triggerTime: virtualTime,
    latestAckTime: virtualTime.nullable(),
    endToEndMs: nonNegative.nullable(),
    numAcknowledged: nonNegativeInt,
    numTasks: nonNegativeInt,
    checkpointedBytes: nonNegative,
    fullBytes: nonNegative,
    persistedInFlightBytes: nonNegative,
    failureReason: z.string().nullable(),
    subtasks: z.array(SubtaskStatisticsSchema),
  })
  .meta({ id: 'Statistics', description: "the checkpoint's statistics, as Flink's Web UI shows them" });

export const SnapshotSchema = z
  .strictObject({
    $schema: z.string().optional(),
    format: z.literal(SNAPSHOT_FORMAT),
    formatVersion: z.literal(SNAPSHOT_FORMAT_VERSION),
    job: z.string().meta({ description: 'the job name' }),
    checkpointId: z.int().min(1),
    kind: z.enum(['checkpoint', 'savepoint']),
    mode: z.enum(MODES),
    triggerTime: virtualTime.meta({ description: 'virtual time (ms) the checkpoint was triggered' }),
    completionTime: virtualTime.meta({ description: 'virtual time (ms) it completed' }),
    operators: z.array(OperatorSchema).min(1),
    statistics: StatisticsSchema,
  })
  .meta({
    title: 'Stream State Lab snapshot',
    description: 'A completed checkpoint or savepoint of a Stream State Lab job (format version 2).',
  });

export type SnapshotJson = z.infer<typeof SnapshotSchema>;
export type OperatorJson = z.infer<typeof OperatorSchema>;
export type SubtaskJson = z.infer<typeof SubtaskSchema>;
export type KeyedStateJson = z.infer<typeof KeyedStateSchema>;
export type KeyedStateEntryJson = z.infer<typeof KeyedStateEntrySchema>;
export type ChannelStateJson = z.infer<typeof ChannelStateSchema>;

/** The JSON Schema (draft 2020-12) of the format, as served from `public/snapshot.schema.json`. */
export function snapshotJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(SnapshotSchema, { target: 'draft-2020-12', unrepresentable: 'any' });
  return { ...schema, $id: 'snapshot.schema.json' };
}
