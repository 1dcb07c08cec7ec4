/**
 * How snapshot validation reports a problem: at a JSON path, with a message (a code of
 * src/engine/messages/en.ts), plus the small formatting helpers the checks share.
 */
import { msg, type Message } from '../messages/Message';

/** Reports a problem at a path; `message` is a message code (src/engine/messages/en.ts). */
export type Err = (path: string, message: Message) => void;

export function fmtKey(key: unknown): string {
  return JSON.stringify(key) ?? String(key);
}

export function list(items: readonly string[]): string | Message {
  return items.length === 0 ? msg('snapshot.none') : items.join(', ');
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
