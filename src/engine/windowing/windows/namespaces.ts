/** A window namespace's text (`Window.namespace()`) back to the window; null for other namespaces. */
import { GlobalWindow } from './GlobalWindow';
import { TimeWindow } from './TimeWindow';
import type { Window } from './Window';

const TIME_WINDOW = /^TimeWindow\{start=(-?\d+), end=(-?\d+)\}$/;

export function windowFromNamespace(namespace: string): Window | null {
  if (namespace === 'GlobalWindow') return GlobalWindow.get();
  const m = TIME_WINDOW.exec(namespace);
  return m ? new TimeWindow(Number(m[1]), Number(m[2])) : null;
}

/** `[start, end)` for a TimeWindow namespace (what the state inspector shows), else the text itself. */
export function describeNamespace(namespace: string): string {
  const w = windowFromNamespace(namespace);
  return w instanceof TimeWindow ? `[${w.start}, ${w.end})` : namespace;
}
