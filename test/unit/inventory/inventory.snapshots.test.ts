import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Clock } from '../../../src/clock/clock';
import { InventoryService } from '../../../src/inventory/inventory.service';
import { InventorySnapshot } from '../../../src/inventory/inventory.snapshot';
import { IngestMetrics } from '../../../src/metrics/ingest.metrics';

/** The service with a store that accepts every write: only its in-memory timeline matters here. */
function service(): InventoryService {
  return new InventoryService({} as never, { insert: async () => undefined } as never, new Clock(), new IngestMetrics());
}

const pod = (name: string, ip: string, app: string) => `
apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: shop, labels: { app: ${app} } }
spec: { nodeName: n1 }
status: { podIP: ${ip} }
`;

const BASE = `
apiVersion: v1
kind: Namespace
metadata: { name: shop }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: default.allow-web, namespace: shop }
spec:
  selector: app == 'api'
  types: [Ingress]
  ingress: [{ action: Allow, source: { selector: app == 'web' } }]
---
${pod('web', '10.0.0.1', 'web')}
---
${pod('api', '10.0.0.2', 'api')}
`;

const FLOW = { srcIp: '10.0.0.1', dstIp: '10.0.0.2', protocol: 'tcp', srcPort: 40000, dstPort: 80 };
const allowed = (s: InventorySnapshot) => s.engine.decideFlow(FLOW).allowed;

describe('compiled inventory states', () => {
  it('a change that arrives late, dated before an instant already compiled, is seen at every later instant', async () => {
    const inventory = service();
    await inventory.apply(BASE, { validFrom: 1_000, source: 'test' });
    // Compiled for t=10,000 while the timeline knows nothing after t=1,000.
    assert.equal(allowed(inventory.snapshotAt(10_000)), true);
    // The web pod was relabelled at t=9,000: its flows to the api are denied from then on.
    await inventory.apply(pod('web', '10.0.0.1', 'other'), { validFrom: 9_000, source: 'test' });
    for (const t of [9_500, 10_000, 20_000, 5_000, 12_000]) {
      const fresh = new InventorySnapshot(inventory.timeline.stateAt(t));
      assert.equal(allowed(inventory.snapshotAt(t)), allowed(fresh), `t=${t}`);
    }
    assert.equal(allowed(inventory.snapshotAt(9_500)), false);
    assert.equal(allowed(inventory.snapshotAt(5_000)), true);
  });
});
