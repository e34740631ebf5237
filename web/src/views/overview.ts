import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { api, describeError } from '../api';
import { field, h, select } from '../dom';
import { fmtNumber } from '../render';
import { href, View } from '../router';
import { defaultInterval, INTERVALS, RANGES, windowOf } from '../time';
import { DecisionGroup, FlowPage, TimeBucket } from '../types';

echarts.use([BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

const COLORS: Record<string, string> = { deny: '#c62828', allow: '#2e7d32', log: '#f0a500' };
const REFRESH_MS = 5000;
const SAMPLE = 1000;

interface Series { name: string; buckets: TimeBucket[] }

/** Denied and allowed flows over time, and the top denied workloads, namespaces, ports, policies and rules. */
export const overview: View = (main, params, ctx) => {
  const range = params.get('range') ?? '1h';
  const interval = params.get('interval') ?? defaultInterval(range);
  const split = params.get('split') ?? 'action';
  const live = params.get('live') !== 'off';

  const go = (over: Record<string, string>) => {
    location.hash = href('overview', { range, interval, split, live: live ? undefined : 'off', ...over });
  };
  const rangeSel = select('range', RANGES.map(([k, label]) => [k, label]), range);
  rangeSel.addEventListener('change', () => go({ range: rangeSel.value, interval: defaultInterval(rangeSel.value) }));
  const intervalSel = select('interval', INTERVALS, interval);
  intervalSel.addEventListener('change', () => go({ interval: intervalSel.value }));
  const splitSel = select('split', [['action', 'Action (denied / allowed)'], ['tier', 'Deciding tier (denied)']], split);
  splitSel.addEventListener('change', () => go({ split: splitSel.value }));
  const liveBox = h('input', { type: 'checkbox', name: 'live', checked: live });
  liveBox.addEventListener('change', () => go({ live: liveBox.checked ? '' : 'off' }));

  const totals = h('div', { class: 'totals', id: 'totals' });
  const chartEl = h('div', { class: 'chart', id: 'decisions-chart', role: 'img', 'aria-label': 'Flow records over time' });
  const tops = h('div', { class: 'grid', id: 'tops' });
  main.append(
    h('h1', {}, 'Overview'),
    h('div', { class: 'controls' }, field('Time range', rangeSel), field('Interval', intervalSel), field('Split by', splitSel), h('label', { class: 'inline' }, liveBox, 'Live refresh')),
    h('section', { class: 'card', 'aria-labelledby': 'chart-title' }, h('h2', { id: 'chart-title' }, split === 'tier' ? 'Denied flow records by deciding tier' : 'Denied and allowed flow records'), totals, chartEl),
    tops,
  );
  const chart = echarts.init(chartEl);
  const resize = () => chart.resize();
  window.addEventListener('resize', resize);

  let timer: number | undefined;
  let stopped = false;
  ctx.onLeave(() => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    window.removeEventListener('resize', resize);
    chart.dispose();
  });

  const refresh = async () => {
    try {
      const w = windowOf(range);
      const series = await loadSeries(split, w, interval);
      if (stopped) return;
      drawChart(chart, series);
      drawTotals(totals, series, split);
      await drawTops(tops, w);
      ctx.status(`Updated ${new Date().toLocaleTimeString()}${live ? ', refreshing every 5 s' : ''}`);
    } catch (err) {
      ctx.status(describeError(err), true);
    }
    if (live && !stopped) timer = window.setTimeout(() => void refresh(), REFRESH_MS);
  };
  void refresh();
};

async function loadSeries(split: string, w: { from: string; to: string }, interval: string): Promise<Series[]> {
  if (split === 'tier') {
    const tiers = await api.get<{ groups: DecisionGroup[] }>('/api/v1/stats/decisions', { ...w, action: 'deny', groupBy: 'tier', limit: 8 });
    return Promise.all(
      tiers.groups.map(async (g) => {
        const tier = String(g.key.tier);
        const ts = await api.get<{ buckets: TimeBucket[] }>('/api/v1/stats/timeseries', { ...w, interval, action: 'deny', tier });
        return { name: tier || '(none)', buckets: ts.buckets };
      }),
    );
  }
  return Promise.all(
    ['deny', 'allow'].map(async (action) => {
      const ts = await api.get<{ buckets: TimeBucket[] }>('/api/v1/stats/timeseries', { ...w, interval, action });
      return { name: action, buckets: ts.buckets };
    }),
  );
}

function drawChart(chart: echarts.ECharts, series: Series[]): void {
  const times = series[0]?.buckets.map((b) => b.time) ?? [];
  chart.setOption(
    {
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 50, right: 16, top: 32, bottom: 28 },
      xAxis: { type: 'category', data: times.map((t) => t.slice(11, 16)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: series.map((s) => ({ name: s.name, type: 'bar', stack: 'records', color: COLORS[s.name], data: s.buckets.map((b) => b.records) })),
    },
    { notMerge: true },
  );
}

function drawTotals(el: HTMLElement, series: Series[], split: string): void {
  const sum = (s?: Series) => (s ? s.buckets.reduce((n, b) => n + b.records, 0) : 0);
  el.replaceChildren();
  if (split === 'tier') {
    const all = series.reduce((n, s) => n + sum(s), 0);
    el.append(h('span', { class: 'deny', 'data-testid': 'denied-total', 'data-value': all }, `Denied: ${fmtNumber(all)}`));
    return;
  }
  const denied = sum(series.find((s) => s.name === 'deny'));
  const allowed = sum(series.find((s) => s.name === 'allow'));
  el.append(
    h('span', { class: 'deny', 'data-testid': 'denied-total', 'data-value': denied }, `Denied: ${fmtNumber(denied)}`),
    h('span', { class: 'allow', 'data-testid': 'allowed-total', 'data-value': allowed }, `Allowed: ${fmtNumber(allowed)}`),
  );
}

interface TopRow { label: string; count: number; link: string }

function topCard(title: string, rows: TopRow[], note?: string): HTMLElement {
  return h(
    'section',
    { class: 'card', 'aria-label': title },
    h('h2', {}, title),
    note ? h('p', { class: 'muted' }, note) : null,
    rows.length === 0
      ? h('p', { class: 'muted' }, 'No denied flows in this range.')
      : h('table', {}, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Denied'), h('th', { scope: 'col', class: 'num' }, 'Records'))), h('tbody', {}, ...rows.map((r) => h('tr', {}, h('td', {}, h('a', { href: r.link }, r.label)), h('td', { class: 'num' }, fmtNumber(r.count)))))),
  );
}

function countBy<T>(items: T[], key: (t: T) => string): Array<[string, number, T]> {
  const m = new Map<string, [number, T]>();
  for (const i of items) {
    const k = key(i);
    const e = m.get(k);
    if (e) e[0]++;
    else m.set(k, [1, i]);
  }
  return [...m].map(([k, [n, t]]): [string, number, T] => [k, n, t]).sort((a, b) => b[1] - a[1]).slice(0, 10);
}

async function drawTops(el: HTMLElement, w: { from: string; to: string }): Promise<void> {
  const deny = { ...w, action: 'deny' };
  const [pairs, policies, rules, sample] = await Promise.all([
    api.get<{ groups: DecisionGroup[] }>('/api/v1/stats/decisions', { ...deny, groupBy: 'srcNamespace,dstNamespace', limit: 10 }),
    api.get<{ groups: DecisionGroup[] }>('/api/v1/stats/decisions', { ...deny, groupBy: 'tier,policy', limit: 10 }),
    api.get<{ groups: DecisionGroup[] }>('/api/v1/stats/decisions', { ...deny, groupBy: 'policy,rule', limit: 10 }),
    api.get<FlowPage>('/api/v1/flows', { ...deny, limit: SAMPLE }),
  ]);
  const flows = (q: Record<string, string | undefined>) => href('flows', { ...w, action: 'deny', ...q });
  const workload = (e: { namespace: string; name: string; aggregatedName: string }) => `${e.namespace || '(no namespace)'}/${e.aggregatedName || e.name || '(unknown)'}`;
  const note = sample.nextCursor ? `Among the latest ${fmtNumber(sample.items.length)} denied flow records of the range.` : undefined;
  el.replaceChildren(
    topCard('Top denied source workloads', countBy(sample.items, (f) => workload(f.src)).map(([label, count, f]) => ({ label, count, link: flows({ namespace: f.src.namespace, workload: label, side: 'src' }) })), note),
    topCard('Top denied destination workloads', countBy(sample.items, (f) => workload(f.dst)).map(([label, count, f]) => ({ label, count, link: flows({ namespace: f.dst.namespace, workload: label, side: 'dst' }) })), note),
    topCard('Top denied destination ports', countBy(sample.items, (f) => `${f.protocol}/${f.dst.port}`).map(([label, count]) => ({ label, count, link: flows({ port: label }) })), note),
    topCard('Top denied namespace pairs', pairs.groups.map((g) => ({ label: `${g.key.srcNamespace || '(none)'} → ${g.key.dstNamespace || '(none)'}`, count: g.records, link: flows({ namespace: String(g.key.dstNamespace) || undefined, pair: `${g.key.srcNamespace}>${g.key.dstNamespace}` }) }))),
    topCard('Top deciding policies of denies', policies.groups.map((g) => ({ label: `${g.key.tier || '(no tier)'} · ${g.key.policy || '(no policy)'}`, count: g.records, link: flows({ tier: String(g.key.tier) || undefined, policy: String(g.key.policy) || undefined }) }))),
    topCard('Top deciding rules of denies', rules.groups.map((g) => ({ label: `${g.key.policy || '(no policy)'} rule ${ruleLabel(Number(g.key.rule))}`, count: g.records, link: flows({ policy: String(g.key.policy) || undefined, rule: String(g.key.rule) }) }))),
  );
}

export function ruleLabel(index: number): string {
  return index >= 0 ? String(index) : index === -1 ? '(end of tier)' : '(unknown)';
}
