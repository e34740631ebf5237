import { api, ApiError, describeError } from '../api';
import { h } from '../dom';
import { renderObject, renderValue } from '../render';
import { href, View, ViewContext } from '../router';

type Obj = Record<string, unknown>;

const titleOf = (s: Obj, fallback: string) => String(s.title ?? s.summary ?? s.name ?? s.id ?? fallback);

/**
 * Policy suggestions, when the server offers them: the listing with evidence and replay counts
 * (over the server's default window unless the route gives `from` / `to`), and one suggestion
 * (`#/suggestions?id=…`) with its YAML and every flow its replay changes.
 */
export const suggestions: View = async (main, params, ctx) => {
  const id = params.get('id');
  if (id) return suggestion(main, id, params, ctx);
  main.append(h('h1', {}, 'Suggestions'));
  let body: unknown;
  try {
    body = await api.get<unknown>('/api/v1/suggestions', { from: params.get('from') ?? undefined, to: params.get('to') ?? undefined });
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      main.append(h('p', { class: 'card', 'data-testid': 'suggestions-unavailable' }, 'Suggestions are not available on this server.'));
      ctx.status('');
      return;
    }
    ctx.status(describeError(err), true);
    return;
  }
  const list = (Array.isArray(body) ? { items: body } : body) as { items?: unknown[]; from?: string; to?: string };
  const items = list.items ?? [];
  if (items.length === 0) {
    main.append(h('p', { class: 'card muted' }, 'No suggestions yet.'));
    ctx.status('');
    return;
  }
  for (const [i, item] of items.entries()) {
    const s = (item ?? {}) as Obj;
    const title = titleOf(s, `Suggestion ${i + 1}`);
    // The same window as the listing, so the link shows this suggestion even after new traffic.
    const more = typeof s.id === 'string' ? h('p', {}, h('a', { href: href('suggestions', { id: s.id, from: list.from, to: list.to }), 'data-testid': 'suggestion-link' }, 'YAML and replay details')) : null;
    main.append(h('section', { class: 'card', 'aria-label': title }, h('h2', {}, title), renderObject(s, ['title', 'links']), more));
  }
  ctx.status(`${items.length} suggestions`);
};

async function suggestion(main: HTMLElement, id: string, params: URLSearchParams, ctx: ViewContext): Promise<void> {
  main.append(h('p', {}, h('a', { href: href('suggestions') }, 'All suggestions')));
  let s: Obj;
  try {
    s = await api.get<Obj>(`/api/v1/suggestions/${encodeURIComponent(id)}`, { from: params.get('from') ?? undefined, to: params.get('to') ?? undefined });
  } catch (err) {
    main.append(h('h1', {}, 'Suggestion'));
    ctx.status(describeError(err), true);
    return;
  }
  const title = titleOf(s, id);
  const yaml = (s.yaml ?? {}) as Obj;
  main.append(
    h('h1', {}, 'Suggestion'),
    h(
      'section',
      { class: 'card', 'aria-label': title },
      h('h2', {}, title),
      ...(['staged', 'enforced'] as const).filter((k) => typeof yaml[k] === 'string').map((k) => h('div', { 'data-testid': `suggestion-yaml-${k}` }, h('h3', {}, `${k === 'staged' ? 'Staged' : 'Enforced'} YAML`), renderValue(`${String(yaml[k])}\n`))),
      renderObject(s, ['title', 'yaml', 'resources']),
    ),
  );
  ctx.status('');
}
