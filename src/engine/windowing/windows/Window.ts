/**
 * Flink's Window: a group of elements with a max timestamp. A window is also the namespace of its
 * state (Flink's window serializer writes it next to the key): `namespace()` is its text form in
 * snapshots, state entries and timers — `TimeWindow{start=0, end=10000}` (TimeWindow.toString) or
 * `GlobalWindow`; `windowFromNamespace` reads it back.
 */
export interface Window {
  /** The largest timestamp that still belongs to this window. */
  maxTimestamp(): number;
  /** The window as a state namespace (its `toString()`). */
  namespace(): string;
  equals(other: Window): boolean;
}
