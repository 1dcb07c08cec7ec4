/**
 * Flink's `StateTtlConfig`: time-to-live for keyed state, enabled per state with
 * `descriptor.enableTimeToLive(config)`.
 *
 * ```ts
 * const ttl = StateTtlConfig.newBuilder(60_000)            // TTL in ms of processing time
 *   .setUpdateType(UpdateType.OnReadAndWrite)             // default OnCreateAndWrite
 *   .setStateVisibility(StateVisibility.NeverReturnExpired) // the default
 *   .cleanupIncrementally(10, true)                       // heap backend; default (5, false)
 *   .build();
 * ```
 *
 * Semantics (Flink's `TtlStateFactory` and `Ttl*State` decorators):
 * - Every value (for list state every element, for map state every entry) carries the processing time
 *   of its last access. It is expired when `lastAccess + ttl <= now`.
 * - OnCreateAndWrite: writes (update/add/put, and add on reducing/aggregating state) set the timestamp.
 *   OnReadAndWrite: reads set it as well.
 * - NeverReturnExpired: an expired value is never returned. ReturnExpiredIfNotCleanedUp: an expired
 *   value that is still stored is returned (once: reading it removes it).
 * - Cleanup: an expired value that is read is removed (both backends). In the background (unless
 *   `disableCleanupInBackground()`): the heap backend checks `cleanupSize` entries of a per-state
 *   iterator on every access of that state (and on every record with `runCleanupForEveryRecord`); the
 *   RocksDB backend drops expired values when it compacts files (its compaction filter). Like Flink,
 *   incremental cleanup has no effect on RocksDB and the compaction filter none on the heap.
 * - `cleanupFullSnapshot()`: expired values are left out of full snapshots (not of incremental ones).
 * - Only processing time is supported, as in Flink. The configuration is not part of snapshots; the
 *   timestamps are. Enabling TTL on state restored without it (or disabling it) is a state
 *   incompatibility: the backend throws when the state is requested.
 * - With TTL, a `ValueStateDescriptor`'s (deprecated) default value is not used: `value()` returns
 *   `null` for a missing or expired value, as in Flink (its TTL wrapper drops the default value).
 */

export const UpdateType = {
  /** TTL is disabled; only `StateTtlConfig.DISABLED` uses it. */
  Disabled: 'Disabled',
  /** The last-access timestamp is set when a value is created and on every write. */
  OnCreateAndWrite: 'OnCreateAndWrite',
  /** As OnCreateAndWrite, and also on every read. */
  OnReadAndWrite: 'OnReadAndWrite',
} as const;
export type UpdateType = (typeof UpdateType)[keyof typeof UpdateType];

export const StateVisibility = {
  /** Return an expired value if it has not been cleaned up yet. */
  ReturnExpiredIfNotCleanedUp: 'ReturnExpiredIfNotCleanedUp',
  /** Never return an expired value. */
  NeverReturnExpired: 'NeverReturnExpired',
} as const;
export type StateVisibility = (typeof StateVisibility)[keyof typeof StateVisibility];

export const TtlTimeCharacteristic = {
  /** The only one Flink supports. */
  ProcessingTime: 'ProcessingTime',
} as const;
export type TtlTimeCharacteristic = (typeof TtlTimeCharacteristic)[keyof typeof TtlTimeCharacteristic];

/** Flink's `IncrementalCleanupStrategy`. */
export interface IncrementalCleanupStrategy {
  /** Entries checked per trigger. */
  readonly cleanupSize: number;
  /** Also trigger on every record (every `setCurrentKey`), not only on accesses of the state. */
  readonly runCleanupForEveryRecord: boolean;
}

/** Flink's `RocksdbCompactFilterCleanupStrategy`. */
export interface RocksdbCompactFilterCleanupStrategy {
  /**
   * Flink queries the current time after this many entries processed by the filter. The simulator's
   * compactions are instantaneous in virtual time, so the time is read once per compaction.
   */
  readonly queryTimeAfterNumEntries: number;
}

export const DEFAULT_INCREMENTAL_CLEANUP_STRATEGY: IncrementalCleanupStrategy = Object.freeze({
  cleanupSize: 5,
  runCleanupForEveryRecord: false,
});

export const DEFAULT_ROCKSDB_COMPACT_FILTER_CLEANUP_STRATEGY: RocksdbCompactFilterCleanupStrategy =
  Object.freeze({ queryTimeAfterNumEntries: 1000 });

/** Flink's `StateTtlConfig.CleanupStrategies`. */
export class CleanupStrategies {
  constructor(
    readonly isCleanupInBackground: boolean,
    private readonly fullSnapshot: boolean,
    private readonly incremental: IncrementalCleanupStrategy | null,
    private readonly compactFilter: RocksdbCompactFilterCleanupStrategy | null,
  ) {}

  inFullSnapshot(): boolean {
    return this.fullSnapshot;
  }

  /** The configured strategy; else the default one when cleanup in background is on; else `null`. */
  getIncrementalCleanupStrategy(): IncrementalCleanupStrategy | null {
    return this.incremental ?? (this.isCleanupInBackground ? DEFAULT_INCREMENTAL_CLEANUP_STRATEGY : null);
  }

  /** The configured strategy; else the default one when cleanup in background is on; else `null`. */
  getRocksdbCompactFilterCleanupStrategy(): RocksdbCompactFilterCleanupStrategy | null {
    return (
      this.compactFilter ??
      (this.isCleanupInBackground ? DEFAULT_ROCKSDB_COMPACT_FILTER_CLEANUP_STRATEGY : null)
    );
  }
}

function checkTtl(ttlMs: number): number {
  if (typeof ttlMs !== 'number' || !(ttlMs > 0)) {
    throw new Error(`TTL is expected to be positive, got ${String(ttlMs)}`);
  }
  return ttlMs;
}

export class StateTtlConfig {
  static readonly UpdateType = UpdateType;
  static readonly StateVisibility = StateVisibility;
  static readonly TtlTimeCharacteristic = TtlTimeCharacteristic;

  /** TTL switched off (Flink's `StateTtlConfig.DISABLED`); `enableTimeToLive` rejects it. */
  static readonly DISABLED: StateTtlConfig = new StateTtlConfig(
    UpdateType.Disabled,
    StateVisibility.NeverReturnExpired,
    TtlTimeCharacteristic.ProcessingTime,
    Number.MAX_SAFE_INTEGER,
    new CleanupStrategies(false, false, null, null),
  );

  private constructor(
    readonly updateType: UpdateType,
    readonly stateVisibility: StateVisibility,
    readonly ttlTimeCharacteristic: TtlTimeCharacteristic,
    /** The time to live in ms. */
    readonly ttl: number,
    readonly cleanupStrategies: CleanupStrategies,
  ) {
    checkTtl(ttl);
  }

  /** @param ttlMs time to live in milliseconds of processing time (> 0) */
  static newBuilder(ttlMs: number): StateTtlConfigBuilder {
    return new StateTtlConfigBuilder(ttlMs);
  }

  /** @internal used by the builder */
  static create(
    updateType: UpdateType,
    stateVisibility: StateVisibility,
    ttlTimeCharacteristic: TtlTimeCharacteristic,
    ttl: number,
    cleanupStrategies: CleanupStrategies,
  ): StateTtlConfig {
    return new StateTtlConfig(updateType, stateVisibility, ttlTimeCharacteristic, ttl, cleanupStrategies);
  }

  getUpdateType(): UpdateType {
    return this.updateType;
  }

  getStateVisibility(): StateVisibility {
    return this.stateVisibility;
  }

  getTtlTimeCharacteristic(): TtlTimeCharacteristic {
    return this.ttlTimeCharacteristic;
  }

  /** The time to live in ms. */
  getTtl(): number {
    return this.ttl;
  }

  getCleanupStrategies(): CleanupStrategies {
    return this.cleanupStrategies;
  }

  isEnabled(): boolean {
    return this.updateType !== UpdateType.Disabled;
  }

  toString(): string {
    return (
      `StateTtlConfig{updateType=${this.updateType}, stateVisibility=${this.stateVisibility}, ` +
      `ttlTimeCharacteristic=${this.ttlTimeCharacteristic}, ttl=${this.ttl}ms}`
    );
  }
}

/** Flink's `StateTtlConfig.Builder`. */
export class StateTtlConfigBuilder {
  private updateType: UpdateType = UpdateType.OnCreateAndWrite;
  private stateVisibility: StateVisibility = StateVisibility.NeverReturnExpired;
  private ttlTimeCharacteristic: TtlTimeCharacteristic = TtlTimeCharacteristic.ProcessingTime;
  private ttl: number;
  private isCleanupInBackground = true;
  private fullSnapshot = false;
  private incremental: IncrementalCleanupStrategy | null = null;
  private compactFilter: RocksdbCompactFilterCleanupStrategy | null = null;

  constructor(ttlMs: number) {
    this.ttl = checkTtl(ttlMs);
  }

  setUpdateType(updateType: UpdateType): this {
    if (!Object.values(UpdateType).includes(updateType)) {
      throw new Error(`Unknown TTL update type ${String(updateType)}`);
    }
    this.updateType = updateType;
    return this;
  }

  updateTtlOnCreateAndWrite(): this {
    return this.setUpdateType(UpdateType.OnCreateAndWrite);
  }

  updateTtlOnReadAndWrite(): this {
    return this.setUpdateType(UpdateType.OnReadAndWrite);
  }

  setStateVisibility(stateVisibility: StateVisibility): this {
    if (!Object.values(StateVisibility).includes(stateVisibility)) {
      throw new Error(`Unknown TTL state visibility ${String(stateVisibility)}`);
    }
    this.stateVisibility = stateVisibility;
    return this;
  }

  returnExpiredIfNotCleanedUp(): this {
    return this.setStateVisibility(StateVisibility.ReturnExpiredIfNotCleanedUp);
  }

  neverReturnExpired(): this {
    return this.setStateVisibility(StateVisibility.NeverReturnExpired);
  }

  /** Only processing time exists (as in Flink). */
  setTtlTimeCharacteristic(characteristic: TtlTimeCharacteristic): this {
    if (characteristic !== TtlTimeCharacteristic.ProcessingTime) {
      throw new Error(`Only processing time is supported for state TTL, got ${String(characteristic)}`);
    }
    this.ttlTimeCharacteristic = characteristic;
    return this;
  }

  useProcessingTime(): this {
    return this.setTtlTimeCharacteristic(TtlTimeCharacteristic.ProcessingTime);
  }

  setTtl(ttlMs: number): this {
    this.ttl = checkTtl(ttlMs);
    return this;
  }

  /** Leave expired values out of full snapshots (checkpoints of the heap backend, savepoints). */
  cleanupFullSnapshot(): this {
    this.fullSnapshot = true;
    return this;
  }

  /**
   * Heap backend: on every access of the state (and, with `runCleanupForEveryRecord`, on every record)
   * check `cleanupSize` entries of a lazy iterator over the whole state and remove the expired ones.
   */
  cleanupIncrementally(cleanupSize: number, runCleanupForEveryRecord: boolean): this {
    if (!Number.isInteger(cleanupSize) || cleanupSize <= 0) {
      throw new Error('Number of incrementally cleaned up state entries should be positive.');
    }
    this.incremental = Object.freeze({ cleanupSize, runCleanupForEveryRecord });
    return this;
  }

  /** RocksDB backend: compactions drop expired values. */
  cleanupInRocksdbCompactFilter(queryTimeAfterNumEntries: number): this {
    if (!Number.isInteger(queryTimeAfterNumEntries) || queryTimeAfterNumEntries < 0) {
      throw new Error('queryTimeAfterNumEntries must be a non-negative integer.');
    }
    this.compactFilter = Object.freeze({ queryTimeAfterNumEntries });
    return this;
  }

  /** No default background cleanup (explicitly configured strategies still apply). */
  disableCleanupInBackground(): this {
    this.isCleanupInBackground = false;
    return this;
  }

  build(): StateTtlConfig {
    return StateTtlConfig.create(
      this.updateType,
      this.stateVisibility,
      this.ttlTimeCharacteristic,
      this.ttl,
      new CleanupStrategies(
        this.isCleanupInBackground,
        this.fullSnapshot,
        this.incremental,
        this.compactFilter,
      ),
    );
  }
}
