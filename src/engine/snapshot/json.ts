/**
 * Small JSON helpers for the snapshot format: paths as a reader writes them (`operators[1].subtasks[2]`),
 * a check that a value is plain JSON, and a pretty printer that keeps small objects on one line (an
 * entry per line), so a snapshot of many keys stays readable and diffs well.
 */
import { msg, type Message } from '../messages/Message';

export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `['operators', 1, 'subtasks', 2, 'keyGroupRange']` → `operators[1].subtasks[2].keyGroupRange`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (IDENTIFIER.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** How deep a JSON value may nest (a defence against hostile files; real snapshots nest < 20 deep). */
export const MAX_JSON_DEPTH = 256;

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Returns null when `value` is plain JSON (null, booleans, finite numbers, strings, arrays, plain
 * objects), else where and why it is not. Iterative, so hostile nesting cannot overflow the stack.
 */
export function findNonJson(
  value: unknown,
  path: readonly PathSegment[] = [],
): { path: PathSegment[]; problem: Message } | null {
  const stack: Array<{ v: unknown; path: PathSegment[] }> = [{ v: value, path: [...path] }];
  const base = path.length;
  while (stack.length > 0) {
    const { v, path: p } = stack.pop() as { v: unknown; path: PathSegment[] };
    if (p.length - base > MAX_JSON_DEPTH)
      return { path: p, problem: msg('snapshot.json-too-deep', { max: MAX_JSON_DEPTH }) };
    switch (typeof v) {
      case 'string':
      case 'boolean':
        continue;
      case 'number':
        if (!Number.isFinite(v))
          return { path: p, problem: msg('snapshot.json-not-number', { value: String(v) }) };
        continue;
      case 'object': {
        if (v === null) continue;
        if (Array.isArray(v)) {
          for (let i = v.length - 1; i >= 0; i--) {
            if (!(i in v)) return { path: [...p, i], problem: msg('snapshot.json-hole') };
            stack.push({ v: v[i], path: [...p, i] });
          }
          continue;
        }
        if (!isPlainObject(v)) {
          const name = (v as { constructor?: { name?: string } }).constructor?.name ?? 'object';
          return { path: p, problem: msg('snapshot.json-not-plain', { type: name }) };
        }
        const keys = Object.keys(v);
        for (let i = keys.length - 1; i >= 0; i--) {
          const child = (v as Record<string, unknown>)[keys[i]];
          if (child === undefined) continue; // JSON.stringify leaves it out, as a missing field
          stack.push({ v: child, path: [...p, keys[i]] });
        }
        continue;
      }
      default:
        return {
          path: p,
          problem: msg('snapshot.json-not-value', { type: v === undefined ? 'undefined' : typeof v }),
        };
    }
  }
  return null;
}

/**
 * JSON with 2-space indentation, but any object or array whose one-line form fits in `width`
 * characters stays on one line: `{ "key": "user-01", "keyGroup": 17, "value": 3 }`.
 */
export function prettyJson(value: unknown, width = 100): string {
  const parts: string[] = [];
  write(value, '', width, parts);
  return parts.join('');
}

function write(value: unknown, indent: string, width: number, out: string[]): void {
  if (value === null || typeof value !== 'object') {
    out.push(JSON.stringify(value) ?? 'null');
    return;
  }
  const inline = oneLine(value, width - indent.length);
  if (inline !== null) {
    out.push(inline);
    return;
  }
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (value.length === 0) {
      out.push('[]');
      return;
    }
    out.push('[\n');
    value.forEach((item, i) => {
      out.push(inner);
      write(item === undefined ? null : item, inner, width, out);
      out.push(i < value.length - 1 ? ',\n' : '\n');
    });
    out.push(indent, ']');
    return;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.length === 0) {
    out.push('{}');
    return;
  }
  out.push('{\n');
  entries.forEach(([k, v], i) => {
    out.push(inner, JSON.stringify(k), ': ');
    write(v, inner, width, out);
    out.push(i < entries.length - 1 ? ',\n' : '\n');
  });
  out.push(indent, '}');
}

/** The one-line form (`{ "a": 1, "b": [1, 2] }`) if it fits in `budget` characters, else null. */
function oneLine(value: object, budget: number): string | null {
  const parts: string[] = [];
  let length = 0;
  const visit = (v: unknown): boolean => {
    if (length > budget) return false;
    if (v === null || typeof v !== 'object') {
      const s = JSON.stringify(v) ?? 'null';
      parts.push(s);
      length += s.length;
      return length <= budget;
    }
    if (Array.isArray(v)) {
      parts.push('[');
      length += 2;
      for (let i = 0; i < v.length; i++) {
        if (i > 0) {
          parts.push(', ');
          length += 2;
        }
        if (!visit(v[i] === undefined ? null : v[i])) return false;
      }
      parts.push(']');
      return length <= budget;
    }
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    if (entries.length === 0) {
      parts.push('{}');
      length += 2;
      return length <= budget;
    }
    parts.push('{ ');
    length += 4;
    for (let i = 0; i < entries.length; i++) {
      if (i > 0) {
        parts.push(', ');
        length += 2;
      }
      const k = JSON.stringify(entries[i][0]);
      parts.push(k, ': ');
      length += k.length + 2;
      if (!visit(entries[i][1])) return false;
    }
    parts.push(' }');
    return length <= budget;
  };
  return visit(value) ? parts.join('') : null;
}
