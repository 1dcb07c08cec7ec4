/** A value as JSON would hold it (Maps as [key, value] pairs), so that state compares by content. */
export function plain(value: unknown): unknown {
  if (value instanceof Map) return [...value.entries()].map(([k, v]) => [k, plain(v)]);
  if (Array.isArray(value)) return value.map(plain);
  return value === undefined ? null : value;
}

/** The exactly-once checker's identity of a sink row: the sink and the row's content. */
export function sinkRowKey(sinkUid: string, value: unknown): string {
  return `${sinkUid}|${JSON.stringify(plain(value))}`;
}
