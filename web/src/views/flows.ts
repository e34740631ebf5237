import { api, ApiError, describeError } from '../api';
import { append, field, formValues, h, select } from '../dom';
import { endpointLabel, fmtNumber, fmtTime, renderObject, renderValue } from '../render';
import { href, View } from '../router';
import { RANGES, windowOf } from '../time';
import { Flow, FlowPage } from '../types';
import { ruleLabel } from './overview';

/** Filters the flow search API takes; everything else in the route refines the loaded page. */
const API_FILTERS = ['from', 'to', 'action', 'namespace', 'ip', 'policy', 'tier', 'verdictMismatch', 'limit'] as const;

/** Refinements the search API has no filter for, applied to the page the API returned (and said so). */
const REFINEMENTS: Record<string, (f: Flow, v: string, p: URLSearchParams) => boolean> = {
  port: (f, v) => `${f.protocol}/${f.dst.port}` === v || String(f.dst.port) === v,
  workload: (f, v, p) => {
    const w = (e: Flow['src']) => `${e.namespace || '(no namespace)'}/${e.aggregatedName || e.name || '(unknown)'}`;
    return p.get('side') === 'src' ? w(f.src) === v : p.get('side') === 'dst' ? w(f.dst) === v : w(f.src) === v || w(f.dst) === v;
  },
  pair: (f, v) => `${f.src.namespace}>${f.dst.namespace}` === v,
  rule: (f, v) => String(f.decision.ruleIndex) === v,
};

/** A table of flows with the filters of flow search, paged by cursor; a flow opens in detail. */
export const flows: View = async (main, params, ctx) => {
  await flowTable(main, params, ctx.status, { title: 'Flows', view: 'flows' });
};

export async function flowTable(main: HTMLElement, params: URLSearchParams, status: (m: string, e?: boolean) => void, opts: { title: string; view: string; fixed?: Record<string, string> }): Promise<void> {
  const range = params.get('range') ?? (params.get('from') ? '' : '1h');
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Flow filters' },
    field('Time range', select('range', [['', 'From / to below'], ...RANGES.map(([k, l]): [string, string] => [k, l])], range)),
    field('From (RFC 3339)', h('input', { name: 'from', value: params.get('from') ?? '', placeholder: '2026-11-26T06:00:00Z', size: 22 })),
    field('To', h('input', { name: 'to', value: params.get('to') ?? '', size: 22 })),
    opts.fixed?.verdictMismatch ? null : field('Action', select('action', [['', 'any'], ['deny', 'deny'], ['allow', 'allow'], ['log', 'log']], params.get('action') ?? '')),
    field('Namespace', h('input', { name: 'namespace', value: params.get('namespace') ?? '', size: 14 })),
    field('IP', h('input', { name: 'ip', value: params.get('ip') ?? '', size: 14 })),
    field('Tier', h('input', { name: 'tier', value: params.get('tier') ?? '', size: 12 })),
    field('Policy', h('input', { name: 'policy', value: params.get('policy') ?? '', size: 30 })),
    opts.fixed?.verdictMismatch ? null : field('Verdict mismatch', select('verdictMismatch', [['', 'any'], ['true', 'only mismatches'], ['false', 'only agreeing']], params.get('verdictMismatch') ?? '')),
    field('Page size', select('limit', [['50', '50'], ['100', '100'], ['500', '500'], ['1000', '1000']], params.get('limit') ?? '100')),
    h('button', { type: 'submit' }, 'Apply filters'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = formValues(form);
    if (v.range) {
      delete v.from;
      delete v.to;
    }
    location.hash = href(opts.view, v);
  });

  const refinements = Object.keys(REFINEMENTS).filter((k) => params.has(k));
  const table = h('div', { class: 'scroll', id: 'flow-table' });
  const detail = h('section', { class: 'card', id: 'flow-detail', 'aria-label': 'Flow detail', hidden: true });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Older flows');
  append(
    main,
    h('h1', {}, opts.title),
    form,
    refinements.length
      ? h('p', { class: 'muted', id: 'refinements' }, `Refined on the loaded page: ${refinements.map((k) => `${k} ${params.get(k)}`).join(', ')} `, h('a', { href: href(opts.view, withoutRefinements(params)) }, 'clear'))
      : null,
    h('section', { class: 'card' }, table, more),
    detail,
  );

  const query: Record<string, string> = { ...opts.fixed };
  for (const k of API_FILTERS) {
    const v = params.get(k);
    if (v) query[k] = v;
  }
  if (range) Object.assign(query, windowOf(range));
  const rows: Flow[] = [];
  const load = async (cursor?: string) => {
    try {
      const page = await api.get<FlowPage>('/api/v1/flows', { ...query, cursor });
      const kept = page.items.filter((f) => refinements.every((k) => REFINEMENTS[k](f, params.get(k) ?? '', params)));
      rows.push(...kept);
      renderRows(table, rows, detail, status);
      more.hidden = !page.nextCursor;
      more.onclick = () => void load(page.nextCursor);
      status(`${fmtNumber(rows.length)} flow records shown${page.nextCursor ? ', more available' : ''}`);
    } catch (err) {
      status(describeError(err), true);
    }
  };
  await load();
}

function withoutRefinements(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of params) if (!(k in REFINEMENTS) && k !== 'side') out[k] = v;
  return out;
}

function renderRows(el: HTMLElement, rows: Flow[], detail: HTMLElement, status: (m: string, e?: boolean) => void): void {
  if (rows.length === 0) {
    el.replaceChildren(h('p', { class: 'muted' }, 'No flows match.'));
    return;
  }
  const head = ['Time', 'Action', 'Source', 'Destination', 'Protocol', 'Tier', 'Policy', 'Rule', 'Mismatch', ''];
  el.replaceChildren(
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, ...head.map((t) => h('th', { scope: 'col' }, t)))),
      h(
        'tbody',
        {},
        ...rows.map((f) =>
          h(
            'tr',
            { 'data-flow-id': f.id },
            h('td', {}, fmtTime(f.startTime)),
            h('td', { class: `action-${f.action}` }, f.action),
            h('td', {}, endpointLabel(f.src)),
            h('td', {}, endpointLabel(f.dst)),
            h('td', {}, f.protocol),
            h('td', {}, f.decision.tier || '—'),
            h('td', {}, f.decision.policy || '—'),
            h('td', {}, ruleLabel(f.decision.ruleIndex)),
            h('td', {}, f.flags.verdictMismatch ? 'yes' : ''),
            h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => openDetail(detail, f).catch((err: unknown) => status(describeError(err), true)), 'aria-label': `Open flow ${f.id}` }, 'Open')),
          ),
        ),
      ),
    ),
  );
}

/** The flow's detail from GET /api/v1/flows/{id} when the server has it, else the search item. */
async function openDetail(el: HTMLElement, item: Flow): Promise<void> {
  let flow: Flow = item;
  try {
    flow = await api.get<Flow>(`/api/v1/flows/${encodeURIComponent(item.id)}`);
  } catch (err) {
    if (!(err instanceof ApiError) || (err.status !== 404 && err.status !== 405)) throw err;
  }
  const explain = href('explain', {
    srcIp: flow.src.ip || undefined,
    srcNamespace: flow.src.ip ? undefined : flow.src.namespace,
    srcName: flow.src.ip ? undefined : flow.src.name,
    dstIp: flow.dst.ip || undefined,
    dstNamespace: flow.dst.ip ? undefined : flow.dst.namespace,
    dstName: flow.dst.ip ? undefined : flow.dst.name,
    protocol: flow.protocol,
    port: String(flow.dst.port),
    time: flow.startTime,
  });
  el.hidden = false;
  el.replaceChildren(
    h('h2', { id: 'detail-title', tabindex: '-1' }, `Flow ${flow.id}`),
    h('p', {}, h('span', { class: `verdict action-${flow.action}` }, flow.action), ` ${flow.protocol} · ${fmtTime(flow.startTime)} → ${fmtTime(flow.endTime)} · reported by ${flow.reporter} `, h('a', { href: explain }, 'Explain this flow')),
    h(
      'div',
      { class: 'grid' },
      h('section', { 'aria-label': 'Source' }, h('h3', {}, 'Source'), renderObject(flow.src)),
      h('section', { 'aria-label': 'Destination' }, h('h3', {}, 'Destination'), renderObject(flow.dst)),
      h('section', { 'aria-label': 'Decision' }, h('h3', {}, 'Deciding tier / policy / rule'), renderObject({ ...flow.decision, rule: ruleLabel(flow.decision.ruleIndex) })),
    ),
    h('h3', {}, 'Trace'),
    renderObject({ reported: flow.reported, computed: flow.computed, flags: flow.flags }),
    h('h3', {}, 'Evaluation and other fields'),
    h('div', {}, renderValue(Object.fromEntries(Object.entries(flow).filter(([k]) => !['id', 'src', 'dst', 'decision', 'reported', 'computed', 'flags', 'action', 'protocol', 'startTime', 'endTime', 'reporter'].includes(k))))),
  );
  el.querySelector<HTMLElement>('#detail-title')?.focus();
}
