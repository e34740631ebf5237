import { Child, h } from './dom';

/**
 * Renders any JSON value readably: objects as definition lists, arrays of objects as tables (the
 * union of their keys as columns), multi-line strings as preformatted text. Responses that gain
 * fields (explain's evaluation path, suggestions' evidence) show them without console changes.
 */
export function renderValue(v: unknown): Child {
  if (v === null || v === undefined || v === '') return h('span', { class: 'muted' }, '—');
  if (typeof v === 'string') return v.includes('\n') ? h('pre', {}, v) : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return h('span', { class: 'muted' }, 'none');
    if (v.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x))) return renderTable(v as Array<Record<string, unknown>>);
    return h('ol', {}, ...v.map((x) => h('li', {}, renderValue(x))));
  }
  if (typeof v === 'object') return Object.keys(v).length === 0 ? h('span', { class: 'muted' }, 'none') : renderObject(v as Record<string, unknown>);
  return String(v);
}

export function renderObject(o: Record<string, unknown>, skip: string[] = []): HTMLElement {
  const dl = h('dl');
  for (const [k, v] of Object.entries(o)) {
    if (skip.includes(k)) continue;
    dl.append(h('dt', {}, humanise(k)), h('dd', {}, renderValue(v)));
  }
  return dl;
}

export function renderTable(rows: Array<Record<string, unknown>>): HTMLElement {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return h(
    'div',
    { class: 'scroll' },
    h('table', {}, h('thead', {}, h('tr', {}, ...keys.map((k) => h('th', { scope: 'col' }, humanise(k))))), h('tbody', {}, ...rows.map((r) => h('tr', {}, ...keys.map((k) => h('td', {}, renderValue(r[k]))))))),
  );
}

export function humanise(key: string): string {
  // Split camelCase only: label keys and other data keys stay as they are.
  return key.replace(/([a-z])([A-Z])/g, (_, a: string, b: string) => `${a} ${b.toLowerCase()}`);
}

export function endpointLabel(e: { namespace?: string; name?: string; aggregatedName?: string; ip?: string; port?: number }): string {
  const who = [e.namespace, e.name || e.aggregatedName].filter((x) => x).join('/');
  const where = e.ip ? `${e.ip}${e.port ? `:${e.port}` : ''}` : e.port ? `:${e.port}` : '';
  return [who, where].filter((x) => x).join(' ') || '(unknown)';
}

export function fmtTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
}

export function fmtNumber(n: number): string {
  return n.toLocaleString('en-US');
}
