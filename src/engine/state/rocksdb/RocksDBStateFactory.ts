/**
 * Creating the state handles of the RocksDB-like backend (Flink's `RocksDBKeyedStateBackend`
 * `STATE_FACTORIES` — `RocksDBValueState.create`, `RocksDBListState.create`, … — wrapped by
 * `TtlStateFactory.createStateAndWrapWithTtlIfEnabled`): the storage-backed handle of the
 * descriptor's type over `RocksDBStorage`, or its TTL variant when the descriptor has a TTL config.
 */
import type { State } from '../State';
import type {
  AggregatingStateDescriptor,
  ReducingStateDescriptor,
  StateDescriptor,
  ValueStateDescriptor,
} from '../StateDescriptor';
import type { StateHost } from '../StateStorage';
import {
  StorageAggregatingState,
  StorageListState,
  StorageMapState,
  StorageReducingState,
  StorageValueState,
} from '../StorageStates';
import {
  TtlAggregatingState,
  TtlListState,
  TtlMapState,
  TtlReducingState,
  TtlValueState,
} from '../ttl/TtlStates';
import { ttlSettings } from '../ttl/TtlValue';
import type { Lsm } from './Lsm';
import {
  RocksListStorage,
  RocksMapStorage,
  RocksValueStorage,
  type KeyContext,
  type StateMeta,
} from './RocksDBStorage';

/** Also records the TTL settings (and whether the compaction filter cleans up) in `meta`. */
export function createRocksDBState(
  descriptor: StateDescriptor,
  meta: StateMeta,
  host: StateHost,
  lsm: Lsm,
  ctx: KeyContext,
): State {
  const name = meta.name;
  const config = descriptor.getTtlConfig();
  if (config === null) {
    switch (descriptor.type) {
      case 'value':
        return new StorageValueState(
          host,
          name,
          new RocksValueStorage(lsm, ctx, meta),
          (descriptor as ValueStateDescriptor<unknown>).defaultValue,
        );
      case 'list':
        return new StorageListState(host, name, new RocksListStorage(lsm, ctx, meta));
      case 'map':
        return new StorageMapState(host, name, new RocksMapStorage(lsm, ctx, meta));
      case 'reducing':
        return new StorageReducingState(
          host,
          name,
          new RocksValueStorage(lsm, ctx, meta),
          (descriptor as ReducingStateDescriptor<unknown>).reduce,
        );
      case 'aggregating':
        return new StorageAggregatingState(
          host,
          name,
          new RocksValueStorage(lsm, ctx, meta),
          (descriptor as AggregatingStateDescriptor<unknown, unknown, unknown>).aggFunction,
        );
    }
  }
  const settings = ttlSettings(config);
  meta.ttlSettings = settings;
  meta.compactFilter = config.getCleanupStrategies().getRocksdbCompactFilterCleanupStrategy() !== null;
  const noop = (): void => {}; // incremental cleanup has no effect on RocksDB (as in Flink)
  switch (descriptor.type) {
    case 'value':
      return new TtlValueState(host, name, settings, noop, new RocksValueStorage(lsm, ctx, meta));
    case 'list':
      return new TtlListState(host, name, settings, noop, new RocksListStorage(lsm, ctx, meta));
    case 'map':
      return new TtlMapState(host, name, settings, noop, new RocksMapStorage(lsm, ctx, meta));
    case 'reducing':
      return new TtlReducingState(
        host,
        name,
        settings,
        noop,
        new RocksValueStorage(lsm, ctx, meta),
        (descriptor as ReducingStateDescriptor<unknown>).reduce,
      );
    case 'aggregating':
      return new TtlAggregatingState(
        host,
        name,
        settings,
        noop,
        new RocksValueStorage(lsm, ctx, meta),
        (descriptor as AggregatingStateDescriptor<unknown, unknown, unknown>).aggFunction,
      );
  }
}
