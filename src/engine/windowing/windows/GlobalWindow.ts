/** Flink's GlobalWindow: the one window of `GlobalWindows`; its max timestamp is the end of time. */
import { MAX_WATERMARK } from '../../runtime/StreamElement';
import type { Window } from './Window';

export class GlobalWindow implements Window {
  private static readonly INSTANCE = new GlobalWindow();
  private constructor() {}
  static get(): GlobalWindow {
    return GlobalWindow.INSTANCE;
  }
  maxTimestamp(): number {
    return MAX_WATERMARK;
  }
  equals(other: Window): boolean {
    return other instanceof GlobalWindow;
  }
  toString(): string {
    return 'GlobalWindow';
  }
  namespace(): string {
    return 'GlobalWindow';
  }
}
