/**
 * Flink's CoBroadcastWithKeyedOperator: `keyed.connect(broadcastStream).process(
 * KeyedBroadcastProcessFunction)`. Input 1 is keyed (current key, keyed state, timers, read-only
 * broadcast state); input 2 is the broadcast stream (no current key; read-write broadcast state and
 * `applyToKeyedState` over every key of this subtask).
 */
import type {
  KeyedBroadcastContext,
  KeyedBroadcastOnTimerContext,
  KeyedBroadcastProcessFunction,
  KeyedStateFunction,
} from '../../api/BroadcastProcessFunction';
import type { Key } from '../../keygroups/hashCode';
import type { OperatorStateBackend } from '../../state/OperatorStateBackend';
import type { State } from '../../state/State';
import type { MapStateDescriptor, StateDescriptor } from '../../state/StateDescriptor';
import type { TimeDomain } from '../../time/InternalTimerService';
import type { OutputTag } from '../../api/OutputTag';
import { UserFunctionOperator, type OperatorContext } from '../operators';
import { keyedTimerService, timestampedCollector } from '../SimpleTimerService';
import { broadcastStateAccess } from './CoBroadcastWithNonKeyedOperator';

type AnyDescriptor = MapStateDescriptor<string | number, unknown>;

export class CoBroadcastWithKeyedOperator extends UserFunctionOperator<
  KeyedBroadcastProcessFunction<Key, unknown, unknown, unknown>
> {
  private readonly collector = timestampedCollector(this.ctx);
  private readonly timerService = keyedTimerService(this.ctx);
  private domain: TimeDomain = 'EVENT_TIME';
  private readonly states;
  private readonly readOnlyContext: KeyedBroadcastOnTimerContext<Key>;
  private readonly context: KeyedBroadcastContext;

  constructor(
    ctx: OperatorContext,
    fn: KeyedBroadcastProcessFunction<Key, unknown, unknown, unknown>,
    descriptors: readonly AnyDescriptor[],
  ) {
    super(ctx, fn);
    this.states = broadcastStateAccess(() => this.operatorState as OperatorStateBackend, descriptors);
    const common = {
      timestamp: () => ctx.currentTimestamp(),
      currentProcessingTime: () => ctx.now(),
      currentWatermark: () => ctx.currentWatermark(),
      output: <X>(tag: OutputTag<X>, value: X) => ctx.output(tag.id, value, ctx.currentTimestamp()),
    };
    this.readOnlyContext = {
      ...common,
      getBroadcastState: (d) => this.states.readOnly(d as AnyDescriptor) as never,
      getCurrentKey: (): Key => ctx.keyedBackend?.getCurrentKey() as Key,
      timerService: () => this.timerService,
      timeDomain: () => this.domain,
    };
    this.context = {
      ...common,
      getBroadcastState: (d) => this.states.get(d as AnyDescriptor) as never,
      applyToKeyedState: <K extends Key, S extends State>(
        descriptor: StateDescriptor,
        fn: KeyedStateFunction<K, S>,
      ) => this.applyToKeyedState(descriptor, fn),
    };
  }

  protected override usesOperatorState(): boolean {
    return true;
  }

  override open(): void {
    this.states.open();
    super.open();
  }

  processElement(value: unknown): void {
    this.fn.processElement(value, this.readOnlyContext, this.collector);
  }

  override processElement2(value: unknown): void {
    this.fn.processBroadcastElement(value, this.context, this.collector);
  }

  override onTimer(timestamp: number, domain: TimeDomain): void {
    this.domain = domain;
    this.fn.onTimer?.(timestamp, this.readOnlyContext, this.collector);
  }

  /** Flink's `backend.applyToAllKeys`: every key of this subtask with a value in that state. */
  private applyToKeyedState<K extends Key, S extends State>(
    descriptor: StateDescriptor,
    fn: KeyedStateFunction<K, S>,
  ): void {
    const backend = this.ctx.keyedBackend;
    if (!backend) throw new Error('applyToKeyedState needs a keyed stream');
    const previous = backend.getCurrentKey();
    const state = backend.getPartitionedState<S>(descriptor);
    try {
      for (const [key] of backend.entries(descriptor.name)) {
        backend.setCurrentKey(key);
        fn(key as K, state);
      }
    } finally {
      if (previous !== null) backend.setCurrentKey(previous);
    }
  }
}
