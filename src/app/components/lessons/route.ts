/**
 * The lesson routes, in the URL's hash (the query string stays the permalink of the run):
 *
 *     (no hash)              the free simulator
 *     #/lessons              the lesson list
 *     #/lesson/3             lesson 3, where the learner left it
 *     #/lesson/3/step/2      lesson 3, step 2 (both 1-based)
 *     #/editor?lesson=3&step=2  the same step, its code in the editor (a code step: the lesson stays
 *                               open, with its check; see components/editor/route.ts)
 */
export type Route =
  | { view: 'sim' }
  | { view: 'list' }
  /** `code`: the step's code in the editor (`#/editor?lesson=N&step=M`). */
  | { view: 'lesson'; lesson: number; step: number | null; code?: true };

export function parseRoute(hash: string): Route {
  const h = decodeURIComponent(hash.replace(/^#/, ''));
  if (/^\/lessons\/?$/.test(h)) return { view: 'list' };
  const m = /^\/lesson\/(\d{1,3})(?:\/step\/(\d{1,3}))?\/?$/.exec(h);
  if (m) return { view: 'lesson', lesson: Number(m[1]), step: m[2] ? Math.max(1, Number(m[2])) : null };
  const code = /^\/editor\/?\?(?:.*&)?lesson=(\d{1,3})&step=(\d{1,3})(?:&.*)?$/.exec(h);
  if (code)
    return { view: 'lesson', lesson: Number(code[1]), step: Math.max(1, Number(code[2])), code: true };
  return { view: 'sim' };
}

export function routeHash(route: Route): string {
  switch (route.view) {
    case 'sim':
      return '';
    case 'list':
      return '#/lessons';
    case 'lesson':
      return route.step === null ? `#/lesson/${route.lesson}` : `#/lesson/${route.lesson}/step/${route.step}`;
  }
}
