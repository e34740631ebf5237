/**
 * `policies.transit_policies` is the trace of traffic a host endpoint forwarded (apply-on-forward
 * and pre-DNAT policies); records reported as `fwd` carry only that list. It is their enforced
 * trace: the verdict and the deciding policy come from it. A record holding both lists keeps its
 * enforced one as the trace and the transit one among its details.
 */
export function enforcedOrTransit(enforced: string[], transit: string[]): string[] {
  return enforced.length > 0 ? enforced : transit;
}
