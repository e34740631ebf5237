import { GoldmanePolicyHit, fromGoldmanePolicyHit, renderPolicyHitG3 } from '../../policy';
import { Json, fail, isObject, k, optString, shown } from './field.readers';

/**
 * Converting a hit (the engine's converter JSON-stringifies its input) and rendering it is the
 * costliest step per flow; hits repeat across flows, so the rendered string is remembered per
 * distinct hit. Only trigger-less hits whose fields are plain strings/numbers are cached (the key
 * tags each value with its type, so `1` and `"1"` differ). Bounded like the hit-string cache.
 */
const MAX_CACHED = 20_000;
const rendered = new Map<string, string>();
const HIT_FIELDS = ['kind', 'namespace', 'name', 'tier', 'action', 'policy_index', 'policyIndex', 'rule_index', 'ruleIndex'] as const;

function cacheKey(h: Json): string | undefined {
  if (h.trigger !== undefined && h.trigger !== null) return undefined;
  let key = '';
  for (let i = 0; i < HIT_FIELDS.length; i++) {
    const v = h[HIT_FIELDS[i]];
    if (v === undefined) key += '\u0000u';
    else if (typeof v === 'string') key += '\u0000s' + v;
    else if (typeof v === 'number') key += '\u0000n' + v;
    else return undefined;
  }
  return key;
}

const END_OF_TIER_KIND = 10;

/**
 * Felix writes every rule-index -1 hit (a tier's default deny or pass) as kind EndOfTier with its
 * tier, action, indexes and a `trigger` naming the policy that selected the endpoint, and no name
 * (goldmane/proto/methods.go). Calico's own string form of such a hit is the trigger's identity with
 * rule -1, and that trigger is what decided the flow: the hit is read as the trigger's policy, in
 * the end-of-tier hit's tier, action and position. An EndOfTier hit with a name and no trigger keeps
 * its `eot:` form; with neither, Calico itself refuses it.
 */
function endOfTierAsTrigger(h: Json, field: string): Json {
  const kind = h.kind;
  if (kind !== END_OF_TIER_KIND && kind !== 'EndOfTier') return h;
  const trigger = h.trigger;
  if (trigger === undefined || trigger === null) {
    if (optString(h, 'name', `${field}.name`)) return h;
    return fail(`${field}.trigger`, 'an EndOfTier hit needs a trigger (the policy that selected the endpoint)');
  }
  if (!isObject(trigger)) return fail(`${field}.trigger`, `expected a PolicyHit object, got ${shown(trigger)}`);
  optString(trigger, 'namespace', `${field}.trigger.namespace`);
  if (!optString(trigger, 'name', `${field}.trigger.name`)) return fail(`${field}.trigger.name`, 'is empty');
  const ruleIndex = h.rule_index ?? h.ruleIndex;
  return {
    kind: trigger.kind,
    namespace: trigger.namespace,
    name: trigger.name,
    // The trigger carries the same tier (Felix copies it); the hit's own tier wins when both are set.
    tier: h.tier || trigger.tier,
    action: h.action,
    policy_index: h.policy_index ?? h.policyIndex,
    rule_index: ruleIndex === undefined || ruleIndex === null ? -1 : ruleIndex,
  };
}

function renderHit(raw: unknown, field: string): string {
  if (!isObject(raw)) return fail(field, `expected a PolicyHit object, got ${shown(raw)}`);
  const h = endOfTierAsTrigger(raw, field);
  const key = cacheKey(h);
  if (key !== undefined) {
    const done = rendered.get(key);
    if (done !== undefined) return done;
  }
  // The converter does not check these types; a number namespace would render as text.
  optString(h, 'namespace', `${field}.namespace`);
  optString(h, 'name', `${field}.name`);
  optString(h, 'tier', `${field}.tier`);
  let s: string;
  try {
    s = renderPolicyHitG3(fromGoldmanePolicyHit(withNumericIndexes(h)));
  } catch (err) {
    return fail(field, (err as Error).message);
  }
  if (key !== undefined) {
    if (rendered.size >= MAX_CACHED) rendered.clear();
    rendered.set(key, s);
  }
  return s;
}

const INT64_TEXT = /^-?\d{1,15}$/;
const INDEX_FIELDS = ['policy_index', 'policyIndex', 'rule_index', 'ruleIndex'] as const;

/** The protobuf JSON mapping writes int64 as decimal strings: the indexes become numbers. */
function withNumericIndexes(h: Json): GoldmanePolicyHit {
  let out: Json | undefined;
  for (const f of INDEX_FIELDS) {
    const v = h[f];
    if (typeof v === 'string' && INT64_TEXT.test(v)) (out ??= { ...h })[f] = Number(v);
  }
  return (out ?? h) as GoldmanePolicyHit;
}

/** A Goldmane PolicyTrace list -> validated G3 strings ordered by policy_index. */
export function renderHits(trace: Json, snake: string, camel: string): string[] {
  const key = k(trace, snake, camel);
  const field = `Key.policies.${key}`;
  const v = trace[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return fail(field, `expected an array of PolicyHit objects, got ${shown(v)}`);
  const out: string[] = new Array(v.length);
  const index: number[] = new Array(v.length);
  let sorted = true;
  for (let i = 0; i < v.length; i++) {
    out[i] = renderHit(v[i], `${field}[${i}]`);
    index[i] = leadingIndex(out[i]);
    if (i > 0 && index[i] < index[i - 1]) sorted = false;
  }
  if (sorted) return out;
  // Ordered by policy_index, as every other format's hits are (the last enforced hit is the verdict).
  const order = out.map((_, i) => i).sort((a, b) => index[a] - index[b] || a - b);
  return order.map((i) => out[i]);
}

function leadingIndex(hit: string): number {
  let n = 0;
  for (let i = 0; i < hit.length; i++) {
    const c = hit.charCodeAt(i);
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
  }
  return n;
}
