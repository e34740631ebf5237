import { api, describeError } from '../api';
import { field, formValues, h } from '../dom';
import { renderObject, renderValue } from '../render';
import { href, View } from '../router';

const FIELDS: Array<[string, string]> = [
  ['srcIp', 'Source IP'],
  ['srcNamespace', 'Source namespace'],
  ['srcName', 'Source name'],
  ['dstIp', 'Destination IP'],
  ['dstNamespace', 'Destination namespace'],
  ['dstName', 'Destination name'],
  ['protocol', 'Protocol'],
  ['port', 'Port'],
  ['time', 'Time (RFC 3339, default now)'],
];

function peer(v: Record<string, string>, side: 'src' | 'dst'): Record<string, string> {
  const out: Record<string, string> = {};
  if (v[`${side}Ip`]) out.ip = v[`${side}Ip`];
  if (v[`${side}Namespace`]) out.namespace = v[`${side}Namespace`];
  if (v[`${side}Name`]) out.name = v[`${side}Name`];
  return out;
}

/** The explain form: the verdict and the evaluation path of each side, as the API returns it. */
export const explain: View = async (main, params, ctx) => {
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Explain a flow' },
    ...FIELDS.map(([name, label]) => field(label, h('input', { name, value: params.get(name) ?? (name === 'protocol' ? 'tcp' : ''), size: name === 'time' ? 24 : 16, inputmode: name === 'port' ? 'numeric' : undefined }))),
    h('button', { type: 'submit' }, 'Explain'),
  );
  const out = h('div', { id: 'explanation' });
  main.append(h('h1', {}, 'Explain a flow'), h('p', { class: 'muted' }, 'Give each side as an IP, or as namespace and name.'), form, out);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    location.hash = href('explain', { ...formValues(form), run: '1' });
  });
  if (params.get('run') !== '1' && !params.has('srcIp') && !params.has('srcName')) return;

  const v = Object.fromEntries([...params].filter(([k]) => k !== 'run'));
  const body: Record<string, unknown> = { source: peer(v, 'src'), destination: peer(v, 'dst'), protocol: v.protocol || 'tcp' };
  if (v.port) body.port = Number(v.port);
  if (v.time) body.time = v.time;
  try {
    const result = await api.post<Record<string, unknown>>('/api/v1/explain', body);
    out.replaceChildren(...renderExplanation(result));
    ctx.status('Explained.');
  } catch (err) {
    out.replaceChildren(h('p', { class: 'error', role: 'alert' }, describeError(err)));
    ctx.status(describeError(err), true);
  }
};

function renderExplanation(r: Record<string, unknown>): HTMLElement[] {
  const verdict = String(r.verdict ?? '');
  const sides = ['egress', 'ingress'].filter((k) => k in r);
  const known = new Set(['verdict', 'pendingVerdict', 'decidedBy', 'source', 'destination', ...sides]);
  return [
    h(
      'section',
      { class: 'card', 'aria-label': 'Verdict' },
      h('p', {}, 'Verdict: ', h('span', { class: `verdict action-${verdict}`, 'data-testid': 'explain-verdict' }, verdict), ' · with staged policies: ', h('strong', {}, String(r.pendingVerdict ?? '—'))),
      h('h2', {}, 'Decided by'),
      renderValue(r.decidedBy),
      renderValue(Object.fromEntries(Object.entries(r).filter(([k]) => !known.has(k)))),
    ),
    h('div', { class: 'grid' }, h('section', { class: 'card', 'aria-label': 'Source' }, h('h2', {}, 'Source'), renderValue(r.source)), h('section', { class: 'card', 'aria-label': 'Destination' }, h('h2', {}, 'Destination'), renderValue(r.destination))),
    ...sides.map((side) => {
      const d = r[side] as Record<string, unknown> | null;
      return h(
        'section',
        { class: 'card', 'aria-label': `${side} evaluation path` },
        h('h2', {}, `${side === 'egress' ? 'Egress at the source' : 'Ingress at the destination'}: evaluation path`),
        d === null ? h('p', { class: 'muted' }, 'Not evaluated (not a pod or host endpoint).') : renderObject(d, ['endpoint']),
      );
    }),
  ];
}
