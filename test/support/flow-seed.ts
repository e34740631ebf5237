import { INestApplication } from '@nestjs/common';
import { AttributionService } from '../../src/attribution/attribution.service';
import { FlowRecord, reportedEndpoint } from '../../src/flows/flow-record';
import { FlowRepository } from '../../src/storage/flow.repository';

/** A plausible allowed TCP record; tests override what they look at. */
export function flowRecord(startTime: number, over: Partial<FlowRecord> = {}): FlowRecord {
  return {
    startTime,
    endTime: startTime + 500,
    action: 'allow',
    reporter: 'dst',
    protocol: 'tcp',
    srcIp: '10.0.0.1',
    srcPort: 40000,
    dstIp: '10.1.0.1',
    dstPort: 443,
    src: reportedEndpoint({ namespace: 'frontend', name: 'web-0' }),
    dst: reportedEndpoint({ namespace: 'payments', name: 'api-0' }),
    node: 'node-1',
    numFlows: 1,
    numFlowsStarted: 1,
    numFlowsCompleted: 0,
    packetsIn: 10,
    packetsOut: 12,
    bytesIn: 1000,
    bytesOut: 2000,
    enforcedHits: [],
    pendingHits: [],
    ...over,
  };
}

let batch = 0;

/**
 * Stores records through the path the ingest consumer takes (attribution against the inventory
 * valid at each start time, then the flow repository's batch insert).
 */
export async function seedFlows(app: INestApplication, records: readonly FlowRecord[], topic = 'seed'): Promise<void> {
  const attribution = app.get(AttributionService, { strict: false });
  const repo = app.get(FlowRepository);
  const partition = batch++;
  const rows = records.map((r, i) => attribution.attribute(r, { format: 'flowscope', topic, partition, offset: String(i), index: 0 }));
  await repo.insert(rows, `${topic}:${partition}:0-${records.length - 1}`);
}
