/**
 * Flink's CoBroadcastWithNonKeyedOperator: `nonKeyed.connect(broadcastStream).process(
 * BroadcastProcessFunction)`. Input 1 is the non-broadcast stream (read-only broadcast state), input 2
 * the broadcast stream (read-write). The broadcast states of the descriptors given to `broadcast()`
 * are registered at open, as Flink does, so they are in every snapshot even while still empty.
 */
import type {
  BroadcastContext,
  BroadcastProcessFunction,
  BroadcastReadOnlyContext,
} from '../../api/BroadcastProcessFunction';
import type { MapStateDescriptor } from '../../state/StateDescriptor';
import type { BroadcastState, ReadOnlyBroadcastState } from '../../state/HeapBroadcastState';
import type { OperatorStateBackend } from '../../state/OperatorStateBackend';
import type { OutputTag } from '../../api/OutputTag';
import { UserFunctionOperator, type OperatorContext } from '../operators';
import { timestampedCollector } from '../SimpleTimerService';

type AnyDescriptor = MapStateDescriptor<string | number, unknown>;

/** What both broadcast operators share: the broadcast states and the two contexts' common part. */
export function broadcastStateAccess(
  backend: () => OperatorStateBackend,
  declared: readonly AnyDescriptor[],
): {
  open(): void;
  get(descriptor: AnyDescriptor): BroadcastState<string | number, unknown>;
  readOnly(descriptor: AnyDescriptor): ReadOnlyBroadcastState<string | number, unknown>;
} {
  const get = (descriptor: AnyDescriptor): BroadcastState<string | number, unknown> => {
    if (!declared.some((d) => d.name === descriptor.name))
      throw new Error(
        `The requested state does not exist. Check for typos in your state descriptor, or specify the state descriptor in the datastream.broadcast(...) call if you forgot to register it. (broadcast state '${descriptor.name}')`,
      );
    return backend().getBroadcastState(descriptor);
  };
  return {
    open: () => {
      for (const d of declared) backend().getBroadcastState(d);
    },
    get,
    // The non-broadcast side only reads (Flink hands it a ReadOnlyBroadcastState): no put here.
    readOnly: (descriptor) => {
      const state = get(descriptor);
      return {
        get: (k) => structuredClone(state.get(k)),
        contains: (k) => state.contains(k),
        immutableEntries: () => state.immutableEntries(),
      };
    },
  };
}

export class CoBroadcastWithNonKeyedOperator extends UserFunctionOperator<
  BroadcastProcessFunction<unknown, unknown, unknown>
> {
  private readonly collector = timestampedCollector(this.ctx);
  private readonly states;
  private readonly readOnlyContext: BroadcastReadOnlyContext;
  private readonly context: BroadcastContext;

  constructor(
    ctx: OperatorContext,
    fn: BroadcastProcessFunction<unknown, unknown, unknown>,
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
    };
    this.context = { ...common, getBroadcastState: (d) => this.states.get(d as AnyDescriptor) as never };
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
}
