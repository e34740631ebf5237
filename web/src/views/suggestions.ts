import { api, ApiError, describeError } from '../api';
import { h } from '../dom';
import { humanise, renderObject, renderValue } from '../render';
import { View } from '../router';

/** Policy suggestions with their evidence, YAML and replay result, when the server offers them. */
export const suggestions: View = async (main, _params, ctx) => {
  main.append(h('h1', {}, 'Suggestions'));
  let body: unknown;
  try {
    body = await api.get<unknown>('/api/v1/suggestions');
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      main.append(h('p', { class: 'card', 'data-testid': 'suggestions-unavailable' }, 'Suggestions are not available on this server.'));
      ctx.status('');
      return;
    }
    ctx.status(describeError(err), true);
    return;
  }
  const items = Array.isArray(body) ? body : ((body as { items?: unknown[]; suggestions?: unknown[] }).items ?? (body as { suggestions?: unknown[] }).suggestions ?? []);
  if (items.length === 0) {
    main.append(h('p', { class: 'card muted' }, 'No suggestions yet.'));
    return;
  }
  for (const [i, item] of items.entries()) {
    const s = (item ?? {}) as Record<string, unknown>;
    const title = String(s.title ?? s.summary ?? s.name ?? s.id ?? `Suggestion ${i + 1}`);
    const yaml = Object.entries(s).filter(([k, v]) => /yaml/i.test(k) && typeof v === 'string');
    main.append(
      h(
        'section',
        { class: 'card', 'aria-label': title },
        h('h2', {}, title),
        renderObject(s, ['title', ...yaml.map(([k]) => k)]),
        ...yaml.map(([k, v]) => h('div', {}, h('h3', {}, humanise(k)), renderValue(`${String(v)}\n`))),
      ),
    );
  }
  ctx.status(`${items.length} suggestions`);
};
