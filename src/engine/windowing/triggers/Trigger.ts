/**
 * Flink's Trigger, TriggerResult and TriggerContext: a trigger decides when a window fires (emits its
 * contents) and purges (clears them). Its state is keyed state in the window's namespace, its timers
 * are registered in the window's namespace (both through the context).
 */
import type { State } from '../../state/State';
import type { StateDescriptor } from '../../state/StateDescriptor';
import type { Window } from '../windows/Window';

export class TriggerResult {
  static readonly CONTINUE = new TriggerResult('CONTINUE', false, false);
  static readonly FIRE_AND_PURGE = new TriggerResult('FIRE_AND_PURGE', true, true);
  static readonly FIRE = new TriggerResult('FIRE', true, false);
  static readonly PURGE = new TriggerResult('PURGE', false, true);
  private constructor(
    readonly name: string,
    private readonly fire: boolean,
    private readonly purge: boolean,
  ) {}
  isFire(): boolean {
    return this.fire;
  }
  isPurge(): boolean {
    return this.purge;
  }
  toString(): string {
    return this.name;
  }
}

export interface TriggerContext {
  getCurrentProcessingTime(): number;
  getCurrentWatermark(): number;
  registerProcessingTimeTimer(time: number): void;
  registerEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
  /** Keyed state of the current key in the window's namespace. */
  getPartitionedState<S extends State>(descriptor: StateDescriptor): S;
}

export interface OnMergeContext extends TriggerContext {
  /** Merges the state of `descriptor` of the merged windows into the result window's. */
  mergePartitionedState(descriptor: StateDescriptor): void;
}

export abstract class Trigger<T = unknown, W extends Window = Window> {
  abstract onElement(element: T, timestamp: number | null, window: W, ctx: TriggerContext): TriggerResult;
  abstract onProcessingTime(time: number, window: W, ctx: TriggerContext): TriggerResult;
  abstract onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult;
  /** Whether the trigger supports merging windows (session windows). */
  canMerge(): boolean {
    return false;
  }
  onMerge(_window: W, _ctx: OnMergeContext): void {
    throw new Error('This trigger does not support merging.');
  }
  /**
   * The keyed states the trigger uses (lab addition: Flink registers them lazily; the window operator
   * registers them in `open()` so that a snapshot holding them is recognised as this job's).
   */
  declaredStates(): StateDescriptor[] {
    return [];
  }
  /** The window is purged and its state discarded: remove the trigger's timers and state. */
  abstract clear(window: W, ctx: TriggerContext): void;
  abstract toString(): string;
}
