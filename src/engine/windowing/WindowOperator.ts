/**
 * Flink's WindowOperator (a keyed StreamOperator): assigns every record to windows, keeps each
 * window's contents as keyed state in the window's namespace ("window-contents": a ReducingState for
 * `reduce`, an AggregatingState for `aggregate`, a ListState for `process`), asks the trigger what to
 * do, emits what fires (timestamp: the window's max timestamp) and drops a window's state at its
 * cleanup time, `maxTimestamp + allowedLateness` (a timer in the window's namespace). Session windows
 * merge through `MergingWindowSet` (their state namespaces merged). A record for which every window is
 * already late (event time: cleanup time <= watermark) goes to `sideOutputLateData`'s tag, or is
 * dropped. `EvictingWindowOperator` keeps all elements instead and applies an evictor.
 */
import { copyFunction, type Collector } from '../api/functions';
import type { Key } from '../keygroups/hashCode';
import {
  NON_KEYED_MESSAGE,
  StreamOperator,
  StreamingRuntimeContext,
  type OperatorContext,
} from '../runtime/operators';
import { MAX_WATERMARK } from '../runtime/StreamElement';
import type { KeyedStateBackend } from '../state/KeyedStateBackend';
import type { AggregatingState, ListState, ReducingState, State } from '../state/State';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  ReducingStateDescriptor,
  type AggregateFunction,
  type ReduceFunction,
  type StateDescriptor,
} from '../state/StateDescriptor';
import type { TimeDomain } from '../time/InternalTimerService';
import {
  isMergingAssigner,
  type MergingWindowAssigner,
  type WindowAssigner,
} from './assigners/WindowAssigner';
import type { Evictor } from './evictors/Evictor';
import { MergingWindowSet, type WindowPair } from './MergingWindowSet';
import type { KeyedStateStore, ProcessWindowContext, ProcessWindowFunction } from './ProcessWindowFunction';
import type { OnMergeContext, Trigger, TriggerResult } from './triggers/Trigger';
import { windowFromNamespace } from './windows/namespaces';
import type { TimeWindow } from './windows/TimeWindow';
import type { Window } from './windows/Window';

/** What the window function does with a window's contents when it fires. */
export type WindowFunctionSpec =
  | {
      kind: 'reduce';
      reduce: ReduceFunction<unknown>;
      process: ProcessWindowFunction<unknown, unknown, Key> | null;
    }
  | {
      kind: 'aggregate';
      aggregate: AggregateFunction<unknown, unknown, unknown>;
      process: ProcessWindowFunction<unknown, unknown, Key> | null;
    }
  | { kind: 'process'; process: ProcessWindowFunction<unknown, unknown, Key> };

export interface WindowOperatorSpec {
  assigner: WindowAssigner;
  trigger: Trigger;
  evictor: Evictor | null;
  allowedLateness: number;
  /** `sideOutputLateData`: the OutputTag id late records go to; null: they are dropped. */
  lateDataOutputTag: string | null;
  fn: WindowFunctionSpec;
}

export const WINDOW_CONTENTS = 'window-contents';
const MERGING_WINDOW_SET = new ListStateDescriptor<WindowPair>('merging-window-set');

/** The state descriptor of a window's contents (Flink's `windowStateDescriptor`). */
export function windowStateDescriptor(spec: WindowOperatorSpec): StateDescriptor {
  if (spec.evictor !== null) return new ListStateDescriptor<unknown>(WINDOW_CONTENTS);
  switch (spec.fn.kind) {
    case 'reduce':
      return new ReducingStateDescriptor<unknown>(WINDOW_CONTENTS, spec.fn.reduce);
    case 'aggregate':
      return new AggregatingStateDescriptor<unknown, unknown, unknown>(WINDOW_CONTENTS, spec.fn.aggregate);
    case 'process':
      return new ListStateDescriptor<unknown>(WINDOW_CONTENTS);
  }
}

export class WindowOperator extends StreamOperator {
  protected readonly backend: KeyedStateBackend;
  protected readonly assigner: WindowAssigner;
  protected readonly trigger: Trigger;
  protected readonly windowDesc: StateDescriptor;
  protected readonly fn: WindowFunctionSpec;
  /** The trigger context's window (Flink's `triggerContext.window`) and, in a merge, the merged ones. */
  protected window: Window | null = null;
  private mergedWindows: Window[] = [];
  /** Late records dropped (Flink's numLateRecordsDropped metric). */
  numLateRecordsDropped = 0;
  private readonly collector: Collector<unknown>;
  private emitTimestamp = 0;

  constructor(
    ctx: OperatorContext,
    protected readonly spec: WindowOperatorSpec,
  ) {
    super(ctx);
    if (!ctx.keyedBackend) throw new Error(NON_KEYED_MESSAGE);
    this.backend = ctx.keyedBackend;
    this.assigner = spec.assigner;
    this.trigger = spec.trigger;
    if (isMergingAssigner(this.assigner) && !this.trigger.canMerge())
      throw new Error(
        `A merging window assigner cannot be used with a trigger that does not support merging.`,
      );
    this.windowDesc = windowStateDescriptor(spec);
    // Every subtask its own copy of the user functions (as Flink deserialises one per subtask).
    this.fn = {
      ...spec.fn,
      process: spec.fn.process ? copyFunction(spec.fn.process) : null,
    } as WindowFunctionSpec;
    this.collector = { collect: (v: unknown) => this.ctx.emit(v, this.emitTimestamp) };
  }

  override open(): void {
    this.backend.getPartitionedState(this.windowDesc);
    if (isMergingAssigner(this.assigner)) this.backend.getPartitionedState(MERGING_WINDOW_SET);
    for (const d of this.trigger.declaredStates()) this.backend.getPartitionedState(d);
    const pwf = this.fn.process;
    if (pwf && typeof pwf === 'object' && typeof pwf.open === 'function')
      pwf.open(new StreamingRuntimeContext(this.ctx));
  }

  override close(): void {
    const pwf = this.fn.process;
    if (pwf && typeof pwf === 'object' && typeof pwf.close === 'function') pwf.close();
  }

  private isEventTime(): boolean {
    return this.assigner.isEventTime();
  }

  protected cleanupTime(window: Window): number {
    if (!this.isEventTime()) return window.maxTimestamp();
    const t = window.maxTimestamp() + this.spec.allowedLateness;
    return t >= MAX_WATERMARK ? MAX_WATERMARK : t;
  }

  private isWindowLate(window: Window): boolean {
    return this.isEventTime() && this.cleanupTime(window) <= this.ctx.currentWatermark();
  }

  private isElementLate(timestamp: number | null): boolean {
    return (
      this.isEventTime() &&
      timestamp !== null &&
      timestamp + this.spec.allowedLateness <= this.ctx.currentWatermark()
    );
  }

  private registerCleanupTimer(window: Window): void {
    const t = this.cleanupTime(window);
    if (t >= MAX_WATERMARK) return; // no cleanup timer for the end of time
    this.ctx.registerTimer(this.isEventTime() ? 'EVENT_TIME' : 'PROCESSING_TIME', t, window.namespace());
  }

  private deleteCleanupTimer(window: Window): void {
    const t = this.cleanupTime(window);
    if (t >= MAX_WATERMARK) return;
    this.ctx.deleteTimer(this.isEventTime() ? 'EVENT_TIME' : 'PROCESSING_TIME', t, window.namespace());
  }

  private mergingWindowSet(): MergingWindowSet {
    const state = this.backend.getPartitionedState<ListState<WindowPair>>(MERGING_WINDOW_SET);
    return new MergingWindowSet(this.assigner as MergingWindowAssigner, state);
  }

  /** The window state in `namespace`. */
  protected windowState(namespace: string): State {
    return this.backend.getNamespacedState(this.windowDesc, namespace);
  }

  /** Adds a record to the window state of `namespace`. */
  protected addToWindowState(namespace: string, value: unknown, _timestamp: number | null): void {
    const s = this.windowState(namespace);
    if (this.windowDesc.type === 'list') (s as ListState<unknown>).add(value);
    else (s as ReducingState<unknown> | AggregatingState<unknown, unknown>).add(value);
  }

  /** The window's contents for the window function, or null when it has none. */
  protected contents(namespace: string): unknown {
    const s = this.windowState(namespace);
    if (this.windowDesc.type === 'list') {
      const list = [...(s as ListState<unknown>).get()];
      return list.length === 0 ? null : list;
    }
    return (s as ReducingState<unknown>).get();
  }

  processElement(value: unknown): void {
    const timestamp = this.ctx.currentTimestamp();
    const windows = this.assigner.assignWindows(value, timestamp, {
      getCurrentProcessingTime: () => this.ctx.now(),
    });
    let skipped = true;
    if (isMergingAssigner(this.assigner)) {
      const mws = this.mergingWindowSet();
      for (const w of windows as TimeWindow[]) {
        const actual = mws.addWindow(w, (mergeResult, merged, stateWindowResult, mergedStateWindows) => {
          this.checkMergeResult(mergeResult);
          this.window = mergeResult;
          this.mergedWindows = merged;
          this.trigger.onMerge(mergeResult, this.triggerContext);
          for (const m of merged) {
            this.window = m;
            this.trigger.clear(m, this.triggerContext);
            this.deleteCleanupTimer(m);
          }
          this.backend.mergeNamespaces(
            this.windowDesc,
            stateWindowResult.namespace(),
            mergedStateWindows.map((s) => s.namespace()),
          );
          this.mergedWindows = [];
        });
        if (this.isWindowLate(actual)) {
          mws.retireWindow(actual);
          continue;
        }
        skipped = false;
        const stateWindow = mws.getStateWindow(actual);
        if (stateWindow === null) throw new Error(`Window ${w.toString()} is not in in-flight window set.`);
        this.onElementInWindow(value, timestamp, actual, stateWindow.namespace());
      }
      mws.persist();
    } else {
      for (const w of windows) {
        if (this.isWindowLate(w)) continue;
        skipped = false;
        this.onElementInWindow(value, timestamp, w, w.namespace());
      }
    }
    if (skipped && this.isElementLate(timestamp)) {
      if (this.spec.lateDataOutputTag !== null)
        this.ctx.output(this.spec.lateDataOutputTag, value, timestamp);
      else this.numLateRecordsDropped++;
    }
  }

  private checkMergeResult(mergeResult: Window): void {
    if (
      this.isEventTime() &&
      mergeResult.maxTimestamp() + this.spec.allowedLateness <= this.ctx.currentWatermark()
    )
      throw new Error(
        `The end timestamp of an event-time window cannot become earlier than the current watermark by merging. Current watermark: ${this.ctx.currentWatermark()} window: ${mergeResult.toString()}`,
      );
    if (!this.isEventTime() && mergeResult.maxTimestamp() <= this.ctx.now())
      throw new Error(
        `The end timestamp of a processing-time window cannot become earlier than the current processing time by merging. Current processing time: ${this.ctx.now()} window: ${mergeResult.toString()}`,
      );
  }

  private onElementInWindow(value: unknown, timestamp: number | null, window: Window, stateNs: string): void {
    this.addToWindowState(stateNs, value, timestamp);
    this.window = window;
    const result = this.trigger.onElement(value, timestamp, window, this.triggerContext);
    this.afterTrigger(result, window, stateNs);
    this.registerCleanupTimer(window);
  }

  private afterTrigger(result: TriggerResult, window: Window, stateNs: string): void {
    if (result.isFire()) {
      const contents = this.contents(stateNs);
      if (contents !== null) this.emitWindowContents(window, contents, stateNs);
    }
    if (result.isPurge()) this.windowState(stateNs).clear();
  }

  override onTimer(timestamp: number, domain: TimeDomain, namespace?: string): void {
    const window = namespace === undefined ? null : windowFromNamespace(namespace);
    if (window === null) return; // not a window timer
    this.window = window;
    let mws: MergingWindowSet | null = null;
    let stateNs = window.namespace();
    if (isMergingAssigner(this.assigner)) {
      mws = this.mergingWindowSet();
      const stateWindow = mws.getStateWindow(window as TimeWindow);
      // A timer of a window that no longer exists (merged away, its trigger did not clean up).
      if (stateWindow === null) return;
      stateNs = stateWindow.namespace();
    }
    const result =
      domain === 'EVENT_TIME'
        ? this.trigger.onEventTime(timestamp, window, this.triggerContext)
        : this.trigger.onProcessingTime(timestamp, window, this.triggerContext);
    this.afterTrigger(result, window, stateNs);
    if (this.isEventTime() === (domain === 'EVENT_TIME') && timestamp === this.cleanupTime(window))
      this.clearAllState(window, stateNs, mws);
    mws?.persist();
  }

  /** The window's cleanup time: its contents, trigger state and per-window state go. */
  private clearAllState(window: Window, stateNs: string, mws: MergingWindowSet | null): void {
    this.windowState(stateNs).clear();
    this.window = window;
    this.trigger.clear(window, this.triggerContext);
    const pwf = this.fn.process;
    if (pwf && typeof pwf === 'object' && typeof pwf.clear === 'function')
      pwf.clear(this.processContext(window));
    if (mws) {
      mws.retireWindow(window as TimeWindow);
      mws.persist();
    }
  }

  /** Runs the window function over a fired window's contents. */
  protected emitWindowContents(window: Window, contents: unknown, _stateNs: string): void {
    this.emitTimestamp = window.maxTimestamp();
    const fn = this.fn;
    if (fn.kind === 'process') this.callProcess(window, contents as unknown[]);
    else if (fn.process) this.callProcess(window, [contents]);
    else this.collector.collect(contents);
  }

  protected callProcess(window: Window, elements: unknown[]): void {
    const pwf = this.fn.process as ProcessWindowFunction<unknown, unknown, Key>;
    const key = this.backend.getCurrentKey() as Key;
    const ctx = this.processContext(window);
    if (typeof pwf === 'function') pwf(key, ctx, elements, this.collector);
    else pwf.process(key, ctx, elements, this.collector);
  }

  private processContext(window: Window): ProcessWindowContext {
    const backend = this.backend;
    const merging = isMergingAssigner(this.assigner);
    const store = (get: (d: StateDescriptor) => State): KeyedStateStore => ({
      getState: (d) => get(d) as never,
      getListState: (d) => get(d) as never,
      getMapState: (d) => get(d) as never,
      getReducingState: (d) => get(d) as never,
      getAggregatingState: (d) => get(d) as never,
    });
    return {
      window: () => window,
      currentProcessingTime: () => this.ctx.now(),
      currentWatermark: () => this.ctx.currentWatermark(),
      windowState: () =>
        store((d) => {
          if (merging) throw new Error('Per-window state is not allowed when using merging windows.');
          return backend.getNamespacedState(d, window.namespace());
        }),
      globalState: () => store((d) => backend.getPartitionedState(d)),
      output: (tag, value) => this.ctx.output(tag.id, value, window.maxTimestamp()),
    };
  }

  /** Flink's WindowOperator.Context: the trigger's view, in the current window's namespace. */
  private readonly triggerContext: OnMergeContext = {
    getCurrentProcessingTime: () => this.ctx.now(),
    getCurrentWatermark: () => this.ctx.currentWatermark(),
    registerProcessingTimeTimer: (t) =>
      this.ctx.registerTimer('PROCESSING_TIME', t, this.currentWindow().namespace()),
    registerEventTimeTimer: (t) => this.ctx.registerTimer('EVENT_TIME', t, this.currentWindow().namespace()),
    deleteProcessingTimeTimer: (t) =>
      this.ctx.deleteTimer('PROCESSING_TIME', t, this.currentWindow().namespace()),
    deleteEventTimeTimer: (t) => this.ctx.deleteTimer('EVENT_TIME', t, this.currentWindow().namespace()),
    getPartitionedState: <S extends State>(d: StateDescriptor): S =>
      this.backend.getNamespacedState<S>(d, this.currentWindow().namespace()),
    mergePartitionedState: (d: StateDescriptor) => {
      if (this.mergedWindows.length > 0)
        this.backend.mergeNamespaces(
          d,
          this.currentWindow().namespace(),
          this.mergedWindows.map((w) => w.namespace()),
        );
    },
  };

  private currentWindow(): Window {
    if (this.window === null) throw new Error('No window set: the trigger context is used outside a window.');
    return this.window;
  }
}
