/**
 * Flink's GlobalWindows: every element in the one GlobalWindow; the default trigger never fires (give
 * one with `.trigger(..)`, e.g. `CountTrigger.of(n)`), and the window is never cleaned up.
 */
import { NeverTrigger } from '../triggers/NeverTrigger';
import type { Trigger } from '../triggers/Trigger';
import { GlobalWindow } from '../windows/GlobalWindow';
import { WindowAssigner } from './WindowAssigner';

export class GlobalWindows extends WindowAssigner<unknown, GlobalWindow> {
  private constructor() {
    super();
  }
  static create(): GlobalWindows {
    return new GlobalWindows();
  }
  assignWindows(): GlobalWindow[] {
    return [GlobalWindow.get()];
  }
  getDefaultTrigger(): Trigger<unknown, GlobalWindow> {
    return new NeverTrigger();
  }
  isEventTime(): boolean {
    return false;
  }
  toString(): string {
    return 'GlobalWindows()';
  }
}
