import { api, describeError } from '../api';
import { h } from '../dom';
import { fmtNumber, renderTable } from '../render';
import { href, View } from '../router';
import { windowOf } from '../time';
import { DecisionGroup } from '../types';
import { flowTable } from './flows';

/** Flows whose dataplane verdict and computed verdict disagree, with the policies involved. */
export const mismatches: View = async (main, params, ctx) => {
  const byPolicy = h('section', { class: 'card', 'aria-label': 'Mismatches by policy' }, h('h2', {}, 'By deciding policy'));
  await flowTable(main, params, ctx.status, { title: 'Verdict mismatches (dataplane vs computed)', view: 'mismatches', fixed: { verdictMismatch: 'true' } });
  main.insertBefore(byPolicy, main.children[2] ?? null);
  try {
    const w = params.get('from') ? { from: params.get('from') ?? undefined, to: params.get('to') ?? undefined } : windowOf(params.get('range') ?? '1h');
    const stats = await api.get<{ groups: DecisionGroup[] }>('/api/v1/stats/decisions', { ...w, groupBy: 'tier,policy,action', limit: 1000 });
    const rows = stats.groups.filter((g) => g.mismatches > 0).sort((a, b) => b.mismatches - a.mismatches).slice(0, 20);
    byPolicy.append(
      rows.length === 0
        ? h('p', { class: 'muted' }, 'No verdict mismatches in this range.')
        : renderTable(rows.map((g) => ({ tier: g.key.tier, policy: g.key.policy, reportedAction: g.key.action, mismatches: fmtNumber(g.mismatches), records: fmtNumber(g.records) }))),
      h('p', {}, h('a', { href: href('flows', { verdictMismatch: 'true', range: params.get('range') ?? '1h' }) }, 'All mismatching flows in the flow table')),
    );
  } catch (err) {
    ctx.status(describeError(err), true);
  }
};
