import { FlowGroup } from '../suggest/flow-group';
import { ReplayResult, VerdictChange } from '../suggest/replay';
import { FlowVerdictChangeDto, ReplayDto } from './simulate.dto';

const iso = (ms: number) => new Date(ms).toISOString();

export function flowChangeView(c: VerdictChange): FlowVerdictChangeDto {
  const g: FlowGroup = c.group;
  return {
    source: { ip: g.srcIp, namespace: g.srcNamespace, name: g.srcName },
    destination: { ip: g.dstIp, namespace: g.dstNamespace, name: g.dstName },
    protocol: g.protocol,
    port: g.dstPort,
    records: g.records,
    flows: g.flows,
    bytes: g.bytes,
    firstSeen: iso(g.firstSeen),
    lastSeen: iso(g.lastSeen),
    sampleFlowIds: [...g.sampleIds],
    before: { ...c.before },
    after: { ...c.after },
  };
}

export function replayView(r: ReplayResult & { truncated: boolean }): ReplayDto {
  return {
    flowGroups: r.flowGroups,
    evaluated: r.evaluated,
    unchanged: r.unchanged,
    changed: r.changed,
    allowToDeny: r.allowToDeny.map(flowChangeView),
    denyToAllow: r.denyToAllow.map(flowChangeView),
    unreadable: r.unreadable,
    uncertain: r.uncertain,
    partial: r.partial,
    truncated: r.truncated,
  };
}
