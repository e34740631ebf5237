import { Decision, FlowDecision, FlowInputError, isPolicy, PolicySnapshot } from '../policy';
import { Candidate, promoteStaged } from './candidate';
import { FlowGroup, InventoryHistory } from './flow-group';

export type Verdict = 'allow' | 'deny';

/** What decided a replayed flow: the denying side, else the ingress side, else the egress side. */
export interface ReplayDecision {
  readonly verdict: Verdict;
  readonly direction: 'egress' | 'ingress' | null;
  readonly kind: string | null;
  readonly tier: string | null;
  /** Inventory key (Kind/namespace/name). */
  readonly policy: string | null;
  readonly ruleIndex: number | null;
}

export interface VerdictChange {
  readonly group: FlowGroup;
  readonly before: ReplayDecision;
  readonly after: ReplayDecision;
}

export interface ReplayResult {
  /** Distinct flow groups handed in. */
  readonly flowGroups: number;
  /** Groups actually replayed (fewer when the time limit stopped the replay). */
  readonly evaluated: number;
  readonly unchanged: number;
  readonly changed: number;
  /** Every group whose verdict goes from allow to deny, in input order. */
  readonly allowToDeny: readonly VerdictChange[];
  readonly denyToAllow: readonly VerdictChange[];
  /** Groups the engine could not evaluate (malformed address or protocol); counted as unchanged. */
  readonly unreadable: number;
  /**
   * Groups whose decision, before or after, rests on a criterion the stored flow cannot answer (an
   * ICMP type or an HTTP request the record does not carry): such a rule is taken as not matching.
   */
  readonly uncertain: number;
  /** True when the time limit stopped the replay before every group was evaluated. */
  readonly partial: boolean;
}

export interface ReplayOptions {
  /** Wall-clock instant (ms) after which the replay stops and returns what it has, marked partial. */
  readonly deadline?: number;
  readonly now?: () => number;
  /** Called every `progressEvery` groups with how many are done. */
  readonly onProgress?: (done: number, total: number) => void;
  readonly progressEvery?: number;
  /** Called with each group counted as uncertain. */
  readonly onUncertain?: (group: FlowGroup) => void;
}

interface EpochPair {
  readonly current: PolicySnapshot;
  readonly proposed: PolicySnapshot;
}

// Groups arrive ordered by epoch, so a few cached epochs cover any interleaving the caller makes.
const EPOCH_CACHE = 8;

/**
 * Replays every flow group under the inventory as of its own time ("current") and under the same
 * inventory with the candidate applied ("proposed"), and compares the enforced verdicts. Pure: the
 * history and the groups are inputs; nothing is read or written.
 */
export function replay(groups: readonly FlowGroup[], history: InventoryHistory, candidate: Candidate, opts: ReplayOptions = {}): ReplayResult {
  const promoted = promoteStaged(candidate);
  const touched = touchedNamespaces(promoted);
  const pairs = new Map<number, EpochPair>();
  const changes = promoted.upserts.length > 0 || promoted.deletions.length > 0;
  let last: { at: number; pair: EpochPair } | null = null;
  const pairAt = (t: number): EpochPair => {
    const epoch = history.epochAt(t);
    let p = pairs.get(epoch);
    if (!p) {
      const current = history.snapshotAt ? history.snapshotAt(t) : ((last && moveTo(last.pair.current, history, last.at, t)) ?? new PolicySnapshot(history.stateAt(t)));
      // The candidate laid over the next state is the previous proposal with that state's changes
      // (pods, mostly: applied incrementally); only the first one compiles the changed policies.
      const proposed = !changes ? current : ((last && moveTo(last.pair.proposed, history, last.at, t, promoted)) ?? current.withChanges(promoted.upserts, promoted.deletions));
      p = { current, proposed };
      if (pairs.size >= EPOCH_CACHE) pairs.delete(pairs.keys().next().value as number);
      pairs.set(epoch, p);
    }
    last = { at: t, pair: p };
    return p;
  };
  const now = opts.now ?? Date.now;
  const every = opts.progressEvery ?? 10_000;
  const allowToDeny: VerdictChange[] = [];
  const denyToAllow: VerdictChange[] = [];
  let evaluated = 0;
  let unreadable = 0;
  let uncertain = 0;
  let partial = false;
  for (const g of groups) {
    // Checking the clock every 256 groups keeps the check off the hot path.
    if (opts.deadline !== undefined && (evaluated & 255) === 0 && now() > opts.deadline) {
      partial = true;
      break;
    }
    // A flow no changed policy can select keeps its verdict: neither side needs evaluating.
    if (touched && !touched.has(g.srcNamespace) && !touched.has(g.dstNamespace)) {
      evaluated++;
      continue;
    }
    const pair = pairAt(g.time);
    const input = { srcIp: g.srcIp, dstIp: g.dstIp, protocol: protocolOf(g.protocol), dstPort: g.dstPort, srcPort: g.srcPort };
    let before: FlowDecision;
    let after: FlowDecision;
    try {
      before = pair.current.decideFlow(input);
      // Only the sides whose endpoint meets a changed policy are evaluated again.
      after = pair.proposed === pair.current ? before : pair.proposed.decideFlowSince(pair.current, before, input);
    } catch (err) {
      if (!(err instanceof FlowInputError)) throw err;
      unreadable++;
      evaluated++;
      continue;
    }
    evaluated++;
    if (isUncertain(before) || isUncertain(after)) {
      uncertain++;
      opts.onUncertain?.(g);
    }
    if (before.allowed !== after.allowed) {
      const change = { group: g, before: describe(before), after: describe(after) };
      (before.allowed ? allowToDeny : denyToAllow).push(change);
    }
    if (opts.onProgress && evaluated % every === 0) opts.onProgress(evaluated, groups.length);
  }
  const changed = allowToDeny.length + denyToAllow.length;
  return { flowGroups: groups.length, evaluated, unchanged: evaluated - changed, changed, allowToDeny, denyToAllow, unreadable, uncertain, partial };
}

const isUncertain = (d: FlowDecision) => !!(d.ingress?.uncertain || d.egress?.uncertain);

/**
 * `snap`, the inventory at `from` (with `candidate` laid over, if given), moved to the state at
 * `to` by the history's changes between them; the candidate keeps the keys it changes. Undefined
 * when the history cannot tell its changes.
 */
function moveTo(snap: PolicySnapshot, history: InventoryHistory, from: number, to: number, candidate?: Candidate): PolicySnapshot | undefined {
  const ch = history.changesBetween?.(from, to, MOVE_LIMIT);
  if (!ch) return undefined;
  if (!candidate) return snap.withChanges(ch.upserts, ch.deletions);
  const own = new Set([...candidate.upserts.map((r) => r.key), ...candidate.deletions]);
  return snap.withChanges(
    ch.upserts.filter((r) => !own.has(r.key)),
    ch.deletions.filter((k) => !own.has(k)),
  );
}

// Beyond this many changed resources between two states, building afresh is as cheap.
const MOVE_LIMIT = 2_000;

/**
 * The namespaces whose flows a candidate can change, or null for any flow: a candidate made only
 * of namespaced policies (added, changed or deleted) only decides flows of endpoints in those
 * namespaces; anything else (a global policy, a pod, a network set, a tier) may change any flow.
 */
function touchedNamespaces(c: Candidate): Set<string> | null {
  const out = new Set<string>();
  for (const r of c.upserts) {
    if (!isPolicy(r) || r.namespace === '') return null;
    out.add(r.namespace);
  }
  for (const key of c.deletions) {
    const [kind, namespace] = key.split('/');
    if (!kind.endsWith('NetworkPolicy') || kind.includes('Global') || !namespace) return null;
    out.add(namespace);
  }
  return out.size ? out : null;
}

/** Stored protocols are names (`tcp`) or decimal numbers for unnamed ones. */
function protocolOf(p: string): string | number {
  return /^\d+$/.test(p) ? Number(p) : p;
}

export function describe(d: FlowDecision): ReplayDecision {
  const denying = d.egress?.verdict === 'deny' ? ['egress', d.egress] as const : d.ingress?.verdict === 'deny' ? ['ingress', d.ingress] as const : undefined;
  const [direction, dec] = denying ?? (d.ingress ? (['ingress', d.ingress] as const) : d.egress ? (['egress', d.egress] as const) : [null, null]);
  return { verdict: d.allowed ? 'allow' : 'deny', direction, ...decisionFields(dec) };
}

function decisionFields(d: Decision | null): Omit<ReplayDecision, 'verdict' | 'direction'> {
  if (!d) return { kind: null, tier: null, policy: null, ruleIndex: null };
  return {
    kind: d.kind,
    tier: d.tier ?? null,
    policy: d.policyKind && d.name ? `${d.policyKind}/${d.namespace ?? ''}/${d.name}` : null,
    ruleIndex: d.ruleIndex ?? null,
  };
}
