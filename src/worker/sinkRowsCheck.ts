/**
 * The `sink-rows` lesson check: what an outside reader sees in a sink's external system now — the
 * rows the Output tab lists as visible (all written rows of a non-transactional sink, the committed
 * ones of a two-phase-commit sink, the current rows of an upsert table). The Operations Playground's
 * checks are of this kind: "every window counts exactly 1000", "a row repeats", "a count is not 1000".
 * The evaluator re-reads it after each sink event (write, commit, abort): a full pass over the visible
 * rows, cheap for the Playground's few hundred rows; a sink of many thousands would want the
 * incremental counting SinkVerdictTracker does.
 */
import { msg, type Message } from '../engine/messages/Message';
import type { MiniCluster } from '../engine/index';
import type { Check, CheckResult } from './lessonCheck';
import { plain } from './plain';

export type SinkRowsCheck = Extract<Check, { kind: 'sink-rows' }>;

type Fields = Record<string, string | number | boolean | null>;

const pass: CheckResult = { ok: true, why: { code: 'text', params: { text: '' } } };
const fail = (why: Message): CheckResult => ({ ok: false, why });

/** A row has every one of these field values (a row that is not an object has none). */
function has(row: unknown, fields: Fields): boolean {
  if (row === null || typeof row !== 'object' || Array.isArray(row)) return false;
  const r = row as Record<string, unknown>;
  return Object.entries(fields).every(([k, v]) => r[k] === v);
}

const shown = (fields: Fields): string =>
  Object.entries(fields)
    .map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
    .join(', ');

export function evaluateSinkRows(cluster: MiniCluster, check: SinkRowsCheck): CheckResult {
  const sink = cluster.job.vertices.find((v) => v.uid === check.sink && v.spec.kind === 'sink');
  if (!sink) return fail(msg('check.rows-no-sink', { sink: check.sink }));
  const name = sink.name;
  const rows = cluster.external.committedValues(check.sink).map(plain);
  const n = rows.length;
  if (check.atLeast !== undefined && n < check.atLeast)
    return fail(msg('check.rows-at-least', { n, sink: name, need: check.atLeast }));
  if (check.every) {
    const want = check.every;
    const bad = rows.filter((r) => !has(r, want));
    if (bad.length)
      return fail(
        msg('check.rows-every', {
          bad: bad.length,
          n,
          sink: name,
          want: shown(want),
          row: JSON.stringify(bad[0]),
        }),
      );
  }
  if (check.someNot) {
    const want = check.someNot;
    if (n === 0) return fail(msg('check.rows-none', { sink: name }));
    if (rows.every((r) => has(r, want)))
      return fail(msg('check.rows-all-have', { n, sink: name, want: shown(want) }));
  }
  if (check.repeated !== undefined) {
    const seen = new Map<string, number>();
    let most: [string, number] | null = null;
    for (const r of rows) {
      const k = JSON.stringify(r);
      const c = (seen.get(k) ?? 0) + 1;
      seen.set(k, c);
      if (c > 1 && (!most || c > most[1])) most = [k, c];
    }
    if (check.repeated && !most) return fail(msg('check.rows-not-repeated', { sink: name }));
    if (!check.repeated && most)
      return fail(msg('check.rows-repeated', { row: most[0], n: most[1], sink: name }));
  }
  return pass;
}
