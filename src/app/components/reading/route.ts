/**
 * The Reading page's routes, in the URL's hash like the lessons' (see ../lessons/route.ts):
 *
 *     #/reading         the article, from the top
 *     #/reading/3.2     the article, scrolled to §3.2
 *
 * `parseReadingRoute` returns null for every other hash.
 */
export interface ReadingRoute {
  /** The section named in the URL (`3.2`), or null. */
  section: string | null;
}

export function parseReadingRoute(hash: string): ReadingRoute | null {
  let h: string;
  try {
    h = decodeURIComponent(hash.replace(/^#/, ''));
  } catch {
    return null;
  }
  const m = /^\/reading(?:\/(\d{1,2}(?:\.\d{1,2})?))?\/?$/.exec(h);
  return m ? { section: m[1] ?? null } : null;
}

export function readingHash(section: string | null = null): string {
  return section ? `#/reading/${section}` : '#/reading';
}
