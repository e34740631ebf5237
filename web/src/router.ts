/** Hash routes (#/flows?action=deny): links work by keyboard, survive reloads and need no server routes. */
export interface Route { view: string; params: URLSearchParams }

export function currentRoute(): Route {
  const raw = location.hash.replace(/^#\/?/, '');
  const [view, query = ''] = raw.split('?', 2);
  return { view: view || 'overview', params: new URLSearchParams(query) };
}

export function href(view: string, params: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const qs = q.toString();
  return `#/${view}${qs ? `?${qs}` : ''}`;
}

export interface ViewContext {
  status: (message: string, error?: boolean) => void;
  /** Called when the view is replaced: stop timers, dispose charts. */
  onLeave: (cleanup: () => void) => void;
}

export type View = (main: HTMLElement, params: URLSearchParams, ctx: ViewContext) => void | Promise<void>;
