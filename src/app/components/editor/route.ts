/**
 * The editor's route and share links, in the URL's hash like the Reading page's:
 *
 *     #/editor                 the editor, with the file kept in IndexedDB
 *     #/editor?job=<code>      a shared job: <code> is lz-string's compressToEncodedURIComponent of
 *                              the source (as the TypeScript playground shares code)
 *     #/editor?lesson=1&step=5 a lesson's code step: the step's file (its start file the first time,
 *                              then the learner's, kept per step), its goal and the check's verdict
 *
 * `parseEditorRoute` returns null for every other hash. Opening a link shows the code; nothing runs
 * until the learner presses Run.
 */
import { compressToEncodedURIComponent, decompressFromEncodedURIComponent } from 'lz-string';

export interface EditorRoute {
  /** The source in the link, or null (no `job=`). */
  shared: string | null;
  /** `job=` was there but did not decode to a source: the link was cut or mangled. */
  broken: boolean;
  /** A lesson's code step (1-based numbers), or null: the editor's own file. */
  lesson?: { number: number; step: number } | null;
}

export function parseEditorRoute(hash: string): EditorRoute | null {
  const h = hash.replace(/^#/, '');
  const m = /^\/editor\/?(?:\?(.*))?$/.exec(h);
  if (!m) return null;
  const query = new URLSearchParams(m[1] ?? '');
  const lesson = lessonStepOf(query);
  if (lesson) return { shared: null, broken: false, lesson };
  // URLSearchParams turns '+' into ' '; the codec's alphabet uses '+' and never a space.
  const raw = m[1] ? /(?:^|&)job=([^&]*)/.exec(m[1])?.[1] : undefined;
  if (raw === undefined) return { shared: null, broken: query.has('job') };
  const source = decodeJob(raw);
  return source === null ? { shared: null, broken: true } : { shared: source, broken: false };
}

/** `lesson=N&step=M` (both whole numbers from 1), or null. */
function lessonStepOf(query: URLSearchParams): { number: number; step: number } | null {
  const n = query.get('lesson');
  const step = query.get('step');
  if (!n || !step || !/^\d{1,3}$/.test(n) || !/^\d{1,3}$/.test(step)) return null;
  if (Number(n) < 1 || Number(step) < 1) return null;
  return { number: Number(n), step: Number(step) };
}

/** The editor with a lesson's code step. */
export function lessonEditorHash(lesson: number, step: number): string {
  return `#/editor?lesson=${lesson}&step=${step}`;
}

export function encodeJob(source: string): string {
  return compressToEncodedURIComponent(source);
}

/** The source in a `job=` value, or null if it is not one. */
export function decodeJob(code: string): string | null {
  if (code === '') return '';
  try {
    const source = decompressFromEncodedURIComponent(code);
    // lz-string answers null or '' for input that is not its output.
    return source ? source : null;
  } catch {
    return null;
  }
}

export function editorHash(source?: string): string {
  return source === undefined ? '#/editor' : `#/editor?job=${encodeJob(source)}`;
}
