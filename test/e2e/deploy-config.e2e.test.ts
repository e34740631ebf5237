import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { AttributionService } from '../../src/attribution/attribution.service';
import { FlowRecord, reportedEndpoint } from '../../src/flows/flow-record';
import { ClickHouseAdapter } from '../../src/storage/clickhouse.adapter';
import { FlowRepository } from '../../src/storage/flow.repository';
import { expandClickHouseMacros } from '../support/grafana-macros';
import { testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

// dist/test/e2e -> the repository root
const ROOT = join(__dirname, '..', '..', '..');
const DEPLOY = join(ROOT, 'deploy');
const BASE = Date.parse('2026-11-26T06:00:00Z');

interface Target { refId: string; datasource: { type: string; uid: string }; rawSql?: string; expr?: string; queryType?: string }
interface Panel { id: number; title: string; type: string; targets: Target[] }

function record(i: number): FlowRecord {
  if (i % 10 === 5) {
    // shop/web-1 to db/pg-0 reported as allowed without a trace; the inventory's default-deny in
    // db denies it: a verdict mismatch.
    return { ...record(1), srcIp: '10.244.1.5', dstIp: '10.244.2.7', dstPort: 5432, src: reportedEndpoint(), dst: reportedEndpoint(), enforcedHits: [], startTime: BASE + i * 20_000, endTime: BASE + i * 20_000 };
  }
  const deny = i % 3 === 0;
  return {
    startTime: BASE + i * 20_000,
    endTime: BASE + i * 20_000 + 500,
    action: deny ? 'deny' : 'allow',
    reporter: 'dst',
    protocol: 'tcp',
    srcIp: `10.0.0.${i + 1}`,
    srcPort: 30000 + i,
    dstIp: '10.1.0.1',
    dstPort: deny ? 5432 : 443,
    src: reportedEndpoint({ namespace: 'frontend', name: `web-${i % 4}` }),
    dst: reportedEndpoint({ namespace: deny ? 'payments' : 'orders', name: 'api-0' }),
    node: 'node-1',
    numFlows: 1,
    numFlowsStarted: 1,
    numFlowsCompleted: 0,
    packetsIn: 10,
    packetsOut: 12,
    bytesIn: 1000,
    bytesOut: 2000,
    enforcedHits: [deny ? '0|security|gnp:security.deny-db|deny|0' : '0|default|orders/default.allow-web|allow|0'],
    pendingHits: [],
  };
}

/** Names of every metric the running service exposes (HELP lines list labelled metrics with no sample yet too). */
async function exposedMetricNames(t: TestApp): Promise<Set<string>> {
  const text = (await t.http().get('/metrics').expect(200)).text;
  return new Set([...text.matchAll(/^# HELP (\S+)/gm)].map((m) => m[1]));
}

function metricNamesIn(expr: string): string[] {
  return [...new Set([...expr.matchAll(/\bflowscope_[a-z0-9_]+/g)].map((m) => m[0]))];
}

describe('deploy/: Prometheus alerts and Grafana dashboards against the real service and schema', () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp(testConfig());
    const cluster = readFileSync(join(ROOT, 'test', 'fixtures', 'shop-cluster.yaml'), 'utf8');
    await t.http().post('/api/v1/inventory').query({ validFrom: new Date(BASE - 3_600_000).toISOString() }).set('content-type', 'application/yaml').send(cluster).expect(200);
    const attribution = t.app.get(AttributionService, { strict: false });
    const rows = Array.from({ length: 60 }, (_, i) => attribution.attribute(record(i), { format: 'flowscope', topic: 'seed', partition: 0, offset: String(i), index: 0 }));
    await t.app.get(FlowRepository).insert(rows, 'seed:0:0-59');
  });
  after(async () => t?.close());

  it('alerts.yml parses, covers a deny spike, a verdict mismatch and ingest lag, on metrics the service exposes', async () => {
    const alerts = parse(readFileSync(join(DEPLOY, 'prometheus', 'alerts.yml'), 'utf8')) as { groups: Array<{ name: string; rules: Array<Record<string, unknown>> }> };
    const rules = alerts.groups.flatMap((g) => g.rules);
    assert.ok(rules.length >= 3);
    const exposed = await exposedMetricNames(t);
    for (const rule of rules) {
      assert.equal(typeof rule.alert, 'string', 'every rule is an alerting rule');
      assert.equal(typeof rule.expr, 'string', `${String(rule.alert)} has an expression`);
      assert.match(String((rule.annotations as Record<string, string>).summary), /\S/, `${String(rule.alert)} has a summary`);
      if (rule.for !== undefined) assert.match(String(rule.for), /^\d+[smh]$/);
      const used = metricNamesIn(String(rule.expr));
      assert.ok(used.length > 0, `${String(rule.alert)} uses a flowscope metric`);
      for (const name of used) assert.ok(exposed.has(name.replace(/_total$/, '')) || exposed.has(name), `${String(rule.alert)}: ${name} is not on /metrics`);
    }
    const byName = Object.fromEntries(rules.map((r) => [String(r.alert), String(r.expr)]));
    assert.match(byName.FlowscopeDenySpike, /flowscope_decision_records_total\{action="deny"\}/);
    assert.match(byName.FlowscopeDenySpike, /by \(tier, policy\)/);
    assert.match(byName.FlowscopeVerdictMismatch, /flowscope_decision_verdict_mismatch_total/);
    assert.match(byName.FlowscopeIngestLag, /flowscope_ingest_lag_messages/);
  });

  it('prometheus.yml scrapes flowscope and loads the alerts; docker-compose mounts files that exist', () => {
    const prom = parse(readFileSync(join(DEPLOY, 'prometheus', 'prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: Array<{ job_name: string; metrics_path: string; static_configs: Array<{ targets: string[] }> }>;
    };
    assert.deepEqual(prom.rule_files, ['/etc/prometheus/alerts.yml']);
    const job = prom.scrape_configs.find((j) => j.job_name === 'flowscope');
    assert.equal(job?.metrics_path, '/metrics');
    assert.deepEqual(job?.static_configs[0].targets, ['flowscope:8080']);

    const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { image?: string; volumes?: string[]; environment?: Record<string, string> }> };
    assert.match(String(compose.services.grafana.image), /^grafana\/grafana:/);
    assert.match(String(compose.services.grafana.environment?.GF_INSTALL_PLUGINS), /grafana-clickhouse-datasource/);
    assert.match(String(compose.services.prometheus.image), /^prom\/prometheus:/);
    for (const service of ['grafana', 'prometheus']) {
      for (const volume of compose.services[service].volumes ?? []) {
        const host = volume.split(':')[0];
        assert.ok(existsSync(join(ROOT, host)), `${service} mounts ${host}, which exists`);
      }
    }
    const datasources = parse(readFileSync(join(DEPLOY, 'grafana', 'provisioning', 'datasources', 'flowscope.yml'), 'utf8')) as { datasources: Array<{ uid: string; type: string; jsonData?: Record<string, unknown> }> };
    const clickhouse = datasources.datasources.find((d) => d.type === 'grafana-clickhouse-datasource');
    assert.equal(clickhouse?.jsonData?.host, 'clickhouse', 'the data source points at the compose ClickHouse server');
    assert.equal(clickhouse?.jsonData?.defaultDatabase, 'flowscope');
  });

  it("every dashboard panel's SQL runs on the real schema and the Prometheus panels use exposed metrics", async () => {
    const dir = join(DEPLOY, 'grafana', 'dashboards');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    assert.ok(files.length > 0, 'at least one dashboard');
    const datasources = parse(readFileSync(join(DEPLOY, 'grafana', 'provisioning', 'datasources', 'flowscope.yml'), 'utf8')) as { datasources: Array<{ uid: string; type: string }> };
    const uids = new Map(datasources.datasources.map((d) => [d.uid, d.type]));
    const clickhouse = t.app.get(ClickHouseAdapter);
    const exposed = await exposedMetricNames(t);
    const range = { from: new Date(BASE - 600_000), to: new Date(BASE + 3_600_000), intervalSeconds: 300 };
    let sqlPanels = 0;
    for (const file of files) {
      const dashboard = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { uid: string; panels: Panel[] };
      assert.match(dashboard.uid, /^[\w-]{1,40}$/);
      const ids = dashboard.panels.map((p) => p.id);
      assert.equal(new Set(ids).size, ids.length, `${file}: panel ids are unique`);
      for (const panel of dashboard.panels) {
        for (const target of panel.targets) {
          assert.equal(uids.get(target.datasource.uid), target.datasource.type, `${panel.title}: its data source is provisioned`);
          if (target.datasource.type === 'grafana-clickhouse-datasource') {
            const sql = expandClickHouseMacros(String(target.rawSql), range);
            const rows = await clickhouse.query<Record<string, unknown>>(sql).catch((err: unknown) => assert.fail(`${file} / ${panel.title}: ${String(err)}\n${sql}`));
            assert.ok(rows.length > 0, `${panel.title}: returns rows on seeded data`);
            if (target.queryType === 'timeseries') assert.ok('time' in rows[0], `${panel.title}: a time series has a time column`);
            sqlPanels++;
          } else {
            for (const name of metricNamesIn(String(target.expr))) assert.ok(exposed.has(name), `${panel.title}: ${name} is on /metrics`);
          }
        }
      }
    }
    assert.ok(sqlPanels >= 8, `${sqlPanels} SQL panels checked`);
  });
});
