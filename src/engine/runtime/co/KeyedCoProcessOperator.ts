/**
 * Flink's KeyedCoProcessOperator: a KeyedCoProcessFunction on two keyed connected streams. Records of
 * both inputs with the same key reach the same subtask and share that key's state and timers.
 */
import type { KeyedCoProcessFunction, KeyedCoProcessOnTimerContext } from '../../api/CoProcessFunction';
import type { Key } from '../../keygroups/hashCode';
import type { TimeDomain } from '../../time/InternalTimerService';
import { UserFunctionOperator } from '../operators';
import { keyedTimerService, timestampedCollector } from '../SimpleTimerService';

export class KeyedCoProcessOperator extends UserFunctionOperator<
  KeyedCoProcessFunction<Key, unknown, unknown, unknown>
> {
  private readonly collector = timestampedCollector(this.ctx);
  private readonly timerService = keyedTimerService(this.ctx);
  private domain: TimeDomain = 'EVENT_TIME';
  private readonly context: KeyedCoProcessOnTimerContext<Key> = {
    getCurrentKey: (): Key => this.ctx.keyedBackend?.getCurrentKey() as Key,
    timestamp: () => this.ctx.currentTimestamp(),
    timerService: () => this.timerService,
    timeDomain: () => this.domain,
    output: (tag, value) => this.ctx.output(tag.id, value, this.ctx.currentTimestamp()),
  };
  processElement(value: unknown): void {
    this.fn.processElement1(value, this.context, this.collector);
  }
  override processElement2(value: unknown): void {
    this.fn.processElement2(value, this.context, this.collector);
  }
  override onTimer(timestamp: number, domain: TimeDomain): void {
    this.domain = domain;
    this.fn.onTimer?.(timestamp, this.context, this.collector);
  }
}
