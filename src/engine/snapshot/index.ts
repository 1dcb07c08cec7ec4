/** The snapshot JSON format (version 1): schema, conversion from and to CompletedCheckpoint, validation. */
export {
  SNAPSHOT_FORMAT,
  SNAPSHOT_FORMAT_VERSION,
  MAX_VIRTUAL_TIME_MS,
  STATE_TYPES,
  REDISTRIBUTION_MODES,
  SnapshotSchema,
  snapshotJsonSchema,
  type SnapshotJson,
  type OperatorJson,
  type SubtaskJson,
  type KeyedStateJson,
  type KeyedStateEntryJson,
  type ChannelStateJson,
} from './schema';
export {
  toSnapshotJson,
  snapshotToText,
  fromSnapshotJson,
  checkpointFromJson,
  formatSnapshotErrors,
  SnapshotExportError,
  MAX_REPORTED_ERRORS,
  type SnapshotError,
  type SnapshotImportResult,
} from './convert';
export { validateSnapshotAgainstJob, declaredState, type DeclaredState } from './validate';
export { formatPath, prettyJson, findNonJson } from './json';
