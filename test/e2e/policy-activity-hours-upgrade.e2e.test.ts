import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Clock } from '../../src/clock/clock';
import { ClickHouseAdapter } from '../../src/storage/clickhouse.adapter';
import { MigrationRunner } from '../../src/storage/migration.runner';
import { tempDir } from '../support/temp-dir';
import { testConfig } from '../support/test-config';

const MIGRATIONS = join(__dirname, '..', '..', '..', 'migrations');
const COLUMNS = ['start_time', 'action', 'src_namespace', 'src_name', 'src_name_aggr', 'src_ip', 'dst_namespace', 'dst_name', 'dst_name_aggr', 'dst_ip', 'num_flows',
  'decision_policy', 'pending_decision_policy', 'trace_tiers', 'trace_policies', 'trace_rules', 'trace_actions', 'source_topic', 'source_offset'];

/** Flows rows over two days whose policies come from the decision, the staged decision and the trace, with named, aggregated and bare endpoints. */
function rows(first: number, count: number): string[] {
  return Array.from({ length: count }, (_, k) => {
    const i = first + k;
    const decided = `NetworkPolicy/ns-${i % 3}/p${i % 2}`;
    const named = i % 3 === 0 ? [`web-${i % 4}`, '', `10.0.0.${i % 4}`] : i % 3 === 1 ? ['', 'web-*', `10.0.0.${i % 4}`] : ['', '', `203.0.113.${i % 5}`];
    return [`2026-11-2${i % 2} ${String(i % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00.000`, i % 4 === 0 ? 'deny' : 'allow',
      `ns-${i % 4}`, ...named, `ns-${i % 3}`, `pg-${i % 2}`, '', `10.1.0.${i % 2}`, 1 + (i % 3),
      i % 9 === 0 ? '' : decided, i % 7 === 0 ? 'StagedNetworkPolicy/ns-1/tighter' : '', "['security','default']", `['GlobalNetworkPolicy//baseline','${decided}']`, '[1,0]', "['pass','allow']", 'upgrade', i].join('\t');
  });
}

const HOURLY_ACTIVITY = `SELECT policy, toString(hour) AS h, hit_source, tier, rule_index, hit_action, reporter, src_namespace, dst_namespace,
    sum(hits) AS hits, sum(flows) AS flows, toString(min(first_seen)) AS first, toString(max(last_seen)) AS last
  FROM policy_activity_1h GROUP BY ALL ORDER BY ALL`;

/** The per-minute activity rollup summed by hour: what the hourly one should hold. */
const MINUTES_BY_HOUR = `SELECT policy, toString(toStartOfHour(minute)) AS h, hit_source, tier, rule_index, hit_action, reporter, src_namespace, dst_namespace,
    sum(hits) AS hits, sum(flows) AS flows, toString(min(first_seen)) AS first, toString(max(last_seen)) AS last
  FROM policy_activity_1m GROUP BY ALL ORDER BY ALL`;

const ROLLUP = `SELECT policy, toString(hour) AS h, src_namespace, src, dst_namespace, dst, action, sum(records) AS records, sum(flows) AS flows, toString(max(last_seen)) AS last
  FROM policy_peers_1h GROUP BY ALL ORDER BY ALL`;

/** What the rollup should hold, from the stored flows: each flow once per policy that decided it, would decide it with staged policies enforced, or is in its trace. */
const FROM_FLOWS = `SELECT policy, toString(toStartOfHour(start_time)) AS h, src_namespace, if(src_name != '', src_name, if(src_name_aggr != '', src_name_aggr, src_ip)) AS src,
    dst_namespace, if(dst_name != '', dst_name, if(dst_name_aggr != '', dst_name_aggr, dst_ip)) AS dst, action,
    count() AS records, sum(num_flows) AS flows, toString(max(start_time)) AS last
  FROM flows
  ARRAY JOIN arrayDistinct(arrayFilter(p -> p != '', arrayConcat([decision_policy, pending_decision_policy], trace_policies))) AS policy
  GROUP BY ALL ORDER BY ALL`;

describe('the hourly policy rollups (peers, activity) on a data directory that already holds flows', () => {
  const clickhouse = new ClickHouseAdapter(testConfig());
  const runner = new MigrationRunner(clickhouse, new Clock());
  before(async () => {
    // A data directory as the version before left it: every migration up to 0020, and flows stored.
    const earlier = tempDir('flowscope-migrations-');
    mkdirSync(earlier, { recursive: true });
    for (const f of readdirSync(MIGRATIONS).filter((f) => /^\d{4}_.*\.sql$/.test(f) && Number(f.slice(0, 4)) <= 20)) copyFileSync(join(MIGRATIONS, f), join(earlier, f));
    await clickhouse.connect();
    await runner.run(earlier);
    await clickhouse.insertTsv('flows', COLUMNS, rows(0, 400), 'upgrade:0');
  });
  after(() => clickhouse.onApplicationShutdown());

  it('count the flows stored before them, then every flow stored after, each once', async () => {
    // 0021 and 0022, and any later one.
    assert.equal(await runner.run(MIGRATIONS), readdirSync(MIGRATIONS).filter((f) => /^\d{4}_.*\.sql$/.test(f) && Number(f.slice(0, 4)) > 20).length);
    const hourly = await clickhouse.query<Record<string, unknown>>(HOURLY_ACTIVITY);
    assert.ok(hourly.length > 50);
    assert.deepEqual(hourly, await clickhouse.query<Record<string, unknown>>(MINUTES_BY_HOUR), 'the activity of the flows stored before, by hour');
    const backfilled = await clickhouse.query<Record<string, unknown>>(ROLLUP);
    assert.ok(backfilled.length > 100);
    assert.deepEqual(backfilled, await clickhouse.query<Record<string, unknown>>(FROM_FLOWS));
    const kinds = await clickhouse.query<{ n: number }>("SELECT uniqExact(policy) AS n FROM policy_peers_1h WHERE policy LIKE 'Staged%' OR policy LIKE 'Global%'");
    assert.equal(Number(kinds[0].n), 2, 'staged decisions and traces count, not only the deciding policy');

    // A new batch reaches the view; its retry (same token) adds nothing.
    await clickhouse.insertTsv('flows', COLUMNS, rows(400, 300), 'upgrade:1');
    await clickhouse.insertTsv('flows', COLUMNS, rows(400, 300), 'upgrade:1');
    const [{ n }] = await clickhouse.query<{ n: number }>('SELECT count() AS n FROM flows');
    assert.equal(Number(n), 700);
    assert.ok((await clickhouse.query(ROLLUP)).length > backfilled.length);
    assert.deepEqual(await clickhouse.query<Record<string, unknown>>(ROLLUP), await clickhouse.query<Record<string, unknown>>(FROM_FLOWS));
    // The hourly activity follows the per-minute rollup's inserts, the retried one included (once).
    const hits = (rs: Array<Record<string, unknown>>) => rs.reduce((n, r) => n + Number(r.hits), 0);
    assert.ok(hits(await clickhouse.query(HOURLY_ACTIVITY)) > hits(hourly));
    assert.deepEqual(await clickhouse.query<Record<string, unknown>>(HOURLY_ACTIVITY), await clickhouse.query<Record<string, unknown>>(MINUTES_BY_HOUR));
  });
});
