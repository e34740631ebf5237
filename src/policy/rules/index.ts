export { parseIp, parseCidr, cidrContains, ParsedIp, Cidr } from './ip.util';
export { MatchContext, PeerState, ServiceRef, LabelledRuntime, EndpointRuntimeLike, NO_PEER } from './match.context';
export {
  compileRule,
  entitySelector,
  peerMatches,
  CompiledRule,
  MatchFn,
  ACTION_ALLOW,
  ACTION_DENY,
  ACTION_PASS,
  ACTION_LOG,
} from './rule.compiler';
