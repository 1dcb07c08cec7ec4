/**
 * State backends under the seed's legacy names and today's Flink names (since 1.13 a state backend
 * plus a checkpoint storage):
 *   MemoryStateBackend  = HashMapStateBackend + JobManagerCheckpointStorage (snapshots in the coordinator's memory)
 *   FsStateBackend      = HashMapStateBackend + FileSystemCheckpointStorage (snapshots in durable storage)
 *   RocksDBStateBackend = EmbeddedRocksDBStateBackend + FileSystemCheckpointStorage
 */
import type { CheckpointStorageName, StateBackendConfig, StateBackendName } from './JobGraph';

export class StateBackend {
  readonly config: StateBackendConfig;
  constructor(
    stateBackend: StateBackendName,
    checkpointStorage: CheckpointStorageName,
    legacyName: string | null = null,
    checkpointPath: string | null = null,
    incrementalCheckpoints = false,
  ) {
    this.config = { stateBackend, checkpointStorage, legacyName, checkpointPath, incrementalCheckpoints };
  }
}

export class MemoryStateBackend extends StateBackend {
  constructor() {
    super('hashmap', 'jobmanager', 'MemoryStateBackend');
  }
}

export class FsStateBackend extends StateBackend {
  constructor(checkpointPath = 'file:///tmp/checkpoints') {
    super('hashmap', 'filesystem', 'FsStateBackend', checkpointPath);
  }
}

export class HashMapStateBackend extends StateBackend {
  constructor(checkpointStorage: CheckpointStorageName = 'jobmanager') {
    super('hashmap', checkpointStorage);
  }
}

/** The seed's RocksDBStateBackend: RocksDB-like state + file-system checkpoint storage. */
export class RocksDBStateBackend extends StateBackend {
  constructor(checkpointPath = 'file:///tmp/checkpoints', enableIncrementalCheckpointing = false) {
    super('rocksdb', 'filesystem', 'RocksDBStateBackend', checkpointPath, enableIncrementalCheckpointing);
  }
}

/** Today's name (Flink 1.13+); checkpoint storage is set separately (default here: file system). */
export class EmbeddedRocksDBStateBackend extends StateBackend {
  constructor(
    enableIncrementalCheckpointing = false,
    checkpointStorage: CheckpointStorageName = 'filesystem',
  ) {
    super('rocksdb', checkpointStorage, null, null, enableIncrementalCheckpointing);
  }
}

/** Parses the names `npm run sim --backend` accepts (legacy and modern). */
export function stateBackendByName(name: string): StateBackend {
  switch (name.toLowerCase()) {
    case 'memory':
    case 'memorystatebackend':
      return new MemoryStateBackend();
    case 'fs':
    case 'fsstatebackend':
      return new FsStateBackend();
    case 'hashmap':
    case 'hashmapstatebackend':
      return new HashMapStateBackend('filesystem');
    // On the command line `rocksdb` means incremental checkpoints, the reason to pick it.
    case 'rocksdb':
    case 'rocksdbstatebackend':
    case 'embeddedrocksdbstatebackend':
      return new RocksDBStateBackend('file:///tmp/checkpoints', true);
    default:
      throw new Error(
        `unknown state backend '${name}' (known: memory, fs, rocksdb; or MemoryStateBackend, FsStateBackend, RocksDBStateBackend, HashMapStateBackend, EmbeddedRocksDBStateBackend)`,
      );
  }
}
