import { LabelPredicate, NAMESPACE_LABEL } from '../selector';
import { EntityRule } from '../model';
import { LabelledRuntime, SelectorSubject } from './match.context';

const SERVICE_ACCOUNT_LABEL = 'projectcalico.org/serviceaccount';

/** Calico IP-set semantics: the IP matches if any known resource owning/containing it matches. */
export function peerMatches(p: Pick<SelectorSubject, 'endpoint' | 'netsets'>, f: LabelPredicate): boolean {
  if (p.endpoint !== null && f(p.endpoint.allLabels, 0)) return true;
  const ns = p.netsets;
  for (let i = 0; i < ns.length; i++) if (f((ns[i] as LabelledRuntime).allLabels, 0)) return true;
  return false;
}

function and(fs: LabelPredicate[]): LabelPredicate {
  if (fs.length === 1) return fs[0];
  if (fs.length === 2) {
    const [a, b] = fs;
    return (l, g) => a(l, g) && b(l, g);
  }
  return (l, g) => fs.every((f) => f(l, g));
}

/**
 * The effective positive selector of an entity rule, built like Calico's getEndpointSelector:
 * (namespace scope) && (service accounts) && (selector). A namespaced policy without
 * namespaceSelector scopes to its own namespace, but only once some selector field is used,
 * so a nets-only rule still matches any IP. notSelector stays unscoped (Calico keeps it raw),
 * yet its presence alone triggers the namespace scope on the positive side.
 */
export function entitySelector(e: EntityRule, policyNamespace: string): LabelPredicate | null {
  let nsPart: LabelPredicate | null = null;
  if (e.namespaceSelector) nsPart = e.namespaceSelector.compiled('namespace');
  else if (policyNamespace) nsPart = (l) => l[NAMESPACE_LABEL] === policyNamespace;
  const parts: LabelPredicate[] = [];
  if (e.serviceAccounts) {
    if (e.serviceAccounts.selector) parts.push(e.serviceAccounts.selector.compiled('serviceAccount'));
    if (e.serviceAccounts.names.length) {
      const names = new Set(e.serviceAccounts.names);
      parts.push((l) => {
        const v = l[SERVICE_ACCOUNT_LABEL];
        return typeof v === 'string' && names.has(v);
      });
    }
  }
  if (e.selector) parts.push(e.selector.compiled('plain'));
  let positive = parts.length ? and(parts) : null;
  if (nsPart && (positive || e.notSelector || e.namespaceSelector)) positive = positive ? and([nsPart, positive]) : nsPart;
  return positive;
}
