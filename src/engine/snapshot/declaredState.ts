/**
 * The state an operator declares — keyed states with their kind, time-to-live and value type, and
 * CheckpointedFunction list states with their redistribution mode and element type — found by
 * starting a throwaway instance of it, as Flink learns it when the operator registers its states in
 * `initializeState()` / `open()`. Snapshot validation and restore compare a snapshot with it.
 */
import type { JobVertex } from '../api/JobGraph';
import { ExternalSystem } from '../connectors/ExternalSystem';
import { computeKeyGroupRangeForOperatorIndex } from '../keygroups/KeyGroupRangeAssignment';
import { createStreamOperator } from '../runtime/StreamOperatorFactory';
import type { OperatorStateMode } from '../state/OperatorStateBackend';
import { HeapKeyedStateBackend } from '../state/HeapKeyedStateBackend';
import type { KeyedStateBackend } from '../state/KeyedStateBackend';
import type { StateDescriptor, StateType } from '../state/StateDescriptor';
import { GenericTypeInfo, typeFromJson, type TypeInformation } from '../api/typeinfo/TypeInformation';

/** What an operator registers when it starts (null: unknown, because its functions threw). */
export interface DeclaredState {
  /** Keyed states by name (keyed operators; empty map otherwise), with the descriptor's value type. */
  keyed: Map<string, { type: StateType; ttl: boolean; valueType: TypeInformation }>;
  /** CheckpointedFunction list states by name, with their redistribution mode. */
  lists: Map<string, OperatorStateMode>;
  /** The element type of each CheckpointedFunction list state. */
  listTypes: Map<string, TypeInformation>;
}

/**
 * The states an operator declares, found by starting a throwaway instance of it: keyed state handles
 * and operator list states are registered in `initializeState()` / `open()`, as in Flink. Null when
 * that throws (the checks that need it are skipped then).
 */
export function declaredState(vertex: JobVertex): DeclaredState | null {
  const keyed = new Map<string, { type: StateType; ttl: boolean; valueType: TypeInformation }>();
  try {
    let backend: KeyedStateBackend | null = null;
    if (vertex.keySelector) {
      const real = new HeapKeyedStateBackend(
        vertex.maxParallelism,
        computeKeyGroupRangeForOperatorIndex(vertex.maxParallelism, vertex.parallelism, 0),
      );
      backend = new Proxy(real, {
        get(target, prop) {
          if (prop === 'getPartitionedState')
            return (d: StateDescriptor) => {
              keyed.set(d.name, {
                type: d.type,
                ttl: d.getTtlConfig() !== null,
                valueType: d.getValueType(),
              });
              return target.getPartitionedState(d);
            };
          const v = Reflect.get(target, prop, target) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      }) as unknown as KeyedStateBackend;
    }
    const op = createStreamOperator({
      taskId: `${vertex.uid}#probe`,
      vertex,
      subtaskIndex: 0,
      attemptNumber: 0,
      transactionScope: 'probe',
      keyedBackend: backend,
      now: () => 0,
      currentTimestamp: () => null,
      emit: () => {},
      output: () => {},
      external: new ExternalSystem(),
      trace: () => {},
      traceTxn: () => {},
      registerTimer: () => {},
      deleteTimer: () => {},
      currentWatermark: () => Number.NEGATIVE_INFINITY,
    });
    op.initializeState(null);
    op.open();
    const lists = new Map<string, OperatorStateMode>();
    const listTypes = new Map<string, TypeInformation>();
    const snap = op.snapshotState(0);
    for (const [name, l] of Object.entries(snap?.lists ?? {})) {
      lists.set(name, l.mode);
      listTypes.set(name, l.elementType === undefined ? new GenericTypeInfo() : typeFromJson(l.elementType));
    }
    return { keyed, lists, listTypes };
  } catch {
    return null;
  }
}
