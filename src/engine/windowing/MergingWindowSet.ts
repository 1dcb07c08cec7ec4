/**
 * Flink's MergingWindowSet: the session windows of one key in flight, each mapped to its *state
 * window* — the namespace that holds its contents. When windows merge, the result keeps the state
 * window of one of them, and the other state windows are merged into it (the merge function merges
 * the window state's namespaces), so state never has to move to a new namespace. The mapping is
 * keyed state itself: a ListState of [window, stateWindow] pairs ("merging-window-set", VoidNamespace).
 */
import type { ListState } from '../state/State';
import type { MergingWindowAssigner } from './assigners/WindowAssigner';
import { TimeWindow } from './windows/TimeWindow';

export type WindowPair = [{ start: number; end: number }, { start: number; end: number }];

/** Called for each merge: the result, the windows merged into it, its state window, the state windows merged. */
export type MergeFunction = (
  mergeResult: TimeWindow,
  mergedWindows: TimeWindow[],
  stateWindowResult: TimeWindow,
  mergedStateWindows: TimeWindow[],
) => void;

const plain = (w: TimeWindow): { start: number; end: number } => ({ start: w.start, end: w.end });

export class MergingWindowSet {
  /** window namespace → [window, state window], in insertion order. */
  private readonly mapping = new Map<string, [TimeWindow, TimeWindow]>();
  private readonly initial: string;

  constructor(
    private readonly windowAssigner: MergingWindowAssigner,
    private readonly state: ListState<WindowPair>,
  ) {
    for (const [w, s] of state.get())
      this.mapping.set(new TimeWindow(w.start, w.end).namespace(), [
        new TimeWindow(w.start, w.end),
        new TimeWindow(s.start, s.end),
      ]);
    this.initial = this.fingerprint();
  }

  private fingerprint(): string {
    return JSON.stringify([...this.mapping.values()].map(([w, s]) => [plain(w), plain(s)]));
  }

  /** Writes the mapping back to state if it changed. */
  persist(): void {
    if (this.fingerprint() === this.initial) return;
    this.state.update([...this.mapping.values()].map(([w, s]): WindowPair => [plain(w), plain(s)]));
  }

  /** The state window of an in-flight window, or null. */
  getStateWindow(window: TimeWindow): TimeWindow | null {
    return this.mapping.get(window.namespace())?.[1] ?? null;
  }

  /** Removes a window (purged or cleaned up); it must be in flight. */
  retireWindow(window: TimeWindow): void {
    if (!this.mapping.delete(window.namespace()))
      throw new Error(`Window ${window.toString()} is not in in-flight window set.`);
  }

  windows(): TimeWindow[] {
    return [...this.mapping.values()].map(([w]) => w);
  }

  /**
   * Adds a new window, merging as the assigner says; returns the window the new one ended up in (the
   * merge result, or itself). `mergeFunction` runs for every merge that involved existing windows.
   */
  addWindow(newWindow: TimeWindow, mergeFunction: MergeFunction): TimeWindow {
    const windows = [...this.windows(), newWindow];
    const mergeResults: Array<[TimeWindow, TimeWindow[]]> = [];
    this.windowAssigner.mergeWindows(windows, (toBeMerged, mergeResult) =>
      mergeResults.push([mergeResult, toBeMerged]),
    );
    let resultWindow = newWindow;
    let mergedNewWindow = false;
    for (const [mergeResult, merged] of mergeResults) {
      let mergedWindows = merged;
      // The new window among the merged ones: the merge result is where it went.
      const i = mergedWindows.findIndex((w) => w.equals(newWindow));
      if (i >= 0) {
        mergedWindows = mergedWindows.filter((_, j) => j !== i);
        mergedNewWindow = true;
        resultWindow = mergeResult;
      }
      // Any merged window's state window becomes the result's state window.
      const mergedStateWindow = this.getStateWindow(mergedWindows[0]) as TimeWindow;
      const mergedStateWindows: TimeWindow[] = [];
      for (const w of mergedWindows) {
        const entry = this.mapping.get(w.namespace());
        if (entry !== undefined) {
          this.mapping.delete(w.namespace());
          mergedStateWindows.push(entry[1]);
        }
      }
      this.mapping.set(mergeResult.namespace(), [mergeResult, mergedStateWindow]);
      const others = mergedStateWindows.filter((s) => !s.equals(mergedStateWindow));
      // Merging one existing window into itself without growing it: nothing to merge.
      if (!(mergedWindows.length === 1 && mergedWindows[0].equals(mergeResult)))
        mergeFunction(mergeResult, mergedWindows, mergedStateWindow, others);
    }
    // A new, self-contained window that merged with nothing.
    if (mergeResults.length === 0 || (resultWindow.equals(newWindow) && !mergedNewWindow))
      this.mapping.set(resultWindow.namespace(), [resultWindow, resultWindow]);
    return resultWindow;
  }
}
