/**
 * Whether the Reading page is on screen (`#/reading[/N.M]`, see route.ts). Like the Experiments view,
 * entering it pauses the simulator, which is out of sight. The page's content (the article, the
 * translation, the notes, the lessons for the links) loads with the page, not with the app.
 */
import { session } from '../../lib/session.svelte';
import { parseReadingRoute, type ReadingRoute } from './route';

export class ReadingStore {
  /** null: the app shows something else. */
  route = $state.raw<ReadingRoute | null>(null);

  attach(): () => void {
    this.syncRoute();
    const onChange = () => this.syncRoute();
    window.addEventListener('hashchange', onChange);
    window.addEventListener('popstate', onChange);
    return () => {
      window.removeEventListener('hashchange', onChange);
      window.removeEventListener('popstate', onChange);
    };
  }

  /** Reads the route from the URL (also after a navigation that fires no hashchange, e.g. pushState). */
  syncRoute(): void {
    const route = parseReadingRoute(location.hash);
    const entering = route !== null && this.route === null;
    this.route = route;
    if (entering && session.playing) void session.pause();
  }
}

export const reading = new ReadingStore();
