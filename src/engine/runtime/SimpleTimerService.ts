/**
 * The TimerService a process function's context hands out (Flink's SimpleTimerService over the
 * operator's InternalTimerService): per current key on keyed streams. On a non-keyed stream Flink's
 * ProcessOperator / CoProcessOperator give one whose register and delete methods throw.
 */
import type { Collector, TimerService } from '../api/functions';
import type { OperatorContext } from './operators';

export const TIMERS_NEED_KEYED_STREAM = 'Setting timers is only supported on a keyed streams.';

export function keyedTimerService(ctx: OperatorContext): TimerService {
  return {
    currentProcessingTime: () => ctx.now(),
    currentWatermark: () => ctx.currentWatermark(),
    registerProcessingTimeTimer: (t) => ctx.registerTimer('PROCESSING_TIME', t),
    registerEventTimeTimer: (t) => ctx.registerTimer('EVENT_TIME', t),
    deleteProcessingTimeTimer: (t) => ctx.deleteTimer('PROCESSING_TIME', t),
    deleteEventTimeTimer: (t) => ctx.deleteTimer('EVENT_TIME', t),
  };
}

export function nonKeyedTimerService(ctx: OperatorContext): TimerService {
  const refuse = (): never => {
    throw new Error(TIMERS_NEED_KEYED_STREAM);
  };
  return {
    currentProcessingTime: () => ctx.now(),
    currentWatermark: () => ctx.currentWatermark(),
    registerProcessingTimeTimer: refuse,
    registerEventTimeTimer: refuse,
    deleteProcessingTimeTimer: refuse,
    deleteEventTimeTimer: refuse,
  };
}

/** Flink's TimestampedCollector: what a function collects carries the current record's timestamp. */
export function timestampedCollector(ctx: OperatorContext): Collector<unknown> {
  return { collect: (v: unknown) => ctx.emit(v, ctx.currentTimestamp()) };
}
