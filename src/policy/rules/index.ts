export { parseIp, parseCidr, cidrContains, ParsedIp, Cidr } from './ip.util';
export { MatchContext, PeerState, ServiceRef, LabelledRuntime, EndpointRuntimeLike, NO_PEER, NO_SUBJECT, SelectorSubject } from './match.context';
export { entitySelector, peerMatches } from './rule.compiler';
export {
  compileRule,
  matchRule,
  httpMatches,
  httpPathMatches,
  specialiseForLocal,
  subjectMatches,
  RuleMatcher,
  SelectorTable,
  PortSet,
  ACTION_ALLOW,
  ACTION_DENY,
  ACTION_PASS,
  ACTION_LOG,
} from './rule.matcher';
export { ruleMismatch, httpMismatch } from './rule.explainer';
