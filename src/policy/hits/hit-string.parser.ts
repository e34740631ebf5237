import { canonicalPolicyName } from '../model/policy.normalizer';
import { PolicyHitParseError } from './hit.errors';
import { HitAction, HitKind, PolicyHit, PROFILE_TIER, RULE_INDEX_UNKNOWN } from './hit.types';

const ACTIONS: Readonly<Record<string, HitAction>> = { allow: 'allow', deny: 'deny', pass: 'pass', 'next-tier': 'pass' };

const G3_KINDS: Readonly<Record<string, HitKind>> = {
  gnp: 'GlobalNetworkPolicy',
  np: 'NetworkPolicy',
  knp: 'KubernetesNetworkPolicy',
  sgnp: 'StagedGlobalNetworkPolicy',
  snp: 'StagedNetworkPolicy',
  sknp: 'StagedKubernetesNetworkPolicy',
  kcnp: 'ClusterNetworkPolicy',
  pro: 'Profile',
  eot: 'EndOfTier',
};

const KNP_PREFIX = 'knp.default.';

/**
 * Names are normalised to what the engine's trace produces, so recorded and computed hits compare
 * with ===: Calico policies are tier-prefixed, Kubernetes ones `knp.default.<name>`.
 */
export function canonicalHitName(kind: HitKind, tier: string, name: string): string {
  switch (kind) {
    case 'NetworkPolicy':
    case 'GlobalNetworkPolicy':
    case 'StagedNetworkPolicy':
    case 'StagedGlobalNetworkPolicy':
      return canonicalPolicyName(tier, name);
    case 'KubernetesNetworkPolicy':
    case 'StagedKubernetesNetworkPolicy':
      return name.startsWith(KNP_PREFIX) ? name : KNP_PREFIX + name;
    default:
      return name;
  }
}

function int(input: string, field: string, text: string, min: number): number {
  if (!/^-?\d+$/.test(text.trim())) throw new PolicyHitParseError(input, field, `not an integer: ${JSON.stringify(text)}`);
  const n = Number(text);
  if (n < min) throw new PolicyHitParseError(input, field, `must be >= ${min}, got ${n}`);
  return n;
}

function action(input: string, text: string): HitAction {
  const a = ACTIONS[text.trim().toLowerCase()];
  if (!a) throw new PolicyHitParseError(input, 'action', `expected allow, deny, pass or next-tier, got ${JSON.stringify(text)}`);
  return a;
}

/** G1/G2 name field: `tier.name`, `ns/tier.name`, `ns/knp.default.name`, staged forms, `__PROFILE__.kns.x`. */
function parseLegacyName(input: string, tier: string, raw: string): { kind: HitKind; namespace: string; name: string } {
  if (raw === '') throw new PolicyHitParseError(input, 'name', 'is empty');
  if (tier === PROFILE_TIER || raw.startsWith(PROFILE_TIER + '.')) {
    const name = raw.startsWith(PROFILE_TIER + '.') ? raw.slice(PROFILE_TIER.length + 1) : raw;
    return { kind: 'Profile', namespace: '', name };
  }
  const slash = raw.indexOf('/');
  const namespace = slash >= 0 ? raw.slice(0, slash) : '';
  let rest = slash >= 0 ? raw.slice(slash + 1) : raw;
  if (slash >= 0 && (namespace === '' || rest === '')) throw new PolicyHitParseError(input, 'name', `malformed ${JSON.stringify(raw)}`);
  let staged = false;
  // `staged:` may precede the tier (`ns/staged:tier.name`) or follow it (`ns/tier.staged:name`).
  if (rest.startsWith('staged:')) {
    staged = true;
    rest = rest.slice('staged:'.length);
  } else {
    const i = rest.indexOf('.staged:');
    if (i >= 0) {
      staged = true;
      rest = rest.slice(0, i + 1) + rest.slice(i + '.staged:'.length);
    }
  }
  if (rest.startsWith(KNP_PREFIX)) {
    if (!namespace) throw new PolicyHitParseError(input, 'name', `Kubernetes policy without namespace: ${JSON.stringify(raw)}`);
    return { kind: staged ? 'StagedKubernetesNetworkPolicy' : 'KubernetesNetworkPolicy', namespace, name: rest };
  }
  if (!namespace && /^(kanp|kbanp|kcnp)\./.test(rest)) return { kind: 'ClusterNetworkPolicy', namespace: '', name: rest };
  const kind: HitKind = namespace
    ? staged
      ? 'StagedNetworkPolicy'
      : 'NetworkPolicy'
    : staged
      ? 'StagedGlobalNetworkPolicy'
      : 'GlobalNetworkPolicy';
  return { kind, namespace, name: canonicalHitName(kind, tier, rest) };
}

/** G3 name field: `kind:[namespace/]name`. */
function parseG3Name(input: string, tier: string, raw: string): { kind: HitKind; namespace: string; name: string } | null {
  const colon = raw.indexOf(':');
  if (colon < 0) return null;
  const kind = G3_KINDS[raw.slice(0, colon)];
  if (!kind) return null;
  const body = raw.slice(colon + 1);
  const namespacedKind = kind === 'NetworkPolicy' || kind === 'KubernetesNetworkPolicy' || (kind.startsWith('Staged') && kind !== 'StagedGlobalNetworkPolicy');
  const slash = body.indexOf('/');
  let namespace = '';
  let name = body;
  if (slash >= 0) {
    namespace = body.slice(0, slash);
    name = body.slice(slash + 1);
  }
  if (name === '') throw new PolicyHitParseError(input, 'name', `empty policy name in ${JSON.stringify(raw)}`);
  if (namespacedKind && !namespace) throw new PolicyHitParseError(input, 'name', `${kind} needs a namespace: ${JSON.stringify(raw)}`);
  if (!namespacedKind && slash >= 0) throw new PolicyHitParseError(input, 'name', `${kind} takes no namespace: ${JSON.stringify(raw)}`);
  return { kind, namespace, name: canonicalHitName(kind, tier, name) };
}

/** Parses one hit string of any generation (G1 4 fields, G2/G3 5 fields). */
export function parsePolicyHitString(input: string): PolicyHit {
  if (typeof input !== 'string') throw new PolicyHitParseError(String(input), 'input', 'not a string');
  const f = input.trim().split('|');
  const shown = JSON.stringify(input);
  if (f.length !== 4 && f.length !== 5) throw new PolicyHitParseError(shown, 'fields', `expected 4 (G1) or 5 (G2/G3) '|'-separated fields, got ${f.length}`);
  const index = int(shown, 'index', f[0], 0);
  const tier = f[1].trim();
  if (!tier) throw new PolicyHitParseError(shown, 'tier', 'is empty');
  const rawName = f[2].trim();
  const who = parseG3Name(shown, tier, rawName) ?? parseLegacyName(shown, tier, rawName);
  const ruleIndex = f.length === 5 ? int(shown, 'ruleIndex', f[4], -2) : RULE_INDEX_UNKNOWN;
  return { index, tier, ...who, action: action(shown, f[3]), ruleIndex };
}

/** Parses and sorts by leading index (records may list hits in any order). */
export function parsePolicyHitStrings(inputs: readonly string[]): PolicyHit[] {
  return inputs.map(parsePolicyHitString).sort((a, b) => a.index - b.index);
}
