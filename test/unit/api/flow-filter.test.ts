import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestException, ForbiddenException } from '@nestjs/common';
import { toFlowFilter } from '../../../src/api/flow-filter';
import { FlowFilterQuery } from '../../../src/api/flow-filter.dto';
import { AUTH_OFF_CALLER, CallerIdentity } from '../../../src/auth/caller';
import { rollupCanAnswer } from '../../../src/storage/flow-filter';

const NOW = new Date('2026-11-26T07:00:00Z');
const scoped: CallerIdentity = { keyId: 'k', name: 'shop', role: 'viewer', namespaces: ['shop'] };
const filter = (q: Partial<FlowFilterQuery>, caller: CallerIdentity = AUTH_OFF_CALLER) => toFlowFilter(q as FlowFilterQuery, caller, NOW);

function fieldOf(fn: () => unknown): { status: number; field: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof BadRequestException || e instanceof ForbiddenException) {
      const body = e.getResponse() as { details: Array<{ field: string }> };
      return { status: e.getStatus(), field: body.details[0].field };
    }
    throw e;
  }
  throw new Error('no error');
}

describe('toFlowFilter', () => {
  it('turns a CIDR into its first and last address, an IP into its canonical text', () => {
    assert.deepEqual(filter({ srcIp: '10.1.2.3/16' }).src?.ip, { family: 4, first: '10.1.0.0', last: '10.1.255.255' });
    assert.deepEqual(filter({ dstIp: 'fd00::/120' }).dst?.ip, { family: 6, first: 'fd00::', last: 'fd00::ff' });
    assert.deepEqual(filter({ ip: 'FD00:0:0::1' }).ip, { ip: 'fd00::1' });
    assert.deepEqual(filter({ ip: '10.0.0.1/32' }).ip, { family: 4, first: '10.0.0.1', last: '10.0.0.1' });
  });

  it('stores protocols the way records do', () => {
    assert.equal(filter({ protocol: 'TCP' }).protocol, 'tcp');
    assert.equal(filter({ protocol: '17' }).protocol, 'udp');
    assert.equal(filter({ protocol: 'icmp6' }).protocol, 'icmpv6');
    assert.equal(filter({ protocol: '99' }).protocol, '99');
  });

  it('leaves sides without filters out, and applies a default action', () => {
    const f = toFlowFilter({ srcPort: 80 } as FlowFilterQuery, AUTH_OFF_CALLER, NOW, { action: 'deny' });
    assert.equal(f.dst, undefined);
    assert.deepEqual(f.src, { namespace: undefined, name: undefined, selector: undefined, ip: undefined, port: 80 });
    assert.equal(f.action, 'deny');
    assert.equal(filter({ action: 'allow' }).action, 'allow');
    assert.deepEqual([f.from.toISOString(), f.to.toISOString()], ['2026-11-26T06:00:00.000Z', '2026-11-26T07:00:00.000Z']);
  });

  it('a bad selector, IP, CIDR or protocol is a 400 naming the parameter', () => {
    assert.deepEqual(fieldOf(() => filter({ srcSelector: 'app ==' })), { status: 400, field: 'srcSelector' });
    assert.deepEqual(fieldOf(() => filter({ dstIp: '10.0.0.0/40' })), { status: 400, field: 'dstIp' });
    assert.deepEqual(fieldOf(() => filter({ ip: 'example.org' })), { status: 400, field: 'ip' });
    assert.deepEqual(fieldOf(() => filter({ protocol: '300' })), { status: 400, field: 'protocol' });
  });

  it('a namespace outside the caller\'s scope is a 403 naming the parameter; inside it passes the scope down', () => {
    assert.deepEqual(fieldOf(() => filter({ namespace: 'db' }, scoped)), { status: 403, field: 'namespace' });
    assert.deepEqual(fieldOf(() => filter({ srcNamespace: 'db' }, scoped)), { status: 403, field: 'srcNamespace' });
    assert.deepEqual(fieldOf(() => filter({ dstNamespace: 'db' }, scoped)), { status: 403, field: 'dstNamespace' });
    assert.deepEqual(filter({ dstNamespace: 'shop' }, scoped).scope, ['shop']);
    assert.equal(filter({}).scope, null);
  });
});

describe('rollupCanAnswer', () => {
  it('only when every filter is a rollup column', () => {
    assert.equal(rollupCanAnswer(filter({ action: 'deny', namespace: 'shop', policy: 'p', tier: 't', ruleIndex: 1, decisionKind: 'rule', reporter: 'src' })), true);
    assert.equal(rollupCanAnswer(filter({ srcNamespace: 'shop', dstNamespace: 'db' })), true);
    assert.equal(rollupCanAnswer(filter({ namespace: 'shop' }, scoped)), true);
    for (const q of [{ srcPort: 1 }, { ip: '10.0.0.1' }, { dstName: 'x' }, { srcSelector: 'a == "b"' }, { protocol: 'tcp' }, { verdictMismatch: 'true' as const }, { unknownEndpoint: 'false' as const }, { pendingVerdictDiffers: 'true' as const }]) {
      assert.equal(rollupCanAnswer(filter(q)), false, JSON.stringify(q));
    }
  });
});
