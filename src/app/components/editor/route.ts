/**
 * The editor's route and share links, in the URL's hash like the Reading page's:
 *
 *     #/editor                 the editor, with the file kept in IndexedDB
 *     #/editor?job=<code>      a shared job: <code> is lz-string's compressToEncodedURIComponent of
 *                              the source (as the TypeScript playground shares code)
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
}

export function parseEditorRoute(hash: string): EditorRoute | null {
  const h = hash.replace(/^#/, '');
  const m = /^\/editor\/?(?:\?(.*))?$/.exec(h);
  if (!m) return null;
  const query = new URLSearchParams(m[1] ?? '');
  // URLSearchParams turns '+' into ' '; the codec's alphabet uses '+' and never a space.
  const raw = m[1] ? /(?:^|&)job=([^&]*)/.exec(m[1])?.[1] : undefined;
  if (raw === undefined) return { shared: null, broken: query.has('job') };
  const source = decodeJob(raw);
  return source === null ? { shared: null, broken: true } : { shared: source, broken: false };
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
