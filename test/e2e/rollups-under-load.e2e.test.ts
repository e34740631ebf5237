import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Clock } from '../../src/clock/clock';
import { ClickHouseAdapter } from '../../src/storage/clickhouse.adapter';
import { MigrationRunner } from '../../src/storage/migration.runner';
import { testConfig } from '../support/test-config';
import { join } from 'node:path';

const BATCHES = 30;
const DAYS = 7;
const PER_DAY = 6;

/** One batch of flows rows spread over a week (one part per day), each with a two-hit trace. */
function batch(b: number): string[] {
  const lines: string[] = [];
  for (let d = 0; d < DAYS; d++) {
    for (let i = 0; i < PER_DAY; i++) {
      const offset = b * DAYS * PER_DAY + d * PER_DAY + i;
      lines.push([`2026-11-2${d} 01:0${i}:${String(b % 60).padStart(2, '0')}.000`, `10.${b}.${d}.${i}`, '10.255.0.1', 'deny', "['security','default']",
        "['GlobalNetworkPolicy//security.baseline','NetworkPolicy/db/pg']", '[1,0]', "['pass','deny']", 'NetworkPolicy/db/pg', 'rule', 'topic', offset].join('\t'));
    }
  }
  return lines;
}

describe('rollups stay complete while reads run during ingest (embedded ClickHouse)', () => {
  const clickhouse = new ClickHouseAdapter(testConfig());
  before(async () => {
    await clickhouse.connect();
    await new MigrationRunner(clickhouse, new Clock()).run(join(__dirname, '..', '..', '..', 'migrations'));
  });
  after(() => clickhouse.onApplicationShutdown());

  it('every materialized view gets every row of every insert', async () => {
    const columns = ['start_time', 'src_ip', 'dst_ip', 'action', 'trace_tiers', 'trace_policies', 'trace_rules', 'trace_actions', 'decision_policy', 'decision_kind', 'source_topic', 'source_offset'];
    let inserting = true;
    const reads = (async () => {
      let n = 0;
      while (inserting) {
        await clickhouse.query('SELECT count() AS n FROM flows WHERE action = {a:String}', { a: 'deny' });
        await clickhouse.query("SELECT *, joinGet('label_sets_by_id', 'labels', src_labels_id) AS l FROM flows ORDER BY start_time DESC LIMIT 100");
        await clickhouse.query('SELECT policy, sum(hits) AS h FROM policy_hits_1m GROUP BY policy');
        n++;
      }
      return n;
    })();
    const otherReads = (async () => {
      while (inserting) await clickhouse.query('SELECT count() AS n FROM flow_ips');
    })();
    for (let b = 0; b < BATCHES; b++) {
      // As the flows repository writes a batch: the label sets first seen, then the rows, one token.
      await clickhouse.insertTsv('label_sets', ['id', 'labels'], [`${b + 1}\t{'app':'web-${b}'}`], `topic:0:${b}`);
      await clickhouse.insertTsv('flows', columns, batch(b), `topic:0:${b}`);
    }
    inserting = false;
    assert.ok((await reads) > 0, 'reads ran during the inserts');
    await otherReads;

    const flows = BATCHES * DAYS * PER_DAY;
    const one = async (sql: string) => Number(Object.values((await clickhouse.query<Record<string, string>>(sql))[0])[0]);
    assert.equal(await one('SELECT count() FROM flows'), flows);
    assert.equal(await one('SELECT sum(hits) FROM policy_hits_1m'), 2 * flows, 'trace hits rollup');
    assert.equal(await one("SELECT sum(hits) FROM policy_activity_1m WHERE hit_source = 'trace'"), 2 * flows, 'activity rollup, trace hits');
    assert.equal(await one('SELECT sum(records) FROM flow_decisions_1m'), flows, 'decisions rollup');
    assert.equal(await one('SELECT count() FROM flow_ips'), 2 * flows, 'per-address table');
    assert.equal(await one("SELECT sum(hits) FROM policy_activity_1h WHERE hit_source = 'trace'"), 2 * flows, 'hourly activity rollup, trace hits');
    assert.equal(await one('SELECT sum(records) FROM policy_peers_1h'), 2 * flows, 'peers rollup: each flow once per policy it relates to');
  });
});
