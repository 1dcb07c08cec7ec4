/** GlobalWindows' default trigger (Flink's GlobalWindows.NeverTrigger): never fires. */
import type { Window } from '../windows/Window';
import { Trigger, TriggerResult } from './Trigger';

export class NeverTrigger extends Trigger<unknown, Window> {
  onElement(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  clear(): void {}
  override canMerge(): boolean {
    return true;
  }
  override onMerge(): void {}
  toString(): string {
    return 'NeverTrigger()';
  }
}
