import { isPolicy, Resource, Rule } from '../policy';

const sourcePorts = (rules: readonly Rule[]) => rules.some((r) => r.source.ports.length > 0 || r.source.notPorts.length > 0);

/**
 * True when a policy or profile among the resources matches on source ports: only then must the
 * replay keep every flow's source port apart (ephemeral ports would otherwise multiply the groups
 * for nothing).
 */
export function matchesSourcePorts(resources: readonly Resource[]): boolean {
  return resources.some((r) => (isPolicy(r) || r.kind === 'Profile') && (sourcePorts(r.ingress) || sourcePorts(r.egress)));
}
