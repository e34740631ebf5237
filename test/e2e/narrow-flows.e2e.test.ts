import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AttributionService } from '../../src/attribution/attribution.service';
import { ClickHouseAdapter } from '../../src/storage/clickhouse.adapter';
import { FlowRepository } from '../../src/storage/flow.repository';
import { flowRecord } from '../support/flow-seed';
import { testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

const MIGRATIONS = join(__dirname, '..', '..', '..', 'migrations');
const T0 = Date.parse('2026-11-27T06:00:00Z');
const window = { from: '2026-11-27T05:00:00Z', to: '2026-11-27T07:00:00Z' };

/**
 * A data directory as an earlier version left it: migrations up to 0010 applied and recorded, and
 * one flows row with the wide columns (labels maps, reported trace strings, rule JSON). Written by
 * the engine in a process of its own, as the service owns the directory afterwards.
 */
function oldLayout(dir: string): void {
  const files = readdirSync(MIGRATIONS).filter((f) => /^\d{4}_.*\.sql$/.test(f) && Number(f.slice(0, 4)) < 11).sort();
  const migrations = files.map((f) => {
    const sql = readFileSync(join(MIGRATIONS, f), 'utf8');
    return { version: Number(f.slice(0, 4)), name: f, sql, checksum: createHash('sha256').update(sql).digest('hex') };
  });
  const script = `
    const { Session } = require(${JSON.stringify(require.resolve('chdb'))});
    const s = new Session(${JSON.stringify(dir)});
    s.query('CREATE DATABASE IF NOT EXISTS flowscope');
    s.query('USE flowscope');
    s.query("CREATE TABLE IF NOT EXISTS schema_migrations (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC')) ENGINE = MergeTree ORDER BY version");
    for (const m of ${JSON.stringify(migrations)}) {
      for (const st of m.sql.split(/;\\s*(?:\\r?\\n|$)/).map((x) => x.replace(/^\\s*--.*$/gm, '').trim()).filter(Boolean)) s.query(st);
      s.query(\`INSERT INTO schema_migrations VALUES (\${m.version}, '\${m.name}', '\${m.checksum}', now64(3))\`);
    }
    s.query(\`INSERT INTO flows (start_time, end_time, action, reporter, protocol, src_ip, dst_ip, dst_port, src_type, src_namespace, src_name,
        src_labels, src_namespace_labels, dst_type, dst_namespace, dst_name, dst_labels, reported_enforced, reported_pending, reported_verdict,
        decision_kind, decision_policy, decision_rule_index, decision_rule, source_format, source_topic, source_partition, source_offset, source_index)
      VALUES (fromUnixTimestamp64Milli(${T0 + 60_000}), fromUnixTimestamp64Milli(${T0 + 61_000}), 'allow', 'dst', 'tcp', '10.0.0.9', '10.1.0.9', 443,
        'wep', 'frontend', 'old-web-0', map('app', 'old-web', 'tier', 'front'), map('kubernetes.io/metadata.name', 'frontend'),
        'wep', 'payments', 'old-api-0', map(), ['0|default|payments/default.allow-web|allow|0'], ['0|default|payments/default.staged|deny|1'], 'allow',
        'rule', 'NetworkPolicy/payments/default.allow-web', 0, '{"action":"Allow"}', 'flowscope', 'old', 0, 7, 0)\`);
    s.close();
  `;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

describe('the narrow flows row: shared values stored once (embedded ClickHouse)', () => {
  let t: TestApp;

  before(async () => {
    const config = testConfig();
    oldLayout(config.clickhouse.dataDir);
    t = await startTestApp(config);
  });
  after(async () => t?.close());

  it('moves flows stored by an earlier version: labels, reported trace and rule read back, label filters find them', async () => {
    const ch = t.app.get(ClickHouseAdapter);
    const wide = await ch.query<{ name: string }>(
      "SELECT name FROM system.columns WHERE database = currentDatabase() AND table = 'flows' AND name IN ('src_labels', 'dst_labels', 'decision_rule', 'reported_enforced')",
    );
    assert.deepEqual(wide, []);
    const page = await t.http().get('/api/v1/flows').query({ ...window, srcSelector: "app == 'old-web' && tier in {'front'}" }).expect(200);
    assert.equal(page.body.items.length, 1);
    const f = page.body.items[0];
    assert.deepEqual(f.src.labels, { app: 'old-web', tier: 'front' });
    assert.deepEqual(f.dst.labels, {});
    assert.deepEqual(f.reported, { verdict: 'allow', enforced: ['0|default|payments/default.allow-web|allow|0'], pending: ['0|default|payments/default.staged|deny|1'] });
    const detail = await t.http().get(`/api/v1/flows/${encodeURIComponent(f.id)}`).expect(200);
    assert.deepEqual(detail.body.decidingRule, { action: 'Allow' });
    // The empty label set is a set too: a selector that holds for it finds the row.
    const absent = await t.http().get('/api/v1/flows').query({ ...window, dstSelector: '!has(app)' }).expect(200);
    assert.deepEqual(absent.body.items.map((x: { id: string }) => x.id), [f.id]);
  });

  it('reads back labels, reported hits and rules with quotes, backslashes, tabs and line breaks exactly', async () => {
    const tricky = { "it's": 'a\\b', tab: 'x\ty', lines: 'l1\nl2\r', quote: '"q"' };
    const attribution = t.app.get(AttributionService, { strict: false });
    const row = attribution.attribute(
      flowRecord(T0 + 180_000, { src: { ...flowRecord(0).src, labels: tricky } }),
      { format: 'flowscope', topic: 'tricky', partition: 0, offset: '0', index: 0 },
    );
    await t.app.get(FlowRepository).insert([row], 'tricky:0:0-0');
    const page = await t.http().get('/api/v1/flows').query({ ...window, srcSelector: "tab == 'x\ty'" }).expect(200);
    assert.equal(page.body.items.length, 1);
    assert.deepEqual(page.body.items[0].src.labels, tricky);
  });

  it('stores each label set once, and drops a retried batch, from this process or a restarted one', async () => {
    const attribution = t.app.get(AttributionService, { strict: false });
    const labelled = (i: number) => flowRecord(T0 + 120_000 + i, {
      src: { ...flowRecord(0).src, labels: { app: 'web', n: String(i % 2) } },
      enforcedHits: ['0|default|dedup/default.allow|allow|0'],
    });
    const rows = [0, 1, 2, 3].map((i) => attribution.attribute(labelled(i), { format: 'flowscope', topic: 'dedup', partition: 0, offset: String(i), index: 0 }));
    const ch = t.app.get(ClickHouseAdapter);
    const counts = async () => {
      const [r] = await ch.query<Record<string, string>>(
        `SELECT (SELECT count() FROM flows WHERE source_topic = 'dedup') AS flows,
                (SELECT count() FROM label_sets WHERE labels['app'] = 'web') AS sets,
                (SELECT count() FROM reported_traces WHERE has(enforced, '0|default|dedup/default.allow|allow|0')) AS traces`,
      );
      return Object.values(r).map(Number);
    };
    const repo = t.app.get(FlowRepository);
    await repo.insert(rows, 'dedup:0:0-3');
    assert.deepEqual(await counts(), [4, 2, 1]);
    await repo.insert(rows, 'dedup:0:0-3');
    assert.deepEqual(await counts(), [4, 2, 1]);
    // A restarted process remembers nothing it stored: it writes the values again, under the same token.
    await new FlowRepository(ch).insert(rows, 'dedup:0:0-3');
    assert.deepEqual(await counts(), [4, 2, 1]);
    const page = await t.http().get('/api/v1/flows').query({ ...window, srcSelector: "n == '1'" }).expect(200);
    assert.deepEqual(page.body.items.map((x: { src: { labels: object } }) => x.src.labels), [{ app: 'web', n: '1' }, { app: 'web', n: '1' }]);
  });
});
