/**
 * Flink's WindowAssigner (and MergingWindowAssigner): assigns an element to windows; its default
 * trigger; event or processing time. Processing-time assigners use the task's virtual clock.
 */
import type { Trigger } from '../triggers/Trigger';
import type { TimeWindow } from '../windows/TimeWindow';
import type { Window } from '../windows/Window';

export interface WindowAssignerContext {
  getCurrentProcessingTime(): number;
}

export abstract class WindowAssigner<T = unknown, W extends Window = Window> {
  /** `timestamp`: the record's event time, null when it has none (Flink's Long.MIN_VALUE marker). */
  abstract assignWindows(element: T, timestamp: number | null, context: WindowAssignerContext): W[];
  abstract getDefaultTrigger(): Trigger<T, W>;
  abstract isEventTime(): boolean;
  abstract toString(): string;
}

export abstract class MergingWindowAssigner<T = unknown> extends WindowAssigner<T, TimeWindow> {
  abstract mergeWindows(
    windows: readonly TimeWindow[],
    callback: (toBeMerged: TimeWindow[], mergeResult: TimeWindow) => void,
  ): void;
}

export function isMergingAssigner(a: WindowAssigner): a is MergingWindowAssigner {
  return a instanceof MergingWindowAssigner;
}

/** Flink's message for an event-time assigner given a record without a timestamp. */
export function noTimestamp(): Error {
  return new Error(
    "Record has Long.MIN_VALUE timestamp (= no timestamp marker). Is the time characteristic set to 'ProcessingTime', or did you forget to call 'DataStream.assignTimestampsAndWatermarks(...)'?",
  );
}
