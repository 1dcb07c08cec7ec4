/**
 * Puts the watchdog's guards into compiled job code (see watchdog.ts), without adding a line, so
 * line numbers stay the user's:
 *
 *   while (c) body            →  while (c) {__wd.l(L,C);body}
 *   function f() { … }        →  function f() {__wd.e(L,C);try{ … }catch(e){throw __wd.t(e)}finally{__wd.x()}}
 *   (x) => x + 1              →  (x) => {__wd.e(L,C);try{return (x + 1)}catch(e){throw __wd.t(e)}finally{__wd.x()}}
 *   async / generator bodies  →  a loop guard only (they return before they finish)
 *
 * (L, C) is the position in the user's file of the loop or function, so a timeout names it.
 * Parsed with acorn, the maintained ECMAScript parser; the edits are plain insertions, recorded per
 * line so that positions in the result map back.
 */
import { parse, type Node } from 'acorn';

export interface Insertion {
  /** 0-based column in the uninstrumented line. */
  col0: number;
  length: number;
}

export type InstrumentResult =
  | { ok: true; code: string; insertions: Record<number, Insertion[]> }
  | { ok: false; line: number; col0: number; message: string };

interface Edit {
  pos: number;
  text: string;
  /** 0 closes, 1 opens: at one position closing texts go first, the innermost first. */
  order: number;
  /** The node it belongs to, in visit order (outer nodes first). */
  seq: number;
}

/** Edits at one position: a node's own opening before its closing (an empty body), else closings first. */
function compareEdits(a: Edit, b: Edit): number {
  if (a.pos !== b.pos) return a.pos - b.pos;
  if (a.seq === b.seq) return b.order - a.order;
  if (a.order !== b.order) return a.order - b.order;
  return a.order === 0 ? b.seq - a.seq : a.seq - b.seq;
}

type AnyNode = Node & Record<string, unknown>;

/** The end of a guarded function: an error leaving it is shown to the watchdog (`t`), then the call ends. */
const LEAVE = 'catch(__wdE){throw __wd.t(__wdE)}finally{__wd.x()}';

const LOOPS = new Set([
  'WhileStatement',
  'DoWhileStatement',
  'ForStatement',
  'ForInStatement',
  'ForOfStatement',
]);
const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

export function instrument(
  code: string,
  toOriginal: (line: number, col0: number) => { line: number; col: number },
): InstrumentResult {
  let ast: Node;
  try {
    ast = parse(code, {
      ecmaVersion: 'latest',
      sourceType: 'script',
      allowAwaitOutsideFunction: true,
      // `() => ({…})`: the parentheses are part of the body, so wrapping it keeps an object literal.
      preserveParens: true,
      locations: true,
    });
  } catch (e) {
    const err = e as SyntaxError & { loc?: { line: number; column: number } };
    return {
      ok: false,
      line: err.loc?.line ?? 1,
      col0: err.loc?.column ?? 0,
      message: err.message.replace(/ \(\d+:\d+\)$/, ''),
    };
  }
  const edits: Edit[] = [];
  let seq = 0;
  let current = 0;
  const push = (e: Omit<Edit, 'seq'>) => edits.push({ ...e, seq: current });
  const at = (node: AnyNode) => {
    const loc = node.loc as { start: { line: number; column: number } };
    const p = toOriginal(loc.start.line, loc.start.column);
    return `${p.line},${p.col}`;
  };
  const visit = (node: AnyNode) => {
    current = seq++;
    if (LOOPS.has(node.type)) {
      const body = node.body as AnyNode;
      const guard = `__wd.l(${at(node)});`;
      if (body.type === 'BlockStatement') push({ pos: body.start + 1, text: guard, order: 1 });
      else {
        push({ pos: body.start, text: `{${guard}`, order: 1 });
        push({ pos: body.end, text: '}', order: 0 });
      }
    } else if (FUNCTIONS.has(node.type)) {
      const body = node.body as AnyNode;
      const where = at(node);
      const resumable = node.async === true || node.generator === true;
      if (body.type === 'BlockStatement') {
        if (resumable) push({ pos: body.start + 1, text: `__wd.l(${where});`, order: 1 });
        else {
          push({ pos: body.start + 1, text: `__wd.e(${where});try{`, order: 1 });
          push({ pos: body.end - 1, text: `}${LEAVE}`, order: 0 });
        }
      } else if (resumable) {
        push({ pos: body.start, text: `(__wd.l(${where}),`, order: 1 });
        push({ pos: body.end, text: ')', order: 0 });
      } else {
        push({ pos: body.start, text: `{__wd.e(${where});try{return (`, order: 1 });
        push({ pos: body.end, text: `)}${LEAVE}}`, order: 0 });
      }
    }
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) {
        for (const v of value) if (isNode(v)) visit(v);
      } else if (isNode(value)) visit(value);
    }
  };
  visit(ast as AnyNode);
  edits.sort(compareEdits);

  // Apply, and record each insertion by line and column of the original text.
  const lineStarts = [0];
  for (let i = 0; i < code.length; i++) if (code.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const insertions: Record<number, Insertion[]> = {};
  let out = '';
  let last = 0;
  let line = 0; // index into lineStarts
  for (const edit of edits) {
    out += code.slice(last, edit.pos) + edit.text;
    last = edit.pos;
    while (line + 1 < lineStarts.length && lineStarts[line + 1] <= edit.pos) line++;
    (insertions[line + 1] ??= []).push({ col0: edit.pos - lineStarts[line], length: edit.text.length });
  }
  out += code.slice(last);
  return { ok: true, code: out, insertions };
}

function isNode(v: unknown): v is AnyNode {
  return typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';
}
