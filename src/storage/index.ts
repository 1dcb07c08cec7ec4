/** Browser-side persistence: the IndexedDB database and the engine's CheckpointStorage on top of it. */
export {
  IndexedDbCheckpointStorage,
  defaultSharedFilesOf,
  type IndexedDbStorageOptions,
  type OpenReport,
  type StorageFault,
  type StorageWriteEvent,
} from './IndexedDbCheckpointStorage';
export {
  DB_NAME,
  DB_VERSION,
  MIGRATIONS,
  runMigrations,
  openLabDatabase,
  DatabaseVersionError,
  type JobRecord,
  type ProgressRecord,
  type EditorFileRecord,
  type CheckpointMeta,
  type ChunkRecord,
  type SharedFileRecord,
  type SharedFileDataRecord,
  type MigrationReport,
  type SavepointRecord,
  type LabDB,
  type LabDatabase,
} from './db';
export {
  CHUNK_FORMAT,
  CorruptChunkError,
  EncodeCache,
  encodeTask,
  decodeTask,
  encodeSstFile,
  decodeSstFile,
  type EncodedTask,
  type EncodedSstFile,
} from './codec';
export { loadEditorFile, saveEditorFile, EDITOR_FILE_ID } from './editorFiles';
