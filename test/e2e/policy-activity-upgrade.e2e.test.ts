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
const COLUMNS = ['start_time', 'action', 'reporter', 'src_namespace', 'dst_namespace', 'num_flows', 'trace_tiers', 'trace_policies', 'trace_rules', 'trace_actions',
  'decision_policy', 'decision_tier', 'decision_rule_index', 'pending_decision_policy', 'pending_decision_rule_index', 'computed_pending_verdict', 'source_topic', 'source_offset'];

/** Flows rows whose traces, staged decisions and Log rules give every kind of activity row, over two days. */
function rows(first: number, count: number): string[] {
  return Array.from({ length: count }, (_, k) => {
    const i = first + k;
    const policy = `NetworkPolicy/ns-${i % 3}/p${i % 2}`;
    const log = i % 5 === 0;
    return [`2026-11-2${i % 2} 0${i % 10}:${String(i % 60).padStart(2, '0')}:00.000`, log ? 'log' : 'allow', i % 2 ? 'src' : 'dst', `ns-${i % 4}`, `ns-${i % 3}`, 1 + (i % 3),
      "['security','default']", `['GlobalNetworkPolicy//baseline','${policy}']`, `[1,${i % 4}]`, "['pass','allow']",
      policy, 'default', i % 4, i % 7 === 0 ? 'StagedNetworkPolicy/ns-1/tighter' : '', i % 7 === 0 ? 0 : -2, i % 7 === 0 ? 'deny' : '', 'upgrade', i].join('\t');
  });
}

const ACTIVITY = `SELECT policy, hit_source, tier, rule_index, hit_action, reporter, src_namespace, dst_namespace, minute,
  sum(hits) AS hits, sum(flows) AS flows, toString(min(first_seen)) AS first, toString(max(last_seen)) AS last
  FROM policy_activity_1m GROUP BY ALL ORDER BY ALL`;

/** The activity the stored flows give, by the views' own definitions (migrations/0008), as ACTIVITY shows it. */
const FROM_FLOWS = `SELECT policy, hit_source, tier, rule_index, hit_action, reporter, src_namespace, dst_namespace, minute,
  sum(hits) AS hits, sum(flows) AS flows, toString(min(first_seen)) AS first, toString(max(last_seen)) AS last
  FROM (
    SELECT toStartOfMinute(start_time) AS minute, 'trace' AS hit_source, policy, tier, rule_index, hit_action, reporter, src_namespace, dst_namespace,
      1 AS hits, num_flows AS flows, start_time AS first_seen, start_time AS last_seen
    FROM flows ARRAY JOIN trace_tiers AS tier, trace_policies AS policy, trace_rules AS rule_index, trace_actions AS hit_action
    UNION ALL
    SELECT toStartOfMinute(start_time), 'pending', pending_decision_policy, '', pending_decision_rule_index, computed_pending_verdict, reporter, src_namespace, dst_namespace,
      1, num_flows, start_time, start_time
    FROM flows WHERE pending_decision_policy != ''
    UNION ALL
    SELECT toStartOfMinute(start_time), 'log', decision_policy, decision_tier, decision_rule_index, 'log', reporter, src_namespace, dst_namespace,
      1, num_flows, start_time, start_time
    FROM flows WHERE action = 'log' AND decision_policy != ''
  ) GROUP BY ALL ORDER BY ALL`;

describe('re-sorting the policy activity rollup by policy keeps what it holds and what feeds it', () => {
  const clickhouse = new ClickHouseAdapter(testConfig());
  const runner = new MigrationRunner(clickhouse, new Clock());
  before(async () => {
    // A data directory as the version before left it: every migration up to 0018, and activity stored.
    const earlier = tempDir('flowscope-migrations-');
    mkdirSync(earlier, { recursive: true });
    for (const f of readdirSync(MIGRATIONS).filter((f) => /^\d{4}_.*\.sql$/.test(f) && Number(f.slice(0, 4)) <= 18)) copyFileSync(join(MIGRATIONS, f), join(earlier, f));
    await clickhouse.connect();
    await runner.run(earlier);
    await clickhouse.insertTsv('flows', COLUMNS, rows(0, 300), 'upgrade:0');
  });
  after(() => clickhouse.onApplicationShutdown());

  it('moves every activity row, sorts by policy, and the views write into the new table', async () => {
    const before = await clickhouse.query<Record<string, unknown>>(ACTIVITY);
    const kinds = new Set(before.map((r) => r.hit_source));
    assert.deepEqual([...kinds].sort(), ['log', 'pending', 'trace'], 'the fixture gives every kind of hit');
    const [{ key: oldKey }] = await clickhouse.query<{ key: string }>("SELECT sorting_key AS key FROM system.tables WHERE database = currentDatabase() AND name = 'policy_activity_1m'");
    assert.match(oldKey, /^minute, policy/);

    assert.ok((await runner.run(MIGRATIONS)) >= 1);

    const [{ key }] = await clickhouse.query<{ key: string }>("SELECT sorting_key AS key FROM system.tables WHERE database = currentDatabase() AND name = 'policy_activity_1m'");
    assert.match(key, /^policy, minute/);
    assert.deepEqual(await clickhouse.query<Record<string, unknown>>(ACTIVITY), before);
    const leftovers = await clickhouse.query<{ name: string }>("SELECT name FROM system.tables WHERE database = currentDatabase() AND name LIKE 'policy_activity_1m_%'");
    assert.deepEqual(leftovers, []);

    // Flows stored after the change reach the re-created views: the rollup then holds exactly what
    // the stored flows give, computed here from the flows themselves.
    await clickhouse.insertTsv('flows', COLUMNS, rows(300, 200), 'upgrade:1');
    const after = await clickhouse.query<Record<string, unknown>>(ACTIVITY);
    assert.ok(after.length > before.length);
    assert.deepEqual(after, await clickhouse.query<Record<string, unknown>>(FROM_FLOWS));
  });
});
